// A step's blanks and inputs (ticket number, dead tuples before, replication lag …), each typed: a value is
// checked as it is typed (the hint says what the field takes) and recorded when the field loses focus. The
// host checks it again before it goes into the journal; what it refuses is shown under the field.
import { useState } from 'react';
import type { RunStepState } from '../../../shared/run-api.js';
import type { Step } from '../../../shared/runbook-model.js';
import { fillInHint, parseFillIn } from '../../../shared/fill-in-values.js';
import { useRunActions } from '../../run/useRun.js';

export function FillInFields({ step, state, disabled }: { step: Step; state: RunStepState; disabled: boolean }) {
  const { act } = useRunActions();
  const [draft, setDraft] = useState<Record<string, string>>({});
  if (step.fillIns.length === 0) return null;
  // Marked passed or failed on these values: they stay as recorded (the host refuses a change; a note corrects).
  const settled = state.mark !== null;
  const save = (label: string) => {
    const value = draft[label];
    if (value === undefined || value.trim() === (state.fillIns[label] ?? '')) return;
    const field = step.fillIns.find((f) => f.label === label);
    // A value the field cannot take is not sent: the hint under the field says why.
    if (field && !parseFillIn(field, value).ok) return;
    void act((api, runId) => api['runs.record']({ runId, stepId: step.id, kind: 'fillin', label, value }), step.id);
  };
  return (
    <div className="fillins" data-testid="fillins">
      {step.fillIns.map((f, i) => {
        const label = f.label || `blank ${i + 1}`;
        const recorded = state.fillIns[label];
        const value = draft[label] ?? recorded ?? '';
        const check = value.trim() === '' ? null : parseFillIn(f, value);
        const error = check && !check.ok ? check.reason : null;
        return (
          <label className="field inline" key={`${f.line}-${label}`} data-testid="fillin" data-type={f.type}>
            <span>
              {label}
              {f.required && step.kind === 'input' && (
                <span className="required" title="required before the step is done">
                  {' '}*
                </span>
              )}
            </span>
            <input
              aria-label={label}
              aria-invalid={error !== null}
              inputMode={f.type === 'number' || f.type === 'percent' ? 'decimal' : undefined}
              placeholder={f.type === 'text' ? undefined : fillInHint(f)}
              value={value}
              disabled={disabled || settled || !f.label}
              title={settled ? 'Recorded with the mark; add a note to correct it' : undefined}
              onChange={(e) => setDraft({ ...draft, [label]: e.target.value })}
              onBlur={() => save(label)}
            />
            {f.unit && <span className="unit">{f.unit}</span>}
            {f.type !== 'text' && <span className="field-hint">{f.type}</span>}
            {recorded !== undefined && recorded === (draft[label] ?? recorded).trim() && <span className="saved" title="In the record">✓</span>}
            {error && (
              <span className="field-error" role="alert" data-testid="fillin-error">
                {error}
              </span>
            )}
          </label>
        );
      })}
    </div>
  );
}
