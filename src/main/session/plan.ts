// What a run will do, decided before anything runs: which steps run or are skipped (and why), each
// executable block with its target, and every problem (unbound blocks, unreadable fence attributes, bad
// expectations, unknown --only). A block with a problem is left out of its step and the problem names
// the step, so that step cannot run; nothing falls back to a default target.
import { PROFILES, type Block, type Profile, type Runbook, type Step } from '../../shared/runbook-model.js';
import { durationMs } from '../../shared/targets.js';
import type { PlanSkipCode } from '../audit/records/codes.js';
import { type Binding, type TargetSet, attributeProblem, bindBlock } from './binding.js';
import { transcriptCommands } from '../runbook/classify.js';
import { expectationOf } from './checks.js';
import { parseBash } from './shell-ast.js';
import { PLACEHOLDER } from './substitute.js';

export interface PlannedBlock {
  block: Block;
  binding: Binding;
}

/** A step of the plan: it runs (`skip` null), or the plan skips it, with the code of why and the words for it. */
export type PlannedStep = { step: Step; skip: null; skipCode?: undefined; blocks: PlannedBlock[] } | { step: Step; skip: string; skipCode: PlanSkipCode; blocks: PlannedBlock[] };

/** A problem of the plan, typed so hosts decide on `kind` and `stepId`, never on the text. */
export interface PlanProblem {
  kind: 'only' | 'attributes' | 'unbound' | 'expectation' | 'timeout' | 'transcript';
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

/**
 * Why a block read as a transcript must not run, checked with the project's bash parser: the commands must
 * be what the reader took from the block, each must parse on its own, and none may hold a second command
 * that starts a line the reader took as a continuation (bash ends the command before it, so that line is
 * output the reader misread). Null when the block is no transcript or all holds.
 */
export function transcriptProblem(block: Block): string | null {
  if (block.reading?.kind !== 'transcript' || block.action !== 'shell') return null;
  const commands = transcriptCommands(block);
  const where = `line ${block.line}: transcript`;
  if (!commands || commands.map((c) => c.text).join('\n') !== block.code) return `${where}: its commands are not those read from the block as written; it is not run`;
  for (const c of commands) {
    // <PLACEHOLDER>s stand for words (the run puts values there, shell-values.ts); bash would read them as redirections.
    const text = c.text.replace(PLACEHOLDER, (m) => `rbp${'x'.repeat(m.length - 3)}`);
    const parsed = parseBash(text);
    const at = block.line + c.line;
    if (!parsed.ok || parsed.file.stmts.length === 0) {
      return `${where}: the command at line ${at} does not parse as bash on its own (${parsed.ok ? 'no command' : parsed.message}), so where it ends cannot be proven; the block is not run`;
    }
    const lineStarts = [0];
    for (let k = text.indexOf('\n'); k !== -1; k = text.indexOf('\n', k + 1)) lineStarts.push(k + 1);
    for (const stmt of parsed.file.stmts.slice(1)) {
      // A statement that begins a line of its own, not after a backslash-newline: bash ended the one before.
      const line = lineStarts.findLastIndex((start) => start <= stmt.start);
      if (line === 0 || text.slice(lineStarts[line], stmt.start).trim() !== '') continue;
      if (/\\\n$/.test(text.slice(0, lineStarts[line]))) continue;
      return `${where}: the command at line ${at} is complete on line ${at + line - 1}, so line ${at + line} is output, not part of it; the block is not run`;
    }
  }
  return null;
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
    if (only && !only.has(step.id)) return { step, skip: 'not selected by --only', skipCode: 'not-selected', blocks: [] };
    if (profileRank(step.profile) > profileRank(options.profile)) {
      return { step, skip: `profile ${step.profile} is above the run's profile ${options.profile}`, skipCode: 'above-profile', blocks: [] };
    }
    const executable = step.blocks.filter((b) => b.action !== 'display');
    if (executable.length === 0) {
      // Manual steps and inputs are done by hand; decisions and sign-offs are a person's call.
      return step.kind === 'step' || step.kind === 'manual' || step.kind === 'input' ? { step, skip: 'manual step: nothing to run', skipCode: 'manual-step', blocks: [] } : { step, skip: `${step.kind}: for a person, not a machine`, skipCode: 'for-a-person', blocks: [] };
    }
    const blocks: PlannedBlock[] = [];
    for (const block of executable) {
      // Attributes that could not be read may have named the target: the block is refused, never bound by default.
      const unreadable = attributeProblem(block);
      if (unreadable) {
        add('attributes', step, block, unreadable);
        continue;
      }
      // A transcript's commands run only when bash's own grammar agrees where each one ends.
      const unsure = transcriptProblem(block);
      if (unsure) {
        add('transcript', step, block, unsure);
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
