// One step of a run: header with status and profile, the body, sub-checks, blanks, code blocks with their
// live output, and what the operator can do — run, cancel, skip, mark, note, decide or sign off.
import { memo } from 'react';
import type { RunStepState } from '../../../shared/run-api.js';
import type { Runbook, Step } from '../../../shared/runbook-model.js';
import { stepOutcome } from '../../lib/step-outcome.js';
import type { BlockStatus, StepDone, StepRun, ViewError } from '../../run/run-view-state.js';
import { useRunActions } from '../../run/useRun.js';
import { ErrorNote } from '../Banners.js';
import type { StepTimer } from '../../../shared/step-timers.js';
import { Markdown } from '../Markdown.js';
import { ProfileBadge } from '../ProfileBadge.js';
import { BlockPanel } from './BlockPanel.js';
import { DecisionControls } from './DecisionControls.js';
import { FillInFields } from './FillInFields.js';
import { MissingValuesForm } from '../library/MissingValuesForm.js';
import { SignoffForm } from './SignoffForm.js';
import { StepNotes } from '../StepNotes.js';
import { StepActions } from './StepActions.js';
import { StepTimerPanel } from './StepTimerPanel.js';
import { StepReason, StepStatusBadge, StepWho } from './StepStatus.js';
import { SubChecks } from './SubChecks.js';

export interface RunStepCardProps {
  step: Step;
  state: RunStepState;
  blocks: Record<string, BlockStatus>;
  selected: boolean;
  blocked: boolean;
  finished: boolean;
  operator: string;
  onSelect: (stepId: string) => void;
  onRun: (stepId: string) => void;
  onCancel: () => void;
  onDecided: (stepId: string, decision: string) => void;
  onBind: (stepId: string, blockId: string, target: string) => void;
  timer: StepTimer | undefined;
  history: StepRun[];
  /** Sign-off steps: the journal's last record now (a sign-off signed elsewhere must sign it off). */
  head: number | null;
  onTimerStart: (stepId: string) => void;
  onTimerStop: (stepId: string) => void;
  /** The runbook, for where a decision's choices lead. */
  runbook?: Runbook;
  /** The steps the run shows, in order: what a decision's choice would pass over. */
  order?: readonly string[];
  /** Errors from acting on this step (shown here, not at the top). */
  errors?: readonly ViewError[];
  /** When the step last ended. */
  done?: StepDone | undefined;
}

const NO_ERRORS: readonly ViewError[] = [];

const ACTIVITY_LABEL: Record<RunStepState['activity'][number]['kind'], string> = { note: 'Note', decision: 'Decision', mark: 'Mark', skip: 'Skip', change: 'Changed', signoff: 'Sign-off', fillin: 'Filled in', target: 'Target' };

/** What people did to the step, oldest first, each from its journal record: who, when, what, and why. */
function StepActivity({ activity }: { activity: RunStepState['activity'] }) {
  if (activity.length === 0) return null;
  return (
    <ul className="operator-notes" data-testid="step-notes" aria-label="What was done">
      {activity.map((a) => (
        <li key={a.record} className={`activity-${a.kind}`} data-kind={a.kind}>
          <span className="muted small-text">
            {ACTIVITY_LABEL[a.kind]} · {a.by} · <time dateTime={a.at}>{new Date(a.at).toLocaleTimeString([], { hour12: false })}</time> · record {a.record}:
          </span>{' '}
          {a.text}
          {a.reason && <span className="activity-reason"> — {a.reason}</span>}
        </li>
      ))}
    </ul>
  );
}

function StepErrors({ errors }: { errors: readonly ViewError[] }) {
  const { dispatch } = useRunActions();
  if (errors.length === 0) return null;
  return (
    <div className="step-errors">
      {errors.map((e) => (
        <ErrorNote key={e.id} message={e.message} code={e.code} testId="error-banner" onDismiss={() => dispatch({ type: 'dismiss-error', id: e.id })} />
      ))}
    </div>
  );
}

export const RunStepCard = memo(function RunStepCard(props: RunStepCardProps) {
  const { step, state, blocks, selected, blocked, finished } = props;
  const blockExpected = new Set(step.blocks.flatMap((b) => b.expected));
  const proseExpected = step.expected.filter((e) => !blockExpected.has(e));
  const errors = props.errors ?? NO_ERRORS;
  return (
    <article
      className={`step run-step kind-${step.kind} status-${state.status} tone-${stepOutcome(state).tone}${selected ? ' selected' : ''}`}
      data-testid="run-step"
      data-step-id={step.id}
      data-status={state.status}
      data-decision={state.decision ?? undefined}
      aria-label={step.title}
      aria-current={selected ? 'step' : undefined}
      onClick={() => props.onSelect(step.id)}
    >
      <header className="step-header">
        <StepStatusBadge state={state} />
        <span className="step-title" data-testid="step-title">
          {step.title}
        </span>
        <ProfileBadge profile={step.profile} />
        {step.kind !== 'step' && (
          <span className="badge kind-badge" data-testid="step-kind">
            {step.kind}
          </span>
        )}
        <span className="step-line">line {step.line}</span>
      </header>
      <StepWho state={state} done={props.done} operator={props.operator} />
      {state.passedOver && (
        <p className={`passed-over passed-over-${state.passedOver.kind}`} data-testid="passed-over" data-kind={state.passedOver.kind} data-decision={state.passedOver.decision}>
          <strong>{state.passedOver.kind === 'skip' ? 'Skipped by a decision' : 'Not for this run: the run stops before it'}</strong>: {state.passedOver.reason}. It is done only if you override that.
        </p>
      )}
      <StepReason state={state.passedOver ? { ...state, reason: null } : state} showManual={step.kind === 'step'} />
      <Markdown text={step.body} className="step-body" />
      <StepNotes notes={step.notes} />
      <SubChecks step={step} disabled={finished} />
      <MissingValuesForm state={state} disabled={finished} />
      {step.kind !== 'signoff' && <FillInFields step={step} state={state} disabled={finished} />}
      {proseExpected.length > 0 && (
        <ul className="expected">
          {proseExpected.map((e, i) => (
            <li key={i}>Expected: {e}</li>
          ))}
        </ul>
      )}
      <StepTimerPanel step={step} timer={props.timer} history={props.history} finished={finished} onStart={props.onTimerStart} onStop={props.onTimerStop} />
      {step.blocks.map((b) => (
        <BlockPanel
          key={b.id}
          stepId={step.id}
          block={b}
          target={state.targets[b.id]}
          choices={state.choices[b.id] ?? []}
          verdict={state.verdicts[b.id]}
          canRebind={!finished && state.status !== 'running' && !state.hidden}
          onBind={(target) => props.onBind(step.id, b.id, target)}
          status={blocks[b.id]}
        />
      ))}
      {step.kind === 'decision' && <DecisionControls step={step} state={state} disabled={finished || Boolean(state.passedOver)} onDecided={(d) => props.onDecided(step.id, d)} runbook={props.runbook} order={props.order} />}
      {step.kind === 'signoff' && <SignoffForm step={step} state={state} disabled={finished} operator={props.operator} head={props.head} />}
      <StepActivity activity={state.activity} />
      <StepErrors errors={errors} />
      <StepActions
        title={step.title}
        state={state}
        markable={step.kind === 'step' || step.kind === 'manual' || step.kind === 'input'}
        byHand={state.manual !== null && step.kind !== 'signoff' && step.kind !== 'decision'}
        blocked={blocked}
        finished={finished}
        onRun={() => props.onRun(step.id)}
        onCancel={props.onCancel}
      />
    </article>
  );
});
