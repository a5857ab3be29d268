// Values written into commands someone else runs are quoted for that shell: shellQuote gives one word whose
// value is exactly the input (checked by bash itself), holds no control or bidi character, and is left bare
// only when quoting could not change its meaning.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellQuote, shellSingleQuote } from '../../src/shared/shell-quote.js';
import { neutralise } from '../../src/shared/terminal-text.js';

/** The words bash reads from `printf '%s\0' WORDS`, so the test sees exactly what a command would get. */
function wordsIn(shell: 'bash' | 'sh', words: string): { words: string[]; status: number | null } {
  const res = spawnSync(shell, ['-c', `printf '%s\\0' ${words}`], { encoding: 'utf8' });
  return { words: res.stdout.split('\0').slice(0, -1), status: res.status };
}

const HOSTILE = [
  `x'; touch CANARY; '`,
  '$(touch CANARY)',
  '`touch CANARY`',
  'a b\tc',
  'O\'Brien; rm -rf ~',
  '"double" \\back\\slash',
  'line\nbreak',
  '!event',
  '*',
  '~root',
  '#comment',
  '-I',
  '',
  'José Müller 日本',
  '\x1b]52;c;cm0gLXJmIH4K\x07',
  '\u202eevil\u202c',
  '\u009b2J',
  "'",
  "''",
];

describe('shellQuote', () => {
  it('leaves plain words bare and single-quotes the rest', () => {
    expect(shellQuote('alice')).toBe('alice');
    expect(shellQuote('installation-0123abcd')).toBe('installation-0123abcd');
    expect(shellQuote('a.b@c:d/e,f+g=h%i')).toBe('a.b@c:d/e,f+g=h%i');
    expect(shellQuote("x'; touch CANARY; '")).toBe(`'x'\\''; touch CANARY; '\\'''`);
    expect(shellQuote('a b')).toBe(`'a b'`);
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote('Zoë')).toBe(`'Zoë'`);
    expect(shellQuote('~')).toBe(`'~'`);
  });

  it('spells control and bidi characters as $\'\\xHH\' bytes, so the command text holds none', () => {
    expect(shellQuote('a\x1bb')).toBe(`'a'$'\\x1b''b'`);
    expect(shellQuote('\u202e')).toBe(`$'\\xe2\\x80\\xae'`);
    expect(shellQuote('line\nbreak')).toBe(`'line'$'\\x0a''break'`);
  });

  it('gives bash exactly the value, one word each, for hostile values', () => {
    const quoted = HOSTILE.map(shellQuote);
    for (const q of quoted) expect(neutralise(q), q).toBe(q);
    const { words, status } = wordsIn('bash', quoted.join(' '));
    expect(status).toBe(0);
    expect(words).toEqual(HOSTILE);
  });

  it('needs nothing beyond POSIX sh for values without control characters', () => {
    const printable = HOSTILE.filter((v) => !/[\u0000-\u001F\u007F-\u009F\u202A-\u202E]/.test(v));
    const { words, status } = wordsIn('sh', printable.map(shellQuote).join(' '));
    expect(status).toBe(0);
    expect(words).toEqual(printable);
  });

  it('round-trips any text (without NUL, which no argument can hold) through bash', () => {
    const unit = fc.oneof(
      fc.constantFrom("'", '"', '\\', '$', '`', ';', '|', '&', '!', '*', '?', '[', '~', '#', ' ', '\n', '\t', '\x1b', '\u009b', '\u202e', '-', '=', '{', '}'),
      fc.integer({ min: 1, max: 0x2fff }).map((c) => String.fromCodePoint(c)),
    );
    const values = fc.array(fc.array(unit, { maxLength: 12 }).map((p) => p.join('')), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(values, (vs) => {
        const { words, status } = wordsIn('bash', vs.map(shellQuote).join(' '));
        expect(status).toBe(0);
        expect(words).toEqual(vs);
      }),
      { numRuns: 50 },
    );
  });
});

describe('shellSingleQuote', () => {
  it('always single-quotes, each quote as \'\\\'\'', () => {
    expect(shellSingleQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellSingleQuote('plain')).toBe(`'plain'`);
    expect(wordsIn('sh', shellSingleQuote("x'; touch CANARY; '")).words).toEqual(["x'; touch CANARY; '"]);
  });
});
