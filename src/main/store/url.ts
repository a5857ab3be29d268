// A team store's address: a libpq-style URL (postgresql://user@host:port/database?sslmode=verify-full&
// sslrootcert=ca.pem), read without loading a PostgreSQL client, so a run checks it before it starts.
import type { PostgresTarget } from '../../shared/targets.js';

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
