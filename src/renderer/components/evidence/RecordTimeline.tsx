// The records this view saw being written (decisions, sign-offs, notes, the checkpoint), newest first.
import type { RecordEvent } from '../../run/run-view-state.js';

export function RecordTimeline({ records }: { records: RecordEvent[] }) {
  if (records.length === 0) return <p className="muted small-text">No decisions, sign-offs or notes yet.</p>;
  return (
    <ul className="timeline" data-testid="timeline">
      {[...records].reverse().map((r) => (
        <li key={`${r.seq}`}>
          <span className="mono">#{r.record}</span> <strong>{r.recordType}</strong> <time className="muted">{new Date(r.time).toLocaleTimeString()}</time>
        </li>
      ))}
    </ul>
  );
}
