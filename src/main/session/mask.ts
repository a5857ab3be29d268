// Masks secret values in streamed text: each value as written and in the encodings a step or a tool
// prints it in by accident (`base64`, `xxd -p`, a URL, a JSON string, a Basic Authorization header), also
// where the encoded value sits inside a longer base64 stream (`echo "$PW" | base64`, `env | base64`) or is
// wrapped over lines. A value split across two chunks is still caught: each stream holds back only a tail
// that could be the start of one, until the next chunk or the end. A step that means to leak a value can
// always encode it some other way; masking is for accidents, keeping credentials out of steps is step-env.ts.
export const MASK = '••••••';

/** Shorter values would mask ordinary words. */
const MIN_SECRET = 3;
/** base64 and hex are made of common characters: shorter fragments would mask innocent words and numbers. */
const MIN_ENCODED = 8;

const LF = 10;
const CR = 13;

/** Text escapes of a value: URL (as encodeURIComponent, RFC 3986 strict, and form encoding) and JSON. */
function textEncodings(secret: string): string[] {
  const uri = encodeURIComponent(secret);
  const strict = uri.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  const json = JSON.stringify(secret).slice(1, -1);
  // Some encoders write percent escapes in lower case.
  return [uri, strict, form, json].flatMap((t) => [t, t.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())]);
}

/**
 * The part of base64 that depends on the value alone, wherever it starts in a longer byte stream: with
 * 0, 1 or 2 bytes before it in its 3-byte group, the characters that hold none of the neighbours' bits.
 */
function base64Fragments(bytes: Buffer): string[] {
  const fragments: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    fragments.push(encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6)));
  }
  return fragments;
}

const urlSafe = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_');

/** Every form of `secret` the masker looks for besides the value itself (exported for tests and docs). */
export function encodingsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const b64 = bytes.toString('base64');
  const unpadded = b64.replace(/=+$/, '');
  const binary = [b64, unpadded, ...base64Fragments(bytes)].flatMap((t) => [t, urlSafe(t)]);
  binary.push(bytes.toString('hex'), bytes.toString('hex').toUpperCase());
  const forms = new Set([...textEncodings(secret).filter((t) => t.length >= MIN_SECRET), ...binary.filter((t) => t.length >= MIN_ENCODED)]);
  forms.delete(secret);
  return [...forms];
}

interface Pattern {
  /** The form looked for, without line breaks (text is matched with its line breaks ignored). */
  text: string;
  /** KMP failure function of `text`: how much of it a tail of the output could already be. */
  fail: Int32Array;
}

function failure(p: string): Int32Array {
  const f = new Int32Array(p.length);
  let k = 0;
  for (let i = 1; i < p.length; i++) {
    while (k > 0 && p.charCodeAt(i) !== p.charCodeAt(k)) k = f[k - 1] as number;
    if (p.charCodeAt(i) === p.charCodeAt(k)) k++;
    f[i] = k;
  }
  return f;
}

/** Length of the longest suffix of `text` (from `from` on) that is a proper prefix of the pattern. */
function prefixAtEnd(p: Pattern, text: string, from: number): number {
  let k = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    while (k > 0 && c !== p.text.charCodeAt(k)) k = p.fail[k - 1] as number;
    if (c === p.text.charCodeAt(k)) k++;
    if (k === p.text.length) k = p.fail[k - 1] as number;
  }
  return k;
}

const isBreak = (c: number) => c === LF || c === CR;

const BREAKS = /[\r\n]/;
const ALL_BREAKS = /[\r\n]/g;
const same = (i: number) => i;

/**
 * The text without line breaks, and where each of its characters is in the original. Output runs through
 * here chunk by chunk: the breaks are found and cut out by native scans, and a place is mapped back only
 * for a match (a binary search over the breaks), never character by character.
 */
function flatten(text: string): { flat: string; at: (i: number) => number } {
  if (!BREAKS.test(text)) return { flat: text, at: same };
  // Where the breaks are, in order: the next LF and the next CR, each found once.
  const breaks: number[] = [];
  let lf = text.indexOf('\n');
  let cr = text.indexOf('\r');
  while (lf >= 0 || cr >= 0) {
    if (cr < 0 || (lf >= 0 && lf < cr)) {
      breaks.push(lf);
      lf = text.indexOf('\n', lf + 1);
    } else {
      breaks.push(cr);
      cr = text.indexOf('\r', cr + 1);
    }
  }
  // The flat character i is at i + k, k being how many breaks come before it: those with breaks[k] - k <= i
  // (a non-decreasing sequence, since breaks are distinct and in order).
  const at = (i: number): number => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((breaks[mid] as number) - mid <= i) lo = mid + 1;
      else hi = mid;
    }
    return i + lo;
  };
  return { flat: text.replace(ALL_BREAKS, ''), at };
}

type Span = [start: number, end: number];

/** Text held one byte per character (latin1): the UTF-8 bytes of `text`. */
const asBytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

export interface MaskerOptions {
  /**
   * Byte streams (a process's output, kept exactly as written, invalid UTF-8 and all): the masker matches
   * and writes the UTF-8 bytes of each form, on text that holds one byte per character. Use pushBytes.
   */
  bytes?: boolean;
}

export class SecretMasker {
  private readonly secrets = new Set<string>();
  private patterns: Pattern[] = [];
  private longest = 0;
  /** Per stream, the raw tail held back because it could be the start of a secret. */
  private readonly pending = new Map<string, string>();
  private readonly bytes: boolean;
  private readonly maskText: string;

