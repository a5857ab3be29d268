// Starting a run: who runs it, at which profile (and what that hides), and the variables it needs.
// Starting records the run and executes nothing.
import { type FormEvent, useMemo, useState } from 'react';
import { PROFILES, type Profile, type Runbook } from '../../../shared/runbook-model.js';
import { PROFILE_LABEL, hiddenSteps, optionalVariablesToOffer, variablesToAsk } from '../../lib/runbook-facts.js';
import { diagnosticCounts } from '../Diagnostics.js';

export interface StartInput {
  operator: string;
  profile: Profile;
  vars: Record<string, string>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const SECRET_NAME = /(pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|credential)/i;
const RANKS: Record<Profile, number> = { standard: 0, regulated: 1, restricted: 2 };

/**
 * Variables the steps shown at `profile` need whose front matter gives a default: shown with it, editable (a
 * secret's default is not shown). Left as it is, the default applies (it is not sent, so the record says so).
 */
export function defaultedVariables(runbook: Runbook, profile: Profile): { name: string; secret: boolean; prefill: string; description: string | null }[] {
  const declared = runbook.frontMatter?.variables ?? {};
  const bare = (n: string) => n.replace(/^<|>$/g, '');
  const names = new Set(runbook.steps.filter((s) => (s.profile === null ? 0 : RANKS[s.profile]) <= RANKS[profile]).flatMap((s) => s.variables.map(bare)));
  return [...names].flatMap((name) => {
    const decl = declared[name];
    if (decl === undefined) return [];
    const object = typeof decl === 'object' ? decl : null;
    const value = object ? object.default : String(decl);
    if (value === undefined) return [];
    const secret = object?.secret === true || SECRET_NAME.test(name);
    return [{ name, secret, prefill: secret ? '' : value, description: object?.description ?? null }];
  });
}

export function StartRunForm({ runbook, runOpen, defaultOperator, onStart }: { runbook: Runbook; runOpen: boolean; defaultOperator: string; onStart: (input: StartInput) => Promise<void> }) {
  const [operator, setOperator] = useState(defaultOperator);
  const [profile, setProfile] = useState<Profile>(runbook.frontMatter?.profile ?? 'standard');
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const hidden = useMemo(() => Object.fromEntries(PROFILES.map((p) => [p, hiddenSteps(runbook, p).length])) as Record<Profile, number>, [runbook]);
  const variables = useMemo(() => variablesToAsk(runbook, profile), [runbook, profile]);
  const optional = useMemo(() => optionalVariablesToOffer(runbook, profile), [runbook, profile]);
  const defaulted = useMemo(() => defaultedVariables(runbook, profile), [runbook, profile]);
  // The host refuses a run of a runbook with error diagnostics (runbook-error): say so here, before it is asked.
  const { errors } = diagnosticCounts(runbook.warnings);
  /** An optional variable's field as it stands: its default until the operator changes it. */
  const optionalValue = (name: string, prefill: string) => values[name] ?? prefill;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!operator.trim() || errors > 0) return;
    const required = variables.map((v) => [v.name, values[v.name] ?? ''] as const);
    // An optional variable left at its default is not sent: the code's (or the front matter's) default applies.
    const given = optional.map((v) => [v.name, optionalValue(v.name, v.prefill)] as const).filter(([name, value]) => value !== (optional.find((o) => o.name === name)?.prefill ?? ''));
    // A front-matter default left as it is is not sent either: the record then says where the value came from.
    const changed = defaulted.map((v) => [v.name, values[v.name] ?? v.prefill] as const).filter(([name, value]) => value !== (defaulted.find((d) => d.name === name)?.prefill ?? ''));
    const vars = Object.fromEntries([...required, ...given, ...changed].filter(([, value]) => value !== ''));
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
            <label className="field" key={v.name} data-testid="variable-field" data-required="true">
              <span>
                <span className="mono">{v.name}</span> <span className="required-tag">required</span>
              </span>
              <input
                aria-label={v.name}
                aria-required="true"
                type={v.secret ? 'password' : 'text'}
                autoComplete="off"
                value={values[v.name] ?? ''}
                placeholder={v.description ?? (v.secret ? 'secret: masked in output and record' : '')}
                onChange={(e) => setValues({ ...values, [v.name]: e.target.value })}
              />
            </label>
          ))}
          <p className="muted small-text">A step that uses a required variable without a value cannot run until it is given — on the step, without a new run.</p>
        </fieldset>
      )}
      {defaulted.length > 0 && (
        <fieldset className="variables defaulted-variables" data-testid="defaulted-variables">
          <legend>Variables with a default</legend>
          {defaulted.map((v) => (
            <label className="field" key={v.name} data-testid="variable-field" data-required="defaulted">
              <span>
                <span className="mono">{v.name}</span> <span className="optional-tag">default</span>
              </span>
              <input
                aria-label={v.name}
                type={v.secret ? 'password' : 'text'}
                autoComplete="off"
                value={values[v.name] ?? v.prefill}
                placeholder={v.secret ? 'a default is set (not shown: a secret)' : (v.description ?? '')}
                onChange={(e) => setValues({ ...values, [v.name]: e.target.value })}
              />
              <span className="field-hint">{v.secret ? 'A default is set in the front matter (not shown: a secret); type to replace it' : 'Default from the front matter; change it to use another value'}</span>
            </label>
          ))}
        </fieldset>
      )}
      {optional.length > 0 && (
        <fieldset className="variables optional-variables" data-testid="optional-variables">
          <legend>Optional variables</legend>
          {optional.map((v) => (
            <label className="field" key={v.name} data-testid="variable-field" data-required="false">
              <span>
                <span className="mono">{v.name}</span> <span className="optional-tag">optional</span>
              </span>
              <input
                aria-label={v.name}
                type={v.secret ? 'password' : 'text'}
                autoComplete="off"
                value={optionalValue(v.name, v.prefill)}
                placeholder={v.secret ? 'secret: masked in output and record' : v.defaultText !== null && v.prefill === '' ? `default: ${v.defaultText}` : (v.description ?? '')}
                onChange={(e) => setValues({ ...values, [v.name]: e.target.value })}
              />
              <span className="field-hint" data-testid="variable-default">
                {v.secret && v.defaultText !== null
                  ? 'A default is set (not shown: a secret)'
                  : v.defaultText !== null
                  ? `Default ${v.defaultFrom === 'front matter' ? 'from the front matter' : 'in the code'}: ${v.defaultText}`
                  : v.differing.length > 1
                    ? `Defaults differ by step: ${v.differing.join(', ')}`
                    : 'No default: the code only tests whether it is set'}
                {v.defaultFrom === 'code' && ' — left as it is, your environment’s value (if any) or this default applies'}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {errors > 0 && (
        <p className="start-blocked" role="alert" data-testid="start-blocked">
          {errors === 1 ? 'The parser found an error' : `The parser found ${errors} errors`} in this runbook: a run is refused until {errors === 1 ? 'it is' : 'they are'} fixed (see the list above the steps).
        </p>
      )}
      {runOpen && <p className="muted">Starting a new run finishes and seals the run that is open.</p>}
      <button type="submit" className="primary" disabled={busy || !operator.trim() || errors > 0}>
        Start run
      </button>
    </form>
  );
}
