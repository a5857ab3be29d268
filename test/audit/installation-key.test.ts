// The installation key is a plain OpenSSH Ed25519 key file: private to its owner, never overwritten,
// readable by ssh-keygen, and its seals verify with `ssh-keygen -Y verify`.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { createInstallationKey, ensureInstallationKey, loadInstallationKey } from '../../src/main/audit/installation-key.js';
import { signSshsig, verifySshsig } from '../../src/main/audit/sshsig.js';
import { HAVE_SSH_KEYGEN, keygenVerify, makeKey, run, skipReason, tempDir } from './ssh-tools.js';

const POSIX = process.platform !== 'win32';

describe('installation key', () => {
  const tmp = tempDir('installation-key-');
  afterAll(() => tmp.remove());

  it('is written 0600 in a new 0700 directory, with its public half beside it', async () => {
    const file = path.join(tmp.dir, 'keys', 'installation');
    const key = await createInstallationKey(file, 'runbook-console@host-1');
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(key.publicKeyLine).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+ runbook-console@host-1$/);
    expect(readFileSync(`${file}.pub`, 'utf8')).toBe(`${key.publicKeyLine}\n`);
    if (POSIX) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    }
  });

  it('is never replaced: creating over an existing key fails and leaves it as it was', async () => {
    const file = path.join(tmp.dir, 'once');
    await createInstallationKey(file, 'first');
    const before = readFileSync(file);
    await expect(createInstallationKey(file, 'second')).rejects.toThrow(/EEXIST/);
    expect(readFileSync(file)).toEqual(before);
  });

  it('ensure creates it once and then keeps returning the same key', async () => {
    const file = path.join(tmp.dir, 'ensured');
    const first = await ensureInstallationKey(file, 'runbook');
    const second = await ensureInstallationKey(file, 'runbook');
    expect(second.publicKeyLine).toBe(first.publicKeyLine);
    const data = Buffer.from('body\n');
    expect(verifySshsig(data, await signSshsig(data, 'ns', second.signer), 'ns', first.publicKeyLine)).toMatchObject({ ok: true });
  });

  it.skipIf(skipReason('installation key interoperability', HAVE_SSH_KEYGEN))('is refused when the file holds another key type', async () => {
    const rsa = makeKey(tmp.dir, 'not-ed25519', 'rsa');
    await expect(loadInstallationKey(rsa.file)).rejects.toThrow(/ssh-rsa key; the installation key is Ed25519/);
  });

  it.skipIf(skipReason('installation key interoperability', HAVE_SSH_KEYGEN))('ssh-keygen reads it, and verifies what it seals', async () => {
    const file = path.join(tmp.dir, 'interop');
    const key = await createInstallationKey(file, 'runbook');
    const derived = run('ssh-keygen', ['-y', '-f', file]);
    expect(derived.status).toBe(0);
    expect(derived.stdout.trim().split(' ').slice(0, 2)).toEqual(key.publicKeyLine.split(' ').slice(0, 2));
    const data = Buffer.from('runbook-console/host-1/run-9\n12\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n');
    const signature = await signSshsig(data, 'runbook-checkpoint', key.signer);
    const allowedSigners = `${formatAllowedSigner({ principals: ['installation'], namespaces: ['runbook-checkpoint'], publicKey: key.publicKeyLine })}\n`;
    expect(keygenVerify(tmp.dir, { principal: 'installation', namespace: 'runbook-checkpoint', allowedSigners, signature, data }).status).toBe(0);
  });
});
