// Repairs UTF-8 text that was once decoded as Windows-1252 and saved again ("ðŸŸ¡" for 🟡, "âœ…" for ✅).
// Each candidate run is mapped back to the bytes Windows-1252 gave those characters; the run is
// replaced only when those bytes form one valid UTF-8 sequence, so ordinary accented text is left alone.

// Windows-1252 bytes 0x80–0x9F that are not Latin-1 control codes, by the character they decode to.
const CP1252_SPECIALS = new Map<string, number>([
  ['€', 0x80], ['‚', 0x82], ['ƒ', 0x83], ['„', 0x84], ['…', 0x85], ['†', 0x86], ['‡', 0x87],
  ['ˆ', 0x88], ['‰', 0x89], ['Š', 0x8a], ['‹', 0x8b], ['Œ', 0x8c], ['Ž', 0x8e], ['‘', 0x91],
  ['’', 0x92], ['“', 0x93], ['”', 0x94], ['•', 0x95], ['–', 0x96], ['—', 0x97], ['˜', 0x98],
  ['™', 0x99], ['š', 0x9a], ['›', 0x9b], ['œ', 0x9c], ['ž', 0x9e], ['Ÿ', 0x9f],
]);

function cp1252Byte(ch: string): number | null {
  const special = CP1252_SPECIALS.get(ch);
  if (special !== undefined) return special;
  const code = ch.charCodeAt(0);
  // 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in Windows-1252 and usually survive as C1 controls.
  if (code >= 0x80 && code <= 0xff) return code;
  return null;
}

const LEAD = /[\u00c2-\u00f4]/g;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function isContinuation(ch: string | undefined): boolean {
  const byte = ch === undefined ? null : cp1252Byte(ch);
  return byte !== null && byte >= 0x80 && byte <= 0xbf;
}

/** Decodes the mojibake sequence that starts at `start`, or returns null when there is none. */
function decodeAt(text: string, start: number): { char: string; length: number } | null {
  const need = sequenceLength(text.charCodeAt(start));
  if (need === 0) return null;
  // "ï¸" is U+FE0F (EF B8 8F) whose 0x8F, undefined in Windows-1252, was dropped on the way: "âš ï¸" = ⚠️.
  if (text.startsWith('ï¸', start) && !isContinuation(text[start + 2])) return { char: '\ufe0f', length: 2 };
  if (start + need > text.length) return null;
  const bytes = new Uint8Array(need);
  bytes[0] = text.charCodeAt(start);
  for (let i = 1; i < need; i++) {
    const ch = text[start + i] as string;
    // A no-break space (0xA0) is often turned into a plain space by editors and chat tools ("âš " for ⚠).
    // Only trusted past the second byte: "× 2" must stay as written.
    const byte = ch === ' ' && i >= 2 ? 0xa0 : cp1252Byte(ch);
    if (byte === null || byte < 0x80 || byte > 0xbf) return null;
    bytes[i] = byte;
  }
  try {
    return { char: utf8.decode(bytes), length: need };
  } catch {
    return null;
  }
}

export interface MojibakeRepair {
  text: string;
  /** Offsets (in the input) of every repaired sequence. */
  offsets: number[];
}

/** Repairs every mojibake sequence; runs twice more for text that was double-encoded twice. */
export function repairMojibake(input: string): MojibakeRepair {
  let text = input;
  const offsets: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const before = text;
    text = repairOnce(text, pass === 0 ? offsets : []);
    if (text === before) break;
  }
  return { text, offsets };
}

function repairOnce(text: string, offsets: number[]): string {
  LEAD.lastIndex = 0;
  if (!LEAD.test(text)) return text;
  let out = '';
  let copiedTo = 0;
  LEAD.lastIndex = 0;
  for (let m = LEAD.exec(text); m !== null; m = LEAD.exec(text)) {
    const decoded = decodeAt(text, m.index);
    if (!decoded) continue;
    out += text.slice(copiedTo, m.index) + decoded.char;
    copiedTo = m.index + decoded.length;
    offsets.push(m.index);
    LEAD.lastIndex = copiedTo;
  }
  return copiedTo === 0 ? text : out + text.slice(copiedTo);
}
