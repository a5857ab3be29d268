// Keeps a block's complete output on disk (a 200 MB step must not sit in memory) with a timestamped chunk
// index, and a bounded tail in memory for display and for checking expectations.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { OutputChunk } from '../targets/types.js';

export const DISPLAY_TAIL_CHARS = 64 * 1024;
/** Stdout kept in memory for "expect.stdout" checks; beyond it the check sees the last part only. */
export const CHECK_STDOUT_CHARS = 4 * 1024 * 1024;

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
}

export class OutputRecorder {
  private readonly fd: number;
  private readonly indexFd: number;
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

  constructor(dir: string, name: string) {
    mkdirSync(dir, { recursive: true });
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 150);
    this.file = path.join(dir, `${safe}.out`);
    this.indexFile = path.join(dir, `${safe}.chunks.jsonl`);
    this.fd = openSync(this.file, 'w', 0o600);
    this.indexFd = openSync(this.indexFile, 'w', 0o600);
  }

  write(chunk: OutputChunk): void {
    const data = Buffer.from(chunk.data, 'utf8');
    writeSync(this.fd, data);
    writeSync(this.indexFd, `${JSON.stringify({ at: chunk.at, stream: chunk.stream, offset: this.bytes, bytes: data.length })}\n`);
    this.hash.update(data);
    this.bytes += data.length;
    const stream = this.streams[chunk.stream];
    stream.hash.update(data);
    stream.bytes += data.length;
    this.tail.push(chunk.data);
    if (chunk.stream === 'stdout') this.stdout.push(chunk.data);
  }

  /** Flushes the files to disk (the run record refers to them by hash) and closes them. */
  close(): RecordedOutput {
    fsyncSync(this.fd);
    fsyncSync(this.indexFd);
    closeSync(this.fd);
    closeSync(this.indexFd);
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
