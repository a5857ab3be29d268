// One step of a run: header with status and profile, the body, sub-checks, blanks, code blocks with their
// live output, and what the operator can do — run, cancel, skip, mark, note, decide or sign off.
import { memo } from 'react';
import type { RunStepState } from '../../../shared/run-api.js';
import type { Runbook, Step } from '../../../shared/runbook-model.js';
import type { BlockStatus, StepRun } from '../../run/run-view-state.js';
import type { StepTimer } from '../../run/step-timers.js';
import { Markdown } from '../Markdown.js';
import { ProfileBadge } from '../ProfileBadge.js';
import { BlockPanel } from './BlockPanel.js';
import { DecisionControls } from './DecisionControls.js';
import { FillInFields } from './FillInFields.js';
import { SignoffForm } from './SignoffForm.js';
import { StepNotes } from '../StepNotes.js';
import { StepActions } from './StepActions.js';
import { StepTimerPanel } from './StepTimerPanel.js';
import { StepReason, StepStatusBadge } from './StepStatus.js';
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
}

export const RunStepCard = memo(function RunStepCard(props: RunStepCardProps) {
  const { step, state, blocks, selected, blocked, finished } = props;
  const blockExpected = new Set(step.blocks.flatMap((b) => b.expected));
  const proseExpected = step.expected.filter((e) => !blockExpected.has(e));
  return (
    <article
      className={`step run-step kind-${step.kind} status-${state.status}${selected ? ' selected' : ''}`}
      data-testid="run-step"
      data-step-id={step.id}
      data-status={state.status}
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
      <StepReason state={state} showManual={step.kind === 'step'} />
      <Markdown text={step.body} className="step-body" />
      <StepNotes notes={step.notes} />
      <SubChecks step={step} disabled={finished} />
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
          block={b}
          target={state.targets[b.id]}
          choices={state.choices[b.id] ?? []}
          verdict={state.verdicts[b.id]}
          canRebind={!finished && state.status !== 'running' && !state.hidden}
          onBind={(target) => props.onBind(step.id, b.id, target)}
          status={blocks[b.id]}
        />
      ))}
      {step.kind === 'decision' && <DecisionControls step={step} state={state} disabled={finished} onDecided={(d) => props.onDecided(step.id, d)} runbook={props.runbook} />}
      {step.kind === 'signoff' && <SignoffForm step={step} state={state} disabled={finished} operator={props.operator} head={props.head} />}
      <StepActions
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
