// Second-person approval on the command line (RESTRICTED): the approver's signature over the step.started
// hash comes from --approval-command (hash on stdin, armoured SSHSIG on stdout) or is pasted on the terminal.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { APPROVAL_NAMESPACE, checkApproval } from '../main/audit/approval.js';
import { principalFor } from '../main/audit/principal.js';
import type { RunJournal } from '../main/audit/run-journal.js';
import type { Block, Step } from '../shared/runbook-model.js';
import { ask, askBlock } from './prompt.js';

export interface ApprovalOptions {
  approvers: string;
  approver?: string;
  approvalCommand?: string;
  operator: string;
  interactive: boolean;
  journal: RunJournal;
  write: (text: string) => void;
}

export function approvalHook(options: ApprovalOptions): (event: { step: Step; block: Block }) => Promise<string | null> {
  const approversText = readFileSync(options.approvers, 'utf8');
  return async ({ step, block }) => {
    const started = options.journal.startedRecord(block.id);
    if (!started) return 'no step.started record to approve';
    options.write(`  ⧗ approval needed: "${step.title}" block line ${block.line}, record ${started.seq}, sha256 ${started.hash}\n`);
    options.write(`    the approver signs: printf %s ${started.hash} | ssh-keygen -Y sign -f THEIR_KEY -n ${APPROVAL_NAMESPACE}\n`);
    let approver = options.approver;
    let signature: string;
    if (options.approvalCommand) {
      const res = spawnSync('bash', ['-c', options.approvalCommand], { input: started.hash, encoding: 'utf8', env: { ...process.env, APPROVAL_HASH: started.hash }, timeout: 300_000 });
      if (res.status !== 0) return `--approval-command failed (exit ${res.status}): ${res.stderr.trim().split('\n').at(-1) ?? ''}`;
      signature = res.stdout;
    } else if (options.interactive) {
      approver ??= (await ask('    approver name: ')).trim();
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
