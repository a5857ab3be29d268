// What the run view shows besides the output: the run's state from the host, block starts and ends,
// the record timeline, and errors (open questions and approvals are part of the run's state). Output never comes through here (see terminals.ts).
import type { RunEvent, RunState } from '../../shared/run-api.js';

/** Every event but output, which goes straight to the terminals. */
export type UiEvent = Exclude<RunEvent, { type: 'output' }>;
export type BlockEnd = Extract<RunEvent, { type: 'block-end' }>;
export type RecordEvent = Extract<RunEvent, { type: 'record' }>;

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

export interface RunViewState {
  state: RunState;
  blocks: Record<string, BlockStatus>;
  /** Every run of each step, oldest first. */
  history: Record<string, StepRun[]>;
  records: RecordEvent[];
  errors: { id: number; message: string }[];
  nextErrorId: number;
}

export type RunViewAction =
  | { type: 'state'; state: RunState }
  | { type: 'events'; events: UiEvent[] }
  | { type: 'error'; message: string }
  | { type: 'dismiss-error'; id: number };

export const initialRunView = (state: RunState): RunViewState => ({ state, blocks: {}, history: {}, records: [], errors: [], nextErrorId: 1 });

function withError(view: RunViewState, message: string): RunViewState {
  return { ...view, errors: [...view.errors, { id: view.nextErrorId, message }], nextErrorId: view.nextErrorId + 1 };
}

export function runViewReducer(view: RunViewState, action: RunViewAction): RunViewState {
  switch (action.type) {
    case 'state':
      return action.state.runId === view.state.runId ? { ...view, state: action.state } : view;
    case 'error':
      return withError(view, action.message);
    case 'dismiss-error':
      return { ...view, errors: view.errors.filter((e) => e.id !== action.id) };
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
      const next = { ...view, state: { ...view.state, steps } };
      return event.status === 'running' ? next : withRun(next, event.stepId, (run) => ({ ...run, status: event.status, reason: event.reason }));
    }
    case 'record':
      return { ...view, records: [...view.records, event] };
    case 'question':
    case 'approval':
      // Questions and approval requests are read from the run's state, which these events make the view refresh.
      return view;
    case 'error':
      return withError(view, event.message);
  }
}
