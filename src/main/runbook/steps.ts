// Finds the steps of one section: task items, procedure (ordered) items, headings with code under them,
// stray code blocks, sign-off sheets and decisions — and the steps written without code: imperative
// procedure lists, success gates, decision and input paragraphs and tables, and headings that are steps of
// their own (prose.ts holds the rules). Callouts and examples become notes. Every code block lands in
// exactly one step; code inside a callout or an example is shown with its step, never run.
import type { Blockquote, Code, Heading, List, ListItem, Node, Paragraph, Parent, RootContent, Table } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Check, FillIn, Note, Step } from '../../shared/runbook-model.js';
import { isNegativeChoice } from '../../shared/fill-in-values.js';
import { fillInsIn, fillInsOnLine, makeFillIn, tableFillIns } from './fillins.js';
import { branchIn, choiceTargets, decisionIn, isSignoffHeading, isSignoffTable, signoffLineRole } from './forms.js';
import type { SectionLinker, TargetRef } from './links.js';
import { cleanTitle } from './markers.js';
import {
  calloutAt,
  calloutRegionOpen,
  imperativeVerb,
  introKind,
  isDescriptiveHeading,
  isGateHeading,
  isNumberedHeading,
  isProcedureHeading,
  noteHeadingKind,
} from './prose.js';
import { type Source, dedent, endLine, startLine } from './source.js';

export interface SectionInput {
  id: string;
  title: string;
  /** Raw heading text (before cleaning), for profile markers. */
  rawTitle: string;
  line: number;
  content: RootContent[];
  /** How many sub-sections it has: a heading over sub-sections is a step only when its own prose instructs. */
  subsections?: number;
  /** Heading depth (0 for the part before the first heading). */
  depth?: number;
}

export interface StepDraft {
  kind: Step['kind'];
  origin: Step['origin'];
  title: string;
  /** The source text the title came from, still holding any profile marker. */
  rawTitle: string;
  line: number;
  checked: boolean;
  bodyParts: string[];
  checks: Check[];
  codes: Code[];
  fillIns: FillIn[];
  signoff: { roles: string[]; fields: string[] } | null;
  decision: { options: string[]; choices: { label: string; leadsTo: string | null }[] } | null;
  notes: Note[];
  /** Code shown with the step and never run (examples, code inside a callout), with the note it belongs to. */
  asides: Map<Code, Note>;
  /** Found in prose rather than in a task box, a procedure with code or a heading with code. */
  byHand: boolean;
  /** Where a conditional's choices lead, as its text says (decisions read their own text otherwise). */
  targets?: (TargetRef | null)[];
  /** Which of the section's nodes made it (a note just before that node stands by it). */
  at?: number;
}

const LEAD_IN_MAX = 150;

function isParent(node: Node): node is Parent {
  return Array.isArray((node as Parent).children);
}

function containsCode(node: Node): boolean {
  if (node.type === 'code') return true;
  return isParent(node) && node.children.some(containsCode);
}

function containsTask(node: Node): boolean {
  if (node.type === 'listItem' && typeof (node as ListItem).checked === 'boolean') return true;
  return isParent(node) && node.children.some(containsTask);
}

function codesIn(node: Node, into: Code[] = []): Code[] {
  if (node.type === 'code') into.push(node as Code);
  else if (isParent(node)) for (const child of node.children) codesIn(child, into);
  return into;
}

/** Ordered lists with at least one item that holds code: every item of such a list is a procedure step. */
function procedureLists(nodes: readonly Node[], into = new Set<List>()): Set<List> {
  for (const node of nodes) {
    if (node.type === 'list' && (node as List).ordered && (node as List).children.some(containsCode)) {
      into.add(node as List);
    }
    if (isParent(node)) procedureLists(node.children, into);
  }
  return into;
}

/** A paragraph's callout label: "**Note:**", "Warning:", "⚠️ Important:", ":warning:", "[!TIP]". */
function paragraphCallout(p: Paragraph, text = toString(p)) {
  const first = p.children[0];
  return calloutAt(text, first?.type === 'strong' ? toString(first) : undefined);
}

/** The callout a quote opens with: a GitHub alert (`> [!WARNING]`) or a labelled first paragraph. */
function quoteCallout(q: Blockquote) {
  const first = q.children[0];
  return first?.type === 'paragraph' ? paragraphCallout(first) : null;
}

/** Drops a callout's label from its markdown: "**Note:** text" → "text". */
function withoutLabel(markdown: string): string {
  return markdown
    .replace(/^\s*(?:\*\*|__)?\s*(?:[\u26a0\u2139\u2757\u203c\u26d4\u{1f4a1}\u{1f4dd}\u{1f6a8}\u{1f6d1}\u{1f4cc}]\ufe0f?\s*)?(?:\*\*|__)?(?:\[![A-Za-z]+\]|:[a-z_]+:|(?:for\s+)?[A-Za-z.]+(?:\s+output)?)\s*(?:\*\*|__)?\s*[:：]?\s*(?:\*\*|__)?[ \t]*\n?/u, '')
    .trim();
}

