// What the operator can do with a step: run it, cancel it, skip it with a reason, mark it, add a note.
import { useState } from 'react';
import type { RunStepState } from '../../../shared/run-api.js';
import { useRunActions } from '../../run/useRun.js';
import { ReasonForm } from './ReasonForm.js';

export interface StepActionsProps {
  state: RunStepState;
  /** Pass/fail marks are for ordinary steps; decisions and sign-offs record their own outcome. */
  markable: boolean;
  /** Nothing to run: the mark is the step's outcome (Done sets it succeeded, Failed failed). */
  byHand?: boolean;
  /** Another step is running, or the run is finished: this one cannot start now. */
  blocked: boolean;
  finished: boolean;
  onRun: () => void;
  onCancel: () => void;
}

export function StepActions({ state, markable, byHand = false, blocked, finished, onRun, onCancel }: StepActionsProps) {
  const { act } = useRunActions();
  const [open, setOpen] = useState<'skip' | 'note' | 'fail' | null>(null);
  const running = state.status === 'running';
  const runnable = state.manual === null;
  // A skipped or succeeded step is settled: a note says more about it, a skip would rewrite what happened.
  const settled = state.status === 'skipped' || state.status === 'succeeded';
  const mark = (verdict: 'pass' | 'fail') => void act((api, runId) => api['runs.record']({ runId, stepId: state.id, kind: 'mark', verdict }));
  const ok = (result: unknown) => result !== undefined;

  return (
    <div className="step-actions">
      <div className="row">
        {runnable && !running && (
          <button type="button" className="primary" onClick={onRun} disabled={blocked || finished} data-testid="run-button">
            {state.status === 'pending' ? 'Run' : 'Run again'}
          </button>
        )}
        {running && (
          <button type="button" className="danger" onClick={onCancel} data-testid="cancel-button">
            Cancel
          </button>
        )}
        <button type="button" onClick={() => setOpen(open === 'skip' ? null : 'skip')} disabled={finished || running || settled} data-testid="skip-button">
          Skip…
        </button>
        {markable && byHand && (
          <span className="mark-buttons" role="group" aria-label="Settle the step">
            <button type="button" className={`go${state.mark === 'pass' ? ' pressed' : ''}`} aria-pressed={state.mark === 'pass'} onClick={() => mark('pass')} disabled={finished || state.status === 'skipped'} data-testid="done-button">
              ✓ Done
            </button>
            <button type="button" className={state.mark === 'fail' ? 'pressed' : undefined} aria-pressed={state.mark === 'fail'} onClick={() => setOpen(open === 'fail' ? null : 'fail')} disabled={finished || state.status === 'skipped'} data-testid="failed-button">
              ✗ Failed…
            </button>
          </span>
        )}
        {markable && !byHand && (
          <span className="mark-buttons" role="group" aria-label="Mark the step">
            <button type="button" className={state.mark === 'pass' ? 'pressed' : undefined} aria-pressed={state.mark === 'pass'} onClick={() => mark('pass')} disabled={finished}>
              ✓ Pass
            </button>
            <button type="button" className={state.mark === 'fail' ? 'pressed' : undefined} aria-pressed={state.mark === 'fail'} onClick={() => mark('fail')} disabled={finished}>
              ✗ Fail
            </button>
          </span>
        )}
        <button type="button" onClick={() => setOpen(open === 'note' ? null : 'note')} disabled={finished}>
          Note…
        </button>
      </div>
      {open === 'skip' && (
        <ReasonForm
          label="Why is this step skipped?"
          submitLabel="Skip step"
          onClose={() => setOpen(null)}
          onSubmit={async (reason) => ok(await act((api, runId) => api['runs.skip']({ runId, stepId: state.id, reason })))}
        />
      )}
      {open === 'fail' && (
        <ReasonForm
          label="What went wrong? (recorded)"
          submitLabel="Mark failed"
          onClose={() => setOpen(null)}
          onSubmit={async (note) => ok(await act((api, runId) => api['runs.record']({ runId, stepId: state.id, kind: 'mark', verdict: 'fail', note })))}
        />
      )}
      {open === 'note' && (
        <ReasonForm
          label="Note for the record"
          submitLabel="Add note"
          onClose={() => setOpen(null)}
          onSubmit={async (text) => ok(await act((api, runId) => api['runs.record']({ runId, stepId: state.id, kind: 'note', text })))}
        />
      )}
    </div>
  );
}
