// Output chunks of a byte stream (a process's stdout or stderr) as executors report them: the exact bytes,
// and their text for whoever shows it. The text of an all-ASCII chunk is made only when someone asks for
// it, so a consumer that works on the bytes (the recorder, the CLI) never pays for decoding.
import { Utf8Stream } from '../util/utf8-stream.js';
import { type OutputChunk, nowIso } from './types.js';

const NO_BYTES = new Uint8Array(0);

/**
 * A chunk whose text is its bytes one per character (all ASCII, nothing held back before it), made only
 * when read. A class, not an object literal with a getter: a closure per chunk made V8 keep the chunks
 * (and their 64 KiB of output each) alive until a full collection, doubling the memory a large output took.
 */
class AsciiChunk implements OutputChunk {
  private text: string | undefined;

  constructor(
    readonly stream: OutputChunk['stream'],
    readonly bytes: Uint8Array,
    readonly at: string,
  ) {}

  get data(): string {
    this.text ??= Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('latin1');
    return this.text;
  }
}

/** A chunk of `stream`; `text` is that stream's decoder (one per stream, fed every chunk in order). */
export function byteChunk(stream: OutputChunk['stream'], bytes: Uint8Array, text: Utf8Stream, at: string = nowIso()): OutputChunk {
  if (text.idle && Utf8Stream.isPlain(bytes)) return new AsciiChunk(stream, bytes, at);
  return { stream, bytes, at, data: text.write(bytes) };
}

/** At the end of a stream: the text of a character its last bytes left incomplete (no bytes), or null. */
export function endChunk(stream: OutputChunk['stream'], text: Utf8Stream, at: string = nowIso()): OutputChunk | null {
  const rest = text.end();
  return rest ? { stream, bytes: NO_BYTES, at, data: rest } : null;
}

/** Whether a consumer's answer asks to wait (a promise); anything else it returns means go on. */
export function isPending(answer: unknown): answer is PromiseLike<unknown> {
  return typeof (answer as PromiseLike<unknown> | null | undefined)?.then === 'function';
}

/** A byte stream executors read output from: a child's stdout or stderr, an ssh channel or its stderr. */
export interface ByteSource {
  read(size?: number): Buffer | null;
  readonly readableLength: number;
  on(event: 'readable', listener: () => void): unknown;
}

/**
 * The most a chunk holds. A stream read when its consumer catches up could hand over all it buffered (an
 * ssh channel up to its 2 MiB window); consumers turn chunks into text, and text this size stays in V8's
 * young generation, which is collected soon and cheaply, where megabyte strings would wait for a full
 * collection.
 */
export const MAX_CHUNK_BYTES = 64 * 1024;

/**
 * Reads `source` as its data arrives and hands it to `deliver` in chunks of at most MAX_CHUNK_BYTES, in
 * order. When `deliver` answers with a promise, nothing more is read until it settles (backpressure): the
 * stream's buffer fills, node stops reading the pipe or channel, and the process writing it waits. Paused
 * mode (read() on 'readable'), not pause() and resume() on 'data': nothing is handed over unless this loop
 * asks for it. The stream ends ('end') only once everything was handed over.
 */
export function pump(source: ByteSource, deliver: (data: Buffer) => unknown): void {
  let held = false;
  const take = (): void => {
    while (!held) {
      // What is buffered, up to a chunk (read() with no size would join all of it into one buffer); with
      // nothing buffered, read() notices the end.
      const size = Math.min(source.readableLength, MAX_CHUNK_BYTES);
      const data = size > 0 ? source.read(size) : source.read();
      if (data === null) return;
      const answer = deliver(data);
      if (isPending(answer)) {
        held = true;
        const go = () => {
          held = false;
          take();
        };
        answer.then(go, go);
      }
    }
  };
  source.on('readable', take);
}
