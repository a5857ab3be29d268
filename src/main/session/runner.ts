// Runs a planned runbook step by step. Code always comes from the snapshot the session loaded (looked up
// by runbook hash, step id and block id); nothing accepts free command text. Output is masked for secrets
// before anyone sees it, recorded on disk, and judged against the block's expectations.
import { type PassedOver, decisionPath } from '../../shared/decisions.js';
import type { Block, Profile, Runbook, Step } from '../../shared/runbook-model.js';
import type { PlanSkipCode, RefusalCode } from '../audit/records/codes.js';
import { durationMs } from '../../shared/targets.js';
import { byteChunk, endChunk, isPending } from '../targets/output-chunk.js';
import type { Execution, ExecutionRequest, ExecutionResult, Executor, OutputChunk } from '../targets/types.js';
import { nowIso } from '../targets/types.js';
import { Utf8Stream } from '../util/utf8-stream.js';
import type { Binding } from './binding.js';
import { type Judgement, judge, succeeded } from './checks.js';
import { SecretMasker } from './mask.js';
import { type OutputIo, OutputRecorder, type RecordedOutput } from './output.js';
import type { PlannedStep, RunPlan } from './plan.js';
import { type BlockRequests, cachedBlockRequest } from './block-request.js';
import { type DecisionTurn, ManualStepError, checkFillIn, decisionTurn, missingInputs } from './manual.js';
import type { ResolvedVariables } from './variables.js';
import type { Verdict } from './verdict.js';

export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'not-run';

export interface BlockOutcome {
  blockId: string;
  target: string;
  result: ExecutionResult;
  judgement: Judgement;
  output: Omit<RecordedOutput, 'stdout'>;
  ok: boolean;
  /** Set when the block was refused instead of run (its step.started is recorded, nothing ran). */
  refusal?: RefusalCode;
}

/** Why a step was refused rather than run or failed (the journal's codes); a refusal stops the run whatever --keep-going says. */
export type { RefusalCode };

/** A block refused rather than run; `block` is its recorded outcome where its step.started was written. */
export interface BlockRefusal {
  refused: true;
  refusal: RefusalCode;
  reason: string;
  block: BlockOutcome | null;
}

export interface StepOutcome {
  stepId: string;
  title: string;
  status: StepStatus;
  reason: string | null;
  blocks: BlockOutcome[];
  refusal?: RefusalCode;
  /** A decision step: the choice made, and where it takes the run. */
  turn?: DecisionTurn;
  /** The run cannot go past this step (a decision nobody could make, a NO-GO with nowhere to go). */
  halt?: string;
}

/**
 * How the operator settled a step that has nothing to run (a manual step, an input, a decision): done (with
 * the values of its blanks) or failed, skipped, a decision's choice, or stop the run here; 'plan' leaves it to
 * the plan (skipped: nothing to run); 'quit' stops the run as the operator's "no".
 */
export type ManualAnswer =
  | { done: true; values?: { label: string; value: string }[]; note?: string | null }
  | { failed: string }
  | { skip: string }
  | { decision: string; note?: string | null }
  | { stop: string }
  | 'plan'
  | 'quit';

/** What the operator recorded for a step done by hand, as the journal keeps it. */
export type OperatorRecord =
  | { type: 'fillin'; step: Step; label: string; value: string }
  | { type: 'decision'; step: Step; decision: string; note: string | null; by: string }
  | { type: 'mark'; step: Step; mark: 'pass' | 'fail'; note: string | null; by: string };

export type RunEvent =
  | { type: 'step-start'; step: Step }
  | { type: 'step-skip'; step: Step; reason: string }
  | { type: 'block-start'; step: Step; block: Block; binding: Binding }
  /** A chunk of a block's output, secrets masked: `chunk.bytes` exactly as recorded, `chunk.data` its text. */
  | { type: 'output'; step: Step; block: Block; chunk: OutputChunk & { bytes: Uint8Array } }
  | { type: 'block-end'; step: Step; block: Block; outcome: BlockOutcome }
  | { type: 'step-end'; step: Step; outcome: StepOutcome };

