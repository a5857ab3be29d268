// The desktop app itself. It needs the Electron binary, which cannot be downloaded on an offline machine:
// there the test skips with the reason; where the binary is present it runs.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test/support/shared.js';

function electronBinary(): string | null {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    return existsSync(p) ? p : null;
  }
  const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

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
      expect(await win.evaluate(() => Object.keys((globalThis as { runbookConsole?: object }).runbookConsole ?? {}).sort())).toEqual(['app.info', 'runbook.current', 'runbook.open']);
      await win.evaluate(() => (globalThis as unknown as { open: (u: string) => unknown }).open("https://example.com"));
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
