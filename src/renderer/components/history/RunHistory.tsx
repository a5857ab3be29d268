// Past runs of the runs directory: each with its state (running, unfinished, sealed, exported), operator,
// runbook title and start time, and its verification on demand; an unfinished run can be resumed (it goes
// on in the same journal). Nothing else here changes a run.
import { useCallback } from 'react';
import type { RunbookApi } from '../../../shared/api.js';
import type { PastRun } from '../../../shared/history-api.js';
import { shellQuote } from '../../../shared/shell-quote.js';
import { useListing } from '../../hooks/useListing.js';
import { VerdictLine } from './VerdictLine.js';

export function RunHistory({ api, onResume }: { api: RunbookApi; onResume?: ((run: PastRun) => void) | undefined }) {
  const read = useCallback(() => api['history.list']({}), [api]);
  const verifyPast = useCallback((runId: string) => api['history.verify']({ runId }), [api]);
  const { listing, error, verdicts, load, verify } = useListing(read, verifyPast);
  const runs = listing?.runs ?? null;
  const runsDir = listing?.runsDir ?? '';
  return (
    <section className="panel run-history" aria-label="Past runs" data-testid="run-history">
      <h2 className="panel-title">Past runs</h2>
      <p className="muted small-text">
        In <span className="mono">{runsDir}</span>{' '}
        <button type="button" className="link" onClick={() => void load()}>
          Refresh
        </button>
      </p>
      {error && (
        <p role="alert" className="error" data-testid="history-error">
          {error}
        </p>
      )}
      {runs && runs.length === 0 && <p className="muted">No runs yet.</p>}
      {runs && runs.length > 0 && (
        <table className="history-table">
          <HistoryHead />
          <tbody>
            {runs.map((run) => {
              const verdict = verdicts[run.runId];
              return (
                <tr key={run.runId} data-testid="past-run" data-run-id={run.runId} data-state={run.state}>
                  <td>
                    <span data-testid="past-run-title">{run.title}</span>
                    <div className="muted small-text mono" title={run.dir}>
                      {run.runId}
                    </div>
                  </td>
                  <td data-testid="past-run-operator">{run.operator}</td>
                  <td className="mono small-text">{run.startedAt}</td>
                  <td>
                    <span className={`badge run-state-${run.state}`} data-testid="past-run-state" title={run.holder ?? undefined}>
                      {run.state}
                    </span>
                    {run.state === 'unfinished' && (
                      <div className="muted small-text">
                        not sealed; nobody holds it: resume it, or close it with <span className="mono">runbook recover {shellQuote(run.dir)}</span>
                      </div>
                    )}
                    {run.state === 'unfinished' && onResume && (
                      <button type="button" className="primary" data-testid="resume-button" onClick={() => onResume(run)}>
                        Resume<span className="offscreen"> {run.title}</span>
                      </button>
                    )}
                  </td>
                  <td>
                    <button type="button" disabled={verdict === 'busy'} onClick={() => void verify(run.runId)}>
                      Verify
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

/** The columns both run lists share (this machine's runs, the team store's). */
export function HistoryHead() {
  return (
    <thead>
      <tr>
        <th>Runbook</th>
        <th>Operator</th>
        <th>Started</th>
        <th>State</th>
        <th>Verify</th>
      </tr>
    </thead>
  );
}