export interface RunSummary {
  ok: boolean;
  steps: StepOutcome[];
}

export interface ExecutorSource {
  executorFor(binding: Binding): Executor;
}

/** 'skip' may carry the operator's reason (REGULATED and above require one). */
export type StepDecision = 'run' | 'skip' | 'quit' | { skip: string };

/**
 * What the run record hears. Calls are synchronous and durable before they return: `blockStarting` is the
 * write-ahead record of what is about to run. A recorder that throws stops the run before the next action.
 */
export interface RunRecorder {
  blockStarting(event: { step: Step; block: Block; binding: Binding; command: string; env: string[]; params: number; verdict: Verdict }): void | Promise<void>;
  blockFinished(event: { step: Step; block: Block; binding: Binding; outcome: BlockOutcome }): void | Promise<void>;
  stepSkipped(event: SkipEvent): void | Promise<void>;
  stepFinished(event: { step: Step; outcome: StepOutcome }): void | Promise<void>;
  /** What the operator recorded for a step done by hand (a value, a choice, done or failed). */
  operatorRecorded?(record: OperatorRecord): void | Promise<void>;
}

/** A step skipped: by the plan (the code says why), or by the operator (their reason). */
export type SkipEvent =
  | { step: Step; reason: string; by: 'plan'; code: PlanSkipCode }
  | { step: Step; reason: string; by: 'operator' }
  /** Passed over by a decision's choice (the decision step, the choice made): the decision's record says who. */
  | { step: Step; reason: string; by: 'decision'; decision: { step: string; choice: string } };

const OPERATOR_SKIP = 'skipped by the operator';

/** The reason journaled for the operator's own skip (their words, when they gave any). */
export const operatorSkipReason = (words?: string): string => (words ? `${OPERATOR_SKIP}: ${words}` : OPERATOR_SKIP);

/** Whether a journaled `operator` skip's reason is the operator's own skip (as operatorSkipReason wrote it). */
export const isOperatorSkip = (reason: string): boolean => reason === OPERATOR_SKIP || reason.startsWith(`${OPERATOR_SKIP}: `);

/** The operator's own words in an operator skip's journaled reason (empty when they gave none). */
export const operatorSkipWords = (reason: string): string => (reason.startsWith(`${OPERATOR_SKIP}: `) ? reason.slice(OPERATOR_SKIP.length + 2) : '');

export interface RunSessionOptions {
  runbook: Runbook;
  profile: Profile;
  plan: RunPlan;
  /** Read-only or not per block id, proven by a parser at plan time; a block without one changes state. */
  verdicts: ReadonlyMap<string, Verdict>;
  /** Requests already prepared while the run's values were checked (by target kind and block). */
  requests?: BlockRequests;
  /** Values to mask besides secret variables: the targets' credentials. */
  secrets?: Iterable<string>;
  variables: ResolvedVariables;
  executors: ExecutorSource;
  outputDir: string;
  /** File operations for output files (tests inject ENOSPC, EIO). */
  outputIo?: OutputIo;
  keepGoing: boolean;
  /** Asks before each step; absent when the operator said --yes. */
  confirmStep?: (step: Step) => Promise<StepDecision>;
  /**
   * Asks the operator to type a protected target's name before a block not proven read-only; false
   * refuses (the run stops), `{ skip }` skips the step with the operator's reason instead.
   */
  confirmProtected: (targetName: string, step: Step, block: Block, verdict: Verdict) => Promise<boolean | { skip: string }>;
  /**
   * Hears every event. For an 'output' event a returned promise is backpressure: the block's output is not
   * read further (its process waits) until it settles. Nothing is dropped. (Typed void so that any callback
   * fits; what comes back is looked at with isPending.)
   */
  onEvent?: (event: RunEvent) => void;
  recorder?: RunRecorder;
  /**
   * Asks for a second person's approval of a state-changing block, after its step.started record is
   * written; resolves null when approved, else why not (the block then does not run).
   */
  approve?: ((event: { step: Step; block: Block; binding: Binding }) => Promise<string | null>) | undefined;
  /**
   * RESTRICTED with a team store: asked right before a state-changing block would start (after its
   * step.started and approval are journaled); a reason means the store has not got the run's records, and the
   * block is refused (store-lagging) instead of run.
   */
  storeGate?: (() => Promise<string | null>) | undefined;
  /**
   * Asks the operator to settle a step with nothing to run (manual, input, decision); absent, such steps are
   * skipped by the plan. Sign-offs are not asked here: they need the signer's SSH signature (the console).
   */
  manualStep?: ((step: Step) => Promise<ManualAnswer>) | undefined;
  /** Who records decisions and marks (the operator's name in the journal). */
  operator?: string | undefined;
}

