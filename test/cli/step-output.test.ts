// How `runbook run` prints a block's output (src/cli/step-output.ts), on an instrumented sink: each line
// behind its gutter, control sequences shown and inert, one write per chunk of output (never one per
// line), and backpressure: when the sink says it is full, the printer's promise waits for 'drain'.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { StepOutputPrinter, type TerminalSink, plainAscii } from '../../src/cli/step-output.js';

/** A sink that records each write; `full` makes write() answer false (a pipe whose reader is behind). */
class RecordingSink extends EventEmitter implements TerminalSink {
  writes: Buffer[] = [];
  full = false;

  write(text: string, encoding: 'latin1' | 'utf8'): boolean {
    this.writes.push(Buffer.from(text, encoding));
    return !this.full;
  }

  get text(): string {
    return Buffer.concat(this.writes).toString('utf8');
  }
}

const bytes = (text: string | Buffer) => (typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

describe('step output on the terminal', () => {
  it('puts each line behind its gutter: stdout, "! " for stderr, "» " for notes', async () => {
    const sink = new RecordingSink();
    const printer = new StepOutputPrinter(sink);
    await printer.output('stdout', bytes('one\ntwo\n\nfour\n'));
    await printer.output('stderr', bytes('oops\n'));
    await printer.output('info', bytes('NOTICE: x\n'));
    await printer.endBlock();
    expect(sink.text).toBe('  │ one\n  │ two\n  │ \n  │ four\n  │ ! oops\n  │ » NOTICE: x\n');
  });

  it('joins a line cut between chunks, ends a stream\'s open line before another stream\'s, and the last line at the end', async () => {
    const sink = new RecordingSink();
    const printer = new StepOutputPrinter(sink);
    await printer.output('stdout', bytes('hel'));
    await printer.output('stdout', bytes('lo\nwor'));
    await printer.output('stderr', bytes('err'));
    await printer.output('stdout', bytes('ld'));
    await printer.endBlock();
    expect(sink.text).toBe('  │ hello\n  │ wor\n  │ ! err\n  │ ld\n');
  });

  it('shows control sequences instead of obeying them; a character cut between chunks stays whole; invalid UTF-8 shows as U+FFFD', async () => {
    const sink = new RecordingSink();
    const printer = new StepOutputPrinter(sink);
    await printer.output('stdout', bytes('\x1b]52;c;Zm9v\x07title\n'));
    await printer.output('stdout', Buffer.from([0x6e, 0x75, 0x6c, 0x00, 0x0a]));
    await printer.output('stdout', bytes('over\rwrite\n'));
    await printer.output('stdout', bytes('crlf\r'));
    await printer.output('stdout', bytes('\nnext\n'));
    const euro = Buffer.from('€\n');
    await printer.output('stdout', euro.subarray(0, 1));
    await printer.output('stdout', euro.subarray(1));
    await printer.output('stdout', Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x0a, 0xe2, 0x82]));
    await printer.endBlock();
    expect(sink.text).toBe(['  │ ␛]52;c;Zm9v␇title', '  │ nul␀', '  │ over␍write', '  │ crlf\r', '  │ next', '  │ €', '  │ bad\uFFFD\uFFFD', '  │ \uFFFD', ''].join('\n'));
  });

  it('writes once per chunk, however many lines it holds', async () => {
    const sink = new RecordingSink();
    const printer = new StepOutputPrinter(sink);
    const lines = Array.from({ length: 10_000 }, (_, i) => `line ${i}\n`).join('');
    const chunk = Buffer.from(lines);
    // As a pipe delivers it: 64 KiB at a time.
    let chunks = 0;
    for (let at = 0; at < chunk.length; at += 65_536, chunks++) await printer.output('stdout', chunk.subarray(at, at + 65_536));
    await printer.endBlock();
    expect(sink.writes.length).toBeLessThanOrEqual(chunks + 1);
    expect(sink.text).toBe(lines.replace(/^/gm, '  │ ').replace(/  │ $/, ''));
  });

  it('waits for the sink to drain when it is full, and loses nothing', async () => {
    const sink = new RecordingSink();
    const printer = new StepOutputPrinter(sink);
    expect(printer.output('stdout', bytes('first\n'))).toBeUndefined();
    sink.full = true;
    const waiting = printer.output('stdout', bytes('second\n'));
    expect(waiting).toBeInstanceOf(Promise);
    let drained = false;
    void (waiting as Promise<void>).then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    sink.full = false;
    sink.emit('drain');
    await waiting;
    expect(drained).toBe(true);
    expect(sink.text).toBe('  │ first\n  │ second\n');
  });

  it('writes nothing once the terminal is gone', async () => {
    const sink = new RecordingSink();
    let open = true;
    const printer = new StepOutputPrinter(sink, () => open);
    await printer.output('stdout', bytes('seen\n'));
    open = false;
    await printer.output('stdout', bytes('not seen\n'));
    await printer.endBlock();
    expect(sink.text).toBe('  │ seen\n');
  });

  it('takes the fast path only for printable ASCII, TAB and LF', () => {
    expect(plainAscii(Buffer.from('plain text\twith tabs\n'))).toBe(true);
    for (const b of [0x00, 0x07, 0x08, 0x0b, 0x0c, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0xc3, 0xff]) {
      // Anywhere in the chunk, at every offset of a word.
      for (let at = 0; at < 9; at++) {
        const chunk = Buffer.from('abcdefghij');
        chunk[at] = b;
        expect(plainAscii(chunk), `byte 0x${b.toString(16)} at ${at}`).toBe(false);
      }
    }
  });
});
