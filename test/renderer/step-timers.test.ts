// Time boxes and repeating checks, driven with an explicit clock: when they wake, what they do then, and
// that a busy console makes a repeat wait rather than run two steps at once or make up missed ticks.
import { describe, expect, it } from 'vitest';
import { clock, fire, nextMoment, startTimer, stopTimer } from '../../src/shared/step-timers.js';
import { initialRunView, runViewReducer } from '../../src/renderer/run/run-view-state.js';
import type { RunState } from '../../src/shared/run-api.js';

const MIN = 60_000;
const box = { kind: 'timebox' as const, everyMs: null, forMs: 15 * MIN, text: 'monitor for 15 minutes' };
const repeat = { kind: 'repeat' as const, everyMs: 2 * MIN, forMs: 10 * MIN, text: 'every 2 minutes' };

describe('step timers', () => {
  it('a time box wakes once, when its time is up, and then is done', () => {
    const t = startTimer('s', box, 1_000);
    expect(nextMoment(t, false)).toBe(1_000 + 15 * MIN);
    expect(fire(t, 1_000 + 15 * MIN - 1, { canRun: true, manual: false }).action).toBeNull();
    const due = fire(t, 1_000 + 15 * MIN + 5, { canRun: true, manual: false });
    expect(due.action).toBe('due');
    expect(due.timer).toMatchObject({ ended: 'due', endedAt: 1_000 + 15 * MIN });
    expect(nextMoment(due.timer, false)).toBeNull();
    expect(fire(due.timer, 1_000 + 60 * MIN, { canRun: true, manual: false }).action).toBeNull();
  });

  it('a repeat runs at once, then on its cadence, waits while busy, skips missed ticks, and ends with its time box', () => {
    let t = startTimer('s', repeat, 0);
    let r = fire(t, 0, { canRun: true, manual: false });
    expect(r.action).toBe('run');
    t = r.timer;
    expect(t).toMatchObject({ runs: 1, nextAt: 2 * MIN });
    // Busy at the tick: it waits (and is not a moment to wake for while busy).
    r = fire(t, 2 * MIN, { canRun: false, manual: false });
    expect(r.action).toBeNull();
    expect(nextMoment(t, true)).toBe(10 * MIN);
    // Free again well after two ticks: one run now, next on the cadence after now.
    r = fire(t, 4 * MIN + 30_000, { canRun: true, manual: false });
    expect(r.action).toBe('run');
    expect(r.timer).toMatchObject({ runs: 2, nextAt: 6 * MIN });
    r = fire(r.timer, 10 * MIN, { canRun: true, manual: false });
    expect(r.action).toBe('due');
    expect(r.timer.ended).toBe('due');
  });

  it('a repeat on a step with nothing to run reminds the operator instead, busy or not', () => {
    const t = startTimer('s', { ...repeat, forMs: null }, 0);
    const r = fire(t, 0, { canRun: false, manual: true });
    expect(r.action).toBe('remind');
    expect(nextMoment(r.timer, true)).toBeNull(); // no end, and busy: nothing to wake for
    expect(nextMoment(r.timer, false)).toBe(2 * MIN);
  });

  it('stopping ends it for good', () => {
    const t = stopTimer(startTimer('s', repeat, 0), 5);
    expect(t).toMatchObject({ ended: 'stopped', endedAt: 5, nextAt: null });
    expect(fire(t, 60 * MIN, { canRun: true, manual: false }).action).toBeNull();
  });

  it('formats what is left', () => {
    expect(clock(75_000)).toBe('1:15');
    expect(clock(3_725_000)).toBe('1:02:05');
    expect(clock(-5)).toBe('0:00');
    expect(clock(1)).toBe('0:01');
  });
});

describe('step history in the run view', () => {
  const state: RunState = {
    runId: 'r', dir: '/r', profile: 'standard', operator: 'a', status: 'ready', hiddenCount: 0, problems: [], records: 1, seal: null,
    approvals: [],
    questions: [],
    unfinished: [],
    steps: [{ id: 's', status: 'pending', reason: null, hidden: false, manual: null, targets: {}, choices: {}, verdicts: {}, decision: null, signoff: null, mark: null, fillIns: {}, activity: [] }],
  };
  const blockStart = (seq: number, at: string) => ({ seq, type: 'block-start' as const, stepId: 's', blockId: 'b', target: 'local', at });
  const blockEnd = (seq: number, durationMs: number) => ({ seq, type: 'block-end' as const, stepId: 's', blockId: 'b', status: 'succeeded', exitCode: 0, signal: null, error: null, verdict: null, durationMs, endpoint: 'x', resultSets: [], notes: [], comparison: null });
  const step = (seq: number, status: 'running' | 'succeeded' | 'failed', reason: string | null = null) => ({ seq, type: 'step' as const, stepId: 's', status, reason });

  it('keeps every run of a step, with its result and the time its blocks took', () => {
    let view = initialRunView(state);
    view = runViewReducer(view, { type: 'events', events: [step(0, 'running'), blockStart(1, '2026-11-29T10:00:00Z'), blockEnd(2, 1200), step(3, 'succeeded')] });
    view = runViewReducer(view, { type: 'events', events: [step(4, 'running'), blockStart(5, '2026-11-29T10:02:00Z'), blockEnd(6, 800), step(7, 'failed', 'exit 1')] });
    expect(view.history.s).toEqual([
      { started: '2026-11-29T10:00:00Z', status: 'succeeded', reason: null, durationMs: 1200 },
      { started: '2026-11-29T10:02:00Z', status: 'failed', reason: 'exit 1', durationMs: 800 },
    ]);
    expect(view.state.steps[0]?.status).toBe('failed');
  });
});
