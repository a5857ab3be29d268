// Console API handlers for tests: settings, keys and runs in a fresh temp directory (or in `root`: a second
// host process on the same settings, keys and runs, as after a restart).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type HandlerOptions, createApiHandlers } from '../../src/main/api/handlers.js';
import { loadInstallation } from '../../src/main/audit/installation.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { RunController } from '../../src/main/runs/run-controller.js';
import { openConfSettings } from '../../src/main/settings/conf-store.js';

export function testHandlers(options: Omit<HandlerOptions, 'settings' | 'runs' | 'keys'> & { agentSocket?: string; root?: string }) {
  const secrets = options.secrets;
  const root = options.root ?? mkdtempSync(path.join(tmpdir(), 'console-'));
  const settings = openConfSettings({ cwd: path.join(root, 'settings') });
  const keys = new FileMacKeyStore(path.join(root, 'keys', 'mac'));
  const installation = () => loadInstallation(path.join(root, 'keys', 'installation_ed25519'));
  const runs = new RunController({
    settings,
    keys: () => keys,
    installation,
    runsDir: path.join(root, 'runs'),
    version: 'test',
    ...(secrets ? { secret: (name: string) => secrets.get(name) } : {}),
  });
  const { agentSocket, root: _root, ...rest } = options;
  const keySources = { installation, macKeys: `key files (0600) in ${path.join(root, 'keys', 'mac')}`, agentSocket };
  return { root, keys, settings, runs, handlers: createApiHandlers({ ...rest, settings, runs, keys: keySources }) };
}
