// RESTRICTED runs in the console: before a state-changing block runs, its step.started record waits for a
// second person's SSH signature (namespace runbook-console-approval) pasted into the console. Every
// signature offered is checked against what run.started recorded (the approvers list, the operator's keys)
// and against the keys the operator's ssh-agent holds now, and recorded, granted or not; a refused one
// leaves the request open for another try; withdrawing (or cancelling the step) refuses the block. With a
// team store the request is put there as well (an approver elsewhere answers with `runbook approve`), and
// one no valid approval answered in time is closed as timed out.
import { randomUUID } from 'node:crypto';
import type { PendingApproval } from '../../shared/run-api.js';
import type { Block, Step } from '../../shared/runbook-model.js';
import { APPROVAL_NAMESPACE, type ApprovalPolicy, type OperatorKey, approvalCommand, approvalRecord, decideApproval } from '../audit/approval.js';
import type { RecordData } from '../audit/records/index.js';
import type { RunJournal } from '../session/run-journal.js';
import type { StoreApprovalChannel } from '../store/approval-channel.js';

interface Waiting extends PendingApproval {
  resolve: (refusal: string | null) => void;
  /** Stops what waits with it (the store's listener, the timeout). */
  end: () => void;
}

/** RESTRICTED with a team store: each request is put there too, and times out (journaled) after `waitMs`. */
export interface ConsoleStoreApprovals {
  channel: StoreApprovalChannel;
  waitMs: number;
  /** Shipping or the store's answers had trouble (shown to the operator as a run error). */
  problem: (message: string) => void;
}

export class ConsoleApprovals {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly options: {
      /** The approvers list and the operator's keys as run.started recorded them. */
      policy: ApprovalPolicy;
      journal: RunJournal;
      /** Tells the renderer a request opened (it then reads them from the run's state). */
      announce: (approvalId: string, stepId: string) => void;
      note: (data: RecordData<'approval'>) => void;
      /** Keys the operator's own session holds now (its ssh-agent): they cannot approve. */
      operatorKeys: () => Promise<OperatorKey[]>;
      store?: ConsoleStoreApprovals | null;
    },
  ) {}

  pending(): PendingApproval[] {
    return [...this.waiting.values()].map(({ resolve: _resolve, end: _end, ...request }) => request);
  }

  /** The runner's approve hook: resolves null when approved, else why not. */
  readonly hook = ({ step, block }: { step: Step; block: Block }): Promise<string | null> => {
    const started = this.options.journal.startedRecord(block.id);
    if (!started) return Promise.resolve('no step.started record to approve');
    return new Promise((resolve) => {
      const approvalId = randomUUID();
      const store = this.options.store ?? null;
      const waiting: Waiting = {
        approvalId,
        stepId: step.id,
        blockId: block.id,
        record: started.seq,
        sha256: started.hash,
        namespace: APPROVAL_NAMESPACE,
        command: approvalCommand(started.hash),
        lastRefusal: null,
        storeUntil: store ? new Date(Date.now() + store.waitMs).toISOString() : null,
        resolve,
        end: () => undefined,
      };
      this.waiting.set(approvalId, waiting);
      if (store) this.throughStore(waiting, store);
      this.options.announce(approvalId, step.id);
    });
  };

  /** The request is put in the team store too: an answer there is checked like a pasted one; none in time, and it times out. */
  private throughStore(w: Waiting, store: ConsoleStoreApprovals): void {
    const seconds = Math.ceil(store.waitMs / 1000);
    const timer = setTimeout(() => this.close(w.approvalId, 'timed-out', `no valid approval arrived within ${seconds} s (asked here and through the team store)`), store.waitMs);
    const ask = store.channel.ask(w.record, seconds, {
      answer: (answer) => {
        this.sign(w.approvalId, answer.approver, answer.signature, answer.answeredBy).catch((error: unknown) => store.problem(`an approval from the team store could not be recorded: ${(error as Error).message}`));
      },
      asked: (request) => {
        w.storeUntil = request.expiresAt.toISOString();
      },
      problem: (problem) => {
        if (problem) store.problem(`approval request through the team store: ${problem}; still trying`);
      },
      refused: (refusal) => store.problem(`the team store refused the approval request: ${refusal.message}; a signature can still be pasted here`),
    });
    w.end = () => {
      clearTimeout(timer);
      void ask.close();
    };
  }

  /** The block a request approves: its step.started record. */
  private approving(w: Waiting) {
    return { step: { id: w.stepId }, block: { id: w.blockId }, started: { seq: w.record, sha256: w.sha256 } };
  }

  /** Checks and records an approver's signature; the block runs only when it holds. */
  async sign(approvalId: string, approver: string, signature: string, storeLogin: string | null = null): Promise<{ ok: boolean; reason: string | null }> {
    if (!this.waiting.has(approvalId)) return { ok: false, reason: 'no such approval request is open (it was answered, withdrawn or cancelled)' };
    const live = await this.options.operatorKeys().catch(() => []);
    const w = this.waiting.get(approvalId);
    if (!w) return { ok: false, reason: 'no such approval request is open (it was answered, withdrawn or cancelled)' };
    const decision = decideApproval(w.sha256, signature, approver, this.options.policy, live);
    const data = approvalRecord({ ...this.approving(w), approver }, decision, signature, this.options.policy, storeLogin);
    if (!decision.ok) {
      this.options.note(data);
      w.lastRefusal = decision.reason;
      return { ok: false, reason: decision.reason };
    }
    this.waiting.delete(approvalId);
    w.end();
    try {
      this.options.note(data);
    } catch (error) {
      // Not recorded, so not approved: the block must not run without its approval in the journal.
      w.resolve(`the approval could not be recorded: ${(error as Error).message}`);
      throw error;
    }
    w.resolve(null);
    return { ok: true, reason: null };
  }

  /** The operator gives up on a request (or the step is cancelled): recorded, and the block does not run. */
  withdraw(approvalId: string, reason = 'withdrawn by the operator'): boolean {
    return this.close(approvalId, 'withdrawn', reason);
  }

  /** Ends a request with nothing granted (withdrawn, or timed out): recorded, and the block does not run. */
  private close(approvalId: string, code: 'withdrawn' | 'timed-out', reason: string): boolean {
    const w = this.waiting.get(approvalId);
    if (!w) return false;
    this.waiting.delete(approvalId);
    w.end();
    try {
      this.options.note({ ...this.approving(w), approver: null, granted: false, code, reason });
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
