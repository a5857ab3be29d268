// The append-only run journal. Every record is written and fsync'd before append() returns, so a caller
// that writes `step.started` and then acts has the record on disk first (write-ahead). Records a caller has
// ready together (a decision and the steps it passes over) can share one fsync: inside together(), each
// record is written at once and the flush comes when the group ends, before together() returns. A failed write or
// fsync is never retried: the writer refuses every later append, and the session stops before the next
// action (fail closed); what failed is left beside the journal (journal.jsonl.write-failed) and recorded
// when the journal is reopened. Each record carries the previous line's hash and a MAC (mac-chain.ts).
// The file is opened O_APPEND: every write lands at its end, whatever else holds it open. The writer keeps
// no lines, only the Merkle tree over them (merkle.ts), so a seal costs O(log² n), not a pass over the journal.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { now } from './clock.js';
import { type WriterIo, crashPoint, crashRequested, dieNow, faultInjectingIo } from './fault-injection.js';
import { type MacKeyStore } from './key-store.js';
import { evolveKey, keyCommitment, recordMac } from './mac-chain.js';
import { MerkleTree } from './merkle.js';
import { GENESIS_PREV, JOURNAL_FILE, type JournalRecord, sha256Hex, signedLine, unsignedLine, wholeLines } from './record.js';
import { RECORD_TYPES, type RecordData, RecordDataError, type RecordType, dataIssue, parseRecordData } from './records/index.js';
import { recoverTornTail, type Recovery } from './recovery.js';

/** The file operations the writer uses; tests inject failures (ENOSPC, EIO) through this. */
export type JournalIo = Pick<WriterIo, 'writeSync' | 'fsyncSync'>;
const nodeIo: JournalIo = faultInjectingIo('journal');

/** Beside the journal after a failed write or fsync: what failed, until a reopen records it. */
export const WRITE_FAILED_SUFFIX = '.write-failed';

const WriteFailureNoteSchema = z.object({
  id: z.string(),
  /** The record that could not be written. */
  seq: z.number().int().nonnegative(),
  type: z.enum(RECORD_TYPES),
  code: z.string().nullable(),
  message: z.string(),
  time: z.string(),
});
export type WriteFailureNote = z.infer<typeof WriteFailureNoteSchema>;

export class JournalWriteError extends Error {}

export interface AppendedRecord {
  seq: number;
  /** SHA-256 (hex) of the line: what the next record's `prev` holds and what approvals sign. */
  hash: string;
  line: string;
}

/** A `checkpoint` record's size and root: what the next seal must extend. */
export interface CheckpointRef {
  size: number;
  root: string;
}

export interface JournalWriterOptions {
  keys: MacKeyStore;
  io?: JournalIo;
  /** The file in the run directory; default journal.jsonl (the access log uses access.jsonl). */
  file?: string;
  /** The MAC key's name in the key store; default the run id. */
  keyId?: string;
  /** Called before every record; throwing stops the writer (the run's lock was lost: another writer). */
  guard?: () => void;
  /** A torn tail already set aside by the caller (recoverTornTail): recorded as log.recovered on reopen. */
  recovered?: Recovery | null;
  /** Told each record once it is durable (after its flush, or its group's), in order: what may be shipped. */
  onDurable?: (records: readonly DurableRecord[]) => void;
}

export interface DurableRecord {
  seq: number;
  line: string;
}

export class JournalWriter {
  private fd: number;
  private seq: number;
  private prev: string;
  private key: Buffer;
  private failure: JournalWriteError | null = null;
  private closed = false;
  private readonly io: JournalIo;
  private readonly guard: (() => void) | undefined;
  /** The Merkle tree over every line so far (leaf data = line bytes): the seal's roots and proofs. */
  readonly tree = new MerkleTree();
  private checkpoint: CheckpointRef | null;
  /** Inside together(): how deep, and whether records were written since the last flush. */
  private grouping = 0;
  /** The first record written since the last flush (a failed flush names it), or null. */
  private unflushed: { seq: number; type: RecordType } | null = null;
  /** The records written since the last flush, for onDurable. */
  private readonly written: DurableRecord[] = [];
  private readonly onDurable: ((records: readonly DurableRecord[]) => void) | undefined;

  private constructor(
    readonly dir: string,
    readonly runId: string,
    private readonly keys: MacKeyStore,
    state: { fd: number; prev: string; key: Buffer; lines: readonly string[] },
    io: JournalIo,
    readonly fileName: string,
    private readonly keyId: string,
    guard?: () => void,
    onDurable?: (records: readonly DurableRecord[]) => void,
  ) {
    this.guard = guard;
    this.onDurable = onDurable;
    this.fd = state.fd;
    this.seq = state.lines.length;
    this.prev = state.prev;
    this.key = state.key;
    for (const line of state.lines) this.tree.append(line);
    this.checkpoint = lastCheckpoint(state.lines);
    this.io = io;
  }

  get file(): string {
    return path.join(this.dir, this.fileName);
  }

  get count(): number {
    return this.seq;
  }

