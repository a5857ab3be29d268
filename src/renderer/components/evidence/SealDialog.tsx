// Sealing is final (Finish, Export): this asks first, naming each step sealing would leave unfinished, and in
// REGULATED and above asks why (the reason is journaled). Main checks the same again: the page only shows
// main's list (RunState.unfinished) and sends back what the operator confirmed.
import { type FormEvent, useEffect, useId, useState } from 'react';
import type { RunState, UnfinishedKind } from '../../../shared/run-api.js';
import { plural } from '../../lib/words.js';

const WHY: Record<UnfinishedKind, string> = {
  'not-run': 'not run',
  failed: 'failed',
  cancelled: 'cancelled',
  running: 'still running',
  'decision-pending': 'decision not made',
  'signoff-missing': 'sign-off missing',
  'not-done': 'not marked done',
};

export interface SealConfirmation {
  unfinished: string[];
  reason?: string;
}

export function SealDialog({ state, action, onConfirm, onClose }: { state: RunState; action: 'finish' | 'export' | 'replace'; onConfirm: (confirmation: SealConfirmation) => Promise<void>; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const unfinished = state.unfinished;
  // REGULATED and above: sealing with anything unfinished needs a reason (main refuses without one).
  const reasonRequired = unfinished.length > 0 && state.profile !== 'standard';
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (reasonRequired && !reason.trim()) return;
    setBusy(true);
    await onConfirm({ unfinished: unfinished.map((u) => u.stepId), ...(reason.trim() ? { reason: reason.trim() } : {}) });
    setBusy(false);
  };
  const sealLabel = action === 'export' ? 'Seal and export' : action === 'replace' ? 'Seal it and go on' : 'Seal the run';
  return (
    <div className="modal-backdrop">
      <form className="modal seal-dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="seal-dialog" onSubmit={submit}>
        <h2 id={titleId} className="panel-title">
          {action === 'replace' && 'Another run takes the open run\'s place. '}
          {unfinished.length > 0 ? `Seal the run with ${plural(unfinished.length, 'step')} unfinished?` : 'Seal the run?'}
        </h2>
        <p>
          Sealing is final: the record is signed and nothing more can be recorded in this run.
          {action === 'export' && ' Export seals the run first.'}
          {action === 'replace' && ' To keep it open, cancel: go back to it and finish it, or stop the console and Resume it later.'}
        </p>
        {unfinished.length > 0 ? (
          <ul className="unfinished-list" aria-label="Unfinished steps" data-testid="unfinished-steps" tabIndex={0}>
            {unfinished.map((u) => (
              <li key={u.stepId} data-kind={u.what}>
                <strong>{u.title}</strong> — {WHY[u.what]}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">Every step is done, skipped with a reason, or passed over by a decision.</p>
        )}
        {unfinished.length > 0 && (
          <label className="field">
            <span>{reasonRequired ? `Why seal early? Profile ${state.profile.toUpperCase()} requires a reason (recorded)` : 'Why seal early? (optional, recorded)'}</span>
            <textarea aria-label="Why seal early" value={reason} rows={2} onChange={(e) => setReason(e.target.value)} required={reasonRequired} />
          </label>
        )}
        <div className="row">
          <button type="submit" className={unfinished.length > 0 ? 'danger' : 'primary'} disabled={busy || (reasonRequired && !reason.trim())}>
            {sealLabel}
          </button>
          {/* Focused first: a stray Enter does not seal. */}
          <button type="button" onClick={onClose} autoFocus>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
