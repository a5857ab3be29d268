// The team store against a real PostgreSQL (Debian's binaries, TLS from a throwaway CA): `init` makes the
// schema and a writer role that may only INSERT and SELECT; the database itself refuses a record out of
// sequence, one that does not follow the stored one, and any change or removal; a run ships whole and
// a rewritten local journal is found; a store outage mid-run loses nothing and the backlog follows.
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalWriter } from '../../src/main/audit/journal-writer.js';
import { JOURNAL_FILE } from '../../src/main/audit/record.js';
import { connectStore } from '../../src/main/store/connect.js';
import { parseStoreUrl } from '../../src/main/store/url.js';
import { StoreRefusal, insertRecords, storedCount, storedRecords } from '../../src/main/store/records.js';
import { MIGRATIONS, STORE_SCHEMA, initStore, storeVersion } from '../../src/main/store/schema.js';
import { StoreDiverged, StoreShipper, journalLines, pushRun } from '../../src/main/store/ship.js';
import { verifyStoredRun } from '../../src/main/store/verify-store.js';
import { type PostgresHandle, postgresAvailable, startPostgres } from '../infra/postgres.js';
import { RUN_ID, forge, parseLines, tempRun, writeJournal } from '../audit/journal-support.js';
import { noteData, runStartedData } from '../audit/record-fixtures.js';

const available = postgresAvailable('team store tests');
const WRITER_PASSWORD = 'writer-pw-0123456789';

let server: PostgresHandle;
let admin: pg.Client;

const adminClient = async (database = 'appdb') => {
  const client = new pg.Client({ host: server.host, port: server.port, user: server.superuser, password: server.superuserPassword, database, ssl: { rejectUnauthorized: false } });
  await client.connect();
  return client;
};

/** The writer's URL: verify-full against the test CA, the password from the environment. */
const writerUrl = (port = server.port) => `postgresql://alice@127.0.0.1:${port}/appdb?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile)}`;
const writer = (port?: number) => connectStore(parseStoreUrl(writerUrl(port)), { purpose: 'test', env: { RUNBOOK_STORE_PASSWORD: WRITER_PASSWORD } });

