// Finishes the run and seals its record (runs.finish), once the operator confirmed it in the seal dialog;
// the ticket line goes into the change ticket.
import { useState } from 'react';
import { SealDialog, type SealConfirmation } from './SealDialog.js';
import type { RunState } from '../../../shared/run-api.js';
import { useRunActions } from '../../run/useRun.js';
import { CopyButton } from '../CopyButton.js';

export function SealBox({ state }: { state: RunState }) {
  const { act } = useRunActions();
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const finish = async (confirmation: SealConfirmation) => {
    setBusy(true);
    const sealed = await act((api, runId) => api['runs.finish']({ runId, ...confirmation }));
    setBusy(false);
    if (sealed !== undefined) setAsking(false);
  };
  if (!state.seal) {
    return (
      <div className="evidence-box">
        <button type="button" className="primary" onClick={() => setAsking(true)} disabled={busy || state.status === 'running'} title={state.status === 'running' ? 'A step is running' : undefined}>
          Finish and seal…
        </button>
        {asking && <SealDialog state={state} action="finish" onConfirm={finish} onClose={() => setAsking(false)} />}
      </div>
    );
  }
  return (
    <div className="evidence-box sealed" data-testid="seal">
      <p>
        Sealed at {state.seal.size} records. Paste this line into the change ticket:
      </p>
      <div className="row">
        <code className="ticket-line" data-testid="ticket-line">
          {state.seal.ticketLine}
        </code>
        <CopyButton text={state.seal.ticketLine} />
      </div>
    </div>
  );
}
