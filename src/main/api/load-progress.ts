// How far the runbook being opened has got, for the page's progress bar: the opening that reports it
// (loadWithProgress), and the feed the page reads it from. The API has no push channel (the preload is a
// set of named calls), so, as with run events, main keeps the latest report and the page long-polls it
// (runbook.progress): a call waits until the report changes after the one the page has.
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { LoadProgress } from '../../shared/api.js';
import { type ParsedRunbook, loadRunbookSnapshot } from '../runbook/index.js';

/** What `loadWithProgress` reports, before the handler adds the opening's id. */
export type LoadReport = Omit<LoadProgress, 'loadId'>;

/** Least time between two 'parsing' reports (ms); phase changes are reported at once. */
const PARSING_EVERY_MS = 100;

/**
 * Opens a runbook as loadRunbookSnapshot does, telling `report` how far it has got: 'reading' with the file's
 * size, then 'parsing' at most every PARSING_EVERY_MS, then 'finishing' once the whole text is parsed (what
 * is left is assembling the model). The caller reports 'done' or 'failed'. The parser counts characters of
 * the text; a 'parsing' report gives the same share of the file's bytes.
 */
export async function loadWithProgress(file: string, report: (progress: LoadReport) => void): Promise<{ runbook: ParsedRunbook; bytes: Uint8Array }> {
  // The size only labels the bar: the loader judges the file it opens, and says what is wrong with it.
  const total = await stat(file).then(
    (info) => info.size,
    () => 0,
  );
  report({ file, phase: 'reading', done: 0, total, steps: 0 });
  let last = performance.now();
  let finishing = false;
  return await loadRunbookSnapshot(file, {
    onProgress: (p) => {
      // After 'finishing', a second reading of the text (rare: parse.ts) is not shown as going back.
      if (finishing) return;
      if (p.done >= p.total) {
        finishing = true;
        report({ file, phase: 'finishing', done: total, total, steps: p.steps });
      } else if (performance.now() - last >= PARSING_EVERY_MS) {
        last = performance.now();
        report({ file, phase: 'parsing', done: Math.min(total, Math.round((p.done / p.total) * total)), total, steps: p.steps });
      }
    },
  });
}

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
