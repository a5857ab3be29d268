// Time-boxed steps ("monitor for 15 minutes") and repeating checks ("every 2 minutes for 30 minutes"):
// what a timer is, when it next needs attention, and what happens then. Pure, so tests drive it with any
// clock. The host keeps the timers (src/main/runs/run-timers.ts: one timeout for the earliest moment, and it
// does what this says, journaled as `timer` records); the page only shows them, from the run's state.
import type { StepTiming } from './runbook-model.js';

/** What happened to a timer, as its `timer` record says (journal format 2) and the page is told. */
export const TIMER_EVENTS = ['started', 'stopped', 'due', 'run', 'remind'] as const;
export type TimerEvent = (typeof TIMER_EVENTS)[number];

/**
 * The fastest repeat the host schedules: a check run every few seconds is a watch; "every 0.001 s" would run
 * a step (and journal it) back to back against a real target. The parser reads a faster repeat as no repeat.
 */
export const MIN_REPEAT_MS = 5_000;

export interface StepTimer {
  stepId: string;
  kind: StepTiming['kind'];
  text: string;
  startedAt: number;
  forMs: number | null;
  everyMs: number | null;
  /** A repeat's next run; null for a time box and once ended. */
  nextAt: number | null;
  /** How it ended (its time was up, or the operator stopped it), or null while it counts. */
  ended: 'due' | 'stopped' | null;
  endedAt: number | null;
  /** Runs (or reminders, for a manual check) started by this timer. */
  runs: number;
}

export type TimerAction = 'due' | 'run' | 'remind';

export const endsAt = (t: StepTimer): number | null => (t.forMs === null ? null : t.startedAt + t.forMs);

/** A started timer; a repeat wants its first run at once. */
export function startTimer(stepId: string, timing: StepTiming, now: number): StepTimer {
  if (timing.kind === 'repeat' && (timing.everyMs === null || timing.everyMs < MIN_REPEAT_MS)) throw new Error(`a repeat every ${timing.everyMs ?? '?'} ms is faster than the ${MIN_REPEAT_MS / 1000} s the host schedules`);
  return { stepId, kind: timing.kind, text: timing.text, startedAt: now, forMs: timing.forMs, everyMs: timing.everyMs, nextAt: timing.kind === 'repeat' ? now : null, ended: null, endedAt: null, runs: 0 };
}

export function stopTimer(t: StepTimer, now: number): StepTimer {
  return t.ended ? t : { ...t, ended: 'stopped', endedAt: now, nextAt: null };
}

/** When this timer next needs attention. While a step runs, a due repeat waits (it is not a moment to wake for). */
export function nextMoment(t: StepTimer, busy: boolean): number | null {
  if (t.ended) return null;
  const moments = [endsAt(t), busy ? null : t.nextAt].filter((m): m is number => m !== null);
  return moments.length ? Math.min(...moments) : null;
}

/** The first tick after `now` on the repeat's cadence (ticks missed while busy or asleep are not made up). */
function following(nextAt: number, everyMs: number, now: number): number {
  return nextAt + everyMs * (Math.floor((now - nextAt) / everyMs) + 1);
}

/**
 * What is due at `now`: the time box ending, or a repeat's run (a reminder when the step has nothing to run).
 * `canRun` is false while another step runs or the run is finished: the repeat then waits.
 */
export function fire(t: StepTimer, now: number, options: { canRun: boolean; manual: boolean }): { timer: StepTimer; action: TimerAction | null } {
  if (t.ended) return { timer: t, action: null };
  const end = endsAt(t);
  if (end !== null && now >= end) return { timer: { ...t, ended: 'due', endedAt: end, nextAt: null }, action: 'due' };
  if (t.kind === 'repeat' && t.nextAt !== null && t.everyMs !== null && now >= t.nextAt) {
    if (!options.manual && !options.canRun) return { timer: t, action: null };
    return { timer: { ...t, runs: t.runs + 1, nextAt: following(t.nextAt, t.everyMs, now) }, action: options.manual ? 'remind' : 'run' };
  }
  return { timer: t, action: null };
}

/** 75_000 → "1:15"; 3_725_000 → "1:02:05". */
export function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}
