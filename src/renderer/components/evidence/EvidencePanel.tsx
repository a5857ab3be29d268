// The run's evidence: what is being recorded, and the auditor's side — verify, seal, export.
import type { StoreShippingState } from '../../../shared/run-api.js';
import type { Step } from '../../../shared/runbook-model.js';
import { type RunViewState, activityNotes } from '../../run/run-view-state.js';
import { NewKeyNotice } from '../NewKeyNotice.js';
import { ExportForm } from './ExportForm.js';
import { RecordTimeline } from './RecordTimeline.js';
import { SealBox } from './SealBox.js';
import { VerifyBox } from './VerifyBox.js';

export function EvidencePanel({ view, steps }: { view: RunViewState; steps?: Map<string, Step> }) {
  const { state } = view;
  return (
    <section className="evidence" aria-label="Evidence">
      <h2 className="panel-title">Evidence</h2>
      <dl className="facts">
        <dt>Run</dt>
        <dd className="mono" title={state.dir}>
          {state.runId.slice(0, 8)}
        </dd>
        <dt>Operator</dt>
        <dd>{state.operator}</dd>
        <dt>Profile</dt>
        <dd>{state.profile.toUpperCase()}</dd>
        <dt>Status</dt>
        <dd data-testid="run-status">{state.status}</dd>
        <dt>Records</dt>
        <dd data-testid="records-count">{state.records}</dd>
        {state.store && (
          <>
            <dt>Team store</dt>
            <dd data-testid="store-shipping" className={state.store.diverged || state.store.problem ? 'warnings' : undefined} title={state.store.shown}>
              {storeLine(state.store)}
            </dd>
          </>
        )}
        {state.installationKey && (
          <>
            <dt>Seal key</dt>
            <dd className="mono small-text" data-testid="run-seal-key" title={state.installationKey.publicKeyFile}>
              {state.installationKey.fingerprint}
            </dd>
          </>
        )}
      </dl>
      {state.installationKey?.created && <NewKeyNotice facts={state.installationKey} />}
      <p className="muted small-text file-path" title="Where the record is kept">
        {state.dir}
      </p>
      <VerifyBox />
      <SealBox state={state} />
      <ExportForm state={state} />
      <h3>Timeline</h3>
      <RecordTimeline records={view.records} notes={activityNotes(state)} steps={steps} />
    </section>
  );
}

/** Where the run's records stand in the team store, in words (the lag is what the store does not hold yet). */
function storeLine(store: StoreShippingState): string {
  if (store.diverged) return `stopped: ${store.diverged}`;
  const records = store.lag === 0 ? `all ${store.shipped} records held` : `${store.shipped} of ${store.local} held, ${store.lag} behind`;
  const held = store.blobs > 0 ? `${records}, ${store.blobs} file${store.blobs === 1 ? '' : 's'} still to send` : records;
  const gate = store.gate ? ' · state-changing steps wait for it' : '';
  return `${held}${store.problem ? ` — ${store.problem}` : ''}${gate}`;
}
