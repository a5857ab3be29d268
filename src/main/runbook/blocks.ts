// Applies the block reader (classify.ts readBlock) to every block of a parsed model: the code that runs,
// the text as written, how it was read, the expected output, PromQL queries and optional variables.
// parse.ts builds each block from the fence; this pass is idempotent (it reads `source` when present), so
// it stays correct once parse.ts spreads readBlock into its blocks itself.
import type { Block, Runbook, Step } from '../../shared/runbook-model.js';
import { readBlock } from './classify.js';

function readOne(block: Block): Block {
  return { ...block, ...readBlock(block.lang, block.source ?? block.code, block.attributes) };
}

/** The step with its blocks read; its variables and hints follow its blocks'. */
function readStep(step: Step): Step {
  const blocks = step.blocks.map(readOne);
  // What the step had from elsewhere (its prose) is kept; its blocks' part is replaced.
  const oldHints = step.blocks.flatMap((b) => b.expected);
  const ownHints = oldHints.length > 0 && step.expected.slice(-oldHints.length).every((h, k) => h === oldHints[k]) ? step.expected.slice(0, step.expected.length - oldHints.length) : step.expected.filter((h) => !oldHints.includes(h));
  const oldVariables = new Set(step.blocks.flatMap((b) => b.variables));
  const ownVariables = step.variables.filter((v) => !oldVariables.has(v));
  return {
    ...step,
    blocks,
    expected: [...ownHints, ...blocks.flatMap((b) => b.expected)],
    variables: [...new Set([...blocks.flatMap((b) => b.variables), ...ownVariables])],
  };
}

/** Every block of the model read by readBlock (a new model; the one given is not changed). */
export function readBlocks(runbook: Runbook): Runbook {
  return { ...runbook, steps: runbook.steps.map((step) => (step.blocks.length === 0 ? step : readStep(step))) };
}
