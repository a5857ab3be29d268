// A connect timeout that stops counting while the operator is being asked something (a host key, a
// passphrase): ssh2's own readyTimeout cannot be paused and would cut off a person typing.
export class PausableDeadline {
  private remainingMs: number;
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private pauses = 0;
  private done = false;

  constructor(
    readonly limitMs: number,
    private readonly onExpire: () => void,
  ) {
    this.remainingMs = limitMs;
    this.arm();
  }

  private arm(): void {
    if (this.done) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(() => {
      this.done = true;
      this.onExpire();
    }, this.remainingMs);
  }

  /** Runs `work` with the clock stopped; nested pauses are fine. */
  async pause<T>(work: () => Promise<T>): Promise<T> {
    if (this.pauses++ === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.remainingMs = Math.max(0, this.remainingMs - (Date.now() - this.startedAt));
    }
    try {
      return await work();
    } finally {
      if (--this.pauses === 0) this.arm();
    }
  }

  clear(): void {
    this.done = true;
    clearTimeout(this.timer);
  }
}
