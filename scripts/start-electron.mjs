#!/usr/bin/env node
// `npm start`: launches the desktop app. Where the Electron binary is missing and cannot be downloaded
// (offline, air-gapped), it says so and how to go on instead of printing a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { electronBinary, electronPackageDir } from './electron-binary.mjs';

const args = process.argv.slice(2);

function hint(reason) {
  process.stderr.write(
    [
      `Runbook Console: ${reason}`,
      '',
      'The Electron binary is not installed, and it could not be downloaded (this machine may be offline).',
      'You can:',
      '  • open the console in a browser instead:   npx runbook serve runbooks/local-health-check.md',
      '  • point at an unpacked Electron build:    ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-dir npm start',
      '  • download it where a network is reachable: npx install-electron',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

let binary = electronBinary();
if (!binary && !process.env.ELECTRON_OVERRIDE_DIST_PATH) {
  const dir = electronPackageDir();
  if (!dir) hint('the electron package is not installed (run `npm install`).');
  const installer = path.join(dir, 'install.js');
  process.stderr.write('Runbook Console: downloading the Electron binary (first start)…\n');
  const result = spawnSync(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000, encoding: 'utf8' });
  if (result.status !== 0) {
    const why = (result.stderr || '').split('\n').find((l) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|error/i.test(l));
    hint(`download failed${why ? ` (${why.trim()})` : ''}.`);
  }
  binary = electronBinary();
}
if (!binary) hint('no Electron binary found.');

const child = spawn(binary, ['.', ...args], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
