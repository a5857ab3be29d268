// Security policy of the desktop window, kept free of Electron imports so tests can check it in plain Node.

export const APP_SCHEME = 'app';
export const APP_HOST = 'runbook';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** webPreferences of every window: isolated, sandboxed, no Node, no webviews, no middle-click windows. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    // Middle-click would open a link in a new window; new windows are denied anyway.
    disableBlinkFeatures: 'Auxclick',
    spellcheck: false,
  } as const;
}

/** Only the app's own pages may be navigated to; everything else (http, file, javascript:) is refused. */
export function isAllowedNavigation(url: string): boolean {
  try {
    // URL.origin is "null" for schemes Node does not know as standard, so compare scheme and host.
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** IPC is accepted only from the main frame of an app:// page. */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean): boolean {
  return isMainFrame && frameUrl !== undefined && isAllowedNavigation(frameUrl);
}

/** The runbook path given on the command line, if any: the first argument that is not a switch. */
export function runbookFromArgv(argv: readonly string[]): string | undefined {
  return argv.slice(1).find((a) => !a.startsWith('-') && /\.(md|markdown)$/i.test(a));
}
