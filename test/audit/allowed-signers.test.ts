// allowed_signers: lines we write are ones ssh-keygen reads, and for every principal and namespace our
// reading of a file agrees with `ssh-keygen -Y verify`'s (patterns, negation, namespaces, validity, CAs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllowedSignersError, findPrincipals, formatAllowedSigner, isAllowedSigner, matchPatternList, parseAllowedSigners, parseTimestamp } from '../../src/main/audit/allowed-signers.js';
import { parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import { keyFileSigner } from '../../src/main/audit/ssh-signers.js';
import { signSshsig } from '../../src/main/audit/sshsig.js';
import { HAVE_SSH_KEYGEN, type TestKey, keygenVerify, makeKey, skipReason, tempDir } from './ssh-tools.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGiy+aiw6d0X8u2X3YVKsXz7TAUz6vsUMEy9KHMc0VN9';
const BLOB = parsePublicKeyLine(KEY).blob;

describe('allowed_signers lines', () => {
  it('formats principals, namespaces and validity the way ssh-keygen documents them', () => {
    expect(formatAllowedSigner({ principals: ['a@x', 'b@x'], publicKey: `${KEY} a comment` })).toBe(`a@x,b@x ${KEY} a comment`);
    expect(
      formatAllowedSigner({ principals: ['a@x'], namespaces: ['runbook', 'file'], validAfter: new Date('2025-01-02T03:04:05Z'), validBefore: new Date('2026-01-01T00:00:00Z'), publicKey: KEY }),
    ).toBe(`a@x namespaces="runbook,file",valid-after="20250102030405Z",valid-before="20260101000000Z" ${KEY}`);
  });

  it('refuses to write what would read back differently', () => {
    expect(() => formatAllowedSigner({ principals: [], publicKey: KEY })).toThrow(AllowedSignersError);
    expect(() => formatAllowedSigner({ principals: ['a b'], publicKey: KEY })).toThrow(/cannot be written/);
    expect(() => formatAllowedSigner({ principals: ['a,b'], publicKey: KEY })).toThrow(/cannot be written/);
    expect(() => formatAllowedSigner({ principals: ['#a'], publicKey: KEY })).toThrow(/cannot be written/);
    expect(() => formatAllowedSigner({ principals: ['a'], namespaces: ['x"y'], publicKey: KEY })).toThrow(/cannot be written/);
    expect(() => formatAllowedSigner({ principals: ['a'], publicKey: 'not a key' })).toThrow(/not an SSH public key/);
  });

  it('parses comments, options, quoted values and comments after the key', () => {
    const entries = parseAllowedSigners(
      [
        '# comment',
        '',
        `  a@x,*@y ${KEY}`,
        `"b@x" cert-authority,namespaces="file,runbook-*",valid-after="20240101" ${KEY} laptop key`,
        `c@x VALID-BEFORE="202401020304Z" ${KEY}`,
      ].join('\n'),
    );
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ line: 3, principals: ['a@x', '*@y'], certAuthority: false, namespaces: null, validAfter: null, validBefore: null, keyType: 'ssh-ed25519', comment: '' });
    expect(entries[0]?.publicKey).toEqual(BLOB);
    expect(entries[1]).toMatchObject({ line: 4, principals: ['b@x'], certAuthority: true, namespaces: ['file', 'runbook-*'], comment: 'laptop key' });
    expect(entries[1]?.validAfter).toEqual(new Date(2024, 0, 1));
    expect(entries[2]?.validBefore).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4)));
  });

  it.each([
    ['an unknown option', `a@x no-such-option ${KEY}`, /line 1: unknown option/],
    ['an unterminated quote', `a@x namespaces="file ${KEY}`, /line 1: unterminated quote/],
    ['an option given twice', `a@x namespaces="a",namespaces="b" ${KEY}`, /given twice/],
    ['a missing key', 'a@x', /unknown key type ""/],
    ['an unknown key type (read as options, as ssh-keygen reads it)', 'a@x ssh-foo AAAA', /line 1: unknown option "ssh-foo"/],
    ['a key blob of another type', `a@x ssh-rsa ${KEY.split(' ')[1]}`, /not a ssh-rsa key/],
    ['broken base64', 'a@x ssh-ed25519 AAA*', /not base64/],
    ['an impossible date', `a@x valid-after="20240230" ${KEY}`, /not a real date/],
    ['an empty principal', `a@x,,b@x ${KEY}`, /empty principal/],
  ])('reports %s with its line number', (_name, text, message) => {
    expect(() => parseAllowedSigners(text)).toThrow(message);
  });

  it('parses timestamps in local time unless marked Z', () => {
    expect(parseTimestamp('20240102')).toEqual(new Date(2024, 0, 2));
    expect(parseTimestamp('202401020304Z')).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4)));
    expect(parseTimestamp('20240102030405')).toEqual(new Date(2024, 0, 2, 3, 4, 5));
    expect(() => parseTimestamp('2024010203')).toThrow(/bad timestamp/);
  });

  it('matches pattern lists as ssh does: wildcards, and a matching negation wins', () => {
    expect(matchPatternList('alice@example.org', ['*@example.org'])).toBe(true);
    expect(matchPatternList('alice@example.org', ['?lice@*'])).toBe(true);
    expect(matchPatternList('alice@example.org', ['*@example.org', '!alice@*'])).toBe(false);
    expect(matchPatternList('alice@example.org', ['!bob@*'])).toBe(false);
    expect(matchPatternList('a.b', ['a?b'])).toBe(true);
    expect(matchPatternList('axb', ['a.b'])).toBe(false);
  });

  it('finds the principals allowed to use a key in a namespace at a time', () => {
    const entries = parseAllowedSigners(
      [`a@x namespaces="runbook" ${KEY}`, `b@x valid-before="20000101Z" ${KEY}`, `c@x cert-authority ${KEY}`, `d@x,e@x ${KEY}`].join('\n'),
    );
    expect(findPrincipals(entries, BLOB, 'runbook', new Date('2025-01-01T00:00:00Z'))).toEqual(['a@x', 'd@x,e@x']);
    expect(findPrincipals(entries, BLOB, 'file', new Date('1999-01-01T00:00:00Z'))).toEqual(['b@x', 'd@x,e@x']);
    expect(findPrincipals(entries, Buffer.from('other'), 'runbook')).toEqual([]);
  });
});

