// The application menu: File (Open Runbook…, Open Recent, Quit), Edit, View, Help. Its content is built by
// desktop/menu-template.ts; this file supplies the actions and rebuilds it when the recent list changes.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { type BrowserWindow, Menu, app, dialog } from 'electron';
import { aboutText, buildMenuTemplate } from '../desktop/menu-template.js';
import { clearRecentRunbooks, forgetRunbook } from '../desktop/recent-runbooks.js';
import type { SettingsStore } from '../settings/store.js';
import { chooseRunbookFile } from './open-dialog.js';

export interface AppMenuOptions {
  appName: string;
  settings: SettingsStore;
  window: () => BrowserWindow | null;
  /** Opens a runbook in the console (and records it as recent). */
  open: (file: string) => Promise<void>;
  warn: (message: string) => void;
}

/** Installs the menu and returns the function that rebuilds it (after the recent list changed). */
export function installAppMenu(options: AppMenuOptions): () => void {
  const { settings, warn } = options;
  const recent = (): string[] => {
    try {
      return settings.read().recentRunbooks;
    } catch (error) {
      warn(`recent runbooks unavailable: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  };
  const settingsChange = (change: () => unknown) => {
    try {
      change();
    } catch (error) {
      warn(`recent runbooks not updated: ${error instanceof Error ? error.message : String(error)}`);
    }
    refresh();
  };
  const report = (error: unknown) => warn(error instanceof Error ? error.message : String(error));

  async function openRunbook(): Promise<void> {
    const file = await chooseRunbookFile(options.window(), recent()[0]);
    if (file) await options.open(file);
  }

  async function openRecent(file: string): Promise<void> {
    if (existsSync(file)) return options.open(file);
    const window = options.window();
    const box = { type: 'warning' as const, message: 'This runbook is no longer there.', detail: `${file}\n\nIt has been removed from Open Recent.` };
    settingsChange(() => forgetRunbook(settings, file));
    await (window ? dialog.showMessageBox(window, box) : dialog.showMessageBox(box));
  }

  async function about(): Promise<void> {
    const window = options.window();
    const text = aboutText(options.appName, app.getVersion(), process.versions);
    const box = { type: 'info' as const, title: `About ${options.appName}`, ...text, buttons: ['OK'] };
    await (window ? dialog.showMessageBox(window, box) : dialog.showMessageBox(box));
  }

  function refresh(): void {
    const template = buildMenuTemplate(
      { appName: options.appName, platform: process.platform, recentRunbooks: recent(), isDev: !app.isPackaged, home: os.homedir() },
      {
        openRunbook: () => void openRunbook().catch(report),
        openRecent: (file) => void openRecent(file).catch(report),
        clearRecent: () => {
          app.clearRecentDocuments();
          settingsChange(() => clearRecentRunbooks(settings));
        },
        about: () => void about().catch(report),
      },
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  refresh();
  return refresh;
}
