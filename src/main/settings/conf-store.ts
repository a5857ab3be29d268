// Settings for plain Node (CLI, `runbook serve`, tests) through conf, the library electron-store is
// built on: same file format, same schema; electron-store itself needs Electron at runtime.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Conf, { type Options } from 'conf';
import envPaths from 'env-paths';
import { storeSchemaOptions } from './json-schema.js';
import { migrateSettingsFile } from './migrations.js';
import { type KeyValueStore, SettingsStore, parseSettings } from './store.js';

export const SETTINGS_FILE_NAME = 'settings';

export interface ConfSettingsOptions {
  /** Directory holding settings.json; default: the OS config directory for runbook-console. */
  cwd?: string;
}

export function openConfSettings(options: ConfSettingsOptions = {}): SettingsStore {
  const cwd = options.cwd ?? envPaths('runbook-console', { suffix: '' }).config;
  const confOptions = {
    cwd,
    configName: SETTINGS_FILE_NAME,
    ...storeSchemaOptions(),
    // A settings file that fails the schema is reported, never silently replaced.
    clearInvalidConfig: false,
  } as Partial<Options<Record<string, unknown>>>; // the schema is generated from zod, so conf cannot type it
  return new SettingsStore(openValidated(path.join(cwd, `${SETTINGS_FILE_NAME}.json`), () => new Conf<Record<string, unknown>>(confOptions)) as unknown as KeyValueStore);
}

/**
 * Opens a conf-based store, after bringing an older settings file to the current version. conf's own error
 * for a file that breaks the schema lists every branch of every union; the file is read again and validated
 * with zod so the error names the file and the one field at fault.
 */
export function openValidated<T>(file: string, open: () => T): T {
  migrateSettingsFile(file);
  try {
    return open();
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('Config schema violation'))) throw error;
    parseSettings(file, JSON.parse(readFileSync(file, 'utf8')));
    throw error;
  }
}
