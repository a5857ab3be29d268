// Types for postgres.mjs (plain JavaScript so the benchmark can run it without a build).

export interface PostgresHandle {
  /** The temp directory holding certificates, the data directory, the socket and logs; removed by stop(). */
  dir: string;
  host: '127.0.0.1';
  port: number;
  /** A role that logs in with `password` over TCP (scram-sha-256) and owns `database`. */
  user: 'app';
  password: string;
  database: 'appdb';
  superuser: 'postgres';
  superuserPassword: string;
  /** The CA that signed the server's certificate (SAN DNS:localhost, IP:127.0.0.1). */
  caFile: string;
  /** A CA that signed nothing the server presents: verify-ca/verify-full against it must fail. */
  otherCaFile: string;
  /** Where the server's Unix socket lives (local connections are trusted). */
  socketDir: string;
  /** The PostgreSQL bin directory in use. */
  bin: string;
  /** The psql of that bin directory. */
  psql: string;
  serverLog: string;
  /** The last lines of the server log. */
  log(): string;
  /** `pg_ctl -m immediate stop`, then removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

/** The PostgreSQL bin directory that will be used ($PG_BIN or the newest /usr/lib/postgresql/N/bin), or null. */
export declare function postgresBinDir(): string | null;

/** Why a cluster cannot be started here, or null when it can. */
export declare function postgresUnavailableReason(): string | null;

export declare function startPostgres(): Promise<PostgresHandle>;
