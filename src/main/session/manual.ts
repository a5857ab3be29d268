// Steps a person does: manual steps marked done or failed, inputs whose values are typed and checked before
// they are recorded, and decisions whose choice says where the run goes next. The console's controller and
// the CLI's session (runner.ts) both go through these rules, so the same value is refused in both.
import { DecisionError, type DecisionTurn, decisionTurn as sharedDecisionTurn } from '../../shared/decisions.js';
import { type ParsedFillIn, parseFillIn } from '../../shared/fill-in-values.js';
import type { FillIn, Runbook, Step } from '../../shared/runbook-model.js';

export type { DecisionTurn };

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

/**
 * What choosing `choice` at a decision step means for the rest of the run (the rule is src/shared/decisions.ts,
 * which the console applies too). Throws ManualStepError for a choice it does not offer.
 */
export function decisionTurn(runbook: Runbook, step: Step, choice: string): DecisionTurn {
  try {
    return sharedDecisionTurn(runbook, step, choice);
  } catch (error) {
    if (error instanceof DecisionError) throw new ManualStepError(error.message);
    throw error;
  }
}
