// What a run will do, decided before anything runs: which steps run or are skipped (and why), each
// executable block with its target, and every problem (unbound blocks, unreadable fence attributes, bad
// expectations, unknown --only). A block with a problem is left out of its step and the problem names
// the step, so that step cannot run; nothing falls back to a default target.
import { PROFILES, type Block, type Profile, type Runbook, type Step } from '../../shared/runbook-model.js';
import { durationMs } from '../../shared/targets.js';
import { type Binding, type TargetSet, attributeProblem, bindBlock } from './binding.js';
import { expectationOf } from './checks.js';

export interface PlannedBlock {
  block: Block;
  binding: Binding;
}

export interface PlannedStep {
  step: Step;
  /** Null when the step runs; otherwise why it does not. */
  skip: string | null;
  blocks: PlannedBlock[];
}

/** A problem of the plan, typed so hosts decide on `kind` and `stepId`, never on the text. */
export interface PlanProblem {
  kind: 'only' | 'attributes' | 'unbound' | 'expectation' | 'timeout';
  stepId: string | null;
  blockId: string | null;
  message: string;
}

export interface RunPlan {
  steps: PlannedStep[];
  issues: PlanProblem[];
  /** The issues' messages, as printed. */
  problems: string[];
}

export function profileRank(profile: Profile | null): number {
  return profile === null ? 0 : PROFILES.indexOf(profile);
}

export function planRun(runbook: Runbook, set: TargetSet, options: { profile: Profile; only?: readonly string[] }): RunPlan {
  const issues: PlanProblem[] = [];
  const add = (kind: PlanProblem['kind'], step: Step | null, block: Block | null, text: string) =>
    issues.push({ kind, stepId: step?.id ?? null, blockId: block?.id ?? null, message: step ? `step ${step.id}: ${text}` : text });
  const only = options.only && options.only.length > 0 ? new Set(options.only) : null;
  if (only) {
    const known = new Set(runbook.steps.map((s) => s.id));
    for (const id of only) if (!known.has(id)) add('only', null, null, `--only ${id}: no step has this id (see \`runbook parse FILE\`)`);
  }
  const steps = runbook.steps.map((step): PlannedStep => {
    if (only && !only.has(step.id)) return { step, skip: 'not selected by --only', blocks: [] };
    if (profileRank(step.profile) > profileRank(options.profile)) {
      return { step, skip: `profile ${step.profile} is above the run's profile ${options.profile}`, blocks: [] };
    }
    const executable = step.blocks.filter((b) => b.action !== 'display');
    if (executable.length === 0) return { step, skip: step.kind === 'step' ? 'manual step: nothing to run' : `${step.kind}: for a person, not a machine`, blocks: [] };
    const blocks: PlannedBlock[] = [];
    for (const block of executable) {
      // Attributes that could not be read may have named the target: the block is refused, never bound by default.
      const unreadable = attributeProblem(block);
      if (unreadable) {
        add('attributes', step, block, unreadable);
        continue;
      }
      const binding = bindBlock(block, set);
      if (typeof binding === 'string') add('unbound', step, block, binding);
      else blocks.push({ block, binding });
      const expectation = expectationOf(block);
      if (typeof expectation === 'string') add('expectation', step, block, expectation);
      const timeout = block.attributes.timeout;
      if (timeout !== undefined) {
        try {
          durationMs(String(timeout));
        } catch {
          add('timeout', step, block, `line ${block.line}: timeout "${String(timeout)}" is not a duration such as 30s, 5m or 1h`);
        }
      }
    }
    return { step, skip: null, blocks };
  });
  return { steps, issues, problems: issues.map((i) => i.message) };
}
