// A short line diff between a transcript's example output (Block.expectedOutput) and what the block printed,
// read the way the engine compares them (session/checks.ts sameOutput): blanks at line ends and blank lines
// around ignored, a `...` (or `…`) line of the example standing for any number of lines. The example is
// never a check: the diff only shows the operator where the two differ.

export type DiffLineKind = 'same' | 'expected' | 'actual' | 'gap' | 'elided';

export interface DiffLine {
  /** same: in both; expected: only in the example; actual: only in the output; gap: a `...` line of the example; elided: `count` unchanged lines left out. */
  kind: DiffLineKind;
  text: string;
  count?: number;
}

export interface OutputDiff {
  lines: DiffLine[];
  /** Lines were left out to keep it short (or the texts were too long to compare whole). */
  truncated: boolean;
}

/** The lines of an output, each without trailing blanks, blank lines at both ends dropped. */
export function outputLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const isGap = (line: string) => /^\s*(\.\.\.|…)\s*$/.test(line);

/** No way (a Uint32Array holds no Infinity). */
const NONE = 0x3fffffff;

/** Most lines of each side compared (the table grows with their product). */
const MAX_EXPECTED = 300;
const MAX_ACTUAL = 600;

/**
 * The alignment of the example with the output with fewest changed lines (an edit distance where a gap line
 * takes any number of output lines for free), as a list of lines.
 */
function align(want: readonly string[], got: readonly string[]): DiffLine[] {
  const W = want.length;
  const G = got.length;
  const width = G + 1;
  // cost[i * width + j]: fewest changes to align want[i..] with got[j..].
  const cost = new Uint32Array((W + 1) * width);
  for (let i = W; i >= 0; i--) {
    for (let j = G; j >= 0; j--) {
      const at = i * width + j;
      if (i === W) cost[at] = G - j;
      else if (isGap(want[i] as string)) cost[at] = Math.min(cost[at + width] as number, j < G ? (cost[at + 1] as number) : NONE);
      else if (j === G) cost[at] = 1 + (cost[at + width] as number);
      else {
        const match = want[i] === got[j] ? (cost[at + width + 1] as number) : NONE;
        cost[at] = Math.min(match, 1 + (cost[at + width] as number), 1 + (cost[at + 1] as number));
      }
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < W || j < G) {
    const at = i * width + j;
    if (i === W) {
      lines.push({ kind: 'actual', text: got[j++] as string });
    } else if (isGap(want[i] as string)) {
      // The gap takes the next output line when that is what the best alignment does.
      if (j < G && cost[at] === cost[at + 1]) {
        if (lines.at(-1)?.kind !== 'gap') lines.push({ kind: 'gap', text: want[i] as string });
        lines.push({ kind: 'same', text: got[j++] as string });
      } else {
        if (lines.at(-1)?.kind !== 'gap') lines.push({ kind: 'gap', text: want[i] as string });
        i++;
      }
    } else if (j === G) {
      lines.push({ kind: 'expected', text: want[i++] as string });
    } else if (want[i] === got[j] && cost[at] === cost[at + width + 1]) {
      lines.push({ kind: 'same', text: got[j] as string });
      i++;
      j++;
    } else if (cost[at] === 1 + (cost[at + width] as number)) {
      lines.push({ kind: 'expected', text: want[i++] as string });
    } else {
      lines.push({ kind: 'actual', text: got[j++] as string });
    }
  }
  return lines;
}

/**
 * The example beside the output: the changed lines with `context` unchanged lines around each change, runs of
 * unchanged lines between them elided, at most `maxLines` lines in all.
 */
export function diffOutput(expected: string, actual: string, options: { context?: number; maxLines?: number } = {}): OutputDiff {
  const context = options.context ?? 1;
  const maxLines = options.maxLines ?? 40;
  const wantAll = outputLines(expected);
  const gotAll = outputLines(actual);
  let truncated = wantAll.length > MAX_EXPECTED || gotAll.length > MAX_ACTUAL;
  const all = align(wantAll.slice(0, MAX_EXPECTED), gotAll.slice(0, MAX_ACTUAL));
  const changed = all.map((l) => l.kind === 'expected' || l.kind === 'actual');
  const keep = all.map((_, k) => {
    for (let d = -context; d <= context; d++) if (changed[k + d]) return true;
    return false;
  });
  const lines: DiffLine[] = [];
  for (let k = 0; k < all.length; ) {
    if (keep[k]) {
      lines.push(all[k] as DiffLine);
      k++;
      continue;
    }
    let n = 0;
    while (k < all.length && !keep[k]) {
      n++;
      k++;
    }
    lines.push({ kind: 'elided', text: '', count: n });
  }
  if (lines.length > maxLines) {
    lines.length = maxLines;
    truncated = true;
  }
  return { lines, truncated };
}
