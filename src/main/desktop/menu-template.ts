// The application menu as plain data, built from the recent runbooks and the platform, so what it holds is
// tested without Electron; src/main/electron/menu.ts hands it to Menu.buildFromTemplate.

/** The Electron menu roles this menu uses (a subset of Electron's MenuItemConstructorOptions['role']). */
export type MenuRole =
  | 'about'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'windowMenu'
  | 'help';

/** A menu item in the shape Electron's MenuItemConstructorOptions takes. */
export interface MenuItemSpec {
  id?: string;
  label?: string;
  role?: MenuRole;
  type?: 'normal' | 'separator' | 'submenu';
  accelerator?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export interface MenuActions {
  openRunbook(): void;
  openRecent(file: string): void;
  clearRecent(): void;
  about(): void;
}

export interface MenuData {
  appName: string;
  platform: NodeJS.Platform;
  /** Recent runbooks, newest first (absolute paths). */
  recentRunbooks: readonly string[];
  /** Development build (not packaged): adds reload and developer tools. */
  isDev: boolean;
  /** The user's home directory, shown as ~ in recent paths. */
  home?: string;
}

const separator: MenuItemSpec = { type: 'separator' };

/** Menus on Windows and Linux take `&` as a mnemonic marker; a literal one is written `&&`. */
export function menuLabel(text: string): string {
  return text.replace(/&/g, '&&');
}

/** How a recent runbook is listed: its path, with the home directory shortened to ~. */
export function recentLabel(file: string, home?: string): string {
  const shown = home && (file === home || file.startsWith(`${home}/`) || file.startsWith(`${home}\\`)) ? `~${file.slice(home.length)}` : file;
  return menuLabel(shown);
}

export function buildMenuTemplate(data: MenuData, actions: MenuActions): MenuItemSpec[] {
  const mac = data.platform === 'darwin';
  const recent: MenuItemSpec[] = data.recentRunbooks.length
    ? [
        ...data.recentRunbooks.map((file, i) => ({ id: `recent-${i}`, label: recentLabel(file, data.home), click: () => actions.openRecent(file) })),
        separator,
        { id: 'recent-clear', label: 'Clear Recently Opened', click: () => actions.clearRecent() },
      ]
    : [{ id: 'recent-none', label: 'No Recent Runbooks', enabled: false }];
  const about: MenuItemSpec = { id: 'about', label: `About ${data.appName}`, click: () => actions.about() };

  const appMenu: MenuItemSpec[] = mac
    ? [
        {
          label: data.appName,
          submenu: [about, separator, { role: 'services' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }],
        },
      ]
    : [];
  const file: MenuItemSpec = {
    label: mac ? 'File' : '&File',
    submenu: [
      { id: 'open-runbook', label: 'Open Runbook…', accelerator: 'CmdOrCtrl+O', click: () => actions.openRunbook() },
      { id: 'open-recent', label: 'Open Recent', submenu: recent },
      separator,
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const edit: MenuItemSpec = {
    label: mac ? 'Edit' : '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      separator,
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemSpec = {
    label: mac ? 'View' : '&View',
    submenu: [
      ...(data.isDev ? [{ role: 'reload' } as const, { role: 'forceReload' } as const, { role: 'toggleDevTools' } as const, separator] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };
  const windowMenu: MenuItemSpec[] = mac ? [{ role: 'windowMenu' }] : [];
  const help: MenuItemSpec = { role: 'help', label: mac ? 'Help' : '&Help', submenu: [about] };
  return [...appMenu, file, edit, view, ...windowMenu, help];
}

/** The About box's text. */
export function aboutText(appName: string, version: string, versions: Partial<Record<'electron' | 'chrome' | 'node', string>>): { message: string; detail: string } {
  const lines = [
    versions.electron && `Electron ${versions.electron}`,
    versions.chrome && `Chromium ${versions.chrome}`,
    versions.node && `Node.js ${versions.node}`,
  ].filter((line): line is string => Boolean(line));
  return { message: `${appName} ${version}`, detail: lines.join('\n') };
}