  get lastHash(): string {
    return this.prev;
  }

  get failed(): JournalWriteError | null {
    return this.failure;
  }

  /** The journal's last `checkpoint` record, or null when it has none. */
  get lastCheckpoint(): CheckpointRef | null {
    return this.checkpoint;
  }

  /** Starts a new journal in `dir` (which must not hold one). Returns the writer and the MAC key commitment. */
  static create(dir: string, runId: string, options: JournalWriterOptions): { writer: JournalWriter; macKeyCommitment: string } {
    fs.mkdirSync(dir, { recursive: true });
    const fileName = options.file ?? JOURNAL_FILE;
    const keyId = options.keyId ?? runId;
    const file = path.join(dir, fileName);
    let fd: number;
    try {
      // O_CREAT | O_EXCL | O_APPEND: a new file, never an existing journal, every write at its end.
      fd = fs.openSync(file, 'ax', 0o600);
    } catch (error) {
      throw new JournalWriteError(`${file}: cannot create the journal: ${(error as Error).message}`);
    }
    try {
      fsyncDir(dir);
      crashPoint('journal.created');
      const k0 = options.keys.create(keyId);
      const commitment = keyCommitment(k0);
      const writer = new JournalWriter(dir, runId, options.keys, { fd, prev: GENESIS_PREV, key: k0, lines: [] }, options.io ?? nodeIo, fileName, keyId, options.guard, options.onDurable);
      return { writer, macKeyCommitment: commitment };
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /**
   * Reopens a journal after a stop or a crash: a torn tail is set aside and a `log.recovered` record
   * appended; a write failure left beside the journal is recorded as an `error` record.
   */
  static reopen(dir: string, options: JournalWriterOptions): { writer: JournalWriter; recovery: Recovery | null } {
    const fileName = options.file ?? JOURNAL_FILE;
    const file = path.join(dir, fileName);
    const data = fs.readFileSync(file);
    const recovery = recoverTornTail(file, data) ?? options.recovered ?? null;
    const lines = wholeLines(data);
    const last = lines.at(-1);
    if (last === undefined) throw new JournalWriteError(`${file}: the journal is empty; start a new run`);
    const lastRecord = JSON.parse(last) as JournalRecord;
    const runId = lastRecord.run;
    const keyId = options.keyId ?? runId;
    const current = currentKey(options.keys, keyId);
    if (!current) throw new JournalWriteError(`${file}: no MAC key for run ${runId} in this key store; the journal cannot be continued here`);
    if (current.index > lines.length) throw new JournalWriteError(`${file}: the MAC key is ahead of the journal (key ${current.index}, ${lines.length} records)`);
    let key = current.key;
    for (let i = current.index; i < lines.length; i++) key = evolveKey(key);
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND);
    const writer = new JournalWriter(dir, runId, options.keys, { fd, prev: sha256Hex(last), key, lines }, options.io ?? nodeIo, fileName, keyId, options.guard, options.onDurable);
    if (recovery) writer.append('log.recovered', { ...recovery });
    const noteFile = `${file}${WRITE_FAILED_SUFFIX}`;
    const note = readFailureNote(noteFile);
    if (note) {
      // Recorded once: a crash between this record and the note's removal must not record it twice.
      if (!lines.slice(-4).some((l) => l.includes(note.id))) {
        writer.append('error', { cause: 'journal-write-failed', note_id: note.id, seq: note.seq, record_type: note.type, code: note.code, message: note.message, at: note.time });
      }
      fs.rmSync(noteFile, { force: true });
    }
    return { writer, recovery };
  }

  /**
   * Writes one record and fsyncs it; throws JournalWriteError (and refuses all later appends) on failure.
   * Data that does not fit the record type's schema (records/index.ts) is refused with RecordDataError before
   * anything is written, and the writer goes on: a writer cannot write what the format does not define.
   */
  append<T extends RecordType>(type: T, data: RecordData<T>): AppendedRecord {
    if (this.failure) throw new JournalWriteError(`journal unusable after an earlier write failure: ${this.failure.message}`);
    if (this.closed) throw new JournalWriteError(`${this.file}: the journal is closed`);
    const issue = dataIssue(type, data);
    if (issue) throw new RecordDataError(type, issue);
    if (this.guard) {
      try {
        this.guard();
      } catch (error) {
        this.failure = new JournalWriteError(`${(error as Error).message}; nothing more is recorded`);
        throw this.failure;
      }
    }
    const unsigned: Omit<JournalRecord, 'mac'> = { seq: this.seq, run: this.runId, type, ...now(), data, prev: this.prev };
    const text = unsignedLine(unsigned);
    const line = signedLine(text, recordMac(this.key, text));
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    try {
      if (crashRequested('journal.torn')) {
        this.io.writeSync(this.fd, bytes, 0, bytes.length >> 1);
        dieNow();
      }
      let offset = 0;
      while (offset < bytes.length) offset += this.io.writeSync(this.fd, bytes, offset, bytes.length - offset);
      if (this.grouping > 0) this.unflushed ??= { seq: this.seq, type };
      else this.io.fsyncSync(this.fd);
    } catch (error) {
      throw this.failWrite(error as NodeJS.ErrnoException, this.seq, type);
    }
    if (this.grouping === 0) crashPoint('journal.appended');
    const next = evolveKey(this.key);
    this.key.fill(0);
    this.key = next;
    if (this.grouping === 0) this.saveKey(this.seq + 1);
    const hash = sha256Hex(line);
    this.prev = hash;
    this.tree.append(line);
    if (type === 'checkpoint') this.checkpoint = checkpointRef(data);
    const seq = this.seq++;
    if (this.onDurable) {
      this.written.push({ seq, line });
      if (this.grouping === 0) this.tellDurable();
    }
    return { seq, hash, line };
  }

  /**
   * Runs `fn`, whose appends are written at once and made durable together when it returns: one fsync (and
   * one MAC key update) for the group, before together() returns. Nothing may act on a record appended
   * inside until then — a step.started that a command waits for is appended outside a group. `fn` is
   * synchronous; groups nest (the outermost one flushes). Should the flush fail, together() throws and the
   * writer refuses everything after, as after any failed fsync.
   */
  together<T>(fn: () => T): T {
    this.grouping += 1;
    let result: T;
    try {
      result = fn();
    } finally {
      this.grouping -= 1;
      if (this.grouping === 0) this.flushGroup();
    }
    return result;
  }

  private flushGroup(): void {
    const first = this.unflushed;
    if (!first || this.failure) return;
    this.unflushed = null;
    try {
      this.io.fsyncSync(this.fd);
    } catch (error) {
      throw this.failWrite(error as NodeJS.ErrnoException, first.seq, first.type);
    }
    crashPoint('journal.appended');
    this.saveKey(this.seq);
    this.tellDurable();
  }

  /** Hands the records flushed since the last call to onDurable; its failure is not the journal's. */
  private tellDurable(): void {
    if (!this.onDurable || this.written.length === 0) return;
    const records = this.written.splice(0);
    try {
      this.onDurable(records);
    } catch {
      // Shipping is best effort beside the journal, which is the record; the shipper reports its own state.
    }
  }

  /** The next record's key, kept by the key store (index: the record it will MAC). */
  private saveKey(index: number): void {
    try {
      this.keys.saveCurrent(this.keyId, { index, key: this.key });
    } catch (error) {
      this.failure = new JournalWriteError(`MAC key store: ${(error as Error).message}; the run stops here`);
      throw this.failure;
    }
  }

  /** A failed write or fsync: the writer refuses everything after, and leaves a note for the reopen to record. */
  private failWrite(err: NodeJS.ErrnoException, seq: number, type: RecordType): JournalWriteError {
    const message = err.message.startsWith(`${err.code}:`) ? err.message : `${err.code ?? 'write failed'}: ${err.message}`;
    this.failure = new JournalWriteError(`${this.file}: ${message}; the run stops here (nothing after this is run)`);
    this.leaveFailureNote({ id: randomBytes(8).toString('hex'), seq, type, code: err.code ?? null, message: err.message, time: new Date().toISOString() });
    return this.failure;
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } finally {
      this.keys.close(this.keyId);
      this.key.fill(0);
    }
  }

