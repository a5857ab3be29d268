// Where the window opens: the saved place and size when they still fit the displays, otherwise something sane.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConfSettings } from '../../src/main/settings/conf-store.js';
import {
  DEFAULT_WINDOW_SIZE,
  MIN_WINDOW_SIZE,
  rememberWindowState,
  sanitizeWindowState,
  windowStateFromBounds,
} from '../../src/main/desktop/window-state.js';

const laptop = { x: 0, y: 0, width: 1920, height: 1050 };
const rightMonitor = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window state', () => {
  it('opens at the default size, centred, the first time', () => {
    expect(sanitizeWindowState(undefined, [laptop])).toEqual({ ...DEFAULT_WINDOW_SIZE, maximized: false });
  });

  it('restores a window that is still on a display, maximised or not', () => {
    const saved = { x: 2000, y: 100, width: 1400, height: 900, maximized: true };
    expect(sanitizeWindowState(saved, [laptop, rightMonitor])).toEqual(saved);
  });

  it('centres a window whose display is gone, keeping its size if it fits', () => {
    const saved = { x: 2000, y: 100, width: 1400, height: 900, maximized: false };
    expect(sanitizeWindowState(saved, [laptop])).toEqual({ width: 1400, height: 900, maximized: false });
  });

  it('does not keep a window whose only visible part is a sliver', () => {
    const saved = { x: 1880, y: 100, width: 1000, height: 800, maximized: false };
    expect(sanitizeWindowState(saved, [laptop])).toEqual({ width: 1000, height: 800, maximized: false });
  });

  it('moves a window that hangs over the edge back inside the display it is mostly on', () => {
    const saved = { x: 1500, y: -40, width: 1000, height: 800, maximized: false };
    expect(sanitizeWindowState(saved, [laptop])).toEqual({ x: 920, y: 0, width: 1000, height: 800, maximized: false });
  });

  it('shrinks a window larger than its display (resolution lowered since)', () => {
    const saved = { x: 100, y: 50, width: 3000, height: 2000, maximized: false };
    expect(sanitizeWindowState(saved, [{ x: 0, y: 0, width: 1366, height: 740 }])).toEqual({ x: 0, y: 0, width: 1366, height: 740, maximized: false });
  });

  it('never goes below the minimum size, and the default fits a small primary display', () => {
    expect(sanitizeWindowState({ width: 10, height: 10, maximized: false }, [laptop])).toEqual({ ...MIN_WINDOW_SIZE, maximized: false });
    expect(sanitizeWindowState(undefined, [{ x: 0, y: 0, width: 1024, height: 700 }])).toEqual({ width: 1024, height: 700, maximized: false });
  });

  it('works out the display from work areas with negative coordinates (a monitor left of the primary)', () => {
    const left = { x: -1600, y: 0, width: 1600, height: 900 };
    const saved = { x: -1500, y: 20, width: 1200, height: 800, maximized: false };
    expect(sanitizeWindowState(saved, [laptop, left])).toEqual(saved);
  });

  it('keeps size only when no display is known', () => {
    expect(sanitizeWindowState({ x: 5, y: 5, width: 900, height: 700, maximized: false }, [])).toEqual({ width: 900, height: 700, maximized: false });
  });

  it('saves whole numbers in the range the settings schema takes', () => {
    expect(windowStateFromBounds({ x: 10.4, y: -3.6, width: 800.5, height: 0 }, true)).toEqual({ x: 10, y: -4, width: 801, height: 1, maximized: true });
  });

  it('is kept in settings', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'window-state-'));
    const state = { x: 40, y: 30, width: 1000, height: 700, maximized: true };
    rememberWindowState(openConfSettings({ cwd: dir }), state);
    expect(openConfSettings({ cwd: dir }).read().window).toEqual(state);
  });
});
