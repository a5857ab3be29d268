// YAML front matter: title, profile, variables, targets, defaults. What cannot be read at all (not YAML,
// not a mapping, a field with a wrong value) is an error naming its line; keys the console does not read
// are warnings, and keys that look like one it reads ("Profile", "profle", "secert") are errors, since
// what they meant is silently not done.
import { type Document, isMap, isScalar, parseDocument } from 'yaml';
import { type FrontMatter, FrontMatterSchema } from '../../shared/runbook-model.js';
import type { Diagnostics, Place } from './diagnostics.js';
import { RunbookError } from './errors.js';

/** Line 1 is the opening "---"; the YAML text starts on line 2. */
const FIRST_YAML_LINE = 2;

export const FRONT_MATTER_KEYS = ['title', 'profile', 'variables', 'targets', 'defaults'] as const;
const VARIABLE_KEYS = ['default', 'description', 'secret'] as const;

/** The place of an offset of the YAML text in the runbook. */
function placeIn(text: string, offset: number): Required<Place> {
  let line = FIRST_YAML_LINE;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A line that reads as markdown rather than YAML: a heading after a blank line, a task item, a fence. */
function markdownLine(text: string): number | null {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heading = /^#{1,6}\s+\S/.test(line) && (i === 0 || (lines[i - 1] as string).trim() === '');
    if (heading || /^\s*[-*+]\s+\[[ xX]\]\s/.test(line) || /^\s*(```|~~~)/.test(line)) return i;
  }
  return null;
}

export function parseFrontMatter(yamlText: string, file: string, diagnostics?: Diagnostics): FrontMatter {
  const doc = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: true });
  const suspect = markdownLine(yamlText);
  const lastLine = FIRST_YAML_LINE + yamlText.split('\n').length;
  const hint =
    suspect === null ? '' : ` (line ${FIRST_YAML_LINE + suspect} reads as markdown: is the front matter's closing --- missing? It runs to line ${lastLine})`;
  const syntax = doc.errors[0];
  if (syntax) {
    throw new RunbookError('front-matter-yaml', file, placeIn(yamlText, syntax.pos[0]), `front matter is not valid YAML: ${syntax.message.split('\n')[0]}${hint}`);
  }
  let value: unknown;
  try {
    // toJS resolves aliases: "*name" without an anchor, or aliases nested past yaml's limit, throw here.
    value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new RunbookError('front-matter-yaml', file, { line: FIRST_YAML_LINE }, `front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}${hint}`);
  }
  if (!isMap(doc.contents) && doc.contents !== null) {
    const at = (doc.contents as { range?: number[] }).range?.[0] ?? 0;
    throw new RunbookError('front-matter-not-mapping', file, placeIn(yamlText, at), `front matter must be a YAML mapping (key: value lines)${hint}`);
  }
  const result = FrontMatterSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = (issue?.path ?? []).map(String);
    const node = path.length > 0 ? doc.getIn(path, true) : null;
    const keyNode = !node && path.length > 0 ? doc.getIn(path.slice(0, -1), true) : null;
    const range = (node as { range?: number[] } | null)?.range ?? (keyNode as { range?: number[] } | null)?.range;
    const place = range?.[0] !== undefined ? placeIn(yamlText, range[0]) : { line: FIRST_YAML_LINE, column: 1 };
    throw new RunbookError('front-matter-field', file, place, `front matter field "${path.join('.') || '(root)'}": ${issue?.message ?? 'invalid'}`);
  }
  if (diagnostics) {
    if (suspect !== null) {
      diagnostics.add(
        'front-matter-markdown',
        { line: FIRST_YAML_LINE + suspect },
        `the front matter runs to line ${lastLine} and this line reads as markdown: is its closing --- missing? Nothing in it is read as steps`,
      );
    }
    checkKeys(doc, yamlText, diagnostics);
  }
  return result.data;
}

/** Reports keys the console does not read (and errors for those that look like a key it reads). */
function checkKeys(doc: Document, yamlText: string, diagnostics: Diagnostics): void {
  if (!isMap(doc.contents)) return;
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : null;
    const at = placeIn(yamlText, (pair.key as { range?: number[] } | null)?.range?.[0] ?? 0);
    if (key === null) continue;
    if (!(FRONT_MATTER_KEYS as readonly string[]).includes(key)) {
      reportKey(diagnostics, at, key, FRONT_MATTER_KEYS, 'front matter key');
      continue;
    }
    if (key !== 'variables' || !isMap(pair.value)) continue;
    for (const variable of pair.value.items) {
      if (!isMap(variable.value)) continue;
      const name = isScalar(variable.key) ? String(variable.key.value) : '?';
      for (const field of variable.value.items) {
        const fieldKey = isScalar(field.key) ? String(field.key.value) : null;
        if (fieldKey === null || (VARIABLE_KEYS as readonly string[]).includes(fieldKey)) continue;
        const fieldAt = placeIn(yamlText, (field.key as { range?: number[] } | null)?.range?.[0] ?? 0);
        reportKey(diagnostics, fieldAt, fieldKey, VARIABLE_KEYS, `variable "${name}": key`);
      }
    }
  }
}

function reportKey(diagnostics: Diagnostics, at: Place, key: string, known: readonly string[], what: string): void {
  const meant = known.find((k) => nearMiss(key, k));
  if (meant) {
    diagnostics.add('front-matter-key-near-miss', at, `${what} "${key}" is not "${meant}" (keys are spelt exactly, in lower case): it is not read`);
  } else {
    diagnostics.add('front-matter-unknown-key', at, `${what} "${key}" is not one the console reads (${known.join(', ')}); it is kept but does nothing`);
  }
}

/** A key a person would read as `word`: another case, a plural, or one or two letters off. */
export function nearMiss(key: string, word: string): boolean {
  const k = key.normalize('NFKC').toLowerCase().replace(/[\s_-]+/g, '');
  if (k === word || k === `${word}s` || `${k}s` === word) return true;
  return word.length >= 5 && editDistance(k, word) <= 2;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] as number;
}
