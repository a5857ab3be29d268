// Upgrades a settings file written by an older version of the app, keyed on its `version` field.
// Runs before the store opens the file (conf and electron-store validate it against the current schema
// when they open it). electron-store's own `migrations` are not used: they are semver-keyed and unsupported.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SETTINGS_VERSION } from '../../shared/settings.js';
import { SettingsError } from './store.js';

/** Turns settings of version N into settings of version N + 1 (the `version` field is set by the caller). */
export type SettingsMigration = (settings: Record<string, unknown>) => Record<string, unknown>;

/**
 * SETTINGS_MIGRATIONS[N] upgrades version N to N + 1. Raising SETTINGS_VERSION needs an entry here for the
 * version it replaces; a field added as optional needs none.
 */
export const SETTINGS_MIGRATIONS: Readonly<Record<number, SettingsMigration>> = {};

export interface MigrationOptions {
  /** Named in errors. */
  file: string;
  /** The version to reach; default: the app's SETTINGS_VERSION. */
  target?: number;
  migrations?: Readonly<Record<number, SettingsMigration>>;
}

export interface MigrationResult {
  settings: unknown;
  /** The version the settings had (1 when the field is missing: version 1 is the first). */
  from: number;
  changed: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Brings settings read from disk to the target version. Anything that is not an object with a whole-number
 * version is returned as it is, for the schema to report. Settings from a newer app are refused, not downgraded.
 */
export function migrateSettings(raw: unknown, options: MigrationOptions): MigrationResult {
  const target = options.target ?? SETTINGS_VERSION;
  const migrations = options.migrations ?? SETTINGS_MIGRATIONS;
  if (!isRecord(raw)) return { settings: raw, from: target, changed: false };
  const from = raw.version === undefined ? 1 : raw.version;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) return { settings: raw, from: target, changed: false };
  if (from > target) {
    throw new SettingsError(
      options.file,
      'version',
      `written by a newer Runbook Console (settings version ${from}); this one reads settings up to version ${target}`,
    );
  }
  let settings = raw;
  for (let version = from; version < target; version++) {
    const migrate = migrations[version];
    if (!migrate) throw new Error(`no settings migration from version ${version} to ${version + 1}`);
    settings = { ...migrate(settings), version: version + 1 };
  }
  return { settings, from, changed: from !== target };
}

/**
 * Migrates the settings file in place before a store opens it. The old file is kept beside it as
 * `<file>.v<N>.bak`, and the new one is written to a temporary file and renamed over the old, so a crash
 * leaves either. A missing or unparsable file is left alone for the store to create or report.
 */
export function migrateSettingsFile(file: string, options: Omit<MigrationOptions, 'file'> = {}): MigrationResult | null {
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const result = migrateSettings(raw, { ...options, file });
  if (result.changed) {
    writeFileSync(`${file}.v${result.from}.bak`, text, { mode: 0o600 });
    const temporary = `${file}.migrating`;
    writeFileSync(temporary, `${JSON.stringify(result.settings, null, '\t')}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  }
  return result;
}
