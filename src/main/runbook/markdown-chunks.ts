// Parses markdown in chunks, so that time grows linearly with size and no syntax tree of the whole file is
// ever held. micromark (under remark) gets slower with every list item as a document grows (it rebuilds its
// whole event list each time a list item closes, micromark/micromark#169): a 1 MB list-heavy runbook took
// minutes in one piece. Chunks of a few kilobytes keep that cost flat.
//
// A chunk is parsed alone with the same processor, and its nodes' positions are shifted to be exact in the
// whole text (chunks start at a line start, so columns need no change). Where the cuts go, and why the
// nodes come out as from one parse of the whole text:
//   - cuts are proposed by split-points.ts: before a column-0 line after a blank line, or before a
//     column-0 list item;
//   - after a chunk is parsed, its last top-level node tells whether the cut held (cut-check.ts): a fenced
//     code block or HTML block still open at the cut, or a paragraph the line after an item cut lazily
//     continues, mean it did not: the nodes before that last one (or that list's last item) are
//     kept and the next chunk starts at its line, running to where the construct really ends (so a part of
//     the text is parsed again only where a cut fell inside something, and then once more);
//   - a list that the line after the cut continues (same bullet, or same delimiter) is merged with the
//     list the next chunk starts with, as CommonMark makes them one list;
//   - a reference ([text][label], [label], [^note]) resolves when its label is defined anywhere in the file:
//     each chunk is parsed after a few lines defining the labels it mentions that the file defines elsewhere
//     (their nodes are dropped, and positions account for the lines);
//   - front matter exists only at the start: it is read alone with remark-frontmatter, the rest without
//     (which also avoids that extension's bug: an unclosed front matter turned off every list and block
//     quote of the document, micromark/micromark-extension-frontmatter#5).
import type { List, ListItem, Root, RootContent } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { Node } from 'unist';
import { candidateDefinitions, labelKey, labelText, referencedKeys } from './link-labels.js';
import { type Verdict, afterBlankAt, judgeCut, listMarker, mergeList } from './cut-check.js';
import { type ItemMarker, lineEnd, lineStart, nextCut } from './split-points.js';

const withFrontMatter = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm);
const withoutFrontMatter = unified().use(remarkParse).use(remarkGfm);

/**
 * Parses the whole text in one piece: what the chunked parse must equal (for tests; slow on large lists).
 * remark-frontmatter is used only when the text opens with a closed front matter: an unclosed one turns
 * off every list and block quote of the document (micromark/micromark-extension-frontmatter#5).
 */
export function parseWholeMarkdown(text: string): Root {
  return (frontMatterEnd(text) > 0 ? withFrontMatter : withoutFrontMatter).parse(text);
}

/** Chunk size the cuts aim for: large enough that the processor's set-up does not count, small enough for micromark. */
export const TARGET_CHUNK_CHARS = 4 * 1024;

export interface Definitions {
  /** Labels (by key) taken to be defined somewhere in the file, with a text that writes each. */
  known: Map<string, string>;
  /** Whether `known` holds guesses from the text scan (first pass) or only labels seen defined. */
  guessed: boolean;
}

export interface ChunkProgress {
  /** Characters of the text parsed so far. */
  done: number;
  total: number;
}

/** Where the model reads top-level nodes from, batch by batch. */
export interface MarkdownNodes {
  /** The next batch of top-level nodes, in document order; null at the end. */
  next(): RootContent[] | null;
  progress(): ChunkProgress;
  /** At the end: true when the text must be read again with `definedLabels()` (see MarkdownChunks). */
  readonly needsSecondPass: boolean;
  definedLabels(): Definitions;
}

/** The whole text as one batch (parseWholeMarkdown): the reference the chunked parse is tested against. */
export function wholeDocumentNodes(text: string): MarkdownNodes {
  let done = false;
  return {
    next() {
      if (done) return null;
      done = true;
      return parseWholeMarkdown(text).children;
    },
    progress: () => ({ done: done ? text.length : 0, total: text.length }),
    needsSecondPass: false,
    definedLabels: () => ({ known: new Map(), guessed: false }),
  };
}

/**
 * The top-level nodes of the text, a batch per chunk, in document order and with exact positions.
 * `next()` returns null at the end. When a guess about which labels the file defines turned out wrong,
 * `needsSecondPass` is true at the end: parse again with `definedLabels()` (parseChunked does).
 */
