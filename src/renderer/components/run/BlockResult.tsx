// How a block ended — status, exit code, duration, endpoint, notes — beside what the runbook expected.
import type { OutputComparison } from '../../../shared/run-api.js';
import type { BlockEnd } from '../../run/run-view-state.js';
import { ResultTable } from './ResultTable.js';

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const DIFF_MARK = { same: ' ', expected: '-', actual: '+', gap: '…', elided: '⋯' } as const;

/** A transcript's example output beside what the block printed: the same, or where they differ. */
export function ComparisonView({ comparison }: { comparison: OutputComparison }) {
  return (
    <div className={`comparison ${comparison.same ? 'same' : 'differs'}`} data-testid="output-comparison" data-same={comparison.same}>
      <p className="comparison-verdict">
        {comparison.same ? '✓ Output matches the runbook’s example output.' : '≠ Output differs from the runbook’s example output'}
        <span className="muted"> (an example, never a check)</span>
      </p>
      {!comparison.same && (
        <>
          <p className="muted small-text">
            <span className="diff-expected">- the example</span> · <span className="diff-actual">+ what it printed</span>
          </p>
          <pre className="diff" data-testid="output-diff" tabIndex={0} role="group" aria-label="Example output against what it printed">
            {comparison.diff.map((line, i) => (
              <div key={i} className={`diff-${line.kind}`} data-kind={line.kind}>
                {DIFF_MARK[line.kind]} {line.kind === 'elided' ? `${line.count ?? 0} matching line${line.count === 1 ? '' : 's'}` : line.text}
              </div>
            ))}
          </pre>
          {comparison.truncated && <p className="muted small-text">Shortened: the whole output is in the run record.</p>}
        </>
      )}
    </div>
  );
}

/**
 * The result of query `index` of a block of several: its own result set (the executor answers one per query,
 * in order), or, where the block stopped, why — and the queries after it were not run.
 */
export function QueryResult({ end, index, count }: { end: BlockEnd; index: number; count: number }) {
  const set = end.resultSets[index];
  if (set) return <ResultTable set={set} />;
  const stoppedHere = index === end.resultSets.length && end.status !== 'succeeded';
  return (
    <p className={`query-result ${stoppedHere ? 'block-error' : 'muted'}`} data-testid="query-result" data-state={stoppedHere ? 'failed' : 'not-run'}>
      {stoppedHere ? `${end.status}${end.error ? `: ${end.error}` : ''}` : index < count ? 'not run: an earlier query did not answer' : ''}
    </p>
  );
}

export function BlockResult({ end, expected, perQuery = false }: { end: BlockEnd | null; expected: string[]; perQuery?: boolean }) {
  return (
    <div className="block-result">
      {end ? (
        <div className="block-end" data-testid="block-end" data-status={end.status}>
          <span className={`status-pill pill-${end.status}`}>{end.status}</span>
          {end.exitCode !== null && <span>exit {end.exitCode}</span>}
          {end.signal && <span>signal {end.signal}</span>}
          <span>{duration(end.durationMs)}</span>
          <span className="muted">on {end.endpoint}</span>
          {end.verdict && <span className={`verdict verdict-${end.verdict}`}>check: {end.verdict}</span>}
          {end.error && <p className="block-error">{end.error}</p>}
          {end.notes.length > 0 && (
            <ul className="notes">
              {end.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <div className="block-end running" data-testid="block-running">
          <span className="status-pill pill-running">running</span>
        </div>
      )}
      {expected.length > 0 && (
        <ul className="expected" data-testid="expected">
          {expected.map((e, i) => (
            <li key={i}>Expected: {e}</li>
          ))}
        </ul>
      )}
      {end?.comparison && <ComparisonView comparison={end.comparison} />}
      {!perQuery && end?.resultSets.map((set, i) => <ResultTable key={i} set={set} />)}
    </div>
  );
}
