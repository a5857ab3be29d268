// Guards the markdown parser against pathological nesting: micromark's time grows steeply past a few
// hundred levels of lists or quotes, and no real runbook nests more than a dozen.
import { RunbookError } from './errors.js';

export const MAX_NESTING = 64;

const CONTAINER = /^[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?/;
const FENCE = /^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(```|~~~)/;

function indentWidth(line: string): number {
  let width = 0;
  for (const ch of line) {
    if (ch === ' ') width++;
    else if (ch === '\t') width += 4 - (width % 4);
    else break;
  }
  return width;
}

/** Throws a RunbookError naming the first line that nests deeper than MAX_NESTING containers. */
export function checkNesting(text: string, file: string): void {
  let inFence = false;
  let lineNo = 0;
  // Line by line without splitting: a 20 MB runbook has a million lines, and an array of them all is garbage.
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (FENCE.test(line)) inFence = !inFence;
    if (inFence) continue;
    let rest = line;
    let depth = 0;
    const indent = indentWidth(line);
    for (let m = CONTAINER.exec(rest); m && depth <= MAX_NESTING; m = CONTAINER.exec(rest)) {
      depth++;
      rest = rest.slice(m[0].length);
    }
    if (depth > 0) depth += Math.floor(indent / 2);
    if (depth > MAX_NESTING) {
      throw new RunbookError('nesting-too-deep', file, { line: lineNo, column: line.length - rest.length + 1 }, `lists or quotes nest more than ${MAX_NESTING} levels deep; flatten the runbook`);
    }
  }
}
