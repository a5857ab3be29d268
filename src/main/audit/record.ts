// The journal's record: one canonical JSON object per line. Fixed envelope fields, then `data` per type.
import { createHash } from 'node:crypto';
import { canonicalize } from './canonical.js';
import type { Timestamp } from './clock.js';

export const JOURNAL_FILE = 'journal.jsonl';
export const ACCESS_FILE = 'access.jsonl';
export const BLOB_DIR = 'blobs';
export const CHECKPOINT_FILE = 'checkpoint.txt';
export const GENESIS_PREV = '0'.repeat(64);

export const RECORD_TYPES = [
  'run.started',
  'run.paused',
  'run.resumed',
  'run.finished',
  'run.interrupted',
  'runbook.reloaded',
  'step.started',
  'step.finished',
  'step.skipped',
  'step.note',
  'fillin',
  'decision',
  'signoff',
  'approval',
  'trust',
  'error',
  'checkpoint',
  'log.recovered',
  'export',
  'verify',
] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface JournalRecord extends Timestamp {
  seq: number;
  run: string;
  type: RecordType;
  data: Record<string, unknown>;
  /** SHA-256 (hex) of the previous line's bytes; zeros for the first record. */
  prev: string;
  /** HMAC-SHA256 (hex) of the line without this field, under the record's chain key. */
  mac?: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The bytes the MAC covers: the canonical record without `mac`. */
export function unsignedLine(record: Omit<JournalRecord, 'mac'>): string {
  return canonicalize(record);
}

export function recordLine(record: JournalRecord): string {
  return canonicalize(record);
}
