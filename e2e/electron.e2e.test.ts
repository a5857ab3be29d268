// The desktop app itself. It needs the Electron binary, which cannot be downloaded on an offline machine:
// there the test skips with the reason; where the binary is present it runs.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronBinary } from '../scripts/electron-binary.mjs';
import { API_METHODS } from '../src/shared/api-methods.js';
import { REPO_ROOT } from '../test/support/shared.js';

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
