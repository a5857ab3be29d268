// The text of a byte stream read in chunks (src/main/util/utf8-stream.ts), as the session and the terminal
// show output: whatever the chunks, the text is what UTF-8 makes of all the bytes at once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Utf8Stream, incompleteTail } from '../../src/main/util/utf8-stream.js';

describe('Utf8Stream', () => {
  it('keeps a character cut between chunks whole, and shows an incomplete one at the end as U+FFFD', () => {
    const euro = Buffer.from('€');
    const s = new Utf8Stream();
    expect(s.write(Buffer.from([0x61, euro[0] as number]))).toBe('a');
    expect(s.idle).toBe(false);
    expect(s.write(euro.subarray(1, 2))).toBe('');
    expect(s.write(euro.subarray(2))).toBe('€');
    expect(s.idle).toBe(true);
    expect(s.write(Buffer.from([0xe2, 0x82]))).toBe('');
    expect(s.end()).toBe('\uFFFD');
  });

  it('finds where an incomplete sequence starts', () => {
    expect(incompleteTail(Buffer.from('abc'))).toBe(3);
    expect(incompleteTail(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1);
    expect(incompleteTail(Buffer.from([0x61, 0xf0, 0x9f, 0x98]))).toBe(1);
    expect(incompleteTail(Buffer.from('a€'))).toBe(4);
    expect(incompleteTail(Buffer.from([0x61, 0xff]))).toBe(2);
  });

  it('property: any bytes, cut anywhere, give the text UTF-8 makes of them all at once', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(200), { maxLength: 10 }), (bytes, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const s = new Utf8Stream();
        let text = '';
        let from = 0;
        for (const at of [...points, bytes.length]) {
          text += s.write(bytes.subarray(from, at));
          from = at;
        }
        text += s.end();
        // ignoreBOM: a leading BOM is text here (TextDecoder's default drops it, Buffer's decoding keeps it).
        expect(text).toBe(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
      }),
    );
  });
});
