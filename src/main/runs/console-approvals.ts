// RESTRICTED runs in the console: before a state-changing block runs, its step.started record waits for a
// second person's SSH signature (namespace runbook-console-approval) pasted into the console. Every
// signature offered is checked against the approvers file and recorded, granted or not; a refused one
// leaves the request open for another try; withdrawing (or cancelling the step) refuses the block.
import { randomUUID } from 'node:crypto';
import type { PendingApproval } from '../../shared/run-api.js';
import type { Block, Step } from '../../shared/runbook-model.js';
import { shellQuote } from '../../shared/shell-quote.js';
import { APPROVAL_NAMESPACE, checkApproval } from '../audit/approval.js';
import { principalFor } from '../audit/principal.js';
import { parseSshsig } from '../audit/sshsig.js';
import type { RunJournal } from '../session/run-journal.js';

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
      /** Public key blobs the operator's own session holds (its ssh-agent): they cannot approve. */
      operatorKeys: () => Promise<Buffer[]>;
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
        // Quoted for the approver's shell, whatever the hash and namespace hold (both are plain words today).
        command: `printf %s ${shellQuote(started.hash)} | ssh-keygen -Y sign -f THEIR_KEY -n ${shellQuote(APPROVAL_NAMESPACE)}`,
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
  async sign(approvalId: string, approver: string, signature: string): Promise<{ ok: boolean; reason: string | null }> {
    if (!this.waiting.has(approvalId)) return { ok: false, reason: 'no such approval request is open (it was answered, withdrawn or cancelled)' };
    const own = await this.heldByOperator(signature);
    const w = this.waiting.get(approvalId);
    if (!w) return { ok: false, reason: 'no such approval request is open (it was answered, withdrawn or cancelled)' };
    const check = own ? { ok: false as const, reason: 'the operator cannot approve their own step (the signing key is in the ssh-agent of the session running the console)' } : checkApproval(w.sha256, signature, approver, this.options.approversText, principalFor(this.options.operator));
    if (!check.ok) {
      this.options.note({ ...this.base(w, approver), granted: false, reason: check.reason });
      w.lastRefusal = check.reason;
      return { ok: false, reason: check.reason };
    }
    this.waiting.delete(approvalId);
    try {
      this.options.note({ ...this.base(w, approver), granted: true, principal: check.principal, fingerprint: check.fingerprint, signature });
    } catch (error) {
      // Not recorded, so not approved: the block must not run without its approval in the journal.
      w.resolve(`the approval could not be recorded: ${(error as Error).message}`);
      throw error;
    }
    w.resolve(null);
    return { ok: true, reason: null };
  }

  /** Whether the signature's key is one the operator's own session holds. */
  private async heldByOperator(signature: string): Promise<boolean> {
    let key: Buffer;
    try {
      key = parseSshsig(signature).publicKey;
    } catch {
      return false; // checkApproval says what is wrong with it
    }
    const own = await this.options.operatorKeys().catch(() => []);
    return own.some((k) => k.equals(key));
  }

  /** The operator gives up on a request (or the step is cancelled): recorded, and the block does not run. */
  withdraw(approvalId: string, reason = 'withdrawn by the operator'): boolean {
    const w = this.waiting.get(approvalId);
    if (!w) return false;
    this.waiting.delete(approvalId);
    try {
      this.options.note({ ...this.base(w, null), granted: false, reason });
    } finally {
      w.resolve(reason);
    }
    return true;
  }

  withdrawAll(reason: string): void {
    let failure: unknown = null;
    for (const id of [...this.waiting.keys()]) {
      try {
        this.withdraw(id, reason);
      } catch (error) {
        failure ??= error; // every request is still answered
      }
    }
    if (failure) throw failure;
  }
}
