// The run view's timers: starts and stops them on the operator's click, wakes once at the earliest moment
// any of them needs (a time box ending, a repeat's next run), runs repeating checks when nothing else is
// running, notes each start, end and stop in the journal, and alerts the operator (banner + notification).
// Timers are kept per run in sessionStorage: after a reload a time box carries on counting, a repeat is stopped.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunbookApi } from '../../shared/api.js';
import type { RunStepState } from '../../shared/run-api.js';
import type { Step } from '../../shared/runbook-model.js';
import { notifyOperator } from './notify.js';
import type { StepRun } from './run-view-state.js';
import { type StepTimer, type TimerAction, fire, nextMoment, startTimer, stopTimer } from './step-timers.js';

export interface TimerAlert {
  id: number;
  text: string;
}

export interface StepTimersOptions {
  api: RunbookApi;
  runId: string;
  steps: Map<string, Step>;
  states: Map<string, RunStepState>;
  history: Record<string, StepRun[]>;
  /** A step runs, or the host waits on the operator: a repeat's run waits for it. */
  busy: boolean;
  finished: boolean;
  run: (stepId: string) => void;
  note: (stepId: string, text: string) => void;
}

const storageKey = (runId: string) => `runbook-console-timers:${runId}`;

/**
 * The tab's timers after a reload. Time boxes keep counting; a repeating check comes back stopped, since
 * running steps again is the operator's call, not the page's.
 */
function load(runId: string): { timers: Record<string, StepTimer>; stopped: StepTimer[] } {
  let saved: Record<string, StepTimer> = {};
  try {
    saved = (JSON.parse(sessionStorage.getItem(storageKey(runId)) ?? '{}') as Record<string, StepTimer>) ?? {};
  } catch {
    // A damaged entry is dropped.
  }
  const now = Date.now();
  const stopped = Object.values(saved).filter((t) => t.kind === 'repeat' && t.ended === null);
  for (const t of stopped) saved[t.stepId] = stopTimer(t, now);
  return { timers: saved, stopped };
}

const at = (ms: number) => new Date(ms).toLocaleTimeString();

export function useStepTimers(options: StepTimersOptions) {
  const { api, runId, busy, finished } = options;
  const [restored] = useState(() => load(runId));
  const [timers, setTimers] = useState<Record<string, StepTimer>>(restored.timers);
  const [alerts, setAlerts] = useState<TimerAlert[]>([]);
  const latest = useRef(options);
  latest.current = options;
  const timersRef = useRef(timers);
  timersRef.current = timers;
  const nextAlert = useRef(1);

  useEffect(() => sessionStorage.setItem(storageKey(runId), JSON.stringify(timers)), [runId, timers]);

  const alert = useCallback(
    (title: string, body: string) => {
      const id = nextAlert.current++;
      setAlerts((list) => [...list, { id, text: `${title}: ${body}` }]);
      void notifyOperator(api, title, body);
    },
    [api],
  );

  const titleOf = (stepId: string) => latest.current.steps.get(stepId)?.title ?? stepId;

  /** Applies what is due now to every timer, and then does it (outside the state update). */
  const wake = useCallback(() => {
    const now = Date.now();
    const o = latest.current;
    const actions: [string, TimerAction, StepTimer][] = [];
    const next: Record<string, StepTimer> = { ...timersRef.current };
    let claimed = o.busy || o.finished;
    for (const [stepId, timer] of Object.entries(next)) {
      const manual = o.states.get(stepId)?.manual !== null;
      const result = fire(timer, now, { canRun: !claimed, manual });
      if (result.action === 'run') claimed = true; // one step at a time
      next[stepId] = result.timer;
      if (result.action) actions.push([stepId, result.action, result.timer]);
    }
    if (actions.length === 0) return;
    timersRef.current = next;
    setTimers(next);
    for (const [stepId, action, timer] of actions) {
      const title = titleOf(stepId);
      if (action === 'run') o.run(stepId);
      else if (action === 'remind') alert('Check due', `${title} (${timer.text}), check ${timer.runs}`);
      else {
        o.note(stepId, timer.kind === 'timebox' ? `time box over: ${timer.text}` : `repeating check ended: ${timer.text}, ${timer.runs} runs`);
        alert(timer.kind === 'timebox' ? 'Time box over' : 'Repeating check ended', `${title} (${timer.text})`);
      }
    }
  }, [alert]);

  // Repeats stopped by a reload: say so, in the banner and the record (once, though effects may run twice).
  const told = useRef(false);
  useEffect(() => {
    if (told.current) return;
    told.current = true;
    for (const t of restored.stopped) {
      latest.current.note(t.stepId, `repeating check stopped by a page reload: ${t.text}, after ${t.runs} runs`);
      alert('Repeating check stopped', `${titleOf(t.stepId)}: the page was reloaded; start it again to go on`);
    }
  }, [restored, alert]);

  // One timeout, for the earliest moment any timer needs; re-planned whenever timers or the busy state change.
  useEffect(() => {
    const moments = Object.values(timers)
      .map((t) => nextMoment(t, busy || finished))
      .filter((m): m is number => m !== null);
    if (moments.length === 0) return;
    const handle = setTimeout(wake, Math.max(0, Math.min(...moments) - Date.now()));
    return () => clearTimeout(handle);
  }, [timers, busy, finished, wake]);

  // A repeating check that fails says so at once, not only in its history.
  const seenRuns = useRef<Record<string, number>>({});
  useEffect(() => {
    for (const [stepId, timer] of Object.entries(timers)) {
      if (timer.kind !== 'repeat') continue;
      const runs = options.history[stepId] ?? [];
      const seen = seenRuns.current[stepId] ?? runs.length;
      for (const r of runs.slice(seen)) if (r.status === 'failed') alert('Check failed', `${titleOf(stepId)} at ${at(Date.parse(r.started))}${r.reason ? `: ${r.reason}` : ''}`);
      seenRuns.current[stepId] = runs.filter((r) => r.status !== 'running').length;
    }
  }, [timers, options.history, alert]);

  // A finished run stops every timer.
  useEffect(() => {
    if (!finished) return;
    const now = Date.now();
    setTimers((current) => Object.fromEntries(Object.entries(current).map(([id, t]) => [id, stopTimer(t, now)])));
  }, [finished]);

  const start = useCallback((stepId: string) => {
    const step = latest.current.steps.get(stepId);
    if (!step?.timing) return;
    const timer = startTimer(stepId, step.timing, Date.now());
    seenRuns.current[stepId] = (latest.current.history[stepId] ?? []).length;
    setTimers((current) => ({ ...current, [stepId]: timer }));
    const end = timer.forMs === null ? '' : `, until ${at(timer.startedAt + timer.forMs)}`;
    latest.current.note(stepId, `${timer.kind === 'timebox' ? 'time box started' : 'repeating check started'}: ${timer.text}${end}`);
  }, []);

  const stop = useCallback((stepId: string) => {
    const timer = timersRef.current[stepId];
    if (!timer || timer.ended) return;
    setTimers((current) => ({ ...current, [stepId]: stopTimer(timer, Date.now()) }));
    latest.current.note(stepId, `${timer.kind === 'timebox' ? 'time box stopped early' : 'repeating check stopped'}: ${timer.text}${timer.kind === 'repeat' ? `, after ${timer.runs} runs` : ''}`);
  }, []);

  const dismiss = useCallback((id: number) => setAlerts((list) => list.filter((a) => a.id !== id)), []);
  return { timers, alerts, start, stop, dismiss };
}
