// Where the chunked parse may cut a markdown text, found line by line without parsing.
//
// A cut goes before a line that starts at column 0 with something other than a space or a tab, when
//   - the line before it is blank ("blank" cuts): CommonMark closes everything there except a fenced code
//     block or an HTML block of kinds 1-5 at the top level, and a list the line continues; or
//   - the line is a list item with content ("item" cuts), so that long tight lists can be cut between
//     their items too.
// Whether a cut really holds is decided after the chunk before it is parsed (markdown-chunks.ts); this module
// only proposes cuts and finds where a construct that runs over one really ends.

export interface ItemMarker {
  ordered: boolean;
  /** "-", "*" or "+" for bullets; "." or ")" for ordered items. */
  marker: string;
  /** The item's number for ordered items. */
  number: number | null;
  /** Characters the marker takes (digits and delimiter for ordered items). */
  width: number;
}

const THEMATIC_BREAK = /^([-*_])[ \t]*(?:\1[ \t]*){2,}$/;
const ITEM = /^(?:([-*+])|(\d{1,9})([.)]))(?=[ \t]|$)/;

/** The list marker a column-0 line starts with, or null (a thematic break such as "- - -" is no item). */
export function itemMarker(line: string): ItemMarker | null {
  const m = ITEM.exec(line);
  if (!m || THEMATIC_BREAK.test(line)) return null;
  if (m[1]) return { ordered: false, marker: m[1], number: null, width: 1 };
  return { ordered: true, marker: m[3] as string, number: Number(m[2]), width: m[0].length };
}

function isBlankLine(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** The end of the line that starts at `start` (the offset of its "\n", or the text's length). */
export function lineEnd(text: string, start: number): number {
  const nl = text.indexOf('\n', start);
  return nl < 0 ? text.length : nl;
}

/** The start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}

export interface Cut {
  offset: number;
  /** True when the line before the cut is blank. */
  afterBlank: boolean;
}

/**
 * The first cut at or after `from` (a line start), or null at the end of the text. With `blankOnly`, item
 * cuts after a non-blank line are skipped.
 */
export function nextCut(text: string, from: number, blankOnly = false): Cut | null {
  let start = from > 0 && text.charCodeAt(from - 1) === 10 ? from : lineEnd(text, Math.max(from, 0)) + 1;
  let prevBlank = start > 0 && isBlankLine(text, lineStart(text, start - 1), start - 1);
  while (start < text.length) {
    const end = lineEnd(text, start);
    const first = text.charCodeAt(start);
    const blank = isBlankLine(text, start, end);
    if (!blank && first !== 32 && first !== 9) {
      if (prevBlank) return { offset: start, afterBlank: true };
      if (!blankOnly) {
        const item = itemMarker(text.slice(start, Math.min(end, start + 16)));
        if (item && /\S/.test(text.slice(start + item.width, end))) {
          return { offset: start, afterBlank: false };
        }
      }
    }
    prevBlank = blank;
    start = end + 1;
  }
  return null;
}

/** Fence character and length of a top-level fenced code block opened on the line at `start`, or null. */
export function openingFence(text: string, start: number): { char: string; length: number } | null {
  const m = /^ {0,3}(`{3,}|~{3,})/.exec(text.slice(start, Math.min(lineEnd(text, start), start + 256)));
  if (!m) return null;
  const run = m[1] as string;
  return { char: run.charAt(0), length: run.length };
}

/** The end of the line that closes a fence opened on the line at `start` (or the text's end when none does). */
export function fenceEnd(text: string, start: number, fence: { char: string; length: number }): number {
  const closing = new RegExp(`^ {0,3}${fence.char === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
  let at = lineEnd(text, start) + 1;
  while (at < text.length) {
    const end = lineEnd(text, at);
    if (closing.test(text.slice(at, end))) return end;
    at = end + 1;
  }
  return text.length;
}

// HTML blocks that only an end marker closes (CommonMark kinds 1-5), by how their first line starts.
const HTML_ENDS: { start: RegExp; end: RegExp }[] = [
  { start: /^ {0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)/i, end: /<\/(?:script|pre|style|textarea)>/i },
  { start: /^ {0,3}<!--/, end: /-->/ },
  { start: /^ {0,3}<\?/, end: /\?>/ },
  { start: /^ {0,3}<![A-Za-z]/, end: />/ },
  { start: /^ {0,3}<!\[CDATA\[/, end: /\]\]>/ },
];

/**
 * The end of the line where an HTML block opened on the line at `start` ends: for kinds 1-5 the first line
 * after the first that holds its end marker, otherwise the line before the next blank line (kinds 6-7).
 */
export function htmlEnd(text: string, start: number): number {
  const first = text.slice(start, lineEnd(text, start));
  const kind = HTML_ENDS.find((k) => k.start.test(first));
  if (kind && kind.end.test(first.slice((kind.start.exec(first)?.[0].length ?? 0)))) return lineEnd(text, start);
  let at = lineEnd(text, start) + 1;
  let last = lineEnd(text, start);
  while (at < text.length) {
    const end = lineEnd(text, at);
    if (kind ? kind.end.test(text.slice(at, end)) : isBlankLine(text, at, end)) return kind ? end : last;
    last = end;
    at = end + 1;
  }
  return text.length;
}
