// After a crash the journal may end in a partial line (the write that was under way). Every fsync'd record
// ends in a newline, so the bytes after the last newline were never acknowledged: they are moved to a side
// file, the journal is cut back to the last whole record, and the writer appends `log.recovered`.
//
// recoverRun goes further, for a whole run left open (kill -9, power cut, a full disk): see below.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, writeFileSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { adoptBlob, hashFile } from './blobs.js';
import { crashPoint } from './fault-injection.js';
import type { Installation } from './installation.js';
import { JournalWriter, WRITE_FAILED_SUFFIX, type WriteFailureNote, readFailureNote } from './journal-writer.js';
import type { MacKeyStore } from './key-store.js';
import { VerifyFailure } from './reasons.js';
import { CHECKPOINT_FILE, JOURNAL_FILE, type JournalRecord, type TypedRecord, typedRecord, wholeLines } from './record.js';
import { parseRecordData } from './records/index.js';
import { type JudgedHolder, type RunLock, removeLockLeftovers } from './run-lock.js';
import { type SealResult, removeTempFiles, seal, writeCheckpointFiles } from './seal.js';
import { verifyRun } from './verify.js';

export interface Recovery {
  /** Byte offset where the torn tail began (the journal's new length). */
  offset: number;
  bytes: number;
  sha256: string;
  /** Side file holding the torn bytes, relative to the run directory. */
  file: string;
}

/** `data`: the file's bytes when the caller has just read them. */
export function recoverTornTail(file: string, data: Buffer = readFileSync(file)): Recovery | null {
  const end = data.lastIndexOf(0x0a) + 1;
  if (end === data.length) return null;
  const torn = data.subarray(end);
  const sha256 = createHash('sha256').update(torn).digest('hex');
  const side = `${path.basename(file)}.torn-${end}-${sha256.slice(0, 12)}`;
  writeFileSync(path.join(path.dirname(file), side), torn, { mode: 0o600, flush: true });
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, end);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { offset: end, bytes: torn.length, sha256, file: side };
}

/** The run cannot be recovered as asked: no records at all, or not a run directory. */
export class RecoveryError extends Error {
  constructor(
    message: string,
    readonly kind: 'no-journal' | 'empty' | 'sealed-with-damage' | 'read-only',
  ) {
    super(message);
  }
}

export interface RunRecoveryOptions {
  keys: MacKeyStore;
  installation: Installation;
  /** The run's lock, held by the caller for the whole recovery (null: a read-only copy, nothing is written). */
  lock: RunLock | null;
  /** Who closes the run: recorded in run.finished and the seal's reason. */
  closedBy: 'export' | 'recover';
  /** A stale lock the caller took over: recorded when the run is closed. */
  tookOver?: JudgedHolder | null;
}

export interface OrphanedOutput {
  file: string;
  blob: string;
  sha256: string;
  bytes: number;
}

export interface RunRecovery {
  runId: string;
  /** The run was sealed (run.finished, then a checkpoint) before recovery began. */
  wasSealed: boolean;
  tornTail: Recovery | null;
  /** A failed journal write left beside the journal, now recorded as an `error` record. */
  writeFailure: WriteFailureNote | null;
  /** run.finished was appended by this recovery (the run had stopped without one). */
  closed: boolean;
  /** The run had ended but its seal was lost: its run.finished was recorded again after recovery's records. */
  endRecordedAgain: boolean;
  /** The seal this recovery made, if it made one. */
  sealed: SealResult | null;
  /** checkpoint.txt/.sig written again from the journal's last checkpoint. */
  checkpointFilesRewritten: boolean;
  /** Outputs of blocks that were running when the run stopped, kept as blobs and listed in run.finished. */
  orphanedOutputs: OrphanedOutput[];
  /** Temporary files of interrupted writes, removed. */
  removed: string[];
}

