// The run part of the console API: a run is started (recorded, nothing executed), then each step runs only
// when the operator clicks; progress comes back as events the renderer long-polls (`runs.events`), so the
// Electron bridge and the WebSocket host need no push channel and the preload stays a set of named calls.
import { z } from 'zod';
import { PROFILES } from './runbook-model.js';
import { ARMORED_SSHSIG, SIGNOFF_REFUSAL_CODES } from './signoff.js';
import { TIMER_EVENTS } from './step-timers.js';

/** A step's timer as the host keeps it (src/shared/step-timers.ts StepTimer): the page only shows it. */
export const StepTimerSchema = z.object({
  stepId: z.string(),
  kind: z.enum(['timebox', 'repeat']),
  text: z.string(),
  startedAt: z.number(),
  forMs: z.number().nullable(),
  everyMs: z.number().nullable(),
  nextAt: z.number().nullable(),
  ended: z.enum(['due', 'stopped']).nullable(),
  endedAt: z.number().nullable(),
  runs: z.number().int().nonnegative(),
});

const id = z.string().min(1).max(500);

/** Half a UTF-16 surrogate pair: not text (the journal's canonical JSON refuses it), so it is refused here first. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Free text the operator types that goes into the journal (a reason, a note): trimmed, non-empty, whole text. */
const typedText = (max: number, empty: string) =>
  z.string().trim().min(1, empty).max(max).refine((s) => !LONE_SURROGATE.test(s), 'holds half a character (a lone UTF-16 surrogate): not text');
export const ProfileInput = z.enum(PROFILES);

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled', 'not-run'] as const;

/**
 * Why a step counts as unfinished when the run is sealed (main's rule, runs/unfinished.ts; journaled in
 * run.ended-early): never run, failed or cancelled, still running, a decision not made, a sign-off not given,
 * a step done by hand not marked done.
 */
export const UNFINISHED_KINDS = ['not-run', 'failed', 'cancelled', 'running', 'decision-pending', 'signoff-missing', 'not-done'] as const;
export type UnfinishedKind = (typeof UNFINISHED_KINDS)[number];

/** What a recorded outcome the operator changed was (step.note change): a decision, a pass/fail mark, a skip. */
export const CHANGE_KINDS = ['decision', 'mark', 'skip'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** What a person did to a step, as the step shows it (RunStepState.activity), each from its journal record. */
export const ACTIVITY_KINDS = ['note', 'decision', 'mark', 'skip', 'change', 'signoff', 'fillin', 'target'] as const;

/**
 * The console's refusals the page acts on, by code (the API error's `code`; the message says it in words):
 * sealing with unfinished steps the operator was not shown, sealing early without the reason REGULATED and
 * above require, changing a recorded decision, mark or skip without a reason.
 */
export const RUN_REFUSALS = ['seal-unconfirmed', 'seal-needs-reason', 'change-needs-reason'] as const;
export type RunRefusal = (typeof RUN_REFUSALS)[number];

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
  /** Why the last sign-off signature offered for the step was refused (and recorded as refused), if one was. */
  signoffRefusal: z.object({ code: z.enum(SIGNOFF_REFUSAL_CODES), reason: z.string() }).nullable().optional(),
  mark: z.enum(['pass', 'fail']).nullable(),
  fillIns: z.record(z.string(), z.string()),
  /**
   * A recorded decision leads away from this step (src/shared/decisions.ts, the rule `runbook run` follows):
   * skip — skipped (and journaled so) by the decision; stop — the run stops before it. It runs only once the
   * operator overrides that (runs.override, recorded). Null when no decision passes it over.
   */
  passedOver: z.object({ decision: z.string(), choice: z.string(), reason: z.string(), kind: z.enum(['skip', 'stop']) }).nullable().optional(),
  /**
   * Variables this step needs that have no value yet (the step is refused until they have one): each can be
   * given on the step (runs.setVariables), without a new run. `secret` values are typed into a password field.
   */
  missingValues: z.array(z.object({ name: z.string(), secret: z.boolean() })).optional(),
  /**
   * What people did to the step, oldest first, each from the journal record that says so (`record`): notes,
   * decisions, marks, skips, changes of any of those (with their reason), sign-offs, fill-ins, targets chosen.
   */
  activity: z.array(
    z.object({ record: z.number().int(), at: z.string(), by: z.string(), kind: z.enum(ACTIVITY_KINDS), text: z.string(), reason: z.string().nullable() }),
  ),
  /** The step's timer (a time box or a repeating check), kept by the host: null until started. */
  timer: StepTimerSchema.nullable().optional(),
});
export type RunStepState = z.infer<typeof RunStepStateSchema>;

