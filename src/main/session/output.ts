// Keeps a block's complete output on disk (a 200 MB step must not sit in memory) with a timestamped chunk
// index, and a bounded tail in memory for display and for checking expectations. The file holds the exact
// bytes the step wrote (secrets masked), hashed as they are written: one write per chunk as it arrives,
// never one per line, and nothing of it is held here beyond the tails.
//
// Writing never throws: output arrives in the executor's event handlers, where an exception would end the
// process with a stack trace and leave the step running unsupervised. A failed open, write or fsync
// (ENOSPC, EIO) is kept as `failure`, reported once through onFailure (the session stops the step), and
// what reached the file is exactly what the hashes cover.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import path from 'node:path';
import { type WriterIo, faultInjectingIo } from '../audit/fault-injection.js';
import type { OutputFailureCode } from '../audit/records/codes.js';
import type { OutputChunk } from '../targets/types.js';

/** The tail of the output kept for display (characters, or bytes of output that is not ASCII). */
export const DISPLAY_TAIL_CHARS = 64 * 1024;
/**
 * Stdout kept in memory for "expect.stdout" checks; beyond it the check sees the last part only (that many
 * characters of ASCII output, that many bytes of other output).
 */
export const CHECK_STDOUT_CHARS = 4 * 1024 * 1024;

/** The file operations the recorder uses; tests inject failures (ENOSPC, EIO) through this. */
export type OutputIo = WriterIo;

const nodeIo = faultInjectingIo('output');

// A new file, never through a symbolic link planted where the output goes.
const OPEN_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | (fs.constants.O_NOFOLLOW ?? 0);

export interface StreamDigest {
  bytes: number;
  sha256: string;
}

export interface RecordedOutput {
  file: string;
  indexFile: string;
  /** The whole output file (all streams as they arrived). */
  bytes: number;
  sha256: string;
  /** Each stream on its own, for the record. */
  streams: Record<OutputChunk['stream'], StreamDigest>;
  tail: string;
  stdout: string;
  stdoutTruncated: boolean;
  /** Why the output is incomplete on disk (a failed open, write or fsync), or null. */
  failure: string | null;
  /** What failed: the journal's code for it, beside `failure`'s words (null with it). */
  failureCode: Exclude<OutputFailureCode, 'blobs'> | null;
}

type Hash = ReturnType<typeof createHash>;

export class OutputRecorder {
  private fd = -1;
  private indexFd = -1;
  private readonly io: OutputIo;
  private readonly onFailure: ((failure: string) => void) | undefined;
  private failed: string | null = null;
  private failedAt: Exclude<OutputFailureCode, 'blobs'> | null = null;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  /**
   * Each stream's bytes and hash. While only one stream has written, its hash is the whole file's (kept
   * once, not twice); the first chunk of a second stream forks it off (hash.copy()).
   */
  private readonly streams: Record<OutputChunk['stream'], { hash: Hash | null; bytes: number }> = {
    stdout: { hash: null, bytes: 0 },
    stderr: { hash: null, bytes: 0 },
    info: { hash: null, bytes: 0 },
  };
  private solo: OutputChunk['stream'] | null = null;
  private many = false;
  // Recent chunks, not concatenated: joining on every chunk made garbage proportional to the output.
  private readonly tail = new ChunkWindow(DISPLAY_TAIL_CHARS);
  private readonly stdout = new ChunkWindow(CHECK_STDOUT_CHARS);
  readonly file: string;
  readonly indexFile: string;

