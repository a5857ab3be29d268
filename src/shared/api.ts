// The console API: one contract for the Electron IPC bridge and the loopback WebSocket of `runbook serve`.
// Both hosts validate every input and output against these schemas.
import { z } from 'zod';
import type { ApiMethod } from './api-methods.js';
import { DIAGNOSTIC_CODES, RunbookSchema } from './runbook-model.js';
import { runContract } from './run-api.js';
import { historyContract } from './history-api.js';
import { ExportKeySchema, StoreSettingsSchema } from './settings.js';
import { TargetsFileSchema } from './targets.js';

export { API_CHANNEL, API_METHODS, type ApiMethod, isApiMethod } from './api-methods.js';

/** Why a runbook could not be opened: the parser's refusal, a diagnostic like the model's (FILE:LINE:COLUMN, code). */
export const LoadErrorSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  message: z.string(),
  column: z.number().int().positive().optional(),
  code: z.enum(DIAGNOSTIC_CODES).optional(),
});
export type LoadError = z.infer<typeof LoadErrorSchema>;

export const OpenedRunbookSchema = z.object({
  runbook: RunbookSchema.nullable(),
  error: LoadErrorSchema.nullable(),
});
export type OpenedRunbook = z.infer<typeof OpenedRunbookSchema>;

/** How far the runbook being opened has got: read from disk, parsed chunk by chunk, the model finished. */
export const LOAD_PHASES = ['reading', 'parsing', 'finishing', 'done', 'failed'] as const;

export const LoadProgressSchema = z.object({
  /** Which opening this is (each runbook.open, and the file given at start-up, is one). */
  loadId: z.number().int().positive(),
  file: z.string(),
  phase: z.enum(LOAD_PHASES),
  /** Bytes of the file read and parsed so far, and its size. */
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Steps found so far. */
  steps: z.number().int().nonnegative(),
});
export type LoadProgress = z.infer<typeof LoadProgressSchema>;

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  host: z.enum(['electron', 'browser']),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

const NoInput = z.object({}).strict();

export const LibraryEntrySchema = z.object({
  path: z.string(),
  title: z.string(),
  steps: z.number().int().nonnegative(),
  profiles: z.object({ standard: z.number().int(), regulated: z.number().int(), restricted: z.number().int() }),
  /** Why it cannot be opened (gone, unreadable, not a runbook), or null. */
  error: z.string().nullable(),
});
export type LibraryEntry = z.infer<typeof LibraryEntrySchema>;

/** The targets kept in settings, with where they are stored (the path helps an operator edit them by hand). */
export const StoredTargetsSchema = z.object({ file: z.string(), targets: TargetsFileSchema });
export type StoredTargets = z.infer<typeof StoredTargetsSchema>;

/** The operator's preferences the settings screen edits (targets have their own calls). */
export const PreferencesSchema = z.object({
  file: z.string(),
  operator: z.string().nullable(),
  journalDir: z.string().nullable(),
  exportKey: ExportKeySchema.nullable(),
  approversFile: z.string().nullable(),
  store: StoreSettingsSchema.nullable(),
  /** Where the store runs ship to comes from: these settings, the host's --store or $RUNBOOK_STORE_URL, or nowhere. */
  storeFrom: z.enum(['settings', 'environment']).nullable(),
});
export type Preferences = z.infer<typeof PreferencesSchema>;

export const AgentKeySchema = z.object({ type: z.string(), fingerprint: z.string(), comment: z.string(), publicKey: z.string() });
export type AgentKey = z.infer<typeof AgentKeySchema>;

/** The keys behind the evidence, public parts only: nothing secret ever crosses the API. */
export const KeysInfoSchema = z.object({
  installation: z
    .object({
      id: z.string(),
      /** As `ssh-keygen -lf` prints it: what an auditor pins (`runbook verify … --pin`). */
      fingerprint: z.string(),
      publicKey: z.string(),
      /** The public key file. */
      file: z.string(),
      /** `runbook verify RUN_DIR --pin SHA256:…`. */
      verifyCommand: z.string(),
      /** Made by this very call (the first use): its fingerprint is to be recorded in the change ticket now. */
      created: z.boolean(),
    })
    .nullable(),
  installationError: z.string().nullable(),
  /** Where run MAC keys are kept (the OS secret store, or a 0600 key directory). */
  macKeys: z.string(),
  agent: z.object({ socket: z.string().nullable(), keys: z.array(AgentKeySchema), error: z.string().nullable() }),
});
export type KeysInfo = z.infer<typeof KeysInfoSchema>;