/** A short paragraph that opens with bold text (or "Step 3: …") and introduces what follows. */
function leadInTitle(p: Paragraph): string | null {
  const text = toString(p).trim();
  if (text.length === 0 || text.length > LEAD_IN_MAX) return null;
  const first = p.children[0];
  if (first && first.type === 'strong') {
    const strong = toString(first).trim();
    return cleanTitle(strong.length >= 3 ? strong : text);
  }
  if (/^(step|phase|option|stage)\s+\d+\b/i.test(text)) return cleanTitle(text.split('\n')[0] as string);
  return null;
}

/** A paragraph that is nothing but links ("[Failover dashboard](https://…)"). */
function linksOnly(p: Paragraph): boolean {
  return p.children.some((c) => c.type === 'link') && p.children.every((c) => c.type === 'link' || (c.type === 'text' && /^[\s,;.:|·-]*$/.test(c.value)));
}

const TITLE_MAX = 120;
const WRAPPED_END = /(,|\b(?:the|a|an|of|to|in|into|and|or|for|with|on|at|by|from|that|is|are|be|your|its|their))$/i;

/**
 * The title a paragraph gives its step: its first line, joined with the lines a hard wrap split off
 * (the first ends mid-phrase or the next starts in lower case), cut at a sentence or word near 120 chars.
 * `lines` tells how many source lines the title took; `cut` whether it had to be shortened.
 */
export function paragraphTitle(p: Paragraph): { title: string; lines: number; cut: boolean } {
  const lines = toString(p).split('\n').map((l) => l.trim());
  let title = lines[0] ?? '';
  let used = 1;
  while (used < lines.length && (WRAPPED_END.test(title) || /^[a-z]/.test(lines[used] as string))) {
    title += ` ${lines[used]}`;
    used++;
  }
  if (title.length <= TITLE_MAX) return { title, lines: used, cut: false };
  const first = p.children[0];
  if (first?.type === 'strong' && toString(first).trim().length >= 3) return { title: toString(first), lines: used, cut: true };
  const sentence = /^(.{20,120}?)[.!?:](\s|$)/.exec(title);
  if (sentence) return { title: sentence[1] as string, lines: used, cut: true };
  return { title: `${title.slice(0, TITLE_MAX).replace(/\s+\S*$/, '')}…`, lines: used, cut: true };
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}

/** The first line of an item as written (its first paragraph), for the imperative test. */
function itemLead(item: ListItem): string {
  const first = item.children[0];
  return first?.type === 'paragraph' ? toString(first) : '';
}

/** A callout or example region: it takes what follows it until it closes (or the section ends). */
interface Region {
  note: Note;
  parts: string[];
  /** null: until the next heading region or the end of the section (a heading such as "Before"). */
  closes: ((text: string) => boolean) | null;
  owner: StepDraft | null;
  /** An example label on its own ("**Before**", "Example output:"): it takes the code block right after it, if any. */
  nextCodeOnly?: boolean;
}

export class SectionStepCollector {
  private readonly drafts: StepDraft[] = [];
  private readonly procedures: Set<List>;
  private readonly structured: boolean;
  /** The section holds code outside its examples: its prose stays the body of the heading step. */
  private readonly hasCode: boolean;
  /** A bold lead-in waiting for its code; prose after it belongs to the step it will start. */
  private pendingLeadIn: { title: string; raw: string; line: number; node: Paragraph; prose: Node[] } | null = null;
  private headingStep: StepDraft | null = null;
  private leadInStep: StepDraft | null = null;
  private signoffLines: StepDraft | null = null;
  /** Prose that comes before the first code of a heading-step section; it becomes that step's body. */
  private readonly prelude: Node[] = [];
  /** The paragraph just before the node being visited outside any step (what introduces a list or table). */
  private lastParagraph: Paragraph | null = null;
  private region: Region | null = null;
  /** Notes met outside any step: each stands by a step once all are known, else by the section. */
  private readonly looseNotes: { note: Note; owner: StepDraft | null; at: number }[] = [];
  /** The section node being visited (1-based), to tell which step a note stands just before. */
  private at = 0;
  /** The section's own notes (callouts that stand by none of its steps), filled by collect(). */
  readonly notes: Note[] = [];

