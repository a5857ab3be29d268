// The normalised runbook text and helpers to look at it by line and by mdast position.
import type { Node } from 'unist';

export class Source {
  readonly lines: string[];

  constructor(readonly text: string) {
    this.lines = text.split('\n');
  }

  /** The text a node spans, exactly as written. */
  slice(node: Node): string {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    return start === undefined || end === undefined ? '' : this.text.slice(start, end);
  }

  /** Source lines from..to (1-based, inclusive). */
  lineRange(from: number, to: number): string[] {
    return this.lines.slice(from - 1, to);
  }

  line(n: number): string {
    return this.lines[n - 1] ?? '';
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
