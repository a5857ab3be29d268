// Fill-in blanks ("______", "_____ %", "Date: ____") in the prose of a step, each with the label before it.
import type { FillIn } from '../../shared/runbook-model.js';

const BLANK = /(?<![\w\\])_{3,}(?![\w])(?:\s?(%|ms|s|min|minutes|hours|h|GB|MB|GiB|MiB|rps|req\/s))?(?![\w])/g;

function tidyLabel(text: string): string {
  return text
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s*)?/, '') // list marker and checkbox
    .replace(/\*\*|__|`|\|/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/[\s:=(]+$/, '')
    .trim();
}

/** Blanks on one source line; `line` is that line's 1-based number. */
export function fillInsOnLine(text: string, line: number): FillIn[] {
  const out: FillIn[] = [];
  let labelFrom = 0;
  for (const m of text.matchAll(BLANK)) {
    out.push({ label: tidyLabel(text.slice(labelFrom, m.index)), unit: m[1] ?? null, line });
    labelFrom = m.index + m[0].length;
  }
  return out;
}

/** Blanks in a run of source lines that starts at `firstLine`. */
export function fillInsIn(lines: readonly string[], firstLine: number): FillIn[] {
  return lines.flatMap((text, i) => fillInsOnLine(text, firstLine + i));
}
