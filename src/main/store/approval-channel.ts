// The operator's side of an approval through the team store: ask for it, then hear each answer as it
// arrives (LISTEN/NOTIFY), on a connection of its own that is made again whenever it drops. Answers are read
// from the table, not from the notification, so one missed while the connection was down is read after it
// comes back; each is handed on once, in the store's order. Deciding on them is the caller's (the run's).
import type pg from 'pg';
import { cutConnection as cut } from './connect.js';
import { ANSWERS_CHANNEL, type ApprovalAnswer, type ApprovalRequest, StoreApprovalRefusal, answersTo, requestApproval } from './approvals.js';

export interface ApprovalAsk {
  /** Stops listening and closes the connection; no answer is handed on after it resolves. */
  close(): Promise<void>;
}

export interface AskHandlers {
  /** Each answer, once, in order. */
  answer: (answer: ApprovalAnswer) => void;
  /** The request as the store took it (the first time it does). */
  asked?: (request: ApprovalRequest) => void;
  /** Why the store cannot be reached or will not take the request now (null once it can again). */
  problem?: (problem: string | null) => void;
  /** The store refuses the request for good (the run is another login's, the record is not a step.started). */
  refused?: (refusal: StoreApprovalRefusal) => void;
}

const DEFAULT_RETRY_MS = [250, 500, 1000, 2000, 5000];
/** Answers are read again this often as well: a notification lost with a connection that died silently costs no more. */
const POLL_MS = 5_000;


export class StoreApprovalChannel {
  constructor(
    private readonly options: {
      connect: () => Promise<pg.Client>;
      runId: string;
      retryMs?: readonly number[];
      pollMs?: number;
    },
  ) {}

  /** Asks for approval of stored record `seq`, open `waitSeconds`, and hands on its answers until closed. */
  ask(seq: number, waitSeconds: number, on: AskHandlers): ApprovalAsk {
    const { runId } = this.options;
    const retry = this.options.retryMs ?? DEFAULT_RETRY_MS;
    let closed = false;
    let client: pg.Client | null = null;
    const handed = new Set<number>();
    let asked = false;
    let wake: (() => void) | null = null;
    let problem: string | null = null;
    const setProblem = (p: string | null) => {
      if (p === problem) return;
      problem = p;
      on.problem?.(p);
    };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      });

    // Reads run one at a time, so answers are handed on in order and once each.
    let reading: Promise<void> = Promise.resolve();
    const readAnswers = (c: pg.Client) => {
      reading = reading.catch(() => undefined).then(async () => {
        if (closed) return;
        for (const answer of await answersTo(c, runId, seq)) {
          if (closed) return;
          if (handed.has(answer.id)) continue;
          handed.add(answer.id);
          on.answer(answer);
        }
      });
      return reading;
    };

    const loop = async () => {
      let attempt = 0;
      while (!closed) {
        let lost: (reason: Error) => void = () => undefined;
        const dropped = new Promise<never>((_, reject) => (lost = reject));
        dropped.catch(() => undefined);
        try {
          const c = (client = await this.options.connect());
          if (closed) {
            // Closed while it connected: this connection is nobody's to close but ours.
            await c.end().catch(() => undefined);
            break;
          }
          c.on('error', (error) => lost(error));
          c.on('end', () => lost(new Error('the store closed the connection')));
          c.on('notification', (message) => {
            if (message.channel === ANSWERS_CHANNEL && message.payload === runId) readAnswers(c).catch((error: Error) => lost(error));
          });
          await Promise.race([c.query(`LISTEN ${ANSWERS_CHANNEL}`), dropped]);
          if (!asked) {
            const request = await Promise.race([requestApproval(c, runId, seq, waitSeconds), dropped]);
            asked = true;
            on.asked?.(request);
          }
          setProblem(null);
          attempt = 0;
          // Anything answered while this side was not listening; then now and then, whatever is heard.
          await Promise.race([readAnswers(c), dropped]);
          const poll = setInterval(() => readAnswers(c).catch((error: Error) => lost(error)), this.options.pollMs ?? POLL_MS);
          try {
            await dropped;
          } finally {
            clearInterval(poll);
          }
        } catch (error) {
          if (closed) break;
          if (error instanceof StoreApprovalRefusal && error.code !== 'not-stored') {
            on.refused?.(error);
            closed = true;
            break;
          }
          // The step.started is not stored yet (shipping is behind), or the store is away: try again.
          setProblem(error instanceof StoreApprovalRefusal ? `the store does not hold the record to approve yet (${error.message})` : `the store cannot be reached: ${(error as Error).message}`);
          const c = client;
          client = null;
          cut(c);
          await sleep(retry[Math.min(attempt, retry.length - 1)] as number);
          attempt += 1;
        }
      }
    };
    const running = loop();

    return {
      close: async () => {
        closed = true;
        wake?.();
        const c = client;
        client = null;
        if (c) await Promise.race([c.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
        cut(c);
        await running.catch(() => undefined);
      },
    };
  }
}
