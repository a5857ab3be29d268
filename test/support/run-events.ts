// Reads a console run's events (runs.events, long-polled as the page does) until one matches.
import type { RunEvent } from '../../src/shared/run-api.js';

export type ApiCall = (method: string, input: unknown) => Promise<any>;

/** Every event after `from` up to the batch holding one that matches; `next` continues from there. */
export async function eventsUntil(call: ApiCall, runId: string, from: number, done: (e: RunEvent) => boolean): Promise<{ events: RunEvent[]; next: number }> {
  const seen: RunEvent[] = [];
  let after = from;
  for (;;) {
    const { events, next } = await call('runs.events', { runId, after, waitMs: 10_000 });
    seen.push(...events);
    after = next;
    if (events.some(done)) return { events: seen, next };
    if (events.length === 0) throw new Error(`no event arrived; saw ${JSON.stringify(seen.map((e) => e.type))}`);
  }
}
