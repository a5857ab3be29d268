// Team store shipping throughput, against bare batched INSERTs on the same server in the same run:
//   shipping: StoreShipper (dist/main/store/ship.js) takes a run's records as its journal reports them durable
//             and ships them in batches through the store's schema (the trigger parses each line, checks its
//             sequence and previous hash, computes its hash), over a verify-full TLS connection as a member of
//             the writer role;
//   baseline: the same lines, the same batches, the same statement shape and connection, into a plain table
//             with a primary key and nothing else.
// And a file (a step's output, 20 MiB by default) shipped in 1 MiB parts through blob_parts (shipBlob: read
// from disk a part at a time, each checked by the trigger), against the same parts INSERTed into a plain table.
// Needs Debian's PostgreSQL binaries (bench/support/postgres.mjs); skips with the reason otherwise.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { JournalWriter } from '../dist/main/audit/journal-writer.js';
import { connectStore } from '../dist/main/store/connect.js';
import { BATCH_RECORDS } from '../dist/main/store/records.js';
import { initStore } from '../dist/main/store/schema.js';
import { StoreShipper } from '../dist/main/store/ship.js';
import { BLOB_PART_BYTES, shipBlob } from '../dist/main/store/blobs.js';
import { parseStoreUrl } from '../dist/main/store/url.js';
import { MemoryKeys, benchRunStarted } from './support/large-run.mjs';
import { loadInstallation } from '../dist/main/audit/installation.js';
import { postgresUnavailableReason, startPostgres } from './support/postgres.mjs';

const PASSWORD = 'bench-writer-password';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const note = (i) => ({ step: { id: `section/step-${i}` }, text: `note ${i}: ${'a journal record of a few hundred bytes, as a step.finished is. '.repeat(4)}`, by: 'bench' });

/** A journal of `records` records, written without fsync (the journal is not what is measured); its lines. */
async function journal(dir, runId, records) {
  const noSync = { writeSync: (f, b, o, l) => writeSync(f, b, o, l), fsyncSync: () => undefined };
  const keys = new MemoryKeys();
  const lines = [];
  const { writer, macKeyCommitment } = JournalWriter.create(dir, runId, { keys, io: noSync, onDurable: (rs) => lines.push(...rs) });
  const installation = await loadInstallation(path.join(dir, '..', 'keys', 'installation_ed25519'));
  writer.append('run.started', benchRunStarted(dir, { path: 'bench.md', title: 'Store bench', text: '# Store bench\n' }, macKeyCommitment, installation));
  for (let i = 1; i < records; i++) writer.append('step.note', note(i));
  writer.close();
  return lines;
}

