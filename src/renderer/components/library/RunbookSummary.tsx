// The open runbook at a glance: title, file, steps, code blocks, profile markers and parser warnings.
import type { Runbook } from '../../../shared/runbook-model.js';
import { PROFILE_LABEL, profileMarkers } from '../../lib/runbook-facts.js';

export function RunbookSummary({ runbook }: { runbook: Runbook }) {
  const markers = profileMarkers(runbook);
  const marked = markers.standard + markers.regulated + markers.restricted;
  const blocks = runbook.steps.flatMap((s) => s.blocks);
  const runnable = blocks.filter((b) => b.action !== 'display').length;
  return (
    <section className="panel runbook-summary" data-testid="runbook-summary">
      <h2 className="panel-title">{runbook.title}</h2>
      {runbook.file && <p className="muted file-path">{runbook.file}</p>}
      <dl className="facts">
        <dt>Steps</dt>
        <dd data-testid="summary-steps">{runbook.steps.length}</dd>
        <dt>Code blocks</dt>
        <dd>
          {blocks.length} ({runnable} runnable)
        </dd>
        <dt>Profile markers</dt>
        <dd data-testid="summary-markers">
          {marked}
          {marked > 0 &&
            ` (${(Object.keys(markers) as (keyof typeof markers)[])
              .filter((p) => markers[p] > 0)
              .map((p) => `${markers[p]} ${PROFILE_LABEL[p]}`)
              .join(', ')})`}
        </dd>
        <dt>sha256</dt>
        <dd className="mono">{runbook.sha256.slice(0, 16)}…</dd>
      </dl>
    </section>
  );
}
