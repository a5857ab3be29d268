// The section tree, built as top-level nodes arrive. Every heading opens a section that holds what follows
// it up to the next heading; a section closes when a heading of its level or higher arrives (or the text
// ends): only then are all its sub-sections known, and its content is handed on (`onClose`) and dropped.
// Only the open sections' content is held: the syntax trees of closed sections are gone.
import type { Heading, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { FrontMatter, Profile, Section } from '../../shared/runbook-model.js';
import { ownString } from './compact.js';
import { type IdSpace, PREAMBLE_ID } from './ids.js';
import { cleanTitle, profileIn } from './markers.js';
import { noteHeadingKind } from './prose.js';
import { type Source, startLine } from './source.js';

export interface SectionNode {
  section: Section;
  rawTitle: string;
  /** Where the ids of its steps and sub-sections go: "" under the document title, PREAMBLE_ID for the preamble. */
  path: string;
  content: RootContent[];
  inheritedProfile: Profile | null;
}

/** A heading's title; "{#anchor}" after it is an id for the site generator, not part of the title. */
export function headingText(heading: Heading): string {
  return cleanTitle(toString(heading).replace(/\s*\{#[^}]*\}\s*$/, ''));
}

export function fileTitle(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.(md|markdown|mdx)$/i, '') || 'Untitled runbook';
}

export class Outline {
  readonly preamble: SectionNode;
  readonly topLevel: Section[] = [];
  /** Each section's heading as written (for "{#anchor}" links), by id. */
  readonly rawTitles = new Map<string, string>();
  private readonly stack: SectionNode[] = [];
  private current: SectionNode;
  private seenHeading = false;
  private preambleOpen = true;
  private titleHeading: Heading | null = null;
  private runbookTitle: string | null;

  constructor(
    private readonly source: Source,
    private readonly frontMatter: FrontMatter | null,
    private readonly file: string,
    private readonly ids: IdSpace,
    private readonly onClose: (node: SectionNode) => void,
  ) {
    const profile = frontMatter?.profile ?? null;
    this.runbookTitle = frontMatter?.title ?? null;
    this.preamble = {
      section: { id: PREAMBLE_ID, title: '', depth: 0, line: 1, profile, stepIds: [], notes: [], sections: [] },
      rawTitle: '',
      path: PREAMBLE_ID,
      content: [],
      inheritedProfile: profile,
    };
    this.current = this.preamble;
  }

  /** The runbook's title: front matter, else a depth-1 first heading, else the first heading, else the file name. */
  get title(): string {
    return this.runbookTitle ?? fileTitle(this.file);
  }

  add(node: RootContent): void {
    if (node.type !== 'heading') {
      this.current.content.push(node);
      return;
    }
    if (!this.seenHeading) {
      this.seenHeading = true;
      if (node.depth === 1) this.titleHeading = node;
      this.runbookTitle ??= ownString(headingText(node));
    }
    // A callout or example heading ("Note", "Warning", "Before", "Example") opens no section: what it holds
    // is a note of the section it follows (steps.ts).
    if (node !== this.titleHeading && noteHeadingKind(headingText(node)) !== null) {
      this.current.content.push(node);
      return;
    }
    this.closePreamble();
    while (this.stack.length > 0 && (this.stack[this.stack.length - 1] as SectionNode).section.depth >= node.depth) {
      this.close(this.stack.pop() as SectionNode);
    }
    const parent = this.stack[this.stack.length - 1];
    const raw = this.source.slice(node).replace(/^\s*#{1,6}\s*|\s*#*\s*$/g, '') || toString(node);
    const text = headingText(node);
    const isDocTitle = node === this.titleHeading;
    const inherited = profileIn(raw) ?? parent?.inheritedProfile ?? this.frontMatter?.profile ?? null;
    // The model keeps the id and title: strings of their own, not views of the chunk they were read from.
    const id = ownString(this.ids.sectionId(parent?.path ?? '', text || (isDocTitle ? 'title' : '')));
    const sectionNode: SectionNode = {
      section: {
        id,
        title: ownString(text || `Section at line ${startLine(node)}`),
        depth: node.depth,
        line: startLine(node),
        profile: inherited,
        stepIds: [],
        notes: [],
        sections: [],
      },
      rawTitle: raw,
      path: isDocTitle ? '' : id,
      content: [],
      inheritedProfile: inherited,
    };
    this.rawTitles.set(id, raw);
    if (parent) parent.section.sections.push(sectionNode.section);
    else this.topLevel.push(sectionNode.section);
    this.stack.push(sectionNode);
    this.current = sectionNode;
  }

  /** Closes every open section (the text has ended). */
  finish(): void {
    this.closePreamble();
    while (this.stack.length > 0) this.close(this.stack.pop() as SectionNode);
  }

  /** The top-level sections, the preamble first when it has steps. */
  sections(): Section[] {
    return this.preamble.section.stepIds.length > 0 ? [this.preamble.section, ...this.topLevel] : this.topLevel;
  }

  private closePreamble(): void {
    if (!this.preambleOpen) return;
    this.preambleOpen = false;
    this.preamble.section.title = this.title;
    this.preamble.rawTitle = this.title;
    this.close(this.preamble);
  }

  private close(node: SectionNode): void {
    this.onClose(node);
    node.content = [];
    this.ids.close(node.path);
  }
}