/** Named secrets (a postgres target's passwordSecret): names only ever come back, never values. */
export const SecretsListSchema = z.object({ available: z.boolean(), reason: z.string().nullable(), names: z.array(z.string()) });
const secretName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'secret names are letters, digits, _ . and - (at most 100)');

export const apiContract = {
  'app.info': { input: NoInput, output: AppInfoSchema },
  'runbook.current': { input: NoInput, output: OpenedRunbookSchema },
  'runbook.open': {
    input: z.object({ path: z.string().min(1, 'path is empty').max(4096, 'path is longer than 4096 characters') }).strict(),
    output: OpenedRunbookSchema,
  },
  /**
   * The progress of the runbook being opened, long-polled as run events are (runs.events): answers at once
   * when it changed since `after` (its `seq`), else when it changes or `waitMs` passes. Main throttles the
   * changes (a few a second); `progress` is null before anything was opened.
   */
  'runbook.progress': {
    input: z.object({ after: z.number().int().min(-1), waitMs: z.number().int().min(0).max(30_000).default(0) }).strict(),
    output: z.object({ seq: z.number().int().nonnegative(), progress: LoadProgressSchema.nullable() }),
  },
  'app.notify': {
    input: z.object({ title: z.string().min(1).max(200), body: z.string().max(1000) }).strict(),
    /** False where the host cannot show one (the browser page then uses the web Notification API). */
    output: z.object({ shown: z.boolean() }),
  },
  'settings.get': { input: NoInput, output: PreferencesSchema },
  'settings.save': {
    input: z
      .object({
        operator: z.string().trim().max(200).nullable().optional(),
        exportKey: ExportKeySchema.nullable().optional(),
        approversFile: z.string().trim().max(4096).nullable().optional(),
        store: StoreSettingsSchema.nullable().optional(),
      })
      .strict(),
    output: PreferencesSchema,
  },
  'keys.info': { input: NoInput, output: KeysInfoSchema },
  'secrets.list': { input: NoInput, output: SecretsListSchema },
  'secrets.save': { input: z.object({ name: secretName, value: z.string().min(1, 'the value is empty').max(10_000) }).strict(), output: SecretsListSchema },
  'secrets.remove': { input: z.object({ name: secretName }).strict(), output: SecretsListSchema },
  'runbook.pick': {
    input: NoInput,
    /** The file chosen in the host's native dialog (null when cancelled); `supported` is false in a browser. */
    output: z.object({ supported: z.boolean(), path: z.string().nullable() }),
  },
  'library.list': { input: NoInput, output: z.object({ samples: z.array(LibraryEntrySchema), recent: z.array(LibraryEntrySchema) }) },
  'targets.get': { input: NoInput, output: StoredTargetsSchema },
  'targets.save': { input: z.object({ targets: TargetsFileSchema }).strict(), output: StoredTargetsSchema },
  'targets.hostKey': {
    input: z.object({ name: z.string().min(1).max(200) }).strict(),
    output: z.object({ endpoint: z.string(), fingerprint: z.string(), keyType: z.string(), status: z.enum(['known', 'unknown', 'refused']), detail: z.string() }),
  },
  ...runContract,
  ...historyContract,
} as const satisfies Record<ApiMethod, { input: z.ZodType; output: z.ZodType }>;

export type ApiInput<M extends ApiMethod> = z.input<(typeof apiContract)[M]['input']>;
export type ApiOutput<M extends ApiMethod> = z.infer<(typeof apiContract)[M]['output']>;

/** What the renderer holds: one async function per method, whatever the host. */
export type RunbookApi = { [M in ApiMethod]: (input: ApiInput<M>) => Promise<ApiOutput<M>> };

// Wire messages of the WebSocket host.
export const ApiRequestSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string(),
  input: z.unknown(),
});
export type ApiRequest = z.infer<typeof ApiRequestSchema>;

export const ApiErrorSchema = z.object({ code: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiErrorSchema>;

/**
 * What the Electron bridge answers (the preload's functions resolve to it): the result, or the error with its
 * code. A rejected ipcRenderer.invoke keeps only the message, and the page acts on codes.
 */
export type BridgeAnswer = { ok: true; result: unknown } | { ok: false; error: ApiError };

export const ApiResponseSchema = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: ApiErrorSchema }),
]);
export type ApiResponse = z.infer<typeof ApiResponseSchema>;
