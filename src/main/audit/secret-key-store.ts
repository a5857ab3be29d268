// MAC keys in the OS secret store, for the desktop app: Electron's safeStorage (Keychain, DPAPI, libsecret
// or kwallet) encrypts them before they touch the disk. safeStorage's API is asynchronous while the journal
// appends synchronously, so keys are held in memory and written behind, in order, newest wins; a crash
// can leave an older key on disk, which reopening evolves forward (the index never runs ahead).
// Where the OS offers no secret store, Electron falls back to a plain-text "basic_text" backend: a
// RESTRICTED run refuses that here, and the desktop app never opens this store on it (app-mac-keys.ts).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CurrentKey, MacKeyStore } from './key-store.js';

/** The part of Electron's safeStorage this store uses (a test double implements it too). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  getSelectedStorageBackend?(): string;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt?: boolean }>;
}

export class SecretStoreError extends Error {}

export class SecretMacKeyStore implements MacKeyStore {
  private readonly current = new Map<string, CurrentKey>();
  private readonly verification = new Map<string, Buffer>();
  /** Index of the newest key handed over per run, so queued writes of older keys can be skipped. */
  private readonly latest = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  private constructor(
    readonly dir: string,
    private readonly storage: SafeStorageLike,
    readonly backend: string,
  ) {}

  /** Opens the store; RESTRICTED refuses a secret store that keeps keys in plain text. */
  static async open(dir: string, storage: SafeStorageLike, options: { restricted: boolean }): Promise<SecretMacKeyStore> {
    const available = await storage.isAsyncEncryptionAvailable();
    const backend = storage.getSelectedStorageBackend?.() ?? 'os';
    if (!available) throw new SecretStoreError('the OS secret store is not available; MAC keys cannot be protected');
    if (backend === 'basic_text' && options.restricted) {
      throw new SecretStoreError('profile restricted: the OS secret store falls back to plain text here (no keyring); refusing to keep MAC keys in it');
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new SecretMacKeyStore(dir, storage, backend);
  }

  /** Reads a run's stored keys (decryption is asynchronous), before reopening its journal or verifying it. */
  async preload(runId: string): Promise<void> {
    for (const kind of ['current', 'verification'] as const) {
      let sealed: Buffer;
      try {
        sealed = readFileSync(this.file(runId, kind));
      } catch {
        continue;
      }
      const { result } = await this.storage.decryptStringAsync(sealed);
      const { index, key } = JSON.parse(result) as { index: number; key: string };
      if (kind === 'current') this.current.set(runId, { index, key: Buffer.from(key, 'hex') });
      else this.verification.set(runId, Buffer.from(key, 'hex'));
    }
  }

  private file(runId: string, kind: 'current' | 'verification'): string {
    if (!/^[A-Za-z0-9-]{8,64}$/.test(runId)) throw new SecretStoreError(`run id "${runId}" is not a valid run id`);
    return path.join(this.dir, `${runId}.${kind}.sealed`);
  }

  private persist(runId: string, kind: 'current' | 'verification', value: CurrentKey): void {
    if (this.failure) throw new SecretStoreError(`secret store write failed earlier: ${this.failure.message}`);
    const plain = JSON.stringify({ index: value.index, key: value.key.toString('hex') });
    if (kind === 'current') this.latest.set(runId, value.index);
    const file = this.file(runId, kind);
    this.queue = this.queue.then(async () => {
      // Newest wins: skip a write that a later key has already replaced.
      if (kind === 'current' && this.latest.get(runId) !== value.index) return;
      const sealed = await this.storage.encryptStringAsync(plain);
      writeFileSync(`${file}.tmp`, sealed, { mode: 0o600, flush: true });
      renameSync(`${file}.tmp`, file);
    }).catch((error: unknown) => {
      this.failure = error instanceof Error ? error : new Error(String(error));
    });
  }

  create(runId: string): Buffer {
    const key = randomBytes(32);
    this.verification.set(runId, Buffer.from(key));
    this.persist(runId, 'verification', { index: 0, key });
    this.saveCurrent(runId, { index: 0, key: Buffer.from(key) });
    return key;
  }

  loadCurrent(runId: string): CurrentKey | null {
    const current = this.current.get(runId);
    return current ? { index: current.index, key: Buffer.from(current.key) } : null;
  }

  saveCurrent(runId: string, current: CurrentKey): void {
    const previous = this.current.get(runId);
    this.current.set(runId, { index: current.index, key: Buffer.from(current.key) });
    previous?.key.fill(0);
    this.persist(runId, 'current', current);
  }

  verificationKey(runId: string): Buffer | null {
    return this.verification.get(runId) ?? null;
  }

  close(runId: string): void {
    this.current.get(runId)?.key.fill(0);
    this.current.delete(runId);
  }

  /** Waits until every key handed over has been encrypted and written; throws if one could not be. */
  async flush(): Promise<void> {
    await this.queue;
    if (this.failure) throw new SecretStoreError(`secret store write failed: ${this.failure.message}`);
  }
}
