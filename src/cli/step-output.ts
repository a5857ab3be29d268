// A block's output on the operator's terminal, under its step: each line behind the block's gutter
// ("  │ ", "! " for stderr, "» " for notes), control sequences shown, never obeyed (terminal-output.ts).
// One write per chunk of output, never one per line; when the terminal (or the pipe, or the file) does
// not keep up, write() says so and the caller waits for 'drain' before more output is read from the step.
import { Utf8Stream } from '../main/util/utf8-stream.js';
import { forTerminal } from './terminal-output.js';

type Stream = 'stdout' | 'stderr' | 'info';

/** The part of a Writable the printer uses (process.stdout; a test's recorder). */
export interface TerminalSink {
  write(text: string, encoding: 'latin1' | 'utf8'): boolean;
  once(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
  off?(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
}

const GUTTER: Record<Stream, string> = { stdout: '  │ ', stderr: '  │ ! ', info: '  │ » ' };
/** The gutters as their UTF-8 bytes held one per character, for text that is plain ASCII (latin1). */
const GUTTER_BYTES: Record<Stream, string> = {
  stdout: Buffer.from(GUTTER.stdout).toString('latin1'),
  stderr: Buffer.from(GUTTER.stderr).toString('latin1'),
  info: Buffer.from(GUTTER.info).toString('latin1'),
};

const TAB = 9;
const LF = 10;
const DEL = 127;

/** Control bytes a terminal would act on (TAB and LF are shown as they are; 0x80 and up: isAscii). */
const CONTROLS = [...Array.from({ length: 32 }, (_, b) => b).filter((b) => b !== TAB && b !== LF), DEL];

/**
 * Whether the bytes are plain text a terminal shows as it is: printable ASCII, TAB and LF only. Each test
 * is a native scan (simdutf's ASCII check, memchr per control byte): no JavaScript loop over the bytes.
 */
export function plainAscii(bytes: Uint8Array): boolean {
  if (!Utf8Stream.isPlain(bytes)) return false;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const control of CONTROLS) if (buffer.indexOf(control) >= 0) return false;
  return true;
}

export class StepOutputPrinter {
  /** Whether the terminal is at the start of a line; and which stream's line is open if not. */
  private open: Stream | null = null;
  /** Waiting for 'drain'; released() ends every wait (an interrupted run must not wait on a stuck reader). */
  private readonly waits = new Set<() => void>();
  private released = false;
  private readonly texts: Record<Stream, Utf8Stream> = { stdout: new Utf8Stream(), stderr: new Utf8Stream(), info: new Utf8Stream() };
  /** A CR at the end of a chunk, held until the next shows whether it ends a line (CRLF) or not. */
  private readonly cr: Record<Stream, boolean> = { stdout: false, stderr: false, info: false };

  constructor(private readonly sink: TerminalSink, private readonly canWrite: () => boolean = () => true) {}

  /** Prints a chunk of a block's output; resolves once the sink can take more, when it is behind. */
  output(stream: Stream, bytes: Uint8Array): void | Promise<void> {
    if (bytes.length === 0) return;
    let text: string;
    let latin1: boolean;
    if (this.texts[stream].idle && !this.cr[stream] && plainAscii(bytes)) {
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
      latin1 = true;
    } else {
      text = (this.cr[stream] ? '\r' : '') + this.texts[stream].write(bytes);
      this.cr[stream] = text.endsWith('\r');
      if (this.cr[stream]) text = text.slice(0, -1);
      text = forTerminal(text);
      latin1 = false;
    }
    return this.print(stream, text, latin1);
  }

  /** The end of a block's output: what a stream still holds, and the last line ended. */
  endBlock(): void | Promise<void> {
    let pending: void | Promise<void> = undefined;
    for (const stream of ['stdout', 'stderr', 'info'] as const) {
      const rest = (this.cr[stream] ? '\r' : '') + this.texts[stream].end();
      this.cr[stream] = false;
      if (rest) pending = this.print(stream, forTerminal(rest), false) ?? pending;
    }
    if (this.open !== null) {
      this.open = null;
      pending = this.send('\n', true) ?? pending;
    }
    return pending;
  }

  /**
   * Stops waiting for the terminal, now and from now on: an interrupted run stops its step and seals its
   * record whether or not whoever reads standard output (a pager left open) takes what was printed.
   */
  release(): void {
    this.released = true;
    for (const done of [...this.waits]) done();
  }

  /** Prefixes each line with its gutter; `latin1`: the text is bytes, one per character. */
  private print(stream: Stream, text: string, latin1: boolean): void | Promise<void> {
    if (!text) return;
    const gutter = latin1 ? GUTTER_BYTES[stream] : GUTTER[stream];
    let out = '';
    if (this.open !== stream) {
      // Another stream's line is open: end it first (the output is interleaved).
      if (this.open !== null) out = '\n';
      out += gutter;
    }
    const ends = text.charCodeAt(text.length - 1) === LF;
    const body = ends ? text.slice(0, -1) : text;
    out += body.includes('\n') ? body.replaceAll('\n', `\n${gutter}`) : body;
    if (ends) out += '\n';
    this.open = ends ? null : stream;
    return this.send(out, latin1);
  }

  private send(text: string, latin1: boolean): void | Promise<void> {
    if (!this.canWrite()) return;
    // A string, not a Buffer: node encodes it straight into the write (no copy for the garbage collector).
    if (this.sink.write(text, latin1 ? 'latin1' : 'utf8') || this.released) return;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.waits.delete(done);
        this.sink.off?.('drain', done);
        this.sink.off?.('close', done);
        this.sink.off?.('error', done);
        resolve();
      };
      this.waits.add(done);
      this.sink.once('drain', done);
      // A terminal that went away never drains; the run's EPIPE handling takes it from there.
      this.sink.once('close', done);
      this.sink.once('error', done);
    });
  }
}
