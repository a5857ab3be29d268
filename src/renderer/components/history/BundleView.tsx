// An exported bundle opened read only: its report's run and steps (commands, exit codes, output excerpts as
// the report shows them) and its verification. No run actions: nothing in a bundle can be run or recorded.
import { type FormEvent, useState } from 'react';
import type { RunbookApi } from '../../../shared/api.js';
import type { OpenedBundle } from '../../../shared/history-api.js';
import type { VerifyResult } from '../../../shared/run-api.js';
import { errorMessage } from '../../lib/error-message.js';
import { VerdictLine } from './VerdictLine.js';

export function BundleView({ api }: { api: RunbookApi }) {
  const [path, setPath] = useState('');
  const [bundle, setBundle] = useState<OpenedBundle | null>(null);
  const [verdict, setVerdict] = useState<VerifyResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const open = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setVerdict(null);
    try {
      setBundle(await api['bundle.open']({ path: path.trim() }));
    } catch (e) {
      setBundle(null);
      setError(errorMessage(e));
    }
  };
  const verify = async () => {
    if (!bundle) return;
    setBusy(true);
    try {
      setVerdict(await api['bundle.verify']({ path: bundle.path }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel bundle-view" aria-label="Exported bundle" data-testid="bundle-view">
      <h2 className="panel-title">Open an exported bundle (read only)</h2>
      <form className="row" onSubmit={open}>
        <input aria-label="Bundle path" className="grow" value={path} placeholder="/path/to/bundle" onChange={(e) => setPath(e.target.value)} />
        <button type="submit" disabled={!path.trim()}>
          Open bundle
        </button>
      </form>
      {error && (
        <p role="alert" className="error" data-testid="bundle-error">
          {error}
        </p>
      )}
      {bundle && (
        <div data-testid="bundle" data-run-id={bundle.runId} data-readonly="true">
          <h3 data-testid="bundle-title">{bundle.title}</h3>
          <p>
            Run <span className="mono">{bundle.runId}</span> by <span data-testid="bundle-operator">{bundle.operator}</span> ({bundle.profile}), {bundle.startedAt} – {bundle.endedAt}:{' '}
            <strong data-testid="bundle-outcome">{bundle.outcome}</strong>
          </p>
          <p className="muted small-text">{bundle.files.length} files. Read only: nothing in a bundle can be run or recorded.</p>
          <button type="button" onClick={() => void verify()} disabled={busy}>
            Verify bundle
          </button>
          {verdict && <VerdictLine result={verdict} />}
          <ol className="bundle-steps">
            {bundle.steps.map((s) => (
              <li key={s.id} data-testid="bundle-step" data-status={s.status}>
                <strong>{s.title}</strong> — <span data-testid="bundle-step-status">{s.status}</span>
                {s.reason && <span className="muted"> ({s.reason})</span>}
                {s.blocks.map((b) => (
                  <div key={b.id} className="bundle-block">
                    <pre className="mono">{b.command}</pre>
                    <div className="small-text">
                      {b.status}
                      {b.exitCode !== null && `, exit ${b.exitCode}`}
                    </div>
                    {b.excerpt && (
                      <pre className="mono output-excerpt" data-testid="bundle-excerpt">
                        {b.excerpt}
                        {b.excerptTruncated ? '\n…' : ''}
                      </pre>
                    )}
                  </div>
                ))}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
