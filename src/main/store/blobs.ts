// The files a run's records name — the runbook as run, each block's output, its index, result sets — kept in
// the team store beside the records (schema migration 3), so a bundle can be exported from the store alone.
// A blob is named by the SHA-256 of its bytes and shipped in parts of at most 1 MiB, read from the file a
// part at a time (a 200 MB output is never held whole); copying one back checks its bytes against its name.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { BLOB_DIR } from '../audit/record.js';
import { StoreRefusal } from './records.js';
import { STORE_SCHEMA } from './schema.js';

export const BLOB_PART_BYTES = 1024 * 1024;
const BLOB_NAME = /^blobs\/([0-9a-f]{64})$/;

/** A file a record names: its SHA-256, and the most bytes it may hold (null: the record does not say). */
export interface BlobReference {
  sha256: string;
  maxBytes: number | null;
}

/** Parts read for a file whose record gives no size: 4 GiB, far beyond any index or result set. */
const UNSIZED_MAX_BYTES = 4096 * BLOB_PART_BYTES;

/**
 * The files a journal line names, from the fields that name files — as the verifier reads them — and nothing
 * else: run.started's runbook copy; step.finished's output, its index and its result sets; run.finished's
 * orphaned outputs. (Any other string that looks like a blob path — an approver's name, a note — names nothing.)
 */
export function blobsNamed(line: string): BlobReference[] {
  let record: { type?: unknown; data?: any };
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    return [];
  }
  const d = record.data;
  if (!d || typeof d !== 'object') return [];
  const found: BlobReference[] = [];
  const add = (rel: unknown, bytes: unknown) => {
    const m = typeof rel === 'string' ? BLOB_NAME.exec(rel) : null;
    if (m) found.push({ sha256: m[1] as string, maxBytes: typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : null });
  };
  if (record.type === 'run.started') add(d.runbook?.blob, d.runbook?.bytes);
  if (record.type === 'step.finished') {
    add(d.output?.blob, d.output?.bytes);
    add(d.output?.index_blob, null);
    add(d.outcome?.results_blob, null);
  }
  if (record.type === 'run.finished' && Array.isArray(d.orphaned_outputs)) for (const o of d.orphaned_outputs) add(o?.blob, o?.bytes);
  return found;
}

/** Each file named once, with the smallest size any record allows it. */
export function uniqueBlobs(refs: readonly BlobReference[]): BlobReference[] {
  const by = new Map<string, BlobReference>();
  for (const r of refs) {
    const seen = by.get(r.sha256);
    if (!seen) by.set(r.sha256, r);
    else if (r.maxBytes !== null && (seen.maxBytes === null || r.maxBytes < seen.maxBytes)) by.set(r.sha256, r);
  }
  return [...by.values()];
}

/** What is wrong with a blob: not on this machine (to ship), not in the store, there only in part, or changed there. */
export type BlobProblemKind = 'not-here' | 'not-stored' | 'partial' | 'changed';

export class BlobMissing extends Error {
  constructor(
    readonly kind: BlobProblemKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Ships up to `maxParts` more parts of blob `sha256` of the run in `dir`, after those the store holds.
 * Returns true once the store holds the whole blob.
 */
export async function shipBlob(client: pg.Client, runId: string, dir: string, sha256: string, maxParts = 1): Promise<boolean> {
  const { rows } = await client.query<{ next: number | null; done: boolean | null }>(`SELECT max(part) + 1 AS next, bool_or(last) AS done FROM ${STORE_SCHEMA}.blob_parts WHERE run_id = $1 AND sha256 = $2`, [runId, sha256]);
  if (rows[0]?.done) return true;
  let part = rows[0]?.next ?? 0;
  const file = path.join(dir, BLOB_DIR, sha256);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new BlobMissing('not-here', `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message}: a blob the journal names is missing here`);
  }
  try {
    const size = statSync(file).size;
    const buffer = Buffer.alloc(BLOB_PART_BYTES);
    for (let sent = 0; sent < maxParts; sent += 1) {
      const offset = part * BLOB_PART_BYTES;
      const length = Math.max(0, Math.min(BLOB_PART_BYTES, size - offset));
      const read = length > 0 ? readSync(fd, buffer, 0, length, offset) : 0;
      const last = offset + read >= size;
      try {
        await client.query(`INSERT INTO ${STORE_SCHEMA}.blob_parts (run_id, sha256, part, bytes, last, received_at, shipped_by) VALUES ($1, $2, $3, $4, $5, now(), current_user)`, [runId, sha256, part, buffer.subarray(0, read), last]);
      } catch (error) {
        const e = error as { code?: string; hint?: string; message?: string };
        if (e.hint === 'runbook-store:not-owner') throw new StoreRefusal('not-owner', e.message ?? 'not this login\'s run');
        throw error;
      }
      if (last) return true;
      part += 1;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Parts read per query when a stored file is copied out. */
const PARTS_PER_READ = 16;

/**
 * Writes a stored blob to `file`, a few parts at a time (a 200 MB output is never held whole), checking that
 * its parts are all there, that it holds no more than its record allows (else a writer's endless parts would
 * hold every reader), and that its bytes hash to its name; throws saying what is wrong.
 */
export async function copyStoredBlob(client: pg.Client, runId: string, blob: BlobReference, file: string): Promise<void> {
  const { sha256 } = blob;
  const limit = blob.maxBytes ?? UNSIZED_MAX_BYTES;
  const hash = createHash('sha256');
  const fd = openSync(file, 'wx', 0o600);
  let total = 0;
  try {
    for (let next = 0, done = false; !done; ) {
      const { rows } = await client.query<{ part: number; bytes: Buffer; last: boolean }>(
        `SELECT part, bytes, last FROM ${STORE_SCHEMA}.blob_parts WHERE run_id = $1 AND sha256 = $2 AND part >= $3 ORDER BY part LIMIT $4`,
        [runId, sha256, next, PARTS_PER_READ],
      );
      if (rows.length === 0 || rows[0]?.part !== next) {
        throw new BlobMissing(next === 0 ? 'not-stored' : 'partial', next === 0 ? `blob ${sha256} of run ${runId} is not in the store` : `blob ${sha256} of run ${runId} is in the store only in part (${next} parts, not ending with its last)`);
      }
      for (const row of rows) {
        if (row.part !== next) throw new BlobMissing('partial', `blob ${sha256} of run ${runId} is in the store only in part (part ${next} missing)`);
        total += row.bytes.length;
        if (total > limit) throw new BlobMissing('changed', `blob ${sha256} of run ${runId}: the store holds more than the ${limit} bytes its record allows (changed in the database, or never this file)`);
        hash.update(row.bytes);
        writeSync(fd, row.bytes);
        next += 1;
        if (row.last) {
          done = true;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  const got = hash.digest('hex');
  if (got !== sha256) throw new BlobMissing('changed', `blob ${sha256} of run ${runId}: the stored bytes hash to ${got}, not to its name (changed in the database)`);
}
