// Records of steps and their blocks: step.started (written before the action: what will run, where, and the
// parser's verdict), step.finished (how it ended, where it ran, its output), step.skipped, and step.note.
import { z } from 'zod';
import { ACTIONS, PROFILES } from '../../../shared/runbook-model.js';
import { SSL_MODES, type TargetKind as ConfiguredKind } from '../../../shared/targets.js';
import { BINDING_SOURCES, CHANGE_KINDS, CHECK_VERDICTS, EXECUTION_STATUSES, OUTPUT_FAILURE_CODES, PLAN_SKIP_CODES, REFUSAL_CODES, STEP_STATUSES, TARGET_KINDS, type TargetKind, VERDICT_CODES } from './codes.js';
import { blobPath, blockId, count, milliseconds, protoChecked, recordRef, sha256Hex, stepId, utcTime } from './fields.js';

// The kinds of target the format names are the kinds a target can be configured as (shared/targets.ts).
const kindsAgree: [TargetKind, ConfiguredKind] extends [ConfiguredKind, TargetKind] ? true : never = true;
void kindsAgree;

/** The step as the runbook has it (id, title, line, the lowest profile it belongs to). */
const StepRef = z.strictObject({ id: z.string(), title: z.string(), line: z.number().int().positive(), profile: z.enum(PROFILES).nullable() });

/** Every target's configuration: its name, kind, how the block was bound to it, whether it is protected. */
const target = { name: z.string(), bound_by: z.enum(BINDING_SOURCES), protected: z.boolean() };

/** The target's configuration when the block started: never a secret (credentials are named by where they come from). */
export const TargetConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...target, kind: z.literal('local'), shell: z.string(), cwd: z.string().nullable(), host: z.string() }),
  z.strictObject({
    ...target,
    kind: z.literal('ssh'),
    host: z.string(),
    port: count.nullable(),
    user: z.string().nullable(),
    fingerprint_pinned: z.string().nullable(),
    known_hosts: z.union([z.string(), z.array(z.string())]).nullable(),
    jump: z.string().nullable(),
  }),
  z.strictObject({ ...target, kind: z.literal('postgres'), host: z.string(), port: count, database: z.string(), user: z.string(), sslmode: z.enum(SSL_MODES), password_from: z.string().nullable() }),
  z.strictObject({ ...target, kind: z.literal('kubernetes'), kubeconfig: z.string().nullable(), context: z.string().nullable(), namespace: z.string().nullable() }),
  z.strictObject({ ...target, kind: z.literal('prometheus'), url: z.string() }),
]);

export const StepStartedSchema = z.strictObject({
  step: StepRef,
  block: z.strictObject({ id: z.string(), line: z.number().int().positive(), action: z.enum(ACTIONS), lang: z.string().nullable() }),
  target: TargetConfigSchema,
  /** The exact text as it runs, secrets masked. */
  command: z.string(),
  command_sha256: sha256Hex,
  /** Names of the environment variables the block gets (never their values). */
  env: z.array(z.string()),
  bind_params: count,
  state_changing: z.boolean(),
  verdict: z.strictObject({ code: z.enum(VERDICT_CODES), detail: z.string() }),
});

const digest = z.strictObject({ bytes: count, sha256: sha256Hex });

export const StepFinishedSchema = z.strictObject({
  step: stepId,
  block: blockId,
  /** The block's step.started record (null: none was recorded for it). */
  started: recordRef.nullable(),
  outcome: z.strictObject({
    status: z.enum(EXECUTION_STATUSES),
    exit_code: z.number().int().nullable(),
    signal: z.string().nullable(),
    error: z.string().nullable(),
    verdict: z.enum(CHECK_VERDICTS).nullable(),
    reasons: z.array(z.string()),
    ok: z.boolean(),
    refusal: z.enum(REFUSAL_CODES).nullable(),
    result_sets: z.array(z.strictObject({ command: z.string().nullable(), columns: z.array(z.string()), row_count: z.number().int().nullable() })),
    results_blob: blobPath.nullable(),
  }),
  /** Where it ran, as the executor reports it. */
  target: z.strictObject({ name: z.string(), kind: z.enum(TARGET_KINDS), endpoint: z.string(), details: protoChecked(z.record(z.string(), z.string())).optional() }),
  notes: z.array(z.string()),
  started_at: utcTime,
  ended_at: utcTime,
  duration_ms: milliseconds,
  output: z
    .strictObject({
      /** null: nothing of the output could be kept. */
      blob: blobPath.nullable(),
      bytes: count,
      sha256: sha256Hex,
      index_blob: blobPath.nullable(),
      stdout: digest,
      stderr: digest,
      info: digest,
      /** Only when the output could not be kept whole: what failed, and why in words. */
      failure_code: z.enum(OUTPUT_FAILURE_CODES).optional(),
      failure: z.string().optional(),
    })
    .refine((o) => (o.failure_code === undefined) === (o.failure === undefined), { message: 'failure and failure_code are given together', path: ['failure_code'] }),
});

const skipped = { step: StepRef, reason: z.string() };

export const StepSkippedSchema = z.discriminatedUnion('by', [
  /** The plan leaves the step out, for a reason the code names. */
  z.strictObject({ ...skipped, by: z.literal('plan'), code: z.enum(PLAN_SKIP_CODES) }),
  /** The operator skipped it; the reason is theirs. */
  z.strictObject({ ...skipped, by: z.literal('operator') }),
  /** Format 2: a decision's choice passed it over (the decision step and the choice; its record says who). */
  z.strictObject({ ...skipped, by: z.literal('decision'), decision: z.strictObject({ step: z.string(), choice: z.string() }) }),
  /** It ended before any block ran: refused (with the code), or stopped by the operator (refusal null). */
  z.strictObject({ ...skipped, by: z.literal('refused'), status: z.enum(STEP_STATUSES), refusal: z.enum(REFUSAL_CODES).nullable() }),
]);

const noted = { step: stepId, by: z.string() };

export const StepNoteSchema = z.union([
  /** The operator bound a block to another target. */
  z.strictObject({ ...noted, binding: z.strictObject({ block: z.string(), target: z.string(), kind: z.enum(TARGET_KINDS), endpoint: z.string() }) }),
  /** The operator marked the step passed or failed. */
  z.strictObject({ ...noted, mark: z.enum(['pass', 'fail']), note: z.string().nullable() }),
  /** The operator's note. */
  z.strictObject({ ...noted, text: z.string() }),
  /**
   * (Format 2.) The operator changed what was recorded of the step — a decision, a pass/fail mark, a skip
   * (taken back: the step is pending again) — and why. The record of the new outcome, if any, follows it.
   */
  z.strictObject({ ...noted, change: z.enum(CHANGE_KINDS), from: z.string(), to: z.string(), reason: z.string() }),
]);
