// Electron entry: one hardened window showing the renderer over app://, and the API over one IPC channel.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, app, ipcMain, protocol, session } from 'electron';
import { API_CHANNEL } from '../../shared/api.js';
import { dispatch } from '../api/dispatch.js';
import { createApiHandlers } from '../api/handlers.js';
import { createAppRunController } from './runs.js';
import { openElectronSettings } from './settings.js';
import { readStatic } from '../serve/static-files.js';
import {
  APP_ORIGIN,
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  isAllowedNavigation,
  isTrustedSender,
  runbookFromArgv,
  secureWebPreferences,
} from './policy.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.join(here, '../../renderer');
const PRELOAD = path.join(here, '../../preload/index.cjs');

app.enableSandbox();
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

async function start(): Promise<void> {
  await app.whenReady();
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
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

  const initialFile = runbookFromArgv(process.argv);
  const settings = openElectronSettings();
  const handlers = createApiHandlers({ host: 'electron', version: app.getVersion(), settings, runs: createAppRunController(settings), ...(initialFile ? { initialFile } : {}) });
  ipcMain.handle(API_CHANNEL, (event, method: unknown, input: unknown) => {
    const frame = event.senderFrame;
    if (!frame || !isTrustedSender(frame.url, frame === event.sender.mainFrame)) {
      throw new Error('refused: API calls are accepted only from the console window');
    }
    return dispatch(handlers, method, input);
  });

  const window = new BrowserWindow({
    width: 1200,
    height: 850,
    title: 'Runbook Console',
    show: false,
    webPreferences: secureWebPreferences(PRELOAD),
  });
  window.once('ready-to-show', () => window.show());
  await window.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('window-all-closed', () => app.quit());
start().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  app.exit(1);
});