export async function storeBench(options = {}) {
  const records = options.records ?? 10_000;
  const fileBytes = options.fileBytes ?? 20 * 1024 * 1024;
  const runs = options.runs ?? 3;
  const reason = postgresUnavailableReason();
  if (reason) return { name: 'store', skipped: true, reason };
  const server = await startPostgres();
  const root = mkdtempSync(path.join(tmpdir(), 'bench-store-'));
  const admin = new pg.Client({ host: server.host, port: server.port, user: server.superuser, password: server.superuserPassword, database: server.database, ssl: { rejectUnauthorized: false } });
  const clients = [];
  try {
    await admin.connect();
    await initStore(admin);
    await admin.query(`CREATE ROLE bench LOGIN PASSWORD ${admin.escapeLiteral(PASSWORD)} IN ROLE runbook_writer`);
    await admin.query('CREATE TABLE public.plain (run_id text, seq bigint, line text, PRIMARY KEY (run_id, seq))');
    await admin.query('GRANT INSERT ON public.plain TO bench');
    await admin.query('CREATE TABLE public.plain_parts (run_id text, sha256 text, part integer, bytes bytea, PRIMARY KEY (run_id, sha256, part))');
    await admin.query('GRANT INSERT ON public.plain_parts TO bench');
    const endpoint = parseStoreUrl(`postgresql://bench@127.0.0.1:${server.port}/${server.database}?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile)}`);
    const connect = async () => {
      const client = await connectStore(endpoint, { purpose: 'bench', env: { RUNBOOK_STORE_PASSWORD: PASSWORD } });
      clients.push(client);
      return client;
    };
    const plain = await connect();
    const ship = [];
    const bare = [];
    for (let r = 0; r < runs; r++) {
      const runId = `bench-store-${String(r).padStart(4, '0')}`;
      const dir = path.join(root, runId);
      const lines = await journal(dir, runId, records);
      // Shipping: every record handed over as durable, then wait for the store to hold them all.
      const shipper = new StoreShipper(runId, dir, { connect });
      let t0 = performance.now();
      shipper.durable(lines);
      const status = await shipper.flush(120_000);
      ship.push(performance.now() - t0);
      await shipper.close(1000);
      if (status.lag !== 0) throw new Error(`the store bench shipped ${status.shipped} of ${status.local} records: ${status.problem ?? status.diverged}`);
      // Baseline: the same batches into a plain table.
      t0 = performance.now();
      for (let from = 0; from < lines.length; from += BATCH_RECORDS) {
        const batch = lines.slice(from, from + BATCH_RECORDS);
        await plain.query('INSERT INTO public.plain (run_id, seq, line) SELECT $1, u.seq, u.line FROM unnest($2::bigint[], $3::text[]) AS u(seq, line)', [runId, batch.map((x) => x.seq), batch.map((x) => x.line)]);
      }
      bare.push(performance.now() - t0);
    }
    // A file: the last run's, shipped whole through blob_parts, against the same parts into a plain table.
    const fileShip = [];
    const fileBare = [];
    for (let r = 0; r < runs; r++) {
      const runId = `bench-store-${String(r).padStart(4, '0')}`;
      const dir = path.join(root, runId);
      const bytes = randomBytes(fileBytes);
      const sha = createHash('sha256').update(bytes).digest('hex');
      mkdirSync(path.join(dir, 'blobs'), { recursive: true });
      writeFileSync(path.join(dir, 'blobs', sha), bytes);
      let t0 = performance.now();
      while (!(await shipBlob(plain, runId, dir, sha, 16))) {}
      fileShip.push(performance.now() - t0);
      t0 = performance.now();
      for (let part = 0; part * BLOB_PART_BYTES < fileBytes; part++) {
        await plain.query('INSERT INTO public.plain_parts (run_id, sha256, part, bytes) VALUES ($1, $2, $3, $4)', [runId, sha, part, bytes.subarray(part * BLOB_PART_BYTES, (part + 1) * BLOB_PART_BYTES)]);
      }
      fileBare.push(performance.now() - t0);
    }
    const shipMs = median(ship);
    const bareMs = median(bare);
    const fileShipMs = median(fileShip);
    const fileBareMs = median(fileBare);
    return {
      name: 'store',
      records,
      runs,
      batch: BATCH_RECORDS,
      shipMs,
      bareMs,
      shipPerSecond: records / (shipMs / 1000),
      barePerSecond: records / (bareMs / 1000),
      ratio: shipMs / bareMs,
      fileBytes,
      fileShipMs,
      fileBareMs,
      fileRatio: fileShipMs / fileBareMs,
    };
  } finally {
    await Promise.allSettled(clients.map((c) => c.end()));
    await admin.end().catch(() => undefined);
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export function printStore(r) {
  if (r.skipped) {
    console.log(`store: skipped: ${r.reason}`);
    return;
  }
  console.log(`store: ${r.records} journal records per run, median of ${r.runs}, batches of ${r.batch}, verify-full TLS, PostgreSQL on 127.0.0.1`);
  console.log(`  shipping (schema checks each record)   median ${r.shipMs.toFixed(0)} ms  (${r.shipPerSecond.toFixed(0)} records/s)`);
  console.log(`  bare batched INSERTs, plain table      median ${r.bareMs.toFixed(0)} ms  (${r.barePerSecond.toFixed(0)} records/s)`);
  console.log(`  ratio: ${r.ratio.toFixed(2)}× the bare INSERTs' time (no goal set: reported)`);
  const mib = (ms) => (r.fileBytes / 1024 / 1024 / (ms / 1000)).toFixed(0);
  console.log(`store: a ${(r.fileBytes / 1024 / 1024).toFixed(0)} MiB file in 1 MiB parts, median of ${r.runs}`);
  console.log(`  shipping (read from disk, blob_parts)   median ${r.fileShipMs.toFixed(0)} ms  (${mib(r.fileShipMs)} MiB/s)`);
  console.log(`  bare INSERTs of the same parts           median ${r.fileBareMs.toFixed(0)} ms  (${mib(r.fileBareMs)} MiB/s)`);
  console.log(`  ratio: ${r.fileRatio.toFixed(2)}× the bare INSERTs' time (no goal set: reported)`);
}
