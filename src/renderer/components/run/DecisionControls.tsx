// A decision step (GO / NO-GO, proceed or roll back): one button per option, recorded with the operator's name.
import type { RunStepState } from '../../../shared/run-api.js';
import type { Step } from '../../../shared/runbook-model.js';
import { decisionOptions, isNegativeDecision } from '../../lib/runbook-facts.js';
import { useRunActions } from '../../run/useRun.js';

export function DecisionControls({ step, state, disabled, onDecided }: { step: Step; state: RunStepState; disabled: boolean; onDecided: (decision: string) => void }) {
  const { act } = useRunActions();
  const decide = async (decision: string) => {
    const result = await act((api, runId) => api['runs.record']({ runId, stepId: step.id, kind: 'decision', decision }));
    if (result !== undefined) onDecided(decision);
  };
  return (
    <div className="decision" data-testid="decision">
      <div className="row" role="group" aria-label="Decision">
        {decisionOptions(step).map((option) => (
          <button
            key={option}
            type="button"
            className={`${isNegativeDecision(option) ? 'danger' : 'go'}${state.decision === option ? ' pressed' : ''}`}
            aria-pressed={state.decision === option}
            disabled={disabled}
            onClick={() => void decide(option)}
          >
            {option}
          </button>
        ))}
      </div>
      {state.decision && (
        <p className="recorded" data-testid="decision-recorded">
          Decision recorded: <strong>{state.decision}</strong>
        </p>
      )}
    </div>
  );
}
