// The app's settings: one schema for electron-store (desktop) and conf (CLI, browser host, tests).
// Targets use the same schema as the CLI's targets file, so a target copied between them means the same.
import { z } from 'zod';
import { TargetsFileSchema } from './targets.js';

export const SETTINGS_VERSION = 1;

/** How many recently opened runbooks are kept. */
export const MAX_RECENT_RUNBOOKS = 20;

/** Where the desktop window was when it was last closed (its normal bounds, and whether it was maximised). */
export const WindowStateSchema = z
  .object({
    x: z.number().int().optional(),
    y: z.number().int().optional(),
    width: z.number().int().positive().max(100_000),
    height: z.number().int().positive().max(100_000),
    maximized: z.boolean().default(false),
  })
  .strict();
export type WindowState = z.infer<typeof WindowStateSchema>;

/** Which key signs exported reports by default: one held by ssh-agent, or a private key file. */
export const ExportKeySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent'), publicKey: z.string().min(1).max(20_000).optional() }).strict(),
  z.object({ kind: z.literal('file'), path: z.string().min(1).max(4096) }).strict(),
]);
export type ExportKey = z.infer<typeof ExportKeySchema>;

/** A store URL kept in settings holds no password: the password is a named secret (or $RUNBOOK_STORE_PASSWORD). */
function withoutPassword(url: string): boolean {
  try {
    return new URL(url).password === '';
  } catch {
    return true; // not a URL at all: main says what is wrong with it (store/url.ts)
  }
}

/** The team evidence store runs ship to (docs/store.md). */
export const StoreSettingsSchema = z
  .object({
    /** postgresql://USER@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=CA.pem */
    url: z.string().min(1).max(4096).refine(withoutPassword, 'the store URL must not hold a password: save it as a secret and name the secret'),
    /** The name of the secret (in the OS secret store) that holds the store's password. */
    passwordSecret: z.string().min(1).max(200).optional(),
    /** Whether state-changing steps wait for the store to hold every record (unset: RESTRICTED only). */
    gate: z.boolean().optional(),
    /** RESTRICTED: how long an approval request through the store stays open (s). */
    approvalTimeoutSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();
export type StoreSettings = z.infer<typeof StoreSettingsSchema>;

export const SettingsSchema = z
  .object({
    version: z.literal(SETTINGS_VERSION).default(SETTINGS_VERSION),
    /** Named targets and per-action defaults, exactly as in a targets file. */
    targets: TargetsFileSchema.shape.targets.default({}),
    defaults: TargetsFileSchema.shape.defaults,
    /** The operator name recorded in runs when the OS user is not what an auditor should see. */
    operator: z.string().min(1).max(200).optional(),
    /** The key the console offers first when exporting a signed report. */
    exportKey: ExportKeySchema.optional(),
    /** allowed_signers file naming who may approve RESTRICTED steps (principal, key; namespace runbook-console-approval). */
    approversFile: z.string().min(1).max(4096).optional(),
    /** The team evidence store every run ships its records to (unset: $RUNBOOK_STORE_URL, else none). */
    store: StoreSettingsSchema.optional(),
    /** Where run journals are kept; default: the app's data directory. */
    journalDir: z.string().min(1).optional(),
    /** Recently opened runbooks, newest first. */
    recentRunbooks: z.array(z.string().min(1)).max(MAX_RECENT_RUNBOOKS).default([]),
    /** The desktop window's last position and size (the desktop app only). */
    window: WindowStateSchema.optional(),
  })
  .strict();

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;
