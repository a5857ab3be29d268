// The records this view saw being written (decisions, sign-offs, notes, the checkpoint), newest first, with
// what people did to steps beside them (notes, decisions, marks, skips and changes, from the run's state).
import type { Step } from '../../../shared/runbook-model.js';
import type { RecordEvent, StepNote } from '../../run/run-view-state.js';

type Entry = { key: string; at: string; record: RecordEvent | null; note: StepNote | null };

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour12: false });

export function RecordTimeline({ records, notes = [], steps }: { records: RecordEvent[]; notes?: readonly StepNote[]; steps?: Map<string, Step> | undefined }) {
  if (records.length === 0 && notes.length === 0) return <p className="muted small-text">No decisions, sign-offs or notes yet.</p>;
  const entries: Entry[] = [...records.map((r) => ({ key: `r${r.seq}`, at: r.time, record: r, note: null })), ...notes.map((n, i) => ({ key: `n${i}`, at: n.at, record: null, note: n }))];
  // Newest first, by record number; what a person did goes just above the record that says so.
  const seq = (e: Entry) => e.record?.record ?? e.note?.record ?? 0;
  entries.sort((a, b) => seq(b) - seq(a) || (a.note ? -1 : 1));
  return (
    <ul className="timeline" data-testid="timeline">
      {entries.map((e) =>
        e.record ? (
          <li key={e.key}>
            <span className="mono">#{e.record.record}</span> <strong>{e.record.recordType}</strong> <time className="muted">{clock(e.record.time)}</time>
          </li>
        ) : (
          <li key={e.key} className="timeline-note" data-testid="timeline-note">
            <time className="muted">{clock(e.at)}</time> {e.note?.kind} on <em>{steps?.get(e.note?.stepId ?? '')?.title ?? e.note?.stepId}</em>: {e.note?.text}
          </li>
        ),
      )}
    </ul>
  );
}
