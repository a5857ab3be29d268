import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MASK, SecretMasker, encodingsOf } from '../../src/main/session/mask.js';

/** A secret with characters every encoding treats differently: space, slash, &, =, !, non-ASCII. */
const SECRET = 'pg Canary/7f3!x&y=zé?>>~';

/** Feeds `text` to a fresh masker in the chunks cut at `cuts`, and returns all it released. */
function streamed(masker: SecretMasker, text: string, cuts: number[]): string {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  let out = '';
  let from = 0;
  for (const cut of [...at, text.length]) {
    out += masker.push('stdout', text.slice(from, cut));
    from = cut;
  }
  return out + masker.flush('stdout');
}

describe('secret masking', () => {
  it('masks secrets in whole texts, longest first', () => {
    const m = new SecretMasker(['hunter2', 'hunter2-extended']);
    expect(m.mask('pw=hunter2-extended and hunter2')).toBe(`pw=${MASK} and ${MASK}`);
  });

  it('catches a secret split across chunks of a stream', () => {
    const m = new SecretMasker(['s3cr3t-value']);
    const out = [m.push('stdout', 'token: s3c'), m.push('stdout', 'r3t-va'), m.push('stdout', 'lue done\n'), m.flush('stdout')].join('');
    expect(out).toBe(`token: ${MASK} done\n`);
    expect(out).not.toContain('s3c');
  });

  it('releases text at once unless its tail could begin a secret', () => {
    const m = new SecretMasker(['s3cr3t-value']);
    expect(m.push('stdout', 'started\n')).toBe('started\n');
    expect(m.push('stdout', 'key s3c')).toBe('key ');
  });

  it('passes text through untouched when there are no secrets', () => {
    const m = new SecretMasker([]);
    expect(m.push('stdout', 'abc')).toBe('abc');
  });

  it('masks the value base64-encoded: standard and url-safe, with and without padding', () => {
    const m = new SecretMasker([SECRET]);
    const b64 = Buffer.from(SECRET).toString('base64');
    const url = Buffer.from(SECRET).toString('base64url');
    expect(url).not.toBe(b64.replace(/=+$/, '')); // the two alphabets differ for this value
    for (const form of [b64, b64.replace(/=+$/, ''), url, url.padEnd(b64.length, '=')]) {
      const out = m.mask(`Authorization: ${form} end`);
      expect(out, form).toBe(`Authorization: ${MASK} end`);
    }
  });

  it('masks the value inside a longer base64 stream at each of the three alignments (echo "$PW" | base64, env | base64)', () => {
    const m = new SecretMasker([SECRET]);
    for (let before = 0; before < 6; before++) {
      for (const after of ['', '\n', 'xy', '\nHOME=/root\n']) {
        const stream = Buffer.concat([Buffer.from('ABCDEF'.slice(0, before)), Buffer.from(SECRET), Buffer.from(after)]);
        for (const encoded of [stream.toString('base64'), stream.toString('base64url')]) {
          const out = m.mask(encoded);
          expect(out, `${before} bytes before, ${JSON.stringify(after)} after`).toContain(MASK);
          // What is left can hold only the neighbours' bits and at most a few bits of the value's edges.
          expect(out.replaceAll(MASK, '').length).toBeLessThanOrEqual(Math.ceil(((before + Buffer.byteLength(after)) * 8) / 6) + 4);
        }
      }
    }
  });

  it('masks base64 that is wrapped over lines (base64 wraps at 76 columns)', () => {
    const long = `${SECRET}-and-then-some-more-to-cross-a-line-boundary-${SECRET}`;
    const m = new SecretMasker([long]);
    const wrapped = Buffer.from(`X=${long}\n`).toString('base64').replace(/.{76}/g, '$&\n');
    expect(wrapped.split('\n').length).toBeGreaterThan(1);
    const out = m.mask(wrapped);
    expect(out).toContain(MASK);
    expect(out.replace(/\n/g, '').replaceAll(MASK, '').length).toBeLessThanOrEqual(8);
  });

  it('masks the value hex-encoded, lower and upper case, also inside a longer hex dump (xxd -p)', () => {
    const m = new SecretMasker([SECRET]);
    const hex = Buffer.from(SECRET).toString('hex');
    expect(m.mask(`0a${hex}0a`)).toBe(`0a${MASK}0a`);
    expect(m.mask(`0A${hex.toUpperCase()}0A`)).toBe(`0A${MASK}0A`);
  });

  it('masks the value URL-encoded: encodeURIComponent, RFC 3986, form encoding, lower-case escapes', () => {
    const m = new SecretMasker([SECRET]);
    const forms = [
      encodeURIComponent(SECRET),
      encodeURIComponent(SECRET).replace(/!/g, '%21'),
      new URLSearchParams({ p: SECRET }).toString().slice(2),
      encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    ];
    expect(new Set(forms).size).toBe(4);
    for (const form of forms) expect(m.mask(`postgres://app:${form}@db/app`), form).toBe(`postgres://app:${MASK}@db/app`);
  });

  it('masks the value as a JSON string escapes it', () => {
    const secret = 'a"quoted\\secret';
    expect(new SecretMasker([secret]).mask(JSON.stringify({ password: secret }))).toBe(`{"password":"${MASK}"}`);
  });

  it('catches every encoding split across chunks, wherever the cuts fall', () => {
    const forms = [SECRET, ...encodingsOf(SECRET)];
    fc.assert(
      fc.property(fc.constantFrom(...forms), fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.array(fc.nat(), { maxLength: 5 }), (form, before, after, cuts) => {
        const text = `${before.replace(/[A-Za-z0-9+/_%-]/g, ' ')} ${form} ${after.replace(/[A-Za-z0-9+/_%-]/g, ' ')}`;
        const out = streamed(new SecretMasker([SECRET]), text, cuts);
        expect(out).not.toContain(form);
        expect(out).toContain(MASK);
      }),
    );
  });

  it('catches the value at every alignment of a base64 stream cut into chunks anywhere', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 7 }), fc.uint8Array({ maxLength: 7 }), fc.array(fc.nat(), { maxLength: 4 }), (before, after, cuts) => {
        const encoded = Buffer.concat([before, Buffer.from(SECRET), after]).toString('base64');
        const out = streamed(new SecretMasker([SECRET]), encoded, cuts);
        expect(out).toContain(MASK);
        expect(out.replaceAll(MASK, '').length).toBeLessThanOrEqual(Math.ceil(((before.length + after.length) * 8) / 6) + 4);
      }),
    );
  });

  it('masks a longer secret whole when a shorter one is its prefix, across a chunk boundary', () => {
    const m = new SecretMasker(['abcd', 'abcdefgh']);
    expect(m.push('stdout', 'x abcdef') + m.push('stdout', 'gh y') + m.flush('stdout')).toBe(`x ${MASK} y`);
  });

  it('holds back a whole match when the tail that could begin another secret starts inside it', () => {
    const m = new SecretMasker(['secret-one', 'one-secret-two']);
    const out = m.push('stdout', 'x secret-one-secr') + m.push('stdout', 'et-two y') + m.flush('stdout');
    expect(out).toBe(`x ${MASK} y`);
    expect(out).not.toMatch(/one|two|secr/);
  });

  it('masks from add() on, including a tail already held back', () => {
    const m = new SecretMasker([]);
    expect(m.active).toBe(false);
    m.add(['added-credential']);
    expect(m.active).toBe(true);
    const out = m.push('stdout', 'pw added-cre') + m.push('stdout', 'dential!\n') + m.flush('stdout');
    expect(out).toBe(`pw ${MASK}!\n`);
    expect(m.mask(Buffer.from('added-credential').toString('base64'))).toBe(MASK);
  });

  it('leaves short encodings of short values alone: they would mask ordinary words and numbers', () => {
    const m = new SecretMasker(['abc']);
    expect(encodingsOf('abc')).not.toContain('YWJj');
    expect(m.mask('YWJj 616263 abc')).toBe(`YWJj 616263 ${MASK}`);
  });

  it('releases a finished line at once even when its last characters could begin an encoded form', () => {
    const m = new SecretMasker([SECRET]);
    const fragments = encodingsOf(SECRET).filter((f) => /^[A-Za-z0-9+/]+$/.test(f));
    for (const f of fragments) {
      expect(m.push('stdout', `line ending ${f.slice(0, 3)}\n`)).toBe(`line ending ${f.slice(0, 3)}\n`);
    }
  });

  it('streams a megabyte with a long multi-line secret (a private key) in reasonable time', () => {
    const key = `-----BEGIN KEY-----\n${'QUJD'.repeat(300).replace(/.{64}/g, '$&\n')}-----END KEY-----\n`;
    const m = new SecretMasker([key]);
    const chunk = 'lorem ipsum dolor sit amet '.repeat(2400);
    let out = '';
    for (let i = 0; i < 16; i++) out += m.push('stdout', chunk);
    out += m.push('stdout', `here: ${key.slice(0, 700)}`) + m.push('stdout', `${key.slice(700)} done`) + m.flush('stdout');
    expect(out.endsWith(`here: ${MASK}\n done`) || out.endsWith(`here: ${MASK} done`)).toBe(true);
    expect(out.length).toBeGreaterThan(16 * chunk.length);
  });
});

