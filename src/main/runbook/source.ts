// The normalised runbook text and helpers to look at it by line and by mdast position.
import type { Node } from 'unist';

export class Source {
  /** Offset of the start of each line (a 20 MB runbook has a million lines: offsets, not strings). */
  private readonly starts: Uint32Array;

  constructor(readonly text: string) {
    let count = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    this.starts = new Uint32Array(count);
    let n = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts[n++] = i + 1;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The text a node spans, exactly as written. */
  slice(node: Node): string {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    return start === undefined || end === undefined ? '' : this.text.slice(start, end);
  }

  /** Source lines from..to (1-based, inclusive). */
  lineRange(from: number, to: number): string[] {
    const out: string[] = [];
    for (let n = Math.max(1, from); n <= Math.min(to, this.starts.length); n++) out.push(this.line(n));
    return out;
  }

  line(n: number): string {
    if (n < 1 || n > this.starts.length) return '';
    const start = this.starts[n - 1] as number;
    const end = n < this.starts.length ? (this.starts[n] as number) - 1 : this.text.length;
    return this.text.slice(start, end);
  }
}

export function startLine(node: Node): number {
  return node.position?.start.line ?? 1;
}

export function endLine(node: Node): number {
  return node.position?.end.line ?? startLine(node);
}

/** Removes the indentation every non-blank line shares (list items indent their content). */
export function dedent(text: string): string {
  const lines = text.split('\n');
  let common = Infinity;
  for (const l of lines) {
    if (l.trim() === '') continue;
    common = Math.min(common, l.length - l.trimStart().length);
  }
  if (!Number.isFinite(common) || common === 0) return text;
  return lines.map((l) => l.slice(common)).join('\n');
}
