// The console window: hardened webPreferences, and the size and place it had when it was last closed.
import { BrowserWindow, screen } from 'electron';
import { MIN_WINDOW_SIZE, type Rect, rememberWindowState, sanitizeWindowState, windowStateFromBounds } from '../desktop/window-state.js';
import type { SettingsStore } from '../settings/store.js';
import { secureWebPreferences } from './policy.js';

/** Work areas of the attached displays, the primary one first. */
function workAreas(): Rect[] {
  const primary = screen.getPrimaryDisplay();
  return [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
}

export function createMainWindow(options: { title: string; preload: string; settings: SettingsStore; warn: (message: string) => void }): BrowserWindow {
  let saved;
  try {
    saved = options.settings.read().window;
  } catch (error) {
    options.warn(`window position not restored: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { maximized, ...bounds } = sanitizeWindowState(saved, workAreas());
  const window = new BrowserWindow({
    ...bounds,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: options.title,
    show: false,
    webPreferences: secureWebPreferences(options.preload),
  });
  window.once('ready-to-show', () => {
    if (maximized) window.maximize();
    window.show();
  });
  window.on('close', () => {
    try {
      rememberWindowState(options.settings, windowStateFromBounds(window.getNormalBounds(), window.isMaximized()));
    } catch (error) {
      options.warn(`window position not saved: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return window;
}
