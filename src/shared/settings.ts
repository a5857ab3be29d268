// The app's settings: one schema for electron-store (desktop) and conf (CLI, browser host, tests).
// Targets use the same schema as the CLI's targets file, so a target copied between them means the same.
import { z } from 'zod';
import { TargetsFileSchema } from './targets.js';

export const SETTINGS_VERSION = 1;

export const SettingsSchema = z
  .object({
    version: z.literal(SETTINGS_VERSION).default(SETTINGS_VERSION),
    /** Named targets and per-action defaults, exactly as in a targets file. */
    targets: TargetsFileSchema.shape.targets.default({}),
    defaults: TargetsFileSchema.shape.defaults,
    /** The operator name recorded in runs when the OS user is not what an auditor should see. */
    operator: z.string().min(1).max(200).optional(),
    /** Where run journals are kept; default: the app's data directory. */
    journalDir: z.string().min(1).optional(),
    /** Recently opened runbooks, newest first. */
    recentRunbooks: z.array(z.string().min(1)).max(20).default([]),
  })
  .strict();

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;
