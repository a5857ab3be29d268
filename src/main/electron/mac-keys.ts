// The desktop app's run MAC keys: the OS secret store through safeStorage, never its plain-text fallback
// (the choice is made in audit/app-mac-keys.ts, which tests drive with a fake safeStorage).
import path from 'node:path';
import { app, safeStorage } from 'electron';
import { type AppMacKeyPlaces, describeAppMacKeys as describe, openAppMacKeyStore as open } from '../audit/app-mac-keys.js';
import { type MacKeyStore, defaultKeyDir } from '../audit/key-store.js';

const places = (): AppMacKeyPlaces => ({ secretDir: path.join(app.getPath('userData'), 'keys', 'mac'), fileDir: defaultKeyDir(), platform: process.platform });

export const openAppMacKeyStore = (options: { restricted: boolean }): Promise<MacKeyStore> => open(safeStorage, places(), options);

export const describeAppMacKeys = (): string => describe(safeStorage, places());
