// A PostgreSQL target's address as shown to the operator, in results, preflight and connection errors:
// "user@host:port/database (sslmode)", an IPv6 host in brackets, a Unix-socket host marked "socket".
import type { PostgresTarget } from '../../../shared/targets.js';
import type { SessionFacts } from './session.js';
import { isSocketHost } from './tls.js';

/** The port a target without one connects to. */
export const DEFAULT_PORT = 5432;

/** "host:port", an IPv6 address (not already bracketed) in brackets: "[::1]:5432". */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The sslmode as shown: Unix sockets carry no TLS, whatever sslmode says. */
export function shownSslMode(config: Pick<PostgresTarget, 'host' | 'sslmode'>): string {
  return isSocketHost(config.host) ? 'socket' : (config.sslmode ?? 'prefer');
}

/** "user@host:port/database (sslmode)", e.g. "app@127.0.0.1:5432/appdb (verify-full)". */
export function postgresEndpoint(config: Pick<PostgresTarget, 'host' | 'port' | 'user' | 'database' | 'sslmode'>): string {
  return `${config.user}@${hostPort(config.host, config.port ?? DEFAULT_PORT)}/${config.database} (${shownSslMode(config)})`;
}

/** The TLS a session uses as shown, per pg_stat_ssl: "TLSv1.3 TLS_AES_256_GCM_SHA384", or "none". */
export function shownTls(tls: SessionFacts['tls']): string {
  return tls.used ? `${tls.version ?? 'TLS'}${tls.cipher ? ` ${tls.cipher}` : ''}` : 'none';
}
