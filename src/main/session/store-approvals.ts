// RESTRICTED approvals through the team store, for a run that waits on its own (the CLI's): before a
// state-changing block runs, its step.started record — already shipped, or shipped while this waits — is
// put up for approval in the store; each answer an approver sends (`runbook approve --store`) is checked
// against what run.started recorded (audit/approval.ts decideApproval, with the keys in the operator's
// ssh-agent now) and journaled, granted or refused; a refused one leaves the request open. The block runs on
// the first valid approval, and is refused when none arrives in time (an approval record with code
// `timed-out`) or the run is interrupted (`withdrawn`).
import { type ApprovalPolicy, type OperatorKey, approvalRecord, decideApproval } from '../audit/approval.js';
import type { RecordData } from '../audit/records/index.js';
import type { StoreApprovalChannel } from '../store/approval-channel.js';
import type { ApprovalAnswer } from '../store/approvals.js';
import type { Block, Step } from '../../shared/runbook-model.js';
import type { RunJournal } from './run-journal.js';
import { neutralise } from '../../shared/terminal-text.js';

export interface StoreApprovalHookOptions {
  channel: StoreApprovalChannel;
  journal: RunJournal;
  policy: ApprovalPolicy;
  /** Keys the operator's session holds now (its ssh-agent): they cannot approve. */
  liveOperatorKeys: () => Promise<OperatorKey[]>;
  /** How long a request stays open (ms). */
  waitMs: number;
  /** The store as it may be shown (no password), and the command an approver runs there. */
  shown: string;
  write: (text: string) => void;
  /** The run is interrupted: the request is withdrawn. */
  signal?: AbortSignal | undefined;
}

export function storeApprovalHook(options: StoreApprovalHookOptions): (event: { step: Step; block: Block }) => Promise<string | null> {
  const { journal, policy, write } = options;
  return ({ step, block }) => {
    const started = journal.startedRecord(block.id);
    if (!started) return Promise.resolve('no step.started record to approve');
    const approving = { step: { id: step.id }, block: { id: block.id }, started: { seq: started.seq, sha256: started.hash } };
    const seconds = Math.ceil(options.waitMs / 1000);
    write(`  ⧗ approval needed: "${step.title}" block line ${block.line}, record ${started.seq}, sha256 ${started.hash}\n`);
    write(`    asked through the team store ${options.shown} for ${seconds} s; the approver runs: runbook approve --store URL --run ${journal.runId} --record ${started.seq}\n`);
    return new Promise<string | null>((resolve) => {
      let settled = false;
      const queue: ApprovalAnswer[] = [];
      let deciding = false;
      const finish = (refusal: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        void ask.close();
        resolve(refusal);
      };
      /** Journals a request that ended unanswered; not recorded, the block still does not run. */
      const unanswered = (code: 'timed-out' | 'withdrawn', reason: string) => {
        if (settled) return;
        const data: RecordData<'approval'> = { ...approving, approver: null, granted: false, code, reason };
        try {
          journal.record('approval', data);
          finish(reason);
        } catch (error) {
          finish(`${reason} (and it could not be recorded: ${(error as Error).message})`);
        }
      };
      const timer = setTimeout(() => unanswered('timed-out', `no valid approval arrived through the team store within ${seconds} s`), options.waitMs);
      const onAbort = () => unanswered('withdrawn', 'the run was interrupted while it waited for approval');
      options.signal?.addEventListener('abort', onAbort, { once: true });

      const decide = async () => {
        if (deciding) return;
        deciding = true;
        try {
          while (queue.length > 0 && !settled) {
            const answer = queue.shift() as ApprovalAnswer;
            const live = await options.liveOperatorKeys().catch(() => []);
            if (settled) return;
            const decision = decideApproval(started.hash, answer.signature, answer.approver, policy, live);
            // Journaled either way; a granted approval that cannot be recorded is not an approval.
            try {
              journal.record('approval', approvalRecord({ ...approving, approver: answer.approver }, decision, answer.signature, policy, answer.answeredBy));
            } catch (error) {
              finish(`the approval could not be recorded: ${(error as Error).message}`);
              return;
            }
            if (decision.ok) {
              write(`    ✓ approved by ${neutralise(answer.approver)} (${decision.fingerprint}), sent by store login ${neutralise(answer.answeredBy)}\n`);
              finish(null);
              return;
            }
            write(`    ✗ an answer from store login ${neutralise(answer.answeredBy)} as "${neutralise(answer.approver)}" was refused: ${neutralise(decision.reason)}\n`);
          }
        } finally {
          deciding = false;
        }
      };

      const ask = options.channel.ask(started.seq, seconds, {
        answer: (answer) => {
          queue.push(answer);
          void decide();
        },
        asked: (request) => write(`    request open until ${request.expiresAt.toISOString()}\n`),
        problem: (problem) => write(problem ? `    … ${problem}; still trying\n` : '    … the store is reachable again\n'),
        refused: (refusal) => finish(`the team store refused the approval request: ${refusal.message}`),
      });
      if (options.signal?.aborted) onAbort();
    });
  };
}
