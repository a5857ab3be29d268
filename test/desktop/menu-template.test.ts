// The application menu, as data: what it holds on each platform and what its items do.
import { describe, expect, it } from 'vitest';
import { type MenuActions, type MenuData, type MenuItemSpec, aboutText, buildMenuTemplate, menuLabel, recentLabel } from '../../src/main/desktop/menu-template.js';

const items = (template: readonly MenuItemSpec[]): MenuItemSpec[] => template.flatMap((item) => [item, ...items(item.submenu ?? [])]);
const byId = (template: readonly MenuItemSpec[], id: string) => items(template).find((i) => i.id === id);
const roles = (template: readonly MenuItemSpec[]) => items(template).flatMap((i) => (i.role ? [i.role] : []));
const topLabels = (template: readonly MenuItemSpec[]) => template.map((i) => (i.label ?? i.role ?? '').replace('&', ''));

function setup(data: Partial<MenuData> = {}) {
  const calls: string[] = [];
  const actions: MenuActions = {
    openRunbook: () => calls.push('open'),
    openRecent: (file) => calls.push(`recent ${file}`),
    clearRecent: () => calls.push('clear'),
    about: () => calls.push('about'),
  };
  const template = buildMenuTemplate({ appName: 'Runbook Console', platform: 'linux', recentRunbooks: [], isDev: false, ...data }, actions);
  return { template, calls };
}

describe('application menu', () => {
  it('has File, Edit, View and Help on Linux and Windows, with Quit in File', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const { template } = setup({ platform });
      expect(topLabels(template)).toEqual(['File', 'Edit', 'View', 'Help']);
      expect(template[0]?.submenu?.at(-1)).toEqual({ role: 'quit' });
    }
  });

  it('has the app menu (About, Quit) and a Window menu on macOS', () => {
    const { template } = setup({ platform: 'darwin' });
    expect(topLabels(template)).toEqual(['Runbook Console', 'File', 'Edit', 'View', 'windowMenu', 'Help']);
    expect(template[0]?.submenu?.map((i) => i.role ?? i.id ?? i.type)).toEqual(['about', 'separator', 'services', 'separator', 'hide', 'hideOthers', 'unhide', 'separator', 'quit']);
    expect(roles(template)).toContain('pasteAndMatchStyle');
  });

  it('opens a runbook with Ctrl/Cmd+O', () => {
    const { template, calls } = setup();
    const open = byId(template, 'open-runbook');
    expect(open).toMatchObject({ label: 'Open Runbook…', accelerator: 'CmdOrCtrl+O' });
    open?.click?.();
    expect(calls).toEqual(['open']);
  });

  it('lists recent runbooks newest first, each opening its file, and can clear them', () => {
    const { template, calls } = setup({ recentRunbooks: ['/home/op/runbooks/b.md', '/srv/a & b.md'], home: '/home/op' });
    const recent = byId(template, 'open-recent')?.submenu ?? [];
    expect(recent.map((i) => i.label ?? i.type)).toEqual(['~/runbooks/b.md', '/srv/a && b.md', 'separator', 'Clear Recently Opened']);
    recent[1]?.click?.();
    byId(template, 'recent-clear')?.click?.();
    expect(calls).toEqual(['recent /srv/a & b.md', 'clear']);
  });

  it('says when there is nothing recent', () => {
    const { template } = setup();
    expect(byId(template, 'open-recent')?.submenu).toEqual([{ id: 'recent-none', label: 'No Recent Runbooks', enabled: false }]);
  });

  it('has the Edit roles', () => {
    const { template } = setup();
    expect(template[1]?.submenu?.flatMap((i) => (i.role ? [i.role] : []))).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'delete', 'selectAll']);
  });

  it('offers reload and developer tools only in development', () => {
    const devOnly = ['reload', 'forceReload', 'toggleDevTools'];
    for (const role of devOnly) expect(roles(setup({ isDev: false }).template)).not.toContain(role);
    expect(roles(setup({ isDev: true }).template)).toEqual(expect.arrayContaining(devOnly));
  });

  it('shows About from Help', () => {
    const { template, calls } = setup();
    const help = template.at(-1);
    expect(help?.role).toBe('help');
    help?.submenu?.[0]?.click?.();
    expect(calls).toEqual(['about']);
  });

  it('escapes & so it is not taken as a mnemonic, and shortens only the home directory itself', () => {
    expect(menuLabel('R&D')).toBe('R&&D');
    expect(recentLabel('/home/op/x.md', '/home/op')).toBe('~/x.md');
    expect(recentLabel('/home/operator/x.md', '/home/op')).toBe('/home/operator/x.md');
    expect(recentLabel('C:\\Users\\op\\x.md', 'C:\\Users\\op')).toBe('~\\x.md');
  });

  it('about text names the versions that are known', () => {
    expect(aboutText('Runbook Console', '0.1.0', { electron: '45.4.1', chrome: '140.0', node: '24.18.1' })).toEqual({
      message: 'Runbook Console 0.1.0',
      detail: 'Electron 45.4.1\nChromium 140.0\nNode.js 24.18.1',
    });
    expect(aboutText('Runbook Console', '0.1.0', { node: '22.23.3' }).detail).toBe('Node.js 22.23.3');
  });
});
