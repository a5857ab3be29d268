// `runbook serve [FILE]`: the console in a browser, backed by the same handlers as the desktop app.
import { fileURLToPath } from 'node:url';
import { createApiHandlers } from '../../main/api/handlers.js';
import { loadInstallation } from '../../main/audit/installation.js';
import { FileMacKeyStore } from '../../main/audit/key-store.js';
import { defaultRunsDir } from '../../main/audit/runs-dir.js';
import { RunController } from '../../main/runs/run-controller.js';
import { openConfSettings } from '../../main/settings/conf-store.js';
import { startServer } from '../../main/serve/server.js';
import { VERSION } from '../version.js';

const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));

export async function serveCommand(file: string | undefined, options: { port?: number; host: string; settingsDir?: string; runsDir?: string }): Promise<void> {
  const settings = openConfSettings(options.settingsDir ? { cwd: options.settingsDir } : {});
  const runs = new RunController({
    settings,
    keys: () => new FileMacKeyStore(),
    installation: () => loadInstallation(),
    runsDir: options.runsDir ?? defaultRunsDir(),
    version: VERSION,
  });
  const handlers = createApiHandlers({ host: 'browser', version: VERSION, settings, runs, ...(file ? { initialFile: file } : {}) });
  const server = await startServer({ handlers, staticDir: RENDERER_DIR, host: options.host, ...(options.port !== undefined ? { port: options.port } : {}) });
  process.stdout.write(`Runbook Console is serving on ${server.origin}\nOpen: ${server.url}\n(Ctrl+C to stop)\n`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
