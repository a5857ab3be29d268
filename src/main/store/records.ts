// Records in the team store: what is stored for a run, adding lines after it, and how a refusal reads.
// The database decides what may follow what (schema.ts); this side only sends lines in order and, when the
// store refuses one, finds out why by comparing what is stored with the local journal.
import type pg from 'pg';
import { STORE_SCHEMA } from './schema.js';

export interface StoredRecord {
  seq: number;
  line: string;
  /** SHA-256 (hex) of the line, as the database computed it when the record arrived. */
  hash: string;
  /** The login that shipped it (the database's session_user then). */
  shippedBy: string;
  /** Its record type, as the database checked it against the line. */
  type: string;
}

export interface LocalRecord {
  seq: number;
  line: string;
}

/** Records sent in one statement: a few MB at most (journal lines are small; a checkpoint is the largest). */
export const BATCH_RECORDS = 500;

export class StoreRefusal extends Error {
  constructor(
    readonly code: 'out-of-sequence' | 'wrong-prev' | 'duplicate' | 'not-owner' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/** How many records the store holds for `runId` (they are contiguous from 0: the database allows no gap). */
export async function storedCount(client: pg.Client, runId: string): Promise<number> {
  const { rows } = await client.query<{ n: string | null }>(`SELECT max(seq) + 1 AS n FROM ${STORE_SCHEMA}.records WHERE run_id = $1`, [runId]);
  return rows[0]?.n === null || rows[0]?.n === undefined ? 0 : Number(rows[0].n);
}

/** Rows read per query when a run's stored records are read whole. */
const PAGE_ROWS = 10_000;

/** The stored records of `runId` from `from` on (through `through`, when given), in order: every one, read a page at a time. */
export async function storedRecords(client: pg.Client, runId: string, from = 0, through: number | null = null): Promise<StoredRecord[]> {
  const all: StoredRecord[] = [];
  for (let next = from; ; ) {
    const { rows } = await client.query<{ seq: string; line: string; hash: string; shipped_by: string; type: string }>(
      `SELECT seq, line, hash, shipped_by, type FROM ${STORE_SCHEMA}.records WHERE run_id = $1 AND seq >= $2 AND ($4::bigint IS NULL OR seq <= $4) ORDER BY seq LIMIT $3`,
      [runId, next, PAGE_ROWS, through],
    );
    for (const r of rows) all.push({ seq: Number(r.seq), line: r.line, hash: r.hash, shippedBy: r.shipped_by, type: r.type });
    if (rows.length < PAGE_ROWS) return all;
    next = (all.at(-1) as StoredRecord).seq + 1;
  }
}

/** The fields the store's columns repeat from a line (the database checks they match). */
function columns(record: LocalRecord): { prev: string; type: string } {
  let parsed: { prev?: unknown; type?: unknown };
  try {
    parsed = JSON.parse(record.line) as typeof parsed;
  } catch (error) {
    throw new StoreRefusal('invalid', `record ${record.seq} of the local journal is not JSON (${(error as Error).message}); it cannot be stored`);
  }
  if (typeof parsed.prev !== 'string' || typeof parsed.type !== 'string') throw new StoreRefusal('invalid', `record ${record.seq} of the local journal has no prev or type; it cannot be stored`);
  return { prev: parsed.prev, type: parsed.type };
}

/**
 * Adds `records` (consecutive, in order) to the store in one statement: all of them or none. A refusal by
 * the database's rules becomes a StoreRefusal saying which; anything else (the connection) is thrown as is.
 */
export async function insertRecords(client: pg.Client, runId: string, records: readonly LocalRecord[]): Promise<void> {
  if (records.length === 0) return;
  const cols = records.map(columns);
  try {
    await client.query(
      `INSERT INTO ${STORE_SCHEMA}.records (run_id, seq, line, prev, type)
       SELECT $1, u.seq, u.line, u.prev, u.type
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(seq, line, prev, type, ord)
        ORDER BY u.ord`,
      [runId, records.map((r) => r.seq), records.map((r) => r.line), cols.map((c) => c.prev), cols.map((c) => c.type)],
    );
  } catch (error) {
    throw refusalOf(error) ?? error;
  }
}

function refusalOf(error: unknown): StoreRefusal | null {
  const e = error as { code?: string; hint?: string; message?: string };
  if (e.code === '23505') return new StoreRefusal('duplicate', `the store already holds one of these records (${e.message ?? ''})`);
  if (e.code === '23514') {
    if (e.hint === 'runbook-store:out-of-sequence') return new StoreRefusal('out-of-sequence', e.message ?? 'out of sequence');
    if (e.hint === 'runbook-store:wrong-prev') return new StoreRefusal('wrong-prev', e.message ?? 'does not follow the stored record');
    if (e.hint === 'runbook-store:not-owner') return new StoreRefusal('not-owner', e.message ?? 'the run is shipped by another login');
    return new StoreRefusal('invalid', e.message ?? 'refused by the store');
  }
  return null;
}

/** The first record where the store and the local journal disagree, or null when one is a prefix of the other. */
export function firstDifference(stored: readonly StoredRecord[], local: readonly string[]): number | null {
  const n = Math.min(stored.length, local.length);
  for (let i = 0; i < n; i++) if ((stored[i] as StoredRecord).line !== local[i]) return i;
  return null;
}
