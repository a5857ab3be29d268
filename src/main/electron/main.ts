// Electron entry: one hardened window showing the renderer over app://, the API over one IPC channel, the
// application menu, and settings (recent runbooks, window state) through the app's settings store.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserWindow, Notification, app, dialog, ipcMain, protocol, safeStorage, session } from 'electron';
import { NamedSecrets } from '../secrets/named-secrets.js';
import { createApiHandlers } from '../api/handlers.js';
import { recordingRecentRunbooks, rememberRunbook } from '../desktop/recent-runbooks.js';
import { readStatic } from '../serve/static-files.js';
import { denyAllPermissions, hardenWebContents } from './hardening.js';
import { registerApi } from './ipc.js';
import { describeAppMacKeys } from './mac-keys.js';
import { chooseRunbookFile } from './open-dialog.js';
import { appInstallation, createAppRunController } from './runs.js';
import { installAppMenu } from './menu.js';
import { APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY, isAllowedNavigation, runbookFromArgv } from './policy.js';
import { openElectronSettings } from './settings.js';
import { createMainWindow } from './window.js';
import envPaths from 'env-paths';

const APP_NAME = 'Runbook Console';
const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.join(here, '../../renderer');
const PRELOAD = path.join(here, '../../preload/index.cjs');

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const warn = (text: string) => console.warn(`${APP_NAME}: ${text}`);
const refused = (what: string, detail: string) => warn(`refused ${what}: ${detail}`);

app.enableSandbox();
// One settings file for the app and the CLI's `runbook serve`: conf keeps it in the OS config directory
// named after the package, so the app does too (Electron would otherwise name it after the product).
app.setPath('userData', envPaths('runbook-console', { suffix: '' }).config);
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// Every webContents and session, including any created later, whoever creates them.
app.on('web-contents-created', (_event, contents) => {
  hardenWebContents(contents, refused);
  denyAllPermissions(contents.session, refused);
});
app.on('session-created', (created) => denyAllPermissions(created, refused));

async function start(): Promise<void> {
  await app.whenReady();
  const ses = session.defaultSession;
  denyAllPermissions(ses, refused);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });

  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = isAllowedNavigation(request.url) ? await readStatic(RENDERER_DIR, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      headers: { 'content-type': file.type, 'content-security-policy': CONTENT_SECURITY_POLICY },
    });
  });

  const settings = openElectronSettings();
  const secrets = new NamedSecrets(path.join(app.getPath('userData'), 'secrets'), safeStorage);
  let window: BrowserWindow | null = null;
  let refreshMenu = () => {};
  const runs = createAppRunController(settings, secrets);
  // Quitting stops the open run's step for real, records why and seals it before the app exits.
  let sealedForQuit = false;
  app.on('before-quit', (event) => {
    if (sealedForQuit) return;
    event.preventDefault();
    void runs.shutdown('app quit').finally(() => {
      sealedForQuit = true;
      app.quit();
    });
  });
  const handlers = recordingRecentRunbooks(
    createApiHandlers({
      host: 'electron',
      version: app.getVersion(),
      settings,
      runs,
      secrets,
      keys: {
        installation: appInstallation,
        macKeys: describeAppMacKeys(),
      },
      pickFile: () => chooseRunbookFile(window, settings.read().recentRunbooks[0]),
      notify: (title, body) => {
        if (!Notification.isSupported()) return false;
        new Notification({ title, body }).show();
        return true;
      },
    }),
    (file) => {
      rememberRunbook(settings, file);
      app.addRecentDocument(file);
      refreshMenu();
    },
    (error) => warn(`recent runbooks not updated: ${message(error)}`),
  );
  registerApi(ipcMain, handlers);

  const initialFile = runbookFromArgv(process.argv);
  if (initialFile) handlers['runbook.open']({ path: initialFile }).catch((error: unknown) => warn(message(error)));

  /** Opens a runbook chosen in the menu; the page shows it after a reload (it asks for the current runbook). */
  async function openFromMenu(file: string): Promise<void> {
    const opened = await handlers['runbook.open']({ path: file });
    if (opened.error) {
      const box = { type: 'error' as const, message: 'The runbook could not be opened.', detail: `${opened.error.file}:${opened.error.line}: ${opened.error.message}` };
      await (window ? dialog.showMessageBox(window, box) : dialog.showMessageBox(box));
      return;
    }
    window?.webContents.reload();
  }

  refreshMenu = installAppMenu({ appName: APP_NAME, settings, window: () => window, open: openFromMenu, warn });
  window = createMainWindow({ title: APP_NAME, preload: PRELOAD, settings, warn });
  window.on('closed', () => {
    window = null;
  });
  await window.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('window-all-closed', () => app.quit());
start().catch((error: unknown) => {
  console.error(message(error));
  app.exit(1);
});
