// A sign-off step: who signs (name), in which role, on which date — recorded as a signoff.
import { type FormEvent, useState } from 'react';
import type { RunStepState } from '../../../shared/run-api.js';
import type { Step } from '../../../shared/runbook-model.js';
import { useRunActions } from '../../run/useRun.js';

const today = () => new Date().toISOString().slice(0, 10);

export function SignoffForm({ step, state, disabled, operator }: { step: Step; state: RunStepState; disabled: boolean; operator: string }) {
  const { act } = useRunActions();
  const roles = step.signoff?.roles ?? [];
  const [name, setName] = useState(operator);
  const [role, setRole] = useState(roles[0] ?? '');
  const [date, setDate] = useState(today);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await act((api, runId) => api['runs.record']({ runId, stepId: step.id, kind: 'signoff', name: name.trim(), role: role.trim(), date: date.trim() }));
  };
  return (
    <form className="signoff" onSubmit={submit} data-testid="signoff">
      <div className="row">
        <label className="field">
          <span>Name</span>
          <input aria-label="Sign-off name" value={name} onChange={(e) => setName(e.target.value)} required disabled={disabled} />
        </label>
        <label className="field">
          <span>Role</span>
          {roles.length > 0 ? (
            <select aria-label="Sign-off role" value={role} onChange={(e) => setRole(e.target.value)} disabled={disabled}>
              {roles.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          ) : (
            <input aria-label="Sign-off role" value={role} onChange={(e) => setRole(e.target.value)} required disabled={disabled} />
          )}
        </label>
        <label className="field">
          <span>Date</span>
          <input aria-label="Sign-off date" type="date" value={date} onChange={(e) => setDate(e.target.value)} required disabled={disabled} />
        </label>
        <button type="submit" className="primary" disabled={disabled || !name.trim() || !role.trim() || !date}>
          Sign off
        </button>
      </div>
      {state.signoff && (
        <p className="recorded" data-testid="signoff-recorded">
          Signed off by <strong>{state.signoff.name}</strong> ({state.signoff.role}) on {state.signoff.date}
        </p>
      )}
    </form>
  );
}
