// One open connection and what we know about it. The executor keeps one session for the whole run (as
// psql keeps one connection for a script): SET, temporary tables and an open transaction carry from block
// to block. A session that broke is replaced on the next block, never silently reused.
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { z } from 'zod';
import { nowIso } from '../types.js';
import type { PasswordSource } from './password.js';
import { StatementQuery, type StatementOutcome, type StatementQueryOptions } from './statement-query.js';
import type { TlsPlan } from './tls.js';

export interface SessionFacts {
  pid: number;
  serverVersion: string;
  /** Decides how '…' literals are lexed when a block is split into statements. */
  standardConformingStrings: boolean;
  /** From pg_stat_ssl, i.e. as the server sees this connection. */
  tls: { used: boolean; version: string | null; cipher: string | null };
}

/** How to reach the server; shared by the session's connection and the short-lived cancel connections. */
export interface ConnectSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: PasswordSource;
  connectTimeoutMs: number;
}

const APPLICATION_NAME = 'runbook-console';

function clientConfig(settings: ConnectSettings, ssl: false | ConnectionOptions, purpose: string): pg.ClientConfig {
  return {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    // A function: pg calls it only when the server asks for a password, so trust/peer logins ask nothing.
    password: () => settings.password.get(),
    // Always explicit: left undefined, pg would read PGSSLMODE from the environment instead.
    ssl,
    application_name: purpose === 'session' ? APPLICATION_NAME : `${APPLICATION_NAME} (${purpose})`,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // Runs last hours; keepalive lets the OS notice a peer that vanished without closing.
    keepAlive: true,
  };
}

/** Connects one pg.Client; `signal` aborts the attempt by destroying its socket. */
async function connectClient(config: pg.ClientConfig, signal?: AbortSignal): Promise<pg.Client> {
  if (signal?.aborted) throw new Error('connection attempt aborted');
  const client = new pg.Client(config);
  // pg reports connect errors through connect(); this keeps a late 'error' event (or one before the caller
  // attaches its own listener) from crashing the process. It stays: the caller's listener does the work.
  client.on('error', () => undefined);
  const abort = () => client.connection.stream.destroy(new Error('connection attempt aborted'));
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.connection.stream.destroy();
    throw error;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

const NO_TLS_OFFERED = 'The server does not support SSL connections';

/** Connects as the plan says, falling back to plain TCP for sslmode prefer when the server offers no TLS. */
export async function connectWithPlan(settings: ConnectSettings, tls: TlsPlan, purpose: string, signal?: AbortSignal): Promise<{ client: pg.Client; ssl: false | ConnectionOptions }> {
  try {
    return { client: await connectClient(clientConfig(settings, tls.ssl, purpose), signal), ssl: tls.ssl };
  } catch (error) {
    if (!tls.plainFallback || (error as Error).message !== NO_TLS_OFFERED) throw error;
    return { client: await connectClient(clientConfig(settings, false, purpose), signal), ssl: false };
  }
}

const FACTS_QUERY = `SELECT pg_backend_pid() AS pid,
       current_setting('server_version') AS server_version,
       current_setting('standard_conforming_strings') AS scs,
       s.ssl, s.version, s.cipher
  FROM (SELECT 1) AS one LEFT JOIN pg_stat_ssl AS s ON s.pid = pg_backend_pid()`;

/** The server's answer is checked, not trusted to have the shape we asked for (a proxy may sit between). */
const FactsRowSchema = z.object({
  pid: z.number().int(),
  server_version: z.string(),
  scs: z.string(),
  ssl: z.boolean().nullable(),
  version: z.string().nullable(),
  cipher: z.string().nullable(),
});

export function formatNotice(notice: { severity?: string; message?: string; detail?: string; hint?: string }): string {
  // As psql prints them.
  let text = `${notice.severity ?? 'NOTICE'}:  ${notice.message ?? ''}\n`;
  if (notice.detail) text += `DETAIL:  ${notice.detail}\n`;
  if (notice.hint) text += `HINT:  ${notice.hint}\n`;
  return text;
}

export class PgSession {
  /** Why the connection can no longer be used, or null. */
  broken: Error | null = null;
  /** Where NOTICE/WARNING messages go while a block runs. */
  onNotice: ((text: string) => void) | null = null;
  /** Whether we changed statement_timeout for this session (so a block without a timeout resets it). */
  statementTimeoutSet = false;
  /** Whether the session's transactions are read-only because the last block was proven read-only. */
  readOnlySet = false;
  readonly openedAt = nowIso();

  private constructor(
    readonly client: pg.Client,
    readonly facts: SessionFacts,
    /** The TLS options the connection was made with (cancel connections use the same). */
    readonly ssl: false | ConnectionOptions,
  ) {
    // Without an 'error' listener a connection dying between blocks would crash the process.
    client.on('error', (error) => {
      this.broken ??= error;
    });
    client.on('end', () => {
      this.broken ??= new Error('the server closed the connection');
    });
    client.on('notice', (notice) => this.onNotice?.(formatNotice(notice)));
  }

  static async open(settings: ConnectSettings, tls: TlsPlan, signal: AbortSignal): Promise<PgSession> {
    const { client, ssl } = await connectWithPlan(settings, tls, 'session', signal);
    try {
      const row = FactsRowSchema.parse((await client.query(FACTS_QUERY)).rows[0]);
      const facts: SessionFacts = {
        pid: row.pid,
        serverVersion: row.server_version,
        standardConformingStrings: row.scs !== 'off',
        tls: { used: row.ssl === true, version: row.version, cipher: row.cipher },
      };
      return new PgSession(client, facts, ssl);
    } catch (error) {
      client.connection.stream.destroy();
      throw error;
    }
  }

  get usable(): boolean {
    return this.broken === null;
  }

  run(options: StatementQueryOptions): Promise<StatementOutcome> {
    const query = new StatementQuery(options);
    this.client.query(query);
    return query.outcome;
  }

  /** I idle, T in a transaction, E in a failed transaction (as of the last ReadyForQuery). */
  transactionStatus(): 'I' | 'T' | 'E' | null {
    return this.client.getTransactionStatus();
  }

  /** Drops the connection at once: whatever it was waiting for fails with a connection error. */
  drop(reason: string): void {
    this.broken ??= new Error(reason);
    this.client.connection.stream.destroy();
  }

  /** Ends the connection politely (the server rolls back an open transaction), or drops it after `limitMs`. */
  async close(limitMs: number): Promise<void> {
    this.broken ??= new Error('closed');
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.client.connection.stream.destroy();
        resolve();
      }, limitMs);
    });
    await Promise.race([this.client.end().catch(() => undefined), limit]);
    clearTimeout(timer);
  }
}

/** Opens a short-lived extra connection with the session's settings (for server-side cancel). */
export async function openSideConnection(settings: ConnectSettings, session: PgSession, tls: TlsPlan): Promise<pg.Client> {
  const { client } = await connectWithPlan(settings, { ...tls, ssl: session.ssl, plainFallback: false }, 'cancel');
  return client;
}
