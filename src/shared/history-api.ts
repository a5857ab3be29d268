// Past runs and exported bundles: the runs directory listed with each run's state, a run verified on demand,
// an exported bundle opened read-only (its report and steps, verified; no run actions), and a block's whole
// output read back in pieces (for a download button, on either host).
import { z } from 'zod';
import { VerifyResultSchema } from './run-api.js';

const id = z.string().min(1).max(500);

/**
 * running: a live process holds the run's lock (this host's open run, or another process); unfinished: not
 * sealed and nobody holds it (killed, a power cut: `runbook recover` closes it); sealed: ended and sealed;
 * exported: sealed and exported (its access log records an export).
 */
export const PAST_RUN_STATES = ['running', 'unfinished', 'sealed', 'exported'] as const;
export type PastRunState = (typeof PAST_RUN_STATES)[number];

export const PastRunSchema = z.object({
  runId: z.string(),
  dir: z.string(),
  state: z.enum(PAST_RUN_STATES),
  operator: z.string(),
  title: z.string(),
  profile: z.string(),
  startedAt: z.string(),
  /** The runbook's SHA-256 as run. */
  sha256: z.string(),
  /** Who holds the lock, for a running run held by another process (or why it is taken for gone). */
  holder: z.string().nullable(),
});
export type PastRun = z.infer<typeof PastRunSchema>;

/** A run as the team store holds it: finished (its end stored), interrupted (a host stopped it), or open. */
export const STORED_RUN_STATES = ['finished', 'interrupted', 'open'] as const;

export const StoredRunSchema = z.object({
  runId: z.string(),
  /** The database login that shipped it. */
  shippedBy: z.string(),
  started: z.string(),
  operator: z.string(),
  title: z.string(),
  runbookSha256: z.string(),
  profile: z.string(),
  records: z.number().int().nonnegative(),
  lastType: z.string(),
  lastAt: z.string(),
  sealedSize: z.number().int().nullable(),
  state: z.enum(STORED_RUN_STATES),
});
export type StoredRun = z.infer<typeof StoredRunSchema>;

export const BundleBlockSchema = z.object({
  id: z.string(),
  command: z.string(),
  status: z.string(),
  exitCode: z.number().nullable(),
  /** The output's start as the report shows it (control sequences made inert). */
  excerpt: z.string(),
  excerptTruncated: z.boolean(),
});
export const BundleStepSchema = z.object({ id: z.string(), title: z.string(), status: z.string(), reason: z.string().nullable(), blocks: z.array(BundleBlockSchema) });

/** An exported bundle as its report.json says (read only: nothing in it can be run or recorded). */
export const OpenedBundleSchema = z.object({
  path: z.string(),
  runId: z.string(),
  title: z.string(),
  operator: z.string(),
  profile: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  outcome: z.string(),
  counts: z.record(z.string(), z.number()),
  steps: z.array(BundleStepSchema),
  /** The files the bundle ships (SHA256SUMS lists them). */
  files: z.array(z.string()),
});
export type OpenedBundle = z.infer<typeof OpenedBundleSchema>;

/** At most this many bytes of output per runs.output answer (the page asks for the rest piece by piece). */
export const OUTPUT_PIECE = 512 * 1024;

export const historyContract = {
  'history.list': { input: z.object({}).strict(), output: z.object({ runsDir: z.string(), runs: z.array(PastRunSchema) }) },
  /** Verifies a past run of the runs directory as the console verifies its own (this installation's key pinned). */
  'history.verify': { input: z.object({ runId: id }).strict(), output: VerifyResultSchema },
  /** The team's runs in the store the console ships to (store: null where none is set). */
  'history.store': { input: z.object({}).strict(), output: z.object({ store: z.string().nullable(), runs: z.array(StoredRunSchema) }) },
  /** Verifies a run as the store holds it (each line against the store's hash, then the journal; this installation's key pinned). */
  'history.storeVerify': { input: z.object({ runId: id }).strict(), output: VerifyResultSchema },
  'bundle.open': { input: z.object({ path: z.string().min(1).max(4096) }).strict(), output: OpenedBundleSchema },
  'bundle.verify': { input: z.object({ path: z.string().min(1).max(4096) }).strict(), output: VerifyResultSchema },
  /**
   * A block's whole recorded output (as recorded: secrets masked), `length` bytes from `offset`, base64; of
   * the open run or a past one. `size` and `sha256` are the whole output's, as its step.finished records them.
   */
  'runs.output': {
    input: z.object({ runId: id, stepId: id, blockId: id, offset: z.number().int().min(0).default(0), length: z.number().int().min(1).max(OUTPUT_PIECE).default(OUTPUT_PIECE) }).strict(),
    output: z.object({ name: z.string(), size: z.number().int().nonnegative(), sha256: z.string(), offset: z.number().int().nonnegative(), data: z.string(), done: z.boolean() }),
  },
} as const;
