// What cancel() and the block's timeout act on: one AbortSignal that every API request, log stream, poll
// wait, kubectl child and operator prompt of the block listens to, and the reason it fired.
export type StopReason = 'cancelled' | 'timed-out';

/** Thrown (or used as the abort reason) once the block has been stopped. */
export class StoppedError extends Error {
  constructor(readonly reason: StopReason) {
    super(reason === 'cancelled' ? 'cancelled by the operator' : 'timed out');
  }
}

export class BlockControl {
  reason: StopReason | null = null;
  private readonly controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller.abort(new StoppedError(reason));
  }

  throwIfStopped(): void {
    if (this.reason) throw new StoppedError(this.reason);
  }

  /** Waits `ms`, or rejects with StoppedError as soon as the block is stopped. */
  sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = this.race(new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))));
    // A stop ends the wait at once; the timer must not keep the process alive until it fires.
    waited.catch(() => clearTimeout(timer));
    return waited;
  }

  /** Settles with `promise`, or rejects when the block is stopped first: for waits that cannot be aborted (the operator's answer). */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.reason) return Promise.reject(new StoppedError(this.reason));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new StoppedError(this.reason ?? 'cancelled'));
      this.signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          this.signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}