beforeAll(async () => {
  if (!available) return;
  server = await startPostgres();
  admin = await adminClient();
  await admin.query(`CREATE ROLE alice LOGIN PASSWORD ${admin.escapeLiteral(WRITER_PASSWORD)}`);
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

describe.skipIf(!available)('the team store in PostgreSQL', () => {
  it('init makes the schema and a writer role with INSERT and SELECT only, and says so; a second init adds nothing', async () => {
    expect(await storeVersion(admin)).toBeNull();
    const first = await initStore(admin);
    expect(first.applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(first.role).toBe('runbook_writer');
    expect(first.grants).toEqual([
      'INSERT on runbook_store.approval_answers',
      'SELECT on runbook_store.approval_answers',
      'INSERT on runbook_store.approval_requests',
      'SELECT on runbook_store.approval_requests',
      'INSERT on runbook_store.blob_parts',
      'SELECT on runbook_store.blob_parts',
      'SELECT on runbook_store.migrations',
      'SELECT on runbook_store.people',
      'INSERT on runbook_store.records',
      'SELECT on runbook_store.records',
    ]);
    const again = await initStore(admin);
    expect(again.applied).toEqual([]);
    expect(again.grants).toEqual(first.grants);
    expect(await storeVersion(admin)).toBe(MIGRATIONS.at(-1)?.version);
    await admin.query('GRANT runbook_writer TO alice');
    await expect(initStore(admin, { role: 'Robert"; DROP TABLE x; --' })).rejects.toThrow(/a role name here is lower-case letters/);
  });

  it('a run ships whole over verify-full TLS, and again ships nothing; the store computed each hash itself', async () => {
    const { dir } = writeJournal(6);
    const client = await writer();
    try {
      const pushed = await pushRun(client, dir);
      expect(pushed).toEqual({ runId: RUN_ID, already: 0, shipped: 6, total: 6, blobs: 1 });
      expect(await pushRun(client, dir)).toEqual({ runId: RUN_ID, already: 6, shipped: 0, total: 6, blobs: 1 });
      const stored = await storedRecords(client, RUN_ID);
      expect(stored.map((r) => r.line)).toEqual(journalLines(dir));
      const { rows } = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows[0]?.ssl).toBe(true);
      const shipped = await client.query<{ shipped_by: string }>(`SELECT DISTINCT shipped_by FROM ${STORE_SCHEMA}.records WHERE run_id = $1`, [RUN_ID]);
      expect(shipped.rows).toEqual([{ shipped_by: 'alice' }]);
    } finally {
      await client.end();
    }
  });

  it('the writer can neither UPDATE, DELETE nor TRUNCATE anything in the schema; the owner is refused too', async () => {
    const client = await writer();
    try {
      for (const sql of [
        `UPDATE ${STORE_SCHEMA}.records SET line = line WHERE run_id = ${client.escapeLiteral(RUN_ID)}`,
        `DELETE FROM ${STORE_SCHEMA}.records WHERE run_id = ${client.escapeLiteral(RUN_ID)}`,
        `TRUNCATE ${STORE_SCHEMA}.records`,
        `UPDATE ${STORE_SCHEMA}.migrations SET description = 'x'`,
        `DELETE FROM ${STORE_SCHEMA}.migrations`,
        `TRUNCATE ${STORE_SCHEMA}.migrations`,
        `UPDATE ${STORE_SCHEMA}.approval_requests SET wait_seconds = 86400`,
        `DELETE FROM ${STORE_SCHEMA}.approval_requests`,
        `TRUNCATE ${STORE_SCHEMA}.approval_requests`,
        `UPDATE ${STORE_SCHEMA}.approval_answers SET approver = 'x'`,
        `INSERT INTO ${STORE_SCHEMA}.people (login, person) VALUES (current_user, 'bob')`,
        `UPDATE ${STORE_SCHEMA}.people SET person = 'bob'`,
        `DELETE FROM ${STORE_SCHEMA}.approval_answers`,
        `TRUNCATE ${STORE_SCHEMA}.approval_answers`,
        `INSERT INTO ${STORE_SCHEMA}.migrations (version, description) VALUES (99, 'x')`,
        `DROP TABLE ${STORE_SCHEMA}.records`,
        `ALTER TABLE ${STORE_SCHEMA}.records DISABLE TRIGGER records_never_change`,
        `CREATE TABLE ${STORE_SCHEMA}.mine (x int)`,
      ]) {
        await expect(client.query(sql), sql).rejects.toMatchObject({ code: expect.stringMatching(/^42501$|^42809$/) });
      }
      expect(await storedCount(client, RUN_ID)).toBe(6);
    } finally {
      await client.end();
    }
    // Even the owner (here the superuser) goes through the triggers.
    await expect(admin.query(`UPDATE ${STORE_SCHEMA}.records SET line = line WHERE run_id = $1`, [RUN_ID])).rejects.toThrow(/never changed or removed \(UPDATE refused\)/);
    await expect(admin.query(`DELETE FROM ${STORE_SCHEMA}.records WHERE run_id = $1`, [RUN_ID])).rejects.toThrow(/never changed or removed \(DELETE refused\)/);
    await expect(admin.query(`TRUNCATE ${STORE_SCHEMA}.records CASCADE`)).rejects.toThrow(/never changed or removed \(TRUNCATE refused\)/);
    for (const table of ['approval_requests', 'approval_answers']) {
      await expect(admin.query(`DELETE FROM ${STORE_SCHEMA}.${table}`)).resolves.toBeDefined(); // no rows here: the row trigger has nothing to refuse
      await expect(admin.query(`TRUNCATE ${STORE_SCHEMA}.${table} CASCADE`)).rejects.toThrow(/never changed or removed \(TRUNCATE refused\)/);
    }
  });

  it('the database refuses a record out of sequence, one that does not follow the stored one, and one whose columns lie', async () => {
    const { dir } = writeJournal(4, 'run-refusals-0001');
    const lines = journalLines(dir);
    const client = await writer();
    try {
      // Record 2 before record 1.
      await insertRecords(client, 'run-refusals-0001', [{ seq: 0, line: lines[0] as string }]);
      await expect(insertRecords(client, 'run-refusals-0001', [{ seq: 2, line: lines[2] as string }])).rejects.toMatchObject({ code: 'out-of-sequence' });
      // Record 1 of another chain (a fork): its prev is not the stored record 0's hash.
      const other = journalLines(writeJournal(4, 'run-refusals-0001').dir);
      await expect(insertRecords(client, 'run-refusals-0001', [{ seq: 1, line: other[1] as string }])).rejects.toMatchObject({ code: 'wrong-prev' });
      // A row whose seq column is not its line's.
      await expect(client.query(`INSERT INTO ${STORE_SCHEMA}.records (run_id, seq, line, prev, type) VALUES ($1, 5, $2, $3, 'step.note')`, ['run-refusals-0001', lines[1], JSON.parse(lines[1] as string).prev])).rejects.toThrow(/its columns do not match its line/);
      // Record 0 that is not a run.started.
      const notStart = (lines[1] as string).replace('"run":"run-refusals-0001"', '"run":"run-refusals-0002"').replace('"seq":1,', '"seq":0,');
      const refused = await insertRecords(client, 'run-refusals-0002', [{ seq: 0, line: notStart }]).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(StoreRefusal);
      expect((refused as Error).message).toMatch(/record 0 of run run-refusals-0002 must be its run.started/);
      // A hash sent by the client is overwritten by the database's own.
      await client.query(`INSERT INTO ${STORE_SCHEMA}.records (run_id, seq, line, prev, type, hash) VALUES ($1, 1, $2, $3, 'step.note', 'forged')`, ['run-refusals-0001', lines[1], JSON.parse(lines[1] as string).prev]);
      const stored = await storedRecords(client, 'run-refusals-0001');
      expect(stored[1]?.hash).not.toBe('forged');
      expect(stored[1]?.hash).toMatch(/^[0-9a-f]{64}$/);
      // The positive control: the right next record is taken.
      await insertRecords(client, 'run-refusals-0001', [{ seq: 2, line: lines[2] as string }, { seq: 3, line: lines[3] as string }]);
      expect(await storedCount(client, 'run-refusals-0001')).toBe(4);
    } finally {
      await client.end();
    }
  });

  it('a local journal rewritten after shipping is found, naming the first record that differs', async () => {
    const { dir, k0 } = writeJournal(5, 'run-rewritten-01');
    const client = await writer();
    try {
      await pushRun(client, dir);
      const records = parseLines(readFileSync(path.join(dir, JOURNAL_FILE)));
      (records[3] as unknown as { data: { text: string } }).data.text = 'nothing happened here';
      writeFileSync(path.join(dir, JOURNAL_FILE), forge(records, k0));
      const error = await pushRun(client, dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreDiverged);
      expect((error as StoreDiverged).seq).toBe(3);
    } finally {
      await client.end();
    }
  });

  it('a store outage mid-run loses nothing: the run goes on, the lag shows it, the backlog follows when the store is back', async () => {
    const proxy = await startProxy(server.port);
    const { dir, keys } = tempRun();
    const runId = 'run-outage-00001';
    const changes: string[] = [];
    const shipper = new StoreShipper(runId, dir, {
      connect: () => writer(proxy.port),
      retryMs: [20, 40, 80],
      onChange: (s) => changes.push(s.problem === null ? 'ok' : 'problem'),
    });
    const { writer: journal, macKeyCommitment } = JournalWriter.create(dir, runId, { keys, onDurable: (records) => shipper.durable(records) });
    try {
      journal.append('run.started', runStartedData(dir, macKeyCommitment));
      for (let i = 0; i < 5; i++) journal.append('step.note', noteData(`before ${i}`));
      expect((await shipper.flush(10_000)).lag).toBe(0);
      proxy.down();
      for (let i = 0; i < 20; i++) journal.append('step.note', noteData(`during ${i}`));
      journal.together(() => {
        for (let i = 0; i < 5; i++) journal.append('step.note', noteData(`grouped ${i}`));
      });
      const during = await shipper.flush(300);
      expect(during.lag).toBe(25);
      expect(during.problem).toMatch(/cannot be reached/);
      proxy.up();
      const after = await shipper.flush(10_000);
      expect(after).toMatchObject({ local: 31, shipped: 31, lag: 0, problem: null, diverged: null });
      const client = await writer();
      try {
        expect((await storedRecords(client, runId)).map((r) => r.line)).toEqual(journalLines(dir));
      } finally {
        await client.end();
      }
      expect(changes).toContain('problem');
      expect(changes.at(-1)).toBe('ok');
    } finally {
      journal.close();
      await shipper.close(1000);
      await proxy.close();
    }
  });
});

describe.skipIf(!available)('twenty runs shipping at once', () => {
  it('each run arrives whole and in order, none mixed with another, and each verifies as stored', async () => {
    const runs = Array.from({ length: 20 }, (_, i) => {
      const { dir, keys } = tempRun();
      const runId = `run-concurrent-${String(i).padStart(2, '0')}`;
      const shipper = new StoreShipper(runId, dir, { connect: () => writer(), retryMs: [20, 50] });
      const { writer: journal, macKeyCommitment } = JournalWriter.create(dir, runId, { keys, onDurable: (records) => shipper.durable(records) });
      journal.append('run.started', runStartedData(dir, macKeyCommitment));
      return { dir, runId, shipper, journal };
    });
    try {
      // Interleaved: every run appends a record in turn, while all twenty ship in the background.
      for (let n = 0; n < 30; n++) {
        for (const r of runs) r.journal.append('step.note', noteData(`${r.runId} note ${n}`));
        if (n % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
      }
      const statuses = await Promise.all(runs.map((r) => r.shipper.flush(30_000)));
      expect(statuses.map((s) => s.lag)).toEqual(runs.map(() => 0));
      const client = await writer();
      try {
        for (const r of runs) {
          const stored = await storedRecords(client, r.runId);
          expect(stored.map((x) => x.line)).toEqual(journalLines(r.dir));
          expect(stored.every((x) => x.line.includes(`"run":"${r.runId}"`))).toBe(true);
          const checked = await verifyStoredRun(client, r.runId);
          expect(checked.result.ok, JSON.stringify(checked.result)).toBe(true);
        }
      } finally {
        await client.end();
      }
    } finally {
      for (const r of runs) r.journal.close();
      await Promise.all(runs.map((r) => r.shipper.close(1000)));
    }
  }, 60_000);
});

/** A TCP proxy to the server that can be taken down (every connection cut, new ones refused) and up again. */
async function startProxy(target: number): Promise<{ port: number; down(): void; up(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let accepting = true;
  const server = net.createServer((client) => {
    if (!accepting) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    down: () => {
      accepting = false;
      for (const s of sockets) s.destroy();
    },
    up: () => {
      accepting = true;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
