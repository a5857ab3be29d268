// The append-only run journal. Every record is written and fsync'd before append() returns, so a caller
// that writes `step.started` and then acts has the record on disk first (write-ahead). A failed write or
// fsync is never retried: the writer refuses every later append, and the session stops before the next
// action (fail closed). Each record carries the previous line's hash and a forward-secure MAC.
import * as fs from 'node:fs';
import path from 'node:path';
import { now } from './clock.js';
import { type MacKeyStore } from './key-store.js';
import { evolveKey, keyCommitment, recordMac } from './mac-chain.js';
import { GENESIS_PREV, JOURNAL_FILE, type JournalRecord, type RecordType, recordLine, sha256Hex, unsignedLine } from './record.js';
import { recoverTornTail, type Recovery } from './recovery.js';

/** The file operations the writer uses; tests inject failures (ENOSPC, EIO) through this. */
export interface JournalIo {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
}
const nodeIo: JournalIo = { writeSync: (fd, b, o, l) => fs.writeSync(fd, b, o, l), fsyncSync: (fd) => fs.fsyncSync(fd) };

export class JournalWriteError extends Error {}

export interface AppendedRecord {
  seq: number;
  /** SHA-256 (hex) of the line: what the next record's `prev` holds and what approvals sign. */
  hash: string;
  line: string;
}

export interface JournalWriterOptions {
  keys: MacKeyStore;
  io?: JournalIo;
  /** The file in the run directory; default journal.jsonl (the access log uses access.jsonl). */
  file?: string;
  /** The MAC key's name in the key store; default the run id. */
  keyId?: string;
}

export class JournalWriter {
  private fd: number;
  private seq: number;
  private prev: string;
  private key: Buffer;
  private failure: JournalWriteError | null = null;
  private readonly io: JournalIo;
  /** Each line's SHA-256, for the Merkle tree the seal is built on (leaf data = line bytes). */
  readonly lines: string[] = [];

  private constructor(
    readonly dir: string,
    readonly runId: string,
    private readonly keys: MacKeyStore,
    state: { fd: number; seq: number; prev: string; key: Buffer; lines: string[] },
    io: JournalIo,
    readonly fileName: string,
    private readonly keyId: string,
  ) {
    this.fd = state.fd;
    this.seq = state.seq;
    this.prev = state.prev;
    this.key = state.key;
    this.lines = state.lines;
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

  /** Starts a new journal in `dir` (which must not hold one). Returns the writer and the MAC key commitment. */
  static create(dir: string, runId: string, options: JournalWriterOptions): { writer: JournalWriter; macKeyCommitment: string } {
    fs.mkdirSync(dir, { recursive: true });
    const fileName = options.file ?? JOURNAL_FILE;
    const keyId = options.keyId ?? runId;
    const file = path.join(dir, fileName);
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx', 0o600);
    } catch (error) {
      throw new JournalWriteError(`${file}: cannot create the journal: ${(error as Error).message}`);
    }
    fsyncDir(dir);
    const k0 = options.keys.create(keyId);
    const commitment = keyCommitment(k0);
    const writer = new JournalWriter(dir, runId, options.keys, { fd, seq: 0, prev: GENESIS_PREV, key: k0, lines: [] }, options.io ?? nodeIo, fileName, keyId);
    return { writer, macKeyCommitment: commitment };
  }

  /** Reopens a journal after a stop or a crash: a torn tail is set aside and a `log.recovered` record appended. */
  static reopen(dir: string, options: JournalWriterOptions): { writer: JournalWriter; recovery: Recovery | null } {
    const fileName = options.file ?? JOURNAL_FILE;
    const file = path.join(dir, fileName);
    const recovery = recoverTornTail(file);
    const text = fs.readFileSync(file, 'utf8');
    const lines = text === '' ? [] : text.slice(0, -1).split('\n');
    const last = lines.at(-1);
    if (last === undefined) throw new JournalWriteError(`${file}: the journal is empty; start a new run`);
    const lastRecord = JSON.parse(last) as JournalRecord;
    const runId = lastRecord.run;
    const keyId = options.keyId ?? runId;
    const current = options.keys.loadCurrent(keyId);
    if (!current) throw new JournalWriteError(`${file}: no MAC key for run ${runId} in this key store; the journal cannot be continued here`);
    if (current.index > lines.length) throw new JournalWriteError(`${file}: the MAC key is ahead of the journal (key ${current.index}, ${lines.length} records)`);
    let key = current.key;
    for (let i = current.index; i < lines.length; i++) key = evolveKey(key);
    const fd = fs.openSync(file, 'a', 0o600);
    const writer = new JournalWriter(dir, runId, options.keys, { fd, seq: lines.length, prev: sha256Hex(last), key, lines }, options.io ?? nodeIo, fileName, keyId);
    if (recovery) writer.append('log.recovered', { ...recovery });
    return { writer, recovery };
  }

  /** Writes one record and fsyncs it; throws JournalWriteError (and refuses all later appends) on failure. */
  append(type: RecordType, data: Record<string, unknown>): AppendedRecord {
    if (this.failure) throw new JournalWriteError(`journal unusable after an earlier write failure: ${this.failure.message}`);
    const unsigned: Omit<JournalRecord, 'mac'> = { seq: this.seq, run: this.runId, type, ...now(), data, prev: this.prev };
    const mac = recordMac(this.key, unsignedLine(unsigned));
    const line = recordLine({ ...unsigned, mac });
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    try {
      let offset = 0;
      while (offset < bytes.length) offset += this.io.writeSync(this.fd, bytes, offset, bytes.length - offset);
      this.io.fsyncSync(this.fd);
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      this.failure = new JournalWriteError(`${this.file}: ${err.code ?? 'write failed'}: ${err.message}; the run stops here (nothing after this is run)`);
      throw this.failure;
    }
    const next = evolveKey(this.key);
    this.key.fill(0);
    this.key = next;
    try {
      this.keys.saveCurrent(this.keyId, { index: this.seq + 1, key: this.key });
    } catch (error) {
      this.failure = new JournalWriteError(`MAC key store: ${(error as Error).message}; the run stops here`);
      throw this.failure;
    }
    const hash = sha256Hex(line);
    this.prev = hash;
    this.lines.push(line);
    return { seq: this.seq++, hash, line };
  }

  close(): void {
    fs.closeSync(this.fd);
    this.keys.close(this.keyId);
    this.key.fill(0);
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
