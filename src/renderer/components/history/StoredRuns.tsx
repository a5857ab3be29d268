// The team's runs in the store this console ships to (Settings → Team store): whoever ran them, from any
// machine — start, state, profile, operator and the login that shipped it, runbook and its hash, how much of
// it is sealed — each verified on demand as `runbook store verify --run` would (this installation's key
// pinned: another installation's seal shows as not anchored here, which is the truth of it).
import { useCallback } from 'react';
import type { RunbookApi } from '../../../shared/api.js';
import { useListing } from '../../hooks/useListing.js';
import { HistoryHead } from './RunHistory.js';
import { VerdictLine } from './VerdictLine.js';

export function StoredRuns({ api }: { api: RunbookApi }) {
  const read = useCallback(() => api['history.store']({}), [api]);
  const verifyStored = useCallback((runId: string) => api['history.storeVerify']({ runId }), [api]);
  const { listing, error, verdicts, load, verify } = useListing(read, verifyStored);
  if (listing && listing.store === null && !error) return null;
  return (
    <section className="panel run-history" aria-label="Team store runs" data-testid="stored-runs">
      <h2 className="panel-title">The team's runs</h2>
      <p className="muted small-text">
        In the team store <span className="mono">{listing?.store ?? ''}</span>{' '}
        <button type="button" className="link" onClick={() => void load()}>
          Refresh
        </button>
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {listing && listing.runs.length === 0 && <p className="muted">No runs in the store yet.</p>}
      {listing && listing.runs.length > 0 && (
        <table className="history-table">
          <HistoryHead />
          <tbody>
            {listing.runs.map((run) => {
              const verdict = verdicts[run.runId];
              return (
                <tr key={run.runId} data-testid="stored-run" data-run-id={run.runId} data-state={run.state}>
                  <td>
                    {run.title}
                    <div className="muted small-text mono">{run.runId}</div>
                    <div className="muted small-text mono" title="The runbook's SHA-256 as run">
                      sha256 {run.runbookSha256.slice(0, 16)}…
                    </div>
                  </td>
                  <td>
                    {run.operator}
                    <div className="muted small-text">shipped by {run.shippedBy}</div>
                  </td>
                  <td className="mono small-text">{run.started}</td>
                  <td>
                    <span className="badge">{run.state}</span>
                    <div className="muted small-text">
                      {run.profile} · {run.records} records{run.sealedSize === null ? ', not sealed' : `, sealed at ${run.sealedSize}`}
                    </div>
                  </td>
                  <td>
                    <button type="button" disabled={verdict === 'busy'} onClick={() => void verify(run.runId)}>
                      Verify<span className="offscreen"> {run.title}</span>
                    </button>
                    {verdict && verdict !== 'busy' && <VerdictLine result={verdict} />}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
