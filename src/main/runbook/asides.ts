// Code inside a callout or under an example heading ("Before", "After", "Example") is shown with its step and
// never run: the notes name those blocks (Note.blockIds), and parse.ts makes them `display` after every other
// reading of the blocks, whatever their language says.
import type { ParsedBlock } from './parse.js';

export const ASIDE_REASON = 'an example or a callout\'s code: shown with its step, never run';

/** The block as a note's code: shown as written, never run, needing no value. */
export function asideBlock(block: ParsedBlock): ParsedBlock {
  return { ...block, action: 'display', reason: ASIDE_REASON, code: block.source, variables: [], optionalVariables: [], queries: [] };
}
