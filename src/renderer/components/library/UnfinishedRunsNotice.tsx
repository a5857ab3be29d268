// After the app or `serve` restarted: the runs of the runs directory that stopped without being sealed (and
// that nobody holds), each offered back with Resume — it goes on in the same journal.
import { useEffect, useState } from 'react';
import type { RunbookApi } from '../../../shared/api.js';
import type { PastRun } from '../../../shared/history-api.js';

export function UnfinishedRunsNotice({ api, onResume }: { api: RunbookApi; onResume: (run: PastRun) => void }) {
  const [runs, setRuns] = useState<PastRun[]>([]);
  useEffect(() => {
    let gone = false;
    api['history.list']({}).then(
      (listed) => {
        if (!gone) setRuns(listed.runs.filter((r) => r.state === 'unfinished'));
      },
      () => {},
    );
    return () => {
      gone = true;
    };
  }, [api]);
  if (runs.length === 0) return null;
  return (
    <section className="notice unfinished-runs" aria-label="Unfinished runs" data-testid="unfinished-runs">
      <p>
        <strong>{runs.length === 1 ? 'A run was not finished' : `${runs.length} runs were not finished`}</strong> (the console was stopped while it ran). Resume goes on in the same record.
      </p>
      <ul>
        {runs.map((run) => (
          <li key={run.runId} data-run-id={run.runId}>
            {run.title} · {run.operator} · started <time dateTime={run.startedAt}>{run.startedAt}</time>{' '}
            <button type="button" className="primary" onClick={() => onResume(run)}>
              Resume<span className="offscreen"> {run.title}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
