// Run events for the renderer's long poll: numbered, kept in order, with output chunks coalesced while
// undelivered and old output dropped beyond a budget (complete output is on disk as blobs).
import type { RunEvent } from '../../shared/run-api.js';

type NewEvent = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'seq'> : never) : never;

export const OUTPUT_BUDGET_CHARS = 8 * 1024 * 1024;
const COALESCE_LIMIT = 64 * 1024;
/** Output per answer: a renderer that fell behind catches up in pieces it can parse between frames. */
export const RESPONSE_OUTPUT_CHARS = 256 * 1024;

function droppedNote(chars: number): string {
  const size = chars >= 1024 * 1024 ? `${(chars / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(chars / 1024)} KB`;
  return `\n[… ${size} of output not shown live: the complete output is in the run record …]\n`;
}

export class EventBuffer {
  private readonly events: RunEvent[] = [];
  private nextSeq = 0;
  private delivered = -1;
  private outputChars = 0;
  private waiters: (() => void)[] = [];
  /** The notes standing in for dropped output, and how many characters each stands for. */
  private readonly markers = new WeakMap<RunEvent, number>();

  push(event: NewEvent): void {
    const last = this.events.at(-1);
    if (event.type === 'output' && last?.type === 'output' && last.seq > this.delivered && !this.markers.has(last) && last.blockId === event.blockId && last.stream === event.stream && last.data.length < COALESCE_LIMIT) {
      last.data += event.data;
    } else {
      this.events.push({ ...event, seq: this.nextSeq++ } as RunEvent);
    }
    if (event.type === 'output') {
      this.outputChars += event.data.length;
      this.trim();
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Where the buffer is now: events pushed after it can be taken back (rollback), before anyone has them. */
  mark(): { length: number; nextSeq: number } {
    return { length: this.events.length, nextSeq: this.nextSeq };
  }

  /**
   * Takes back the events pushed since `mark`: what a journal group that failed to flush announced. Called in
   * the same synchronous turn as the pushes, so no long poll has taken them yet.
   */
  rollback(mark: { length: number; nextSeq: number }): void {
    this.events.splice(mark.length);
    this.nextSeq = mark.nextSeq;
  }

  /**
   * Drops the oldest output past the budget. Output the renderer has not had yet is replaced by a line
   * saying how much it misses (the complete output is on disk), so a spliced terminal never looks whole.
   */
  private trim(): void {
    let from = 0;
    while (this.outputChars > OUTPUT_BUDGET_CHARS) {
      const index = this.events.findIndex((e, i) => i >= from && e.type === 'output' && !this.markers.has(e));
      if (index < 0) return;
      const dropped = this.events[index] as Extract<RunEvent, { type: 'output' }>;
      this.outputChars -= dropped.data.length;
      if (dropped.seq <= this.delivered) {
        this.events.splice(index, 1);
        continue;
      }
      const before = this.events[index - 1];
      const previous = before?.type === 'output' && this.markers.has(before) && before.blockId === dropped.blockId ? before : null;
      const bytes = dropped.data.length + (previous ? (this.markers.get(previous) ?? 0) : 0);
      const marker = { type: 'output' as const, seq: dropped.seq, stepId: dropped.stepId, blockId: dropped.blockId, stream: 'info' as const, at: dropped.at, data: droppedNote(bytes) };
      this.markers.set(marker, bytes);
      if (previous) {
        // One note per gap: the earlier note is folded into this one.
        this.events.splice(index - 1, 2, marker);
        from = index - 1;
      } else {
        this.events.splice(index, 1, marker);
        from = index;
      }
    }
  }

  /** Events after `after`; waits up to `waitMs` for one when there is none yet. */
  async after(after: number, waitMs: number): Promise<{ events: RunEvent[]; next: number }> {
    if (waitMs > 0 && !this.events.some((e) => e.seq > after)) {
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
    const events: RunEvent[] = [];
    let output = 0;
    for (const e of this.events) {
      if (e.seq <= after) continue;
      if (e.type === 'output') {
        if (output > 0 && output + e.data.length > RESPONSE_OUTPUT_CHARS) break;
        output += e.data.length;
      }
      events.push(e);
    }
    const next = events.at(-1)?.seq ?? after;
    this.delivered = Math.max(this.delivered, next);
    return { events, next };
  }
}