describe.skipIf(skipReason('allowed_signers agreement with ssh-keygen', HAVE_SSH_KEYGEN))('allowed_signers agrees with ssh-keygen -Y verify', () => {
  const tmp = tempDir('allowed-signers-');
  let key: TestKey;
  beforeAll(() => {
    key = makeKey(tmp.dir, 'signer', 'ed25519');
  });
  afterAll(() => tmp.remove());

  it('for every principal and namespace, on a file using every feature', async () => {
    const pub = key.publicKeyLine;
    const file = [
      '# who may seal runbook runs',
      `*@example.org,!bob@example.org namespaces="runbook-*" ${pub}`,
      `bob@example.org namespaces="file,git" ${pub}`,
      `carol@example.org valid-before="20000101Z" ${pub}`,
      `dave@example.org valid-after="20000101",valid-before="29991231Z" ${pub}`,
      `*@example.org cert-authority ${pub}`,
      '',
    ].join('\n');
    const entries = parseAllowedSigners(file);
    const signer = await keyFileSigner(key.file);
    const data = Buffer.from('checkpoint body\n');
    const verdicts: string[] = [];
    for (const namespace of ['runbook-seal', 'file', 'git', 'other']) {
      const signature = await signSshsig(data, namespace, signer);
      for (const principal of ['alice@example.org', 'bob@example.org', 'carol@example.org', 'dave@example.org', 'mallory@evil.org']) {
        const ours = isAllowedSigner(entries, principal, signer.publicKey, namespace);
        const theirs = keygenVerify(tmp.dir, { principal, namespace, allowedSigners: file, signature, data }).status === 0;
        expect(ours, `${principal} in ${namespace}`).toBe(theirs);
        if (ours) verdicts.push(`${principal}/${namespace}`);
      }
    }
    // The agreement must not be vacuous: some pairs are allowed and most are not.
    expect(verdicts.sort()).toEqual(
      [
        'alice@example.org/runbook-seal',
        'bob@example.org/file',
        'bob@example.org/git',
        'carol@example.org/runbook-seal',
        ...['runbook-seal', 'file', 'git', 'other'].map((ns) => `dave@example.org/${ns}`),
      ].sort(),
    );
  });
});
