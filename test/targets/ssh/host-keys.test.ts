// known_hosts parsing and the host-key decision, without a server. Where OpenSSH's own tools are here,
// their output (ssh-keygen -l fingerprints, ssh-keygen -H hashed names) is the reference.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { hostKeyAlgorithms, judgeHostKey } from '../../../src/main/targets/ssh/host-key-policy.js';
import { HostKeyTrust } from '../../../src/main/targets/ssh/host-key-trust.js';
import { entryMatchesHost, fingerprintSha256, keyTypeOf, knownHostsName, loadKnownHosts, parseKnownHosts } from '../../../src/main/targets/ssh/host-keys.js';

const dir = mkdtempSync(path.join(tmpdir(), 'host-keys-'));
const haveKeygen = existsSync('/usr/bin/ssh-keygen');
if (!haveKeygen) console.warn('skipped the known_hosts tests that compare with OpenSSH: /usr/bin/ssh-keygen is absent (apt-get install openssh-client)');

/** A fresh public key line ("ssh-ed25519 AAAA…") and its blob. */
function newKey(type: 'ed25519' | 'ecdsa' = 'ed25519') {
  const pair = type === 'ecdsa' ? ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }) : ssh2.utils.generateKeyPairSync('ed25519');
  const [keyType, base64] = pair.public.split(' ') as [string, string];
  return { line: `${keyType} ${base64}`, keyType, blob: Buffer.from(base64, 'base64') };
}

const hostKey = newKey();
const otherKey = newKey();
const ecdsaKey = newKey('ecdsa');

function subject(text: string, extra: { pinned?: string; lookupName?: string } = {}) {
  return {
    lookupName: extra.lookupName ?? '[10.0.0.5]:2222',
    display: '10.0.0.5:2222',
    entries: parseKnownHosts(text, '/kh').entries,
    files: ['/kh'],
    pinned: extra.pinned,
  };
}