  constructor(
    private readonly section: SectionInput,
    private readonly source: Source,
    private readonly linker: SectionLinker | null = null,
  ) {
    // What sits under an example heading ("Before", "Example") is shown, not done: it makes no procedure.
    const main: RootContent[] = [];
    let example = false;
    for (const node of section.content) {
      if (node.type === 'heading') example = noteHeadingKind(headingText(node)) === 'example';
      else if (!example) main.push(node);
    }
    this.procedures = procedureLists(main);
    this.structured = main.some(containsTask) || this.procedures.size > 0;
    this.hasCode = main.some(containsCode);
  }

  collect(): StepDraft[] {
    for (const node of this.section.content) {
      this.at++;
      this.visit(node, null);
    }
    this.region = null;
    // The part before the first heading is titled by the runbook, not by a heading: it is never a heading step.
    const options = this.section.depth === 0 ? null : decisionIn(this.section.title);
    if (!this.structured && options && this.drafts.every((d) => d.byHand && !d.decision)) {
      // A heading that asks for a decision ("Go / No-Go") is one, also over the instructions or gates it lists.
      this.ensureHeadingStep().decision = { options, choices: [] };
    } else if (!this.structured && this.drafts.length === 0) {
      if (this.wantsHeadingStep()) this.ensureHeadingStep().byHand = true;
    } else if (!this.structured && !this.hasCode) {
      // Beside the steps of a prose procedure, a line of blanks ("Error rate at the start: ____ %") is an input of its own.
      let intro: Paragraph | null = null;
      for (const node of this.prelude) {
        if (node.type === 'paragraph') this.inputParagraph(node as Paragraph, true);
        else if (node.type === 'table') this.visitInputTable(node as Table, intro, true);
        intro = node.type === 'paragraph' ? (node as Paragraph) : null;
      }
    }
    this.placeNotes();
    for (const d of this.drafts) {
      if (d.decision && d.kind === 'step') d.kind = 'decision';
      const runnable = d.codes.some((c) => !d.asides.has(c));
      // Nothing to run: a step found in prose (or holding only examples) is done by hand, or filled in.
      if (d.kind === 'step' && !runnable && (d.byHand || d.codes.length > 0)) d.kind = d.fillIns.length > 0 ? 'input' : 'manual';
      if (d.decision) this.placeChoices(d);
    }
    return this.drafts.sort((a, b) => a.line - b.line);
  }

  /**
   * A heading with no code and no other step under it is a step of its own when it reads as one: it holds
   * blanks to fill; or it names an action ("Notify the customer") or is numbered ("3. Containment"); or it is
   * a procedure by name ("Rollback", "Escalation") and its prose gives an instruction or only a link. A
   * heading over sub-sections is one only when its own prose gives an instruction; the document's title never.
   */
  private wantsHeadingStep(): boolean {
    const title = this.section.title;
    const depth = this.section.depth ?? 2;
    if (depth === 0 || isDescriptiveHeading(title) || noteHeadingKind(title)) return false;
    if (this.prelude.some((n) => this.blanksIn(n).length > 0)) return true;
    const named = imperativeVerb(title) !== null || isNumberedHeading(title);
    const instructs = this.prelude.some((n) => n.type === 'paragraph' && (imperativeVerb(toString(n)) !== null || linksOnly(n as Paragraph)));
    if ((this.section.subsections ?? 0) > 0) return depth > 1 && (named || isProcedureHeading(title)) && instructs;
    return named || (isProcedureHeading(title) && instructs);
  }

  private newDraft(partial: Pick<StepDraft, 'origin' | 'title' | 'rawTitle' | 'line'> & Partial<StepDraft>): StepDraft {
    const draft: StepDraft = {
      kind: 'step',
      checked: false,
      bodyParts: [],
      checks: [],
      codes: [],
      fillIns: [],
      signoff: null,
      decision: null,
      notes: [],
      asides: new Map(),
      byHand: false,
      at: this.at,
      ...partial,
    };
    this.drafts.push(draft);
    return draft;
  }

  private ensureHeadingStep(): StepDraft {
    this.headingStep ??= this.newDraft({
      origin: 'heading',
      title: this.section.title,
      rawTitle: this.section.rawTitle,
      line: this.section.line,
    });
    for (const node of this.prelude.splice(0)) this.proseWithBlanks(this.headingStep, node);
    return this.headingStep;
  }

