// Whether a block may change state on its target, for callers that cannot wait. The proof lives in
// verdict.ts (verdictOf, asynchronous); this answers from it synchronously where it can and otherwise
// says "may change state". Callers should move to precomputed verdicts.
import type { Block } from '../../shared/runbook-model.js';
import { verdictOfSync } from './verdict.js';

/** @deprecated use verdictOf (or a verdict computed before the run) */
export function isStateChanging(block: Pick<Block, 'action' | 'code'>): boolean {
  return verdictOfSync(block).changesState;
}
