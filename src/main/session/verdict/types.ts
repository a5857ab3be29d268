// The verdict on one block: whether running it may change state on its target, proven by a parser.
// Codes are stable strings: the run journal, the CLI and the renderer show and record them.

export type VerdictCode =
  // SQL, judged on PostgreSQL's own parse tree (libpg-query)
  | 'sql-read-only'
  | 'sql-writes'
  | 'sql-function-not-allowed'
  | 'sql-select-into'
  | 'sql-locking'
  | 'sql-modifying-cte'
  | 'sql-explain-analyze-write'
  | 'sql-parse-error'
  | 'sql-meta-command'
  // Shell, judged on mvdan/sh's parse (mvdan-sh, via shell-ast.ts)
  | 'shell-read-only'
  | 'shell-command-not-allowed'
  | 'shell-arguments-not-read-only'
  | 'shell-redirect-to-file'
  | 'shell-assignment-not-allowed'
  | 'shell-dynamic-command'
  | 'shell-unsupported-syntax'
  | 'shell-parse-error'
  // The other actions
  | 'manifest-applies'
  | 'promql-query'
  | 'display'
  | 'unknown-action'
  /** No verdict was computed (verdictOfSync before the asynchronous parser ran, or a caller's fallback). */
  | 'unknown';

export interface Verdict {
  changesState: boolean;
  code: VerdictCode;
  /** Human text naming the statement or command, e.g. "line 3: setval changes state". */
  detail: string;
}

export const VERDICT_CODES: readonly VerdictCode[] = [
  'sql-read-only', 'sql-writes', 'sql-function-not-allowed', 'sql-select-into', 'sql-locking', 'sql-modifying-cte',
  'sql-explain-analyze-write', 'sql-parse-error', 'sql-meta-command',
  'shell-read-only', 'shell-command-not-allowed', 'shell-arguments-not-read-only', 'shell-redirect-to-file',
  'shell-assignment-not-allowed', 'shell-dynamic-command', 'shell-unsupported-syntax', 'shell-parse-error',
  'manifest-applies', 'promql-query', 'display', 'unknown-action', 'unknown',
];

export const readOnly = (code: VerdictCode, detail: string): Verdict => ({ changesState: false, code, detail });
export const changes = (code: VerdictCode, detail: string): Verdict => ({ changesState: true, code, detail });

/** Where a variable stands in a block: `<NAME>` placeholders (and, in SQL, `$NAME`/`${NAME}`). */
export const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*)>/g;