  constructor(secrets: Iterable<string> = [], options: MaskerOptions = {}) {
    this.bytes = options.bytes ?? false;
    this.maskText = this.bytes ? asBytes(MASK) : MASK;
    this.add(secrets);
  }

  /** Adds values to mask from now on (a target's credential, a password the operator typed). */
  add(secrets: Iterable<string>): void {
    const forms = new Set(this.patterns.map((p) => p.text));
    for (const secret of secrets) {
      if (this.secrets.has(secret) || secret.replace(/[\r\n]/g, '').length < MIN_SECRET) continue;
      this.secrets.add(secret);
      for (const form of [secret, ...encodingsOf(secret)]) {
        const text = form.replace(/[\r\n]/g, '');
        forms.add(this.bytes ? asBytes(text) : text);
      }
    }
    this.patterns = [...forms].filter((t) => t.length > 0).map((text) => ({ text, fail: failure(text) }));
    this.longest = this.patterns.reduce((n, p) => Math.max(n, p.text.length), 0);
  }

  get active(): boolean {
    return this.patterns.length > 0;
  }

  /** Masks a whole text at once (results, errors, notes). */
  mask(text: string): string {
    if (!this.active) return text;
    return apply(text, this.spans(text), this.maskText);
  }

  /**
   * Masks structured data (a result set's rows: text, numbers, JSON objects, arrays) wherever it holds a
   * secret: every string, every object key, and a number whose digits hold one (it becomes masked text).
   */
  maskData(value: unknown): unknown {
    if (!this.active) return value;
    if (typeof value === 'string') return this.mask(value);
    if (typeof value === 'number' || typeof value === 'bigint') {
      const text = String(value);
      const masked = this.mask(text);
      return masked === text ? value : masked;
    }
    if (Array.isArray(value)) return value.map((v) => this.maskData(v));
    if (value instanceof Uint8Array) {
      // Recorded as \x and its hex, an encoding the masker knows.
      const text = `\\x${Buffer.from(value).toString('hex')}`;
      const masked = this.mask(text);
      return masked === text ? value : masked;
    }
    if (value === null || typeof value !== 'object' || value instanceof Date) return value;
    // Any other object is recorded by its own entries (JSON); so it is masked.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.mask(k), this.maskData(v)]));
  }

  /** Masks the next chunk of a stream; returns what can be released now. */
  push(stream: string, data: string): string {
    if (!this.active) return data;
    const text = (this.pending.get(stream) ?? '') + data;
    const spans = this.spans(text);
    let keep = this.heldFrom(text);
    // A held tail that starts inside a match would release half of it: hold back the whole match instead.
    for (const [start, end] of spans) if (start < keep && keep < end) keep = start;
    this.pending.set(stream, text.slice(keep));
    return apply(text.slice(0, keep), spans.filter(([, end]) => end <= keep), this.maskText);
  }

  /** Releases what a stream still holds back, at its end. */
  flush(stream: string): string {
    const rest = this.pending.get(stream) ?? '';
    this.pending.delete(stream);
    return this.mask(rest);
  }

  /**
   * Bytes mode: masks the next chunk of a byte stream; returns the bytes that can be released now (the
   * chunk itself, not a copy, while there is nothing to mask).
   */
  pushBytes(stream: string, bytes: Uint8Array): Uint8Array {
    if (!this.bytes) throw new Error('pushBytes needs a masker made with { bytes: true }');
    if (!this.active && !this.pending.has(stream)) return bytes;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    return Buffer.from(this.push(stream, text), 'latin1');
  }

  /** Bytes mode: releases what a byte stream still holds back, at its end. */
  flushBytes(stream: string): Uint8Array {
    if (!this.bytes) throw new Error('flushBytes needs a masker made with { bytes: true }');
    return Buffer.from(this.flush(stream), 'latin1');
  }

  /** Where every form of every secret is in `text`, line breaks ignored; overlapping matches merged. */
  private spans(text: string): Span[] {
    const { flat, at } = flatten(text);
    const found: Span[] = [];
    for (const { text: p } of this.patterns) {
      for (let i = flat.indexOf(p); i >= 0; i = flat.indexOf(p, i + 1)) {
        const last = i + p.length - 1;
        found.push([at(i), at(last) + 1]);
      }
    }
    found.sort((a, b) => a[0] - b[0]);
    const merged: Span[] = [];
    for (const span of found) {
      const previous = merged[merged.length - 1];
      if (previous && span[0] < previous[1]) previous[1] = Math.max(previous[1], span[1]);
      else merged.push([span[0], span[1]]);
    }
    return merged;
  }

  /** Where the tail that could begin a secret starts (text.length when none could). */
  private heldFrom(text: string): number {
    // The window: the last longest-1 characters that are not line breaks.
    let from = text.length;
    for (let seen = 0; from > 0 && seen < this.longest - 1; ) if (!isBreak(text.charCodeAt(--from))) seen++;
    const { flat, at } = flatten(text.slice(from));
    let length = 0;
    for (const p of this.patterns) length = Math.max(length, prefixAtEnd(p, flat, Math.max(0, flat.length - (p.text.length - 1))));
    if (length === 0) return text.length;
    // A finished line is released unless what ends it is a long start of a secret (wrapped base64, a
    // key's first line): a short one is most likely chance, and holding it would stall the operator's view.
    if (isBreak(text.charCodeAt(text.length - 1)) && length < MIN_ENCODED) return text.length;
    const start = flat.length - length;
    return from + at(start);
  }
}

function apply(text: string, spans: readonly Span[], mask: string): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start) + mask;
    at = end;
  }
  return out + text.slice(at);
}
