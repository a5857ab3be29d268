// Finishes the run and seals its record (runs.finish); the ticket line goes into the change ticket.
import { useState } from 'react';
import type { RunState } from '../../../shared/run-api.js';
import { useRunActions } from '../../run/useRun.js';
import { CopyButton } from '../CopyButton.js';

export function SealBox({ state }: { state: RunState }) {
  const { act } = useRunActions();
  const [busy, setBusy] = useState(false);
  const finish = async () => {
    setBusy(true);
    await act((api, runId) => api['runs.finish']({ runId }));
    setBusy(false);
  };
  if (!state.seal) {
    return (
      <div className="evidence-box">
        <button type="button" className="primary" onClick={finish} disabled={busy || state.status === 'running'} title={state.status === 'running' ? 'A step is running' : undefined}>
          Finish and seal
        </button>
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
