// A step's blanks (ticket number, dead tuples before, …): each value is recorded when the field loses focus.
import { useState } from 'react';
import type { RunStepState } from '../../../shared/run-api.js';
import type { Step } from '../../../shared/runbook-model.js';
import { useRunActions } from '../../run/useRun.js';

export function FillInFields({ step, state, disabled }: { step: Step; state: RunStepState; disabled: boolean }) {
  const { act } = useRunActions();
  const [draft, setDraft] = useState<Record<string, string>>({});
  if (step.fillIns.length === 0) return null;
  const save = (label: string) => {
    const value = draft[label];
    if (value === undefined || value === (state.fillIns[label] ?? '')) return;
    void act((api, runId) => api['runs.record']({ runId, stepId: step.id, kind: 'fillin', label, value }));
  };
  return (
    <div className="fillins" data-testid="fillins">
      {step.fillIns.map((f, i) => {
        const label = f.label || `blank ${i + 1}`;
        const recorded = state.fillIns[label];
        return (
          <label className="field inline" key={`${f.line}-${label}`}>
            <span>{label}</span>
            <input
              aria-label={label}
              value={draft[label] ?? recorded ?? ''}
              disabled={disabled}
              onChange={(e) => setDraft({ ...draft, [label]: e.target.value })}
              onBlur={() => save(label)}
            />
            {f.unit && <span className="unit">{f.unit}</span>}
            {recorded !== undefined && recorded === (draft[label] ?? recorded) && <span className="saved" title="In the record">✓</span>}
          </label>
        );
      })}
    </div>
  );
}
