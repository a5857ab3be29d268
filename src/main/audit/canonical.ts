// RFC 8785 (JSON Canonicalization Scheme) for journal records: the bytes a hash, MAC or signature covers
// must be the same whoever serialises the value, so a verifier can re-serialise a parsed line and demand
// byte equality. JCS is defined on top of ECMAScript's own JSON.stringify for strings and numbers, so
// those two are delegated to it; what JCS adds (sorted keys, I-JSON limits) is done here.
//
// Hand-written rather than the `canonicalize` package: the rule set is a few lines on top of
// JSON.stringify, and the verifier needs stricter behaviour than that package gives (it refuses NaN,
// lone surrogates, bigints and non-plain objects instead of emitting something that is not I-JSON).

/** Why a journal line is not acceptable, in the order a verifier checks them. */
export type CanonicalErrorCode = 'json' | 'duplicate-key' | 'non-canonical';

export type CanonicalParse = { value: unknown } | { error: CanonicalErrorCode; detail: string };

export class CanonicalizeError extends TypeError {}

// A surrogate half without its partner: not Unicode text, so I-JSON (RFC 7493 §2.1) and thus JCS forbid it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The RFC 8785 form of a JSON value. Object properties whose value is undefined are left out, as JSON.stringify does. */
export function canonicalize(value: unknown): string {
  return serialize(value, new Set(), []);
}

// The path is kept as a stack and turned into text only for an error message: building it for every
// property made canonicalisation the verifier's main cost.
function where(path: (string | number)[]): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`;
}

function serialize(value: unknown, ancestors: Set<object>, path: (string | number)[]): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // ECMAScript Number::toString is exactly JCS's number format (RFC 8785 §3.2.2.3); -0 becomes 0.
      if (!Number.isFinite(value)) throw new CanonicalizeError(`${where(path)}: ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new CanonicalizeError(`${where(path)}: string holds a lone UTF-16 surrogate`);
      // JSON.stringify escapes exactly what JCS escapes (", \, and U+0000..U+001F, with the short forms
      // \b \t \n \f \r and lowercase \u00xx otherwise) and leaves everything else literal.
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new CanonicalizeError(`${where(path)}: a ${typeof value} has no JSON form`);
  }
  const object = value as object;
  if (ancestors.has(object)) throw new CanonicalizeError(`${where(path)}: circular reference`);
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
    return serialize((object as { toJSON: () => unknown }).toJSON(), ancestors, path);
  }
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      const parts: string[] = [];
      for (let i = 0; i < object.length; i++) {
        path.push(i);
        if (object[i] === undefined) throw new CanonicalizeError(`${where(path)}: undefined has no JSON form`);
        parts.push(serialize(object[i], ancestors, path));
        path.pop();
      }
      return `[${parts.join(',')}]`;
    }
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalizeError(`${where(path)}: a ${proto?.constructor?.name ?? 'non-plain'} object has no defined JSON form`);
    }
    const record = object as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is the order RFC 8785 §3.2.3 prescribes.
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    const parts: string[] = [];
    for (const k of keys) {
      if (LONE_SURROGATE.test(k)) throw new CanonicalizeError(`${where(path)}: property name holds a lone UTF-16 surrogate`);
      path.push(k);
      parts.push(`${JSON.stringify(k)}:${serialize(record[k], ancestors, path)}`);
      path.pop();
    }
    return `{${parts.join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}

// ignoreBOM keeps a byte-order mark in the text (the default drops it silently), so such a line is refused.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses one journal line and insists it is the canonical form of what it holds. Bytes are decoded as
 * strict UTF-8 (a lenient decode would turn bad bytes into U+FFFD and then re-serialise "canonically").
 */
export function parseCanonicalLine(line: string | Uint8Array): CanonicalParse {
  let text: string;
  if (typeof line === 'string') text = line;
  else {
    try {
      text = strictUtf8.decode(line);
    } catch {
      return { error: 'json', detail: 'not valid UTF-8' };
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: 'json', detail: (err as Error).message };
  }
  // Fast path, for what a journal writer produces. JSON.stringify writes strings and numbers exactly as
  // JCS does, so canonical text is JSON.stringify(value) whenever every object's keys are already in sorted
  // order, and no string holds a lone surrogate (JSON.stringify escapes one as \udxxx; JCS refuses it).
  // Anything else takes the full path below, which decides the same way and says what is wrong.
  if (!text.includes('\\ud') && JSON.stringify(value) === text && keysSorted(value)) return { value };
  let canonical: string;
  try {
    canonical = canonicalize(value);
  } catch (err) {
    return { error: 'non-canonical', detail: (err as Error).message };
  }
  if (canonical !== text) {
    // JSON.parse keeps the last of duplicate keys silently; two parsers could then disagree on the record.
    // Text with a key twice can never equal the re-serialisation, so the scan runs only on a mismatch.
    const duplicate = findDuplicateKey(text);
    if (duplicate !== null) return { error: 'duplicate-key', detail: `duplicate key ${JSON.stringify(duplicate)}` };
    const at = firstDifference(canonical, text);
    return { error: 'non-canonical', detail: `differs from RFC 8785 form at character ${at + 1} (expected ${JSON.stringify(canonical.slice(at, at + 12))})` };
  }
  return { value };
}

/** Whether every object in a parsed JSON value has its keys in RFC 8785 order (UTF-16 code units). */
function keysSorted(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!keysSorted(item)) return false;
    return true;
  }
  const record = value as Record<string, unknown>;
  let previous: string | null = null;
  for (const key of Object.keys(record)) {
    if (previous !== null && !(previous < key)) return false;
    if (!keysSorted(record[key])) return false;
    previous = key;
  }
  return true;
}

/**
 * The first key that occurs twice in one object of `text`, or null. Only called on text JSON.parse has
 * accepted, so it can walk the structure without validating it: strings are skipped whole (escapes
 * included), and a string is a key when it follows `{` or a `,` inside an object.
 */
export function findDuplicateKey(text: string): string | null {
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      expectKey = false;
      i = j;
    } else if (c === '{') {
      open.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      open.push(null);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      open.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = open[open.length - 1] instanceof Set;
    }
  }
  return null;
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