/** The public side of the installation key, as main describes it (the page only shows it). */
export const InstallationKeyFactsSchema = z.object({
  fingerprint: z.string(),
  publicKeyFile: z.string(),
  /** `runbook verify RUN_DIR --pin SHA256:…`: how an auditor anchors a run to this key. */
  verifyCommand: z.string(),
  /** Made just now, by this run or this call: its fingerprint is to be recorded in the change ticket. */
  created: z.boolean(),
});
export type InstallationKeyFacts = z.infer<typeof InstallationKeyFactsSchema>;

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
  /** Asked through the team store too (an approver answers with `runbook approve`), open until then (ISO time); null: pasted here only. */
  storeUntil: z.string().nullable(),
});
export type PendingApproval = z.infer<typeof PendingApprovalSchema>;

export const QUESTION_KINDS = ['confirm', 'type-name', 'secret', 'text'] as const;

/** A question from the host while a step runs: yes/no, type a protected target's name, or a value to give. */
export const PendingQuestionSchema = z.object({ questionId: z.string(), text: z.string(), kind: z.enum(QUESTION_KINDS), expected: z.string().nullable() });
export type PendingQuestion = z.infer<typeof PendingQuestionSchema>;

/** Where a run's records stand in the team store (main's StoreShipper status). */
export const StoreShippingStateSchema = z.object({
  /** user@host:port/database (sslmode): never a password. */
  shown: z.string(),
  /** State-changing steps wait for the store to hold every record before them. */
  gate: z.boolean(),
  local: z.number().int().nonnegative(),
  shipped: z.number().int().nonnegative(),
  lag: z.number().int().nonnegative(),
  /** Files the shipped records name (outputs, the runbook) not yet whole in the store. */
  blobs: z.number().int().nonnegative(),
  /** Why the last attempt failed (the store away…), or null. */
  problem: z.string().nullable(),
  /** Shipping stopped for good: the store holds another version of the run, or will not take it. */
  diverged: z.string().nullable(),
});
export type StoreShippingState = z.infer<typeof StoreShippingStateSchema>;

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
   * The journal's last record (number, SHA-256 of its line): what a sign-off signed now signs off. A message
   * made for a signer elsewhere (runs.signoffRequest) holds only while this is its record.
   */
  head: z.object({ seq: z.number().int(), sha256: z.string() }).optional(),
  /**
   * The installation key that seals this run (public side): its fingerprint, what an auditor pins with
   * `verifyCommand`. `created` when the key was made for this run: its fingerprint belongs in the ticket.
   */
  installationKey: InstallationKeyFactsSchema.optional(),
  /**
   * What sealing now would leave unfinished, by main's rule (steps a recorded decision passed over are not
   * counted: the decision says why). runs.finish and runs.export refuse to seal unless the operator was shown
   * each of these (`unfinished`), and in REGULATED and above given a reason, which is journaled.
   */
  unfinished: z.array(z.object({ stepId: z.string(), title: z.string(), what: z.enum(UNFINISHED_KINDS) })),
  /** The team store this run ships to, and how far it has got (absent: the run ships nowhere). */
  store: StoreShippingStateSchema.optional(),
});
export type RunState = z.infer<typeof RunStateSchema>;

/** What the operator confirmed when sealing: the unfinished steps they were shown (ids), and why they seal early. */
const sealConfirmation = {
  unfinished: z.array(id).max(100_000).optional(),
  reason: typedText(2000, 'say why the run is sealed early').optional(),
};



const ResultSetDto = z.object({ command: z.string().nullable(), columns: z.array(z.string()), rows: z.array(z.array(z.unknown())), rowCount: z.number().nullable() });

/**
 * A transcript's example output (Block.expectedOutput) beside what the block printed: `same` as the engine
 * judged it (never a verdict: an example), and a short diff of the lines that differ (src/shared/output-diff.ts).
 */
export const OutputComparisonSchema = z.object({
  same: z.boolean(),
  expected: z.string(),
  diff: z.array(z.object({ kind: z.enum(['same', 'expected', 'actual', 'gap', 'elided']), text: z.string(), count: z.number().int().nonnegative().optional() })),
  /** The diff leaves lines out (or the output was too long to compare whole here). */
  truncated: z.boolean(),
});
export type OutputComparison = z.infer<typeof OutputComparisonSchema>;

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
    /** Only for a block whose runbook shows its output (a transcript), once it ran to an answer. */
    comparison: OutputComparisonSchema.nullable(),
  }),
  z.object({ seq: z.number().int(), type: z.literal('step'), stepId: z.string(), status: z.enum(STEP_STATUSES), reason: z.string().nullable() }),
  z.object({ seq: z.number().int(), type: z.literal('record'), record: z.number().int(), recordType: z.string(), time: z.string() }),
  z.object({ seq: z.number().int(), type: z.literal('question'), questionId: z.string() }),
  z.object({ seq: z.number().int(), type: z.literal('approval'), approvalId: z.string(), stepId: z.string() }),
  z.object({ seq: z.number().int(), type: z.literal('error'), message: z.string() }),
  /** A step's timer did something the operator is to hear of (due, a reminder, a repeat's run, stopped). */
  z.object({ seq: z.number().int(), type: z.literal('timer'), stepId: z.string(), event: z.enum(TIMER_EVENTS), text: z.string() }),
  /** Shipping to the team store moved on, started failing or recovered (the state says where it stands). */
  z.object({ seq: z.number().int(), type: z.literal('store'), lag: z.number().int().nonnegative(), problem: z.string().nullable() }),
]);
export type RunEvent = z.infer<typeof RunEventSchema>;

