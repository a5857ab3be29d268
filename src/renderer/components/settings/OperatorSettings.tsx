// Who the operator is: the name the start form offers and the record keeps (each run still names its operator).
import { type FormEvent, useState } from 'react';
import type { Preferences, RunbookApi } from '../../../shared/api.js';
import { useHostCall } from '../../hooks/useHostCall.js';

export function OperatorSettings({ api, preferences, onSaved }: { api: RunbookApi; preferences: Preferences; onSaved: (p: Preferences) => void }) {
  const [operator, setOperator] = useState(preferences.operator ?? '');
  const [saved, setSaved] = useState(false);
  const { error, call } = useHostCall();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const next = await call(() => api['settings.save']({ operator: operator.trim() || null }));
    if (next) onSaved(next);
    setSaved(next !== undefined);
  };
  return (
    <form className="panel settings-section" aria-label="Operator identity" onSubmit={submit}>
      <h2 className="panel-title">Operator identity</h2>
      <p className="muted">The name offered when you start a run. It goes into every record you make, so use the name an auditor knows you by.</p>
      <label className="field">
        <span>Name</span>
        <input aria-label="Operator name" value={operator} maxLength={200} onChange={(e) => setOperator(e.target.value)} placeholder="e.g. Alice Example (SRE)" />
      </label>
      <div className="row">
        <button type="submit" className="primary">
          Save identity
        </button>
        {saved && <span className="ok-text" data-testid="operator-saved">Saved.</span>}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <p className="muted small-text">
        Settings file: <code>{preferences.file}</code>
      </p>
    </form>
  );
}
