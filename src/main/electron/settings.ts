// The desktop app's settings: electron-store over the same schema as conf on the Node side.
import path from 'node:path';
import { app } from 'electron';
import ElectronStore, { type Options } from 'electron-store';
import { SETTINGS_FILE_NAME, openValidated } from '../settings/conf-store.js';
import { storeSchemaOptions } from '../settings/json-schema.js';
import { type KeyValueStore, SettingsStore } from '../settings/store.js';

export function openElectronSettings(): SettingsStore {
  const options = {
    name: SETTINGS_FILE_NAME,
    ...storeSchemaOptions(),
    clearInvalidConfig: false,
  } as Options<Record<string, unknown>>; // the schema is generated from zod, so electron-store cannot type it
  const file = path.join(app.getPath('userData'), `${SETTINGS_FILE_NAME}.json`);
  return new SettingsStore(openValidated(file, () => new ElectronStore<Record<string, unknown>>(options)) as unknown as KeyValueStore);
}
