// Code inside a callout or under an example heading ("Before", "After", "Example") is shown with its step and
// never run: the notes name those blocks (Note.blockIds), and this pass makes them `display` after every
// other reading of the blocks, whatever their language says.
import type { Block, Runbook, Step } from '../../shared/runbook-model.js';

export const ASIDE_REASON = 'an example or a callout\'s code: shown with its step, never run';

function aside(block: Block): Block {
  const shown: Block = { ...block, action: 'display', reason: ASIDE_REASON, code: block.source ?? block.code, variables: [] };
  if (block.optionalVariables !== undefined) shown.optionalVariables = [];
  if (block.queries !== undefined) shown.queries = [];
  return shown;
}

function showStepAsides(step: Step): Step {
  const ids = new Set(step.notes.flatMap((n) => n.blockIds));
  if (ids.size === 0) return step;
  const blocks = step.blocks.map((b) => (ids.has(b.id) ? aside(b) : b));
  const dropped = new Set(step.blocks.filter((b) => ids.has(b.id)).flatMap((b) => b.variables));
  const kept = new Set(blocks.flatMap((b) => b.variables));
  return { ...step, blocks, variables: step.variables.filter((v) => kept.has(v) || !dropped.has(v)) };
}

/** The model with every note's code shown, not run (a new model; the one given is not changed). */
export function showAsides(runbook: Runbook): Runbook {
  return { ...runbook, steps: runbook.steps.map(showStepAsides) };
}
