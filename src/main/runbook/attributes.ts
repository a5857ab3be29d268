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
  if (open < 0) return { lang: normalisedLang, attributes: {}, error: null };
  const close = rest.lastIndexOf('}');
  if (close < open) return { lang: normalisedLang, attributes: {}, error: 'attributes start with "{" but never close with "}"' };
  const source = rest.slice(open, close + 1);
  try {
    const parsed: unknown = JSON.parse(source);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return { lang: normalisedLang, attributes: parsed as Record<string, unknown>, error: null };
    }
    return { lang: normalisedLang, attributes: {}, error: 'attributes must be a JSON object' };
  } catch (jsonError) {
    const pairs = parsePairs(source.slice(1, -1));
    if (pairs) return { lang: normalisedLang, attributes: pairs, error: null };
    return { lang: normalisedLang, attributes: {}, error: `attributes are not valid JSON: ${(jsonError as Error).message}` };
  }
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
