// The journal's record: one canonical JSON object per line. Fixed envelope fields, then `data` per type
// (records/index.ts defines every type's data).
import { createHash } from 'node:crypto';
import { canonicalize } from './canonical.js';
import type { Timestamp } from './clock.js';
import { RECORD_TYPES, type RecordData, type RecordType, parseRecordData } from './records/index.js';

export const JOURNAL_FILE = 'journal.jsonl';
export const ACCESS_FILE = 'access.jsonl';
export const BLOB_DIR = 'blobs';
export const CHECKPOINT_FILE = 'checkpoint.txt';
export const GENESIS_PREV = '0'.repeat(64);

export { RECORD_TYPES, type RecordType };

/**
 * A record as read from a journal line: the envelope checked, `data` not yet read through its type's schema
 * (typedRecord does that). The record types and what each one's data holds: records/index.ts.
 */
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

/** A record whose data fits its type's schema. */
export type RecordOf<T extends RecordType> = Omit<JournalRecord, 'type' | 'data'> & { type: T; data: RecordData<T> };
/** Any record read through its schema: narrow it by `type`. */
export type TypedRecord = { [T in RecordType]: RecordOf<T> }[RecordType];

/** The record, its data checked against its type's schema (the same object); throws RecordDataError. */
export function typedRecord(record: JournalRecord): TypedRecord {
  parseRecordData(record.type, record.data);
  return record as TypedRecord;
}

/** A journal file's whole records, one line each: a torn tail (no final newline yet) is no record and is left out. */
export function wholeLines(data: Buffer): string[] {
  const end = data.lastIndexOf(0x0a);
  return end < 0 ? [] : data.subarray(0, end).toString('utf8').split('\n');
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

/**
 * The canonical line of a record whose unsigned line is `unsigned`, with `mac` added: the same bytes as
 * recordLine, without serialising the data a second time. Keys are sorted and every top-level key after
 * "mac" (mono_ns, prev, run, seq, time, type) holds a string or number, so the last `,"mono_ns":` is the
 * top-level one and "mac" goes right before it (verify-journal.ts cuts it out the same way).
 */
export function signedLine(unsigned: string, mac: string): string {
  const at = unsigned.lastIndexOf(',"mono_ns":');
  if (at < 0 || !/^[0-9a-f]{64}$/.test(mac)) throw new TypeError('signedLine: not an unsigned journal line, or not a MAC');
  return `${unsigned.slice(0, at)},"mac":"${mac}"${unsigned.slice(at)}`;
}