describe('fingerprints and key blobs', () => {
  it.skipIf(!haveKeygen)('prints SHA-256 fingerprints exactly as ssh-keygen -l does', () => {
    const file = path.join(dir, 'fp_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    const expected = /SHA256:\S+/.exec(execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }))![0];
    const blob = Buffer.from(readFileSync(`${file}.pub`, 'utf8').split(' ')[1]!, 'base64');
    expect(fingerprintSha256(blob)).toBe(expected);
    expect(fingerprintSha256(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('reads the algorithm name out of a key blob and rejects malformed blobs', () => {
    expect(keyTypeOf(hostKey.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(ecdsaKey.blob)).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOf(Buffer.from([0, 0, 0, 200, 1]))).toBeNull();
    expect(keyTypeOf(Buffer.alloc(2))).toBeNull();
  });

  it('names hosts as OpenSSH looks them up: bare on port 22, [host]:port elsewhere, lower-cased', () => {
    expect(knownHostsName('Web.Example.com', 22)).toBe('web.example.com');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });
});

describe('known_hosts parsing and matching', () => {
  it('matches plain names, lists, the [host]:port form, wildcards and negations', () => {
    const { entries, problems } = parseKnownHosts(
      [
        '# comment',
        '',
        `web.example.com,10.0.0.5 ${hostKey.line}`,
        `[10.0.0.5]:2222 ${hostKey.line} comment words`,
        `*.internal,!secret.internal ${hostKey.line}`,
        `db?.example.com ${hostKey.line}`,
      ].join('\n'),
      '/kh',
    );
    expect(problems).toEqual([]);
    expect(entries.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    const [list, bracketed, wildcard, single] = entries as [typeof entries[0], typeof entries[0], typeof entries[0], typeof entries[0]];
    expect(entryMatchesHost(list, 'web.example.com')).toBe(true);
    expect(entryMatchesHost(list, '10.0.0.5')).toBe(true);
    // Port 2222 is another host as far as known_hosts goes.
    expect(entryMatchesHost(list, '[10.0.0.5]:2222')).toBe(false);
    expect(entryMatchesHost(bracketed, '[10.0.0.5]:2222')).toBe(true);
    expect(entryMatchesHost(bracketed, '10.0.0.5')).toBe(false);
    expect(entryMatchesHost(wildcard, 'app.internal')).toBe(true);
    expect(entryMatchesHost(wildcard, 'secret.internal')).toBe(false);
    expect(entryMatchesHost(wildcard, 'internal')).toBe(false);
    expect(entryMatchesHost(single, 'db1.example.com')).toBe(true);
    expect(entryMatchesHost(single, 'db12.example.com')).toBe(false);
    // Dots are literal, not regex wildcards.
    expect(entryMatchesHost(list, 'webxexample.com')).toBe(false);
  });

  it.skipIf(!haveKeygen)('matches hashed |1| names written by ssh-keygen -H, including [host]:port', () => {
    const file = path.join(dir, 'known_hosts.hashed');
    writeFileSync(file, `web.example.com ${hostKey.line}\n[10.0.0.5]:2222 ${otherKey.line}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'pipe' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('example');
    const { entries } = parseKnownHosts(text, file);
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.hosts.kind === 'hashed')).toBe(true);
    expect(entryMatchesHost(entries[0]!, 'web.example.com')).toBe(true);
    expect(entryMatchesHost(entries[0]!, 'web.example.org')).toBe(false);
    expect(entryMatchesHost(entries[1]!, '[10.0.0.5]:2222')).toBe(true);
    expect(entryMatchesHost(entries[1]!, '10.0.0.5')).toBe(false);
  });

  it('reads markers and reports malformed lines with file and line, skipping them', () => {
    const { entries, problems } = parseKnownHosts(
      [
        `@revoked * ${otherKey.line}`,
        `@cert-authority *.example.com ${hostKey.line}`,
        `@bogus host ${hostKey.line}`,
        'host-without-key ssh-ed25519',
        `host ssh-rsa ${hostKey.line.split(' ')[1]}`,
        `|1|short|hash ${hostKey.line}`,
      ].join('\n'),
      '/etc/kh',
    );
    expect(entries.map((e) => [e.line, e.marker])).toEqual([
      [1, 'revoked'],
      [2, 'cert-authority'],
    ]);
    expect(problems).toEqual([
      '/etc/kh:3: unknown marker @bogus',
      '/etc/kh:4: expected "hosts key-type base64-key"',
      '/etc/kh:5: the ssh-rsa key does not decode to a ssh-rsa key',
      '/etc/kh:6: malformed hashed host name',
    ]);
  });

  it('treats a missing file as empty but refuses an unreadable one, naming it', () => {
    const missing = path.join(dir, 'missing');
    expect(loadKnownHosts([missing])).toMatchObject({ entries: [], missing: [missing] });
    expect(() => loadKnownHosts([dir])).toThrow(`cannot read known_hosts file ${dir}:`);
  });
});

describe('the host-key decision', () => {
  const fp = fingerprintSha256(hostKey.blob);

  it('accepts the recorded key and says where it was found', () => {
    expect(judgeHostKey(hostKey.blob, subject(`# x\n[10.0.0.5]:2222 ${hostKey.line}\n`))).toEqual({
      kind: 'known',
      note: `host key ${fp} (ssh-ed25519) of 10.0.0.5:2222 matched /kh:2`,
    });
  });

  it('calls a different recorded key CHANGED, naming both fingerprints', () => {
    const verdict = judgeHostKey(hostKey.blob, subject(`[10.0.0.5]:2222 ${otherKey.line}\n`));
    expect(verdict.kind).toBe('refused');
    expect(verdict.kind === 'refused' && verdict.error).toContain(`has CHANGED: the server presented ${fp} (ssh-ed25519), but /kh:1 records ${fingerprintSha256(otherKey.blob)} (ssh-ed25519)`);
  });

  it('calls a key CHANGED when only keys of another type are recorded for the host', () => {
    const verdict = judgeHostKey(hostKey.blob, subject(`[10.0.0.5]:2222 ${ecdsaKey.line}\n`));
    expect(verdict.kind === 'refused' && verdict.error).toContain('(ecdsa-sha2-nistp256)');
  });

  it('refuses a revoked key even when it is also recorded as the host key', () => {
    const verdict = judgeHostKey(hostKey.blob, subject(`[10.0.0.5]:2222 ${hostKey.line}\n@revoked * ${hostKey.line}\n`));
    expect(verdict).toEqual({ kind: 'refused', error: `host key ${fp} (ssh-ed25519) of 10.0.0.5:2222 is marked @revoked in /kh:2; refusing to connect` });
  });

  it('ignores keys of other hosts and CA lines: the key is then unknown', () => {
    const text = `[10.0.0.5]:22 ${otherKey.line}\n10.0.0.5 ${otherKey.line}\n@cert-authority * ${otherKey.line}\n`;
    expect(judgeHostKey(hostKey.blob, subject(text))).toEqual({ kind: 'unknown', fingerprint: fp, keyType: 'ssh-ed25519' });
  });

  it('checks the pin first, and a matching pin vouches for an unrecorded key', () => {
    expect(judgeHostKey(hostKey.blob, subject('', { pinned: fp }))).toEqual({ kind: 'known', note: `host key ${fp} (ssh-ed25519) of 10.0.0.5:2222 matched the pinned fingerprint` });
    const mismatch = judgeHostKey(hostKey.blob, subject(`[10.0.0.5]:2222 ${hostKey.line}\n`, { pinned: fingerprintSha256(otherKey.blob) }));
    expect(mismatch.kind === 'refused' && mismatch.error).toContain('does not match the pinned fingerprint');
    // A right pin does not override known_hosts recording another key.
    const conflict = judgeHostKey(hostKey.blob, subject(`[10.0.0.5]:2222 ${otherKey.line}\n`, { pinned: fp }));
    expect(conflict.kind === 'refused' && conflict.error).toContain('has CHANGED');
  });

  it('asks about an unknown key once per executor and remembers a no as well as a yes', async () => {
    const trust = new HostKeyTrust();
    const questions: string[] = [];
    const no = async (q: string) => (questions.push(q), false);
    const pause = <T>(work: () => Promise<T>) => work();
    const first = await trust.decide(hostKey.blob, subject(''), no, pause);
    const second = await trust.decide(hostKey.blob, subject(''), async () => true, pause);
    expect(first.accepted).toBe(false);
    expect(second.accepted).toBe(false);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain('10.0.0.5:2222');
    expect(questions[0]).toContain(fp);
    // A changed key is never put to the operator.
    const asked: string[] = [];
    const changed = await new HostKeyTrust().decide(hostKey.blob, subject(`[10.0.0.5]:2222 ${otherKey.line}\n`), async (q) => (asked.push(q), true), pause);
    expect(changed.accepted).toBe(false);
    expect(asked).toEqual([]);
  });

  it('asks the server for the recorded key types first', () => {
    expect(hostKeyAlgorithms([])).toBeUndefined();
    expect(hostKeyAlgorithms(['ssh-rsa'])?.slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp256', 'ssh-ed25519'])?.slice(0, 2)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
    expect(new Set(hostKeyAlgorithms(['ssh-ed25519'])).size).toBe(hostKeyAlgorithms(['ssh-ed25519'])!.length);
  });
});
