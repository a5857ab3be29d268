// What sealing a console run now would leave unfinished: main's one rule, shown to the operator before they
// seal (RunState.unfinished), checked again when they seal (runs.finish, runs.export) and journaled then
// (run.ended-early). A step a recorded decision passed over is not counted: the decision says why it is not
// done. A skipped step is done (its skip and reason are journaled); so is one that succeeded.
import type { RunStepState, UnfinishedKind } from '../../shared/run-api.js';
import type { Step } from '../../shared/runbook-model.js';

export interface UnfinishedStep {
  stepId: string;
  title: string;
  what: UnfinishedKind;
}

/** Why `state` is unfinished, or null when it is done (or hidden, or passed over by a decision). */
export function unfinishedKind(state: RunStepState, step: Step | undefined): UnfinishedKind | null {
  if (state.hidden || state.passedOver || state.status === 'skipped') return null;
  // A decision step is done only when decided, whatever its code did.
  if ((step?.kind === 'decision' || step?.decision) && state.decision === null && state.status !== 'running') return 'decision-pending';
  switch (state.status) {
    case 'succeeded':
      return null;
    case 'failed':
    case 'cancelled':
    case 'running':
    case 'not-run':
      return state.status;
    case 'pending':
      if (step?.kind === 'decision' || step?.decision) return state.decision === null ? 'decision-pending' : null;
      if (step?.kind === 'signoff') return state.signoff === null ? 'signoff-missing' : null;
      return state.manual !== null ? 'not-done' : 'not-run';
  }
}

/** Every unfinished step of the run, in the run's order. */
export function unfinishedSteps(states: Iterable<RunStepState>, steps: readonly Step[]): UnfinishedStep[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const out: UnfinishedStep[] = [];
  for (const state of states) {
    const step = byId.get(state.id);
    const what = unfinishedKind(state, step);
    if (what !== null) out.push({ stepId: state.id, title: step?.title ?? state.id, what });
  }
  return out;
}
