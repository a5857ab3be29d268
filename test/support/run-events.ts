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

/**
 * Seals a console run as an operator who was shown what is unfinished and confirmed it (runs.finish with each
 * unfinished step and a reason, which REGULATED and above need): for tests whose point is not that guard.
 */
export async function sealAnyway(call: ApiCall, runId: string, input: Record<string, unknown> = {}, method: 'runs.finish' | 'runs.export' = 'runs.finish'): Promise<any> {
  const state = await call('runs.state', { runId });
  const unfinished = (state.unfinished as { stepId: string }[]).map((u) => u.stepId);
  return call(method, { runId, ...input, ...(unfinished.length ? { unfinished, reason: 'sealed early by the test' } : {}) });
}