describe('masking structured data (result rows)', () => {
  const masker = new SecretMasker([SECRET, '4711815']);

  it('masks strings, object keys and values at any depth, and array elements', () => {
    const row = [SECRET, { k: `x${SECRET}y`, [SECRET]: 1, nested: [{ deep: SECRET }] }, [SECRET, 'plain']];
    expect(masker.maskData(row)).toEqual([MASK, { k: `x${MASK}y`, [MASK]: 1, nested: [{ deep: MASK }] }, [MASK, 'plain']]);
  });

  it('masks a number or bigint whose digits hold a secret (as text), and bytes recorded as hex', () => {
    expect(masker.maskData(4711815)).toBe(MASK);
    expect(masker.maskData(94711815n)).toBe(`9${MASK}`);
    expect(masker.maskData(Buffer.from(SECRET))).toBe(`\\x${MASK}`);
  });

  it('control: data without a secret comes back as it was (numbers stay numbers, null stays null)', () => {
    const row = [42, 1.5, true, null, 'text', { a: [1, 'b'] }, 12345678901234567890n];
    expect(masker.maskData(row)).toEqual(row);
    const bytes = Buffer.from('no secret here');
    expect(masker.maskData(bytes)).toBe(bytes);
    expect(new SecretMasker().maskData(row)).toBe(row);
  });
});

