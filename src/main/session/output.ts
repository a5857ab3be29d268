// Keeps a block's complete output on disk (a 200 MB step must not sit in memory) with a timestamped chunk
// index, and a bounded tail in memory for display and for checking expectations.
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

export const DISPLAY_TAIL_CHARS = 64 * 1024;
/** Stdout kept in memory for "expect.stdout" checks; beyond it the check sees the last part only. */
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

export class OutputRecorder {
  private fd = -1;
  private indexFd = -1;
  private readonly io: OutputIo;
  private readonly onFailure: ((failure: string) => void) | undefined;
  private failed: string | null = null;
  private failedAt: Exclude<OutputFailureCode, 'blobs'> | null = null;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private readonly streams = {
    stdout: { hash: createHash('sha256'), bytes: 0 },
    stderr: { hash: createHash('sha256'), bytes: 0 },
    info: { hash: createHash('sha256'), bytes: 0 },
  };
  // Recent chunks, not concatenated strings: joining on every chunk made garbage proportional to the output.
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

  write(chunk: OutputChunk): void {
    const data = Buffer.from(chunk.data, 'utf8');
    // Shown and checked all the same; on disk only while the disk takes it.
    this.tail.push(chunk.data);
    if (chunk.stream === 'stdout') this.stdout.push(chunk.data);
    if (this.failed) return;
    const written = this.writeAll(this.fd, data, 'write');
    if (written > 0) {
      const part = written === data.length ? data : data.subarray(0, written);
      this.writeAll(this.indexFd, Buffer.from(`${JSON.stringify({ at: chunk.at, stream: chunk.stream, offset: this.bytes, bytes: written })}\n`), 'write');
      this.hash.update(part);
      this.bytes += written;
      const stream = this.streams[chunk.stream];
      stream.hash.update(part);
      stream.bytes += written;
    }
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
    const digest = (s: { hash: ReturnType<typeof createHash>; bytes: number }): StreamDigest => ({ bytes: s.bytes, sha256: s.hash.digest('hex') });
    return {
      file: this.file,
      indexFile: this.indexFile,
      bytes: this.bytes,
      sha256: this.hash.digest('hex'),
      streams: { stdout: digest(this.streams.stdout), stderr: digest(this.streams.stderr), info: digest(this.streams.info) },
      tail: this.tail.text(),
      stdout: this.stdout.text(),
      stdoutTruncated: this.stdout.dropped,
      failure: this.failed,
      failureCode: this.failedAt,
    };
  }
}

/** The last `limit` characters of a stream, kept as the chunks that hold them. */
class ChunkWindow {
  private readonly chunks: string[] = [];
  private length = 0;
  dropped = false;

  constructor(private readonly limit: number) {}

  push(data: string): void {
    this.chunks.push(data);
    this.length += data.length;
    while (this.chunks.length > 1 && this.length - (this.chunks[0] as string).length >= this.limit) {
      this.length -= (this.chunks.shift() as string).length;
      this.dropped = true;
    }
  }

  text(): string {
    const all = this.chunks.join('');
    if (all.length > this.limit) this.dropped = true;
    return all.slice(-this.limit);
  }
}