/**
 * The console's verdict on its own run, in `runbook verify`'s words. The console holds one key of its own —
 * this installation's, which is also the key that seals the run — so the best it can say is
 * `self-anchored`: intact, and sealed by this installation's key (nobody without that key re-sealed it).
 * That proves integrity, not who made the record: for an auditor it is still intact but unanchored until
 * they pin the fingerprint they hold from elsewhere (`auditorCommand`).
 * - `self-anchored`: every check passed and every checkpoint is signed by this installation's key.
 * - `unanchored`: every check passed, but nothing is signed yet (no checkpoint: the run is not sealed).
 * - `failed`: a check failed: `code` (E_…) and `meaning` say which, `detail` where.
 */
export const VERIFY_VERDICTS = ['self-anchored', 'unanchored', 'failed'] as const;
export type VerifyVerdict = (typeof VERIFY_VERDICTS)[number];

export const VerifyResultSchema = z.object({
  /** Intact: every check passed (verdict self-anchored or unanchored). */
  ok: z.boolean(),
  verdict: z.enum(VERIFY_VERDICTS),
  /** The failure's reason code (E_…), as `runbook verify` prints it; null unless failed. */
  code: z.string().regex(/^E_[A-Z_]+$/).nullable(),
  /** What the reason code means (the verifier's stable text); null unless failed. */
  meaning: z.string().nullable(),
  detail: z.string(),
  /** The record the failure names (0-based), when there is one. */
  record: z.number().int().nullable(),
  records: z.number().int().nullable(),
  warnings: z.array(z.object({ code: z.string(), detail: z.string() })),
  /** The key that sealed the run, and whether it is this installation's (the console's own anchor). Null: nothing signed. */
  sealedBy: z.object({ fingerprint: z.string(), thisInstallation: z.boolean() }).nullable(),
  /** This installation's key: what the console checked the seal against. */
  installationKey: InstallationKeyFactsSchema,
  /** Signatures nothing the console holds vouches for: sign-offs and approvals (their signers' keys), in words. */
  unanchored: z.array(z.string()),
  /** What an auditor runs to anchor the record with what they hold (the fingerprint from the change ticket). */
  auditorCommand: z.string(),
});
export type VerifyResult = z.infer<typeof VerifyResultSchema>;

/** The exact text a sign-off signer signs elsewhere, and the stock command to do it, as main made it. */
export const SignoffRequestSchema = z.object({
  /** The journal record it signs off (the run's last record now) and the SHA-256 of its line. */
  record: z.number().int(),
  sha256: z.string(),
  namespace: z.string(),
  message: z.string(),
  command: z.string(),
});
export type SignoffRequest = z.infer<typeof SignoffRequestSchema>;

const changeReason = typedText(2000, 'say why it is changed').optional();

const signoffRow = {
  name: z.string().trim().min(1).max(200),
  role: z.string().trim().min(1).max(200),
  date: z.string().trim().min(1).max(100),
};

