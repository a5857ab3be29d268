// The store as the witness. `compareWithStore` holds a run directory or bundle up against the store's copy of
// the run: the first record where they differ (a rewritten or re-sealed record, a tail one side lacks) fails
// it. `verifyStoredRun` checks a run as the store keeps it: each line against the hash the database computed
// when it arrived (an administrator's direct edit), then the whole journal through the same verifier as a run
// directory — chain, canonical form, seals and their signatures, approvals, sign-offs — the files the
// records name (runbook copy, outputs) excepted, which the store does not keep.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type { Finding, FailureCode } from '../audit/reasons.js';
import { BLOB_DIR, JOURNAL_FILE } from '../audit/record.js';
import { BlobMissing, blobsNamed, copyStoredBlob, uniqueBlobs } from './blobs.js';
import { type VerifyOptions, type VerifyResult, verifyRun } from '../audit/verify.js';
import { firstDifference, storedRecords } from './records.js';
import { STORE_SCHEMA } from './schema.js';
import { journalLines } from './ship.js';

const failed = (code: FailureCode, detail: string, record?: number): { ok: false; failure: Finding<FailureCode> } => ({
  ok: false,
  failure: { code, detail, record: record ?? null, line: record === undefined ? null : record + 1 },
});

export type StoreComparison = { ok: true; records: number } | { ok: false; failure: Finding<FailureCode> };

/** The local journal (a run directory's or a bundle's) against the store's copy of run `runId`. */
export async function compareWithStore(client: pg.Client, dir: string, runId: string): Promise<StoreComparison> {
  const local = journalLines(dir);
  const stored = await storedRecords(client, runId);
  if (stored.length === 0) return failed('E_STORE_DIFFERS', `the store holds no record of run ${runId} (it was never shipped there, or the store is another one)`);
  const at = firstDifference(stored, local);
  if (at !== null) return failed('E_STORE_DIFFERS', `record ${at} differs from the store's copy (rewritten or re-sealed on one side)`, at);
  if (stored.length < local.length) return failed('E_STORE_DIFFERS', `the store holds ${stored.length} of the ${local.length} records: records ${stored.length}… were never shipped (\`runbook store push\` ships them)`, stored.length);
  if (stored.length > local.length) return failed('E_STORE_DIFFERS', `the store holds ${stored.length} records, this copy ${local.length}: records ${local.length}… are missing here (cut from the journal?)`, local.length);
  return { ok: true, records: local.length };
}

/** `filesMissing`: files the records name that the store does not hold whole (then files are not checked). */
export type StoredRunResult = { runId: string; records: number; result: VerifyResult; filesMissing?: number };