export class SnapshotMismatchError extends Error {}

export class RunSession {
  private current: Execution | null = null;
  private cancelled = false;
  /** Masks text: results, errors, notes, the command recorded. */
  private readonly masker: SecretMasker;
  /** Masks output, which is bytes (the same secrets, matched as their UTF-8 bytes). */
  private readonly outputMasker: SecretMasker;

  private readonly requests: BlockRequests;

  constructor(private readonly options: RunSessionOptions) {
    this.requests = options.requests ?? new Map();
    const secrets = [...options.variables.secretValues, ...(options.secrets ?? [])];
    this.masker = new SecretMasker(secrets);
    this.outputMasker = new SecretMasker(secrets, { bytes: true });
  }

  /** `text` with every secret the session knows masked (a value about to be journaled). */
  mask(text: string): string {
    return this.masker.mask(text);
  }

  /** Masks a secret learnt during the run (a password the operator typed when asked). */
  addSecret(value: string): void {
    this.masker.add([value]);
    this.outputMasker.add([value]);
  }

  /** Sets the second-person approval hook once the journal it signs over exists (RESTRICTED runs). */
  setApprove(approve: NonNullable<RunSessionOptions['approve']>): void {
    this.options.approve = approve;
  }

  /** Stops the block that is running (really stopping it on its target) and the rest of the run. */
  cancel(): void {
    this.cancelled = true;
    this.current?.cancel();
  }

  /**
   * Runs one step of the plan when the operator asks for it (the desktop console runs step by step).
   * A cancel stops that step only; the next click runs again.
   */
  async runOne(stepId: string): Promise<StepOutcome> {
    const planned = this.options.plan.steps.find((p) => p.step.id === stepId);
    if (!planned) throw new SnapshotMismatchError(`no step ${stepId} in the loaded runbook`);
    this.cancelled = false;
    return this.runStep(planned);
  }

  /** Records a skip the operator chose for a step (with their reason) without running it. */
  async skipOne(stepId: string, reason: string): Promise<StepOutcome> {
    const planned = this.options.plan.steps.find((p) => p.step.id === stepId);
    if (!planned) throw new SnapshotMismatchError(`no step ${stepId} in the loaded runbook`);
    return this.skip({ step: planned.step, reason: operatorSkipReason(reason), by: 'operator' });
  }

  async run(): Promise<RunSummary> {
    const outcomes: StepOutcome[] = [];
    let stopped: string | null = null;
    const steps = this.options.plan.steps;
    const order = steps.map((p) => p.step.id);
    // Where the decisions made so far take the run: the one rule (src/shared/decisions.ts) the console
    // applies too, worked out again each time a decision is made.
    const choices = new Map<string, string>();
    let passed: ReadonlyMap<string, PassedOver> = new Map();
    for (const planned of steps) {
      const { step } = planned;
      const over = passed.get(step.id);
      if (over?.kind === 'stop') stopped ??= over.reason;
      if (stopped || this.cancelled) {
        outcomes.push({ stepId: step.id, title: step.title, status: 'not-run', reason: this.cancelled ? 'run cancelled' : stopped, blocks: [] });
        continue;
      }
      if (over) {
        outcomes.push(await this.skip({ step, reason: over.reason, by: 'decision', decision: { step: over.decision, choice: over.choice } }));
        continue;
      }
      const outcome = await this.runStep(planned);
      outcomes.push(outcome);
      if (outcome.halt) stopped = outcome.halt;
      else if (outcome.turn) {
        choices.set(step.id, outcome.turn.choice);
        passed = decisionPath(this.options.runbook, order, choices);
      }
      if (outcome.status === 'cancelled') stopped = 'run cancelled';
      // A refusal is the operator's or the approver's "no": never run past it, --keep-going or not.
      else if (outcome.refusal) stopped = `an earlier step was refused (${outcome.refusal})`;
      // Nor past output that could not be recorded (a full or failing disk): the next step's would not be either.
      else if (outcome.blocks.some((b) => b.output.failure)) stopped = 'the output of an earlier step could not be recorded';
      else if (outcome.status === 'failed' && !this.options.keepGoing) stopped = 'an earlier step failed';
    }
    return { ok: runOk(outcomes), steps: outcomes };
  }

