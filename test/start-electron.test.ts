// `npm start` where no Electron binary can be had: a clear hint and exit 1, never a stack trace.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from './support/shared.js';

it('prints how to go on when the Electron binary is missing', () => {
  const res = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/start-electron.mjs')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: path.join(REPO_ROOT, 'no-such-electron-dir') },
  });
  expect(res.status).toBe(1);
  expect(res.stderr).toContain('Runbook Console: no Electron binary found.');
  expect(res.stderr).toContain('npx runbook serve');
  expect(res.stderr).not.toMatch(/\n\s+at /);
});