/**
 * Brings a run that stopped without closing (kill -9, power cut, a full disk) back to a run that verifies,
 * sealed: temporary files are removed, checkpoint.txt is written again from the journal if a seal was cut
 * short, a torn tail is set aside, the run is verified (as unsealed), then a write failure left beside
 * the journal is recorded, run.finished appended (the run was interrupted) and the run sealed. The caller
 * holds the run's lock. A run that does not verify is not touched beyond setting a torn tail aside.
 */
export async function recoverRun(dir: string, options: RunRecoveryOptions): Promise<RunRecovery> {
  const file = path.join(dir, JOURNAL_FILE);
  if (!existsSync(file)) throw new RecoveryError(`${dir}: no ${JOURNAL_FILE} here: the run stopped before its journal was created, so nothing ran`, 'no-journal');
  const data = readFileSync(file);
  if (data.indexOf(0x0a) < 0) {
    throw new RecoveryError(`${dir}: the run has no records (it stopped before its first record was written, so nothing ran); there is nothing to recover or export`, 'empty');
  }
  if (!options.lock) return readOnly(dir, options);
  options.lock.check();
  const removed = [...removeTempFiles(dir)];
  removeLockLeftovers(dir);
  // The journal's whole records, before recovery adds log.recovered or error records after them.
  const lines = wholeLines(data);
  const checkpointFilesRewritten = repairCheckpointFiles(dir, lines);
  const tornTail = recoverTornTail(file, data);
  crashPoint('recover.trimmed');

  const verified = await verifyRun(dir, { allowUnsealed: true, keys: options.keys });
  if (!verified.ok) throw new VerifyFailure(verified.failure);
  const wasSealed = !verified.warnings.some((w) => w.code === 'W_UNSEALED');
  const note = readFailureNote(`${file}${WRITE_FAILED_SUFFIX}`);
  const result: RunRecovery = { runId: verified.runId, wasSealed, tornTail, writeFailure: null, closed: false, endRecordedAgain: false, sealed: null, checkpointFilesRewritten, orphanedOutputs: [], removed };
  if (wasSealed) {
    // Nothing is ever written after the final seal (it would be E_AFTER_SEAL); what is left beside it stays there.
    if (tornTail || note) throw new RecoveryError(`${dir}: the run is sealed, yet ${tornTail ? `bytes followed its seal (set aside in ${tornTail.file})` : `a write failure is noted beside it (${JOURNAL_FILE}${WRITE_FAILED_SUFFIX})`}; left as it is`, 'sealed-with-damage');
    return result;
  }
  const lock = options.lock;
  // The run verified: every record fits its schema.
  const last = recordOf(lines.at(-1) as string);
  const { writer } = JournalWriter.reopen(dir, { keys: options.keys, guard: () => lock.check(), recovered: tornTail });
  try {
    result.writeFailure = note;
    if (last.type === 'run.finished') {
      // The run ended; only its seal is missing. Anything recovery recorded after the end (a torn seal set
      // aside, a failed write) comes between: the end is recorded again, unchanged, so the seal follows it.
      if (writer.count > last.seq + 1) {
        writer.append('run.finished', { ...last.data, recorded_again: { seq: last.seq, why: 'recovery records followed the run\'s end; the seal follows this copy' } });
        result.endRecordedAgain = true;
      }
    } else {
      result.orphanedOutputs = await adoptOrphanedOutputs(dir);
      const held = options.tookOver?.holder;
      writer.append('run.finished', {
        ok: false,
        interrupted: true,
        closed_by: options.closedBy,
        steps: [],
        unfinished: unfinishedBlocks(lines),
        orphaned_outputs: result.orphanedOutputs,
        stale_lock: held ? { pid: held.pid, host: held.host, started: held.started, purpose: held.purpose } : null,
      });
      result.closed = true;
      crashPoint('recover.closed');
    }
    const start = recordOf(lines[0] as string);
    const retentionDays = start.type === 'run.started' ? start.data.retention_days : null;
    result.sealed = await seal(writer, options.installation, { reason: options.closedBy === 'export' ? 'export' : 'recover', retentionDays });
  } finally {
    writer.close();
  }
  return result;
}