/** Verifies one stored run (see the top of this file). `options` carries the anchors (pins, allowed signers). */
export async function verifyStoredRun(client: pg.Client, runId: string, options: Pick<VerifyOptions, 'allowedSigners' | 'pins' | 'keys' | 'macKeyHex'> = {}): Promise<StoredRunResult> {
  const stored = await storedRecords(client, runId);
  const owner = stored[0]?.shippedBy;
  for (const record of stored) {
    const actual = createHash('sha256').update(record.line, 'utf8').digest('hex');
    if (actual !== record.hash) {
      return { runId, records: stored.length, result: failed('E_STORE_EDITED', `run ${runId}, record ${record.seq}: the stored line hashes to ${actual.slice(0, 12)}…, not to the ${record.hash.slice(0, 12)}… the store computed when it arrived`, record.seq) };
    }
    // The store lets only the login that shipped a run's first record ship the rest.
    if (record.shippedBy !== owner) {
      return { runId, records: stored.length, result: failed('E_STORE_EDITED', `run ${runId}, record ${record.seq}: shipped by ${record.shippedBy}, the run by ${owner} (the store allows no such record)`, record.seq) };
    }
  }
  if (stored.length === 0) return { runId, records: 0, result: failed('E_EMPTY', `the store holds no record of run ${runId}`) };
  const dir = mkdtempSync(path.join(tmpdir(), 'runbook-store-verify-'));
  try {
    writeFileSync(path.join(dir, JOURNAL_FILE), `${stored.map((r) => r.line).join('\n')}\n`, { mode: 0o600 });
    // The files the records name, as the store holds them: one changed there fails; one it lacks (shipped
    // before the store kept files, or still on its way) is counted, and then no file is checked.
    mkdirSync(path.join(dir, BLOB_DIR));
    let filesMissing = 0;
    for (const blob of uniqueBlobs(stored.flatMap((r) => blobsNamed(r.line)))) {
      try {
        await copyStoredBlob(client, runId, blob, path.join(dir, BLOB_DIR, blob.sha256));
      } catch (error) {
        if (!(error instanceof BlobMissing)) throw error;
        if (error.kind === 'changed') return { runId, records: stored.length, result: failed('E_STORE_EDITED', error.message) };
        filesMissing += 1;
      }
    }
    // A run still going, or cut off by its host, is reported as such (a warning), not failed.
    const result = await verifyRun(dir, { ...options, runId, allowUnsealed: true, blobs: filesMissing === 0 });
    return { runId, records: stored.length, result, filesMissing };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every run the store holds, oldest first. */
export async function storedRunIds(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ run_id: string }>(`SELECT run_id FROM ${STORE_SCHEMA}.records WHERE seq = 0 ORDER BY recorded_at, run_id`);
  return rows.map((r) => r.run_id);
}

export interface StoredRunSummary {
  runId: string;
  /** The login that shipped it. */
  shippedBy: string;
  /** When run.started was recorded (its own time). */
  started: string;
  operator: string;
  title: string;
  runbookSha256: string;
  profile: string;
  records: number;
  /** The type of its last stored record (run.finished, checkpoint… or a step's, while it runs). */
  lastType: string;
  lastAt: string;
  /** The size of its last stored seal, or null when nothing of it is sealed. */
  sealedSize: number | null;
  /** finished: its run.finished is stored; interrupted: a host stopped it and it was not ended since; open: neither (running, or not shipped whole). */
  state: 'finished' | 'interrupted' | 'open';
}

/** A field of a stored run.started as text: '?' where a writer put something else there. */
const text = (value: unknown): string => (typeof value === 'string' ? value : '?');

/** The store's runs, oldest first, each as its run.started and its last records say (not yet verified). */
export async function storedRunSummaries(client: pg.Client): Promise<StoredRunSummary[]> {
  // A checkpoint's size: its data's last "size" (its previous checkpoint's comes before it), read only where it
  // is a plain number — a writer's malformed record must not break the list for everyone (records stay).
  const { rows } = await client.query<{ run_id: string; started: string; n: string; last_type: string; last_at: Date; sealed: string | null; shipped_by: string; finished: boolean; interrupted: boolean }>(
    `SELECT s.run_id, s.line AS started, s.shipped_by, c.n, l.type AS last_type, l.recorded_at AS last_at,
            EXISTS (SELECT 1 FROM ${STORE_SCHEMA}.records f WHERE f.type = 'run.finished' AND f.run_id = s.run_id) AS finished,
            EXISTS (SELECT 1 FROM ${STORE_SCHEMA}.records i WHERE i.type = 'run.interrupted' AND i.run_id = s.run_id) AS interrupted,
            (SELECT max(substring(k.line from '.*"size":([0-9]{1,15})')::bigint)
               FROM ${STORE_SCHEMA}.records k WHERE k.run_id = s.run_id AND k.type = 'checkpoint') AS sealed
       FROM ${STORE_SCHEMA}.records s
       JOIN LATERAL (SELECT max(seq) + 1 AS n, max(seq) AS last FROM ${STORE_SCHEMA}.records r WHERE r.run_id = s.run_id) c ON true
       JOIN ${STORE_SCHEMA}.records l ON l.run_id = s.run_id AND l.seq = c.last
      WHERE s.seq = 0
      ORDER BY s.recorded_at, s.run_id`,
  );
  return rows.map((r) => {
    let start: { time?: string; data?: { operator?: { name?: string }; runbook?: { title?: string; sha256?: string }; profile?: string } } = {};
    try {
      start = JSON.parse(r.started) as typeof start;
    } catch {
      // Not a run.started this tool wrote: listed with what the store knows, and `store verify` fails it.
    }
    return {
      runId: r.run_id,
      shippedBy: r.shipped_by,
      started: typeof start.time === 'string' ? start.time : '',
      operator: text(start.data?.operator?.name),
      title: text(start.data?.runbook?.title),
      runbookSha256: text(start.data?.runbook?.sha256),
      profile: text(start.data?.profile),
      records: Number(r.n),
      lastType: r.last_type,
      lastAt: r.last_at.toISOString(),
      sealedSize: r.sealed === null ? null : Number(r.sealed),
      state: r.finished ? 'finished' : r.interrupted ? 'interrupted' : 'open',
    };
  });
}
