// This installation's identity: its Ed25519 key (made on first use) and a short id derived from the public
// key, which binds every checkpoint's origin to the installation that sealed it.
//
// The key's fingerprint is the trust anchor an auditor pins (`runbook verify … --pin SHA256:…`). It is
// worth something only when noted apart from this machine, so the call that makes the key says so once
// (`created`), and its host prints newKeyNotice: on stderr for the CLI and `runbook serve`, in the console
// for a run or the settings page that made it. `runbook key` and Settings → Keys show it again.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { shellQuote } from '../../shared/shell-quote.js';
import { type InstallationKey, ensureInstallationKey } from './installation-key.js';
import { keyRoot } from './key-store.js';
import { fingerprint, parsePublicKeyLine } from './ssh-keys.js';

export interface Installation {
  id: string;
  key: InstallationKey;
  /** True only for the call that made the key just now (its fingerprint is then announced, once). */
  created?: boolean;
}

export function defaultInstallationKeyFile(env: Record<string, string | undefined> = process.env): string {
  return path.join(keyRoot(env), 'installation_ed25519');
}

/** First 16 hex digits of the SHA-256 of the public key blob. */
export function installationId(publicKeyLine: string): string {
  return createHash('sha256').update(parsePublicKeyLine(publicKeyLine).blob).digest('hex').slice(0, 16);
}

export async function loadInstallation(file: string = defaultInstallationKeyFile()): Promise<Installation> {
  const { created, ...key } = await ensureInstallationKey(file, `runbook-console@${hostname()}`);
  return { id: installationId(key.publicKeyLine), key, created };
}

/** The installation key's fingerprint as `ssh-keygen -lf` prints it (SHA256:, unpadded base64): what `--pin` takes. */
export function installationFingerprint(installation: Installation): string {
  return fingerprint(parsePublicKeyLine(installation.key.publicKeyLine).blob);
}

/** The public key file beside the private key (written with it). */
export function installationPublicKeyFile(installation: Installation): string {
  return `${installation.key.privateKeyFile}.pub`;
}

/** The command an auditor runs to check a run or bundle against this installation's key. */
export function pinCommand(pin: string, target = 'RUN_DIR'): string {
  return `runbook verify ${target === 'RUN_DIR' ? target : shellQuote(target)} --pin ${pin}`;
}

/** What the public side of the installation key is, for people: the facts `runbook key` and the console show. */
export interface InstallationKeyFacts {
  id: string;
  fingerprint: string;
  publicKey: string;
  publicKeyFile: string;
  /** `runbook verify RUN_DIR --pin SHA256:…`. */
  verifyCommand: string;
  created: boolean;
}

export function installationKeyFacts(installation: Installation): InstallationKeyFacts {
  const pin = installationFingerprint(installation);
  return {
    id: installation.id,
    fingerprint: pin,
    publicKey: installation.key.publicKeyLine,
    publicKeyFile: installationPublicKeyFile(installation),
    verifyCommand: pinCommand(pin),
    created: installation.created === true,
  };
}

/**
 * The block printed once, when the key has just been made: its fingerprint, where the public key is, and
 * the exact verify command with `--pin`, to be recorded in the change ticket.
 */
export function newKeyNotice(installation: Installation): string {
  const facts = installationKeyFacts(installation);
  return [
    `runbook: created this installation's key; it seals the record of every run made here.`,
    `  fingerprint  ${facts.fingerprint}`,
    `  public key   ${facts.publicKeyFile}`,
    `Record the fingerprint in the change ticket, kept apart from this machine: an auditor checks a run against it with`,
    `  ${facts.verifyCommand}`,
    `(shown once; \`runbook key\` shows it again)`,
    '',
  ].join('\n');
}
