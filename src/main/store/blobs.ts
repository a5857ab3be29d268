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

/** The blobs a journal line's data names: every string value that is a blob path (blobs/<sha256>), as records write them. */
export function blobsNamed(line: string): string[] {
  let record: { data?: unknown };
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    return [];
  }
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      const m = BLOB_NAME.exec(value);
      if (m) found.push(m[1] as string);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(record.data);
  return found;
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
export async function shipBlob(client: pg.Client, runId: string, dir: string, sha256: string, maxParts = 8): Promise<boolean> {
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

/**
 * Writes a stored blob to `file`, a part at a time (a 200 MB output is never held whole), checking that its
 * parts are all there and that its bytes hash to its name; throws saying what is wrong.
 */
export async function copyStoredBlob(client: pg.Client, runId: string, sha256: string, file: string): Promise<void> {
  const hash = createHash('sha256');
  const fd = openSync(file, 'wx', 0o600);
  try {
    for (let part = 0; ; part += 1) {
      const { rows } = await client.query<{ bytes: Buffer; last: boolean }>(`SELECT bytes, last FROM ${STORE_SCHEMA}.blob_parts WHERE run_id = $1 AND sha256 = $2 AND part = $3`, [runId, sha256, part]);
      const row = rows[0];
      if (!row) throw new BlobMissing(part === 0 ? 'not-stored' : 'partial', part === 0 ? `blob ${sha256} of run ${runId} is not in the store` : `blob ${sha256} of run ${runId} is in the store only in part (${part} parts, not ending with its last)`);
      hash.update(row.bytes);
      writeSync(fd, row.bytes);
      if (row.last) break;
    }
  } finally {
    closeSync(fd);
  }
  const got = hash.digest('hex');
  if (got !== sha256) throw new BlobMissing('changed', `blob ${sha256} of run ${runId}: the stored bytes hash to ${got}, not to its name (changed in the database)`);
}