  /** Best effort (the disk may be full): what failed, for the reopen to record. */
  private leaveFailureNote(note: WriteFailureNote): void {
    try {
      fs.writeFileSync(`${this.file}${WRITE_FAILED_SUFFIX}`, `${JSON.stringify(note)}\n`, { mode: 0o600, flush: true });
    } catch {
      // Nowhere to write it: the message the run stops with is all there is.
    }
  }
}

/**
 * The key for the next record as the store last kept it, or K_0 (index 0) where the current-key file is
 * missing or cut short (a power cut before its write reached the disk): reopening evolves either forward to
 * the journal's end. Null only when the store never held the run's keys.
 */
function currentKey(keys: MacKeyStore, keyId: string): { index: number; key: Buffer } | null {
  let current: { index: number; key: Buffer } | null = null;
  try {
    current = keys.loadCurrent(keyId);
  } catch {
    current = null; // not a key file: K_0 below, if the store has it
  }
  if (current) return current;
  const k0 = keys.verificationKey(keyId);
  return k0 ? { index: 0, key: Buffer.from(k0) } : null;
}

function checkpointRef(data: unknown): CheckpointRef {
  const { size, root } = parseRecordData('checkpoint', data);
  return { size, root };
}

function lastCheckpoint(lines: readonly string[]): CheckpointRef | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (!line.includes('"type":"checkpoint"')) continue;
    const record = JSON.parse(line) as JournalRecord;
    if (record.type === 'checkpoint') return checkpointRef(record.data);
  }
  return null;
}

export function readFailureNote(file: string): WriteFailureNote | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const note = WriteFailureNoteSchema.safeParse(JSON.parse(text));
    return note.success ? note.data : null;
  } catch {
    return null;
  }
}

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
