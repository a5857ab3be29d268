// The run part of the console API: a run is started (recorded, nothing executed), then each step runs only
// when the operator clicks; progress comes back as events the renderer long-polls (`runs.events`), so the
// Electron bridge and the WebSocket host need no push channel and the preload stays a set of named calls.
import { z } from 'zod';
import { PROFILES } from './runbook-model.js';

const id = z.string().min(1).max(500);
export const ProfileInput = z.enum(PROFILES);

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled', 'not-run'] as const;

export const RunStepStateSchema = z.object({
  id: z.string(),
  status: z.enum(STEP_STATUSES),
  reason: z.string().nullable(),
  /** Above the run's profile: hidden in the run view and never run. */
  hidden: z.boolean(),
  /** Why the step cannot be run by the console (manual step, sign-off, decision), null when it can. */
  manual: z.string().nullable(),
  /** The target each executable block is bound to, by block id. */
  targets: z.record(z.string(), z.object({ name: z.string(), kind: z.string(), endpoint: z.string() })),
  /** The targets each executable block may be bound to instead (same kind of action), by block id. */
  choices: z.record(z.string(), z.array(z.string())),
  /** Whether each executable block is proven read-only (by a parser) or may change state, with the reason code. */
  verdicts: z.record(z.string(), z.object({ changesState: z.boolean(), code: z.string(), detail: z.string() })),
  decision: z.string().nullable(),
  /** The last sign-off accepted for the step, with the signing key's fingerprint. */
  signoff: z.object({ name: z.string(), role: z.string(), date: z.string(), fingerprint: z.string().optional() }).nullable(),
  mark: z.enum(['pass', 'fail']).nullable(),
  fillIns: z.record(z.string(), z.string()),
});
export type RunStepState = z.infer<typeof RunStepStateSchema>;

/** A RESTRICTED block waiting for a second person's signature over its step.started record. */
export const PendingApprovalSchema = z.object({
  approvalId: z.string(),
  stepId: z.string(),
  blockId: z.string(),
  /** The step.started record the approver signs: its number and SHA-256 (64 hex digits, the signed message). */
  record: z.number().int(),
  sha256: z.string(),
  namespace: z.string(),
  /** What the approver runs with stock OpenSSH to produce the signature. */
  command: z.string(),
  /** Why the last signature offered was not accepted, if one was. */
  lastRefusal: z.string().nullable(),
});
export type PendingApproval = z.infer<typeof PendingApprovalSchema>;

export const QUESTION_KINDS = ['confirm', 'type-name', 'secret', 'text'] as const;

/** A question from the host while a step runs: yes/no, type a protected target's name, or a value to give. */
export const PendingQuestionSchema = z.object({ questionId: z.string(), text: z.string(), kind: z.enum(QUESTION_KINDS), expected: z.string().nullable() });
export type PendingQuestion = z.infer<typeof PendingQuestionSchema>;

export const RunStateSchema = z.object({
  runId: z.string(),
  dir: z.string(),
  profile: ProfileInput,
  operator: z.string(),
  status: z.enum(['ready', 'running', 'finished']),
  steps: z.array(RunStepStateSchema),
  hiddenCount: z.number().int().nonnegative(),
  /** Problems that block running some steps (unbound blocks, missing variables), listed up front. */
  problems: z.array(z.string()),
  records: z.number().int().nonnegative(),
  seal: z.object({ size: z.number().int(), root: z.string(), ticketLine: z.string() }).nullable(),
  /** RESTRICTED: blocks waiting for approval (each is recorded in the journal whether granted or not). */
  approvals: z.array(PendingApprovalSchema),
  /** Questions waiting for the operator (cancelling the step answers them "no"). */
  questions: z.array(PendingQuestionSchema),
  /**
   * The journal's last record (number, SHA-256 of its line): what a sign-off signed now signs off. With it
   * the page builds the sign-off message (src/shared/signoff.ts) for a signer who signs elsewhere.
   */
  head: z.object({ seq: z.number().int(), sha256: z.string() }).optional(),
});
export type RunState = z.infer<typeof RunStateSchema>;



const ResultSetDto = z.object({ command: z.string().nullable(), columns: z.array(z.string()), rows: z.array(z.array(z.unknown())), rowCount: z.number().nullable() });

export const RunEventSchema = z.discriminatedUnion('type', [
  z.object({ seq: z.number().int(), type: z.literal('block-start'), stepId: z.string(), blockId: z.string(), target: z.string(), at: z.string() }),
  z.object({ seq: z.number().int(), type: z.literal('output'), stepId: z.string(), blockId: z.string(), stream: z.enum(['stdout', 'stderr', 'info']), data: z.string(), at: z.string() }),
  z.object({
    seq: z.number().int(),
    type: z.literal('block-end'),
    stepId: z.string(),
    blockId: z.string(),
    status: z.string(),
    exitCode: z.number().nullable(),
    signal: z.string().nullable(),
    error: z.string().nullable(),
    verdict: z.string().nullable(),
    durationMs: z.number(),
    endpoint: z.string(),
    resultSets: z.array(ResultSetDto),
    notes: z.array(z.string()),
  }),
  z.object({ seq: z.number().int(), type: z.literal('step'), stepId: z.string(), status: z.enum(STEP_STATUSES), reason: z.string().nullable() }),
  z.object({ seq: z.number().int(), type: z.literal('record'), record: z.number().int(), recordType: z.string(), time: z.string() }),
  z.object({ seq: z.number().int(), type: z.literal('question'), questionId: z.string() }),
  z.object({ seq: z.number().int(), type: z.literal('approval'), approvalId: z.string(), stepId: z.string() }),
  z.object({ seq: z.number().int(), type: z.literal('error'), message: z.string() }),
]);
export type RunEvent = z.infer<typeof RunEventSchema>;

