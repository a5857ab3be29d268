// What every webContents and every session gets, whoever creates them: no navigation away from the app, no
// new windows, no <webview>, no permissions. Written against the few methods it uses rather than importing
// Electron, so the tests drive it with plain fakes; main.ts hands it the real objects.
import { isAllowedNavigation } from './policy.js';

interface PreventableEvent {
  preventDefault(): void;
}

/** An event that carries the URL being navigated to (Electron's will-navigate, will-redirect, will-frame-navigate). */
export interface NavigationEvent extends PreventableEvent {
  url: string;
}

/** The part of Electron's WebContents hardening touches. */
export interface HardenableContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
}

/** The part of Electron's Session whose permission handlers are set. */
export interface PermissionSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setDevicePermissionHandler(handler: () => boolean): void;
}

/** Told about each thing refused, for the log. */
export type Refusal = (what: 'navigation' | 'window' | 'webview' | 'permission', detail: string) => void;

export function hardenWebContents(contents: HardenableContents, refused: Refusal = () => {}): void {
  contents.setWindowOpenHandler(({ url }) => {
    refused('window', url);
    return { action: 'deny' };
  });
  const guard = (event: NavigationEvent) => {
    if (isAllowedNavigation(event.url)) return;
    event.preventDefault();
    refused('navigation', event.url);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    refused('webview', 'will-attach-webview');
  });
}

/** The console needs no permission (camera, notifications, clipboard reading, devices...): all are denied. */
export function denyAllPermissions(session: PermissionSession, refused: Refusal = () => {}): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    refused('permission', permission);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
