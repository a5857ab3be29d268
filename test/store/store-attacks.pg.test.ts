// Attacks on the team store (from an independent review), each with what must hold: another writer cannot
// add to someone else's run; a record the store refuses for good stops shipping with a reason instead of
// spinning; a store that stops answering (no RST) does not hold the command at exit; one writer's malformed
// record does not break `store runs`; text valid in JSON but not in jsonb (a NUL) is stored.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '../../src/main/audit/canonical.js';
import { JournalWriter } from '../../src/main/audit/journal-writer.js';
import { recordMac } from '../../src/main/audit/mac-chain.js';
import { type JournalRecord, sha256Hex } from '../../src/main/audit/record.js';
import { connectStore } from '../../src/main/store/connect.js';
import { parseStoreUrl } from '../../src/main/store/url.js';
import { STORE_SCHEMA } from '../../src/main/store/schema.js';
import { StoreShipper, journalLines, pushRun } from '../../src/main/store/ship.js';
import { compareWithStore, storedRunSummaries, verifyStoredRun } from '../../src/main/store/verify-store.js';
import { type PostgresHandle, postgresAvailable } from '../infra/postgres.js';
import { startStoreServer } from './store-server.js';
import { tempRun, writeJournal } from '../audit/journal-support.js';
import { noteData, runStartedData } from '../audit/record-fixtures.js';

const available = postgresAvailable('team store review');
let server: PostgresHandle;
let admin: pg.Client;

const login = (user: string, port = server.port) =>
  connectStore(parseStoreUrl(`postgresql://${user}@127.0.0.1:${port}/appdb?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile)}`), { purpose: 'review', env: { RUNBOOK_STORE_PASSWORD: `${user}-pw` } });

