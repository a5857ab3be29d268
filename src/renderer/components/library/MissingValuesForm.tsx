// On a step refused for a variable without a value: a field per missing variable to give it right there.
// Main checks and records it (runs.setVariables; a secret's value masked) and the step can then run — no new run.
import { type FormEvent, useState } from 'react';
import type { RunStepState } from '../../../shared/run-api.js';
import { useRunActions } from '../../run/useRun.js';

export function MissingValuesForm({ state, disabled }: { state: RunStepState; disabled: boolean }) {
  const { act } = useRunActions();
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const missing = state.missingValues ?? [];
  if (missing.length === 0 || state.hidden) return null;
  const filled = Object.fromEntries(missing.map((m) => [m.name, values[m.name] ?? '']).filter(([, v]) => v !== ''));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    event.stopPropagation();
    if (Object.keys(filled).length === 0) return;
    setBusy(true);
    try {
      // A refused value shows in this step's card, as the step's other errors do; a value taken clears them.
      const result = await act((api, runId) => api['runs.setVariables']({ runId, stepId: state.id, values: filled }), state.id);
      if (result) setValues({});
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="missing-values" data-testid="missing-values" onSubmit={submit} onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
      <p className="field-hint">
        This step needs {missing.length === 1 ? 'a value' : 'values'} the run does not have yet. Give {missing.length === 1 ? 'it' : 'them'} here (recorded in the journal{missing.some((m) => m.secret) ? '; a secret masked' : ''}); no new run is needed.
      </p>
      {missing.map((m) => (
        <label className="field inline" key={m.name} data-testid="missing-value" data-name={m.name}>
          <span className="mono">{m.name}</span>
          <input
            aria-label={m.name}
            type={m.secret ? 'password' : 'text'}
            autoComplete="off"
            disabled={disabled || busy}
            value={values[m.name] ?? ''}
            placeholder={m.secret ? 'secret: masked in output and record' : 'value'}
            onChange={(e) => setValues({ ...values, [m.name]: e.target.value })}
          />
        </label>
      ))}
      <button type="submit" disabled={disabled || busy || Object.keys(filled).length === 0}>
        Give value{missing.length === 1 ? '' : 's'}
      </button>
    </form>
  );
}