  /** Tells the listener; what it answers (a promise: wait for it) goes back to the caller. */
  private emit(event: RunEvent): unknown {
    return this.options.onEvent?.(event) as unknown;
  }

  /** A step that ended before any block ran; the record says why. */
  private async notRun(step: Step, reason: string): Promise<StepOutcome> {
    const outcome: StepOutcome = { stepId: step.id, title: step.title, status: 'not-run', reason, blocks: [] };
    await this.options.recorder?.stepFinished({ step, outcome });
    return outcome;
  }

  /** A step refused before (or instead of) running: failed, with its refusal code; the run stops. */
  private async refused(step: Step, refusal: RefusalCode, reason: string, blocks: BlockOutcome[] = []): Promise<StepOutcome> {
    const outcome: StepOutcome = { stepId: step.id, title: step.title, status: 'failed', reason, blocks, refusal };
    await this.options.recorder?.stepFinished({ step, outcome });
    this.emit({ type: 'step-end', step, outcome });
    return outcome;
  }

  /**
   * Records how the operator settled a step with nothing to run. Values and choices are checked against the
   * step as the runbook wrote it (manual.ts) before anything is recorded; an input is not done while a
   * required blank is empty. The outcome's status is the operator's mark (done: succeeded).
   */
  private async settleByHand(step: Step, answer: Exclude<ManualAnswer, 'plan'>): Promise<StepOutcome> {
    const base = { stepId: step.id, title: step.title, blocks: [] as BlockOutcome[] };
    if (answer === 'quit') {
      this.cancelled = true;
      return await this.notRun(step, 'the operator stopped the run');
    }
    if ('skip' in answer) return await this.skip({ step, reason: operatorSkipReason(answer.skip), by: 'operator' });
    if ('stop' in answer) {
      const outcome: StepOutcome = { ...base, status: 'not-run', reason: answer.stop, halt: answer.stop };
      await this.options.recorder?.stepFinished({ step, outcome });
      this.emit({ type: 'step-end', step, outcome });
      return outcome;
    }
    const by = this.options.operator ?? 'operator';
    const record = async (r: OperatorRecord) => {
      await this.options.recorder?.operatorRecorded?.(r);
    };
    let outcome: StepOutcome;
    if ('decision' in answer) {
      const turn = decisionTurn(this.options.runbook, step, answer.decision);
      await record({ type: 'decision', step, decision: answer.decision, note: answer.note ?? null, by });
      outcome = { ...base, status: 'succeeded', reason: `decision: ${answer.decision}`, turn };
    } else if ('failed' in answer) {
      await record({ type: 'mark', step, mark: 'fail', note: answer.failed, by });
      outcome = { ...base, status: 'failed', reason: `marked failed by ${by}: ${answer.failed}` };
    } else {
      const values: Record<string, string> = {};
      const checked = (answer.values ?? []).map(({ label, value }) => ({ label, value: checkFillIn(step, label, value).value }));
      for (const { label, value } of checked) values[label] = value;
      const missing = missingInputs(step, values);
      if (missing.length > 0) throw new ManualStepError(`step ${step.id} is not done: no value for ${missing.map((f) => `"${f.label}"`).join(', ')}`);
      for (const { label, value } of checked) await record({ type: 'fillin', step, label, value });
      await record({ type: 'mark', step, mark: 'pass', note: answer.note ?? null, by });
      outcome = { ...base, status: 'succeeded', reason: `done (marked by ${by})` };
    }
    this.emit({ type: 'step-end', step, outcome });
    return outcome;
  }

