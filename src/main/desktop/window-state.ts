// Where the desktop window opens: the size and place it had when it was last closed, as long as that still
// fits the displays attached now (a monitor may have been unplugged or its resolution changed since).
// Plain Node, so it is tested without Electron.
import type { WindowState } from '../../shared/settings.js';
import type { SettingsStore } from '../settings/store.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the window is created with; without x and y it is centred on the primary display. */
export interface WindowPlacement {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_SIZE = { width: 1200, height: 850 } as const;
export const MIN_WINDOW_SIZE = { width: 640, height: 480 } as const;
/** A saved window must overlap a display by at least this much for its position to be kept. */
const MIN_OVERLAP = { width: 100, height: 50 } as const;

const clamp = (value: number, min: number, max: number) => Math.max(min, Math.min(value, max));

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/** A size no smaller than the minimum and no larger than the area (the minimum wins on a tiny display). */
function fitSize(width: number, height: number, area: Rect | undefined): { width: number; height: number } {
  const maxWidth = area ? Math.max(area.width, MIN_WINDOW_SIZE.width) : Number.POSITIVE_INFINITY;
  const maxHeight = area ? Math.max(area.height, MIN_WINDOW_SIZE.height) : Number.POSITIVE_INFINITY;
  return {
    width: Math.round(clamp(width, MIN_WINDOW_SIZE.width, maxWidth)),
    height: Math.round(clamp(height, MIN_WINDOW_SIZE.height, maxHeight)),
  };
}

/**
 * The placement for a saved window state given the work areas of the displays attached now, the primary
 * display first. A window that would land (mostly) off every display loses its position and is centred; one
 * that overlaps a display is moved and shrunk to lie wholly inside that display's work area.
 */
export function sanitizeWindowState(saved: WindowState | undefined, workAreas: readonly Rect[]): WindowPlacement {
  const primary = workAreas[0];
  if (!saved) return { ...fitSize(DEFAULT_WINDOW_SIZE.width, DEFAULT_WINDOW_SIZE.height, primary), maximized: false };
  const maximized = saved.maximized === true;
  if (saved.x === undefined || saved.y === undefined) return { ...fitSize(saved.width, saved.height, primary), maximized };
  const rect = { x: saved.x, y: saved.y, width: saved.width, height: saved.height };
  let best: { area: Rect; size: number } | undefined;
  for (const area of workAreas) {
    const o = overlap(rect, area);
    if (o.width >= Math.min(MIN_OVERLAP.width, rect.width) && o.height >= Math.min(MIN_OVERLAP.height, rect.height)) {
      const size = o.width * o.height;
      if (!best || size > best.size) best = { area, size };
    }
  }
  if (!best) return { ...fitSize(saved.width, saved.height, primary), maximized };
  const { area } = best;
  const size = fitSize(saved.width, saved.height, area);
  return {
    x: Math.round(clamp(rect.x, area.x, area.x + area.width - size.width)),
    y: Math.round(clamp(rect.y, area.y, area.y + area.height - size.height)),
    ...size,
    maximized,
  };
}

/** The state to save from the window's normal (unmaximised) bounds, in the range the settings schema takes. */
export function windowStateFromBounds(normal: Rect, maximized: boolean): WindowState {
  return {
    x: Math.round(normal.x),
    y: Math.round(normal.y),
    width: Math.round(clamp(normal.width, 1, 100_000)),
    height: Math.round(clamp(normal.height, 1, 100_000)),
    maximized,
  };
}

export function rememberWindowState(settings: SettingsStore, state: WindowState): void {
  settings.update((s) => ({ ...s, window: state }));
}
