// Second-person approval on the command line (RESTRICTED): the approver's signature over the step.started
// hash comes from --approval-command (hash on stdin, armoured SSHSIG on stdout) or is pasted on the terminal.
// It is checked against what run.started recorded (the approvers list, the operator's keys), never against
// the approvers file as it is now; a key in the operator's ssh-agent is refused as well. Every answer is
// journaled, granted or not.
import { spawnSync } from 'node:child_process';
import { type ApprovalPolicy, approvalCommand, approvalRecord, decideApproval, recordApprovers } from '../main/audit/approval.js';
import { agentKeys } from '../main/audit/operator-keys.js';
import { recordedPolicy } from '../main/session/assemble.js';
import type { RunJournal } from '../main/session/run-journal.js';
import type { Block, Step } from '../shared/runbook-model.js';
import { ask, askBlock } from './prompt.js';

export interface ApprovalOptions {
  /**
   * The approvers' allowed_signers file, read once when the run was prepared. The list run.started recorded
   * for `journal` is what counts; this text is used only for a journal started without one.
   */
  approversText: string;
  approver?: string;
  approvalCommand?: string;
  operator: string;
  interactive: boolean;
  journal: RunJournal;
  write: (text: string) => void;
  /** Abandons a pending question when the run is interrupted. */
  signal?: AbortSignal;
  /** The operator's ssh-agent, asked at each approval (default $SSH_AUTH_SOCK). */
  agentSocket?: string | undefined;
}

export function approvalHook(options: ApprovalOptions): (event: { step: Step; block: Block }) => Promise<string | null> {
  const policy: ApprovalPolicy = recordedPolicy(options.journal) ?? { approvers: recordApprovers(options.approversText, '(given)'), operator: options.operator, operatorKeys: [] };
  const socket = 'agentSocket' in options ? options.agentSocket : process.env.SSH_AUTH_SOCK;
  return async ({ step, block }) => {
    const started = options.journal.startedRecord(block.id);
    if (!started) return 'no step.started record to approve';
    options.write(`  ⧗ approval needed: "${step.title}" block line ${block.line}, record ${started.seq}, sha256 ${started.hash}\n`);
    options.write(`    the approver signs: ${approvalCommand(started.hash)}\n`);
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
    const decision = decideApproval(started.hash, signature, approver, policy, await agentKeys(socket));
    const base = { step: { id: step.id }, block: { id: block.id }, started: { seq: started.seq, sha256: started.hash }, approver };
    // Journaled either way; a granted approval that cannot be recorded throws, and the block does not run.
    options.journal.record('approval', approvalRecord(base, decision, signature, policy));
    if (!decision.ok) return decision.reason;
    options.write(`    ✓ approved by ${approver} (${decision.fingerprint})\n`);
    return null;
  };
}
