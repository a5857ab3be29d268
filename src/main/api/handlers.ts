// The console's handlers, plain Node: the Electron IPC bridge and `runbook serve` both call these.
import path from 'node:path';
import type { AppInfo, OpenedRunbook } from '../../shared/api.js';
import { RunbookError, loadRunbook } from '../runbook/index.js';
import type { SettingsStore } from '../settings/store.js';
import type { ApiHandlers } from './dispatch.js';

export interface HandlerOptions {
  host: AppInfo['host'];
  version: string;
  /** Runbook opened at start-up (command-line argument), if any. */
  initialFile?: string;
  /** Where targets and preferences are kept: electron-store in the app, conf elsewhere. */
  settings: SettingsStore;
}

export function createApiHandlers(options: HandlerOptions): ApiHandlers {
  let opened: OpenedRunbook = { runbook: null, error: null };
  let pending: Promise<OpenedRunbook> | null = null;

  async function open(file: string): Promise<OpenedRunbook> {
    const absolute = path.resolve(file);
    try {
      opened = { runbook: await loadRunbook(absolute), error: null };
    } catch (error) {
      if (!(error instanceof RunbookError)) throw error;
      // A bad file leaves the runbook already open in place; only the error is reported.
      opened = { runbook: opened.runbook, error: { file: error.file, line: error.line, message: error.message } };
    }
    return opened;
  }

  if (options.initialFile) pending = open(options.initialFile);

  return {
    'app.info': async () => ({ name: 'Runbook Console', version: options.version, host: options.host }),
    'runbook.current': async () => (pending ? await pending : opened),
    'runbook.open': async ({ path: file }) => {
      pending = open(file);
      return pending;
    },
    'targets.get': async () => ({ file: options.settings.path, targets: options.settings.targets() }),
    'targets.save': async ({ targets }) => {
      options.settings.saveTargets(targets);
      return { file: options.settings.path, targets: options.settings.targets() };
    },
  };
}
