// Starting a run: who runs it, at which profile (and what that hides), and the variables it needs.
// Starting records the run and executes nothing.
import { type FormEvent, useMemo, useState } from 'react';
import { PROFILES, type Profile, type Runbook } from '../../../shared/runbook-model.js';
import { PROFILE_LABEL, hiddenSteps, variablesToAsk } from '../../lib/runbook-facts.js';

export interface StartInput {
  operator: string;
  profile: Profile;
  vars: Record<string, string>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function StartRunForm({ runbook, runOpen, defaultOperator, onStart }: { runbook: Runbook; runOpen: boolean; defaultOperator: string; onStart: (input: StartInput) => Promise<void> }) {
  const [operator, setOperator] = useState(defaultOperator);
  const [profile, setProfile] = useState<Profile>(runbook.frontMatter?.profile ?? 'standard');
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const hidden = useMemo(() => Object.fromEntries(PROFILES.map((p) => [p, hiddenSteps(runbook, p).length])) as Record<Profile, number>, [runbook]);
  const variables = useMemo(() => variablesToAsk(runbook, profile), [runbook, profile]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!operator.trim()) return;
    const vars = Object.fromEntries(variables.map((v) => [v.name, values[v.name] ?? '']).filter(([, value]) => value !== ''));
    setBusy(true);
    try {
      await onStart({ operator: operator.trim(), profile, vars });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel start-form" onSubmit={submit} data-testid="start-form">
      <h2 className="panel-title">Start a run</h2>
      <label className="field">
        <span>Operator</span>
        <input aria-label="Operator" required value={operator} onChange={(e) => setOperator(e.target.value)} placeholder="Your name as it goes into the record" autoComplete="name" />
      </label>
      <label className="field">
        <span>Profile</span>
        <select aria-label="Profile" value={profile} onChange={(e) => setProfile(e.target.value as Profile)}>
          {PROFILES.map((p) => (
            <option key={p} value={p}>
              {PROFILE_LABEL[p].replace('+', '')} — {hidden[p] ? `hides ${plural(hidden[p], 'step')}` : 'shows every step'}
            </option>
          ))}
        </select>
      </label>
      <p className="muted" data-testid="profile-hides">
        {hidden[profile] ? `${plural(hidden[profile], 'step')} marked above ${PROFILE_LABEL[profile].replace('+', '')} will be hidden and never run.` : 'Every step of the runbook is shown.'}
      </p>
      {variables.length > 0 && (
        <fieldset className="variables">
          <legend>Variables</legend>
          {variables.map((v) => (
            <label className="field" key={v.name}>
              <span className="mono">{v.name}</span>
              <input
                aria-label={v.name}
                type={v.secret ? 'password' : 'text'}
                autoComplete="off"
                value={values[v.name] ?? ''}
                placeholder={v.description ?? (v.secret ? 'secret: masked in output and record' : '')}
                onChange={(e) => setValues({ ...values, [v.name]: e.target.value })}
              />
            </label>
          ))}
        </fieldset>
      )}
      {runOpen && <p className="muted">Starting a new run finishes and seals the run that is open.</p>}
      <button type="submit" className="primary" disabled={busy || !operator.trim()}>
        Start run
      </button>
    </form>
  );
}
