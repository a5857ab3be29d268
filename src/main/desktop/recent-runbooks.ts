// The "Open Recent" list kept in settings: newest first, each file once, at most MAX_RECENT_RUNBOOKS.
// Plain Node, so it is tested without Electron.
import path from 'node:path';
import { MAX_RECENT_RUNBOOKS } from '../../shared/settings.js';
import type { ApiHandlers } from '../api/dispatch.js';
import type { SettingsStore } from '../settings/store.js';

/** The list with `file` (made absolute) moved or added to the front, duplicates dropped, cut to `max`. */
export function addRecentRunbook(list: readonly string[], file: string, max = MAX_RECENT_RUNBOOKS): string[] {
  const absolute = path.resolve(file);
  return [absolute, ...list.filter((entry) => entry !== absolute)].slice(0, max);
}

export function removeRecentRunbook(list: readonly string[], file: string): string[] {
  const absolute = path.resolve(file);
  return list.filter((entry) => entry !== absolute);
}

/** Records a runbook that was opened, and returns the new list. */
export function rememberRunbook(settings: SettingsStore, file: string): string[] {
  return settings.update((s) => ({ ...s, recentRunbooks: addRecentRunbook(s.recentRunbooks, file) })).recentRunbooks;
}

export function forgetRunbook(settings: SettingsStore, file: string): string[] {
  return settings.update((s) => ({ ...s, recentRunbooks: removeRecentRunbook(s.recentRunbooks, file) })).recentRunbooks;
}

export function clearRecentRunbooks(settings: SettingsStore): string[] {
  return settings.update((s) => ({ ...s, recentRunbooks: [] })).recentRunbooks;
}

/**
 * The API handlers with `runbook.open` recording every runbook that opened without error, whoever asked
 * (the page, the File menu, the command line). Recording is best effort: a settings problem is passed to
 * `onError` and never fails the open.
 */
export function recordingRecentRunbooks(
  handlers: ApiHandlers,
  record: (file: string) => void,
  onError: (error: unknown) => void,
): ApiHandlers {
  return {
    ...handlers,
    'runbook.open': async (input) => {
      const opened = await handlers['runbook.open'](input);
      if (opened.runbook && !opened.error) {
        try {
          record(path.resolve(input.path));
        } catch (error) {
          onError(error);
        }
      }
      return opened;
    },
  };
}
