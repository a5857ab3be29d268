// The postgres target: runs sql blocks (and psql -c lines of shell blocks) on one connection kept for the
// whole run, opened on the first block and reopened on the next block if it broke. Each block's result
// holds one result set per statement, what the server said when a statement failed (SQLSTATE, position),
// and where it ran (server version, TLS as the server saw it, backend pid). cancel() and the block's
// timeout stop the query on the server, not just our wait for it.
import { type PostgresTarget, durationMs } from '../../../shared/targets.js';
import { ResultClock } from '../result.js';
import type { Execution, ExecutionRequest, ExecutionResult, ExecutionStatus, Executor, ExecutorContext, ResultSet, TargetDescription } from '../types.js';
import { nowIso } from '../types.js';
import { BlockControl, type StopReason } from './block-control.js';
import { DEFAULT_PORT, postgresEndpoint, shownSslMode, shownTls } from './endpoint.js';
import { ADMIN_SHUTDOWN, type DatabaseError, QUERY_CANCELED, describeConnectError, describeSqlError, isDatabaseError } from './errors.js';
import { PasswordSource } from './password.js';
import { type PlanTarget, type SqlUnit, type UnitGroup, planBlock } from './plan.js';
import { stopBackendQuery } from './server-cancel.js';
import { type ConnectSettings, PgSession, openSideConnection } from './session.js';
import type { StatementOutcome } from './statement-query.js';
import { type TlsPlan, TlsConfigError, planTls } from './tls.js';

/** Connection attempts give up after this long (the block's own timeout may cut them shorter). */
export const CONNECT_TIMEOUT_MS = 15_000;
/** Rows kept per result set; further rows are counted (rowCount stays exact) but not held in memory. */
export const MAX_ROWS_PER_RESULT = 10_000;
/** How long close() waits for the server to acknowledge the end of the session. */
const CLOSE_LIMIT_MS = 5_000;

/** PostgreSQL's largest statement_timeout (an int of milliseconds). */
const MAX_STATEMENT_TIMEOUT_MS = 2_147_483_647;

/** Internal statements the executor adds around a block; their result sets are not the block's. */
function internalUnit(text: string): SqlUnit {
  return { text, statementCount: 1, failedStatement: () => `${text} (added by the executor)`, locate: () => null };
}

interface PlannedUnit {
  unit: SqlUnit;
  /** Added by the executor (SET, BEGIN, COMMIT): its result sets are not reported. */
  internal: boolean;
  /** Runs when the unit succeeded. */
  onSuccess?: () => void;
}

interface Failure {
  status: ExecutionStatus;
  error: string;
}

