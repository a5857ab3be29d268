// Access to a run's record is itself recorded: every export and verification of a run directory appends
// to access.jsonl beside the journal — same format and integrity as the journal, its own chain — so the
// sealed journal stays untouched while who looked at it, and when, is kept.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { JournalWriter } from './journal-writer.js';
import type { MacKeyStore } from './key-store.js';
import { ACCESS_FILE } from './record.js';
import type { RecordData } from './records/index.js';
import { ACCESS_LOCK_FILE, acquireRunLock } from './run-lock.js';

/**
 * The access log's MAC key is named for the run and the directory it lives in, so a copy of a run
 * directory (an auditor's working copy) keeps its own chain instead of advancing the original's key.
 */
export function accessKeyId(runId: string, runDir: string): string {
  return `${runId}-access-${createHash('sha256').update(path.resolve(runDir)).digest('hex').slice(0, 12)}`;
}

/** One writer at a time (access.lock, apart from the run's lock: a live run can still be verified and that recorded). */
export function recordAccess<T extends 'export' | 'verify'>(runDir: string, runId: string, type: T, data: RecordData<T>, keys: MacKeyStore): void {
  const { lock } = acquireRunLock(runDir, { purpose: 'access', file: ACCESS_LOCK_FILE, takeStale: true });
  try {
    const options = { keys, file: ACCESS_FILE, keyId: accessKeyId(runId, runDir), guard: () => lock.check() };
    const writer = existsSync(path.join(runDir, ACCESS_FILE)) ? JournalWriter.reopen(runDir, options).writer : JournalWriter.create(runDir, runId, options).writer;
    try {
      writer.append(type, data);
    } finally {
      writer.close();
    }
  } finally {
    lock.release();
  }
}
