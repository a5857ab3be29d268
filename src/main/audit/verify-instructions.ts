// VERIFY.md: the auditor's offline procedure with stock tools only (coreutils, OpenSSH, Python 3).
// The principals come from the operator's name and the journal: an auditor pastes these commands into a
// shell, so every value is quoted for it (shellQuote) and nothing in a name can run or hide anything.
import { shellQuote } from '../../shared/shell-quote.js';
import { neutralise } from '../../shared/terminal-text.js';

/**
 * The auditor's verifier, shipped in every bundle: verify.py (the command, read first) and the parts it imports from
 * its own directory, in the order its docstring says to read them. Without any of them verify.py exits 2.
 */
export const VERIFIER_FILES = ['verify.py', 'verify_json.py', 'verify_records.py', 'verify_keys.py', 'verify_seal.py', 'verify_signatures.py', 'verify_report.py'] as const;

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

5. **The journal matches its seal, and the report matches the journal.** \`verify.py\` recomputes the hash
   chain, every record's MAC (with \`mac-key.txt\`), the Merkle root in \`checkpoint.txt\`, the run binding and
   format of every record, the hash of every output blob and every approval and sign-off signature (none by
   the operator's own keys, but the operator's own sign-off), and builds \`report.json\` and \`report.html\`
   again from the journal, to compare byte for byte. It is one program in short parts, which it imports from
   its own directory; read \`verify.py\` first, then
   ${VERIFIER_FILES.slice(1).map((f) => `\`${f}\``).join(', ')}:

       ${commands[4]}

## Anchor it: exit 0, 1, 2, 3

Every signature in a bundle verifies against the key it names, and \`allowed_signers\` here lists the keys
the bundle itself names: a bundle that carries its own keys proves only that it is consistent with itself.
(Steps 2–4 mean more than that only with \`-f\` naming an allowed_signers file of your own.)
Whoever holds a bundle holds \`mac-key.txt\` too, and could rewrite a record, recompute every MAC and seal
it again with a key of their own. So \`verify.py\` (and \`runbook verify\`) exits **3**, *intact but
unanchored*, until you give it an anchor you hold from somewhere else:

- \`--allowed-signers FILE\`: your own allowed_signers, with the installation key for
  \`namespaces="runbook-console-checkpoint"\`, the operator's key for \`namespaces="runbook-console-audit"\`,
  approvers' keys for \`namespaces="runbook-console-approval"\` and sign-off signers' for
  \`namespaces="runbook-console-signoff"\` (a line without a namespaces option counts for nothing);
- \`--pin SHA256:…\`: the installation key's fingerprint, as noted when the key was made;
- \`--prior FILE\`: a checkpoint of this run held elsewhere — the line pasted into the change ticket at
  the end of the run (\`origin size root\`), or an earlier \`checkpoint.txt\` with its signature.

For example \`python3 verify.py . --allowed-signers ~/audit/allowed_signers --prior ticket.txt\`, or
\`runbook verify . --allowed-signers ~/audit/allowed_signers\`. Exit 0: intact, and every key that signed it
is one your anchors vouch for; 1: \`FAIL\` with a reason code naming the first bad record or file
(\`E_SIGNER\`: a key your anchors do not vouch for); 2: a usage error; 3: intact but unanchored.

## What this proves, and what it does not

- The run record is tamper-**evident**, not tamper-proof. Someone who controls the machine and its keys
  (the installation key and the run's MAC key) could rewrite a run and re-seal it with the real key, and
  every check above would pass, anchors included. What catches that is a commitment held elsewhere: the
  checkpoint line pasted into the change ticket at the end of the run, checked with \`--prior\`. A
  RESTRICTED run always prints that line. Approvals and sign-offs are signed by other people over the
  hash chain, so a rewrite of anything before them also needs their keys.
- \`mac-key.txt\` is the MAC chain's first key, kept on the operator's machine until the export releases
  it. The MACs show a record changed by someone who never had that key; they prove nothing against
  whoever has it — which includes anyone holding this bundle. The signed checkpoints, checked against
  your anchors, are what make a rewrite detectable.
- \`report.json\` and \`report.html\` are rebuilt from the journal and its blobs, and must be the same bytes:
  a report that says anything the journal does not fails (\`E_REPORT\`), whoever signed it, in \`verify.py\`
  and \`runbook verify\` alike${input.pdf ? '; `report.pdf` is a print of report.html, covered only by `SHA256SUMS` and its signature' : ''}.
`;
  return { commands, markdown };
}
