// The verdict on one block: whether running it may change state on its target, proven by a parser.
// Codes are stable strings: the run journal, the CLI and the renderer show and record them.

/** Every verdict code, once: the type VerdictCode is read from this list. */
export const VERDICT_CODES = [
  // SQL, judged on PostgreSQL's own parse tree (libpg-query)
  'sql-read-only',
  'sql-writes',
  'sql-function-not-allowed',
  'sql-select-into',
  'sql-locking',
  'sql-modifying-cte',
  'sql-explain-analyze-write',
  'sql-parse-error',
  'sql-meta-command',
  // Shell, judged on mvdan/sh's parse (mvdan-sh, via shell-ast.ts)
  'shell-read-only',
  'shell-command-not-allowed',
  'shell-arguments-not-read-only',
  'shell-redirect-to-file',
  'shell-assignment-not-allowed',
  'shell-dynamic-command',
  'shell-unsupported-syntax',
  'shell-parse-error',
  // The other actions
  'manifest-applies',
  'promql-query',
  'display',
  'unknown-action',
  // No verdict was computed (verdictOfSync before verdictOf judged the block, or a caller's fallback).
  'unknown',
] as const;

export type VerdictCode = (typeof VERDICT_CODES)[number];

export interface Verdict {
  changesState: boolean;
  code: VerdictCode;
  /** Human text naming the statement or command, e.g. "line 3: setval changes state". */
  detail: string;
}

export const readOnly = (code: VerdictCode, detail: string): Verdict => ({ changesState: false, code, detail });
export const changes = (code: VerdictCode, detail: string): Verdict => ({ changesState: true, code, detail });
