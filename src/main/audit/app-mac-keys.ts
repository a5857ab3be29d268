// Which MAC key store the desktop app uses. The OS secret store through Electron's async safeStorage API,
// except where Linux has no keyring and safeStorage falls back to plain text ("basic_text"): that backend
// is never used. RESTRICTED runs are then refused with a clear message; other runs keep their keys the
// way the CLI does (0600 key files, the current key overwritten in place), and Settings → Keys says so.
import { FileMacKeyStore, type MacKeyStore } from './key-store.js';
import { type SafeStorageLike, SecretMacKeyStore, SecretStoreError } from './secret-key-store.js';

export interface AppMacKeyPlaces {
  /** Encrypted keys (the OS secret store's ciphertexts). */
  secretDir: string;
  /** 0600 key files where there is no OS keyring. */
  fileDir: string;
  platform: NodeJS.Platform;
}

const plainText = (storage: SafeStorageLike, platform: NodeJS.Platform) => platform === 'linux' && storage.getSelectedStorageBackend?.() === 'basic_text';

export async function openAppMacKeyStore(storage: SafeStorageLike, places: AppMacKeyPlaces, options: { restricted: boolean }): Promise<MacKeyStore> {
  if (plainText(storage, places.platform)) {
    if (options.restricted) {
      throw new SecretStoreError('profile restricted: this machine has no OS keyring (Electron\'s safeStorage would keep MAC keys in plain text); RESTRICTED runs need one — install and unlock a Secret Service keyring (GNOME Keyring or KWallet)');
    }
    return new FileMacKeyStore(places.fileDir);
  }
  return SecretMacKeyStore.open(places.secretDir, storage, options);
}

/** Where run MAC keys go, in words, for Settings → Keys. */
export function describeAppMacKeys(storage: SafeStorageLike, places: AppMacKeyPlaces): string {
  if (plainText(storage, places.platform)) return `key files (0600) in ${places.fileDir}: this machine has no OS keyring (safeStorage would fall back to plain text), so RESTRICTED runs are refused`;
  const store = places.platform === 'linux' ? (storage.getSelectedStorageBackend?.() ?? 'libsecret') : places.platform === 'darwin' ? 'Keychain' : 'DPAPI';
  return `OS secret store through safeStorage (${store})`;
}