export class MarkdownChunks implements MarkdownNodes {
  private pos = 0;
  private line = 1;
  private pendingList: { node: List; marker: ItemMarker } | null = null;
  private readonly defined = new Map<string, string>();
  /** Labels a chunk was given as defined and that a reference in it used: a wrong guess there matters. */
  private readonly used = new Set<string>();
  private finished = false;

  constructor(
    private readonly text: string,
    private readonly definitions: Definitions = { known: candidateDefinitions(text), guessed: true },
    private readonly target = TARGET_CHUNK_CHARS,
  ) {}

  progress(): ChunkProgress {
    return { done: this.pos, total: this.text.length };
  }

  /**
   * True when a reference in some chunk used a label that chunk was given as defined and that is defined
   * nowhere: that chunk read it wrongly. (A label given but not used changed nothing: a definition only
   * ever turns references to its own label into links.)
   */
  get needsSecondPass(): boolean {
    if (!this.definitions.guessed) return false;
    for (const key of this.used) if (!this.defined.has(key)) return true;
    return false;
  }

  /** Labels defined in the file, as the parsed chunks show them. */
  definedLabels(): Definitions {
    return { known: new Map(this.defined), guessed: false };
  }

  next(): RootContent[] | null {
    if (this.finished) return null;
    const out: RootContent[] = [];
    while (out.length === 0 && !this.finished) this.step(out);
    return out;
  }

  private step(out: RootContent[]): void {
    const { text } = this;
    if (this.pos >= text.length) {
      this.flushList(out);
      this.finished = true;
      return;
    }
    if (this.pos === 0) {
      const fm = frontMatterEnd(text);
      if (fm > 0) {
        const root = withFrontMatter.parse(text.slice(0, fm));
        const only = root.children[0];
        if (root.children.length === 1 && only?.type === 'yaml') {
          out.push(only);
          this.advance(fm);
          return;
        }
      }
    }
    let end: number | null = this.chunkEnd(this.pos + this.target, false);
    while (end !== null) end = this.parseChunk(out, end);
  }

  /** The first cut at or after `from` (at least one line past the chunk's start), or the text's end. */
  private chunkEnd(from: number, blankOnly: boolean): number {
    const cut = nextCut(this.text, Math.max(from, lineEnd(this.text, this.pos) + 1), blankOnly);
    return cut ? cut.offset : this.text.length;
  }

  /** Parses the chunk up to `end`; returns where the next attempt ends when the cut did not hold, else null. */
  private parseChunk(out: RootContent[], end: number): number | null {
    const { text } = this;
    const own = text.slice(this.pos, end);
    const { prefix, keys } = this.definitionLines(own);
    const root = withoutFrontMatter.parse(prefix + own);
    const prefixLines = countLines(prefix);
    const nodes = root.children.filter((n) => (n.position?.start.offset ?? 0) >= prefix.length);
    for (const n of nodes) shift(n, this.line - 1 - prefixLines, this.pos - prefix.length);

    const last = nodes[nodes.length - 1];
    const verdict: Verdict =
      end >= text.length || !last ? { holds: true, continuesList: null } : judgeCut(text, last, end, afterBlankAt(text, end));
    if (verdict.holds) {
      this.noteLabels(nodes, keys);
      this.emit(out, nodes, verdict.continuesList);
      this.advance(end);
      return null;
    }
    // The cut fell inside `last`: keep what comes before it, and start again at its line (at its last item's
    // line for a list, the items before being complete), past where it really ends.
    const kept = nodes.slice(0, -1);
    let restart = (last as RootContent).position?.start.offset ?? this.pos;
    let head: List | null = null;
    if (last?.type === 'list' && last.children.length > 1) {
      const item = last.children[last.children.length - 1] as ListItem;
      const before = last.children[last.children.length - 2] as ListItem;
      head = { ...last, children: last.children.slice(0, -1) };
      if (last.position && before.position) head.position = { start: last.position.start, end: before.position.end };
      restart = item.position?.start.offset ?? restart;
    }
    this.noteLabels(head ? [...kept, head] : kept, keys);
    this.emit(out, head ? [...kept, head] : kept, head ? listMarker(head, text) : null);
    this.advance(lineStart(text, restart));
    return this.chunkEnd(Math.max(verdict.realEnd + 1, end + 1), verdict.blankOnly);
  }

