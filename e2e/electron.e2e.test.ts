// The desktop app itself. It needs the Electron binary, which cannot be downloaded on an offline machine:
// there the test skips with the reason; where the binary is present it runs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../scripts/electron-binary.mjs';
import { API_METHODS } from '../src/shared/api-methods.js';
import { REPO_ROOT } from '../test/support/shared.js';
import { WHOLE_RUN_RUNBOOK, wholeRunScenario } from './support/whole-run.js';

const binary = electronBinary();
if (!binary) console.warn('skipped: the Electron binary is not installed (offline machine); desktop e2e runs where it is present');

describe.skipIf(!binary)('desktop app (Electron)', () => {
  it('opens one hardened window that shows the runbook given on the command line', async () => {
    const { _electron } = await import('playwright-core');
    const app = await _electron.launch({
      executablePath: binary as string,
      args: [REPO_ROOT, path.join(REPO_ROOT, 'runbooks/local-health-check.md')],
      cwd: REPO_ROOT,
    });
    try {
      const win = await app.firstWindow();
      await expect.poll(() => win.textContent('[data-testid=runbook-title]')).toBe('Workstation Health Check');
      expect(win.url()).toMatch(/^app:\/\/runbook\//);
      expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await win.evaluate(() => Object.keys((globalThis as { runbookConsole?: object }).runbookConsole ?? {}).sort())).toEqual([...API_METHODS].sort());
      await win.evaluate(() => (globalThis as unknown as { open: (u: string) => unknown }).open("https://example.com"));
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});

describe.skipIf(!binary)('desktop app (Electron): a whole run', () => {
  let root: string;
  let app: ElectronApplication;
  let win: Page;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-electron-'));
    const file = path.join(root, 'change.md');
    writeFileSync(file, WHOLE_RUN_RUNBOOK);
    mkdirSync(path.join(REPO_ROOT, 'e2e-artifacts'), { recursive: true });
    const { _electron } = await import('playwright-core');
    // Settings, data, keys and runs in the temp directory, not the operator's own.
    const env = { ...process.env, XDG_CONFIG_HOME: path.join(root, 'config'), XDG_DATA_HOME: path.join(root, 'data'), RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(root, 'runs') };
    app = await _electron.launch({ executablePath: binary as string, args: [REPO_ROOT, file], cwd: REPO_ROOT, env: env as Record<string, string> });
    win = await app.firstWindow();
    await win.setViewportSize({ width: 1400, height: 900 });
  });

  afterAll(async () => {
    await app?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  wholeRunScenario({
    page: () => win,
    root: () => root,
    keyDir: () => path.join(root, 'keys'),
    shot: (name) => win.screenshot({ path: path.join(REPO_ROOT, 'e2e-artifacts', `electron-${name}.png`) }),
  });
});
