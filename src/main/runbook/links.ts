// Where a decision's choice leads: a link to a section of the runbook ("[Rollback](#rollback)"), a section
// named in words ("NO-GO → Rollback section"), or, for a choice that means not going on (NO-GO, roll back,
// abort) and names nowhere, the first roll-back section after the decision.
import type { Section } from '../../shared/runbook-model.js';

/** What the text of a decision says about where a choice leads, before it is looked up. */
export interface TargetRef {
  /** A local link's fragment, without "#". */
  anchor?: string;
  /** Words naming a section. */
  name?: string;
}

interface Entry {
  id: string;
  title: string;
  line: number;
  /** An explicit "{#anchor}" written after the heading, if any. */
  anchor: string | null;
  /** GitHub's anchor for the title, and the last part of the id: what a local link may name. */
  anchors: Set<string>;
  /** The title's words, as names are compared. */
  words: string[];
  ancestors: Set<string>;
}

const ROLLBACK = /\broll[\s-]?back\b|\brollback\b|\bback[\s-]?out\b|\brevert\b/i;
const STOP_WORDS = new Set(['the', 'a', 'an', 'section', 'below', 'above', 'here', 'to', 'of', 'our', 'this', 'that', 'in', 'step', 'steps']);

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as dashes. */
export function githubAnchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

const words = (text: string): string[] =>
  (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP_WORDS.has(w)).map((w) => (w.length > 3 ? w.replace(/s$/, '') : w));

export class SectionLinker {
  private readonly entries: Entry[] = [];

  /** `sections`: the runbook's section tree; `rawTitles`: each section's heading as written (for "{#anchor}"). */
  constructor(sections: readonly Section[], rawTitles: ReadonlyMap<string, string> = new Map()) {
    const walk = (list: readonly Section[], ancestors: Set<string>) => {
      for (const s of list) {
        const anchor = /\{#([^}\s]+)\}\s*$/.exec(rawTitles.get(s.id) ?? '')?.[1] ?? null;
        const anchors = new Set([githubAnchor(s.title), s.id.split('/').pop() ?? s.id, ...(anchor ? [anchor.toLowerCase()] : [])]);
        this.entries.push({ id: s.id, title: s.title, line: s.line, anchor, anchors, words: words(s.title), ancestors });
        walk(s.sections, new Set([...ancestors, s.id]));
      }
    };
    walk(sections, new Set());
  }

  /**
   * The section a choice leads to. `from` is the decision: its line and section (a choice never leads to the
   * section it is in, or one around it). Later sections win over earlier ones with the same name.
   */
  resolve(ref: TargetRef | null, from: { line: number; sectionId: string }, negative: boolean): string | null {
    const own = this.entries.find((e) => e.id === from.sectionId);
    const candidates = this.entries.filter((e) => e.id !== from.sectionId && !own?.ancestors.has(e.id));
    const prefer = (list: Entry[]) => list.find((e) => e.line > from.line) ?? list[0] ?? null;
    if (ref?.anchor) {
      const anchor = decodeURIComponent(ref.anchor).toLowerCase();
      const hit = prefer(candidates.filter((e) => e.anchors.has(anchor)));
      if (hit) return hit.id;
    }
    if (ref?.name) {
      const wanted = words(ref.name);
      if (wanted.length > 0) {
        const exact = candidates.filter((e) => e.words.join(' ') === wanted.join(' '));
        const all = candidates.filter((e) => wanted.every((w) => e.words.includes(w)));
        const hit = prefer(exact) ?? prefer(all);
        if (hit) return hit.id;
      }
    }
    if (negative) {
      const rollback = candidates.filter((e) => ROLLBACK.test(e.title) && e.line > from.line);
      return rollback[0]?.id ?? null;
    }
    return null;
  }
}
