import { describe, expect, it } from 'vitest';
import { MASK, SecretMasker } from '../../src/main/session/mask.js';

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
});
