// Fence attributes: what authors write after the language on the opening fence.
// Runme writes them as JSON ({"name":"backup","timeout":"5m"}) or as HTML-like pairs ({ name=backup interactive=false }).

export interface FenceInfo {
  lang: string | null;
  attributes: Record<string, unknown>;
  /** Set when the attributes were present but could not be read. */
  error: string | null;
}

export function parseFenceInfo(lang: string | null | undefined, meta: string | null | undefined): FenceInfo {
  let language = lang?.trim() || null;
  let rest = meta?.trim() ?? '';
  if (language?.startsWith('{')) {
    rest = `${language} ${rest}`.trim();
    language = null;
  }
  const normalisedLang = language ? language.toLowerCase().replace(/^\./, '') : null;
  const open = rest.indexOf('{');
  const close = rest.lastIndexOf('}');
  // Where a block runs must never be guessed: a target written where it is not read would silently
  // become the default target (the local shell), so it is an error like unreadable attributes.
  const outside = open < 0 ? rest : `${rest.slice(0, open)} ${close > open ? rest.slice(close + 1) : ''}`;
  if (TARGET_OUTSIDE.test(outside)) {
    return { lang: normalisedLang, attributes: {}, error: 'a "target" is written outside the { } attributes, where it is not read: write {"target":"NAME"}' };
  }
  if (open < 0) return { lang: normalisedLang, attributes: {}, error: null };
  if (close < open) return { lang: normalisedLang, attributes: {}, error: 'attributes start with "{" but never close with "}"' };
  const source = rest.slice(open, close + 1);
  let attributes: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(source);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { lang: normalisedLang, attributes: {}, error: 'attributes must be a JSON object' };
    attributes = parsed as Record<string, unknown>;
  } catch (jsonError) {
    const pairs = parsePairs(source.slice(1, -1));
    if (!pairs) return { lang: normalisedLang, attributes: {}, error: `attributes are not valid JSON: ${(jsonError as Error).message}` };
    attributes = pairs;
  }
  return { lang: normalisedLang, attributes, error: targetProblem(attributes) };
}

/** `target=web` or `"target": "web"` outside the braces (or with none). */
const TARGET_OUTSIDE = /(?:^|[\s,;])["']?target["']?\s*[=:]/i;

/** A target attribute that would be ignored (wrong type, empty, misspelt case): the block would run on the default. */
function targetProblem(attributes: Record<string, unknown>): string | null {
  for (const key of Object.keys(attributes)) {
    if (key !== 'target' && looksLike(key, 'target')) return `attribute "${key}" is not "target" (a misspelt target is never guessed: the block would run on the default target)`;
  }
  if (!Object.hasOwn(attributes, 'target')) return null;
  const target = attributes.target;
  if (typeof target !== 'string' || target.trim() === '') return `attribute "target" must be a target's name, not ${JSON.stringify(target) ?? String(target)}`;
  return null;
}

const PAIR = /\s*([A-Za-z_][\w.-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"']+))\s*/y;

/** Reads Runme's `key=value key2="quoted value"` form; null when the text is not entirely pairs. */
function parsePairs(text: string): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  PAIR.lastIndex = 0;
  let at = 0;
  const trimmed = text.trim();
  if (trimmed === '') return out;
  while (at < text.length) {
    PAIR.lastIndex = at;
    const m = PAIR.exec(text);
    if (!m) return text.slice(at).trim() === '' ? out : null;
    const key = m[1] as string;
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? (m[4] as string));
    out[key] = m[4] === undefined ? raw : scalar(raw);
    at = PAIR.lastIndex;
  }
  return out;
}

function scalar(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

/**
 * A key that reads as `word` to a person but may not be it: any case, spaces, look-alike letters (NFKC),
 * extra punctuation, a plural or up to two typos. Such a key would be ignored and a block would run on
 * the default target (the local shell), so callers refuse it instead of guessing.
 */
export function looksLike(key: string, word: string): boolean {
  const folded = key.normalize('NFKC').toLowerCase();
  if (/[^\x20-\x7e]/.test(folded)) return true; // a non-ASCII key could be a look-alike of anything
  const letters = folded.replace(/[^a-z]/g, '');
  const stem = word.slice(0, 4);
  return letters.includes(stem) || editDistance(letters, word) <= 2 || editDistance(letters, `${word}s`) <= 2;
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
