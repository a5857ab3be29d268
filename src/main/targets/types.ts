// One interface for every executor: start a block, stream its output, cancel it, get an exact result.
import type { Action } from '../../shared/runbook-model.js';
import type { Target, TargetKind } from '../../shared/targets.js';

export interface OutputChunk {
  stream: 'stdout' | 'stderr' | 'info';
  /** The chunk as text (UTF-8 decoded), for showing it. */
  data: string;
  /**
   * The exact bytes, where the output is bytes (a process's stdout and stderr): what the run records, NUL,
   * CR and invalid UTF-8 included. Without them the record keeps `data` as UTF-8. A chunk may carry no
   * bytes but text: the U+FFFD of a character left incomplete at the end of a stream.
   */
  bytes?: Uint8Array;
  /** ISO-8601 time the chunk arrived. */
  at: string;
}

/** Rows of one statement or query. */
export interface ResultSet {
  /** Command tag, e.g. SELECT, UPDATE; for Prometheus the result type. */
  command: string | null;
  columns: string[];
  rows: unknown[][];
  rowCount: number | null;
}

/**
 * succeeded: it ran and reported success (exit 0, statement OK);
 * failed: it ran and reported failure (non-zero exit, SQL error, API Status error);
 * cancelled / timed-out: stopped by the operator or the timeout, the remote work really stopped;
 * error: it could not run (connection, authentication, host key refused, bad configuration).
 */
export type ExecutionStatus = 'succeeded' | 'failed' | 'cancelled' | 'timed-out' | 'error';

/** What the result says about where it ran; never holds secrets. */
export interface TargetDescription {
  name: string;
  kind: TargetKind;
  /** e.g. "deploy@10.0.0.5:22", "app@127.0.0.1:5432/appdb (verify-full)", "https://k8s:6443 context=prod ns=default user=admin". */
  endpoint: string;
  details?: Record<string, string>;
}

export interface ExecutionResult {
  status: ExecutionStatus;
  exitCode: number | null;
  signal: string | null;
  /** Human-readable reason when not succeeded. */
  error: string | null;
  resultSets: ResultSet[];
  startedAt: string;
  endedAt: string;
  durationMs: number;
  target: TargetDescription;
  /** Executor-specific facts worth recording: host-key decision, dry-run summary, server version… */
  notes: string[];
}

export interface ExecutionRequest {
  blockId: string;
  action: Action;
  /** The block's code after variable substitution. */
  code: string;
  /** Bind parameters ($1, $2 …) for SQL. */
  params?: unknown[];
  /**
   * A parser proved the block read-only (so a protected target ran it without the operator's typed name):
   * an executor that can hold it to that does (PostgreSQL runs it in a READ ONLY transaction), as a
   * backstop for what a parse tree cannot see (views, attribute-notation function calls, domain checks).
   */
  readOnly?: boolean;
  timeoutMs?: number;
  env?: Record<string, string>;
  /**
   * Each chunk of output, in order. Backpressure: a consumer that is behind returns a promise, and the
   * executor reads no more of the output (so the process, or the remote side, waits) until it settles;
   * whatever else it returns means go on. Nothing is dropped either way. (Typed void so that any callback
   * fits; executors look at what comes back with isPending, output-chunk.ts.)
   */
  onOutput: (chunk: OutputChunk) => void;
}

export interface Execution {
  readonly result: Promise<ExecutionResult>;
  /** Stops the work for real (process group, remote channel, server-side query cancel). */
  cancel(): void;
}

export interface Executor {
  readonly kind: TargetKind;
  readonly name: string;
  start(request: ExecutionRequest): Execution;
  /** Releases connections; the executor is not used afterwards. */
  close(): Promise<void>;
}

export type ConfirmPurpose = 'trust-host-key' | 'apply-change';

/** What executors may ask of the operator and the environment. */
export interface ExecutorContext {
  /** Directory relative paths in the target (key files, CA files, kubeconfig) are resolved against. */
  baseDir: string;
  /** Environment variables passwords and passphrases are read from. */
  env: Record<string, string | undefined>;
  /** Asks the operator for a value; resolves null where nobody can answer (non-interactive). */
  ask(question: string, options?: { secret?: boolean }): Promise<string | null>;
  /**
   * Asks the operator a yes/no question; false where nobody can answer. `purpose` lets the host apply
   * policy: a RESTRICTED run never trusts an unknown host key, and `--yes` accepts reviewed changes only.
   */
  confirm(question: string, purpose?: ConfirmPurpose): Promise<boolean>;
  /** Looks up a named secret in the app's secret store; null when absent. */
  secret?(name: string): Promise<string | null>;
  /**
   * Told each credential an executor is about to use (a password from the environment, the secret store or
   * the operator), before it is used. Executors mask nothing themselves: the run engine masks everything
   * they report with one rule (session/mask.ts), and learns here the values it has not been given.
   */
  secretInUse?(value: string): void;
  /** The secret answers the operator typed so far for this run (passphrases, passwords): never journaled. */
  secretsGiven?(): string[];
  /**
   * The environment a process started for a step of `target` begins with (a local step's shell). The run
   * engine gives the operator's environment less every target's credentials (session/step-env.ts).
   * Absent, such a step inherits nothing: only its target's `env` and the block's values.
   */
  stepEnv?(target: Target): Record<string, string>;
}

export function nowIso(): string {
  return new Date().toISOString();
}
