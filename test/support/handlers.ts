// Console API handlers for tests: settings, keys and runs in a fresh temp directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type HandlerOptions, createApiHandlers } from '../../src/main/api/handlers.js';
import { loadInstallation } from '../../src/main/audit/installation.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { RunController } from '../../src/main/runs/run-controller.js';
import { openConfSettings } from '../../src/main/settings/conf-store.js';

export function testHandlers(options: Omit<HandlerOptions, 'settings' | 'runs'>) {
  const root = mkdtempSync(path.join(tmpdir(), 'console-'));
  const settings = openConfSettings({ cwd: path.join(root, 'settings') });
  const keys = new FileMacKeyStore(path.join(root, 'keys', 'mac'));
  const runs = new RunController({
    settings,
    keys: () => keys,
    installation: () => loadInstallation(path.join(root, 'keys', 'installation_ed25519')),
    runsDir: path.join(root, 'runs'),
    version: 'test',
  });
  return { root, keys, settings, handlers: createApiHandlers({ ...options, settings, runs }) };
}
