// The run view's timers. The host keeps them (runs.timer; src/main/runs/run-timers.ts): it counts, runs a
// repeating check's step when it is due, and journals each start, stop, run and end, so a timer goes on when
// the page closes or reloads. This starts and stops them on the operator's click, shows them from the run's
// state, and alerts the operator (banner + notification) on what the host says they did: a time box over, a
// check by hand due, a repeating check's run that failed.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunbookApi } from '../../shared/api.js';
import type { RunStepState } from '../../shared/run-api.js';
import type { Step } from '../../shared/runbook-model.js';
import type { StepTimer } from '../../shared/step-timers.js';
import { notifyOperator } from './notify.js';
import type { StepRun, TimerNews } from './run-view-state.js';

export interface TimerAlert {
  id: number;
  text: string;
}

export interface StepTimersOptions {
  api: RunbookApi;
  steps: Map<string, Step>;
  states: Map<string, RunStepState>;
  history: Record<string, StepRun[]>;
  /** What the host said the timers did since this view began. */
  news: readonly TimerNews[];
  /** Starts or stops a step's timer on the host (errors shown on the step). */
  act: (stepId: string, action: 'start' | 'stop') => void;
}

const at = (ms: number) => new Date(ms).toLocaleTimeString();

export function useStepTimers(options: StepTimersOptions) {
  const { api, states, news, history } = options;
  const [alerts, setAlerts] = useState<TimerAlert[]>([]);
  const nextAlert = useRef(1);
  const titleOf = (stepId: string) => options.steps.get(stepId)?.title ?? stepId;
  const titles = useRef(titleOf);
  titles.current = titleOf;

  const timers = useMemo(() => {
    const out: Record<string, StepTimer> = {};
    for (const [id, s] of states) if (s.timer) out[id] = s.timer;
    return out;
  }, [states]);

  const alert = useCallback(
    (title: string, body: string) => {
      const id = nextAlert.current++;
      setAlerts((list) => [...list, { id, text: `${title}: ${body}` }]);
      void notifyOperator(api, title, body);
    },
    [api],
  );

  // What the host said the timers did: the ones the operator is to hear of.
  const told = useRef(0);
  useEffect(() => {
    for (const n of news.slice(told.current)) {
      const title = titles.current(n.stepId);
      const repeat = states.get(n.stepId)?.timer?.kind === 'repeat';
      if (n.event === 'due') alert(repeat ? 'Repeating check ended' : 'Time box over', `${title} (${n.text})`);
      else if (n.event === 'remind') alert('Check due', `${title} (${n.text})`);
    }
    told.current = news.length;
  }, [news, states, alert]);

  // A repeating check's run that fails says so at once, not only in its history.
  const seenRuns = useRef<Record<string, number>>({});
  useEffect(() => {
    for (const [stepId, timer] of Object.entries(timers)) {
      if (timer.kind !== 'repeat') continue;
      const runs = history[stepId] ?? [];
      const seen = seenRuns.current[stepId] ?? runs.length;
      for (const r of runs.slice(seen)) if (r.status === 'failed') alert('Check failed', `${titles.current(stepId)} at ${at(Date.parse(r.started))}${r.reason ? `: ${r.reason}` : ''}`);
      seenRuns.current[stepId] = runs.filter((r) => r.status !== 'running').length;
    }
  }, [timers, history, alert]);

  const { act } = options;
  const start = useCallback((stepId: string) => act(stepId, 'start'), [act]);
  const stop = useCallback((stepId: string) => act(stepId, 'stop'), [act]);
  const dismiss = useCallback((id: number) => setAlerts((list) => list.filter((a) => a.id !== id)), []);
  return { timers, alerts, start, stop, dismiss };
}