export function createPostgresExecutor(name: string, config: PostgresTarget, ctx: ExecutorContext): Executor {
  const port = config.port ?? DEFAULT_PORT;
  const sslmode = shownSslMode(config);
  const endpoint = postgresEndpoint(config);
  const password = new PasswordSource(name, config, ctx);
  const settings: ConnectSettings = { host: config.host, port, database: config.database, user: config.user, password, connectTimeoutMs: CONNECT_TIMEOUT_MS };
  const planTarget: PlanTarget = { host: config.host, port, user: config.user, database: config.database, endpoint };
  const configStatementTimeoutMs = config.statementTimeout ? durationMs(config.statementTimeout) : 0;
  const configBlockTimeoutMs = config.timeout ? durationMs(config.timeout) : undefined;

  let session: PgSession | null = null;
  let tls: TlsPlan | null = null;
  /** Blocks run one after another on the one connection. */
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const active = new Set<BlockControl>();

  /** For describing a failure before a TLS plan could be made (the CA file was unreadable). */
  function planTlsForMessages(): TlsPlan {
    return { mode: config.sslmode ?? 'prefer', ssl: false, plainFallback: false, caFile: config.sslrootcert ?? null, verification: 'none' };
  }

  async function openOrReuse(control: BlockControl, notes: string[]): Promise<PgSession> {
    if (session?.usable) {
      notes.push(`connection reused (backend pid ${session.facts.pid}, opened ${session.openedAt})`);
      return session;
    }
    if (session) {
      notes.push(`the previous connection was lost (${session.broken?.message ?? 'unknown reason'}); opened a new one`);
      session.drop('replaced');
      session = null;
    }
    tls ??= planTls(config, ctx.baseDir);
    session = await PgSession.open(settings, tls, control.connecting.signal);
    notes.push(`new connection (backend pid ${session.facts.pid})`);
    return session;
  }

  function describeSession(target: TargetDescription, notes: string[], s: PgSession): void {
    const { facts } = s;
    const tlsText = shownTls(facts.tls);
    target.details = {
      serverVersion: facts.serverVersion,
      tls: tlsText,
      certificateCheck: facts.tls.used ? (tls?.verification ?? 'unknown') : 'none',
      backendPid: String(facts.pid),
    };
    notes.unshift(
      `server PostgreSQL ${facts.serverVersion}`,
      facts.tls.used
        ? `TLS in use per pg_stat_ssl (${tlsText}); certificate checked: ${tls?.verification ?? 'unknown'}`
        : `TLS not used per pg_stat_ssl (sslmode ${sslmode}${tls?.plainFallback ? ': the server offers no TLS' : ''})`,
    );
    if (password.origin) notes.push(`password from ${password.origin}`);
  }

  function classifySqlError(error: DatabaseError, unit: SqlUnit, outcome: StatementOutcome, control: BlockControl, statementTimeoutMs: number, blockTimeoutMs: number | undefined): Failure {
    const label = unit.failedStatement(outcome.resultSets.length);
    if (outcome.copyInRefused) return { status: 'failed', error: describeSqlError(error, label, (position) => unit.locate(position)) };
    if (control.reason && (error.code === QUERY_CANCELED || error.code === ADMIN_SHUTDOWN)) {
      return { status: control.reason, error: stopMessage(control.reason, label, blockTimeoutMs) };
    }
    if (error.code === QUERY_CANCELED && statementTimeoutMs > 0) {
      return { status: 'timed-out', error: `${label ? `${label}: ` : ''}stopped by statement_timeout (${statementTimeoutMs} ms): ${error.message} (SQLSTATE ${error.code})` };
    }
    return { status: 'failed', error: describeSqlError(error, label, (position) => unit.locate(position)) };
  }

  function stopMessage(reason: StopReason, label: string | null, timeoutMs?: number): string {
    const what = label ? ` during ${label}` : '';
    return reason === 'cancelled' ? `cancelled by the operator${what}` : `timed out${timeoutMs ? ` after ${timeoutMs} ms` : ''}${what}`;
  }

  async function runBlock(request: ExecutionRequest, clock: ResultClock, target: TargetDescription, control: BlockControl, blockTimeoutMs: number | undefined): Promise<ExecutionResult> {
    const notes: string[] = [];
    const resultSets: ResultSet[] = [];
    // Reported as the server said it: the run engine masks secrets out of every result, with one rule.
    const finish = (status: ExecutionStatus, error: string | null = null): ExecutionResult =>
      clock.finish({ status, error, resultSets, notes: [...notes] });

    if (closed) return finish('error', `the executor for target ${name} is closed`);
    // Refusals first: they need no connection and no password prompt.
    const plan = await planBlock(request, planTarget);
    if (!plan.ok) return finish('error', plan.error);
    if (control.reason) return finish(control.reason, `${stopMessage(control.reason, null, blockTimeoutMs)} before it started`);

    let s: PgSession;
    try {
      s = await openOrReuse(control, notes);
    } catch (error) {
      if (control.reason) return finish(control.reason, `${stopMessage(control.reason, null, blockTimeoutMs)} while connecting`);
      const message = describeConnectError(error, { endpoint, host: config.host, port, tls: tls ?? planTlsForMessages(), passwordOrigin: password.origin, connectTimeoutMs: CONNECT_TIMEOUT_MS });
      // A rejected password is looked up (or asked for) again on the next block; a CA file may get fixed.
      if (isDatabaseError(error) && error.code === '28P01') password.forget();
      if (error instanceof TlsConfigError) tls = null;
      return finish('error', message);
    }
    describeSession(target, notes, s);

    notes.push(...plan.notes);

    // statement_timeout: the tighter of the target's statementTimeout and the block's own timeout.
    const limits = [configStatementTimeoutMs, request.timeoutMs ?? 0].filter((ms) => ms > 0);
    const effectiveStatementTimeout = limits.length > 0 ? Math.min(Math.round(Math.min(...limits)), MAX_STATEMENT_TIMEOUT_MS) : 0;
    const setup: PlannedUnit[] = [];
    // Set for every block that has a limit (one round trip): the block before may have changed it itself.
    if (effectiveStatementTimeout > 0) {
      setup.push({ unit: internalUnit(`SET statement_timeout = ${effectiveStatementTimeout}`), internal: true, onSuccess: () => (s.statementTimeoutSet = true) });
    } else if (s.statementTimeoutSet) {
      setup.push({ unit: internalUnit('RESET statement_timeout'), internal: true, onSuccess: () => (s.statementTimeoutSet = false) });
    }
    // A block proven read-only runs in read-only transactions: the server refuses any write the parse tree
    // could not see (a view or attribute-notation call to a writing function). The next block resets it.
    if (request.readOnly) {
      setup.push({ unit: internalUnit('SET default_transaction_read_only = on'), internal: true, onSuccess: () => (s.readOnlySet = true) });
    } else if (s.readOnlySet) {
      setup.push({ unit: internalUnit('RESET default_transaction_read_only'), internal: true, onSuccess: () => (s.readOnlySet = false) });
    }
    const rounds: { units: PlannedUnit[]; group: UnitGroup | null }[] = [{ units: setup, group: null }];
    for (const group of plan.groups) rounds.push({ units: group.units.map((unit) => ({ unit, internal: false })), group });

    let failure: Failure | null = null;
    let stoppedEarly = false;
    let blockUnitsStarted = 0;
    /** Whether the group that ran last was wrapped in BEGIN … COMMIT by the executor (an error rolls the wrap back). */
    let wrap = false;
    s.onNotice = (text) => request.onOutput({ stream: 'info', data: text, at: nowIso() });
    const onCopyOut = (text: string) => request.onOutput({ stream: 'stdout', data: text, at: nowIso() });
    try {
      rounds: for (const round of rounds) {
        // Decided when the group starts: an earlier group of the block may have opened a transaction itself.
        const wrapped = round.group?.atomic === true && s.transactionStatus() === 'I';
        const units = wrapped ? [{ unit: internalUnit('BEGIN'), internal: true }, ...round.units, { unit: internalUnit('COMMIT'), internal: true }] : round.units;
        if (wrapped) notes.push(round.group?.atomicNote ?? '');
        wrap = wrapped;
        let groupResults = 0;
        for (const { unit, internal, onSuccess } of units) {
          if (control.reason) {
            stoppedEarly = true;
            break rounds;
          }
          if (!internal) blockUnitsStarted++;
          const outcome = await control.track(s.run({ text: unit.text, ...(unit.values ? { values: unit.values } : {}), maxRows: MAX_ROWS_PER_RESULT, onCopyOut }));
          if (!outcome.sqlError && !outcome.connectionError) onSuccess?.();
          if (!internal) {
            resultSets.push(...outcome.resultSets);
            groupResults += outcome.resultSets.length;
          }
          if (outcome.droppedRows > 0) notes.push(`kept the first ${MAX_ROWS_PER_RESULT} rows of each result set; ${outcome.droppedRows} more were counted but not kept`);
          if (outcome.sqlError) {
            const completed = outcome.resultSets.length;
            failure = classifySqlError(outcome.sqlError, unit, outcome, control, effectiveStatementTimeout, blockTimeoutMs);
            if (unit.statementCount > 1 && completed > 0) {
              notes.push('the statements of this query ran as one implicit transaction: what the earlier ones changed was rolled back by the error, unless the block committed it itself');
            } else if (wrapped && groupResults > 0) {
              notes.push('the error rolled back the transaction the statements ran in: what the earlier ones changed was not kept');
            }
            break rounds;
          }
          if (outcome.connectionError) {
            failure = control.reason
              ? { status: control.reason, error: stopMessage(control.reason, unit.failedStatement(outcome.resultSets.length), blockTimeoutMs) }
              : { status: 'error', error: `the connection to ${endpoint} was lost: ${outcome.connectionError.message}; whether the statement ran is unknown; the next block opens a new connection` };
            break rounds;
          }
        }
      }
    } finally {
      s.onNotice = null;
    }

    // A server-side stop was started: its verdict says whether the work really stopped.
    if (control.stopping) {
      const verdict = await control.stopping;
      if (verdict.stopped) notes.push(verdict.how);
      else {
        s.drop('the query could not be stopped');
        return finish('error', `could not stop the query on the server: ${verdict.why}; the connection was dropped and backend ${s.facts.pid} may still be running it`);
      }
    }

    if (s.usable) {
      const status = s.transactionStatus();
      if (status === 'E') {
        // An aborted transaction refuses every later statement; COMMIT would only roll it back. Roll back now
        // so that the next block starts clean rather than failing with "current transaction is aborted".
        const rollback = await s.run({ text: 'ROLLBACK', maxRows: 0, onCopyOut });
        if (rollback.sqlError || rollback.connectionError) notes.push('the failed transaction could not be rolled back');
        else if (!wrap) notes.push('the failed transaction was rolled back so that the next block starts clean');
      } else if (status === 'T') {
        notes.push('a transaction is still open after this block (BEGIN without COMMIT); the next block on this target continues it, and it is rolled back if the run ends first');
      }
    }

    if (failure) return finish(failure.status, failure.error);
    if (control.reason && stoppedEarly) {
      return finish(control.reason, `${stopMessage(control.reason, null, blockTimeoutMs)}${blockUnitsStarted === 0 ? ' before any statement ran' : '; later statements were not run'}`);
    }
    if (control.reason) notes.push(`${control.reason === 'cancelled' ? 'cancel' : 'timeout'} came after every statement had completed`);
    return finish('succeeded');
  }

  return {
    kind: 'postgres',
    name,
    start(request: ExecutionRequest): Execution {
      // Built here and filled in after connecting: the clock's start time is when the block was started.
      const target: TargetDescription = { name, kind: 'postgres', endpoint };
      const clock = new ResultClock(target);
      const control = new BlockControl((finishedWithin) => {
        const current = session;
        if (!current || !tls) return Promise.resolve({ stopped: true, how: 'nothing was running' });
        const sideTls = tls;
        return stopBackendQuery(() => openSideConnection(settings, current, sideTls), current.facts.pid, finishedWithin);
      });
      const blockTimeoutMs = request.timeoutMs ?? configBlockTimeoutMs;
      const run = queue.then(async () => {
        active.add(control);
        const deadline = blockTimeoutMs ? setTimeout(() => control.stop('timed-out'), blockTimeoutMs) : undefined;
        try {
          return await runBlock(request, clock, target, control, blockTimeoutMs);
        } catch (error) {
          return clock.finish({ status: 'error', error: `internal error in the postgres executor: ${(error as Error).message}` });
        } finally {
          clearTimeout(deadline);
          active.delete(control);
        }
      });
      queue = run;
      return { result: run, cancel: () => control.stop('cancelled') };
    },
    async close(): Promise<void> {
      closed = true;
      for (const control of active) control.stop('cancelled');
      await queue.catch(() => undefined);
      const current = session;
      session = null;
      await current?.close(CLOSE_LIMIT_MS);
    },
  };
}
