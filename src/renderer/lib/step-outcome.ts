// What a step's outcome says to the operator, truthfully: a NO-GO (or roll back, abort) is recorded by the
// host as a decided step ("succeeded": the decision was taken), but it must never look green or read
// "succeeded"; a step the operator marked failed reads failed whatever its blocks did.
import type { RunStepState } from '../../shared/run-api.js';
import { isNegativeDecision } from './runbook-facts.js';

export type Tone = 'ok' | 'bad' | 'warn' | 'running' | 'neutral';

export interface Outcome {
  /** The words on the step's badge and in announcements. */
  label: string;
  icon: string;
  tone: Tone;
}

const ICON: Record<RunStepState['status'], string> = { pending: '○', running: '◐', succeeded: '●', failed: '✗', skipped: '⤼', cancelled: '⊘', 'not-run': '–' };
const TONE: Record<RunStepState['status'], Tone> = { pending: 'neutral', running: 'running', succeeded: 'ok', failed: 'bad', skipped: 'warn', cancelled: 'warn', 'not-run': 'neutral' };

export function stepOutcome(state: Pick<RunStepState, 'status' | 'decision' | 'mark'>): Outcome {
  if (state.decision && state.status !== 'running' && state.status !== 'failed') {
    const negative = isNegativeDecision(state.decision);
    return { label: state.decision, icon: negative ? '✗' : '✓', tone: negative ? 'bad' : 'ok' };
  }
  if (state.mark === 'fail' && state.status !== 'running') return { label: 'marked failed', icon: '✗', tone: 'bad' };
  return { label: state.status, icon: ICON[state.status], tone: TONE[state.status] };
}
