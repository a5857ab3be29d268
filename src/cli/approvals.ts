// Second-person approval on the command line (RESTRICTED): the approver's signature over the step.started
// hash comes from --approval-command (hash on stdin, armoured SSHSIG on stdout) or is pasted on the terminal.
import { spawnSync } from 'node:child_process';
import { APPROVAL_NAMESPACE, checkApproval } from '../main/audit/approval.js';
import { principalFor } from '../main/audit/principal.js';
import type { RunJournal } from '../main/session/run-journal.js';
import type { Block, Step } from '../shared/runbook-model.js';
import { shellQuote } from '../shared/shell-quote.js';
import { ask, askBlock } from './prompt.js';

export interface ApprovalOptions {
  /** The approvers' allowed_signers file, read once when the run was prepared (the same text is recorded). */
  approversText: string;
  approver?: string;
  approvalCommand?: string;
  operator: string;
  interactive: boolean;
  journal: RunJournal;
  write: (text: string) => void;
  /** Abandons a pending question when the run is interrupted. */
  signal?: AbortSignal;
}

export function approvalHook(options: ApprovalOptions): (event: { step: Step; block: Block }) => Promise<string | null> {
  const { approversText } = options;
  return async ({ step, block }) => {
    const started = options.journal.startedRecord(block.id);
    if (!started) return 'no step.started record to approve';
    options.write(`  ⧗ approval needed: "${step.title}" block line ${block.line}, record ${started.seq}, sha256 ${started.hash}\n`);
    // Quoted for the approver's shell, whatever the hash and namespace hold (both are plain words today).
    options.write(`    the approver signs: printf %s ${shellQuote(started.hash)} | ssh-keygen -Y sign -f THEIR_KEY -n ${shellQuote(APPROVAL_NAMESPACE)}\n`);
    let approver = options.approver;
    let signature: string;
    if (options.approvalCommand) {
      const res = spawnSync('bash', ['-c', options.approvalCommand], { input: started.hash, encoding: 'utf8', env: { ...process.env, APPROVAL_HASH: started.hash }, timeout: 300_000 });
      if (res.status !== 0) return `--approval-command failed (exit ${res.status}): ${res.stderr.trim().split('\n').at(-1) ?? ''}`;
      signature = res.stdout;
    } else if (options.interactive) {
      approver ??= (await ask('    approver name: ', options.signal ? { signal: options.signal } : {})).trim();
      signature = await askBlock('    paste the approver\'s signature (ends with -----END SSH SIGNATURE-----):\n', /^-----END SSH SIGNATURE-----$/);
    } else {
      return 'no approver: give --approval-command, or run on a terminal to paste the approver\'s signature';
    }
    if (!approver) return 'no approver named (--approver NAME)';
    const check = checkApproval(started.hash, signature, approver, approversText, principalFor(options.operator));
    const base = { step: { id: step.id }, block: { id: block.id }, started: { seq: started.seq, sha256: started.hash }, approver };
    if (!check.ok) {
      options.journal.note('approval', { ...base, granted: false, reason: check.reason });
      return check.reason;
    }
    options.journal.note('approval', { ...base, granted: true, principal: check.principal, fingerprint: check.fingerprint, signature });
    options.write(`    ✓ approved by ${approver} (${check.fingerprint})\n`);
    return null;
  };
}