beforeAll(async () => {
  if (!available) return;
  ({ server, admin } = await startStoreServer(['alice', 'mallory']));
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

/** The record an outsider appends after `last`: well-formed, chained to the stored hash, MAC made with a key they invent. */
function forgedAfter(last: string, text: string): string {
  const previous = JSON.parse(last) as JournalRecord;
  const unsigned = { ...previous, seq: previous.seq + 1, type: 'step.note', time: new Date().toISOString(), data: noteData(text), prev: sha256Hex(last) } as Record<string, unknown>;
  delete unsigned.mac;
  return canonicalize({ ...unsigned, mac: recordMac(randomBytes(32), canonicalize(unsigned)) });
}

describe.skipIf(!available)('attacks on the team store', () => {
  it("another writer-role login cannot add records to alice's run (it would hide her tail and frame her copy)", async () => {
    const { dir } = writeJournal(5, 'run-hijack-000001');
    const alice = await login('alice');
    const mallory = await login('mallory');
    try {
      await pushRun(alice, dir);
      const lines = journalLines(dir);
      const forged = forgedAfter(lines.at(-1) as string, 'alice dropped the production table');
      const record = JSON.parse(forged) as JournalRecord;
      const appended = await mallory
        .query(`INSERT INTO ${STORE_SCHEMA}.records (run_id, seq, line, prev, type) VALUES ($1, $2, $3, $4, $5)`, [record.run, record.seq, forged, record.prev, record.type])
        .then(() => 'accepted', (e: Error) => `refused: ${e.message}`);
      // What the forgery achieves when accepted: the store's own check passes it, alice's honest copy fails.
      const stored = await verifyStoredRun(admin, 'run-hijack-000001');
      const hers = await compareWithStore(admin, dir, 'run-hijack-000001');
      expect(appended).toMatch(/^refused: record 5 of run run-hijack-000001: the run is shipped by alice, not by mallory/);
      expect(stored.result.ok).toBe(true);
      expect(hers.ok).toBe(true);
    } finally {
      await alice.end();
      await mallory.end();
    }
  });

  it('a shipper whose store stops answering (packets dropped, no RST) still closes within its timeout', async () => {
    const proxy = await startProxy(server.port);
    const { dir, keys } = tempRun();
    const shipper = new StoreShipper('run-blackhole-001', dir, { connect: () => login('alice', proxy.port), retryMs: [20] });
    const { writer: journal, macKeyCommitment } = JournalWriter.create(dir, 'run-blackhole-001', { keys, onDurable: (r) => shipper.durable(r) });
    try {
      journal.append('run.started', runStartedData(dir, macKeyCommitment));
      expect((await shipper.flush(10_000)).lag).toBe(0);
      proxy.freeze();
      journal.append('step.note', noteData('after the network went quiet'));
      const started = Date.now();
      const closed = await Promise.race([shipper.close(500).then(() => 'closed'), new Promise((r) => setTimeout(() => r('still waiting'), 8_000))]);
      expect(`${closed} after ${Date.now() - started} ms`).toMatch(/^closed/);
    } finally {
      journal.close();
      proxy.close();
    }
  }, 20_000);

  it('a NUL in a record (valid JSON, not valid jsonb) is stored like any other', async () => {
    const { dir, keys } = tempRun();
    const shipper = new StoreShipper('run-nul-000000001', dir, { connect: () => login('alice'), retryMs: [50] });
    const { writer: journal, macKeyCommitment } = JournalWriter.create(dir, 'run-nul-000000001', { keys, onDurable: (r) => shipper.durable(r) });
    try {
      journal.append('run.started', runStartedData(dir, macKeyCommitment));
      journal.append('step.note', noteData('typed at the prompt: a\u0000b'));
      expect(await shipper.flush(10_000)).toMatchObject({ lag: 0, problem: null, diverged: null });
    } finally {
      journal.close();
      await shipper.close(100);
    }
  });

  it('a record the store refuses for good stops shipping with the reason, without spinning', async () => {
    const { dir, keys } = tempRun();
    let queries = 0;
    const shipper = new StoreShipper('run-refused-00001', dir, {
      connect: async () => {
        const client = await login('alice');
        const query = client.query.bind(client) as (...a: unknown[]) => unknown;
        (client as unknown as { query: unknown }).query = (...a: unknown[]) => ((queries += 1), query(...a));
        return client;
      },
      retryMs: [200],
    });
    const { writer: journal, macKeyCommitment } = JournalWriter.create(dir, 'run-refused-00001', { keys, onDurable: (r) => shipper.durable(r) });
    try {
      // Its first record taken by someone else: everything alice ships for it is refused, for good.
      const mallory = await login('mallory');
      journal.append('run.started', runStartedData(dir, macKeyCommitment));
      const first = journalLines(dir)[0] as string;
      await mallory.query(`INSERT INTO ${STORE_SCHEMA}.records (run_id, seq, line, prev, type) VALUES ($1, 0, $2, $3, 'run.started')`, ['run-refused-00001', first, '0'.repeat(64)]).finally(() => mallory.end());
      journal.append('step.note', noteData('one'));
      const status = await shipper.flush(1_000);
      expect(queries).toBeLessThan(20);
      expect(status.diverged).toMatch(/shipped by mallory, not by alice/);
    } finally {
      journal.close();
      await shipper.close(100);
    }
  });

  it("one writer's malformed checkpoint does not break `store runs` for everyone", async () => {
    const mallory = await login('mallory');
    try {
      const Z = '0'.repeat(64);
      const start = `{"data":{},"prev":"${Z}","run":"run-junk-0000001","seq":0,"time":"2024-01-01T00:00:00Z","type":"run.started"}`;
      await mallory.query(`INSERT INTO ${STORE_SCHEMA}.records (run_id, seq, line, prev, type) VALUES ('run-junk-0000001', 0, $1, $2, 'run.started')`, [start, Z]);
      const seal = `{"data":{"size":"many"},"prev":"${sha256Hex(start)}","run":"run-junk-0000001","seq":1,"time":"2024-01-01T00:00:00Z","type":"checkpoint"}`;
      await mallory.query(`INSERT INTO ${STORE_SCHEMA}.records (run_id, seq, line, prev, type) VALUES ('run-junk-0000001', 1, $1, $2, 'checkpoint')`, [seal, sha256Hex(start)]);
      const listed = await storedRunSummaries(admin).then((runs) => runs.find((r) => r.runId === 'run-junk-0000001'), (e: Error) => `failed: ${e.message}`);
      expect(listed).toMatchObject({ runId: 'run-junk-0000001', sealedSize: null });
      // A time that is not an RFC 3339 UTC time is refused (it could not be read back as one).
      const badTime = start.replace('run-junk-0000001', 'run-junk-0000002').replace('2024-01-01T00:00:00Z', 'now');
      await expect(mallory.query(`INSERT INTO ${STORE_SCHEMA}.records (run_id, seq, line, prev, type) VALUES ('run-junk-0000002', 0, $1, $2, 'run.started')`, [badTime, Z])).rejects.toThrow(/time/);
    } finally {
      await mallory.end();
    }
  });
});

/** A TCP proxy that can go quiet: bytes stop flowing both ways, but no connection is closed. */
async function startProxy(target: number): Promise<{ port: number; freeze(): void; close(): void }> {
  const sockets = new Set<net.Socket>();
  let frozen = false;
  const srv = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
    }
    client.on('data', (d) => frozen || upstream.write(d));
    upstream.on('data', (d) => frozen || client.write(d));
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    port: (srv.address() as net.AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}
