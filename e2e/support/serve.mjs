// Starts `runbook serve` from dist/ as an operator does and waits for the address it prints.
// Plain JavaScript so the e2e tests and bench/renderer.mjs share it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');

/**
 * @param {{ file?: string, settingsDir: string, runsDir: string, env?: Record<string, string> }} options
 * @returns {Promise<{ url: string, origin: string, output: () => string, stop: () => Promise<void>, kill: (signal: NodeJS.Signals) => Promise<void> }>}
 */
export function startServe(options) {
  if (!existsSync(CLI)) return Promise.reject(new Error(`${CLI} is missing: run \`npm run build\` first`));
  const child = spawn(process.execPath, [CLI, 'serve', ...(options.file ? [options.file] : []), '--settings-dir', options.settingsDir, '--runs-dir', options.runsDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  /** Sends `signal` (SIGKILL: as a crash would end it) and waits for the process to end. */
  const kill = async (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const stop = () => kill('SIGTERM');
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
      const m = /Open: (\S+)/.exec(out);
      if (m?.[1]) resolve({ url: m[1], origin: new URL(m[1]).origin, output: () => out, stop, kill });
    });
    child.stderr.on('data', (chunk) => (out += String(chunk)));
    child.once('exit', (code) => reject(new Error(`runbook serve exited with ${code}: ${out}`)));
  });
}
