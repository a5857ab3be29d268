// Steps a person does: manual steps marked done or failed, inputs whose values are typed and checked before
// they are recorded, and decisions whose choice says where the run goes next. The console's controller and
// the CLI's session (runner.ts) both go through these rules, so the same value is refused in both.
import { type ParsedFillIn, isNegativeChoice, parseFillIn } from '../../shared/fill-in-values.js';
import type { FillIn, Runbook, Section, Step } from '../../shared/runbook-model.js';

export class ManualStepError extends Error {}

/** The blank of a step with this label, or why there is none. */
export function fillInOf(step: Step, label: string): FillIn {
  const field = step.fillIns.find((f) => f.label === label);
  if (!field) throw new ManualStepError(`step ${step.id} has no blank labelled "${label}"`);
  return field;
}

/** A value for a blank, checked against its type (text, number, percent, duration, date); throws why not. */
export function checkFillIn(step: Step, label: string, value: string): Extract<ParsedFillIn, { ok: true }> & { field: FillIn } {
  const field = fillInOf(step, label);
  const parsed = parseFillIn(field, value);
  if (!parsed.ok) throw new ManualStepError(`step ${step.id}: ${parsed.reason}`);
  return { ...parsed, field };
}

/** The required blanks of a step that have no value yet (an input step is not done while any is missing). */
export function missingInputs(step: Step, values: Readonly<Record<string, string>>): FillIn[] {
  if (step.kind === 'signoff') return [];
  return step.fillIns.filter((f) => f.required && f.label !== '' && (values[f.label] ?? '').trim() === '');
}

/** Every section below and including `id`, by id. */
function subtree(sections: readonly Section[], id: string): Section | null {
  for (const s of sections) {
    if (s.id === id) return s;
    const inner = subtree(s.sections, id);
    if (inner) return inner;
  }
  return null;
}

function stepIdsUnder(section: Section): string[] {
  return [...section.stepIds, ...section.sections.flatMap(stepIdsUnder)];
}

export interface DecisionTurn {
  /** The choice as the runbook writes it. */
  choice: string;
  /** The section the choice leads to, and its steps (below it included); null: on to the next step. */
  target: { id: string; title: string; stepIds: Set<string> } | null;
  /** Sections other choices lead to and this one does not: their steps are not for this run. */
  avoid: { id: string; title: string; stepIds: Set<string> }[];
  /** True when the choice means not going on (NO-GO, roll back, abort…) and names nowhere to go: the run stops. */
  stops: boolean;
}

/** What choosing `choice` at a decision step means for the rest of the run. Throws for a choice it does not offer. */
export function decisionTurn(runbook: Runbook, step: Step, choice: string): DecisionTurn {
  if (!step.decision?.options.includes(choice)) {
    throw new ManualStepError(`step ${step.id} offers no decision "${choice}"${step.decision ? ` (it offers ${step.decision.options.join(', ')})` : ''}`);
  }
  const section = (id: string | null) => {
    const s = id ? subtree(runbook.sections, id) : null;
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
