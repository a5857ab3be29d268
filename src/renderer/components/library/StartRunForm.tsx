// Starting a run: who runs it, at which profile (and what that hides), and the variables it needs.
// Starting records the run and executes nothing.
import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { PROFILES } from '../../../shared/profiles.js';
import type { Profile, Runbook } from '../../../shared/runbook-model.js';
import { PROFILE_LABEL, defaultedVariables, hiddenSteps, optionalVariablesToOffer, variablesToAsk } from '../../lib/runbook-facts.js';
import { plural } from '../../lib/words.js';
import { diagnosticCounts } from '../Diagnostics.js';

export interface StartInput {
  operator: string;
  profile: Profile;
  vars: Record<string, string>;
}

type FieldKind = 'required' | 'default' | 'optional';
const DATA_REQUIRED: Record<FieldKind, string> = { required: 'true', default: 'defaulted', optional: 'false' };

/** One variable's field: its name and kind, the input (a password field for a secret), and a hint under it. */
function VariableField(props: { name: string; kind: FieldKind; secret: boolean; value: string; placeholder: string; hint?: ReactNode; hintTestId?: string; onChange: (value: string) => void }) {
  const { name, kind } = props;
  return (
    <label className="field" data-testid="variable-field" data-required={DATA_REQUIRED[kind]}>
      <span>
        <span className="mono">{name}</span> <span className={kind === 'required' ? 'required-tag' : 'optional-tag'}>{kind}</span>
      </span>
      <input
        aria-label={name}
        aria-required={kind === 'required' ? 'true' : undefined}
        type={props.secret ? 'password' : 'text'}
        autoComplete="off"
        value={props.value}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint !== undefined && (
        <span className="field-hint" data-testid={props.hintTestId}>
          {props.hint}
        </span>
      )}
    </label>
  );
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
  /** A field with a default as it stands: its default until the operator changes it. */
  const valueOf = (field: { name: string; prefill: string }) => values[field.name] ?? field.prefill;
  /** Fields changed from their default: only those are sent (left as it is, the code's or the front matter's default applies). */
  const changed = (fields: readonly { name: string; prefill: string }[]) => fields.flatMap((f) => (valueOf(f) !== f.prefill ? [[f.name, valueOf(f)] as const] : []));
  const setValue = (name: string) => (value: string) => setValues({ ...values, [name]: value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!operator.trim() || errors > 0) return;
    const required = variables.map((v) => [v.name, values[v.name] ?? ''] as const);
    // An optional variable or a front-matter default left as it is is not sent: the record then says where the value came from.
    const vars = Object.fromEntries([...required, ...changed(optional), ...changed(defaulted)].filter(([, value]) => value !== ''));
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
            <VariableField
              key={v.name}
              name={v.name}
              kind="required"
              secret={v.secret}
              value={values[v.name] ?? ''}
              placeholder={v.description ?? (v.secret ? 'secret: masked in output and record' : '')}
              onChange={setValue(v.name)}
            />
          ))}
          <p className="muted small-text">A step that uses a required variable without a value cannot run until it is given — on the step, without a new run.</p>
        </fieldset>
      )}
      {defaulted.length > 0 && (
        <fieldset className="variables defaulted-variables" data-testid="defaulted-variables">
          <legend>Variables with a default</legend>
          {defaulted.map((v) => (
            <VariableField
              key={v.name}
              name={v.name}
              kind="default"
              secret={v.secret}
              value={valueOf(v)}
              placeholder={v.secret ? 'a default is set (not shown: a secret)' : (v.description ?? '')}
              hint={v.secret ? 'A default is set in the front matter (not shown: a secret); type to replace it' : 'Default from the front matter; change it to use another value'}
              onChange={setValue(v.name)}
            />
          ))}
        </fieldset>
      )}
      {optional.length > 0 && (
        <fieldset className="variables optional-variables" data-testid="optional-variables">
          <legend>Optional variables</legend>
          {optional.map((v) => (
            <VariableField
              key={v.name}
              name={v.name}
              kind="optional"
              secret={v.secret}
              value={valueOf(v)}
              placeholder={v.secret ? 'secret: masked in output and record' : v.defaultText !== null && v.prefill === '' ? `default: ${v.defaultText}` : (v.description ?? '')}
              hintTestId="variable-default"
              hint={
                <>
                  {v.secret && v.defaultText !== null
                    ? 'A default is set (not shown: a secret)'
                    : v.defaultText !== null
                      ? `Default ${v.defaultFrom === 'front matter' ? 'from the front matter' : 'in the code'}: ${v.defaultText}`
                      : v.differing.length > 1
                        ? `Defaults differ by step: ${v.differing.join(', ')}`
                        : 'No default: the code only tests whether it is set'}
                  {v.defaultFrom === 'code' && ' — left as it is, your environment’s value (if any) or this default applies'}
                </>
              }
              onChange={setValue(v.name)}
            />
          ))}
        </fieldset>
      )}
      {errors > 0 && (
        <p className="start-blocked" role="alert" data-testid="start-blocked">
          {errors === 1 ? 'The parser found an error' : `The parser found ${errors} errors`} in this runbook: a run is refused until {errors === 1 ? 'it is' : 'they are'} fixed (see the list above the steps).
        </p>
      )}
      {runOpen && <p className="muted">Starting a new run seals the run that is open; with steps unfinished, only once you confirm each.</p>}
      <button type="submit" className="primary" disabled={busy || !operator.trim() || errors > 0}>
        Start run
      </button>
    </form>
  );
}
