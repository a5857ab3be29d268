// Link reference and footnote labels, for the chunked parse: a reference resolves when its label is defined
// anywhere in the file, so each chunk is given the definitions its text may refer to. These scans
// over-approximate (a bracketed word inside code counts); the definitions that really exist are taken from the
// parsed chunks, and a second pass corrects the rare case where a guess was wrong (markdown-chunks.ts).

/** CommonMark's label matching: whitespace runs collapse, case folds; footnote labels are kept apart by "^". */
export function labelKey(label: string, footnote: boolean): string {
  const folded = label.replace(/[\t\n\r ]+/g, ' ').replace(/^ | $/g, '').toLowerCase().toUpperCase().toLowerCase();
  return footnote ? `^${folded}` : folded;
}

/** A label written so that it gives `key` again: whitespace collapsed, on one line. */
export function labelText(label: string): string {
  return label.replace(/[\t\n\r ]+/g, ' ').trim();
}

// A line that may open a definition: container markers and indentation, then "[label]:" (the label may run
// over lines, at most 999 characters, with no unescaped brackets).
const DEFINITION = /^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+[ \t>]*)*\[(\^?)((?:[^\\[\]]|\\[\s\S]){1,999}?)\]:/gm;

/** Every label the text may define, by key, with a text that writes it. */
export function candidateDefinitions(text: string): Map<string, string> {
  const found = new Map<string, string>();
  DEFINITION.lastIndex = 0;
  for (let m = DEFINITION.exec(text); m !== null; m = DEFINITION.exec(text)) {
    const footnote = m[1] === '^';
    for (const raw of variants(m[2] as string)) {
      const key = labelKey(raw, footnote);
      if (key !== '' && key !== '^' && !found.has(key)) found.set(key, labelText(raw));
    }
  }
  return found;
}

const BRACKETED = /\[((?:[^\\[\]]|\\[\s\S]){1,999}?)\]/g;

/** Keys of every bracketed text (any possible reference, link text or footnote call) in the text. */
export function referencedKeys(text: string): Set<string> {
  const keys = new Set<string>();
  BRACKETED.lastIndex = 0;
  for (let m = BRACKETED.exec(text); m !== null; m = BRACKETED.exec(text)) {
    const inner = m[1] as string;
    const footnote = inner.startsWith('^');
    for (const raw of variants(footnote ? inner.slice(1) : inner)) keys.add(labelKey(raw, footnote));
  }
  return keys;
}

/** The label as written, and (when it runs over lines) without the container markers that start those lines. */
function variants(raw: string): string[] {
  if (!raw.includes('\n')) return [raw];
  return [raw, raw.replace(/\n[ \t>]*/g, '\n')];
}
