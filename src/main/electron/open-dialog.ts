// The native "Open Runbook" dialog, for the menu and for the library page's Choose file… button.
import path from 'node:path';
import { type BrowserWindow, dialog } from 'electron';

/** The file the operator chose, or null when they cancelled. Starts where the newest recent runbook is. */
export async function chooseRunbookFile(window: BrowserWindow | null, newestRecent: string | undefined): Promise<string | null> {
  const dialogOptions: Electron.OpenDialogOptions = {
    title: 'Open Runbook',
    properties: ['openFile'],
    filters: [{ name: 'Runbooks (Markdown)', extensions: ['md', 'markdown'] }],
    ...(newestRecent ? { defaultPath: path.dirname(newestRecent) } : {}),
  };
  const chosen = window ? await dialog.showOpenDialog(window, dialogOptions) : await dialog.showOpenDialog(dialogOptions);
  return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
}
