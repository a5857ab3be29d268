// The run: sections with progress on the left, the steps in the middle, the evidence on the right.
// Nothing runs without the operator's click (or Enter on the selected step).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunbookApi } from '../../../shared/api.js';
import type { RunState, RunStepState } from '../../../shared/run-api.js';
import type { Runbook, Section, Step } from '../../../shared/runbook-model.js';
import { useRunKeys } from '../../hooks/useRunKeys.js';
import { runProgress, visibleStepIds } from '../../lib/progress.js';
import { decisionTarget } from '../../lib/runbook-facts.js';
import type { StepDone, StepRun, ViewError } from '../../run/run-view-state.js';
import { Announcer, NowRunning } from './RunStatusBar.js';
import type { StepTimer } from '../../../shared/step-timers.js';
import { RunContext, useRun } from '../../run/useRun.js';
import { useStepTimers } from '../../run/useStepTimers.js';
import type { ThemeName } from '../../terminal/terminals.js';
import { ErrorBanners, NoticeBanner, ProblemsBanner, TimerAlerts } from '../Banners.js';
import { EvidencePanel } from '../evidence/EvidencePanel.js';
import { ApprovalModal } from './ApprovalModal.js';
import { QuestionModal } from './QuestionModal.js';
import { RunStepCard, type RunStepCardProps } from './RunStepCard.js';
import { SectionsSidebar } from './SectionsSidebar.js';
import { StepNotes } from '../StepNotes.js';

type CardShared = Omit<RunStepCardProps, 'step' | 'state' | 'selected' | 'timer' | 'history' | 'head' | 'errors' | 'done'>;

interface SectionProps {
  section: Section;
  docTitle: string;
  steps: Map<string, Step>;
  states: Map<string, RunStepState>;
  selected: string | null;
  timers: Record<string, StepTimer>;
  history: Record<string, StepRun[]>;
  /** The journal's last record: what a sign-off made now signs off (only sign-off cards get it). */
  head: number | null;
  /** Errors and ends of the run's steps (each card gets its own). */
  extras: StepExtras;
  shared: CardShared;
}

interface StepExtras {
  errors: Map<string, ViewError[]>;
  done: Record<string, StepDone>;
}

const NO_ERRORS: ViewError[] = [];
const groupBy = <T extends { stepId: string | null }>(items: readonly T[]) => {
  const map = new Map<string, T[]>();
  for (const item of items) if (item.stepId) map.set(item.stepId, [...(map.get(item.stepId) ?? []), item]);
  return map;
};

const NO_RUNS: StepRun[] = [];

function RunSection({ section, docTitle, steps, states, selected, timers, history, head, extras, shared }: SectionProps) {
  const own = section.stepIds.filter((id) => states.get(id)?.hidden === false);
  const hasVisible = (s: Section): boolean => s.stepIds.some((id) => states.get(id)?.hidden === false) || s.sections.some(hasVisible);
  if (!hasVisible(section)) return null;
  // Under the page's h1 (the runbook's title): a ## section is an h2, ### an h3 (no level skipped).
  const Heading = `h${Math.min(Math.max(section.depth, 2), 6)}` as 'h2';
  return (
    <section className="section" data-section-id={section.id}>
      {section.title && !(section.depth <= 1 && section.title === docTitle) && <Heading className="section-title">{section.title}</Heading>}
      {section.notes.length > 0 && (
        <div className="section-notes">
          <StepNotes notes={section.notes} />
        </div>
      )}
      {own.map((id) => {
        const step = steps.get(id);
        const state = states.get(id);
        return step && state ? (
          <RunStepCard
            key={id}
            step={step}
            state={state}
            selected={selected === id}
            timer={timers[id]}
            history={history[id] ?? NO_RUNS}
            head={step.kind === 'signoff' ? head : null}
            errors={extras.errors.get(id) ?? NO_ERRORS}
            done={extras.done[id]}
            {...shared}
          />
        ) : null;
      })}
      {section.sections.map((child) => (
        <RunSection key={child.id} section={child} docTitle={docTitle} steps={steps} states={states} selected={selected} timers={timers} history={history} head={head} extras={extras} shared={shared} />
      ))}
    </section>
  );
}

const byAttr = (attr: string, value: string) => document.querySelector<HTMLElement>(`[${attr}="${CSS.escape(value)}"]`);

export interface RunViewProps {
  api: RunbookApi;
  runbook: Runbook;
  initial: RunState;
  theme: ThemeName;
  /** False while another page (Settings) covers the run: keys are left alone, questions call it back. */
  active: boolean;
  onAttention: () => void;
  onNewRun: () => void;
}

