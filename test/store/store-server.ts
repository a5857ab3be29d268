// A real PostgreSQL with the team store's schema initialised, and writer-role logins (each with the
// password "<name>-pw"), for the store's tests; `admin` is the superuser's connection.
import pg from 'pg';
import { initStore } from '../../src/main/store/schema.js';
import { type PostgresHandle, startPostgres } from '../infra/postgres.js';

export interface StoreServer {
  server: PostgresHandle;
  admin: pg.Client;
}

export async function startStoreServer(writers: readonly string[]): Promise<StoreServer> {
  const server = await startPostgres();
  const admin = new pg.Client({ host: server.host, port: server.port, user: server.superuser, password: server.superuserPassword, database: 'appdb', ssl: { rejectUnauthorized: false } });
  await admin.connect();
  await initStore(admin);
  for (const who of writers) await admin.query(`CREATE ROLE ${admin.escapeIdentifier(who)} LOGIN PASSWORD ${admin.escapeLiteral(`${who}-pw`)} IN ROLE runbook_writer`);
  return { server, admin };
}
