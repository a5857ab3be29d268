// VERIFY.md: the auditor's offline procedure with stock tools only (coreutils, OpenSSH, Python 3).
// The principals come from the operator's name and the journal: an auditor pastes these commands into a
// shell, so every value is quoted for it (shellQuote) and nothing in a name can run or hide anything.
import { shellQuote } from '../../shared/shell-quote.js';
import { neutralise } from '../../shared/terminal-text.js';

export interface VerifyInstructionInput {
  principal: string;
  installationPrincipal: string;
  runId: string;
  pdf: boolean;
  signedReport: boolean;
}

export function verifyInstructions(input: VerifyInstructionInput): { commands: string[]; markdown: string } {
  const principal = shellQuote(input.principal);
  const installationPrincipal = shellQuote(input.installationPrincipal);
  const commands = [
    'sha256sum -c SHA256SUMS',
    `ssh-keygen -Y verify -f allowed_signers -I ${principal} -n runbook-console-audit -s SHA256SUMS.sig < SHA256SUMS`,
    `ssh-keygen -Y verify -f allowed_signers -I ${principal} -n runbook-console-audit -s report.json.sig < report.json`,
    `ssh-keygen -Y verify -f allowed_signers -I ${installationPrincipal} -n runbook-console-checkpoint -s checkpoint.txt.sig < checkpoint.txt`,
    'python3 verify.py .',
  ];
  const markdown = `# Verifying this evidence bundle

Run \`${neutralise(input.runId)}\`. Everything below works offline with stock tools: coreutils, OpenSSH's
\`ssh-keygen\` (8.1 or later) and Python 3's standard library. Run each command in this directory.

1. **Nothing is missing or changed.** Every file is listed with its SHA-256:

       ${commands[0]}

2. **The list is the operator's.** \`SHA256SUMS\` is signed by the operator's SSH key:

       ${commands[1]}

3. **The report is the operator's.** \`report.json\` (what \`report.html\`${input.pdf ? ' and `report.pdf` render' : ' renders'}) is signed the same way:

       ${commands[2]}

4. **The journal was sealed by the installation that ran it.** \`checkpoint.txt\` holds the number of
   journal records and the Merkle root over them (RFC 9162), signed by the installation key:

       ${commands[3]}

5. **The journal matches its seal.** \`verify.py\` (short; read it first) recomputes the hash chain,
   every record's MAC (with \`mac-key.txt\`), the Merkle root in \`checkpoint.txt\`, the run binding of
   every record, and the hash of every output blob:

       ${commands[4]}

## What this proves, and what it does not

- \`allowed_signers\` here is informational: compare both keys with copies you hold from a trusted
  source (the operator's published key; the installation key recorded when the console was set up).
  A bundle that carries its own keys proves only that it is consistent with itself.
- The run record is tamper-**evident**, not tamper-proof. Someone who controls the machine and its keys
  could rewrite a run and re-seal it. What catches that is a commitment held elsewhere: compare the
  checkpoint line pasted into the change ticket at the end of the run (\`origin size root\`) with the
  journal, for example \`runbook verify . --prior TICKET_LINE_FILE\`, or recompute the root of the first
  \`size\` lines yourself. A RESTRICTED run always prints that line.
- \`mac-key.txt\` is the MAC chain's verification key, released with the sealed run: it lets you check
  that no record was changed before the seal by someone without the key of its time.
`;
  return { commands, markdown };
}