describe('masking byte streams (a process\'s output, kept exactly)', () => {
  /** Feeds `bytes` to a bytes-mode masker in the chunks cut at `cuts` (byte offsets); all it released. */
  function streamedBytes(masker: SecretMasker, bytes: Buffer, cuts: number[]): Buffer {
    const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const out: Uint8Array[] = [];
    let from = 0;
    for (const cut of [...at, bytes.length]) {
      out.push(masker.pushBytes('stdout', bytes.subarray(from, cut)));
      from = cut;
    }
    out.push(masker.flushBytes('stdout'));
    return Buffer.concat(out);
  }

  it('masks a secret (non-ASCII included) and its encodings, cut anywhere, even between the bytes of one character', () => {
    const text = `before ${SECRET} mid ${Buffer.from(SECRET).toString('base64')} after ${Buffer.from(SECRET).toString('hex')}\n`;
    const expected = Buffer.from(`before ${MASK} mid ${MASK} after ${MASK}\n`);
    const bytes = Buffer.from(text);
    // é is two bytes: cut between them too.
    const inside = bytes.indexOf(Buffer.from('é')) + 1;
    for (const cuts of [[], [inside], [3, inside, inside + 5, 40], [1, 2, 3, 4, 5, 60, 61]]) {
      expect(streamedBytes(new SecretMasker([SECRET], { bytes: true }), bytes, cuts)).toEqual(expected);
    }
  });

  it('keeps every other byte as it was: NUL, CR, invalid UTF-8 next to the secret', () => {
    const bytes = Buffer.concat([Buffer.from([0x00, 0xff, 0x0d]), Buffer.from(SECRET), Buffer.from([0xfe, 0xe2, 0x82])]);
    const expected = Buffer.concat([Buffer.from([0x00, 0xff, 0x0d]), Buffer.from(MASK), Buffer.from([0xfe, 0xe2, 0x82])]);
    expect(streamedBytes(new SecretMasker([SECRET], { bytes: true }), bytes, [2, 9])).toEqual(expected);
  });

  it('hands back the chunk itself, not a copy, while there is nothing to mask', () => {
    const masker = new SecretMasker([], { bytes: true });
    const chunk = Buffer.from('no secrets here\n');
    expect(masker.pushBytes('stdout', chunk)).toBe(chunk);
  });

  it('property: what it releases is the text masker\'s result, as UTF-8 bytes, for valid text cut anywhere', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), fc.array(fc.nat(300), { maxLength: 8 }), (a, b, cuts) => {
        const text = `${a}${SECRET}${b}`;
        const bytes = streamedBytes(new SecretMasker([SECRET], { bytes: true }), Buffer.from(text), cuts);
        expect(bytes.toString('utf8')).toBe(new SecretMasker([SECRET]).mask(text));
      }),
    );
  });
});
