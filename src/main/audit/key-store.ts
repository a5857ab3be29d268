// Where the MAC chain's keys live for the CLI and tests: 0600 files in a 0700 directory outside the run's
// journal directory. The current key is overwritten in place (fixed size, one sector) after every record
// (or group of records) and flushed when the run's journal closes, not after each write: a power cut can
// leave an older key on disk, which reopening evolves forward (its index never runs ahead of the journal,
// whose records are each flushed first), as the OS secret store's written-behind keys are. A flush per
// record protected nothing more: the verification key K_0 is kept beside it (<run>.verification) so that
// an export can release it as mac-key.txt, and every later key follows from K_0, so the chain is not
// forward-secure against whoever can read this directory (docs/audit.md, "Integrity layers").
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import { fsyncDir } from './journal-writer.js';

const KEY_BYTES = 32;
const RECORD_BYTES = 8 + KEY_BYTES;
const RUN_ID = /^[A-Za-z0-9-]{8,64}$/;

export interface CurrentKey {
  /** The index of the next record this key will MAC. */
  index: number;
  key: Buffer;
}

export interface MacKeyStore {
  /** Creates K_0 for a new run and returns it. */
  create(runId: string): Buffer;
  /** The key for the next record, as last saved; null when this store never held the run's keys. */
  loadCurrent(runId: string): CurrentKey | null;
  /** Replaces the current key (the previous one is gone once this returns). */
  saveCurrent(runId: string, current: CurrentKey): void;
  verificationKey(runId: string): Buffer | null;
  close(runId: string): void;
}

/** Where this installation keeps its keys: $RUNBOOK_CONSOLE_KEY_DIR, else <data dir>/keys. */
export function keyRoot(env: Record<string, string | undefined> = process.env): string {
  return env.RUNBOOK_CONSOLE_KEY_DIR ?? path.join(envPaths('runbook-console', { suffix: '' }).data, 'keys');
}

export function defaultKeyDir(env: Record<string, string | undefined> = process.env): string {
  return path.join(keyRoot(env), 'mac');
}

export class FileMacKeyStore implements MacKeyStore {
  private readonly open = new Map<string, number>();

  constructor(readonly dir: string = defaultKeyDir()) {}

  private file(runId: string, kind: 'current' | 'verification'): string {
    if (!RUN_ID.test(runId)) throw new Error(`run id "${runId}" is not a valid run id`);
    return path.join(this.dir, `${runId}.${kind}`);
  }

  create(runId: string): Buffer {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const key = randomBytes(KEY_BYTES);
    const fd = openSync(this.file(runId, 'verification'), 'wx', 0o600);
    try {
      writeSync(fd, key.toString('hex'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.saveCurrent(runId, { index: 0, key: Buffer.from(key) });
    // Both files and their names are on disk before the journal's first record: later writes of the current
    // key overwrite it in place and are synced at close.
    fdatasyncSync(this.open.get(runId) as number);
    fsyncDir(this.dir);
    return key;
  }

  loadCurrent(runId: string): CurrentKey | null {
    let raw: Buffer;
    try {
      raw = readFileSync(this.file(runId, 'current'));
    } catch {
      return null;
    }
    if (raw.length !== RECORD_BYTES) throw new Error(`${this.file(runId, 'current')}: not a MAC key file (${raw.length} bytes)`);
    return { index: Number(raw.readBigUInt64BE(0)), key: Buffer.from(raw.subarray(8)) };
  }

  saveCurrent(runId: string, current: CurrentKey): void {
    let fd = this.open.get(runId);
    if (fd === undefined) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      fd = openSync(this.file(runId, 'current'), 'a+', 0o600);
      closeSync(fd);
      fd = openSync(this.file(runId, 'current'), 'r+');
      this.open.set(runId, fd);
    }
    const record = Buffer.alloc(RECORD_BYTES);
    record.writeBigUInt64BE(BigInt(current.index), 0);
    current.key.copy(record, 8);
    writeSync(fd, record, 0, RECORD_BYTES, 0);
    record.fill(0);
  }

  verificationKey(runId: string): Buffer | null {
    try {
      const hex = readFileSync(this.file(runId, 'verification'), 'utf8').trim();
      return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
    } catch {
      return null;
    }
  }

  close(runId: string): void {
    const fd = this.open.get(runId);
    this.open.delete(runId);
    if (fd === undefined) return;
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
