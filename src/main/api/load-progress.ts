// How far the runbook being opened has got, for the page's progress bar. The API has no push channel (the
// preload is a set of named calls), so, as with run events, main keeps the latest report and the page
// long-polls it (runbook.progress): a call waits until the report changes after the one the page has.
import type { LoadProgress } from '../../shared/api.js';

export class LoadProgressFeed {
  private seq = 0;
  private current: LoadProgress | null = null;
  private waiters: (() => void)[] = [];

  /** The latest report, numbered; every waiting call is answered with it. */
  set(progress: LoadProgress): void {
    this.seq++;
    this.current = progress;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The latest report once it is newer than `after`, or when `waitMs` has passed (then possibly the same one). */
  async after(after: number, waitMs: number): Promise<{ seq: number; progress: LoadProgress | null }> {
    if (waitMs > 0 && this.seq <= after) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== wake);
          resolve();
        }, waitMs);
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        this.waiters.push(wake);
      });
    }
    return { seq: this.seq, progress: this.current };
  }
}
