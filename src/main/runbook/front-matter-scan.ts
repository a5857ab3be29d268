// Front matter that is almost front matter: "---" after blank lines, "----" or "--- yaml" as a fence, no
// closing "---" (or "..." instead), TOML between "+++" lines. None of them is read (other tools do not read
// them either, and guessing could read text that was never meant as settings), but each is reported as an
// error naming its line, and its lines are blanked so that the rest still parses as the author wrote it:
// without that, "---" / "title: x" / "---" after a blank line is a rule and a heading "title: x", and a
// runbook's first heading would no longer be its title.
import { parse as parseYaml } from 'yaml';
import type { Diagnostics } from './diagnostics.js';
import { FRONT_MATTER_KEYS, nearMiss } from './frontmatter.js';

const MAX_LINES = 500;
const VALID_OPEN = /^---[ \t]*$/;
const KEY_LINE = /^["']?[A-Za-z_][\w .-]*["']?[ \t]*:(?:[ \t]|$)/;

export interface NearMissScan {
  /** The text with each near-miss block's lines turned into blank lines (same length, same lines). */
  text: string;
}

/** Reports (as errors in `diagnostics`) and blanks front matter that is not read as such. */
export function scanFrontMatterNearMiss(text: string, diagnostics: Diagnostics): NearMissScan {
  const lines = text.slice(0, Math.min(text.length, 64 * 1024)).split('\n').slice(0, MAX_LINES + 2);
  let first = 0;
  while (first < lines.length - 1 && (lines[first] as string).trim() === '') first++;
  const opening = lines[first] ?? '';
  const kind = openingKind(opening, first);
  if (!kind) return { text };
  // Real front matter (closed by a "---" line anywhere, as remark-frontmatter reads it): frontmatter.ts checks it.
  if (kind === 'valid' && /\n---[ \t]*(?:\n|$)/.test(text)) return { text };
  // The settings block: up to its closing line, or (no closing) the key lines that follow the opening.
  const closeAt = findClosing(lines, first, kind === 'toml' ? /^\+\+\+[ \t]*$/ : /^(?:-{3,}|\.\.\.)[ \t]*$/);
  const bodyEnd = closeAt ?? keyLinesEnd(lines, first);
  const body = lines.slice(first + 1, bodyEnd).join('\n');
  if (kind !== 'toml' && !holdsSettings(body)) return { text };

  const lineNo = first + 1;
  const closing = closeAt === null ? null : (lines[closeAt] as string).trim();
  const message =
    kind === 'toml'
      ? `front matter in TOML (between "+++" lines) is not read: write it in YAML between "---" lines${closeAt === null ? ' (and close it)' : ''}`
      : kind === 'misplaced'
        ? `front matter must start on line 1; after ${first} blank line(s) this "---" block is not read: remove the blank lines`
        : kind === 'fence'
          ? `front matter opens with exactly "---" on line 1, not "${opening.trim().slice(0, 20)}": this block is not read`
          : closing === '...'
            ? `front matter closes with "---", not "..." (line ${(closeAt as number) + 1}): this block is not read`
            : closing !== null
              ? `front matter closes with exactly "---", not "${closing.slice(0, 20)}" (line ${(closeAt as number) + 1}): this block is not read`
              : 'front matter opened on line 1 is never closed (no "---" line after it): it is not read';
  const code = kind === 'toml' ? 'front-matter-toml' : kind === 'misplaced' ? 'front-matter-misplaced' : kind === 'fence' ? 'front-matter-fence' : 'front-matter-unclosed';
  diagnostics.add(code, { line: lineNo }, `${message}; its settings (profile, variables, defaults …) do not apply`);
  return { text: blankLines(text, first, closeAt ?? bodyEnd - 1) };
}

type OpeningKind = 'valid' | 'misplaced' | 'fence' | 'toml';

function openingKind(line: string, index: number): OpeningKind | null {
  if (/^\+\+\+[ \t]*$/.test(line)) return 'toml';
  if (VALID_OPEN.test(line)) return index === 0 ? 'valid' : 'misplaced';
  if (index === 0 && (/^-{4,}[ \t]*$/.test(line) || /^[ \t]*---(?:[ \t]*\S|[ \t]*$)/.test(line))) return 'fence';
  return null;
}

function findClosing(lines: readonly string[], first: number, closing: RegExp): number | null {
  for (let i = first + 1; i < lines.length && i <= first + MAX_LINES; i++) if (closing.test(lines[i] as string)) return i;
  return null;
}

/** Where the key lines (and their indented or list continuations) after the opening end. */
function keyLinesEnd(lines: readonly string[], first: number): number {
  let i = first + 1;
  while (i < lines.length && (KEY_LINE.test(lines[i] as string) || /^[ \t]+\S|^- /.test(lines[i] as string))) i++;
  return i;
}

/** Whether YAML text is a mapping that holds a key the console reads (or one that looks like it). */
function holdsSettings(body: string): boolean {
  let value: unknown;
  try {
    value = parseYaml(body, { prettyErrors: false, maxAliasCount: 10 });
  } catch {
    // Not YAML: still settings when a line starts with a key the console reads.
    return body.split('\n').some((l) => FRONT_MATTER_KEYS.some((k) => new RegExp(`^${k}[ \\t]*:`, 'i').test(l)));
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.keys(value).some((key) => FRONT_MATTER_KEYS.some((k) => nearMiss(key, k)));
}

function blankLines(text: string, from: number, to: number): string {
  let start = 0;
  for (let i = 0; i < from; i++) start = text.indexOf('\n', start) + 1;
  let end = start;
  for (let i = from; i <= to && end < text.length; i++) {
    const nl = text.indexOf('\n', end);
    end = nl < 0 ? text.length : nl + 1;
  }
  return text.slice(0, start) + text.slice(start, end).replace(/[^\n]/g, ' ') + text.slice(end);
}
