// The installation key: an Ed25519 key this installation makes for itself, so runs can be sealed when
// the operator has no SSH key of their own to sign with. It is an ordinary OpenSSH private key file, so
// `ssh-keygen -Y sign/verify` and ssh-add work on it and an operator can inspect or rotate it by hand.
//
// ssh2's generateKeyPairSync makes the key with node:crypto and writes the openssh-key-v1 format, so no
// ssh-keygen binary is needed at run time (it is absent on many Windows machines); sshpk could write
// the format too but is not a dependency, and shelling out to ssh-keygen would add a second failure mode.
import { closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
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
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  writeDurably(file, pair.private, 0o600);
  writeDurably(`${file}.pub`, `${pair.public}\n`, 0o644);
  return loadInstallationKey(file);
}

export async function loadInstallationKey(file: string): Promise<InstallationKey> {
  const signer = await keyFileSigner(file);
  if (signer.type !== 'ssh-ed25519') throw new Error(`${file} is a ${signer.type} key; the installation key is Ed25519`);
  return { privateKeyFile: file, publicKeyLine: signer.publicKeyLine, signer };
}

/** The existing key at `file`, or a new one when there is none. */
export async function ensureInstallationKey(file: string, comment: string): Promise<InstallationKey> {
  return existsSync(file) ? loadInstallationKey(file) : createInstallationKey(file, comment);
}

/** O_EXCL so two processes racing to create the key cannot overwrite each other's; fsync so a crash leaves no empty key file. */
function writeDurably(file: string, text: string, mode: number): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

