// A sign-off step: who signs (name), in which role, on which date — recorded as a signoff only with the
// signer's SSH signature, which main makes with their key file or ssh-agent key (the page only asks).
import { type FormEvent, useEffect, useState } from 'react';
import type { RunStepState } from '../../../shared/run-api.js';
import type { Step } from '../../../shared/runbook-model.js';
import { useRunActions } from '../../run/useRun.js';

const today = () => new Date().toISOString().slice(0, 10);

export function SignoffForm({ step, state, disabled, operator }: { step: Step; state: RunStepState; disabled: boolean; operator: string }) {
  const { act, api } = useRunActions();
  const roles = step.signoff?.roles ?? [];
  const [name, setName] = useState(operator);
  const [role, setRole] = useState(roles[0] ?? '');
  const [date, setDate] = useState(today);
  const [keyFile, setKeyFile] = useState('');
  const [agent, setAgent] = useState(false);
  // The export key from Settings is offered first (the operator signing their own row); the signer may change it.
  useEffect(() => {
    let gone = false;
    api['settings.get']({}).then(
      ({ exportKey }) => {
        if (!gone && exportKey?.kind === 'file') setKeyFile((current) => current || exportKey.path);
      },
      () => {},
    );
    return () => {
      gone = true;
    };
  }, [api]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const signWith = agent ? { agent: true } : { keyFile: keyFile.trim() };
    await act((api, runId) => api['runs.record']({ runId, stepId: step.id, kind: 'signoff', name: name.trim(), role: role.trim(), date: date.trim(), ...signWith }));
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
        <button type="submit" className="primary" disabled={disabled || !name.trim() || !role.trim() || !date || (!agent && !keyFile.trim())}>
          Sign off
        </button>
      </div>
      <div className="row">
        <label className="field">
          <span>Signer's SSH key file</span>
          <input aria-label="Sign-off key file" value={keyFile} onChange={(e) => setKeyFile(e.target.value)} placeholder="~/.ssh/id_ed25519" disabled={disabled || agent} />
        </label>
        <label className="check">
          <input type="checkbox" aria-label="Sign-off with ssh-agent" checked={agent} onChange={(e) => setAgent(e.target.checked)} disabled={disabled} /> use ssh-agent
        </label>
      </div>
      {state.signoff && (
        <p className="recorded" data-testid="signoff-recorded" title={state.signoff.fingerprint ? `signed with ${state.signoff.fingerprint}` : undefined}>
          Signed off by <strong>{state.signoff.name}</strong> ({state.signoff.role}) on {state.signoff.date}
        </p>
      )}
    </form>
  );
}
