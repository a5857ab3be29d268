// The checkpoint text is what the seal signs, so it must have exactly one spelling: every accepted text
// formats back to itself, and every ambiguous or malformed variant is refused with the line at fault.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Checkpoint, CheckpointFormatError, formatCheckpoint, parseCheckpoint } from '../../src/main/audit/checkpoint.js';
import { rootHash } from '../../src/main/audit/merkle.js';

// The example in the C2SP tlog-checkpoint specification.
const SPEC_EXAMPLE = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

describe('checkpoint text', () => {
  it('parses the specification example', () => {
    const cp = parseCheckpoint(SPEC_EXAMPLE);
    expect(cp).toEqual({ origin: 'example.com/behind-the-sofa', size: 20852163, rootHash: Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64'), extensions: [] });
    expect(formatCheckpoint(cp)).toBe(SPEC_EXAMPLE);
  });

  it('formats a journal checkpoint and keeps extension lines', () => {
    const cp: Checkpoint = { origin: 'runbook-console/host-1/run-42', size: 3, rootHash: rootHash(['a', 'b', 'c']), extensions: ['ext one', 'ext two'] };
    const text = formatCheckpoint(cp);
    expect(text).toBe(`runbook-console/host-1/run-42\n3\n${cp.rootHash.toString('base64')}\next one\next two\n`);
    expect(parseCheckpoint(text)).toEqual(cp);
    expect(parseCheckpoint(Buffer.from(text))).toEqual(cp);
  });

  it('the empty tree has size 0', () => {
    const text = `log\n0\n${Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex').toString('base64')}\n`;
    expect(parseCheckpoint(text).size).toBe(0);
  });

  const root = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
  it.each([
    ['no final newline', `o\n1\n${root}`, 'framing', /end with a newline/],
    ['too few lines', 'o\n1\n', 'framing', /origin, size and root/],
    ['CR LF line ends', `o\r\n1\r\n${root}\r\n`, 'origin', /control character/],
    ['an empty origin', `\n1\n${root}\n`, 'origin', /line 1: origin must not be empty/],
    ['a leading zero', `o\n01\n${root}\n`, 'size', /line 2: .*leading zeros/],
    ['a sign', `o\n+1\n${root}\n`, 'size', /line 2/],
    ['a negative size', `o\n-1\n${root}\n`, 'size', /line 2/],
    ['spaces around the size', `o\n 1\n${root}\n`, 'size', /line 2/],
    ['a size beyond 2^53', `o\n18446744073709551615\n${root}\n`, 'size', /larger than this verifier supports/],
    ['unpadded base64', `o\n1\n${root.slice(0, -1)}\n`, 'root', /line 3: .*canonical/],
    ['URL-safe base64', `o\n1\n${root.replace('/', '_')}\n`, 'root', /line 3/],
    ['base64 with junk', `o\n1\n${root.slice(0, 4)}*${root.slice(4)}\n`, 'root', /line 3/],
    ['a 20-byte root', `o\n1\n${Buffer.alloc(20).toString('base64')}\n`, 'root', /20 bytes/],
    ['an empty extension line (a signed-note separator)', `o\n1\n${root}\n\n`, 'extension', /line 4: .*must not be empty/],
    ['a control character in an extension', `o\n1\n${root}\nx\ty\n`, 'extension', /line 4: .*control character/],
  ])('refuses %s', (_name, text, code, message) => {
    let error: unknown;
    try {
      parseCheckpoint(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CheckpointFormatError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => parseCheckpoint(Buffer.concat([Buffer.from([0xff]), Buffer.from(SPEC_EXAMPLE)]))).toThrow(/not valid UTF-8/);
  });

  it('will not format what it could not parse back', () => {
    const ok: Checkpoint = { origin: 'o', size: 1, rootHash: Buffer.alloc(32), extensions: [] };
    expect(() => formatCheckpoint({ ...ok, origin: 'a\nb' })).toThrow(CheckpointFormatError);
    expect(() => formatCheckpoint({ ...ok, size: -1 })).toThrow(/non-negative integer/);
    expect(() => formatCheckpoint({ ...ok, size: 1.5 })).toThrow(/non-negative integer/);
    expect(() => formatCheckpoint({ ...ok, rootHash: Buffer.alloc(31) })).toThrow(/32 bytes/);
    expect(() => formatCheckpoint({ ...ok, extensions: [''] })).toThrow(/must not be empty/);
  });

  it('round-trips: parse(format(c)) equals c for any valid checkpoint', () => {
    const line = fc.string({ minLength: 1, unit: 'grapheme' }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));
    fc.assert(
      fc.property(line, fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(line, { maxLength: 3 }), (origin, size, root, extensions) => {
        const cp: Checkpoint = { origin, size, rootHash: Buffer.from(root), extensions };
        const text = formatCheckpoint(cp);
        expect(parseCheckpoint(text)).toEqual(cp);
        expect(formatCheckpoint(parseCheckpoint(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});
