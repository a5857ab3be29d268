// `runbook serve [FILE]`: the console in a browser, backed by the same handlers as the desktop app.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { packagePath } from '../../main/util/package-root.js';
import { createApiHandlers } from '../../main/api/handlers.js';
import { loadInstallationForCli } from '../installation-notice.js';
import { FileMacKeyStore, defaultKeyDir } from '../../main/audit/key-store.js';
import { defaultRunsDir } from '../../main/audit/runs-dir.js';
import { RunController } from '../../main/runs/run-controller.js';
import { openConfSettings } from '../../main/settings/conf-store.js';
import { recordingRecentRunbooks, rememberRunbook } from '../../main/desktop/recent-runbooks.js';
import { startServer } from '../../main/serve/server.js';
import { VERSION } from '../version.js';

const RENDERER_DIR = `${packagePath('dist', 'renderer')}${path.sep}`;

export async function serveCommand(file: string | undefined, options: { port?: number; host: string; settingsDir?: string; runsDir?: string; open?: boolean; store?: string }): Promise<void> {
  const settings = openConfSettings(options.settingsDir ? { cwd: options.settingsDir } : {});
  const runs = new RunController({
    settings,
    keys: () => new FileMacKeyStore(),
    installation: () => loadInstallationForCli(),
    runsDir: options.runsDir ?? defaultRunsDir(),
    version: VERSION,
    // Settings' store first; else this, else $RUNBOOK_STORE_URL (the password from $RUNBOOK_STORE_PASSWORD).
    storeUrl: options.store ?? null,
  });
  // Runbooks opened in the browser join the same recent list as the desktop app's.
  const handlers = recordingRecentRunbooks(
    createApiHandlers({
      host: 'browser',
      version: VERSION,
      settings,
      runs,
      keys: { installation: () => loadInstallationForCli(), macKeys: `key files (0600) in ${defaultKeyDir()}` },
      ...(file ? { initialFile: file } : {}),
    }),
    (opened) => rememberRunbook(settings, opened),
    (error) => process.stderr.write(`runbook: note: recent runbooks not updated: ${(error as Error).message}\n`),
  );
  const server = await startServer({ handlers, staticDir: RENDERER_DIR, host: options.host, ...(options.port !== undefined ? { port: options.port } : {}) });
  // The first line is the address to open, token included, so scripts and tunnels can take it as is.
  process.stdout.write(`${server.url}\nRunbook Console is serving on ${server.origin}. Open: ${server.url}\n(Ctrl+C to stop)\n`);
  if (options.open) openInBrowser(server.url);
  // Going away stops the open run's step for real, records why and seals it: no orphan, no torn run.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void runs
      .shutdown(signal)
      .catch((error: unknown) => process.stderr.write(`runbook: the open run could not be sealed: ${(error as Error).message}\n`))
      .then(() => server.close())
      .then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
}

/** Hands the address to the desktop's browser; where there is none, the printed address is enough. */
function openInBrowser(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(command as string, args as string[], { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`runbook: could not start a browser (${command as string}); open the address above yourself\n`));
  child.unref();
}
