// The verdict on one block: whether running it may change state on its target, proven by a parser.
// Codes are stable strings: the run journal, the CLI and the renderer show and record them.

import type { VerdictCode } from '../../audit/records/codes.js';

/** Every verdict code, once: the journal format's (step.started verdict.code); VerdictCode is read from it. */
export { VERDICT_CODES, type VerdictCode } from '../../audit/records/codes.js';

export interface Verdict {
  changesState: boolean;
  code: VerdictCode;
  /** Human text naming the statement or command, e.g. "line 3: setval changes state". */
  detail: string;
}

export const readOnly = (code: VerdictCode, detail: string): Verdict => ({ changesState: false, code, detail });
export const changes = (code: VerdictCode, detail: string): Verdict => ({ changesState: true, code, detail });