  constructor(dir: string, name: string, options: { io?: OutputIo; onFailure?: (failure: string) => void } = {}) {
    this.io = options.io ?? nodeIo;
    this.onFailure = options.onFailure;
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 150);
    this.file = path.join(dir, `${safe}.out`);
    this.indexFile = path.join(dir, `${safe}.chunks.jsonl`);
    try {
      fs.mkdirSync(dir, { recursive: true });
      this.fd = this.io.openSync(this.file, OPEN_FLAGS, 0o600);
      this.indexFd = this.io.openSync(this.indexFile, OPEN_FLAGS, 0o600);
    } catch (error) {
      this.fail('open', error);
    }
  }

  /** Why the output could not be kept, once it could not; null while all is well. */
  get failure(): string | null {
    return this.failed;
  }

  /** One chunk: its bytes (its text as UTF-8 when it has none) go to the file in one write. */
  write(chunk: { stream: OutputChunk['stream']; at: string; bytes?: Uint8Array; data?: string }): void {
    const bytes = chunk.bytes ?? Buffer.from(chunk.data ?? '', 'utf8');
    if (bytes.length === 0) return;
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Shown and checked all the same; on disk only while the disk takes it.
    this.tail.push(data);
    if (chunk.stream === 'stdout') this.stdout.push(data);
    if (this.failed) return;
    const written = this.writeAll(this.fd, data, 'write');
    if (written > 0) {
      const part = written === data.length ? data : data.subarray(0, written);
      this.writeAll(this.indexFd, Buffer.from(`${JSON.stringify({ at: chunk.at, stream: chunk.stream, offset: this.bytes, bytes: written })}\n`), 'write');
      this.hashPart(chunk.stream, part);
    }
  }

  private hashPart(name: OutputChunk['stream'], part: Buffer): void {
    const stream = this.streams[name];
    if (!this.many && this.solo !== name) {
      if (this.solo === null) this.solo = name;
      else {
        // A second stream: the first one's hash so far is the whole file's so far.
        this.streams[this.solo].hash = this.hash.copy();
        this.many = true;
      }
    }
    this.hash.update(part);
    this.bytes += part.length;
    if (this.many) (stream.hash ??= createHash('sha256')).update(part);
    stream.bytes += part.length;
  }

  /** Writes all of `data` (a write may take part of it); returns how much reached the file before a failure. */
  private writeAll(fd: number, data: Buffer, op: 'write'): number {
    let offset = 0;
    try {
      while (offset < data.length) offset += this.io.writeSync(fd, data, offset, data.length - offset);
    } catch (error) {
      this.fail(op, error);
    }
    return offset;
  }

  private fail(op: Exclude<OutputFailureCode, 'blobs'>, error: unknown): void {
    if (this.failed) return;
    this.failedAt = op;
    const err = error as NodeJS.ErrnoException;
    const what = err.message.startsWith(`${err.code}:`) ? err.message : `${err.code ? `${err.code}: ` : ''}${err.message}`;
    this.failed = `${op} ${path.basename(this.file)}: ${what}`;
    this.onFailure?.(this.failed);
  }

  /** Flushes the files to disk (the run record refers to them by hash) and closes them. */
  close(): RecordedOutput {
    for (const fd of [this.fd, this.indexFd]) {
      if (fd < 0) continue;
      try {
        this.io.fsyncSync(fd);
      } catch (error) {
        this.fail('fsync', error);
      }
      try {
        fs.closeSync(fd);
      } catch {
        // Closing cannot lose more than the fsync already reported.
      }
    }
    this.fd = -1;
    this.indexFd = -1;
    const whole = this.hash.digest('hex');
    const digest = (name: OutputChunk['stream']): StreamDigest => {
      const s = this.streams[name];
      if (!this.many && this.solo === name) return { bytes: s.bytes, sha256: whole };
      return { bytes: s.bytes, sha256: (s.hash ?? createHash('sha256')).digest('hex') };
    };
    const stdout = this.stdout.text();
    return {
      file: this.file,
      indexFile: this.indexFile,
      bytes: this.bytes,
      sha256: whole,
      streams: { stdout: digest('stdout'), stderr: digest('stderr'), info: digest('info') },
      tail: this.tail.text(),
      stdout,
      stdoutTruncated: this.stdout.dropped,
      failure: this.failed,
      failureCode: this.failedAt,
    };
  }
}

/**
 * The last `limit` bytes of a byte stream, copied into a ring of its own (allocated as the output grows,
 * to at most `limit` bytes), so that no chunk of output is kept alive by it: the chunks die young, and
 * their memory goes back at the next minor collection. Decoded as UTF-8 and cut to the last `limit`
 * characters when asked for: an ASCII tail is exactly the last `limit` characters; other text may come out
 * shorter (never longer), always starting on a whole character.
 */
class ChunkWindow {
  private ring = Buffer.alloc(0);
  /** Bytes pushed so far; the ring holds the last min(total, limit) of them. */
  private total = 0;
  dropped = false;

  constructor(private readonly limit: number) {}

  push(data: Buffer): void {
    if (data.length === 0) return;
    const needed = Math.min(this.limit, this.total + data.length);
    if (this.ring.length < needed) {
      // Grow (by doubling, up to the limit) while the ring has not wrapped yet: its bytes are in order.
      const bigger = Buffer.allocUnsafe(Math.min(this.limit, Math.max(needed, 2 * this.ring.length, 64 * 1024)));
      this.ring.copy(bigger, 0, 0, this.total);
      this.ring = bigger;
    }
    const size = this.ring.length;
    const part = data.length > size ? data.subarray(data.length - size) : data;
    let at = (this.total + (data.length - part.length)) % size;
    let from = 0;
    while (from < part.length) {
      const n = Math.min(part.length - from, size - at);
      part.copy(this.ring, at, from, from + n);
      from += n;
      at = (at + n) % size;
    }
    this.total += data.length;
    if (this.total > this.limit) this.dropped = true;
  }

  /** The bytes held, oldest first. */
  private bytes(): Buffer {
    const size = this.ring.length;
    if (this.total <= size) return this.ring.subarray(0, this.total);
    const start = this.total % size;
    return Buffer.concat([this.ring.subarray(start), this.ring.subarray(0, start)]);
  }

  text(): string {
    let bytes = this.bytes();
    if (this.dropped) {
      // Start on a whole character, not inside one cut off at the front.
      let start = 0;
      while (start < 3 && start < bytes.length && ((bytes[start] as number) & 0xc0) === 0x80) start++;
      bytes = bytes.subarray(start);
    }
    const all = bytes.toString('utf8');
    return all.length > this.limit ? all.slice(-this.limit) : all;
  }
}