/** Without the lock (a read-only copy): nothing is written; an unsealed or damaged run is refused by the caller's verify. */
async function readOnly(dir: string, options: RunRecoveryOptions): Promise<RunRecovery> {
  const verified = await verifyRun(dir, { allowUnsealed: true, keys: options.keys });
  if (!verified.ok) throw new VerifyFailure(verified.failure);
  const wasSealed = !verified.warnings.some((w) => w.code === 'W_UNSEALED');
  if (!wasSealed) throw new RecoveryError(`${dir}: the run was not closed, and this directory cannot be written to close it`, 'read-only');
  return { runId: verified.runId, wasSealed, tornTail: null, writeFailure: null, closed: false, endRecordedAgain: false, sealed: null, checkpointFilesRewritten: false, orphanedOutputs: [], removed: [] };
}

/**
 * checkpoint.txt/.sig are a copy of the journal's last checkpoint. A seal cut short (by the code before
 * files were removed first, or a full disk) can leave an earlier checkpoint there, or none: those are
 * written again from the journal. Files holding a checkpoint the journal does not contain — records cut
 * from its end — are evidence and stay for verify to report.
 */
function repairCheckpointFiles(dir: string, lines: readonly string[]): boolean {
  const checkpoints: { text: string; signature: string }[] = [];
  for (const line of lines) {
    if (!line.includes('"type":"checkpoint"')) continue;
    try {
      // The journal is not verified yet: a line that is no record, or no checkpoint of the format, is verify's to name.
      const record = JSON.parse(line) as JournalRecord;
      if (record.type === 'checkpoint') {
        const { text, signature } = parseRecordData('checkpoint', record.data);
        checkpoints.push({ text, signature });
      }
    } catch {
      // Not a record: verify names it.
    }
  }
  const last = checkpoints.at(-1);
  if (!last) return false;
  const text = readOptional(path.join(dir, CHECKPOINT_FILE));
  const signature = readOptional(path.join(dir, `${CHECKPOINT_FILE}.sig`));
  if (text === last.text && signature === last.signature) return false;
  const known = (value: string | null, field: 'text' | 'signature') => value === null || checkpoints.some((c) => c[field] === value);
  if (!known(text, 'text') || !known(signature, 'signature')) return false;
  const problem = writeCheckpointFiles(dir, last.text, last.signature);
  if (problem) throw new Error(`${dir}: ${problem}`);
  return true;
}

const recordOf = (line: string): TypedRecord => typedRecord(JSON.parse(line) as JournalRecord);

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Blocks whose step.started has no step.finished: running when the run stopped. */
function unfinishedBlocks(lines: readonly string[]): { seq: number; step: string; block: string }[] {
  const started = new Map<number, { seq: number; step: string; block: string }>();
  for (const line of lines) {
    if (!line.includes('"type":"step.')) continue;
    const record = recordOf(line);
    if (record.type === 'step.started') started.set(record.seq, { seq: record.seq, step: record.data.step.id, block: record.data.block.id });
    else if (record.type === 'step.finished' && record.data.started) started.delete(record.data.started.seq);
  }
  return [...started.values()];
}

/** Output files of blocks that never finished (output/*.out, *.chunks.jsonl), kept as blobs. */
async function adoptOrphanedOutputs(dir: string): Promise<OrphanedOutput[]> {
  const outputDir = path.join(dir, 'output');
  let names: string[];
  try {
    names = readdirSync(outputDir).sort();
  } catch {
    return [];
  }
  const adopted: OrphanedOutput[] = [];
  for (const name of names) {
    if (!name.endsWith('.out') && !name.endsWith('.chunks.jsonl')) continue;
    const full = path.join(outputDir, name);
    try {
      const { sha256, bytes } = await hashFile(full);
      const ref = adoptBlob(dir, full, sha256, bytes);
      adopted.push({ file: `output/${name}`, blob: ref.path, sha256: ref.sha256, bytes: ref.bytes });
    } catch {
      // Left where it is.
    }
  }
  return adopted;
}