  /** The parser's verdict for a block; a block without one (unsure) changes state. */
  verdictOf(block: Block): Verdict {
    return this.options.verdicts.get(block.id) ?? { changesState: true, code: 'unknown', detail: 'no verdict was computed for this block' };
  }

  private async skip(event: SkipEvent): Promise<StepOutcome> {
    const { step, reason } = event;
    await this.options.recorder?.stepSkipped(event);
    this.emit({ type: 'step-skip', step, reason });
    return { stepId: step.id, title: step.title, status: 'skipped', reason, blocks: [] };
  }

  private async runStep(planned: PlannedStep): Promise<StepOutcome> {
    const { step } = planned;
    if (planned.skip !== null) {
      const forAPerson = planned.skipCode === 'manual-step' || planned.skipCode === 'for-a-person';
      if (forAPerson && this.options.manualStep && step.kind !== 'signoff') {
        const answer = await this.options.manualStep(step);
        if (answer !== 'plan') return await this.settleByHand(step, answer);
      }
      return await this.skip({ step, reason: planned.skip, by: 'plan', code: planned.skipCode });
    }
    if (this.options.confirmStep) {
      const decision = await this.options.confirmStep(step);
      if (decision === 'skip') return await this.skip({ step, reason: operatorSkipReason(), by: 'operator' });
      if (typeof decision === 'object') return await this.skip({ step, reason: operatorSkipReason(decision.skip), by: 'operator' });
      if (decision === 'quit') {
        this.cancelled = true;
        return await this.notRun(step, 'the operator stopped the run');
      }
    }
    for (const { block, binding } of planned.blocks) {
      const verdict = this.verdictOf(block);
      if (!binding.target.protected || !verdict.changesState) continue;
      const answer = await this.options.confirmProtected(binding.targetName, step, block, verdict);
      if (typeof answer === 'object') return await this.skip({ step, reason: operatorSkipReason(answer.skip), by: 'operator' });
      if (!answer) {
        const reason = `protected target "${binding.targetName}" was not confirmed for block line ${block.line} (${verdict.code}: ${verdict.detail})`;
        return await this.refused(step, 'protected-not-confirmed', reason);
      }
    }
    this.emit({ type: 'step-start', step });
    const blocks: BlockOutcome[] = [];
    let status: StepStatus = 'succeeded';
    let reason: string | null = null;
    for (const { block, binding } of planned.blocks) {
      const outcome = await this.runBlock({ snapshot: this.options.runbook.sha256, stepId: step.id, blockId: block.id }, binding);
      if ('refused' in outcome) {
        return await this.refused(step, outcome.refusal, outcome.reason, outcome.block ? [...blocks, outcome.block] : blocks);
      }
      blocks.push(outcome);
      if (outcome.result.status === 'cancelled') {
        status = 'cancelled';
        reason = 'cancelled by the operator';
        break;
      }
      if (!outcome.ok) {
        status = 'failed';
        reason = outcome.judgement.reasons[0] ?? outcome.result.error ?? outcome.result.status;
        break;
      }
    }
    const outcome: StepOutcome = { stepId: step.id, title: step.title, status, reason, blocks };
    await this.options.recorder?.stepFinished({ step, outcome });
    this.emit({ type: 'step-end', step, outcome });
    return outcome;
  }

