// Named secrets for targets (a postgres target's passwordSecret) in the desktop app: each value encrypted
// by the OS secret store through Electron's async safeStorage API before it touches the disk, one file per
// name. Refused, with a message saying why, where Linux falls back to plain text (no keyring). Values go
// in once and come out only to an executor; the renderer and the journal only ever see names.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SafeStorageLike } from '../audit/secret-key-store.js';

export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const SUFFIX = '.secret';

export class SecretsUnavailable extends Error {}

export class NamedSecrets {
  constructor(
    private readonly dir: string,
    private readonly storage: SafeStorageLike,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  /** Null when secrets can be kept here; otherwise why not. */
  async unavailable(): Promise<string | null> {
    if (!(await this.storage.isAsyncEncryptionAvailable())) return 'the OS secret store is not available';
    if (this.platform === 'linux' && this.storage.getSelectedStorageBackend?.() === 'basic_text') {
      return 'this machine has no OS keyring (safeStorage would keep secrets in plain text); install and unlock a Secret Service keyring (GNOME Keyring or KWallet), or use passwordEnv, or type the password when asked';
    }
    return null;
  }

  private file(name: string): string {
    if (!SECRET_NAME.test(name)) throw new SecretsUnavailable(`"${name}" is not a secret name (letters, digits, _ . -)`);
    return path.join(this.dir, `${name}${SUFFIX}`);
  }

  names(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((f) => f.endsWith(SUFFIX))
        .map((f) => f.slice(0, -SUFFIX.length))
        .sort();
    } catch {
      return [];
    }
  }

  async set(name: string, value: string): Promise<void> {
    const why = await this.unavailable();
    if (why) throw new SecretsUnavailable(why);
    const file = this.file(name);
    const sealed = await this.storage.encryptStringAsync(value);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(`${file}.tmp`, sealed, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  async get(name: string): Promise<string | null> {
    if (await this.unavailable()) return null;
    let sealed: Buffer;
    try {
      sealed = readFileSync(this.file(name));
    } catch {
      return null;
    }
    return (await this.storage.decryptStringAsync(sealed)).result;
  }

  remove(name: string): void {
    rmSync(this.file(name), { force: true });
  }
}
