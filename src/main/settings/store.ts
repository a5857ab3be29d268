// Reading and writing the app's settings through a conf-compatible store (conf for plain Node,
// electron-store in the desktop app). Everything read is validated; a bad file is an error naming the field.
import type { z } from 'zod';
import { type Settings, type SettingsInput, SettingsSchema } from '../../shared/settings.js';
import type { TargetsFile } from '../../shared/targets.js';

/** The part of conf's and electron-store's API this module uses. */
export interface KeyValueStore {
  readonly path: string;
  get store(): Record<string, unknown>;
  set store(value: Record<string, unknown>);
}

export class SettingsError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
  ) {
    super(`${file}: ${field}: ${message}`);
  }
}

/** The first problem, descending into record-key issues so the message says what is wrong with the key. */
export function settingsError(file: string, error: z.ZodError): SettingsError {
  let issue: z.core.$ZodIssue | undefined = error.issues[0];
  let where: PropertyKey[] = [...(issue?.path ?? [])];
  while (issue?.code === 'invalid_key' && issue.issues[0]) {
    issue = issue.issues[0];
    where = [...where, ...issue.path];
  }
  return new SettingsError(file, where.map(String).join('.') || '(root)', issue?.message ?? 'invalid');
}

/** Validates settings read from disk. */
export function parseSettings(file: string, value: unknown): Settings {
  const parsed = SettingsSchema.safeParse(value);
  if (!parsed.success) throw settingsError(file, parsed.error);
  return parsed.data;
}

export class SettingsStore {
  constructor(private readonly backend: KeyValueStore) {}

  get path(): string {
    return this.backend.path;
  }

  read(): Settings {
    return parseSettings(this.backend.path, this.backend.store);
  }

  /** Applies a change to the whole settings object; nothing is written unless the result is valid. */
  update(change: (current: Settings) => SettingsInput): Settings {
    const next = SettingsSchema.safeParse(change(this.read()));
    if (!next.success) throw settingsError(this.backend.path, next.error);
    this.backend.store = JSON.parse(JSON.stringify(next.data)) as Record<string, unknown>;
    return next.data;
  }

  /** The targets in the shape of a targets file, for binding blocks exactly as the CLI does. */
  targets(): TargetsFile {
    const { targets, defaults } = this.read();
    return defaults ? { targets, defaults } : { targets };
  }

  saveTargets(file: TargetsFile): Settings {
    return this.update((current) => ({ ...current, targets: file.targets, defaults: file.defaults }));
  }
}
