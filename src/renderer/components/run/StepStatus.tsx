// A step's status in the run, with the reason the host gave (skip reason, failure, decision), and who settled
// it when (the run's operator; the time its blocks ended, else when this page heard of it).
import type { RunStepState } from '../../../shared/run-api.js';
import { stepOutcome } from '../../lib/step-outcome.js';
import type { StepDone } from '../../run/run-view-state.js';

export function StepStatusBadge({ state }: { state: RunStepState }) {
  const outcome = stepOutcome(state);
  return (
    <span className={`status-pill pill-${state.status} tone-${outcome.tone}`} data-testid="step-status" data-tone={outcome.tone} title={state.reason ?? outcome.label}>
      {outcome.icon} {outcome.label}
    </span>
  );
}

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** "failed · Alice Operator · 03:12:40": who did what and when. */
export function StepWho({ state, done, operator }: { state: RunStepState; done: StepDone | undefined; operator: string }) {
  if (!done || state.status === 'running' || state.status === 'pending') return null;
  return (
    <p className="step-who small-text" data-testid="step-who">
      {stepOutcome(state).label} · {operator} · <time dateTime={done.at}>{clock(done.at)}</time>
    </p>
  );
}

export function StepReason({ state, showManual }: { state: RunStepState; showManual: boolean }) {
  const mark = state.mark ? `marked ${state.mark}` : null;
  const manual = showManual ? state.manual : null;
  if (!state.reason && !mark && !manual) return null;
  return (
    <p className="step-reason" data-testid="step-reason">
      {state.reason && <span>{state.reason}</span>}
      {mark && <span className={`mark mark-${state.mark}`}>{mark}</span>}
      {manual && <span className="muted">{manual}</span>}
    </p>
  );
}
