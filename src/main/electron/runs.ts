// The desktop app's run controller: runs and the installation key where the CLI keeps them, MAC keys in
// the OS secret store.
import { app } from 'electron';
import { type Installation, defaultInstallationKeyFile, loadInstallation, newKeyNotice } from '../audit/installation.js';
import { defaultRunsDir } from '../audit/runs-dir.js';
import { RunController } from '../runs/run-controller.js';
import type { SettingsStore } from '../settings/store.js';
import { openAppMacKeyStore } from './mac-keys.js';
import type { NamedSecrets } from '../secrets/named-secrets.js';

/** Runs and the installation key live where the CLI keeps them, so `runbook verify` finds app runs too. */
export function createAppRunController(settings: SettingsStore, secrets: NamedSecrets): RunController {
  return new RunController({
    settings,
    keys: ({ restricted }) => openAppMacKeyStore({ restricted }),
    installation: appInstallation,
    runsDir: settings.read().journalDir ?? defaultRunsDir(),
    version: app.getVersion(),
    secret: (name) => secrets.get(name),
  });
}

/**
 * The installation key where the CLI keeps it. The call that makes it prints its fingerprint once on stderr,
 * as the CLI does; the console shows it too (the run or settings page that made it, and Settings → Keys).
 */
export async function appInstallation(): Promise<Installation> {
  const installation = await loadInstallation(defaultInstallationKeyFile());
  if (installation.created) process.stderr.write(newKeyNotice(installation));
  return installation;
}
