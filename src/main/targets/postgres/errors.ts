// Turns what pg and Node throw into messages an operator can act on: the server's SQLSTATE and where in
// the block it points for SQL errors; which check failed for TLS; which source the password came from for
// a failed login. No message ever contains the password (pg never puts it in errors; the executor masks
// it from everything it reports as a second line of defence).
import pg from 'pg';
import { PasswordUnavailable } from './password.js';
import { type TlsPlan, TlsConfigError } from './tls.js';
import { UNTRUSTED_CHAIN } from '../tls-errors.js';

export type DatabaseError = pg.DatabaseError;

export function isDatabaseError(error: unknown): error is DatabaseError {
  return error instanceof pg.DatabaseError;
}

/** The query was cancelled (by us, another session or statement_timeout). */
export const QUERY_CANCELED = '57014';
/** The backend was terminated (pg_terminate_backend, shutdown). */
export const ADMIN_SHUTDOWN = '57P01';

/**
 * "ERROR: relation "nope" does not exist (SQLSTATE 42P01) at line 3, column 15", then DETAIL/HINT/CONTEXT
 * lines when the server gave them. `locate` turns the server's 1-based character position into words.
 */
export function describeSqlError(error: DatabaseError, label: string | null, locate: (position: number) => string | null): string {
  const position = error.position ? Number(error.position) : NaN;
  const where = Number.isInteger(position) && position > 0 ? locate(position) : null;
  const head = `${label ? `${label}: ` : ''}${error.severity ?? 'ERROR'}: ${error.message}${error.code ? ` (SQLSTATE ${error.code})` : ''}${where ? ` at ${where}` : ''}`;
  const lines = [head];
  if (error.detail) lines.push(`DETAIL: ${error.detail}`);
  if (error.hint) lines.push(`HINT: ${error.hint}`);
  if (error.where) lines.push(`CONTEXT: ${error.where}`);
  return lines.join('\n');
}


export interface ConnectContext {
  endpoint: string;
  host: string;
  port: number;
  tls: TlsPlan;
  passwordOrigin: string | null;
  connectTimeoutMs: number;
}

/** Why a connection could not be opened, starting with "cannot connect to ENDPOINT: …". */
export function describeConnectError(error: unknown, ctx: ConnectContext): string {
  const reason = connectReason(error, ctx);
  return `cannot connect to ${ctx.endpoint}: ${reason}`;
}

function connectReason(error: unknown, ctx: ConnectContext): string {
  if (error instanceof PasswordUnavailable || error instanceof TlsConfigError) return error.message;
  if (isDatabaseError(error)) {
    const sqlstate = error.code ? ` (SQLSTATE ${error.code})` : '';
    switch (error.code) {
      case '28P01':
        return `authentication failed: ${error.message}${sqlstate}; the password came from ${ctx.passwordOrigin ?? 'nowhere'}`;
      case '28000':
        return `the server refused the login: ${error.message}${sqlstate}`;
      case '3D000':
        return `${error.message}${sqlstate}`;
      default:
        return `the server refused the connection: ${error.message}${sqlstate}`;
    }
  }
  const e = error as NodeJS.ErrnoException & { reason?: string };
  const message = e?.message ?? String(error);
  const mode = ctx.tls.mode;
  if (e?.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server's certificate is not valid for host ${ctx.host} (sslmode ${mode} checks the host name): ${e.reason ?? message}`;
  }
  if (e?.code && UNTRUSTED_CHAIN.has(e.code)) {
    const anchor = ctx.tls.caFile ? `the CA in sslrootcert ${ctx.tls.caFile}` : "Node's public root CAs";
    return `the server's certificate is not signed by ${anchor} (sslmode ${mode}): ${message} [${e.code}]`;
  }
  if (e?.code === 'CERT_HAS_EXPIRED' || e?.code === 'CERT_NOT_YET_VALID') {
    return `the server's certificate is outside its validity period (sslmode ${mode}): ${message}`;
  }
  if (message === 'The server does not support SSL connections') {
    return `the server does not offer TLS, and sslmode ${mode} requires it`;
  }
  if (e?.code?.startsWith('ERR_SSL') || /SSL routines|handshake/i.test(message)) {
    return `the TLS handshake failed (sslmode ${mode}): ${message}`;
  }
  switch (e?.code) {
    case 'ECONNREFUSED':
      return `nothing accepts connections at ${ctx.host}:${ctx.port} (connection refused)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve host name ${ctx.host}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${ctx.host} is unreachable (${e.code})`;
    case 'ETIMEDOUT':
      return `no answer from ${ctx.host}:${ctx.port} (${e.code})`;
  }
  if (/timeout expired/.test(message)) return `no answer from ${ctx.host}:${ctx.port} within ${ctx.connectTimeoutMs / 1000} s`;
  if (/Connection terminated/.test(message)) return 'the server closed the connection during login';
  return message;
}
