// Named secrets for targets (a postgres target's passwordSecret), kept by the OS secret store. A value is
// typed once into a password field and sent to the host; only names ever come back.
import { type FormEvent, useEffect, useState } from 'react';
import type { ApiOutput, RunbookApi } from '../../../shared/api.js';
import { useHostCall } from '../../hooks/useHostCall.js';

export function SecretsSettings({ api }: { api: RunbookApi }) {
  const [list, setList] = useState<ApiOutput<'secrets.list'> | null>(null);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const { error, call } = useHostCall();
  const change = async (work: () => Promise<ApiOutput<'secrets.list'>>) => {
    const next = await call(work);
    if (next) setList(next);
    return next !== undefined;
  };
  useEffect(() => {
    void call(() => api['secrets.list']({})).then((next) => next && setList(next));
  }, [api, call]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await change(() => api['secrets.save']({ name: name.trim(), value }))) {
      setName('');
      setValue('');
    }
  };
  return (
    <section className="panel settings-section" aria-label="Secrets" data-testid="secrets-settings">
      <h2 className="panel-title">Secrets</h2>
      <p className="muted">
        Passwords a target names with <code>passwordSecret</code>, kept encrypted by the OS secret store. Without one, set <code>passwordEnv</code> or type the password when the console asks.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {list && !list.available && <p data-testid="secrets-unavailable">{list.reason}</p>}
      {list && list.names.length > 0 && (
        <ul className="agent-keys">
          {list.names.map((n) => (
            <li key={n} className="row">
              <span className="mono">{n}</span>
              <button type="button" className="small danger" onClick={() => void change(() => api['secrets.remove']({ name: n }))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {list?.available && (
        <form className="row" onSubmit={submit}>
          <input aria-label="Secret name" value={name} onChange={(e) => setName(e.target.value)} placeholder="prod-db" required />
          <input aria-label="Secret value" type="password" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" required />
          <button type="submit" className="small">
            Save secret
          </button>
        </form>
      )}
    </section>
  );
}