export const VerifyResultSchema = z.object({
  ok: z.boolean(),
  code: z.string().nullable(),
  detail: z.string(),
  records: z.number().int().nullable(),
  warnings: z.array(z.object({ code: z.string(), detail: z.string() })),
});

export const runContract = {
  'runs.start': {
    input: z
      .object({
        profile: ProfileInput,
        operator: z.string().trim().min(1).max(200),
        vars: z.record(z.string().max(200), z.string().max(100_000)).default({}),
        /** The runbook the page shows; a run of another one (opened meanwhile, e.g. in another tab) is refused. */
        sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
      })
      .strict(),
    output: RunStateSchema,
  },
  'runs.state': { input: z.object({ runId: id }).strict(), output: RunStateSchema },
  /** The run the host has open, so a page that lost track of it (reload, another tab) can go back to it. */
  'runs.current': { input: z.object({}).strict(), output: z.object({ runId: z.string(), sha256: z.string(), status: z.enum(['ready', 'running', 'finished']) }).nullable() },
  'runs.events': {
    input: z.object({ runId: id, after: z.number().int().min(-1), waitMs: z.number().int().min(0).max(30_000).default(0) }).strict(),
    output: z.object({ events: z.array(RunEventSchema), next: z.number().int() }),
  },
  'runs.runStep': { input: z.object({ runId: id, stepId: id }).strict(), output: z.object({ accepted: z.literal(true) }) },
  'runs.bind': { input: z.object({ runId: id, stepId: id, blockId: id, target: z.string().min(1).max(200) }).strict(), output: RunStateSchema },
  'runs.cancel': { input: z.object({ runId: id }).strict(), output: z.object({ cancelled: z.boolean() }) },
  'runs.skip': { input: z.object({ runId: id, stepId: id, reason: z.string().trim().min(1, 'a skip needs a reason').max(2000) }).strict(), output: RunStateSchema },
  'runs.record': {
    input: z.discriminatedUnion('kind', [
      z.object({ runId: id, stepId: id, kind: z.literal('decision'), decision: z.string().trim().min(1).max(200), note: z.string().max(2000).optional() }).strict(),
      // Main records a sign-off only with the signer's SSH signature: made by main with their key file or
      // ssh-agent key, or pasted (made with `ssh-keygen -Y sign` over the message for record `record`).
      z
        .object({
          runId: id,
          stepId: id,
          kind: z.literal('signoff'),
          name: z.string().trim().min(1).max(200),
          role: z.string().trim().min(1).max(200),
          date: z.string().trim().min(1).max(100),
          signature: z.string().min(1).max(20_000).optional(),
          record: z.number().int().min(0).optional(),
          keyFile: z.string().min(1).max(4096).optional(),
          agent: z.boolean().optional(),
          agentKey: z.string().min(1).max(20_000).optional(),
        })
        .strict(),
      z.object({ runId: id, stepId: id, kind: z.literal('fillin'), label: z.string().max(500), value: z.string().max(10_000) }).strict(),
      z.object({ runId: id, stepId: id, kind: z.literal('mark'), verdict: z.enum(['pass', 'fail']), note: z.string().max(2000).optional() }).strict(),
      z.object({ runId: id, stepId: id, kind: z.literal('note'), text: z.string().trim().min(1).max(10_000) }).strict(),
    ]),
    output: RunStateSchema,
  },
  'runs.answer': { input: z.object({ runId: id, questionId: id, answer: z.union([z.boolean(), z.string().max(4096)]) }).strict(), output: z.object({ ok: z.boolean(), state: RunStateSchema }) },
  'runs.approve': {
    input: z.discriminatedUnion('decision', [
      z.object({ runId: id, approvalId: id, decision: z.literal('sign'), approver: z.string().trim().min(1, 'name the approver').max(200), signature: z.string().min(1).max(20_000) }).strict(),
      z.object({ runId: id, approvalId: id, decision: z.literal('withdraw') }).strict(),
    ]),
    output: z.object({ ok: z.boolean(), reason: z.string().nullable(), state: RunStateSchema }),
  },
  'runs.finish': { input: z.object({ runId: id }).strict(), output: RunStateSchema },
  'runs.verify': { input: z.object({ runId: id }).strict(), output: VerifyResultSchema },
  'runs.export': {
    input: z.object({ runId: id, out: z.string().min(1).max(4096), keyFile: z.string().min(1).max(4096).optional(), agent: z.boolean().optional(), agentKey: z.string().min(1).max(20_000).optional() }).strict(),
    output: z.object({ out: z.string(), files: z.array(z.string()), signer: z.string() }),
  },
} as const;
