// Who the operator is: the name the start form offers and the record keeps (each run still names its operator).
import { type FormEvent, useState } from 'react';
import type { Preferences, RunbookApi } from '../../../shared/api.js';

export function OperatorSettings({ api, preferences, onSaved }: { api: RunbookApi; preferences: Preferences; onSaved: (p: Preferences) => void }) {
  const [operator, setOperator] = useState(preferences.operator ?? '');
  const [state, setState] = useState<{ saved: boolean; error: string | null }>({ saved: false, error: null });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      onSaved(await api['settings.save']({ operator: operator.trim() || null }));
      setState({ saved: true, error: null });
    } catch (e) {
      setState({ saved: false, error: e instanceof Error ? e.message : String(e) });
    }
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
        {state.saved && <span className="ok-text" data-testid="operator-saved">Saved.</span>}
      </div>
      {state.error && (
        <p role="alert" className="error">
          {state.error}
        </p>
      )}
      <p className="muted small-text">
        Settings file: <code>{preferences.file}</code>
      </p>
    </form>
  );
}
