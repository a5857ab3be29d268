// Stable identifiers. Sections and steps share one namespace: an id is the section path and the title's
// slug, joined by "/". What an id depends on, and nothing else:
//   - the titles of the headings above it (the document title excluded) and its own title;
//   - for a title that repeats among the children of one section, its place among those same-titled
//     children only: the second is "title~2", the third "title~3". A section wins over a step with its title
//     (the step takes the next number), so adding a step never renames a section and its steps;
//   - a heading step is its section and has the section's id; steps before the first heading are under
//     "_preamble".
// "~" and "_" never occur in a slug, so a number added to one title can never equal another title.

const MAX_SEGMENT = 48;

export const PREAMBLE_ID = '_preamble';

export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  if (s.length <= MAX_SEGMENT) return s;
  const cut = s.slice(0, MAX_SEGMENT);
  const lastDash = cut.lastIndexOf('-');
  return (lastDash > MAX_SEGMENT / 2 ? cut.slice(0, lastDash) : cut).replace(/-+$/, '');
}

/** `base`, or `base~n` for the n-th of its kind. */
function numbered(base: string, n: number): string {
  return n <= 1 ? base : `${base}~${n}`;
}

function joinPath(parent: string, segment: string): string {
  return parent === '' ? segment : `${parent}/${segment}`;
}

interface Group {
  /** Sections so far, by slug. */
  sections: Map<string, number>;
  /** Steps so far, by slug. */
  steps: Map<string, number>;
  /** Every id given in the group: a later section never takes an id a step already has. */
  taken: Set<string>;
}

/**
 * Hands out section and step ids under parent paths ("" for the top level). Section ids are final at once;
 * steps are named when their section closes, when its sub-sections are all known, so that a section keeps
 * its plain title even when a step before it has the same title.
 */
export class IdSpace {
  private readonly groups = new Map<string, Group>();

  private group(parent: string): Group {
    let g = this.groups.get(parent);
    if (!g) {
      g = { sections: new Map(), steps: new Map(), taken: new Set() };
      this.groups.set(parent, g);
    }
    return g;
  }

  private give(g: Group, parent: string, base: string, n: number): string {
    let k = n;
    while (g.taken.has(numbered(base, k))) k++;
    const segment = numbered(base, k);
    g.taken.add(segment);
    return joinPath(parent, segment);
  }

  /** The id of the next section titled `title` under `parent`. */
  sectionId(parent: string, title: string): string {
    const base = slug(title) || 'section';
    const g = this.group(parent);
    const n = (g.sections.get(base) ?? 0) + 1;
    g.sections.set(base, n);
    return this.give(g, parent, base, n);
  }

  /** The id of the next step titled `title` under `parent`, numbered after every same-titled section there. */
  stepId(parent: string, title: string): string {
    const base = slug(title) || 'step';
    const g = this.group(parent);
    const n = (g.steps.get(base) ?? 0) + 1;
    g.steps.set(base, n);
    return this.give(g, parent, base, n + (g.sections.get(base) ?? 0));
  }

  /** Forgets a section's group once its ids are all given (memory follows the open sections, not the file). */
  close(parent: string): void {
    if (parent !== '') this.groups.delete(parent);
  }
}

/** Block ids within one step: the name's slug or the 1-based index, "~2"… for repeats. */
export class BlockIds {
  private readonly seen = new Map<string, number>();

  take(name: string | null, index: number): string {
    const base = name ? slug(name) || name : String(index + 1);
    const n = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, n);
    return numbered(base, n);
  }
}
