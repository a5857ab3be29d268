// Fill-in blanks ("______", "_____ %", "Date: ____") in the prose of a step, each with the label before it,
// and the cells of a table left for the operator ("| Error rate | < 1 % | ____ |", an empty "Actual" column).
// Each gets a type (text, number, percent, duration, date) read from its unit, its label and the expected value
// beside it, so the host can check what is typed before it is recorded.
import type { Table } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { FillIn } from '../../shared/runbook-model.js';
import { isDurationUnit } from '../../shared/fill-in-values.js';
import { startLine } from './source.js';

const BLANK = /(?<![\w\\])_{3,}(?![\w])(?:\s?(%|ms|s|min|minutes|hours|h|GB|MB|GiB|MiB|rps|req\/s))?(?![\w])/g;

function tidyLabel(text: string): string {
  return text
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s*)?/, '') // list marker and checkbox
    .replace(/\*\*|__|`|\|/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/[\s:=(]+$/, '')
    .trim();
}

const DATE_LABEL = /\b(date|day|deadline|timestamp|when)\b|\b(started|ended|completed|finished|done|signed) (at|on)\b/i;
const PERCENT_LABEL = /\b(percent(age)?|per ?cent|ratio|utili[sz]ation)\b|%/i;
const DURATION_LABEL = /\b(duration|elapsed|how long|downtime|time taken|took|latency|lag|delay|response time|rto|rpo)\b/i;
const NUMBER_LABEL = /\b(count|how many|number of|total|rows?|replicas|instances|connections|errors|pods|nodes|tuples|size|bytes|qps|rps|requests)\b/i;
// Numbers that name things rather than count them stay text: "Ticket number", "Incident id", "Version".
const NAMING_LABEL = /\b(ticket|id|ids|reference|ref|issue|change|incident|phone|name|version|serial|hostname|host|commit|sha)\b/i;
const NUMBER_UNITS = new Set(['GB', 'MB', 'GiB', 'MiB', 'rps', 'req/s']);

/**
 * A blank's type: its unit first (% → percent, ms/s/min/h → duration, GB/rps → number), then its label
 * ("Date", "Lag", "Rows", "Error ratio"), then the expected value written beside it ("< 1 %", "under 300 ms").
 */
export function fillInType(label: string, unit: string | null, expected = ''): FillIn['type'] {
  if (unit === '%') return 'percent';
  if (isDurationUnit(unit)) return 'duration';
  if (unit && NUMBER_UNITS.has(unit)) return 'number';
  if (DATE_LABEL.test(label)) return 'date';
  if (NAMING_LABEL.test(label)) return 'text';
  if (PERCENT_LABEL.test(label) || /\d\s*%/.test(expected)) return 'percent';
  if (DURATION_LABEL.test(label) || /\d\s*(ms|s|sec|seconds?|min|minutes?|h|hours?)\b/i.test(expected)) return 'duration';
  if (NUMBER_LABEL.test(label) || /^[<>=≤≥~\s]*[-+]?\d[\d,]*(\.\d+)?$/.test(expected.trim())) return 'number';
  return 'text';
}

/** Every blank is required unless its label says it is optional. */
export const fillInRequired = (label: string): boolean => !/\boptional\b|\bif (any|applicable|needed)\b/i.test(label);

export function makeFillIn(label: string, unit: string | null, line: number, expected = ''): FillIn {
  return { label, unit, line, type: fillInType(label, unit, expected), required: fillInRequired(label) };
}

/** Blanks on one source line; `line` is that line's 1-based number. */
export function fillInsOnLine(text: string, line: number): FillIn[] {
  const out: FillIn[] = [];
  let labelFrom = 0;
  for (const m of text.matchAll(BLANK)) {
    out.push(makeFillIn(tidyLabel(text.slice(labelFrom, m.index)), m[1] ?? null, line));
    labelFrom = m.index + m[0].length;
  }
  return out;
}

/** Blanks in a run of source lines that starts at `firstLine`. */
export function fillInsIn(lines: readonly string[], firstLine: number): FillIn[] {
  return lines.flatMap((text, i) => fillInsOnLine(text, firstLine + i));
}

// Columns an operator fills in: "Actual", "Observed", "Result", "Value", "Done", "Initials", "Time" …
const INPUT_COLUMN = /^(actual|actual (value|result)s?|observed|measured|measurement|result|results|recorded|record|value|reading|outcome|status|done|completed( at)?|initials|time|timestamp|notes?|comments?|pass\/fail|ok\??|y\/n|yes\/no|✓|✔)$/i;
const EXPECTED_COLUMN = /\b(expected|target|threshold|limit|slo|goal|criteria|should be)\b/i;
const ONLY_BLANK = /^(_{3,}\s*(%|ms|s|min|minutes|hours|h|GB|MB|GiB|MiB|rps|req\/s)?|\s*)$/;

/**
 * The cells of a table the operator fills in: every cell holding a blank, and the empty cells of a column
 * headed like an input ("Actual", "Observed", "Result", "Done" …). Each is labelled "Row: Column", the row
 * being named by its first cell. Tables whose rows name nothing give none.
 */
export function tableFillIns(table: Table): FillIn[] {
  const [head, ...rows] = table.children;
  if (!head) return [];
  const header = head.children.map((c) => toString(c).replace(/\s+/g, ' ').trim());
  const inputColumns = new Set(header.flatMap((h, i) => (i > 0 && INPUT_COLUMN.test(h.replace(/[*_`:]/g, '').trim()) ? [i] : [])));
  const expectedColumn = header.findIndex((h, i) => i > 0 && EXPECTED_COLUMN.test(h));
  const out: FillIn[] = [];
  for (const row of rows) {
    const cells = row.children.map((c) => toString(c).replace(/\s+/g, ' ').trim());
    const name = (cells[0] ?? '').replace(/[*_`]/g, '').trim();
    if (!name || ONLY_BLANK.test(cells[0] ?? '') ) continue;
    const expected = expectedColumn > 0 ? cells[expectedColumn] ?? '' : '';
    cells.forEach((cell, i) => {
      if (i === 0) return;
      const column = header[i] || `column ${i + 1}`;
      if (inputColumns.has(i) && cell === '') {
        out.push(makeFillIn(`${name}: ${column}`, null, startLine(row), expected));
        return;
      }
      // "____ %", or "Actual: ____ ms" in a cell: the words before a blank name it, else the column does.
      for (const blank of fillInsOnLine(cell, startLine(row))) out.push(makeFillIn(`${name}: ${blank.label || column}`, blank.unit, startLine(row), expected));
    });
  }
  return out;
}