  /**
   * Runs one block of the loaded snapshot; the code is looked up here, never taken from the caller.
   * Resolves a refusal instead when the block was refused rather than run.
   */
  async runBlock(ref: { snapshot: string; stepId: string; blockId: string }, binding: Binding): Promise<BlockOutcome | BlockRefusal> {
    const { runbook } = this.options;
    if (ref.snapshot !== runbook.sha256) {
      throw new SnapshotMismatchError(`runbook ${ref.snapshot.slice(0, 12)}… is not the one loaded (${runbook.sha256.slice(0, 12)}…); reload it explicitly`);
    }
    const step = runbook.steps.find((s) => s.id === ref.stepId);
    const block = step?.blocks.find((b) => b.id === ref.blockId);
    if (!step || !block) throw new SnapshotMismatchError(`no block ${ref.blockId} in step ${ref.stepId} of the loaded runbook`);
    const verdict = this.verdictOf(block);

    const executor = this.options.executors.executorFor(binding);
    // Prepared while the run's values were checked; a block re-bound to another kind of target is prepared now.
    const prepared = await cachedBlockRequest(this.requests, block, executor.kind, this.options.variables.values, verdict);
    if (!prepared.ok) {
      const reason = `values cannot be used safely: ${prepared.problems.map((p) => `line ${p.line}: ${p.variable}: ${p.message}`).join('; ')}`;
      return { refused: true, refusal: 'value-unsafe', reason, block: null };
    }
    const timeout = block.attributes.timeout !== undefined ? durationMs(String(block.attributes.timeout)) : undefined;
    const request: ExecutionRequest = {
      blockId: block.id,
      action: block.action,
      code: prepared.code,
      env: prepared.env,
      ...(prepared.params.length > 0 ? { params: prepared.params } : {}),
      ...(timeout ? { timeoutMs: timeout } : {}),
      ...(verdict.changesState ? {} : { readOnly: true }),
      onOutput: () => undefined,
    };
    // Output: bytes from the executor, masked, written to the record (hashed as written), then handed to the
    // listeners, chunk by chunk; a listener that is behind (a slow terminal) pauses the block's output.
    let stderr = '';
    const texts = { stdout: new Utf8Stream(), stderr: new Utf8Stream(), info: new Utf8Stream() };
    // Listeners still taking a chunk: the block ends only once they have (the last chunk, say, while the
    // process already exited).
    const behind = new Set<Promise<void>>();
    const forward = (stream: OutputChunk['stream'], at: string, bytes: Uint8Array): Promise<void> | undefined => {
      if (bytes.length === 0) return;
      recorder.write({ stream, at, bytes });
      const chunk = byteChunk(stream, bytes, texts[stream], at) as OutputChunk & { bytes: Uint8Array };
      if (stream === 'stderr' && stderr.length < 1024 * 1024) stderr += chunk.data;
      const answer = this.emit({ type: 'output', step, block, chunk });
      if (!isPending(answer)) return;
      const taken = Promise.resolve(answer).then(
        () => void behind.delete(taken),
        () => void behind.delete(taken),
      );
      behind.add(taken);
      return taken;
    };
    request.onOutput = (chunk) => {
      // A chunk without bytes is text (a query's notice, a Prometheus summary): recorded as UTF-8.
      const bytes = chunk.bytes ?? Buffer.from(chunk.data, 'utf8');
      return forward(chunk.stream, chunk.at, this.outputMasker.pushBytes(chunk.stream, bytes));
    };
    // Write-ahead: the exact text that runs (secrets masked) is on disk before the action starts.
    await this.options.recorder?.blockStarting({
      step,
      block,
      binding,
      command: this.masker.mask(request.code),
      env: Object.keys(request.env ?? {}),
      params: request.params?.length ?? 0,
      verdict,
    });

    // RESTRICTED: a second person approves each block not proven read-only, after its step.started is recorded.
    // An output that cannot be written stops the block at once: nothing it does from then on could be recorded.
    let execution: Execution | null = null;
    const recorder = new OutputRecorder(this.options.outputDir, block.id, { ...(this.options.outputIo ? { io: this.options.outputIo } : {}), onFailure: () => execution?.cancel() });
    this.emit({ type: 'block-start', step, block, binding });
    const approval = this.options.approve && verdict.changesState ? await this.options.approve({ step, block, binding }) : null;
    const lagging = approval === null && verdict.changesState && this.options.storeGate ? await this.options.storeGate() : null;
    const refusal = approval ?? lagging;
    const refusalCode: RefusalCode | null = approval !== null ? 'approval-refused' : lagging !== null ? 'store-lagging' : null;
    let raw: ExecutionResult;
    const notRun = (error: string): ExecutionResult => {
      const now = new Date().toISOString();
      return { status: 'error', exitCode: null, signal: null, error, resultSets: [], startedAt: now, endedAt: now, durationMs: 0, target: { name: binding.targetName, kind: binding.target.kind, endpoint: '(not contacted)' }, notes: [] };
    };
    const openFailure = refusal === null ? recorder.failure : null;
    if (refusal !== null) {
      raw = notRun(approval !== null ? `not approved: ${refusal}` : `not run: ${refusal}`);
    } else if (openFailure !== null) {
      raw = notRun(`its output could not be recorded (${openFailure}); nothing ran`);
    } else {
      this.current = execution = executor.start(request);
      if (this.cancelled || recorder.failure) this.current.cancel();
      raw = await this.current.result;
      this.current = null;
      execution = null;
    }
    // (Awaited only when there is something to wait for: a block with nothing pending ends in the same turn.)
    if (behind.size > 0) await Promise.all(behind);
    for (const stream of ['stdout', 'stderr', 'info'] as const) {
      const flushed = forward(stream, nowIso(), this.outputMasker.flushBytes(stream));
      if (isPending(flushed)) await flushed;
      // A character the stream's last bytes left incomplete, shown as U+FFFD (recorded as the bytes it was).
      const rest = endChunk(stream, texts[stream]) as (OutputChunk & { bytes: Uint8Array }) | null;
      if (rest) {
        if (stream === 'stderr' && stderr.length < 1024 * 1024) stderr += rest.data;
        const shown = this.emit({ type: 'output', step, block, chunk: rest });
        if (isPending(shown)) await shown;
      }
    }
    const { stdout, ...output } = recorder.close();
    let result = this.maskResult(raw);
    if (output.failure && refusal === null && openFailure === null) {
      // Stopped by the session, not by the operator: an error, whatever the executor called it.
      const ended = result.status === 'succeeded' || result.status === 'failed' ? `it had ended (${result.status}${result.exitCode !== null ? `, exit ${result.exitCode}` : ''})` : 'the step was stopped';
      result = { ...result, status: 'error', error: `its output could not be recorded (${output.failure}); ${ended}; the output kept may be incomplete` };
    }
    const judgement = judge(block, result, { stdout, stderr });
    const outcome: BlockOutcome = { blockId: block.id, target: binding.targetName, result, judgement, output, ok: refusal === null && succeeded(result, judgement), ...(refusalCode !== null ? { refusal: refusalCode } : {}) };
    await this.options.recorder?.blockFinished({ step, block, binding, outcome });
    this.emit({ type: 'block-end', step, block, outcome });
    if (refusalCode !== null) return { refused: true, refusal: refusalCode, reason: result.error ?? 'not approved', block: outcome };
    return outcome;
  }

  /**
   * Everything an executor reports that a server or a step could put a secret in — its error (a server's
   * message), notes, and each result set's command tag, column names and rows (JSON and arrays included) —
   * masked with the one rule the output streams are masked with. Executors mask nothing themselves.
   */
  private maskResult(result: ExecutionResult): ExecutionResult {
    if (!this.masker.active) return result;
    const m = (s: string) => this.masker.mask(s);
    return {
      ...result,
      error: result.error === null ? null : m(result.error),
      notes: result.notes.map(m),
      resultSets: result.resultSets.map((r) => ({
        ...r,
        command: r.command === null ? null : m(r.command),
        columns: r.columns.map(m),
        rows: r.rows.map((row) => row.map((v) => this.masker.maskData(v))),
      })),
    };
  }
}

/** The one end-of-run rule for every host: a run is ok when every step that was to run succeeded or was skipped. */
export function runOk(steps: readonly { status: string }[]): boolean {
  return steps.every((o) => o.status === 'succeeded' || o.status === 'skipped');
}
