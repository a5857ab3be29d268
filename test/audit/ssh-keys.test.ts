// SSH public keys in wire form: the fingerprints ssh-keygen shows, and refusal of every malformed blob
// rather than a best guess at what it meant.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { SshKeyError, fingerprint, formatPublicKeyLine, parsePublicKeyBlob, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import { mpint, sshString } from '../../src/main/audit/ssh-wire.js';
import { HAVE_SSH_KEYGEN, makeKey, run, skipReason, tempDir } from './ssh-tools.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGiy+aiw6d0X8u2X3YVKsXz7TAUz6vsUMEy9KHMc0VN9 someone@host';

describe('SSH public keys', () => {
  it('parses a key line and formats it back', () => {
    const key = parsePublicKeyLine(KEY);
    expect(key).toMatchObject({ type: 'ssh-ed25519', comment: 'someone@host' });
    expect(key.key.asymmetricKeyType).toBe('ed25519');
    expect(formatPublicKeyLine(key.blob, key.comment)).toBe(KEY);
  });

  it.each([
    ['a label that disagrees with the blob', KEY.replace('ssh-ed25519', 'ssh-rsa'), /line says ssh-rsa but the key is ssh-ed25519/],
    ['no base64', 'ssh-ed25519', /not an SSH public key line/],
    ['loose base64', KEY.replace('VN9', 'VN9='), /not canonical base64|not an SSH public key line/],
  ])('refuses %s', (_name, line, message) => {
    expect(() => parsePublicKeyLine(line)).toThrow(message);
  });

  const ed25519Blob = parsePublicKeyLine(KEY).blob;
  it.each([
    ['a truncated blob', ed25519Blob.subarray(0, ed25519Blob.length - 1), /truncated/],
    ['trailing bytes', Buffer.concat([ed25519Blob, Buffer.of(0)]), /unexpected bytes/],
    ['a 31-byte Ed25519 key', Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.alloc(31))]), /31 bytes/],
    ['an unknown type', Buffer.concat([sshString('ssh-dss'), sshString(Buffer.alloc(8))]), /unsupported SSH key type "ssh-dss"/],
    ['an ECDSA key naming another curve', Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp384'), sshString(Buffer.alloc(65))]), /names another curve/],
    ['a point off the curve', Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(Buffer.concat([Buffer.of(4), Buffer.alloc(64, 1)]))]), /malformed SSH public key/],
  ])('refuses %s', (_name, blob, message) => {
    expect(() => parsePublicKeyBlob(blob)).toThrow(SshKeyError);
    expect(() => parsePublicKeyBlob(blob)).toThrow(message);
  });

  it('refuses RSA keys below 1024 bits, as OpenSSH does', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 768 });
    const jwk = publicKey.export({ format: 'jwk' });
    const blob = Buffer.concat([sshString('ssh-rsa'), mpint(Buffer.from(jwk.e as string, 'base64url')), mpint(Buffer.from(jwk.n as string, 'base64url'))]);
    expect(() => parsePublicKeyBlob(blob)).toThrow(/768 bits is below the 1024-bit minimum/);
  });

  describe.skipIf(skipReason('fingerprint comparison with ssh-keygen -l', HAVE_SSH_KEYGEN))('with ssh-keygen', () => {
    const tmp = tempDir('ssh-keys-');
    afterAll(() => tmp.remove());

    it.each(['ed25519', 'rsa', 'ecdsa'] as const)('%s: parses what ssh-keygen wrote, with the fingerprint ssh-keygen -l shows', (type) => {
      const key = makeKey(tmp.dir, type, type);
      const parsed = parsePublicKeyLine(key.publicKeyLine);
      const listed = run('ssh-keygen', ['-l', '-f', `${key.file}.pub`]).stdout.split(' ')[1];
      expect(fingerprint(parsed.blob)).toBe(listed);
    });
  });
});
