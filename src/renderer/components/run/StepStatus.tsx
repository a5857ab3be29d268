// A step's status in the run, with the reason the host gave (skip reason, failure, decision).
import type { RunStepState } from '../../../shared/run-api.js';

const ICON: Record<RunStepState['status'], string> = { pending: '○', running: '◐', succeeded: '●', failed: '✗', skipped: '⤼', cancelled: '⊘', 'not-run': '–' };

export function StepStatusBadge({ state }: { state: RunStepState }) {
  return (
    <span className={`status-pill pill-${state.status}`} data-testid="step-status" title={state.reason ?? state.status}>
      {ICON[state.status]} {state.status}
    </span>
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