  private visit(node: RootContent, step: StepDraft | null): void {
    if (step === null) {
      const intro = this.lastParagraph;
      this.lastParagraph = node.type === 'paragraph' ? node : null;
      if (this.region && this.regionTakes(node)) return;
      if (node.type === 'heading') {
        this.openRegion({ kind: noteHeadingKind(headingText(node)) ?? 'note', label: headingText(node), text: '', line: startLine(node), blockIds: [] }, null, null);
        return;
      }
      if (node.type === 'list' && this.visitDecisionList(node)) return;
      if (node.type === 'list' && this.visitProseList(node, intro)) return;
      if (node.type === 'table' && this.visitInputTable(node, intro)) return;
    }
    if (node.type === 'blockquote' && this.visitCallout(node, step)) return;
    if (node.type === 'paragraph' && this.visitCallout(node, step)) return;
    // Sign-off lines merge into one step only while nothing else stands between them.
    if (node.type !== 'paragraph' && node.type !== 'thematicBreak') this.signoffLines = null;
    switch (node.type) {
      case 'list':
        this.visitList(node, step);
        return;
      case 'code':
        this.visitCode(node, step);
        return;
      case 'paragraph':
        this.visitParagraph(node, step);
        return;
      case 'table':
        if (!step) this.visitTable(node);
        else this.proseInto(step, node);
        return;
      case 'thematicBreak':
        this.pendingLeadIn = null;
        return;
      default:
        if (isParent(node)) {
          for (const child of node.children as RootContent[]) this.visit(child, step);
        } else if (step) {
          this.proseInto(step, node);
        }
    }
  }

  // ---- callouts and examples ---------------------------------------------------------------------------

  /** A labelled paragraph or quote becomes a note (of `step`, or of the step it stands by); a site generator's callout opens a region. */
  private visitCallout(node: Paragraph | Blockquote, step: StepDraft | null): boolean {
    const callout = node.type === 'paragraph' ? paragraphCallout(node) : quoteCallout(node);
    const raw = this.source.slice(node);
    if (callout) {
      const markdown = node.type === 'blockquote' ? dedent(raw.split('\n').map((l) => l.replace(/^\s*>\s?/, '')).join('\n')) : dedent(raw);
      const note: Note = { kind: callout.kind, label: callout.label, text: withoutLabel(markdown), line: startLine(node), blockIds: [] };
      this.addNote(note, step, node);
      // "**Before**" or "Example output:" introduces the code right after it: that code is the example.
      if (step === null && callout.kind === 'example' && node.type === 'paragraph') this.region = { note, parts: [], closes: null, owner: null, nextCodeOnly: true };
      return true;
    }
    if (node.type === 'paragraph' && step === null) {
      const open = calloutRegionOpen(toString(node).trim());
      if (open) {
        this.openRegion({ kind: open.kind, label: open.label, text: '', line: startLine(node), blockIds: [] }, open.closes, null);
        this.regionTakes(node);
        return true;
      }
    }
    return false;
  }

  private addNote(note: Note, step: StepDraft | null, node: Node): void {
    const codes = codesIn(node);
    if (step) {
      step.notes.push(note);
      for (const code of codes) this.asideOf(step, code, note);
      return;
    }
    const owner = codes.length > 0 ? this.asideOwner() : null;
    for (const code of codes) this.asideOf(owner as StepDraft, code, note);
    this.looseNotes.push({ note, owner, at: this.at });
  }

  private openRegion(note: Note, closes: Region['closes'], owner: StepDraft | null): void {
    this.region = { note, parts: [], closes, owner };
    this.looseNotes.push({ note, owner: null, at: this.at });
  }

