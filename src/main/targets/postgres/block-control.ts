// What cancel() and the block's deadline act on: the connection attempt (aborted), or the query in flight
// (stopped on the server). Between queries nothing needs stopping: the block simply starts no more.
import type { StopVerdict } from './server-cancel.js';

export type StopReason = 'cancelled' | 'timed-out';

export class BlockControl {
  reason: StopReason | null = null;
  /** Aborts a connection attempt in progress. */
  readonly connecting = new AbortController();
  /** The server-side stop, once started; the block waits for its verdict before reporting. */
  stopping: Promise<StopVerdict> | null = null;
  private inFlight: Promise<unknown> | null = null;

  constructor(
    /** Starts stopping the query in flight; given a way to learn when it has ended. */
    private readonly stopQuery: (finishedWithin: (ms: number) => Promise<boolean>) => Promise<StopVerdict>,
  ) {}

  stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.connecting.abort();
    if (this.inFlight) this.stopping = this.stopQuery((ms) => this.finishedWithin(ms));
  }

  /**
   * Marks `query` as the one to stop. Call it in the same synchronous step that checks `reason` and sends
   * the query, so a stop cannot slip in between and miss it.
   */
  track<T>(query: Promise<T>): Promise<T> {
    this.inFlight = query;
    const clear = () => {
      if (this.inFlight === query) this.inFlight = null;
    };
    query.then(clear, clear);
    return query;
  }

  private finishedWithin(ms: number): Promise<boolean> {
    const query = this.inFlight;
    if (!query) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      query.then(done, done);
    });
  }
}
