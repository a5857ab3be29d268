// Run events for the renderer's long poll: numbered, kept in order, with output chunks coalesced while
// undelivered and old output dropped beyond a budget (complete output is on disk as blobs).
import type { RunEvent } from '../../shared/run-api.js';

type NewEvent = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'seq'> : never) : never;

export const OUTPUT_BUDGET_CHARS = 8 * 1024 * 1024;
const COALESCE_LIMIT = 64 * 1024;
/** Output per answer: a renderer that fell behind catches up in pieces it can parse between frames. */
export const RESPONSE_OUTPUT_CHARS = 256 * 1024;

export class EventBuffer {
  private readonly events: RunEvent[] = [];
  private nextSeq = 0;
  private delivered = -1;
  private outputChars = 0;
  private waiters: (() => void)[] = [];

  push(event: NewEvent): void {
    const last = this.events.at(-1);
    if (event.type === 'output' && last?.type === 'output' && last.seq > this.delivered && last.blockId === event.blockId && last.stream === event.stream && last.data.length < COALESCE_LIMIT) {
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

  private trim(): void {
    while (this.outputChars > OUTPUT_BUDGET_CHARS) {
      const index = this.events.findIndex((e) => e.type === 'output');
      if (index < 0) return;
      const [dropped] = this.events.splice(index, 1);
      if (dropped?.type === 'output') this.outputChars -= dropped.data.length;
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