export const runContract = {
  'runs.start': {
    input: z
      .object({
        profile: ProfileInput,
        operator: z.string().trim().min(1).max(200),
        vars: z.record(z.string().max(200), z.string().max(100_000)).default({}),
        /** The runbook the page shows; a run of another one (opened meanwhile, e.g. in another tab) is refused. */
        sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
        /** The open run this one replaces is sealed: with steps unfinished, only as runs.finish would seal it. */
        replace: z.object(sealConfirmation).strict().optional(),
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
  /**
   * Takes back a skip: a step a recorded decision passed over, or one the operator skipped, is pending again
   * (to run, decide or mark); the reason is journaled as a change (step.note).
   */
  'runs.override': { input: z.object({ runId: id, stepId: id, reason: typedText(2000, 'an override needs a reason') }).strict(), output: RunStateSchema },
  'runs.skip': { input: z.object({ runId: id, stepId: id, reason: typedText(2000, 'a skip needs a reason') }).strict(), output: RunStateSchema },
  'runs.record': {
    input: z.discriminatedUnion('kind', [
      // `change`: why a decision or mark already recorded is changed (required then; journaled beside it).
      z.object({ runId: id, stepId: id, kind: z.literal('decision'), decision: z.string().trim().min(1).max(200), note: z.string().max(2000).optional(), change: changeReason }).strict(),
      // Main records a sign-off only with the signer's SSH signature: made by main with their key file or
      // ssh-agent key, or pasted (made with `ssh-keygen -Y sign` over the message for record `record`).
      z
        .object({
          runId: id,
          stepId: id,
          kind: z.literal('signoff'),
          ...signoffRow,
          signature: z.string().max(20_000).regex(ARMORED_SSHSIG, 'not an SSH signature: paste the whole output of ssh-keygen -Y sign, -----BEGIN SSH SIGNATURE----- to -----END SSH SIGNATURE-----').optional(),
          record: z.number().int().min(0).optional(),
          keyFile: z.string().min(1).max(4096).optional(),
          agent: z.boolean().optional(),
          agentKey: z.string().min(1).max(20_000).optional(),
        })
        .strict(),
      z.object({ runId: id, stepId: id, kind: z.literal('fillin'), label: z.string().max(500), value: z.string().max(10_000) }).strict(),
      z.object({ runId: id, stepId: id, kind: z.literal('mark'), verdict: z.enum(['pass', 'fail']), note: z.string().max(2000).optional(), change: changeReason }).strict(),
      z.object({ runId: id, stepId: id, kind: z.literal('note'), text: typedText(10_000, 'the note is empty') }).strict(),
    ]),
    output: RunStateSchema,
  },
  /**
   * A sign-off to be signed elsewhere: main checks the row and gives the exact message (for the run's last
   * record now) and the stock `ssh-keygen -Y sign` command; the signature comes back through runs.record.
   */
  'runs.signoffRequest': { input: z.object({ runId: id, stepId: id, ...signoffRow }).strict(), output: SignoffRequestSchema },
  'runs.answer': { input: z.object({ runId: id, questionId: id, answer: z.union([z.boolean(), z.string().max(4096)]) }).strict(), output: z.object({ ok: z.boolean(), state: RunStateSchema }) },
  'runs.approve': {
    input: z.discriminatedUnion('decision', [
      z.object({ runId: id, approvalId: id, decision: z.literal('sign'), approver: z.string().trim().min(1, 'name the approver').max(200), signature: z.string().min(1).max(20_000) }).strict(),
      z.object({ runId: id, approvalId: id, decision: z.literal('withdraw') }).strict(),
    ]),
    output: z.object({ ok: z.boolean(), reason: z.string().nullable(), state: RunStateSchema }),
  },
  /**
   * Values for variables the run has none for yet, given on a step (`stepId`: where the operator gave them)
   * before a step that needs them runs. Main checks each is a variable the run needs and has no value for,
   * that the value is data wherever it is used (as at start), and records it (a `fillin` on that step, a
   * secret's value masked); a value already given is never changed (every step runs with the same one).
   */
  'runs.setVariables': {
    input: z
      .object({
        runId: id,
        stepId: id,
        values: z.record(z.string().min(1).max(200), z.string().min(1, 'the value is empty').max(100_000)).refine((v) => Object.keys(v).length > 0, 'no values given'),
      })
      .strict(),
    output: RunStateSchema,
  },
  /**
   * Goes on with an unfinished run of the runs directory (after the app or `serve` restarted): the same
   * journal continues (run.resumed), with the runbook the run recorded, which becomes the open runbook.
   */
  'runs.resume': { input: z.object({ runId: id, operator: z.string().trim().min(1).max(200), replace: z.object(sealConfirmation).strict().optional() }).strict(), output: RunStateSchema },
  /** Starts or stops a step's timer; the host keeps it (it goes on when the page closes) and journals it. */
  'runs.timer': { input: z.object({ runId: id, stepId: id, action: z.enum(['start', 'stop']) }).strict(), output: RunStateSchema },
  'runs.finish': { input: z.object({ runId: id, ...sealConfirmation }).strict(), output: RunStateSchema },
  'runs.verify': { input: z.object({ runId: id }).strict(), output: VerifyResultSchema },
  'runs.export': {
    // An unsealed run is sealed first, as runs.finish seals it (the same confirmation).
    input: z.object({ runId: id, out: z.string().min(1).max(4096), keyFile: z.string().min(1).max(4096).optional(), agent: z.boolean().optional(), agentKey: z.string().min(1).max(20_000).optional(), ...sealConfirmation }).strict(),
    output: z.object({ out: z.string(), files: z.array(z.string()), signer: z.string() }),
  },
} as const;
