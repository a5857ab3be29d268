// What the run view shows besides the output: the run's state from the host, block starts and ends,
// the record timeline, open questions and errors. Output never comes through here (see terminals.ts).
import type { RunEvent, RunState } from '../../shared/run-api.js';
import type { UiEvent } from './event-stream.js';

export type BlockEnd = Extract<RunEvent, { type: 'block-end' }>;
export type RecordEvent = Extract<RunEvent, { type: 'record' }>;
export type Question = Extract<RunEvent, { type: 'question' }>;

export interface BlockStatus {
  target: string;
  started: string;
  end: BlockEnd | null;
}

export interface RunViewState {
  state: RunState;
  blocks: Record<string, BlockStatus>;
  records: RecordEvent[];
  questions: Question[];
  errors: { id: number; message: string }[];
  nextErrorId: number;
}

export type RunViewAction =
  | { type: 'state'; state: RunState }
  | { type: 'events'; events: UiEvent[] }
  | { type: 'error'; message: string }
  | { type: 'dismiss-error'; id: number }
  | { type: 'answered'; questionId: string };

export const initialRunView = (state: RunState): RunViewState => ({ state, blocks: {}, records: [], questions: [], errors: [], nextErrorId: 1 });

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
    case 'answered':
      return { ...view, questions: view.questions.filter((q) => q.questionId !== action.questionId) };
    case 'events': {
      let next = view;
      for (const event of action.events) next = applyEvent(next, event);
      return next;
    }
  }
}

function applyEvent(view: RunViewState, event: UiEvent): RunViewState {
  switch (event.type) {
    case 'block-start':
      return { ...view, blocks: { ...view.blocks, [event.blockId]: { target: event.target, started: event.at, end: null } } };
    case 'block-end': {
      const before = view.blocks[event.blockId] ?? { target: '', started: '', end: null };
      return { ...view, blocks: { ...view.blocks, [event.blockId]: { ...before, end: event } } };
    }
    case 'step': {
      const steps = view.state.steps.map((s) => (s.id === event.stepId ? { ...s, status: event.status, reason: event.reason } : s));
      return { ...view, state: { ...view.state, steps } };
    }
    case 'record':
      return { ...view, records: [...view.records, event] };
    case 'question':
      return view.questions.some((q) => q.questionId === event.questionId) ? view : { ...view, questions: [...view.questions, event] };
    case 'error':
      return withError(view, event.message);
  }
}
