// Targets kept in settings: a table (with each ssh host key checked and trusted explicitly), a form to add
// one, and the whole set as YAML — the same shape as a CLI targets file. The host validates every save.
import { type FormEvent, useEffect, useState } from 'react';
import { parse, stringify } from 'yaml';
import type { RunbookApi, StoredTargets } from '../../../shared/api.js';
import type { TargetKind, TargetsFile } from '../../../shared/targets.js';
import { HostKeyCheck } from './HostKeyCheck.js';
import { TARGET_FIELDS, targetEndpoint, targetFromForm } from './target-fields.js';

const KINDS = Object.keys(TARGET_FIELDS) as TargetKind[];
import { errorMessage } from '../../lib/error-message.js';
import { useHostCall } from '../../hooks/useHostCall.js';

function AddTargetForm({ onAdd }: { onAdd: (name: string, target: Record<string, unknown>) => Promise<boolean> }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<TargetKind>('ssh');
  const [values, setValues] = useState<Record<string, string>>({});
  const [isProtected, setProtected] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await onAdd(name.trim(), targetFromForm(kind, values, isProtected))) {
      setName('');
      setValues({});
      setProtected(false);
    }
  };
  return (
    <form className="add-target" aria-label="Add a target" onSubmit={submit}>
      <h3>Add a target</h3>
      <div className="field-grid">
        <label className="field">
          <span>Name</span>
          <input aria-label="Target name" required value={name} onChange={(e) => setName(e.target.value)} placeholder="prod-db" />
        </label>
        <label className="field">
          <span>Kind</span>
          <select aria-label="Target kind" value={kind} onChange={(e) => setKind(e.target.value as TargetKind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        {TARGET_FIELDS[kind].map((field) => (
          <label key={`${kind}.${field.key}`} className="field">
            <span>
              {field.label}
              {field.required && ' *'}
            </span>
            {field.type === 'select' ? (
              <select aria-label={field.label} value={values[field.key] ?? ''} onChange={(e) => setValues({ ...values, [field.key]: e.target.value })}>
                {(field.options ?? []).map((o) => (
                  <option key={o} value={o}>
                    {o || '(default)'}
                  </option>
                ))}
              </select>
            ) : (
              <input
                aria-label={field.label}
                required={field.required}
                inputMode={field.type === 'number' ? 'numeric' : undefined}
                value={values[field.key] ?? ''}
                placeholder={field.placeholder}
                onChange={(e) => setValues({ ...values, [field.key]: e.target.value })}
              />
            )}
          </label>
        ))}
      </div>
      <label className="check">
        <input type="checkbox" checked={isProtected} onChange={(e) => setProtected(e.target.checked)} /> protected (changes need its name typed)
      </label>
      <button type="submit">Add target</button>
    </form>
  );
}

export function TargetsSettings({ api }: { api: RunbookApi }) {
  const [stored, setStored] = useState<StoredTargets | null>(null);
  // The YAML being edited, kept apart from what is saved: a save from the table or the form leaves it alone.
  const [draft, setDraft] = useState<{ text: string; base: string } | null>(null);
  const { error, setError, call } = useHostCall();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    void call(() => api['targets.get']({})).then((next) => next && setStored(next));
  }, [api, call]);

  const save = async (targets: TargetsFile): Promise<boolean> => {
    setSaved(false);
    const next = await call(() => api['targets.save']({ targets }));
    if (!next) return false;
    setStored(next);
    setSaved(true);
    return true;
  };

  const saveYaml = async (event: FormEvent) => {
    event.preventDefault();
    if (draft === null || !stored) return;
    // The draft began from the saved targets of that moment; a save since (a pinned key, say) would be lost.
    if (stringify(stored.targets) !== draft.base) {
      setError('the targets were saved from elsewhere while you edited the YAML (a pinned key, an added or removed target): copy your edits, discard them, and edit again');
      return;
    }
    let parsed: unknown;
    try {
      parsed = parse(draft.text) ?? { targets: {} };
    } catch (e) {
      setError(`YAML: ${errorMessage(e)}`);
      return;
    }
    // The host checks the shape; an invalid file is refused with the field named, and the draft is kept.
    if (await save(parsed as TargetsFile)) setDraft(null);
  };

  if (!stored) return <section className="panel settings-section">{error ? <p role="alert" className="error">{error}</p> : <p className="muted">Reading targets…</p>}</section>;
  const file = stored.targets;
  const names = Object.keys(file.targets);
  const savedYaml = stringify(file);
  const yamlText = draft?.text ?? savedYaml;
  return (
    <section className="panel settings-section" aria-label="Targets" data-testid="targets-settings">
      <h2 className="panel-title">Targets</h2>
      <p className="muted">
        Where code blocks run. A block names its target in its fence (<code>{'{"target":"NAME"}'}</code>), or takes the default for its kind; the run view lets you pick another before running. Built in: <code>local</code>, this machine.
      </p>
      {error && (
        <p role="alert" className="error" data-testid="targets-error">
          {error}
        </p>
      )}
      {saved && !error && (
        <p className="ok-text" data-testid="targets-saved">
          Saved to {stored.file}
        </p>
      )}
      {names.length === 0 ? (
        <p className="muted">No targets yet.</p>
      ) : (
        <table className="result-table targets-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Where</th>
              <th>Host key</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {names.map((name) => {
              const target = file.targets[name] as TargetsFile['targets'][string];
              return (
                <tr key={name} data-testid="target-row" data-target={name}>
                  <td>
                    <strong>{name}</strong>
                    {target.protected && <span className="badge profile-restricted">protected</span>}
                    {Object.values(file.defaults ?? {}).includes(name) && <span className="badge">default</span>}
                  </td>
                  <td>{target.kind}</td>
                  <td className="mono">{targetEndpoint(target)}</td>
                  <td>
                    {target.kind === 'ssh' ? (
                      <HostKeyCheck
                        api={api}
                        name={name}
                        pinned={target.fingerprint}
                        onTrust={async (fingerprint) => {
                          if (!(await save({ ...file, targets: { ...file.targets, [name]: { ...target, fingerprint } } }))) throw new Error('the fingerprint was not saved');
                        }}
                      />
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="small danger"
                      onClick={() => {
                        const { [name]: _removed, ...rest } = file.targets;
                        // Defaults naming the removed target go with it.
                        const defaults = Object.fromEntries(Object.entries(file.defaults ?? {}).filter(([, target]) => target !== name));
                        void save(Object.keys(defaults).length ? { targets: rest, defaults } : { targets: rest });
                      }}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <AddTargetForm
        onAdd={(name, target) => {
          if (Object.hasOwn(file.targets, name)) {
            setError(`a target named "${name}" exists; edit it in the YAML below`);
            return Promise.resolve(false);
          }
          return save({ ...file, targets: { ...file.targets, [name]: target as TargetsFile['targets'][string] } });
        }}
      />
      <form className="targets-yaml" onSubmit={saveYaml}>
        <h3>All targets as YAML</h3>
        <p className="muted small-text">The same format as a targets file for <code>runbook run --targets</code>; passwords never go here (use passwordEnv or passwordSecret).</p>
        <textarea aria-label="Targets YAML" spellCheck={false} rows={Math.min(24, Math.max(6, yamlText.split('\n').length + 1))} value={yamlText} onChange={(e) => setDraft({ text: e.target.value, base: draft?.base ?? savedYaml })} />
        <div className="row">
          <button type="submit" disabled={draft === null}>
            Save YAML
          </button>
          {draft !== null && (
            <button type="button" onClick={() => setDraft(null)}>
              Discard edits
            </button>
          )}
          {draft !== null && <span className="muted small-text">unsaved edits</span>}
        </div>
      </form>
    </section>
  );
}
