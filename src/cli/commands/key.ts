// `runbook key [--json]`: this installation's key, the public side only — its fingerprint (what an auditor
// pins with `runbook verify … --pin`), the public key file, and the verify command. The key is made when
// there is none yet (as the first run would), and its creation notice then goes to stderr as for a run.
import { installationKeyFacts } from '../../main/audit/installation.js';
import { loadInstallationForCli } from '../installation-notice.js';
import { forTerminal } from '../terminal-output.js';

export async function keyCommand(options: { json?: boolean }): Promise<void> {
  const facts = installationKeyFacts(await loadInstallationForCli());
  if (options.json) {
    process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);
    return;
  }
  const lines = [
    `installation  ${facts.id}`,
    `fingerprint   ${facts.fingerprint}`,
    `public key    ${facts.publicKeyFile}`,
    `verify with   ${facts.verifyCommand}`,
  ];
  process.stdout.write(forTerminal(`${lines.join('\n')}\n`));
}
