// What the operator can do with a step: run it, cancel it, skip it with a reason, mark it, add a note.
import { useState } from 'react';
import type { RunStepState } from '../../../shared/run-api.js';
import { useRunActions } from '../../run/useRun.js';
import { ReasonForm } from './ReasonForm.js';

export interface StepActionsProps {
  /** The step's title: each control is named by it ("Run <title>", "Skip <title>"…) for a screen reader. */
  title: string;
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

export function StepActions({ title, state, markable, byHand = false, blocked, finished, onRun, onCancel }: StepActionsProps) {
  const { act } = useRunActions();
  const [open, setOpen] = useState<'skip' | 'note' | 'fail' | 'override' | 'unskip' | 'change-pass' | 'change-fail' | null>(null);
  const running = state.status === 'running';
  const runnable = state.manual === null;
  // A recorded decision led away from this step: nothing is done with it until the operator overrides that.
  const passedOver = state.passedOver ?? null;
  // A skipped or succeeded step is settled: a note says more about it, a skip would rewrite what happened.
  const settled = state.status === 'skipped' || state.status === 'succeeded';
  // A recorded mark is final: the other one is a change, recorded with the operator's reason.
  const mark = (verdict: 'pass' | 'fail') => {
    if (state.mark !== null && state.mark !== verdict) setOpen(verdict === 'pass' ? 'change-pass' : 'change-fail');
    else void act((api, runId) => api['runs.record']({ runId, stepId: state.id, kind: 'mark', verdict }), state.id);
  };
  // Skipped by the operator (not by a decision): done, until the skip is taken back with a reason.
  const skipped = state.status === 'skipped' && passedOver === null;
  const ok = (result: unknown) => result !== undefined;

  return (
    <div className="step-actions">
      <div className="row">
        {runnable && !running && !skipped && (
          <button type="button" className="primary" onClick={onRun} disabled={blocked || finished || passedOver !== null} data-testid="run-button">
            {/* Named "Run <title>" (… "again") from its content, so the visible words stay part of the name. */}
            Run<span className="offscreen"> {title}</span>
            {state.status === 'pending' ? '' : ' again'}
          </button>
        )}
        {running && (
          <button type="button" className="danger" onClick={onCancel} data-testid="cancel-button" aria-label={`Cancel ${title}`}>
            Cancel
          </button>
        )}
        <button type="button" onClick={() => setOpen(open === 'skip' ? null : 'skip')} disabled={finished || running || settled} data-testid="skip-button" aria-label={`Skip ${title}`}>
          Skip…
        </button>
        {markable && byHand && (
          <span className="mark-buttons" role="group" aria-label="Settle the step">
            <button type="button" className={`go${state.mark === 'pass' ? ' pressed' : ''}`} aria-pressed={state.mark === 'pass'} onClick={() => mark('pass')} disabled={finished || state.status === 'skipped' || passedOver !== null || state.mark === 'pass'} data-testid="done-button" aria-label={`Done: ${title}`}>
              ✓ Done
            </button>
            <button type="button" className={state.mark === 'fail' ? 'pressed' : undefined} aria-pressed={state.mark === 'fail'} onClick={() => (state.mark === 'pass' ? mark('fail') : setOpen(open === 'fail' ? null : 'fail'))} disabled={finished || state.status === 'skipped' || passedOver !== null || state.mark === 'fail'} data-testid="failed-button" aria-label={`Failed: ${title}`}>
              ✗ Failed…
            </button>
          </span>
        )}
        {markable && !byHand && (
          <span className="mark-buttons" role="group" aria-label="Mark the step">
            <button type="button" className={state.mark === 'pass' ? 'pressed' : undefined} aria-pressed={state.mark === 'pass'} onClick={() => mark('pass')} disabled={finished || skipped || state.mark === 'pass'} aria-label={`Pass ${title}`}>
              ✓ Pass
            </button>
            <button type="button" className={state.mark === 'fail' ? 'pressed' : undefined} aria-pressed={state.mark === 'fail'} onClick={() => mark('fail')} disabled={finished || skipped || state.mark === 'fail'} aria-label={`Fail ${title}`}>
              ✗ Fail
            </button>
          </span>
        )}
        <button type="button" onClick={() => setOpen(open === 'note' ? null : 'note')} disabled={finished} aria-label={`Note on ${title}`}>
          Note…
        </button>
        {skipped && (
          <button type="button" onClick={() => setOpen(open === 'unskip' ? null : 'unskip')} disabled={finished} data-testid="unskip-button" title="A skip is final: taking it back is recorded with your reason">
            {/* Named "Undo skip of <title>" from its content, so the visible words stay part of the name. */}
            Undo skip<span className="offscreen"> of {title}</span>…
          </button>
        )}
        {passedOver && (
          <button type="button" onClick={() => setOpen(open === 'override' ? null : 'override')} disabled={finished || running} data-testid="override-button" aria-label={`Override for ${title}`} title="Do this step although the decision passed it over (recorded)">
            Override…
          </button>
        )}
      </div>
      {open === 'override' && passedOver && (
        <ReasonForm
          label={`Why do this step although ${passedOver.reason}? (recorded)`}
          submitLabel="Override the decision for this step"
          onClose={() => setOpen(null)}
          onSubmit={async (reason) => ok(await act((api, runId) => api['runs.override']({ runId, stepId: state.id, reason }), state.id))}
        />
      )}
      {open === 'unskip' && (
        <ReasonForm
          label="Why take the skip back? (recorded)"
          submitLabel="Undo the skip"
          onClose={() => setOpen(null)}
          onSubmit={async (reason) => ok(await act((api, runId) => api['runs.override']({ runId, stepId: state.id, reason }), state.id))}
        />
      )}
      {(open === 'change-pass' || open === 'change-fail') && (
        <ReasonForm
          label={`The step is marked ${state.mark === 'pass' ? 'passed' : 'failed'}. Why change that to ${open === 'change-pass' ? 'passed' : 'failed'}? (recorded)`}
          submitLabel={open === 'change-pass' ? 'Change the mark to passed' : 'Change the mark to failed'}
          onClose={() => setOpen(null)}
          onSubmit={async (change) => ok(await act((api, runId) => api['runs.record']({ runId, stepId: state.id, kind: 'mark', verdict: open === 'change-pass' ? 'pass' : 'fail', change }), state.id))}
        />
      )}
      {open === 'skip' && (
        <ReasonForm
          label="Why is this step skipped?"
          submitLabel="Skip step"
          onClose={() => setOpen(null)}
          onSubmit={async (reason) => ok(await act((api, runId) => api['runs.skip']({ runId, stepId: state.id, reason }), state.id))}
        />
      )}
      {open === 'fail' && (
        <ReasonForm
          label="What went wrong? (recorded)"
          submitLabel="Mark failed"
          onClose={() => setOpen(null)}
          onSubmit={async (note) => ok(await act((api, runId) => api['runs.record']({ runId, stepId: state.id, kind: 'mark', verdict: 'fail', note }), state.id))}
        />
      )}
      {open === 'note' && (
        <ReasonForm
          label="Note for the record"
          submitLabel="Add note"
          onClose={() => setOpen(null)}
          onSubmit={async (text) => {
            return ok(await act((api, runId) => api['runs.record']({ runId, stepId: state.id, kind: 'note', text }), state.id));
          }}
        />
      )}
    </div>
  );
}
