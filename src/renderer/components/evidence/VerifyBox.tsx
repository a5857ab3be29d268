// Checks the run's record as an auditor would (runs.verify): intact or the reason code, and warnings.
import { useState } from 'react';
import type { ApiOutput } from '../../../shared/api.js';
import { useRunActions } from '../../run/useRun.js';

export function VerifyBox() {
  const { act } = useRunActions();
  const [result, setResult] = useState<ApiOutput<'runs.verify'> | null>(null);
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    setBusy(true);
    setResult((await act((api, runId) => api['runs.verify']({ runId }))) ?? null);
    setBusy(false);
  };
  return (
    <div className="evidence-box">
      <button type="button" onClick={verify} disabled={busy}>
        Verify
      </button>
      {result && (
        <div className={`verify-result ${result.ok ? 'ok' : 'bad'}`} data-testid="verify-result">
          <strong>{result.ok ? 'Intact' : `Failed: ${result.code ?? 'unknown'}`}</strong> <span>{result.detail}</span>
          {result.warnings.length > 0 && (
            <ul>
              {result.warnings.map((w, i) => (
                <li key={i}>
                  <span className="mono">{w.code}</span> {w.detail}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
