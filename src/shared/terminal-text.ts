// Step output is untrusted: before a terminal or a report shows it, every control character is rendered as
// visible, inert text, so output cannot retitle a window, write the clipboard (OSC 52), move the cursor to
// hide earlier lines, clear the screen, overwrite a line with a bare CR, or reorder text with bidi overrides.
// The journal keeps the exact bytes; this is only how they are shown. Pure: used by the CLI, reports and
// the renderer alike.

export interface NeutraliseOptions {
  /** Keep plain SGR colour sequences (`ESC [ digits;… m`); every other sequence is still made visible. */
  keepSgr?: boolean;
}

/**
 * What is made visible: C0 controls except TAB and LF (CR only when it does not end a line), DEL, C1
 * controls (U+0080–U+009F, the 8-bit CSI U+009B among them), the bidi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069) and the invisible bidi marks (U+061C, U+200E, U+200F).
 * One character at a time, so text cut anywhere (output arrives in chunks) is still made inert.
 */
const SHOWN = /\x1b\[[0-9;]*m|\r\n|[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

const SGR_RESET = '\x1b[0m';

/** The visible stand-in: Unicode control pictures for C0 and DEL (ESC → ␛), `<U+XXXX>` for the rest. */
function picture(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/**
 * An SGR sequence that only styles text. Conceal (8) is refused: it would let output hide itself, and
 * the parameters of extended colours (38/48/58;5;n and ;2;r;g;b) are skipped so a colour index 8 is not mistaken for it.
 */
function isPlainSgr(sequence: string): boolean {
  const params = sequence.slice(2, -1).split(';');
  for (let i = 0; i < params.length; i++) {
    const p = Number(params[i] || '0');
    if (p === 38 || p === 48 || p === 58) {
      i += params[i + 1] === '5' ? 2 : params[i + 1] === '2' ? 4 : 1;
      continue;
    }
    if (p === 8) return false;
  }
  return true;
}

/** `text` with every control rendered visibly and inertly; `\n`, `\t` and `\r\n` stay as they are. */
export function neutralise(text: string, options: NeutraliseOptions = {}): string {
  /** Whether the last colour kept left the terminal styled (anything but a reset). */
  let styled = false;
  const out = text.replace(SHOWN, (match) => {
    if (match === '\r\n') return match;
    if (match.length > 1) {
      // An SGR sequence: kept when asked for and plain; else only its ESC needs showing, the rest is text.
      if (options.keepSgr && isPlainSgr(match)) {
        styled = !/^\x1b\[[0;]*m$/.test(match);
        return match;
      }
      return picture('\x1b') + match.slice(1);
    }
    return picture(match);
  });
  // Colours end with the text: output must not paint (or hide) whatever is printed after it.
  return styled ? out + SGR_RESET : out;
}
