// App settings through conf (the library electron-store is built on) with the shared schema.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConfSettings } from '../../src/main/settings/conf-store.js';
import { loadTargetsFile } from '../../src/main/targets/targets-file.js';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'settings-'));

describe('settings store', () => {
  it('starts empty with defaults and round-trips targets as a targets file would give them', async () => {
    const dir = tempDir();
    const settings = openConfSettings({ cwd: dir });
    expect(settings.read()).toEqual({ version: 1, targets: {}, recentRunbooks: [] });
    const file = path.join(dir, 'targets.yaml');
    writeFileSync(file, 'targets:\n  db: { kind: postgres, host: 127.0.0.1, database: app, user: app, passwordEnv: PGPW, sslmode: verify-full }\n  web: { kind: ssh, host: web-1 }\ndefaults: { sql: db }\n');
    const fromFile = await loadTargetsFile(file);
    settings.saveTargets(fromFile);
    // A second store over the same directory sees what the first wrote.
    const reopened = openConfSettings({ cwd: dir });
    expect(reopened.targets()).toEqual(fromFile);
    expect(JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')).targets.web).toEqual({ kind: 'ssh', host: 'web-1' });
  });

  it('refuses an invalid change and keeps what was stored', () => {
    const dir = tempDir();
    const settings = openConfSettings({ cwd: dir });
    settings.saveTargets({ targets: { web: { kind: 'ssh', host: 'web-1' } } });
    expect(() => settings.saveTargets({ targets: { web: { kind: 'ssh', host: 'web-1', port: 70000 } } } as never)).toThrow(
      /settings\.json: targets\.web\.port: /,
    );
    expect(() => settings.update((s) => ({ ...s, targets: { 'bad name': { kind: 'local' } } }))).toThrow(/targets\.bad name: target names are letters/);
    expect(openConfSettings({ cwd: dir }).targets()).toEqual({ targets: { web: { kind: 'ssh', host: 'web-1' } } });
  });

  it('a hand-edited settings file that breaks the schema is an error naming the file and field, and is not wiped', () => {
    const dir = tempDir();
    const file = path.join(dir, 'settings.json');
    const bad = JSON.stringify({ version: 1, targets: { db: { kind: 'postgres', host: 'h', database: 'd', user: 'u', password: 'plain' } } });
    writeFileSync(file, bad);
    expect(() => openConfSettings({ cwd: dir }).read()).toThrow(/settings\.json[^\n]*(targets|password)/);
    expect(readFileSync(file, 'utf8')).toBe(bad);
  });
});
