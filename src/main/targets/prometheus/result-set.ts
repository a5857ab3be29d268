// Turns a Prometheus instant-query answer into one table: a row per series (a row per sample for a
// matrix), the union of the label names as columns (__name__ first, then sorted), then value and
// timestamp. Scalar and string answers are one row of value and timestamp.
import type { ResultSet } from '../types.js';

type Sample = [number, string];

export interface QueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

interface Series {
  metric?: Record<string, string>;
  value?: Sample;
  values?: Sample[];
}

/** Sample values are strings on the wire ("1.5", "NaN", "+Inf"); finite ones become numbers. */
export function sampleValue(text: string): number | string {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** Prometheus timestamps are Unix seconds with a fraction. */
export function sampleTime(seconds: number): string {
  return new Date(Math.round(seconds * 1000)).toISOString();
}

function labelColumns(series: Series[]): string[] {
  const names = new Set<string>();
  for (const s of series) for (const name of Object.keys(s.metric ?? {})) names.add(name);
  const sorted = [...names].filter((n) => n !== '__name__').sort();
  return names.has('__name__') ? ['__name__', ...sorted] : sorted;
}

export function toResultSet(data: QueryData): ResultSet {
  const command = data.resultType;
  if (command === 'scalar' || command === 'string') {
    const [time, value] = data.result as Sample;
    return { command, columns: ['value', 'timestamp'], rows: [[command === 'scalar' ? sampleValue(value) : value, sampleTime(time)]], rowCount: 1 };
  }
  const series = (data.result ?? []) as Series[];
  const labels = labelColumns(series);
  const columns = [...labels, 'value', 'timestamp'];
  const rows: unknown[][] = [];
  for (const s of series) {
    const labelCells = labels.map((name) => s.metric?.[name] ?? null);
    const samples = command === 'matrix' ? (s.values ?? []) : s.value ? [s.value] : [];
    for (const [time, value] of samples) rows.push([...labelCells, sampleValue(value), sampleTime(time)]);
  }
  return { command, columns, rows, rowCount: rows.length };
}
