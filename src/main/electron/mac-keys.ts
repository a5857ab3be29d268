// The desktop app keeps run MAC keys in the OS secret store through Electron's safeStorage.
import path from 'node:path';
import { app, safeStorage } from 'electron';
import { SecretMacKeyStore } from '../audit/secret-key-store.js';

export function openAppMacKeyStore(options: { restricted: boolean }): Promise<SecretMacKeyStore> {
  return SecretMacKeyStore.open(path.join(app.getPath('userData'), 'keys', 'mac'), safeStorage, options);
}
