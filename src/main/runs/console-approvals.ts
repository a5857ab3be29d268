// RESTRICTED runs in the console: before a state-changing block runs, its step.started record waits for a
// second person's SSH signature (namespace runbook-console-approval) pasted into the console. Every
// signature offered is checked against the approvers file and recorded, granted or not; a refused one
// leaves the request open for another try; withdrawing (or cancelling the step) refuses the block.
import { randomUUID } from 'node:crypto';
import type { PendingApproval } from '../../shared/run-api.js';
import type { Block, Step } from '../../shared/runbook-model.js';
import { APPROVAL_NAMESPACE, checkApproval } from '../audit/approval.js';
import { principalFor } from '../audit/principal.js';
import type { RunJournal } from '../audit/run-journal.js';

interface Waiting extends PendingApproval {
  resolve: (refusal: string | null) => void;
}

export class ConsoleApprovals {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly options: {
      approversText: string;
      operator: string;
      journal: RunJournal;
      /** Tells the renderer a request opened (it then reads them from the run's state). */
      announce: (approvalId: string, stepId: string) => void;
      note: (data: Record<string, unknown>) => void;
    },
  ) {}

  pending(): PendingApproval[] {
    return [...this.waiting.values()].map(({ resolve: _resolve, ...request }) => request);
  }

  /** The runner's approve hook: resolves null when approved, else why not. */
  readonly hook = ({ step, block }: { step: Step; block: Block }): Promise<string | null> => {
    const started = this.options.journal.startedRecord(block.id);
    if (!started) return Promise.resolve('no step.started record to approve');
    return new Promise((resolve) => {
      const approvalId = randomUUID();
      this.waiting.set(approvalId, {
        approvalId,
        stepId: step.id,
        blockId: block.id,
        record: started.seq,
        sha256: started.hash,
        namespace: APPROVAL_NAMESPACE,
        command: `printf %s ${started.hash} | ssh-keygen -Y sign -f THEIR_KEY -n ${APPROVAL_NAMESPACE}`,
        lastRefusal: null,
        resolve,
      });
      this.options.announce(approvalId, step.id);
    });
  };

  private base(w: Waiting, approver: string | null) {
    return { step: { id: w.stepId }, block: { id: w.blockId }, started: { seq: w.record, sha256: w.sha256 }, approver };
  }

  /** Checks and records an approver's signature; the block runs only when it holds. */
  sign(approvalId: string, approver: string, signature: string): { ok: boolean; reason: string | null } {
    const w = this.waiting.get(approvalId);
    if (!w) return { ok: false, reason: 'no such approval request is open (it was answered, withdrawn or cancelled)' };
    const check = checkApproval(w.sha256, signature, approver, this.options.approversText, principalFor(this.options.operator));
    if (!check.ok) {
      this.options.note({ ...this.base(w, approver), granted: false, reason: check.reason });
      w.lastRefusal = check.reason;
      return { ok: false, reason: check.reason };
    }
    this.options.note({ ...this.base(w, approver), granted: true, principal: check.principal, fingerprint: check.fingerprint, signature });
    this.waiting.delete(approvalId);
    w.resolve(null);
    return { ok: true, reason: null };
  }

  /** The operator gives up on a request (or the step is cancelled): recorded, and the block does not run. */
  withdraw(approvalId: string, reason = 'withdrawn by the operator'): boolean {
    const w = this.waiting.get(approvalId);
    if (!w) return false;
    this.options.note({ ...this.base(w, null), granted: false, reason });
    this.waiting.delete(approvalId);
    w.resolve(reason);
    return true;
  }

  withdrawAll(reason: string): void {
    for (const id of [...this.waiting.keys()]) this.withdraw(id, reason);
  }
}
