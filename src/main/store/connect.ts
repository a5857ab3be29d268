// Reaching the team store: a libpq-style URL (postgresql://user@host:port/database?sslmode=verify-full&
// sslrootcert=ca.pem), connected with the PostgreSQL target's own TLS rules (targets/postgres/tls.ts:
// libpq's meaning of each sslmode, verify-full checking the chain and the host name). The password is
// never taken from a runbook and never recorded: it comes from the URL, $RUNBOOK_STORE_PASSWORD, or the
// secret store (the console's settings name the secret).
import type pg from 'pg';
import type { PostgresTarget } from '../../shared/targets.js';
import { PasswordSource, PasswordUnavailable } from '../targets/postgres/password.js';
import type { ExecutorContext } from '../targets/types.js';
import { connectWithPlan } from '../targets/postgres/session.js';
import { planTls } from '../targets/postgres/tls.js';

export const STORE_URL_ENV = 'RUNBOOK_STORE_URL';
export const STORE_PASSWORD_ENV = 'RUNBOOK_STORE_PASSWORD';

const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
/** The query parameters a store URL may carry; any other is refused rather than ignored. */
const KNOWN_PARAMS = new Set(['sslmode', 'sslrootcert', 'host', 'connect_timeout']);

export class StoreUrlError extends Error {}

export interface StoreEndpoint {
  target: PostgresTarget;
  /** A password written in the URL itself (discouraged: it shows in process lists), or null. */
  password: string | null;
  connectTimeoutMs: number;
  /** user@host:port/database (sslmode): what may be shown and recorded (never the password). */
  shown: string;
}

/** Reads a store URL; every problem is named (the URL itself is not echoed: it may hold a password). */
export function parseStoreUrl(text: string): StoreEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new StoreUrlError('the store URL is not a URL (expected postgresql://USER@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=CA.pem)');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') throw new StoreUrlError(`the store URL must start with postgresql:// (it starts with ${url.protocol}//)`);
  for (const key of url.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(key)) throw new StoreUrlError(`the store URL's parameter "${key}" is not one this tool reads (${[...KNOWN_PARAMS].join(', ')})`);
  }
  const sslmode = url.searchParams.get('sslmode') ?? 'verify-full';
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) throw new StoreUrlError(`the store URL's sslmode "${sslmode}" is not one of ${SSL_MODES.join(', ')}`);
  const socketHost = url.searchParams.get('host');
  const host = socketHost ?? decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (!host) throw new StoreUrlError('the store URL names no host');
  const port = url.port ? Number(url.port) : 5432;
  const user = decodeURIComponent(url.username);
  if (!user) throw new StoreUrlError('the store URL names no user (postgresql://USER@HOST/DATABASE)');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) throw new StoreUrlError('the store URL names no database (postgresql://USER@HOST/DATABASE)');
  const timeout = url.searchParams.get('connect_timeout');
  const connectTimeoutMs = timeout === null ? 10_000 : Number(timeout) * 1000;
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) throw new StoreUrlError(`the store URL's connect_timeout "${timeout}" is not a number of seconds`);
  const sslrootcert = url.searchParams.get('sslrootcert');
  const target: PostgresTarget = {
    kind: 'postgres',
    host,
    port,
    database,
    user,
    sslmode: sslmode as (typeof SSL_MODES)[number],
    passwordEnv: STORE_PASSWORD_ENV,
    ...(sslrootcert ? { sslrootcert } : {}),
  };
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { target, password: url.password ? decodeURIComponent(url.password) : null, connectTimeoutMs, shown: `${user}@${shownHost}:${port}/${database} (${socketHost ? 'socket' : sslmode})` };
}

export interface StoreConnectOptions {
  env?: Record<string, string | undefined>;
  /** The secret store's value for the store's password, when settings name one. */
  secret?: (name: string) => Promise<string | null>;
  passwordSecret?: string;
  /** pg's application_name suffix: what this connection is for ("shipping", "verify", …). */
  purpose: string;
  /** Relative sslrootcert paths are resolved against this directory (the current one by default). */
  baseDir?: string;
}

/** One connection to the store. Throws with the reason in words (TLS, login, reachability). */
export async function connectStore(endpoint: StoreEndpoint, options: StoreConnectOptions): Promise<pg.Client> {
  const env = options.env ?? process.env;
  const target: PostgresTarget = { ...endpoint.target, ...(options.passwordSecret ? { passwordSecret: options.passwordSecret } : {}) };
  const baseDir = options.baseDir ?? process.cwd();
  // Nobody is asked: shipping runs in the background, and a store that wants a password it was not given
  // says so plainly instead.
  const ctx: ExecutorContext = {
    baseDir,
    env: endpoint.password !== null ? { ...env, [STORE_PASSWORD_ENV]: endpoint.password } : env,
    ask: async () => null,
    confirm: async () => false,
    ...(options.secret ? { secret: options.secret } : {}),
  };
  const password = new PasswordSource('store', target, ctx);
  const tls = planTls(target, baseDir);
  const settings = { host: target.host, port: target.port ?? 5432, database: target.database, user: target.user, password, connectTimeoutMs: endpoint.connectTimeoutMs };
  try {
    const { client } = await connectWithPlan(settings, tls, `store ${options.purpose}`);
    return client;
  } catch (error) {
    if (error instanceof PasswordUnavailable) {
      throw new StoreUrlError(`the store ${endpoint.shown} asks for a password: set $${STORE_PASSWORD_ENV}${options.passwordSecret ? ` or save the secret "${options.passwordSecret}"` : ''}`);
    }
    throw error;
  }
}
