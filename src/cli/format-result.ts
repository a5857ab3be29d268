// Terminal rendering of block results: result sets as aligned tables. Cells and column names come from the
// target (untrusted): controls are made visible before widths are measured, so the table stays aligned.
import type { ResultSet } from '../main/targets/types.js';
import { forTerminal } from './terminal-output.js';

/** One line of inert text: controls shown by forTerminal, then newlines and tabs spelled out. */
function oneLine(text: string): string {
  return forTerminal(text).replace(/\r\n|\n/g, '\\n').replace(/\t/g, '\\t');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'object') return oneLine(JSON.stringify(value));
  return oneLine(String(value));
}

/** The command tag as psql prints it (INSERT carries the legacy OID field, always 0). */
function commandTag(set: ResultSet): string {
  const command = set.command ?? 'OK';
  if (set.rowCount === null) return command;
  return command === 'INSERT' ? `INSERT 0 ${set.rowCount}` : `${command} ${set.rowCount}`;
}

export function formatResultSet(set: ResultSet, maxRows = 50): string {
  if (set.columns.length === 0) return oneLine(commandTag(set));
  const columns = set.columns.map(oneLine);
  const rows = set.rows.slice(0, maxRows).map((r) => r.map(cell));
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) => cells.map((c, i) => c.slice(0, 60).padEnd(widths[i] ?? 0)).join(' │ ').trimEnd();
  const out = [line(columns), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...rows.map(line)];
  const more = set.rows.length > maxRows ? ` (${set.rows.length - maxRows} more not shown)` : '';
  out.push(`(${set.rowCount ?? set.rows.length} row${(set.rowCount ?? set.rows.length) === 1 ? '' : 's'}${more}${set.command ? `, ${oneLine(set.command)}` : ''})`);
  return out.join('\n');
}