  /** Hands on the nodes, merging a list continued from the last chunk, and holding one the next continues. */
  private emit(out: RootContent[], nodes: RootContent[], continuesList: ItemMarker | null): void {
    let rest = nodes;
    if (this.pendingList) {
      const first = rest[0];
      if (first?.type === 'list') {
        mergeList(this.pendingList.node, first, this.text);
        rest = [this.pendingList.node, ...rest.slice(1)];
        this.pendingList = null;
      } else if (rest.length > 0) {
        this.flushList(out);
      }
    }
    if (continuesList && rest.length > 0) {
      const last = rest[rest.length - 1] as List;
      out.push(...rest.slice(0, -1));
      this.pendingList = { node: last, marker: continuesList };
      return;
    }
    if (this.pendingList && rest.length === 0) return;
    this.flushList(out);
    out.push(...rest);
  }

  private flushList(out: RootContent[]): void {
    if (this.pendingList) out.push(this.pendingList.node);
    this.pendingList = null;
  }

  private advance(to: number): void {
    this.line += countLines(this.text.slice(this.pos, to));
    this.pos = to;
  }

  /** Definitions of the labels the chunk mentions that the file defines (or, first pass, may define). */
  private definitionLines(own: string): { prefix: string; keys: ReadonlySet<string> } {
    const known = this.definitions.known;
    const keys = new Set<string>();
    if (known.size === 0) return { prefix: '', keys };
    const footnotes: string[] = [];
    const links: string[] = [];
    for (const key of referencedKeys(own)) {
      const label = known.get(key);
      if (label === undefined) continue;
      keys.add(key);
      if (key.startsWith('^')) footnotes.push(`[^${label}]: x\n\n`);
      else links.push(`[${label}]: x\n\n`);
    }
    if (footnotes.length === 0 && links.length === 0) return { prefix: '', keys };
    // A footnote definition is a container that an indented first line would continue: a link
    // definition at column 0 closes it before the chunk starts.
    if (footnotes.length > 0) links.push(`[${CLOSER}]: x\n\n`);
    return { prefix: footnotes.join('') + links.join(''), keys };
  }

  /** Notes the definitions in the nodes, and which of the given labels their references used. */
  private noteLabels(nodes: readonly Node[], given: ReadonlySet<string>): void {
    const visit = (node: Node) => {
      const labelled = node as { label?: string | null; identifier?: string };
      const footnote = node.type === 'footnoteDefinition' || node.type === 'footnoteReference';
      const key = labelled.identifier === undefined ? null : labelKey(labelled.label ?? labelled.identifier, footnote);
      if (key !== null && (node.type === 'definition' || node.type === 'footnoteDefinition')) {
        if (!this.defined.has(key)) this.defined.set(key, labelText(labelled.label ?? (labelled.identifier as string)));
      } else if (key !== null && given.has(key)) {
        this.used.add(key);
      }
      const children = (node as { children?: Node[] }).children;
      if (children) for (const child of children) visit(child);
    };
    for (const node of nodes) visit(node);
  }
}

/** A label no runbook refers to (a private-use character): its definition only closes what comes before it. */
const CLOSER = '\uE000';

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Moves every position under `node` by `lines` and `offset` (columns stay: chunks start at a line start). */
function shift(node: Node, lines: number, offset: number): void {
  const p = node.position;
  if (p) {
    node.position = {
      start: { line: p.start.line + lines, column: p.start.column, offset: (p.start.offset ?? 0) + offset },
      end: { line: p.end.line + lines, column: p.end.column, offset: (p.end.offset ?? 0) + offset },
    };
  }
  const children = (node as { children?: Node[] }).children;
  if (children) for (const child of children) shift(child, lines, offset);
}

/** The end of the front matter's closing line (after its newline), or 0 when the text opens with none. */
function frontMatterEnd(text: string): number {
  if (!/^---[ \t]*\r?\n/.test(text)) return 0;
  let at = lineEnd(text, 0) + 1;
  while (at < text.length) {
    const end = lineEnd(text, at);
    if (/^---[ \t]*$/.test(text.slice(at, end))) return Math.min(end + 1, text.length);
    at = end + 1;
  }
  return 0;
}

/**
 * Every top-level node of the text, as parseWholeMarkdown would give them (for tests; the model reads
 * MarkdownChunks batch by batch and drops them).
 */
export function parseChunkedMarkdown(text: string, target = TARGET_CHUNK_CHARS): RootContent[] {
  const read = (chunks: MarkdownChunks) => {
    const nodes: RootContent[] = [];
    for (let batch = chunks.next(); batch !== null; batch = chunks.next()) nodes.push(...batch);
    return nodes;
  };
  const first = new MarkdownChunks(text, undefined, target);
  const nodes = read(first);
  return first.needsSecondPass ? read(new MarkdownChunks(text, first.definedLabels(), target)) : nodes;
}