export function RunView({ api, runbook, initial, theme, active, onAttention, onNewRun }: RunViewProps) {
  const { view, actions, trouble } = useRun(api, initial, theme);
  const { state } = view;
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const steps = useMemo(() => new Map(runbook.steps.map((s) => [s.id, s])), [runbook]);
  const states = useMemo(() => new Map(state.steps.map((s) => [s.id, s])), [state.steps]);
  // The steps shown, in order: the same array while the hidden steps stay the same (fixed at start), so the
  // memoised step cards it is passed to are not drawn again for every change of the run's state.
  const hiddenKey = state.steps.flatMap((s) => (s.hidden ? [s.id] : [])).join('\n');
  const order = useMemo(() => visibleStepIds(runbook, state), [runbook, hiddenKey]);
  const progress = useMemo(() => runProgress(runbook, state), [runbook, state]);
  const running = state.steps.find((s) => s.status === 'running')?.id ?? null;
  const finished = state.status === 'finished';
  const { act } = actions;
  const statesRef = useRef(states);
  statesRef.current = states;

  const select = useCallback((stepId: string, scroll = true) => {
    setSelected(stepId);
    if (scroll) byAttr('data-step-id', stepId)?.scrollIntoView({ block: 'nearest' });
  }, []);
  const run = useCallback(
    (stepId: string) => {
      setSelected(stepId);
      void act((a, runId) => a['runs.runStep']({ runId, stepId }), stepId);
    },
    [act],
  );
  const cancel = useCallback(() => void act((a, runId) => a['runs.cancel']({ runId })), [act]);
  const onDecided = useCallback(
    (stepId: string, decision: string) => {
      const target = decisionTarget(runbook, stepId, decision, (id) => statesRef.current.get(id)?.hidden === false);
      if (!target) {
        setNotice(null);
        return;
      }
      setNotice(`${decision} recorded: continue with “${target.title}”.`);
      if (target.sectionId) byAttr('data-section-id', target.sectionId)?.scrollIntoView({ block: 'start' });
      else if (target.stepId) byAttr('data-step-id', target.stepId)?.scrollIntoView({ block: 'nearest' });
      if (target.stepId) setSelected(target.stepId);
    },
    [runbook],
  );
  const onSelect = useCallback((id: string) => select(id, false), [select]);
  const onBind = useCallback((stepId: string, blockId: string, target: string) => void act((a, runId) => a['runs.bind']({ runId, stepId, blockId, target }), stepId), [act]);
  // The host keeps the timers: the page starts and stops them and shows what the host says they did.
  const timerAct = useCallback((stepId: string, action: 'start' | 'stop') => void act((a, runId) => a['runs.timer']({ runId, stepId, action }), stepId), [act]);
  const timers = useStepTimers({ api, steps, states, history: view.history, news: view.timerNews, act: timerAct });
  const question = state.questions[0];
  const approval = state.approvals[0];
  const attention = question !== undefined || approval !== undefined || timers.alerts.length > 0;
  useEffect(() => {
    if (attention && !active) onAttention();
  }, [attention, active, onAttention]);

  useRunKeys({
    order,
    selected,
    select,
    run: (stepId) => {
      const s = states.get(stepId);
      if (s && s.manual === null && !s.passedOver && !running && !finished) run(stepId);
    },
    cancel: () => {
      if (running) cancel();
    },
    enabled: active && state.questions.length === 0 && state.approvals.length === 0,
  });

  const globalErrors = useMemo(() => view.errors.filter((e) => e.stepId === null), [view.errors]);
  const extras = useMemo<StepExtras>(() => ({ errors: groupBy(view.errors), done: view.done }), [view.errors, view.done]);

  const shared: CardShared = {
    blocks: view.blocks,
    blocked: running !== null || finished,
    finished,
    operator: state.operator,
    onSelect,
    onRun: run,
    onCancel: cancel,
    onDecided,
    onBind,
    onTimerStart: timers.start,
    onTimerStop: timers.stop,
    runbook,
    order,
  };

  return (
    <RunContext.Provider value={actions}>
      <div className="run-layout" data-testid="run-view" data-run-status={state.status}>
        <aside className="sidebar">
          <h1 className="run-title" data-testid="run-title">
            {runbook.title}
          </h1>
          <p className="muted small-text">
            {state.operator} · {state.profile.toUpperCase()}
            {state.hiddenCount > 0 && ` · ${state.hiddenCount} hidden by profile`}
          </p>
          <SectionsSidebar progress={progress} onJump={(id) => byAttr('data-section-id', id)?.scrollIntoView({ block: 'start' })} />
          <button type="button" className="new-run" onClick={onNewRun} disabled={running !== null || state.questions.length > 0 || state.approvals.length > 0} title={running ? 'A step is running: cancel it or wait' : undefined}>
            {finished ? 'New run…' : 'Back to the runbook'}
          </button>
        </aside>
        <main className="run-main">
          <NowRunning runbook={runbook} state={state} blocks={view.blocks} history={view.history} />
          <ErrorBanners errors={trouble ? [{ id: 0, message: trouble, code: null }, ...globalErrors] : globalErrors} onDismiss={(id) => actions.dispatch({ type: 'dismiss-error', id })} />
          <ProblemsBanner problems={state.problems} />
          <NoticeBanner text={notice} />
          <TimerAlerts alerts={timers.alerts} onDismiss={timers.dismiss} />
          {runbook.sections.map((section) => (
            <RunSection key={section.id} section={section} docTitle={runbook.title} steps={steps} states={states} selected={selected} timers={timers.timers} history={view.history} head={state.head?.seq ?? null} extras={extras} shared={shared} />
          ))}
        </main>
        <EvidencePanel view={view} steps={steps} />
      </div>
      <Announcer steps={steps} state={state} />
      {question && <QuestionModal key={question.questionId} question={question} />}
      {!question && approval && (
        <ApprovalModal key={approval.approvalId} approval={approval} step={steps.get(approval.stepId)} block={steps.get(approval.stepId)?.blocks.find((b) => b.id === approval.blockId)} />
      )}
    </RunContext.Provider>
  );
}