  /** Whether the open region takes this node (into its note; code as asides of a step). */
  private regionTakes(node: RootContent): boolean {
    const region = this.region as Region;
    if (region.nextCodeOnly) {
      this.region = null;
      if (node.type !== 'code') return false;
      region.owner ??= this.asideOwner();
      this.asideOf(region.owner, node, region.note);
      const entry = this.looseNotes.find((n) => n.note === region.note);
      if (entry) entry.owner = region.owner;
      region.note.text = [region.note.text, dedent(this.source.slice(node)).trim()].filter(Boolean).join('\n\n');
      return true;
    }
    if (region.closes === null && node.type === 'heading') return false;
    // Under a callout heading ("Important"), task boxes the author ticks are still steps; under an example, nothing is.
    if (region.closes === null && region.note.kind !== 'example' && containsTask(node)) return false;
    const text = this.source.slice(node);
    const codes = codesIn(node);
    if (codes.length > 0) {
      region.owner ??= this.asideOwner();
      for (const code of codes) this.asideOf(region.owner, code, region.note);
      const entry = this.looseNotes.find((n) => n.note === region.note);
      if (entry) entry.owner = region.owner;
    }
    region.parts.push(dedent(text).trim());
    region.note.text = region.parts
      .join('\n\n')
      .replace(/^\s*(?:\{\{[<%][^}]*[>%]\}\}|:::\s*\w*)\s*/, '')
      .replace(/\s*(?:\{\{[<%]\s*\/[^}]*[>%]\}\}|:::)\s*$/, '')
      .trim();
    if (region.closes?.(text)) this.region = null;
    return true;
  }

  /** The step that shows a callout's or an example's code: the lead-in or heading step, else the last step, else a new one. */
  private asideOwner(): StepDraft {
    const last = this.drafts[this.drafts.length - 1];
    if (!this.structured) return this.leadInStep ?? this.headingStep ?? last ?? this.ensureHeadingStep();
    return last ?? this.newDraft({ origin: 'block', title: this.section.title, rawTitle: this.section.rawTitle, line: this.section.line });
  }

  private asideOf(step: StepDraft, code: Code, note: Note): void {
    step.codes.push(code);
    step.asides.set(code, note);
  }

  /**
   * Each note outside a step stands by the step that starts right after it ("**Warning**" over a command),
   * else by the step before it in the section, else the step after it, else by the section itself.
   */
  private placeNotes(): void {
    const byLine = [...this.drafts].sort((a, b) => a.line - b.line);
    for (const { note, owner, at } of this.looseNotes) {
      const next = byLine.find((d) => d.at === at + 1 && d.line > note.line);
      const by = owner ?? next ?? [...byLine].reverse().find((d) => d.line <= note.line) ?? byLine.find((d) => d.line > note.line) ?? null;
      (by ? by.notes : this.notes).push(note);
    }
    for (const d of this.drafts) d.notes.sort((a, b) => a.line - b.line);
  }

  // ---- decisions -----------------------------------------------------------------------------------------

  /** Each choice of a decision with where it leads: a section its text names or links, a roll-back for NO-GO. */
  private placeChoices(d: StepDraft): void {
    const decision = d.decision as NonNullable<StepDraft['decision']>;
    const refs = d.targets ?? choiceTargets(decision.options, [d.rawTitle, ...d.bodyParts, ...d.checks.map((c) => c.title)].join('\n'));
    decision.choices = decision.options.map((label, i) => ({
      label,
      leadsTo: this.linker ? this.linker.resolve(refs[i] ?? null, { line: d.line, sectionId: this.section.id }, isNegativeChoice(label)) : null,
    }));
  }

  // ---- prose procedures ----------------------------------------------------------------------------------

  /** A decision made from the node just before (its choices may be listed under it). */
  private decisionLead: { draft: StepDraft; at: number } | null = null;

  /** A list right under a decision that names its choices ("- GO → [Cut over](#cut-over)") is the decision's body. */
  private visitDecisionList(list: List): boolean {
    if (containsCode(list) || containsTask(list)) return false;
    const lead = this.decisionLead && this.decisionLead.at === this.at - 1 ? this.decisionLead.draft : null;
    // Under a heading that is a decision ("## Go / No-Go"), a list naming its options is that decision's body.
    const headingOptions = !lead && !this.structured ? decisionIn(this.section.title) : null;
    const options = lead?.decision?.options ?? headingOptions ?? [];
    const names = (item: ListItem) => options.some((o) => new RegExp(`(?<![\\w-])${o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/-/g, '[\\s-]?')}(?![\\w-])`, 'i').test(toString(item)));
    if (options.length === 0 || !list.children.some(names)) return false;
    if (lead) this.proseInto(lead, list);
    else this.sectionProse(list);
    return true;
  }

  /**
   * A list without code or task boxes outside any step, in a section whose prose is not a heading step's
   * body: a procedure when at least half its items are instructions, decisions or blanks to fill (each item
   * of a numbered list is then a step; of a bulleted list, each item that is one); success gates under a
   * criteria heading or intro. Lists in descriptive sections or after a descriptive intro stay prose.
   */
  private visitProseList(list: List, intro: Paragraph | null): boolean {
    if (containsCode(list) || containsTask(list) || (!this.structured && this.hasCode)) return false;
    if (isDescriptiveHeading(this.section.title) || noteHeadingKind(this.section.title)) return false;
    // A table of contents (every item a link into this page) is not a procedure.
    if (list.children.every((item) => /^\s*\[[^\]]*\]\(#[^)]*\)\s*$/.test(firstLine(itemLead(item)) === '' ? '' : firstLine(this.source.slice(item.children[0] as Node)).replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')))) return false;
    const introduced = intro ? introKind(toString(intro)) : null;
    const gate = isGateHeading(this.section.title) || introduced === 'gate';
    if (!gate && introduced === 'descriptive') return false;
    const read = new Map<ListItem, boolean>();
    const isStep = (item: ListItem): boolean => {
      let known = read.get(item);
      if (known === undefined) {
        const lead = itemLead(item);
        known = imperativeVerb(lead) !== null || decisionIn(cleanTitle(lead)) !== null || branchIn(lead) !== null || /^[\u2610\u25a1\u25a2\u2b1c]/u.test(lead.trim()) || this.itemFillIns(item).length > 0;
        read.set(item, known);
      }
      return known;
    };
    const steps = list.children.filter(isStep).length;
    if (!gate && (steps === 0 || steps * 2 < list.children.length)) return false;
    if (this.structured) this.pendingLeadIn = null;
    let previous: StepDraft | null = null;
    for (const item of list.children) {
      if (this.calloutItem(item, previous)) continue;
      if (gate || list.ordered || isStep(item)) {
        previous = this.itemStep(item, gate && !isStep(item) ? 'gate' : 'list');
        this.visitItemChildren(item, previous, 'title');
      } else if (previous) {
        // A bulleted remark between instructions belongs to the instruction before it.
        this.proseInto(previous, item);
      }
    }
    return true;
  }

  /**
   * An item of a procedure that is only a callout ("1. IMPORTANT:" over nested remarks, "- **Note:** …") is
   * a note of the step before it in the list (or, first in its list, of the step it stands by), not a step.
   */
  private calloutItem(item: ListItem, previous: StepDraft | null): boolean {
    const first = item.children[0];
    if (first?.type !== 'paragraph') return false;
    const callout = paragraphCallout(first);
    if (!callout) return false;
    const [head = '', ...rest] = this.source.slice(item).replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '').split('\n');
    const markdown = `${head}\n${dedent(rest.join('\n'))}`;
    this.addNote({ kind: callout.kind, label: callout.label, text: withoutLabel(markdown), line: startLine(item), blockIds: [] }, previous, item);
    return true;
  }

  /** A table with cells left to fill ("Actual", "____") outside any step of a structured section is an input step. */
  private visitInputTable(table: Table, intro: Paragraph | null, anywhere = false): boolean {
    if (!this.structured && !anywhere) return false;
    const [head] = table.children;
    const header = head ? head.children.map((c) => toString(c).trim()) : [];
    if (isSignoffTable(header, this.section.title)) return false;
    const fields = tableFillIns(table);
    if (fields.length === 0) return false;
    const lead = intro ? toString(intro).trim() : '';
    const titled = lead && lead.length <= LEAD_IN_MAX && !lead.includes('\n') ? cleanTitle(lead.replace(/:$/, '')) : '';
    const draft = this.newDraft({ origin: 'table', title: titled || this.section.title, rawTitle: titled ? lead : this.section.rawTitle, line: startLine(table), byHand: true, fillIns: fields });
    this.proseInto(draft, table);
    return true;
  }

  private proseInto(step: StepDraft, node: Node): void {
    const text = dedent(this.source.slice(node)).trim();
    if (text) step.bodyParts.push(text);
  }

  /** The lines of a lead-in paragraph after its bold title line. */
  private leadInBody(step: StepDraft, lead: Paragraph): void {
    const rest = dedent(this.source.slice(lead).split('\n').slice(1).join('\n')).trim();
    if (rest) step.bodyParts.push(rest);
  }

  /** The blanks of a piece of prose: a table's cells left to fill, or the blanks on its lines. */
  private blanksIn(node: Node): FillIn[] {
    if (node.type === 'table') return tableFillIns(node as Table);
    return fillInsIn(this.source.lineRange(startLine(node), endLine(node)), startLine(node));
  }

  /** Prose of a heading or lead-in step: its body, and the blanks it holds. */
  private proseWithBlanks(step: StepDraft, node: Node): void {
    this.proseInto(step, node);
    step.fillIns.push(...this.blanksIn(node));
  }

  private visitList(list: List, step: StepDraft | null): void {
    if (!step && !this.structured && !containsCode(list)) {
      this.sectionProse(list);
      return;
    }
    if (this.structured) this.pendingLeadIn = null;
    let previous: StepDraft | null = null;
    for (const item of list.children) {
      if (!step && typeof item.checked !== 'boolean' && this.calloutItem(item, previous)) continue;
      if (step) {
        const isCheck = typeof item.checked === 'boolean';
        if (isCheck) step.checks.push({ title: cleanTitle(firstLine(toString(item))), checked: item.checked === true, line: startLine(item) });
        this.visitItemChildren(item, step, isCheck ? 'check' : 'content');
      } else if (typeof item.checked === 'boolean') {
        this.visitItemChildren(item, (previous = this.itemStep(item, 'task')), 'title');
      } else if (list.ordered && this.procedures.has(list)) {
        this.visitItemChildren(item, (previous = this.itemStep(item, 'ordered')), 'title');
      } else {
        for (const child of item.children) this.visit(child, null);
      }
    }
  }

  private itemStep(item: ListItem, origin: 'task' | 'ordered' | 'list' | 'gate'): StepDraft {
    const first = item.children[0];
    const rawLine = first?.type === 'paragraph' ? firstLine(this.source.slice(first)) : '';
    const title = first?.type === 'paragraph' ? cleanTitle(paragraphTitle(first).title) : '';
    const line = startLine(item);
    const byHand = origin === 'list' || origin === 'gate';
    const draft = this.newDraft({
      origin,
      title: title || `${this.section.title} (line ${line})`,
      rawTitle: rawLine || title,
      line,
      checked: item.checked === true,
      byHand,
    });
    draft.fillIns = this.itemFillIns(item);
    const role = signoffLineRole(rawLine);
    if (role !== null) {
      draft.kind = 'signoff';
      draft.signoff = { roles: [role], fields: draft.fillIns.slice(1).map((f) => f.label).filter(Boolean) };
    }
    const options = decisionIn(title);
    if (options) draft.decision = { options, choices: [] };
    else if (byHand && first?.type === 'paragraph') {
      // "If the error rate stays above 2 %, roll back (see [Rollback](#rollback))": a decision with its turn.
      const branch = branchIn(this.source.slice(first));
      if (branch) {
        draft.decision = { options: [...branch.options], choices: [] };
        draft.targets = [choiceTargets([branch.options[0]], `${branch.options[0]} ${branch.turn}`)[0] ?? null, null];
      }
    }
    return draft;
  }

  /** Blanks anywhere in the item's prose (its own lines, less the lines of its code blocks). */
  private itemFillIns(item: ListItem): FillIn[] {
    const from = startLine(item);
    const codeLines = new Set<number>();
    const mark = (n: Node) => {
      if (n.type === 'code') for (let l = startLine(n); l <= endLine(n); l++) codeLines.add(l);
      else if (isParent(n)) n.children.forEach(mark);
    };
    mark(item);
    const lines = this.source.lineRange(from, endLine(item));
    return lines.flatMap((text, i) => (codeLines.has(from + i) ? [] : fillInsOnLine(text, from + i)));
  }

  /**
   * The item's content: code goes to blocks, nested tasks to checks, callouts to notes, the rest to the body.
   * The first paragraph is the step's title ('title') or a check's title ('check'), or plain content ('content').
   */
  private visitItemChildren(item: ListItem, step: StepDraft, mode: 'title' | 'check' | 'content'): void {
    item.children.forEach((child, index) => {
      if (mode !== 'content' && index === 0 && child.type === 'paragraph') {
        if (mode === 'check') return;
        // What the title did not take stays in the body; a shortened title leaves the whole paragraph there.
        const { lines, cut } = paragraphTitle(child);
        const [first = '', ...rest] = this.source.slice(child).split('\n');
        const text = cut ? `${first.trim()}\n${dedent(rest.join('\n'))}` : dedent(rest.slice(lines - 1).join('\n'));
        if (text.trim()) step.bodyParts.push(text.trim());
        return;
      }
      if ((child.type === 'paragraph' || child.type === 'blockquote') && this.visitCallout(child, step)) return;
      if (child.type === 'list' || child.type === 'code') this.visit(child, step);
      else if (isParent(child) && containsCode(child)) this.visit(child, step);
      else this.proseInto(step, child);
    });
  }

  private visitCode(code: Code, step: StepDraft | null): void {
    if (step) {
      step.codes.push(code);
      return;
    }
    const lead = this.pendingLeadIn;
    if (this.structured) {
      const draft = this.newDraft({
        origin: lead ? 'lead-in' : 'block',
        title: lead?.title ?? this.section.title,
        rawTitle: lead?.raw ?? this.section.rawTitle,
        line: lead?.line ?? startLine(code),
      });
      if (lead) {
        draft.fillIns = fillInsIn(this.source.lineRange(lead.line, endLine(lead.node)), lead.line);
        this.leadInBody(draft, lead.node);
      }
      draft.codes.push(code);
      return;
    }
    if (lead) {
      this.pendingLeadIn = null;
      this.leadInStep = this.newDraft({ origin: 'lead-in', title: lead.title, rawTitle: lead.raw, line: lead.line });
      this.leadInStep.fillIns = fillInsIn(this.source.lineRange(lead.line, endLine(lead.node)), lead.line);
      this.leadInBody(this.leadInStep, lead.node);
      for (const node of lead.prose) this.proseWithBlanks(this.leadInStep, node);
    }
    (this.leadInStep ?? this.ensureHeadingStep()).codes.push(code);
  }

  private visitParagraph(p: Paragraph, step: StepDraft | null): void {
    if (step) {
      this.proseInto(step, p);
      return;
    }
    const from = startLine(p);
    const lines = this.source.lineRange(from, endLine(p));
    const roles = lines.map(signoffLineRole);
    if (roles.some((r) => r !== null)) {
      this.signoffLines ??= this.newDraft({
        kind: 'signoff',
        origin: 'lines',
        title: isSignoffHeading(this.section.title) ? this.section.title : 'Sign-off',
        rawTitle: this.section.rawTitle,
        line: from,
        signoff: { roles: [], fields: [] },
      });
      const signoff = this.signoffLines.signoff as { roles: string[]; fields: string[] };
      lines.forEach((text, i) => {
        const role = roles[i];
        const blanks = fillInsOnLine(text, from + i);
        this.signoffLines?.fillIns.push(...blanks);
        if (role === null || role === undefined) return;
        signoff.roles.push(role);
        for (const b of blanks.slice(1)) if (b.label && !signoff.fields.includes(b.label)) signoff.fields.push(b.label);
      });
      return;
    }
    this.signoffLines = null;
    const text = toString(p);
    const options = /\bGO\s*\/\s*NO[\s-]?GO\b/i.test(text) ? decisionIn(text) : null;
    if (options) {
      const title = cleanTitle(firstLine(text));
      const draft = this.newDraft({ kind: 'decision', origin: 'lines', title, rawTitle: firstLine(this.source.slice(p)), line: from, decision: { options, choices: [] } });
      this.decisionLead = { draft, at: this.at };
      return;
    }
    if (this.decisionParagraph(p, text) || this.inputParagraph(p)) return;
    const lead = leadInTitle(p);
    if (lead) {
      this.pendingLeadIn = { title: lead, raw: firstLine(this.source.slice(p)), line: from, node: p, prose: [] };
      return;
    }
    this.sectionProse(p);
  }

  /**
   * A short paragraph outside any step that asks for a decision ("Decide whether to proceed or roll back",
   * "If replication lag exceeds 30 s, roll back") is a decision step; its lines after the first are its body.
   */
  private decisionParagraph(p: Paragraph, text: string): boolean {
    if (text.length > 300 || isDescriptiveHeading(this.section.title)) return false;
    const title = cleanTitle(firstLine(text));
    const options = decisionIn(title);
    const branch = options ? null : branchIn(this.source.slice(p));
    if (!options && !branch) return false;
    const raw = this.source.slice(p);
    const draft = this.newDraft({
      kind: 'decision',
      origin: 'lines',
      title: title.length > TITLE_MAX ? paragraphTitle(p).title : title,
      rawTitle: firstLine(raw),
      line: startLine(p),
      byHand: true,
      decision: { options: options ?? [...(branch as NonNullable<typeof branch>).options], choices: [] },
    });
    if (branch) draft.targets = [choiceTargets([branch.options[0]], `${branch.options[0]} ${branch.turn}`)[0] ?? null, null];
    const rest = dedent(raw.split('\n').slice(1).join('\n')).trim();
    if (rest) draft.bodyParts.push(rest);
    this.decisionLead = { draft, at: this.at };
    return true;
  }

  /** In a structured section, a paragraph of blanks outside any item ("Replication lag: ____ s") is an input step. */
  private inputParagraph(p: Paragraph, anywhere = false): boolean {
    if (!this.structured && !anywhere) return false;
    const fields = this.blanksIn(p);
    if (fields.length === 0) return false;
    const title = fields[0]?.label || this.section.title;
    const draft = this.newDraft({ origin: 'lines', title: cleanTitle(title), rawTitle: firstLine(this.source.slice(p)), line: startLine(p), byHand: true, fillIns: fields });
    this.proseInto(draft, p);
    return true;
  }

  /** Prose outside any step: in a heading-step section it is the body of the step it stands in. */
  private sectionProse(node: Node): void {
    if (this.structured) return;
    const owner = this.leadInStep ?? this.headingStep;
    if (this.pendingLeadIn) this.pendingLeadIn.prose.push(node);
    else if (owner) this.proseWithBlanks(owner, node);
    else this.prelude.push(node);
  }

  private visitTable(table: Table): void {
    const [head, ...rows] = table.children;
    const header = head ? head.children.map((c) => toString(c).trim()) : [];
    if (!isSignoffTable(header, this.section.title)) {
      this.sectionProse(table);
      return;
    }
    const fields = header.slice(1).filter(Boolean);
    const draft = this.newDraft({
      kind: 'signoff',
      origin: 'table',
      title: isSignoffHeading(this.section.title) ? this.section.title : 'Sign-off',
      rawTitle: this.section.rawTitle,
      line: startLine(table),
      signoff: { roles: [], fields },
    });
    for (const row of rows) {
      const cells = row.children.map((c) => toString(c).trim());
      const role = cells[0] ?? '';
      if (!role) continue;
      draft.signoff?.roles.push(role);
      for (const field of fields) draft.fillIns.push(makeFillIn(`${role}: ${field}`, null, startLine(row)));
    }
  }
}

/** A heading's words, as a note label is compared ("Before", "Example output", "[!NOTE]"). */
function headingText(heading: Heading): string {
  return cleanTitle(toString(heading).replace(/\s*\{#[^}]*\}\s*$/, ''));
}
