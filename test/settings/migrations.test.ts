// The settings migrations: keyed on `version`, run before the store opens the file, never downgrading.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS_VERSION } from '../../src/shared/settings.js';
import { openConfSettings } from '../../src/main/settings/conf-store.js';
import { SETTINGS_MIGRATIONS, type SettingsMigration, migrateSettings, migrateSettingsFile } from '../../src/main/settings/migrations.js';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'settings-migrations-'));

// Two made-up steps: v1 kept `recent`, v2 renamed it; v3 dropped an obsolete field.
const migrations: Record<number, SettingsMigration> = {
  1: ({ recent, ...rest }) => ({ ...rest, recentRunbooks: recent ?? [] }),
  2: ({ theme: _theme, ...rest }) => rest,
};

describe('settings migrations', () => {
  it('has a migration for every version below the current one', () => {
    for (let v = 1; v < SETTINGS_VERSION; v++) expect(SETTINGS_MIGRATIONS[v], `migration ${v} → ${v + 1}`).toBeTypeOf('function');
  });

  it('runs each step in order and stamps the version', () => {
    const result = migrateSettings({ version: 1, recent: ['/a.md'], theme: 'dark', targets: {} }, { file: 'f', target: 3, migrations });
    expect(result).toEqual({ settings: { version: 3, recentRunbooks: ['/a.md'], targets: {} }, from: 1, changed: true });
  });

  it('starts from the middle, and treats a missing version as version 1', () => {
    expect(migrateSettings({ version: 2, theme: 'x' }, { file: 'f', target: 3, migrations }).settings).toEqual({ version: 3 });
    expect(migrateSettings({ recent: ['/b.md'] }, { file: 'f', target: 2, migrations }).settings).toEqual({ version: 2, recentRunbooks: ['/b.md'] });
  });

  it('leaves current settings and anything unreadable alone for the schema to judge', () => {
    const current = { version: SETTINGS_VERSION, targets: {} };
    expect(migrateSettings(current, { file: 'f' })).toEqual({ settings: current, from: SETTINGS_VERSION, changed: false });
    for (const odd of [null, [], 'text', { version: 'one' }, { version: 1.5 }, { version: 0 }]) {
      expect(migrateSettings(odd, { file: 'f', target: 3, migrations }).changed).toBe(false);
    }
  });

  it('refuses settings written by a newer app instead of downgrading them', () => {
    expect(() => migrateSettings({ version: 9 }, { file: '/x/settings.json', target: 3, migrations })).toThrow(
      '/x/settings.json: version: written by a newer Runbook Console (settings version 9); this one reads settings up to version 3',
    );
  });

  it('says so when a step is missing', () => {
    expect(() => migrateSettings({ version: 1 }, { file: 'f', target: 2, migrations: {} })).toThrow('no settings migration from version 1 to 2');
  });

  it('rewrites an old file in place and keeps the original beside it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'settings.json');
    const old = JSON.stringify({ version: 1, recent: ['/a.md'] });
    writeFileSync(file, old);
    expect(migrateSettingsFile(file, { target: 2, migrations })?.changed).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 2, recentRunbooks: ['/a.md'] });
    expect(readFileSync(`${file}.v1.bak`, 'utf8')).toBe(old);
    expect(readdirSync(dir).sort()).toEqual(['settings.json', 'settings.json.v1.bak']);
  });

  it('leaves a missing, unparsable or current file untouched', () => {
    const dir = tempDir();
    const file = path.join(dir, 'settings.json');
    expect(migrateSettingsFile(file)).toBeNull();
    writeFileSync(file, '{ not json');
    expect(migrateSettingsFile(file)).toBeNull();
    writeFileSync(file, JSON.stringify({ version: SETTINGS_VERSION }));
    expect(migrateSettingsFile(file)?.changed).toBe(false);
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });

  it('the store names the newer version instead of a schema error, and keeps the file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'settings.json');
    const newer = JSON.stringify({ version: SETTINGS_VERSION + 1, targets: {} });
    writeFileSync(file, newer);
    expect(() => openConfSettings({ cwd: dir })).toThrow(/settings\.json: version: written by a newer Runbook Console/);
    expect(readFileSync(file, 'utf8')).toBe(newer);
  });
});
