// Why a run, or some of its steps, cannot go ahead: a typed code with the text beside it, so hosts decide
// on the code (which steps a problem blocks) and show the text, never the other way round.
import type { PlanProblem } from './plan.js';

export type RunProblemCode = 'runbook-error' | 'targets-in-runbook' | 'plan' | 'profile' | 'approvers' | 'variable-missing' | 'value-unsafe' | 'preflight';

export interface RunProblem {
  code: RunProblemCode;
  message: string;
  /** The one step it blocks; null when it blocks every step (or, with `target`, those that use it). */
  stepId: string | null;
  target: string | null;
  /** The block it is about, when it is about one (an unbound block, unreadable attributes). */
  blockId: string | null;
  /** For a plan problem: which kind. */
  planKind: PlanProblem['kind'] | null;
}

export function problem(code: RunProblemCode, message: string, where: { stepId?: string | null; target?: string | null; blockId?: string | null; planKind?: PlanProblem['kind'] | null } = {}): RunProblem {
  return { code, message, stepId: where.stepId ?? null, target: where.target ?? null, blockId: where.blockId ?? null, planKind: where.planKind ?? null };
}

/** Whether a problem stops a step that runs on these targets. */
export function blocksStep(p: RunProblem, stepId: string, targets: readonly string[]): boolean {
  if (p.stepId !== null) return p.stepId === stepId;
  if (p.target !== null) return targets.includes(p.target);
  return true;
}
