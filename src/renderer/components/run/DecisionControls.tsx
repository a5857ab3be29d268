// A decision step (GO / NO-GO, proceed or roll back): one button per option, recorded with the operator's name,
// each saying where it leads (the section the runbook names, else on to the next step).
import type { RunStepState } from '../../../shared/run-api.js';
import { decisionPath } from '../../../shared/decisions.js';
import type { Runbook, Step } from '../../../shared/runbook-model.js';
import { decisionOptions, flattenSections, isNegativeDecision } from '../../lib/runbook-facts.js';
import { useRunActions } from '../../run/useRun.js';
import { plural } from '../../lib/words.js';
import { useState } from 'react';
import { ReasonForm } from './ReasonForm.js';

/** What choosing `option` would pass over, by the rule the host applies (src/shared/decisions.ts): how many steps, and whether the run stops. */
function passesOver(runbook: Runbook | undefined, order: readonly string[] | undefined, stepId: string, option: string): { steps: number; stops: boolean } {
  if (!runbook || !order) return { steps: 0, stops: false };
  const path = [...decisionPath(runbook, order, new Map([[stepId, option]])).values()];
  return { steps: path.filter((p) => p.kind === 'skip').length, stops: path.some((p) => p.kind === 'stop') };
}

export function DecisionControls({ step, state, disabled, onDecided, runbook, order }: { step: Step; state: RunStepState; disabled: boolean; onDecided: (decision: string) => void; runbook?: Runbook; order?: readonly string[] }) {
  const { act } = useRunActions();
  const sections = runbook ? flattenSections(runbook.sections) : [];
  const leadsTo = (option: string) => {
    const id = step.decision?.choices.find((c) => c.label === option)?.leadsTo ?? null;
    return id ? (sections.find((s) => s.id === id)?.title ?? null) : null;
  };
  const options = decisionOptions(step);
  // A recorded decision is final: another choice is a change, recorded with the operator's reason.
  const [changeTo, setChangeTo] = useState<string | null>(null);
  const decide = async (decision: string, change?: string) => {
    const result = await act((api, runId) => api['runs.record']({ runId, stepId: step.id, kind: 'decision', decision, ...(change ? { change } : {}) }), step.id);
    if (result !== undefined) onDecided(decision);
    return result !== undefined;
  };
  const choose = (option: string) => (state.decision === null ? void decide(option) : setChangeTo(option));
  return (
    <div className="decision" data-testid="decision">
      <div className="row" role="group" aria-label="Decision">
        {options.map((option) => (
          <button
            key={option}
            type="button"
            className={`${isNegativeDecision(option) ? 'danger' : 'go'}${state.decision === option ? ' pressed' : ''}`}
            aria-pressed={state.decision === option}
            disabled={disabled || state.decision === option}
            onClick={() => choose(option)}
            title={leadsTo(option) ? `${option} leads to “${leadsTo(option)}”` : undefined}
          >
            {option}
          </button>
        ))}
      </div>
      {options.some((o) => leadsTo(o)) && (
        <ul className="decision-leads" data-testid="decision-leads">
          {options.map((o) => {
            const over = passesOver(runbook, order, step.id, o);
            return (
              <li key={o}>
                {o} → {leadsTo(o) ?? 'the next step'}
                {over.steps > 0 && <span className="muted"> · passes over {plural(over.steps, 'step')}</span>}
                {over.stops && <span className="muted"> · the run stops here</span>}
              </li>
            );
          })}
        </ul>
      )}
      {state.decision && (
        <p className="recorded" data-testid="decision-recorded">
          Decision recorded: <strong>{state.decision}</strong>
          <span className="muted small-text"> · final: another choice is recorded as a change, with your reason</span>
        </p>
      )}
      {changeTo !== null && state.decision !== null && (
        <ReasonForm
          label={`The decision ${state.decision} is recorded. Why change it to ${changeTo}? (recorded)`}
          submitLabel={`Change the decision to ${changeTo}`}
          onClose={() => setChangeTo(null)}
          onSubmit={(reason) => decide(changeTo, reason)}
        />
      )}
    </div>
  );
}
