// A time-boxed step's countdown, or a repeating check's start/stop, next run and history of results.
import { useEffect, useState } from 'react';
import type { Step } from '../../../shared/runbook-model.js';
import type { StepRun } from '../../run/run-view-state.js';
import { type StepTimer, clock, endsAt } from '../../../shared/step-timers.js';

/** The current time, once a second while `active` (only the counting panel re-renders). */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const handle = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(handle);
  }, [active]);
  return now;
}

const time = (ms: number) => new Date(ms).toLocaleTimeString();

export interface StepTimerPanelProps {
  step: Step;
  timer: StepTimer | undefined;
  history: StepRun[];
  finished: boolean;
  onStart: (stepId: string) => void;
  onStop: (stepId: string) => void;
}

export function StepTimerPanel({ step, timer, history, finished, onStart, onStop }: StepTimerPanelProps) {
  const timing = step.timing;
  const active = timer !== undefined && timer.ended === null;
  const now = useNow(active);
  if (!timing) return null;
  const end = timer ? endsAt(timer) : null;
  const repeat = timing.kind === 'repeat';
  const done = history.filter((r) => r.status !== 'running');
  return (
    <div className={`step-timer${timer?.ended === 'due' ? ' due' : ''}`} data-testid="step-timer" data-kind={timing.kind} data-state={active ? 'counting' : (timer?.ended ?? 'idle')} onClick={(e) => e.stopPropagation()}>
      <div className="row">
        <span className="badge timer-badge">
          {repeat ? 'Repeating check' : 'Time box'}: {timing.text}
          {repeat && timing.forMs !== null && ` for ${clock(timing.forMs)}`}
        </span>
        {active && end !== null && (
          <span data-testid="timer-remaining" aria-live="off">
            {clock(end - now)} left (until {time(end)})
          </span>
        )}
        {active && repeat && timer.nextAt !== null && <span className="muted" data-testid="timer-next">next run in {clock(timer.nextAt - now)}</span>}
        {timer?.ended === 'due' && (
          <strong className="due-text" data-testid="timer-due">
            {repeat ? 'Ended' : 'Time is up'} at {time(timer.endedAt ?? now)}
          </strong>
        )}
        {timer?.ended === 'stopped' && <span className="muted">stopped at {time(timer.endedAt ?? now)}</span>}
        {!active && (
          <button type="button" className="small" disabled={finished} onClick={() => onStart(step.id)} data-testid="timer-start">
            {repeat ? 'Start repeating' : 'Start timer'}
          </button>
        )}
        {active && (
          <button type="button" className="small danger" onClick={() => onStop(step.id)} data-testid="timer-stop">
            Stop
          </button>
        )}
      </div>
      {repeat && done.length > 0 && (
        <table className="result-table timer-history" data-testid="timer-history">
          <caption className="muted small-text">Results ({done.length})</caption>
          <thead>
            <tr>
              <th>Started</th>
              <th>Result</th>
              <th>Took</th>
            </tr>
          </thead>
          <tbody>
            {done
              .slice(-20)
              .reverse()
              .map((r) => (
                <tr key={r.started} className={`status-${r.status}`}>
                  <td>{new Date(r.started).toLocaleTimeString()}</td>
                  <td>
                    {r.status}
                    {r.reason ? ` — ${r.reason}` : ''}
                  </td>
                  <td>{r.durationMs < 1000 ? `${r.durationMs} ms` : `${(r.durationMs / 1000).toFixed(1)} s`}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
