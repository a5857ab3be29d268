// Reaching the team store: a libpq-style URL (postgresql://user@host:port/database?sslmode=verify-full&
// sslrootcert=ca.pem), connected with the PostgreSQL target's own TLS rules (targets/postgres/tls.ts:
// libpq's meaning of each sslmode, verify-full checking the chain and the host name). The password is
// never taken from a runbook and never recorded: it comes from the URL, $RUNBOOK_STORE_PASSWORD, or a named
// secret the host looks up (passwordSecret).
import type pg from 'pg';
import type { PostgresTarget } from '../../shared/targets.js';
import { PasswordSource, PasswordUnavailable } from '../targets/postgres/password.js';
import type { ExecutorContext } from '../targets/types.js';
import { connectWithPlan } from '../targets/postgres/session.js';
import { planTls } from '../targets/postgres/tls.js';
import { STORE_PASSWORD_ENV, type StoreEndpoint, StoreUrlError } from './url.js';

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

/** The store could not be reached (as opposed to a failure of what was done once connected). */
export class StoreUnreachable extends Error {}

/** One connection to the store for `use`, closed after it whatever happens; a failed connect is StoreUnreachable. */
export async function withStoreConnection<T>(endpoint: StoreEndpoint, options: StoreConnectOptions, use: (client: pg.Client) => Promise<T>): Promise<T> {
  let client: pg.Client;
  try {
    client = await connectStore(endpoint, options);
  } catch (error) {
    throw new StoreUnreachable(`the store ${endpoint.shown} cannot be reached: ${(error as Error).message}`);
  }
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Cuts a connection at once: its query in flight fails (a store that stops answering holds nobody). */
export function cutConnection(client: pg.Client | null, why = 'closed'): void {
  (client as unknown as { connection?: { stream?: { destroy(error?: Error): void } } } | null)?.connection?.stream?.destroy(new Error(why));
}
