// What the run view shows besides the output: the run's state from the host, block starts and ends,
// the record timeline, and errors (open questions and approvals are part of the run's state). Output never comes through here (see terminals.ts).
import type { RunEvent, RunState } from '../../shared/run-api.js';

/** Every event but output, which goes straight to the terminals. */
export type UiEvent = Exclude<RunEvent, { type: 'output' }>;
export type BlockEnd = Extract<RunEvent, { type: 'block-end' }>;
export type RecordEvent = Extract<RunEvent, { type: 'record' }>;
/** What a step's timer did, as the host said (it keeps the timers): what the page alerts on. */
export type TimerNews = Extract<RunEvent, { type: 'timer' }>;

export interface BlockStatus {
  target: string;
  started: string;
  end: BlockEnd | null;
}

/** One run of a step (repeating checks run many times): when it began, how it ended, how long its blocks took. */
export interface StepRun {
  started: string;
  status: RunState['steps'][number]['status'];
  reason: string | null;
  durationMs: number;
}

/** An error to show the operator: from acting on a step (shown in that step's card), or global (stepId null). */
export interface ViewError {
  id: number;
  message: string;
  /** The API's error code when the host gave one (invalid-input, internal, …). */
  code: string | null;
  stepId: string | null;
}

/** What ended a step last, and when: the status, and the time (a block's end, else when the page heard of it). */
export interface StepDone {
  status: RunState['steps'][number]['status'];
  at: string;
}

/** What a person did to a step, as the timeline lists it: from the run's state (RunStepState.activity). */
export interface StepNote {
  stepId: string;
  kind: RunState['steps'][number]['activity'][number]['kind'];
  text: string;
  at: string;
  record: number;
}

/** Every step's activity (notes, decisions, marks, skips and their changes), for the timeline. */
export function activityNotes(state: RunState): StepNote[] {
  return state.steps.flatMap((s) => s.activity.map((a) => ({ stepId: s.id, kind: a.kind, text: a.reason ? `${a.text} — ${a.reason}` : a.text, at: a.at, record: a.record })));
}

export interface RunViewState {
  state: RunState;
  blocks: Record<string, BlockStatus>;
  /** Every run of each step, oldest first. */
  history: Record<string, StepRun[]>;
  records: RecordEvent[];
  errors: ViewError[];
  nextErrorId: number;
  /** Each step's last end (a final status), by step id. */
  done: Record<string, StepDone>;
  /** What the steps' timers did since this view began, oldest first. */
  timerNews: TimerNews[];
}

export type RunViewAction =
  | { type: 'state'; state: RunState }
  | { type: 'events'; events: UiEvent[] }
  | { type: 'error'; message: string; code?: string | null; stepId?: string | null }
  | { type: 'dismiss-error'; id: number }
  /** A call succeeded: global errors go, and so do the step's own (`stepId`) when it acted on one. */
  | { type: 'succeeded'; stepId?: string | null };

export const initialRunView = (state: RunState): RunViewState => ({ state, blocks: {}, history: {}, records: [], errors: [], nextErrorId: 1, done: {}, timerNews: [] });

function withError(view: RunViewState, message: string, code: string | null = null, stepId: string | null = null): RunViewState {
  // One error per place: a newer one replaces the last (the operator reads the latest, not a pile).
  const errors = stepId ? view.errors.filter((e) => e.stepId !== stepId) : view.errors;
  return { ...view, errors: [...errors, { id: view.nextErrorId, message, code, stepId }], nextErrorId: view.nextErrorId + 1 };
}

const FINAL = new Set(['succeeded', 'failed', 'skipped', 'cancelled', 'not-run']);

/** When the step's blocks ended, as the host timed them (block start plus duration), if any block ran. */
function blockEndTime(view: RunViewState, stepId: string): string | null {
  let latest: number | null = null;
  for (const block of Object.values(view.blocks)) {
    if (block.end?.stepId !== stepId || !block.started) continue;
    const end = Date.parse(block.started) + block.end.durationMs;
    if (Number.isFinite(end) && (latest === null || end > latest)) latest = end;
  }
  return latest === null ? null : new Date(latest).toISOString();
}

export function runViewReducer(view: RunViewState, action: RunViewAction): RunViewState {
  switch (action.type) {
    case 'state':
      return action.state.runId === view.state.runId ? { ...view, state: action.state } : view;
    case 'error':
      return withError(view, action.message, action.code ?? null, action.stepId ?? null);
    case 'dismiss-error':
      return { ...view, errors: view.errors.filter((e) => e.id !== action.id) };
    case 'succeeded': {
      const errors = view.errors.filter((e) => e.stepId !== null && e.stepId !== (action.stepId ?? null));
      return errors.length === view.errors.length ? view : { ...view, errors };
    }
    case 'events': {
      let next = view;
      for (const event of action.events) next = applyEvent(next, event);
      return next;
    }
  }
}

/** The step's history with its latest run changed (or a new run begun when `begin` is given and none is open). */
function withRun(view: RunViewState, stepId: string, change: (run: StepRun) => StepRun, begin?: string): RunViewState {
  const runs = view.history[stepId] ?? [];
  const last = runs.at(-1);
  if (last?.status === 'running') return { ...view, history: { ...view.history, [stepId]: [...runs.slice(0, -1), change(last)] } };
  if (begin === undefined) return view;
  return { ...view, history: { ...view.history, [stepId]: [...runs, change({ started: begin, status: 'running', reason: null, durationMs: 0 })] } };
}

function applyEvent(view: RunViewState, event: UiEvent): RunViewState {
  switch (event.type) {
    case 'block-start': {
      const next = { ...view, blocks: { ...view.blocks, [event.blockId]: { target: event.target, started: event.at, end: null } } };
      return withRun(next, event.stepId, (run) => run, event.at);
    }
    case 'block-end': {
      const before = view.blocks[event.blockId] ?? { target: '', started: '', end: null };
      const next = { ...view, blocks: { ...view.blocks, [event.blockId]: { ...before, end: event } } };
      return withRun(next, event.stepId, (run) => ({ ...run, durationMs: run.durationMs + event.durationMs }));
    }
    case 'step': {
      const steps = view.state.steps.map((s) => (s.id === event.stepId ? { ...s, status: event.status, reason: event.reason } : s));
      let next: RunViewState = { ...view, state: { ...view.state, steps } };
      if (FINAL.has(event.status)) {
        const at = (event.status === 'succeeded' || event.status === 'failed' || event.status === 'cancelled' ? blockEndTime(view, event.stepId) : null) ?? new Date().toISOString();
        next = { ...next, done: { ...next.done, [event.stepId]: { status: event.status, at } } };
        // A step that went on to succeed takes its earlier error with it.
        if (event.status === 'succeeded' && next.errors.some((e) => e.stepId === event.stepId)) next = { ...next, errors: next.errors.filter((e) => e.stepId !== event.stepId) };
      }
      return event.status === 'running' ? next : withRun(next, event.stepId, (run) => ({ ...run, status: event.status, reason: event.reason }));
    }
    case 'record':
      return { ...view, records: [...view.records, event] };
    case 'question':
    case 'approval':
    case 'store':
      // Questions, approval requests and shipping are read from the run's state, which these events make the view refresh.
      return view;
    case 'error':
      return withError(view, event.message);
    case 'timer':
      return { ...view, timerNews: [...view.timerNews, event] };
  }
}
