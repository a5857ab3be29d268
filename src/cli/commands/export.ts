// `runbook export DIR --out OUTDIR [--key FILE | --agent] [--pdf]`: the signed evidence bundle.
import { readFileSync } from 'node:fs';
import { ExportError, exportBundle, type OperatorSigner } from '../../main/audit/export.js';
import { loadInstallationForCli } from '../installation-notice.js';
import { FileMacKeyStore } from '../../main/audit/key-store.js';
import { VerifyFailure } from '../../main/audit/reasons.js';
import { describeHolder } from '../../main/audit/run-lock.js';
import { isRecordWriteFailure } from '../../main/audit/seal.js';
import { SshSignerError, agentSigner, keyFileSigner, sshKeygenSigner } from '../../main/audit/ssh-signers.js';
import { ask, isInteractive } from '../prompt.js';
import { CliExit } from '../cli-exit.js';

export interface ExportCommandOptions {
  out: string;
  key?: string;
  agent?: boolean;
  agentKey?: string;
  pdf?: boolean;
}

async function operatorSigner(options: ExportCommandOptions): Promise<OperatorSigner | null> {
  if (options.key && options.agent) throw new CliExit(2, 'give --key or --agent, not both');
  try {
    if (options.agent) {
      const signer = await agentSigner(options.agentKey ? { publicKey: options.agentKey } : {});
      return { signer, publicKeyLine: signer.publicKeyLine };
    }
    if (options.key) {
      // FIDO (sk-) keys sign only through ssh-keygen, which talks to the authenticator.
      const publicLine = readPublicKey(options.key);
      if (publicLine?.startsWith('sk-')) return { signer: sshKeygenSigner({ keyFile: options.key }), publicKeyLine: publicLine };
      let signer;
      try {
        signer = await keyFileSigner(options.key, process.env.RUNBOOK_KEY_PASSPHRASE);
      } catch (error) {
        // An encrypted key: ask for its passphrase on the terminal (never stored).
        if (!isInteractive() || !/passphrase|encrypted/i.test((error as Error).message)) throw error;
        signer = await keyFileSigner(options.key, await ask(`Passphrase for ${options.key}: `, { secret: true }));
      }
      return { signer, publicKeyLine: signer.publicKeyLine };
    }
  } catch (error) {
    if (error instanceof CliExit) throw error;
    throw new CliExit(1, `${options.key ?? 'ssh-agent'}: ${(error as Error).message}`);
  }
  return null;
}

function readPublicKey(keyFile: string): string | null {
  try {
    return readFileSync(`${keyFile}.pub`, 'utf8').trim();
  } catch {
    return null;
  }
}

export async function exportCommand(dir: string, options: ExportCommandOptions): Promise<void> {
  const signer = await operatorSigner(options);
  exitOnSignals();
  try {
    const result = await exportBundle(dir, { out: options.out, operatorSigner: signer, pdf: Boolean(options.pdf), keys: new FileMacKeyStore(), installation: await loadInstallationForCli() });
    if (result.tookOver) process.stderr.write(`runbook: note: took over the lock left by ${describeHolder(result.tookOver.holder)}, which ${result.tookOver.why}\n`);
    if (result.accessNote) process.stderr.write(`runbook: note: ${result.accessNote}\n`);
    if (result.closedInterrupted) process.stdout.write(`note: run ${result.runId} was interrupted; its end was recorded and sealed before export\n`);
    process.stdout.write(`exported run ${result.runId} to ${result.out} (${result.files.length} files), signed by ${result.principal} ${result.signerFingerprint}\nverify: cd ${result.out} && sha256sum -c SHA256SUMS && python3 verify.py .  (see VERIFY.md)\n`);
  } catch (error) {
    if (error instanceof ExportError || error instanceof SshSignerError) throw new CliExit(1, error.message);
    if (error instanceof VerifyFailure) throw new CliExit(1, `${dir}: the run does not verify, so it is not exported: ${error.message}`);
    if (isRecordWriteFailure(error)) {
      throw new CliExit(1, `${dir}: the export stopped: ${(error as Error).message}; nothing was exported to ${options.out} (run the export again once the problem is fixed)`);
    }
    throw error;
  }
}

/**
 * SIGINT, SIGTERM, SIGHUP end the command like a shell would (128 + the signal), through process.exit, so
 * the run's lock is released; what was under way is left as a crash would leave it, and recoverable.
 */
export function exitOnSignals(): void {
  const codes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
  for (const signal of Object.keys(codes) as (keyof typeof codes)[]) {
    process.once(signal, () => {
      process.stderr.write(`runbook: ${signal}: stopped\n`);
      process.exit(codes[signal]);
    });
  }
}
