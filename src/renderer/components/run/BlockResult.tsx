// How a block ended — status, exit code, duration, endpoint, notes — beside what the runbook expected.
import type { BlockEnd } from '../../run/run-view-state.js';
import { ResultTable } from './ResultTable.js';

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function BlockResult({ end, expected }: { end: BlockEnd | null; expected: string[] }) {
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
      {end?.resultSets.map((set, i) => <ResultTable key={i} set={set} />)}
    </div>
  );
}
