// Where a decision takes a run, as one rule for every host: `runbook run` (its session, through
// src/main/session/manual.ts), the console's run controller (which passes steps over when a decision is
// recorded) and the page (which says beforehand what each choice passes over).
//
// A choice leads to the section the runbook names for it (Step.decision.choices[].leadsTo), or on to the
// next step. After it, as `runbook run` walks the steps in order:
//   - the steps before the section it leads to are passed over ("leads to …");
//   - the steps of sections only the other choices lead to are passed over ("does not lead to …"), unless
//     the chosen way goes through them;
//   - a choice that leads back to a section already behind, or a NO-GO (roll back, abort) that names nowhere
//     to go, stops the run there: the steps after it are not run.
// A step passed over is never run by the run itself; the console runs one only on the operator's explicit
// override, which is recorded.
import { isNegativeChoice } from './fill-in-values.js';
import type { Runbook, Section, Step } from './runbook-model.js';

export class DecisionError extends Error {}

export interface DecisionSection {
  id: string;
  title: string;
  /** The steps of the section and of every section below it. */
  stepIds: Set<string>;
}

export interface DecisionTurn {
  /** The choice as the runbook writes it. */
  choice: string;
  /** The section the choice leads to, and its steps (below it included); null: on to the next step. */
  target: DecisionSection | null;
  /** Sections other choices lead to and this one does not: their steps are not for this run. */
  avoid: DecisionSection[];
  /** True when the choice means not going on (NO-GO, roll back, abort…) and names nowhere to go: the run stops. */
  stops: boolean;
}

function findSection(sections: readonly Section[], id: string): Section | null {
  for (const s of sections) {
    if (s.id === id) return s;
    const inner = findSection(s.sections, id);
    if (inner) return inner;
  }
  return null;
}

function stepIdsUnder(section: Section): string[] {
  return [...section.stepIds, ...section.sections.flatMap(stepIdsUnder)];
}

/** What choosing `choice` at a decision step means for the rest of the run. Throws DecisionError for a choice it does not offer. */
export function decisionTurn(runbook: Runbook, step: Step, choice: string): DecisionTurn {
  if (!step.decision?.options.includes(choice)) {
    throw new DecisionError(`step ${step.id} offers no decision "${choice}"${step.decision ? ` (it offers ${step.decision.options.join(', ')})` : ''}`);
  }
  const section = (id: string | null): DecisionSection | null => {
    const s = id ? findSection(runbook.sections, id) : null;
    return s ? { id: s.id, title: s.title, stepIds: new Set(stepIdsUnder(s)) } : null;
  };
  const chosen = step.decision.choices.find((c) => c.label === choice);
  const target = section(chosen?.leadsTo ?? null);
  const avoid = step.decision.choices
    .filter((c) => c.label !== choice && c.leadsTo !== null && c.leadsTo !== chosen?.leadsTo)
    .flatMap((c) => {
      const s = section(c.leadsTo);
      if (!s) return [];
      // A section the chosen way goes through is not avoided.
      if (target) for (const id of target.stepIds) s.stepIds.delete(id);
      return s.stepIds.size > 0 ? [s] : [];
    });
  return { choice, target, avoid, stops: target === null && isNegativeChoice(choice) };
}

/** Why a step is not for this run after the decisions made so far. */
export interface PassedOver {
  /** The decision step whose choice passes this step over, and the choice. */
  decision: string;
  choice: string;
  /** In `runbook run`'s words (its step.skipped reason, or why the run stopped). */
  reason: string;
  /** skip: the run passes it over (journaled as skipped); stop: the run stops before it (not run). */
  kind: 'skip' | 'stop';
}

/**
 * Every step the recorded decisions pass over, with why: the walk `runbook run` makes over the steps in
 * `order` (the plan's order), applying each decision it reaches with a choice in `choices` (decision step
 * id → choice). A decision step that is itself passed over is not applied, as `runbook run` never reaches it.
 */
export function decisionPath(runbook: Runbook, order: readonly string[], choices: ReadonlyMap<string, string>): Map<string, PassedOver> {
  const steps = new Map(runbook.steps.map((s) => [s.id, s]));
  const passed = new Map<string, PassedOver>();
  let jump: { stepIds: Set<string>; why: PassedOver } | null = null;
  const avoid = new Map<string, PassedOver>();
  let stopped: PassedOver | null = null;
  for (const [index, id] of order.entries()) {
    if (stopped) {
      passed.set(id, stopped);
      continue;
    }
    if (jump?.stepIds.has(id)) jump = null;
    const over = jump?.why ?? avoid.get(id);
    if (over) {
      passed.set(id, over);
      continue;
    }
    const step = steps.get(id);
    const choice = choices.get(id);
    if (!step || choice === undefined || !step.decision?.options.includes(choice)) continue;
    const turn = decisionTurn(runbook, step, choice);
    const at: Pick<PassedOver, 'decision' | 'choice'> = { decision: id, choice };
    const said = `decision "${choice}" at "${step.title}"`;
    if (turn.stops) {
      stopped = { ...at, kind: 'stop', reason: `${said}: the run stops here (the runbook names nowhere to go on)` };
      continue;
    }
    for (const other of turn.avoid) for (const sid of other.stepIds) avoid.set(sid, { ...at, kind: 'skip', reason: `${said} does not lead to "${other.title}"` });
    const target = turn.target;
    if (target) {
      for (const sid of target.stepIds) avoid.delete(sid);
      const ahead = order.slice(index + 1).some((s) => target.stepIds.has(s));
      if (ahead) jump = { stepIds: target.stepIds, why: { ...at, kind: 'skip', reason: `${said} leads to "${target.title}"` } };
      else stopped = { ...at, kind: 'stop', reason: `${said} leads back to "${target.title}": go on from there in a new run` };
    }
  }
  return passed;
}
