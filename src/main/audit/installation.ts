// This installation's identity: its Ed25519 key (made on first use) and a short id derived from the public
// key, which binds every checkpoint's origin to the installation that sealed it.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { type InstallationKey, ensureInstallationKey } from './installation-key.js';
import { keyRoot } from './key-store.js';
import { parsePublicKeyLine } from './ssh-keys.js';

export interface Installation {
  id: string;
  key: InstallationKey;
}

export function defaultInstallationKeyFile(env: Record<string, string | undefined> = process.env): string {
  return path.join(keyRoot(env), 'installation_ed25519');
}

/** First 16 hex digits of the SHA-256 of the public key blob. */
export function installationId(publicKeyLine: string): string {
  return createHash('sha256').update(parsePublicKeyLine(publicKeyLine).blob).digest('hex').slice(0, 16);
}

export async function loadInstallation(file: string = defaultInstallationKeyFile()): Promise<Installation> {
  const key = await ensureInstallationKey(file, `runbook-console@${hostname()}`);
  return { id: installationId(key.publicKeyLine), key };
}
