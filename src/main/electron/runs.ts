// The desktop app's run controller: runs recorded under the app's data directory, MAC keys in the OS
// secret store, the installation key beside them.
import path from 'node:path';
import { app } from 'electron';
import { loadInstallation } from '../audit/installation.js';
import { RunController } from '../runs/run-controller.js';
import type { SettingsStore } from '../settings/store.js';
import { openAppMacKeyStore } from './mac-keys.js';

export function createAppRunController(settings: SettingsStore): RunController {
  const data = app.getPath('userData');
  return new RunController({
    settings,
    keys: () => openAppMacKeyStore({ restricted: false }),
    installation: () => loadInstallation(path.join(data, 'keys', 'installation_ed25519')),
    runsDir: settings.read().journalDir ?? path.join(data, 'runs'),
    version: app.getVersion(),
  });
}
