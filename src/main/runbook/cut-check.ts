// Whether a cut held: judged from the parse of the chunk before it, by its last top-level node (and the
// last node inside that, and so on down) and the line after the cut. Used by markdown-chunks.ts.
//
// A cut does not hold when, in one parse of the whole text, something would still be open there:
//   - a fenced code block or an HTML block (at any depth: where the chunk's parse closes it at its end and
//     the whole text's parse at the next line, even their positions differ);
//   - a paragraph that the line after an item cut lazily continues (an ordered item not numbered 1 may not
//     interrupt a paragraph);
//   - anything else that runs to the very end of the chunk.
// A list that the line after the cut continues (same bullet, or same delimiter) is not open but continued:
// the cut holds, and the two lists are merged (mergeList).
import type { List, RootContent } from 'mdast';
import type { Node } from 'unist';
import { fenceEnd, htmlEnd, itemMarker, lineEnd, lineStart, openingFence, type ItemMarker } from './split-points.js';

export type Verdict = { holds: true; continuesList: ItemMarker | null } | { holds: false; realEnd: number; blankOnly: boolean };

/**
 * Whether the parse of a chunk ending at `end` agrees with the whole text's parse there, judged by the
 * chunk's last top-level node `last` (and the last node in it, and so on down) and the line at the cut.
 */
export function judgeCut(text: string, last: RootContent, end: number, afterBlank: boolean): Verdict {
  const item = itemMarker(text.slice(end, lineEnd(text, end)));
  // A fenced code block or an HTML block still open at the cut (at any depth: where one parse closes it
  // at the end of the chunk and the other at the next line, positions differ).
  for (let node: Node | undefined = last, depth = 0; node; node = lastChild(node), depth++) {
    const start = node.position?.start.offset ?? 0;
    if (node.type === 'code' && !fenceClosed(text, node)) {
      const fence = depth === 0 ? openingFence(text, lineStart(text, start)) : null;
      return { holds: false, realEnd: fence ? fenceEnd(text, lineStart(text, start), fence) : end, blankOnly: false };
    }
    if (node.type === 'html' && (!afterBlank || (node.position?.end.offset ?? 0) >= end)) {
      return { holds: false, realEnd: depth === 0 ? htmlEnd(text, lineStart(text, start)) : end, blankOnly: false };
    }
  }
  if (last.type === 'list' && item && sameList(last, item, text)) return { holds: true, continuesList: item };
  // An ordered item that may not interrupt a paragraph would be read as part of it (a lazy line); and
  // whatever else still runs to the cut is read again with what follows.
  if ((!afterBlank && item?.ordered && item.number !== 1) || (last.position?.end.offset ?? 0) >= end) {
    return { holds: false, realEnd: end, blankOnly: true };
  }
  return { holds: true, continuesList: null };
}

function lastChild(node: Node): Node | undefined {
  const children = (node as { children?: Node[] }).children;
  return children?.[children.length - 1];
}

/** Whether a code node is closed: indented code always is; a fenced one when its last line is a closing fence. */
function fenceClosed(text: string, code: Node): boolean {
  const start = code.position?.start.offset ?? 0;
  const end = code.position?.end.offset ?? 0;
  const open = /^[ \t]*(`{3,}|~{3,})/.exec(text.slice(start, lineEnd(text, start)));
  if (!open) return true;
  if ((code.position?.end.line ?? 0) <= (code.position?.start.line ?? 0)) return false;
  const closing = /^[ \t>]*(`+|~+)[ \t]*$/.exec(text.slice(lineStart(text, end), end));
  const run = open[1] as string;
  return closing !== null && (closing[1] as string)[0] === run[0] && (closing[1] as string).length >= run.length;
}

/** The marker of a list's first item, as its source writes it. */
export function listMarker(list: List, text: string): ItemMarker | null {
  const at = list.children[0]?.position?.start.offset;
  return at === undefined ? null : itemMarker(text.slice(at, lineEnd(text, at)));
}

/** Whether an item with `marker` continues `list` (same kind, same bullet or delimiter). */
function sameList(list: List, marker: ItemMarker, text: string): boolean {
  const own = listMarker(list, text);
  return own !== null && own.ordered === marker.ordered && own.marker === marker.marker;
}

/** Appends `next`'s items to `list`, as one parse of both would have made them. */
export function mergeList(list: List, next: List, text: string): void {
  const gapStart = list.position?.end.offset ?? 0;
  const gapEnd = next.position?.start.offset ?? gapStart;
  const blankBetween = /\n[ \t]*\n/.test(text.slice(gapStart, gapEnd + 1));
  list.children.push(...next.children);
  list.spread = Boolean(list.spread || next.spread || blankBetween);
  if (list.position && next.position) list.position = { start: list.position.start, end: next.position.end };
}

export function afterBlankAt(text: string, lineAt: number): boolean {
  if (lineAt === 0) return false;
  const start = lineStart(text, lineAt - 1);
  return /^[ \t]*$/.test(text.slice(start, lineAt - 1));
}
