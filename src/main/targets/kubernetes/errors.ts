// The ways a Kubernetes block can go wrong, and how each maps to a result status: the API server answered
// with a Status (404/409/422… → failed, as kubectl exits 1), kubectl's own checks refused (failed), the
// line cannot run as written or the cluster cannot be reached (error), or the operator declined an apply.
import type { ExecutionStatus } from '../types.js';
import { StoppedError } from './control.js';
import { UNTRUSTED_CHAIN } from '../tls-errors.js';

/** The Kubernetes metav1.Status an API server sends with an error response. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string };
}

/** The API server answered with a non-2xx response. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: KubeStatus | null,
    body: string,
  ) {
    super(status?.message ?? `HTTP ${code}${body.trim() ? `: ${body.trim().slice(0, 300)}` : ''}`);
  }

  get reason(): string | null {
    return this.status?.reason ?? null;
  }

  /** As kubectl prints it: Error from server (NotFound): deployments.apps "x" not found */
  get kubectlText(): string {
    return `Error from server${this.reason ? ` (${this.reason})` : ''}: ${this.message}`;
  }
}

/** The API server could not be reached or talked to (connection, TLS, proxy). */
export class KubeTransportError extends Error {}

/** kubectl would refuse with "error: …" and exit 1: the command ran against the cluster and failed. */
export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The kubectl binary exited non-zero; it has printed its own error. */
export class KubectlExited extends CommandFailed {}

/** The line cannot run as written (bad flags, missing arguments, a file that is not there). */
export class UsageError extends Error {}

/** A line the native subset does not cover; thrown before any request, so the kubectl binary can run it instead. */
export class NotNative extends Error {}

export const DECLINED = 'apply declined by operator';

/** The operator answered no to an apply. */
export class Declined extends Error {
  constructor() {
    super(DECLINED);
  }
}

export interface Failure {
  status: ExecutionStatus;
  error: string;
  exitCode: number | null;
}


/** Why `server` could not be reached, from what undici's fetch threw (its cause holds the socket or TLS error). */
export function describeTransport(error: unknown, server: string): string {
  const cause = (error as { cause?: unknown })?.cause ?? error;
  const e = cause as NodeJS.ErrnoException & { reason?: string };
  const message = e?.message ?? String(cause);
  const code = e?.code ?? '';
  let why: string;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') why = `the server's certificate is not valid for this host name: ${e.reason ?? message}`;
  else if (UNTRUSTED_CHAIN.has(code)) why = `the server's certificate is not signed by the cluster's certificate-authority in the kubeconfig: ${message} [${code}]`;
  else if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') why = `the server's certificate is outside its validity period: ${message}`;
  else if (code === 'ECONNREFUSED') why = 'connection refused';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') why = 'cannot resolve the host name';
  else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') why = `the connection was reset: ${message}`;
  else if (code.startsWith('UND_ERR_') && /timeout/i.test(code)) why = `no answer in time: ${message}`;
  else if (code.startsWith('ERR_SSL') || /SSL routines|handshake/i.test(message)) why = `the TLS handshake failed: ${message}`;
  else why = code ? `${message} [${code}]` : message;
  return `cannot talk to the API server at ${server}: ${why}`;
}

/** The status, message and exit code of a block that ended with `error`. */
export function classify(error: unknown, stopReason: StopReasonLike, timeoutMs: number | undefined, user: string): Failure {
  if (stopReason) {
    return { status: stopReason, error: stopReason === 'cancelled' ? 'cancelled by the operator' : `timed out${timeoutMs ? ` after ${timeoutMs} ms` : ''}`, exitCode: null };
  }
  if (error instanceof StoppedError) return { status: error.reason, error: error.message, exitCode: null };
  if (error instanceof Declined) return { status: 'cancelled', error: DECLINED, exitCode: null };
  if (error instanceof KubeApiError) {
    // 401: the credentials were refused, nothing ran; everything else is the API server's verdict on the request.
    if (error.code === 401) return { status: 'error', error: `the API server refused the credentials of user ${user}: ${error.kubectlText}`, exitCode: null };
    // 502/503/504: a proxy or an overloaded server, not an answer to the request.
    if (error.code < 502 && (error.status?.kind === 'Status' || error.code < 500)) return { status: 'failed', error: error.kubectlText, exitCode: 1 };
    return { status: 'error', error: `the API server answered HTTP ${error.code}: ${error.message}`, exitCode: null };
  }
  if (error instanceof CommandFailed) return { status: 'failed', error: error.message, exitCode: error.exitCode };
  if (error instanceof UsageError || error instanceof KubeTransportError) return { status: 'error', error: error.message, exitCode: null };
  return { status: 'error', error: `internal error in the kubernetes executor: ${(error as Error)?.message ?? String(error)}`, exitCode: null };
}

type StopReasonLike = 'cancelled' | 'timed-out' | null;
