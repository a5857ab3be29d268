// The enumerated codes the journal format uses: why something was refused, stopped, skipped or sealed, and
// the other closed sets a record names. Each list is defined here once; the record schemas (records/*.ts)
// take their z.enum from it, and the engine's types for the same codes are read from it (session/runner.ts'
// RefusalCode, session/verdict/types.ts' VerdictCode). Free text in a record only ever stands beside one of
// these codes; a reader decides on the code, never on the text. A code is never renamed: renaming one, or
// removing one a writer may have written, is a new journal format (format.ts).

/** Why a step was refused rather than run (step.finished outcome.refusal, step.skipped refusal). */
export const REFUSAL_CODES = ['protected-not-confirmed', 'approval-refused', 'value-unsafe', 'store-lagging'] as const;

/** Why an offered approval was not granted (approval code). */
export const APPROVAL_REFUSAL_CODES = ['not-a-signature', 'bad-signature', 'operator-key', 'operator-name', 'not-an-approver'] as const;
/** The operator gave up on an approval request (or the step was cancelled): nothing was offered. */
export const APPROVAL_WITHDRAWN = 'withdrawn';
/** (Format 4.) No valid approval arrived in the time the request was open (a request through the team store). */
export const APPROVAL_TIMED_OUT = 'timed-out';
/** An approval request that ended with no signature granted and none refused: withdrawn, or timed out. */
export const APPROVAL_UNANSWERED = [APPROVAL_WITHDRAWN, APPROVAL_TIMED_OUT] as const;

// Why a sign-off was refused and journaled (signoff code): SIGNOFF_REFUSAL_CODES, defined with the sign-off
// message in src/shared/signoff.ts (the console's page shows them too).
export { SIGNOFF_REFUSAL_CODES, type SignoffRefusalCode } from '../../../shared/signoff.js';

// Why a step was unfinished when the operator sealed the run (run.ended-early unfinished[].what), and what a
// change of a recorded outcome changed (step.note change): defined with the console's API (src/shared/run-api.ts),
// whose page shows them too. Format 2 added both.
export { CHANGE_KINDS, UNFINISHED_KINDS } from '../../../shared/run-api.js';
/** What happened to a step's timer (timer event), format 2: defined with the timers' rules, which the page shows. */
export { TIMER_EVENTS } from '../../../shared/step-timers.js';

/** What stopped a run (run.interrupted cause, run.finished interrupted): a signal, a closed stdout, the app quitting. */
export const INTERRUPT_CAUSES = ['SIGHUP', 'SIGTERM', 'SIGINT', 'EPIPE', 'app quit'] as const;
/** How the interruption reached the run (run.interrupted by). */
export const INTERRUPTED_BY = ['signal', 'stdout closed', 'host shutdown'] as const;

/** Why a seal was made (checkpoint reason). */
export const SEAL_REASONS = ['run-end', 'periodic', 'export', 'shutdown', 'recover'] as const;

/** Who closed a run that stopped without closing (run.finished closed_by). */
export const CLOSED_BY = ['export', 'recover'] as const;

/** What a run directory's lock was taken for (run.finished stale_lock.purpose). */
export const LOCK_PURPOSES = ['run', 'export', 'recover', 'access'] as const;

/** What the `error` record reports. */
export const ERROR_CAUSES = ['journal-write-failed'] as const;

/** Why the plan skips a step (step.skipped code, by: plan). */
export const PLAN_SKIP_CODES = ['not-selected', 'above-profile', 'manual-step', 'for-a-person'] as const;

/** What could not be done while keeping a block's output (step.finished output.failure_code). */
export const OUTPUT_FAILURE_CODES = ['open', 'write', 'fsync', 'blobs'] as const;

/**
 * A parser's verdict on a block (step.started verdict.code): proven read-only, or why it may change state.
 * The run engine's VerdictCode is this list (session/verdict/types.ts).
 */
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

/** How a block's execution ended (step.finished outcome.status): the executors' ExecutionStatus. */
export const EXECUTION_STATUSES = ['succeeded', 'failed', 'cancelled', 'timed-out', 'error'] as const;

/** A step's end (run.finished steps[].status, step.skipped status): the engine's StepStatus. */
export const STEP_STATUSES = ['succeeded', 'failed', 'skipped', 'cancelled', 'not-run'] as const;

/** A check's verdict on a block's result (step.finished outcome.verdict). */
export const CHECK_VERDICTS = ['pass', 'fail', 'warn'] as const;

/** Who skipped a step (step.skipped by): the plan, the operator, or a refusal or stop before any block ran. */
export const SKIPPED_BY = ['plan', 'operator', 'refused'] as const;

/** Where a block's target came from (step.started target.bound_by). */
export const BINDING_SOURCES = ['fence attribute', 'front matter', 'targets file defaults', 'built-in default', 'operator choice'] as const;

/** Where a variable's value came from (run.started variables[].source). */
export const VARIABLE_SOURCES = ['option', 'front matter', 'target env', 'operator', 'unknown'] as const;

/** How the operator controls a key of the run (run.started options.operator_keys[].source). */
export const OPERATOR_KEY_SOURCES = ['installation', 'export-key', 'named', 'ssh-agent'] as const;

/** How a sign-off's signature reached main (signoff method). */
export const SIGNOFF_METHODS = ['key-file', 'ssh-agent', 'pasted'] as const;

/** Who answered a question (trust by): the operator, or the run answering "no" for nobody left to ask. */
export const ANSWERED_BY = ['operator', 'cancel', 'step-ended', 'replaced'] as const;

/** What a target is (step.started target.kind, step.finished target.kind): shared/targets.ts' TargetKind. */
export const TARGET_KINDS = ['local', 'ssh', 'postgres', 'kubernetes', 'prometheus'] as const;

/** Which host ran the run (run.started options.host). */
export const RUN_HOSTS = ['cli', 'console'] as const;

/** A verification recorded in the access log (verify result). */
export const VERIFY_RESULTS = ['ok', 'unanchored'] as const;

export type TargetKind = (typeof TARGET_KINDS)[number];
export type RefusalCode = (typeof REFUSAL_CODES)[number];
export type ApprovalRefusalCode = (typeof APPROVAL_REFUSAL_CODES)[number];
export type InterruptCause = (typeof INTERRUPT_CAUSES)[number];
export type SealReason = (typeof SEAL_REASONS)[number];
export type PlanSkipCode = (typeof PLAN_SKIP_CODES)[number];
export type OutputFailureCode = (typeof OUTPUT_FAILURE_CODES)[number];
export type VerdictCode = (typeof VERDICT_CODES)[number];
export type OperatorKeySource = (typeof OPERATOR_KEY_SOURCES)[number];
export type SignoffMethod = (typeof SIGNOFF_METHODS)[number];
