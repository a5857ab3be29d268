// Finds the steps of one section: task items, procedure (ordered) items, headings with code under them,
// stray code blocks, sign-off sheets and decisions. Every code block lands in exactly one step.
import type { Code, List, ListItem, Node, Paragraph, Parent, RootContent, Table } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Check, FillIn } from '../../shared/runbook-model.js';
import { fillInsIn, fillInsOnLine } from './fillins.js';
import { decisionIn, isSignoffHeading, isSignoffTable, signoffLineRole } from './forms.js';
import { cleanTitle } from './markers.js';
import { type Source, dedent, endLine, startLine } from './source.js';

export interface SectionInput {
  id: string;
  title: string;
  /** Raw heading text (before cleaning), for profile markers. */
  rawTitle: string;
  line: number;
  content: RootContent[];
}

export interface StepDraft {
  kind: 'step' | 'signoff' | 'decision';
  origin: 'task' | 'ordered' | 'heading' | 'lead-in' | 'block' | 'table' | 'lines';
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
  decision: { options: string[] } | null;
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

export class SectionStepCollector {
  private readonly drafts: StepDraft[] = [];
  private readonly procedures: Set<List>;
  private readonly structured: boolean;
  /** A bold lead-in waiting for its code; prose after it belongs to the step it will start. */
  private pendingLeadIn: { title: string; raw: string; line: number; node: Paragraph; prose: Node[] } | null = null;
  private headingStep: StepDraft | null = null;
  private leadInStep: StepDraft | null = null;
  private signoffLines: StepDraft | null = null;
  /** Prose that comes before the first code of a heading-step section; it becomes that step's body. */
  private readonly prelude: Node[] = [];

  constructor(
    private readonly section: SectionInput,
    private readonly source: Source,
  ) {
    this.procedures = procedureLists(section.content);
    this.structured = section.content.some(containsTask) || this.procedures.size > 0;
  }

  collect(): StepDraft[] {
    for (const node of this.section.content) this.visit(node, null);
    if (!this.structured && this.drafts.length === 0) {
      const options = decisionIn(this.section.title);
      if (options) this.ensureHeadingStep().decision = { options };
    }
    for (const d of this.drafts) {
      if (d.decision && d.kind === 'step') d.kind = 'decision';
    }
    return this.drafts.sort((a, b) => a.line - b.line);
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

  private proseInto(step: StepDraft, node: Node): void {
    const text = dedent(this.source.slice(node)).trim();
    if (text) step.bodyParts.push(text);
  }

  /** The lines of a lead-in paragraph after its bold title line. */
  private leadInBody(step: StepDraft, lead: Paragraph): void {
    const rest = dedent(this.source.slice(lead).split('\n').slice(1).join('\n')).trim();
    if (rest) step.bodyParts.push(rest);
  }

  /** Prose of a heading or lead-in step: its body, and the blanks it holds. */
  private proseWithBlanks(step: StepDraft, node: Node): void {
    this.proseInto(step, node);
    step.fillIns.push(...fillInsIn(this.source.lineRange(startLine(node), endLine(node)), startLine(node)));
  }

  private visitList(list: List, step: StepDraft | null): void {
    if (!step && !this.structured && !containsCode(list)) {
      this.sectionProse(list);
      return;
    }
    if (this.structured) this.pendingLeadIn = null;
    for (const item of list.children) {
      if (step) {
        const isCheck = typeof item.checked === 'boolean';
        if (isCheck) step.checks.push({ title: cleanTitle(firstLine(toString(item))), checked: item.checked === true, line: startLine(item) });
        this.visitItemChildren(item, step, isCheck ? 'check' : 'content');
      } else if (typeof item.checked === 'boolean') {
        this.visitItemChildren(item, this.itemStep(item, 'task'), 'title');
      } else if (list.ordered && this.procedures.has(list)) {
        this.visitItemChildren(item, this.itemStep(item, 'ordered'), 'title');
      } else {
        for (const child of item.children) this.visit(child, null);
      }
    }
  }

  private itemStep(item: ListItem, origin: 'task' | 'ordered'): StepDraft {
    const first = item.children[0];
    const rawLine = first?.type === 'paragraph' ? firstLine(this.source.slice(first)) : '';
    const title = first?.type === 'paragraph' ? cleanTitle(paragraphTitle(first).title) : '';
    const line = startLine(item);
    const draft = this.newDraft({
      origin,
      title: title || `${this.section.title} (line ${line})`,
      rawTitle: rawLine || title,
      line,
      checked: item.checked === true,
    });
    draft.fillIns = this.itemFillIns(item);
    const role = signoffLineRole(rawLine);
    if (role !== null) {
      draft.kind = 'signoff';
      draft.signoff = { roles: [role], fields: draft.fillIns.slice(1).map((f) => f.label).filter(Boolean) };
    }
    const options = decisionIn(title);
    if (options) draft.decision = { options };
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
   * The item's content: code goes to blocks, nested tasks to checks, the rest to the body. The first
   * paragraph is the step's title ('title') or a check's title ('check'), or plain content ('content').
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
      this.newDraft({ kind: 'decision', origin: 'lines', title, rawTitle: firstLine(this.source.slice(p)), line: from, decision: { options } });
      return;
    }
    const lead = leadInTitle(p);
    if (lead) {
      this.pendingLeadIn = { title: lead, raw: firstLine(this.source.slice(p)), line: from, node: p, prose: [] };
      return;
    }
    this.sectionProse(p);
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
      for (const field of fields) draft.fillIns.push({ label: `${role}: ${field}`, unit: null, line: startLine(row) });
    }
  }
}
