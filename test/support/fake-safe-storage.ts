// A stand-in for Electron's safeStorage (which needs Electron): AES-256-GCM with a key held in memory, and
// the backend name the real one reports ("basic_text" where Linux has no keyring).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SafeStorageLike } from '../../src/main/audit/secret-key-store.js';

export function fakeSafeStorage(backend = 'gnome_libsecret'): SafeStorageLike {
  const key = randomBytes(32);
  return {
    isAsyncEncryptionAvailable: async () => true,
    getSelectedStorageBackend: () => backend,
    encryptStringAsync: async (text) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptStringAsync: async (sealed) => {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return { result: Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8') };
    },
  };
}
