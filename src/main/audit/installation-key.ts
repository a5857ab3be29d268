// The installation key: an Ed25519 key this installation makes for itself, so runs can be sealed when
// the operator has no SSH key of their own to sign with. It is an ordinary OpenSSH private key file, so
// `ssh-keygen -Y sign/verify` and ssh-add work on it and an operator can inspect or rotate it by hand.
//
// ssh2's generateKeyPairSync makes the key with node:crypto and writes the openssh-key-v1 format, so no
// ssh-keygen binary is needed at run time (it is absent on many Windows machines); sshpk could write
// the format too but is not a dependency, and shelling out to ssh-keygen would add a second failure mode.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { linkNewFile } from './run-lock.js';
import { type SshKeySigner, keyFileSigner } from './ssh-signers.js';

export interface InstallationKey {
  privateKeyFile: string;
  /** `ssh-ed25519 base64 comment`, also written beside the key as <file>.pub. */
  publicKeyLine: string;
  signer: SshKeySigner;
}

/**
 * Writes a new unencrypted Ed25519 key to `file` (0600, refusing to replace an existing file) and its
 * public half to `file.pub`. The directory is created 0700 when missing.
 */
export async function createInstallationKey(file: string, comment: string): Promise<InstallationKey> {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // About one key in five hundred that ssh2 generates fails ssh2's own parser ("Malformed OpenSSH private
  // key"): make another rather than write one nobody can load.
  let pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  for (let tries = 1; ssh2.utils.parseKey(pair.private) instanceof Error; tries++) {
    if (tries >= 20) throw new Error('ssh2 made no Ed25519 key it can read back in 20 tries');
    pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  }
  // Whole files appear at once (written aside, then linked into place), so a reader racing the creator
  // never sees a half-written key. An existing key is never replaced (EEXIST).
  linkNewFile(file, pair.private, 0o600, privateTemp(file));
  try {
    linkNewFile(`${file}.pub`, `${pair.public}\n`, 0o644, privateTemp(`${file}.pub`));
  } catch (error) {
    // A reader that found the private key first wrote its public half already (withPublicFile): the key is ours.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return loadInstallationKey(file);
}

export async function loadInstallationKey(file: string): Promise<InstallationKey> {
  const signer = await keyFileSigner(file);
  if (signer.type !== 'ssh-ed25519') throw new Error(`${file} is a ${signer.type} key; the installation key is Ed25519`);
  return { privateKeyFile: file, publicKeyLine: signer.publicKeyLine, signer };
}

/**
 * The existing key at `file`, or a new one when there is none. `created` is true only for the one caller
 * whose key was put in place (two processes racing to make it: exactly one of them), so the new key's
 * fingerprint is announced once, for the operator's change ticket.
 */
export async function ensureInstallationKey(file: string, comment: string): Promise<InstallationKey & { created: boolean }> {
  if (existsSync(file)) return { ...withPublicFile(await loadInstallationKey(file)), created: false };
  try {
    return { ...(await createInstallationKey(file, comment)), created: true };
  } catch (error) {
    // Another caller created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { ...(await loadInstallationKey(file)), created: false };
    throw error;
  }
}

/**
 * Writes `<file>.pub` again when it is missing (a crash between the two files, or someone removed it), so
 * the public key file the console and `runbook key` name exists, where it can. An existing one is never replaced.
 */
function withPublicFile(key: InstallationKey): InstallationKey {
  const pub = `${key.privateKeyFile}.pub`;
  if (!existsSync(pub)) {
    try {
      linkNewFile(pub, `${key.publicKeyLine}\n`, 0o644, privateTemp(pub));
    } catch {
      // Another process wrote it first, or the directory is read-only: the key itself still loads.
    }
  }
  return key;
}

/** A temporary name beside `file` that no other process uses. */
function privateTemp(file: string): string {
  return `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}
