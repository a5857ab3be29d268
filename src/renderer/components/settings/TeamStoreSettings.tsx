// The team evidence store (docs/store.md): the PostgreSQL store every run started here ships its records to,
// the named secret holding its password (never the URL), whether state-changing steps wait for it, and how
// long a RESTRICTED approval request through it stays open. Main reads the URL again before keeping it.
import { type FormEvent, useState } from 'react';
import type { Preferences, RunbookApi } from '../../../shared/api.js';
import type { StoreSettings } from '../../../shared/settings.js';
import { useHostCall } from '../../hooks/useHostCall.js';

type Gate = 'default' | 'on' | 'off';

export function TeamStoreSettings({ api, preferences, onSaved }: { api: RunbookApi; preferences: Preferences; onSaved: (p: Preferences) => void }) {
  const { error, call } = useHostCall();
  const current = preferences.store;
  const [url, setUrl] = useState(current?.url ?? '');
  const [secret, setSecret] = useState(current?.passwordSecret ?? '');
  const [gate, setGate] = useState<Gate>(current?.gate === undefined ? 'default' : current.gate ? 'on' : 'off');
  const [timeout, setTimeoutSeconds] = useState(current?.approvalTimeoutSeconds ? String(current.approvalTimeoutSeconds) : '');
  const save = async (store: StoreSettings | null) => {
    const next = await call(() => api['settings.save']({ store }));
    if (next) onSaved(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const seconds = Number(timeout);
    void save({
      url: url.trim(),
      ...(secret.trim() ? { passwordSecret: secret.trim() } : {}),
      ...(gate === 'default' ? {} : { gate: gate === 'on' }),
      ...(timeout.trim() && Number.isInteger(seconds) ? { approvalTimeoutSeconds: seconds } : {}),
    });
  };
  return (
    <section className="panel settings-section" aria-label="Team store" data-testid="store-settings">
      <h2 className="panel-title">Team store</h2>
      <p className="muted small-text">
        A PostgreSQL database every run started here ships its records to as they are written, so the evidence outlives this machine; RESTRICTED approvals can be answered through it from another machine (<code>runbook approve</code>). Set it up once with <code>runbook store init</code>.
      </p>
      {!current && preferences.storeFrom === 'environment' && <p className="small-text">Runs ship to the store the host was started with (--store or $RUNBOOK_STORE_URL) while none is saved here.</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <form onSubmit={submit}>
        <label className="field">
          <span>Store URL (no password in it)</span>
          <input aria-label="Store URL" className="mono" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="postgresql://alice@evidence.example:5432/runbooks?sslmode=verify-full&sslrootcert=/etc/ssl/evidence-ca.pem" required />
        </label>
        <label className="field">
          <span>Password: the name of a secret (Secrets, below); empty: $RUNBOOK_STORE_PASSWORD</span>
          <input aria-label="Store password secret" value={secret} onChange={(e) => setSecret(e.target.value)} placeholder="team-store" />
        </label>
        <label className="field">
          <span>State-changing steps wait until the store holds every record</span>
          <select aria-label="Store gate" value={gate} onChange={(e) => setGate(e.target.value as Gate)}>
            <option value="default">RESTRICTED runs only (default)</option>
            <option value="on">Every run</option>
            <option value="off">Never (recorded in each run)</option>
          </select>
        </label>
        <label className="field">
          <span>RESTRICTED: an approval request through the store stays open (seconds; default 900)</span>
          <input aria-label="Approval timeout" inputMode="numeric" value={timeout} onChange={(e) => setTimeoutSeconds(e.target.value)} placeholder="900" />
        </label>
        <div className="row">
          <button type="submit" className="small" disabled={!url.trim()}>
            Save team store
          </button>
          {current && (
            <button type="button" className="small" onClick={() => void save(null)}>
              Ship nowhere
            </button>
          )}
          {current && (
            <span className="muted small-text" data-testid="store-in-use">
              in use: {current.url}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
