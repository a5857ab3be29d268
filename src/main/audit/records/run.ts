// Records of the run as a whole: run.started (what runs, by whom, under which keys and format), run.interrupted
// run.ended-early (the operator sealed with steps unfinished) and run.finished (the run's end, or its closing
// by recovery).
import { z } from 'zod';
import { PROFILES } from '../../../shared/runbook-model.js';
import { CLOSED_BY, INTERRUPTED_BY, INTERRUPT_CAUSES, LOCK_PURPOSES, OPERATOR_KEY_SOURCES, RUN_HOSTS, STEP_STATUSES, UNFINISHED_KINDS, VARIABLE_SOURCES } from './codes.js';
import { blobPath, count, keyFingerprint, keyLine, protoChecked, seq, sha256Hex } from './fields.js';
import { KNOWN_FORMATS } from './format.js';
import { APPROVAL_NAMESPACE } from './signatures.js';

/** The approvers list as fixed when the run started (RESTRICTED): approvals are checked against this text only. */
export const RecordedApproversSchema = z.strictObject({
  source: z.string(),
  sha256: sha256Hex,
  text: z.string(),
  namespace: z.literal(APPROVAL_NAMESPACE),
});

/** A key the operator controls in the run: none of them can approve. */
export const OperatorKeySchema = z.strictObject({ source: z.enum(OPERATOR_KEY_SOURCES), key: keyLine, fingerprint: keyFingerprint });

/** RESTRICTED runs record who may approve and the operator's keys, fixed for the whole run. */
const restricted = { approvers: RecordedApproversSchema.optional(), operator_keys: z.array(OperatorKeySchema).optional() };

const CliOptions = z.strictObject({
  host: z.literal(RUN_HOSTS[0]),
  only: z.array(z.string()),
  keep_going: z.boolean(),
  yes: z.boolean(),
  targets_file: z.string().nullable(),
  confirm_protected: z.array(z.string()),
  approvers_file: z.string().nullable(),
  ...restricted,
});
const ConsoleOptions = z.strictObject({ host: z.literal(RUN_HOSTS[1]), approvers_file: z.string().nullable(), ...restricted });

/** How the host was asked to run: the CLI's options, or the console's. */
export const RunOptionsSchema = z.discriminatedUnion('host', [CliOptions, ConsoleOptions]);

/**
 * (Format 4.) The team store the run ships its records to (docs/store.md): where (user@host:port/database and
 * how it is reached, never a password), and whether a state-changing block waits for the store to hold every
 * record before it (`gate`: on by default in RESTRICTED; an operator may turn it off, and this says so).
 */
export const RunStoreSchema = z.strictObject({ url: z.string(), gate: z.boolean() });

export const RunStartedSchema = z.strictObject({
  format: z.enum(KNOWN_FORMATS),
  runbook: z.strictObject({ path: z.string().nullable(), sha256: sha256Hex, title: z.string(), blob: blobPath, bytes: count }),
  profile: z.enum(PROFILES),
  operator: z.strictObject({ name: z.string(), os_user: z.string(), hostname: z.string() }),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  host: z.strictObject({ platform: z.string(), arch: z.string(), node: z.string() }),
  installation: z.strictObject({ id: z.string(), public_key: z.string() }),
  retention_days: count.nullable(),
  mac_key_sha256: sha256Hex,
  options: RunOptionsSchema,
  /** (Format 2: `value`, the value the run started with; null for a secret, never journaled.) */
  variables: z.array(z.strictObject({ name: z.string(), secret: z.boolean(), source: z.enum(VARIABLE_SOURCES), value: z.string().nullable().optional() })),
  /** (Format 4.) The team store, when the run ships to one; absent when it does not. */
  store: RunStoreSchema.optional(),
});

export const RunInterruptedSchema = z.strictObject({
  cause: z.enum(INTERRUPT_CAUSES),
  by: z.enum(INTERRUPTED_BY),
  /** The console names the step that was running (null: none). */
  step: z.string().nullable().optional(),
});

/** Set on a run.finished written again after recovery's records, so that the seal follows it. */
const recordedAgain = z.strictObject({ seq, why: z.string() }).optional();

/** The run's own end: each step's status and reason; `interrupted` when a signal or a closed stdout stopped it. */
const RunEnded = z.strictObject({
  ok: z.boolean(),
  counts: protoChecked(z.partialRecord(z.enum(STEP_STATUSES), count)),
  steps: z.array(z.strictObject({ id: z.string(), status: z.enum(STEP_STATUSES), reason: z.string().nullable() })),
  interrupted: z.enum(INTERRUPT_CAUSES).optional(),
  recorded_again: recordedAgain,
});

/** Written by recovery (an export or `runbook recover`) for a run that stopped without its end. */
const RunClosed = z.strictObject({
  ok: z.literal(false),
  interrupted: z.literal(true),
  closed_by: z.enum(CLOSED_BY),
  steps: z.array(z.never()),
  unfinished: z.array(z.strictObject({ seq, step: z.string(), block: z.string() })),
  orphaned_outputs: z.array(z.strictObject({ file: z.string(), blob: blobPath, sha256: sha256Hex, bytes: count })),
  stale_lock: z.strictObject({ pid: z.number().int(), host: z.string(), started: z.string(), purpose: z.enum(LOCK_PURPOSES) }).nullable(),
  recorded_again: recordedAgain,
});

export const RunFinishedSchema = z.union([RunEnded, RunClosed]);

/**
 * (Format 2.) The run goes on after its host stopped without ending it (the console's Resume): who resumed
 * it, the blocks whose end was never recorded (the host died while they ran: what they did is unknown), and
 * the lock of the host that died, taken over. The same journal, MAC chain and Merkle tree go on.
 */
export const RunResumedSchema = z.strictObject({
  by: z.string(),
  unfinished: z.array(z.strictObject({ seq, step: z.string(), block: z.string() })),
  stale_lock: z.strictObject({ pid: z.number().int(), host: z.string(), started: z.string(), purpose: z.enum(LOCK_PURPOSES) }).nullable(),
});

/**
 * (Format 2.) The operator sealed the run with steps unfinished (the console's Finish or Export, once shown each
 * of them): who, why (required in REGULATED and above; null in STANDARD when none was given), and each step
 * with why it was unfinished. Written just before run.finished.
 */
export const RunEndedEarlySchema = z.strictObject({
  by: z.string(),
  reason: z.string().nullable(),
  unfinished: z.array(z.strictObject({ step: z.string(), title: z.string(), what: z.enum(UNFINISHED_KINDS) })),
});
