// What the CLI prints from a run (step output, errors, notes, result cells) goes through here, so the
// operator's terminal shows control sequences instead of obeying them (see src/shared/terminal-text.ts).
import { type NeutraliseOptions, neutralise } from '../shared/terminal-text.js';

/**
 * keepSgr (plain SGR colours) is off by default: output piped to a file or a pager should carry no escapes,
 * and a caller that knows it writes to a colour terminal can opt in (colours are reset at the end of the text).
 */
export type TerminalOutputOptions = NeutraliseOptions;

/** Untrusted text made safe to write to a terminal: every control visible and inert, `\n` and `\t` kept. */
export function forTerminal(text: string, options: TerminalOutputOptions = {}): string {
  return neutralise(text, options);
}
