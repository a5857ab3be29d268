// Runs for the console (desktop app and `runbook serve`): one run at a time over the open runbook.
// Starting a run records it and executes nothing; each step runs when the operator asks for it.
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Profile, Runbook, Step } from '../../shared/runbook-model.js';
import type { InstallationKeyFacts, OutputComparison, PendingQuestion, RunEvent, RunRefusal, RunState, RunStepState, SignoffRequest, VerifyResult } from '../../shared/run-api.js';
import { decisionPath } from '../../shared/decisions.js';
import { diffOutput } from '../../shared/output-diff.js';
import { recordAccess } from '../audit/access-log.js';
import { exportBundle } from '../audit/export.js';
import { type ApprovalPolicy, type OperatorKey, operatorKey } from '../audit/approval.js';
import { type Installation, installationKeyFacts, pinCommand } from '../audit/installation.js';
import type { MacKeyStore } from '../audit/key-store.js';
import { JournalWriteError } from '../audit/journal-writer.js';
import { type NoteType, RunJournal } from '../session/run-journal.js';
import { type RecordData, parseRecordData } from '../audit/records/index.js';
import { JOURNAL_FILE, type JournalRecord, typedRecord } from '../audit/record.js';
import type { Judgement } from '../session/checks.js';
import type { SealResult } from '../audit/seal.js';
import { agentKeys, keyFrom, publicKeyOfFile, uniqueKeys } from '../audit/operator-keys.js';
import { FAILURES } from '../audit/reasons.js';
import { SIGNOFF_NAMESPACE, type SignoffMethod, signoffMessage, signoffRecord } from '../audit/signoff.js';
import { agentSigner, keyFileSigner } from '../audit/ssh-signers.js';
import { signSshsig } from '../audit/sshsig.js';
import { type SignoffClaim, signoffCommand, tidyArmoredSignature } from '../../shared/signoff.js';
import { jsonSafe } from '../audit/json-safe.js';
import { principalFor } from '../audit/principal.js';
import { verifyRun } from '../audit/verify.js';
import { type PreparedRun, RunRefused, type RunRequest, type StartOptions, type StartedRun, prepareRun, preflightRun, resumeRun, startRun, storeGateOn, storeShipper, valueProblems } from '../session/assemble.js';
import { attributeProblem } from '../session/binding.js';
import { rememberingHostKeyAnswers } from '../session/preflight.js';
import type { TargetSet } from '../session/binding.js';
import type { ExecutorPool } from '../session/executor-pool.js';
import type { RunPlan } from '../session/plan.js';
import { type RunProblem, blocksStep } from '../session/problems.js';
import { atLeast, targetProblem } from '../session/profile-rules.js';
import { type RunSession, type RunEvent as SessionEvent, type RunSummary, type StepOutcome, runOk } from '../session/runner.js';
import type { SettingsStore } from '../settings/store.js';
import { TARGET_KINDS_FOR_ACTION, type Target } from '../../shared/targets.js';
import type { ExecutorContext } from '../targets/types.js';
import { expandHome } from '../util/expand-home.js';
import { ManualStepError, checkFillIn, missingInputs } from '../session/manual.js';
import { problem } from '../session/problems.js';
import { MASK } from '../session/mask.js';
import { bareName, isSecretVariable } from '../session/variables.js';
import { ConsoleApprovals } from './console-approvals.js';
import { type ConsoleStore, approvalChannel, closeWaitMs, consoleStore, shippingState, storeSource, withStoreClient } from './console-store.js';
import type { StoreShipper } from '../store/ship.js';
import { decideSignoff } from './console-signoffs.js';
import { EventBuffer } from './event-buffer.js';
import { type UnfinishedStep, unfinishedSteps } from './unfinished.js';
import type { OpenedBundle, PastRun, StoredRun } from '../../shared/history-api.js';
import { HistoryError, listRuns, openBundle, outputOf, pastRun, runDirOf } from './run-history.js';
import { type RestoredRun, boundText, restoreRun } from './restore.js';
import { RunTimers } from './run-timers.js';

/** Runs a read of the run history, turning what it refuses (and a missing file) into the controller's refusal. */
function historyCall<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof HistoryError) throw new RunError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' || code === 'ELOOP') throw new RunError((error as Error).message);
    throw error;
  }
}

/** A refusal of the console's, in words, with the code the page acts on ('run': one it only shows). */
export class RunError extends Error {
  constructor(
    message: string,
    readonly code: RunRefusal | 'run' = 'run',
  ) {
    super(message);
  }
}

/** What the operator confirmed when sealing (runs.finish, runs.export): the unfinished steps shown, and why. */
export interface SealConfirmation {
  unfinished?: readonly string[] | undefined;
  reason?: string | undefined;
}

/** The run.ended-early record of a seal with steps unfinished: by whom, why, which. */
interface EarlySeal {
  by: string;
  reason: string | null;
  unfinished: UnfinishedStep[];
}

/** Runs a check of manual.ts, turning its refusal into the controller's. */
function manualCheck<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ManualStepError) throw new RunError(error.message);
    throw error;
  }
}

export interface RunEnvironment {
  settings: SettingsStore;
  /** The run's MAC key store; RESTRICTED runs refuse a store that would keep keys in plain text. */
  keys: (options: { restricted: boolean }) => Promise<MacKeyStore> | MacKeyStore;
  installation: () => Promise<Installation>;
  runsDir: string;
  version: string;
  /** Named secrets (passwordSecret) from the OS secret store, where the host has one. */
  secret?: (name: string) => Promise<string | null>;
  /** The host's team store URL (`runbook serve --store`), used when settings name none; else $RUNBOOK_STORE_URL. */
  storeUrl?: string | null;
}

type Question = PendingQuestion & { resolve: (answer: boolean | string) => void };

/** A sign-off as the page asks for it: who, which row, when, and how it is signed. */
interface SignoffInput {
  name: string;
  role: string;
  date: string;
  /** An armoured SSHSIG made elsewhere over the sign-off message for `record`. */
  signature?: string | undefined;
  /** The journal record the pasted signature signs off (it must be the run's last record). */
  record?: number | undefined;
  /** Main signs with this private key file (its passphrase asked in the question dialog)… */
  keyFile?: string | undefined;
  /** …or through ssh-agent, with `agentKey` when the agent holds more than one key. */
  agent?: boolean | undefined;
  agentKey?: string | undefined;
}

/** A run as assembled before startRun has made its journal, session and executor pool. */
interface AssembledRun {
  runId: string;
  dir: string;
  profile: Profile;
  operator: string;
  runbook: Runbook;
  plan: RunPlan;
  set: TargetSet;
  prepared: PreparedRun;
  ctx: ExecutorContext;
  /** Settles once the running step has ended and been recorded (nothing runs: resolved). */
  stepDone: Promise<void>;
  /** Why the host ended the run (a signal, the app quitting), recorded in run.finished. */
  interruptedBy: string | null;
  /** Targets that answered preflight (each is checked before the first step that uses it runs). */
  preflightPassed: Set<string>;
  keys: MacKeyStore;
  events: EventBuffer;
  steps: Map<string, RunStepState>;
  problems: RunProblem[];
  outcomes: Map<string, StepOutcome>;
  running: string | null;
  seal: SealResult | null;
  /** Set the moment sealing starts: every change is refused from then on, and every sealer awaits this one. */
  finishing: Promise<void> | null;
  questions: Map<string, Question>;
  /** Asks the operator through the run's question dialog. */
  ask: (text: string, kind: PendingQuestion['kind'], expected: string | null) => Promise<boolean | string>;
  approvals: ConsoleApprovals | null;
  /** The installation whose key seals this run, as loaded when it started (the console's own anchor). */
  installation: Installation;
  /** RESTRICTED: the operator's keys run.started recorded (none otherwise). */
  recordedOperatorKeys: readonly OperatorKey[];
  /** Steps a decision passed over that the operator chose to run after all (runs.override). */
  overridden: Set<string>;
  /** What each running block has printed so far (masked, capped): compared with a transcript's example output. */
  printed: Map<string, { stdout: string; stderr: string }>;
  /** The steps' timers (time boxes, repeating checks), kept here: they go on when the page closes. */
  timers: RunTimers;
}

/** A started run: the assembled run with what startRun made for it. */
interface ActiveRun extends AssembledRun {
  journal: RunJournal;
  session: RunSession;
  pool: ExecutorPool;
  /** Shipping to the team store, when the run has one. */
  store: { shipper: StoreShipper; shown: string; gate: boolean } | null;
}

const APPROVERS_PROBLEM = 'profile restricted: state-changing steps need a second person\'s approval';

type SettledBy = 'operator' | 'cancel' | 'step-ended' | 'replaced';

/** Sealed, or being sealed: the journal takes no more records. */
const sealing = (run: ActiveRun) => run.seal !== null || run.finishing !== null;
const statusOf = (run: ActiveRun): RunState['status'] => (run.seal ? 'finished' : run.running ? 'running' : 'ready');

const MANUAL = (step: Step) => (step.kind === 'step' || step.kind === 'manual' || step.kind === 'input' ? 'manual step: nothing to run' : `${step.kind}: for a person, not a machine`);

export class RunController {
  private run: ActiveRun | null = null;
  /** A start or resume going on (oneAtATime). */
  private opening: Promise<unknown> | null = null;
  /** The run being resumed, open but not yet as the journal left it (targets being put back): nothing runs on it yet. */
  private settling: string | null = null;
  /** The host is going away: no run is started or resumed any more. */
  private shuttingDown = false;

  constructor(private readonly env: RunEnvironment) {}

  private get(runId: string): ActiveRun {
    if (!this.run || this.run.runId !== runId) throw new RunError(`no run ${runId} is open`);
    return this.run;
  }

  async start(runbook: Runbook, runbookBytes: Uint8Array, input: { profile: Profile; operator: string; vars: Record<string, string>; replace?: SealConfirmation | undefined }): Promise<RunState> {
    return this.oneAtATime(() => this.startNow(runbook, runbookBytes, input));
  }

  private async startNow(runbook: Runbook, runbookBytes: Uint8Array, input: { profile: Profile; operator: string; vars: Record<string, string>; replace?: SealConfirmation | undefined }): Promise<RunState> {
    if (this.run && this.run.seal === null && this.run.running) throw new RunError('a step is running; cancel it or wait before starting a new run');
    // The same assembly as `runbook run`: targets, plan, verdicts, value checks, variables, journal, session.
    const approvers = input.profile === 'restricted' ? this.approvers() : null;
    const prepared = await this.prepare(runbook, runbookBytes, { profile: input.profile, operator: input.operator, given: new Map(Object.entries(input.vars)), approvers });
    // A start refused above seals nothing: the open run is replaced only once the new one is ready to begin.
    await this.replaceOpenRun(input.operator, input.replace ?? {});
    const runId = randomUUID();
    const dir = path.join(this.env.runsDir, runId);
    const keys = await this.env.keys({ restricted: input.profile === 'restricted' });
    const installation = await this.env.installation();
    const assembled = this.assemble({ runId, dir, profile: input.profile, operator: input.operator, runbook, prepared, keys, installation });
    const store = this.storeForRun();
    const started = await startRun(prepared, {
      runId,
      dir,
      operatorName: input.operator,
      tool: { name: 'runbook-console', version: this.env.version },
      options: { host: 'console', approvers_file: approvers && 'text' in approvers ? approvers.source : null },
      keys,
      installation,
      ctx: assembled.ctx,
      session: this.sessionHooks(assembled),
      store: store?.shipping ?? null,
      onStoreChange: (status) => assembled.events.push({ type: 'store', lag: status.lag, problem: status.diverged ?? status.problem }),
    });
    this.activate(assembled, started, store, store ? storeGateOn(store.shipping, input.profile) : false);
    return this.state(runId);
  }

  /**
   * Goes on with a run of the runs directory that stopped without being sealed (the app or `serve` was
   * stopped or killed): the same journal continues — the stale lock taken over, `run.resumed` recorded with
   * the blocks whose end was never recorded — and each step shows what the journal says was done. `runbook`
   * is the run's own copy (its blob in the run directory). Values given before are given back, except
   * secrets, which were never journaled: a step that needs one asks for it again.
   */
  async resume(runbook: Runbook, runbookBytes: Uint8Array, input: { runId: string; operator: string; replace?: SealConfirmation | undefined }): Promise<RunState> {
    return this.oneAtATime(() => this.resumeNow(runbook, runbookBytes, input));
  }

  private async resumeNow(runbook: Runbook, runbookBytes: Uint8Array, input: { runId: string; operator: string; replace?: SealConfirmation | undefined }): Promise<RunState> {
    if (this.run?.runId === input.runId && !sealing(this.run)) return this.state(input.runId);
    const dir = historyCall(() => runDirOf(this.env.runsDir, input.runId));
    const past = pastRun(dir, this.run ? { runId: this.run.runId, sealed: this.run.seal !== null } : null);
    if (past?.state !== 'unfinished') throw new RunError(`run ${input.runId} is ${past?.state ?? 'not a run'}${past?.holder ? ` (${past.holder})` : ''}: only an unfinished run, sealed by nobody and held by nobody, is resumed`);
    const installation = await this.env.installation();
    let head: RestoredRun;
    try {
      head = restoreRun(dir);
    } catch (error) {
      throw new RunError(`run ${input.runId} cannot be resumed: its journal cannot be read: ${(error as Error).message}`);
    }
    const started = head.started.data;
    if (started.installation.id !== installation.id) throw new RunError(`run ${input.runId} was made by installation ${started.installation.id}, not this one (${installation.id}): its journal goes on only with that installation's keys; close it with runbook recover`);
    if (started.runbook.sha256 !== runbook.sha256) throw new RunError(`run ${input.runId}: the runbook given is not the one the run recorded`);
    const restricted = started.profile === 'restricted';
    // RESTRICTED: the approval rules were fixed for the operator run.started names (approvers are checked
    // against them): another person resuming the run could approve their own steps. Only they go on with it.
    if (restricted && input.operator.trim() !== started.operator.name) throw new RunError(`run ${input.runId} is RESTRICTED and was started by ${started.operator.name}: only they resume it (the approval rules name them as its operator)`);
    const options = started.options;
    const recordedApprovers = options.approvers;
    const approvers: RunRequest['approvers'] = restricted ? (recordedApprovers ? { text: recordedApprovers.text, source: recordedApprovers.source } : { problem: `${APPROVERS_PROBLEM}: run.started recorded no approvers` }) : null;
    // Values given before (at the start or on steps, not secret) are given back: every step runs with the one value.
    const used = new Set(runbook.steps.flatMap((st) => st.blocks.flatMap((b) => [...b.variables, ...(b.optionalVariables ?? [])].map(bareName))));
    const given = new Map([...head.given].flatMap(([label, value]) => (used.has(bareName(label)) && !isSecretVariable(runbook, bareName(label)) ? [[bareName(label), value] as const] : [])));
    const prepared = await this.prepare(runbook, runbookBytes, { profile: started.profile, operator: input.operator, given, approvers });
    const keys = await this.env.keys({ restricted });
    // A resumed run ships to the store set now (it may have started with none, or the store may have moved);
    // whether its state-changing steps wait for it is what run.started recorded, when it recorded that.
    const store = this.storeForRun();
    const events = new EventBuffer();
    const shipper = await storeShipper(store?.shipping, input.runId, dir, this.env.secret ? { secret: this.env.secret } : {}, (status) => events.push({ type: 'store', lag: status.lag, problem: status.diverged ?? status.problem }));
    let reopened: ReturnType<typeof RunJournal.resume>;
    try {
      reopened = RunJournal.resume(dir, keys, installation, { retentionDays: started.retention_days, ...(shipper ? { onDurable: (records) => shipper.durable(records) } : {}) });
    } catch (error) {
      await shipper?.close(0);
      throw new RunError(`run ${input.runId} cannot be resumed: ${(error as Error).message}`);
    }

    // Nothing of the journal is acted on before it verifies (MACs, chain, checkpoints by this installation):
    // a record changed by someone without the keys must not choose what runs next.
    const verified = await verifyRun(dir, { keys, allowUnsealed: true, pins: [keyFacts(installation).fingerprint] }).catch((error: unknown) => ({ ok: false as const, failure: { code: 'E_IO', detail: (error as Error).message } }));
    if (!verified.ok) {
      reopened.journal.abandon();
      await shipper?.close(0);
      throw new RunError(`run ${input.runId} cannot be resumed: its journal does not verify (${verified.failure.code}: ${verified.failure.detail})`);
    }
    const fresh = restoreRun(dir);
    // Every check passed: only now is the run this host has open replaced.
    try {
      await this.replaceOpenRun(input.operator, input.replace ?? {});
    } catch (error) {
      reopened.journal.abandon();
      await shipper?.close(0);
      throw error;
    }
    // Only a journal that verified is shipped: what the store lacks of it goes first, then what the run adds.
    shipper?.known(reopened.journal.writer.count);
    const assembled = this.assemble({ runId: input.runId, dir, profile: started.profile, operator: input.operator, runbook, prepared, keys, installation, events });
    const gate = store ? (started.store?.gate ?? storeGateOn(store.shipping, started.profile)) : false;
    const policy: ApprovalPolicy | null = restricted && recordedApprovers ? { approvers: recordedApprovers, operator: started.operator.name, operatorKeys: options.operator_keys ?? [] } : null;
    let opened: Awaited<ReturnType<typeof resumeRun>>;
    try {
      opened = await resumeRun(prepared, { dir, keys, ctx: assembled.ctx, session: this.sessionHooks(assembled), store: shipper && store ? { shipper, gate, endpoint: store.shipping.endpoint, passwordSecret: store.shipping.passwordSecret } : null }, reopened.journal, policy);
    } catch (error) {
      reopened.journal.abandon();
      await shipper?.close(0);
      throw error;
    }
    const held = reopened.tookOver?.holder;
    const record = opened.journal.record('run.resumed', { by: input.operator, unfinished: fresh.unfinished, stale_lock: held ? { pid: held.pid, host: held.host, started: held.started, purpose: held.purpose } : null });
    assembled.events.push({ type: 'record', record: record.seq, recordType: 'run.resumed', time: new Date().toISOString() });
    const active = this.activate(assembled, opened, store, gate);
    this.settling = input.runId;
    try {
      this.restoreSteps(active, fresh);
      await this.restoreBindings(active, fresh.bindings);
    } finally {
      this.settling = null;
    }
    return this.state(input.runId);
  }

  /** One start or resume at a time: a second, meanwhile, would replace (seal) the run the first one opens. */
  private async oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    if (this.shuttingDown) throw new RunError('the console host is shutting down: no run is started or resumed');
    if (this.opening) throw new RunError('another run is being started or resumed; wait for it');
    const opening = work();
    this.opening = opening;
    try {
      return await opening;
    } finally {
      this.opening = null;
    }
  }

  /**
   * The runbook a past run recorded (its blob in the run directory, checked against the hash run.started
   * names), and the file it was read from: what a resumed run goes on with, whatever the file holds now.
   */
  recordedRunbook(runId: string): { bytes: Uint8Array; file: string; sha256: string } {
    return historyCall(() => {
      const dir = runDirOf(this.env.runsDir, runId);
      const first = readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').split('\n', 1)[0] ?? '';
      const started = typedRecord(JSON.parse(first) as JournalRecord);
      if (started.type !== 'run.started') throw new HistoryError(`run ${runId}: its journal does not begin with run.started`);
      const { blob, sha256, path: file } = started.data.runbook;
      // Not through a link: only the regular file the record names, inside the run directory.
      // O_NONBLOCK: a FIFO put there must not hold the host's one thread waiting for a writer.
      const fd = openSync(path.join(dir, blob), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      let bytes: Buffer;
      try {
        if (!fstatSync(fd).isFile()) throw new HistoryError(`${blob} is not a regular file`);
        bytes = readFileSync(fd);
      } finally {
        closeSync(fd);
      }
      if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw new HistoryError(`run ${runId}: the runbook copy ${blob} does not match the hash run.started recorded`);
      return { bytes, file: file ?? path.join(dir, blob), sha256 };
    });
  }

  /**
   * Seals the run this host has open before another takes its place. Sealing is final: with steps unfinished,
   * only as Finish seals — each confirmed by the operator starting the other run (`replace`), with a reason
   * in REGULATED and above (seal-unconfirmed, seal-needs-reason otherwise; nothing is sealed then).
   */
  private async replaceOpenRun(by: string, confirmation: SealConfirmation): Promise<void> {
    if (!this.run) return;
    if (this.run.seal === null && this.run.running) throw new RunError('a step is running; cancel it or wait before starting a new run');
    const early = this.confirmedSeal(this.run, confirmation);
    // Nothing may wait on the run being replaced (an export's passphrase question, say).
    this.settleAll(this.run, 'replaced');
    await this.sealOnce(this.run, early && { ...early, by, reason: early.reason ?? 'another run was started in this console' });
  }

  /** prepareRun for the console: a run that must not start (a value that would become code) is refused whole. */
  private async prepare(runbook: Runbook, runbookBytes: Uint8Array, input: { profile: Profile; operator: string; given: Map<string, string>; approvers: RunRequest['approvers'] }): Promise<PreparedRun> {
    let prepared: PreparedRun;
    try {
      prepared = await prepareRun({
        runbook,
        runbookBytes,
        targets: this.env.settings.targets(),
        profile: input.profile,
        given: input.given,
        operatorNamed: input.operator.trim() !== '',
        approvers: input.approvers,
        ...(input.approvers ? { operatorKeys: this.exportKey() } : {}),
        env: process.env,
      });
    } catch (error) {
      if (error instanceof RunRefused) throw new RunError(error.message);
      throw error;
    }
    // A value that would become code, or a runbook not read as written, refuses the whole run before anything is recorded, as on the CLI.
    const unsafe = prepared.problems.filter((p) => p.code === 'value-unsafe' || p.code === 'targets-in-runbook' || p.code === 'runbook-error');
    if (unsafe.length > 0) throw new RunError(new RunRefused(unsafe).message);
    return prepared;
  }

  /** The run as the console holds it before its journal is open: events, questions, the executors' context, each step's state. */
  private assemble(input: { runId: string; dir: string; profile: Profile; operator: string; runbook: Runbook; prepared: PreparedRun; keys: MacKeyStore; installation: Installation; events?: EventBuffer }): AssembledRun {
    const { runbook, prepared } = input;
    const { plan, set } = prepared;
    // A resumed run's events start before it is assembled (its shipping reports from the reopening on).
    const events = input.events ?? new EventBuffer();
    const questions = new Map<string, Question>();
    const ask = (text: string, kind: PendingQuestion['kind'], expected: string | null) =>
      new Promise<boolean | string>((resolve) => {
        const questionId = randomUUID();
        questions.set(questionId, { questionId, text, kind, expected, resolve });
        events.push({ type: 'question', questionId });
      });
    // The run's session once it is open (a secret typed before then has no session to mask it yet).
    let assembled: AssembledRun | null = null;
    const ctx: ExecutorContext = rememberingHostKeyAnswers({
      baseDir: path.dirname(runbook.file ?? this.env.runsDir),
      env: process.env,
      ...(this.env.secret ? { secret: this.env.secret } : {}),
      // A passphrase or password the target needs and the environment does not hold: the operator types it.
      ask: async (question, options) => {
        const answer = await ask(question, options?.secret ? 'secret' : 'text', null);
        if (typeof answer !== 'string') return null;
        if (options?.secret) (assembled as Partial<ActiveRun> | null)?.session?.addSecret(answer);
        return answer;
      },
      confirm: async (question, purpose) => {
        if (purpose === 'trust-host-key' && input.profile === 'restricted') return false;
        return (await ask(question, 'confirm', null)) === true;
      },
    });
    const steps = new Map<string, RunStepState>();
    for (const planned of plan.steps) {
      const hidden = planned.skipCode === 'above-profile';
      const manual = planned.skip && !hidden ? planned.skip : null;
      steps.set(planned.step.id, {
        id: planned.step.id,
        status: 'pending',
        reason: null,
        hidden,
        // A step whose blocks are all unbound is not manual: it runs once the operator binds them.
        manual: manual ?? (planned.step.blocks.every((b) => b.action === 'display') ? MANUAL(planned.step) : null),
        targets: Object.fromEntries(planned.blocks.map(({ block, binding }) => [block.id, { name: binding.targetName, kind: binding.target.kind, endpoint: describeEndpoint(binding.target) }])),
        choices: planned.skip ? {} : Object.fromEntries(planned.step.blocks.flatMap((b) => (b.action === 'display' ? [] : [[b.id, choicesFor(set, b.action)]]))),
        verdicts: Object.fromEntries(planned.step.blocks.flatMap((b) => { const v = prepared.verdicts.get(b.id); return v ? [[b.id, v]] : []; })),
        decision: null,
        signoff: null,
        signoffRefusal: null,
        mark: null,
        fillIns: {},
        passedOver: null,
        activity: [],
      });
    }
    const timers = new RunTimers({
      busy: () => { const run = assembled as ActiveRun; return run.running !== null || run.questions.size > 0 || run.finishing !== null || run.seal !== null; },
      manual: (stepId) => steps.get(stepId)?.manual !== null,
      run: (stepId) => this.runStep(input.runId, stepId),
      record: (timer, event, by) => {
        const run = assembled as ActiveRun;
        this.note(run, 'timer', { step: { id: timer.stepId }, kind: timer.kind, event, text: timer.text, runs: timer.runs, by });
        events.push({ type: 'timer', stepId: timer.stepId, event, text: timer.text });
      },
      failed: (stepId, message) => events.push({ type: 'error', message: `step ${stepId}: ${message}` }),
    });
    assembled = { runId: input.runId, dir: input.dir, profile: input.profile, operator: input.operator, runbook, plan, set, prepared, ctx, preflightPassed: new Set<string>(), keys: input.keys, stepDone: Promise.resolve(), interruptedBy: null, events, steps, problems: prepared.problems, outcomes: new Map(), running: null, seal: null, finishing: null, questions, ask, approvals: null, installation: input.installation, recordedOperatorKeys: [], overridden: new Set(), printed: new Map(), timers };
    return assembled;
  }

  /** What the session asks the console: a protected target's name typed to go on; its events, forwarded. */
  private sessionHooks(assembled: AssembledRun): StartOptions['session'] {
    return {
      keepGoing: true,
      confirmProtected: async (targetName, step, _block, verdict) =>
        (await assembled.ask(`"${step.title}" is not proven read-only (${verdict.code}) and runs on protected target "${targetName}". Type its name to go on.`, 'type-name', targetName)) === targetName,
      onEvent: (event) => this.forward(assembled, event),
    };
  }

  /** The team store a run started (or resumed) now ships to, if any; a store URL that cannot be read refuses the run. */
  private storeForRun(): ConsoleStore | null {
    try {
      return consoleStore(this.env.settings.read().store, this.env.storeUrl);
    } catch (error) {
      throw new RunError((error as Error).message);
    }
  }

  /** Where the store runs ship to is set: in settings, by the host (--store, $RUNBOOK_STORE_URL), or nowhere. */
  storeSource(): 'settings' | 'environment' | null {
    return storeSource(this.env.settings.read().store, this.env.storeUrl);
  }

  /** The assembled run with its journal, session and executors: this host's open run from now on. */
  private activate(assembled: AssembledRun, started: StartedRun, store: ConsoleStore | null, gate: boolean): ActiveRun {
    // The same object, completed: events forwarded while the session was made went to it already.
    const shipping = started.shipper && store ? { shipper: started.shipper, shown: store.shipping.endpoint.shown, gate } : null;
    const active: ActiveRun = Object.assign(assembled, { journal: started.journal, session: started.session, pool: started.pool, store: shipping });
    active.recordedOperatorKeys = started.policy?.operatorKeys ?? [];
    if (started.policy) {
      const approvals = new ConsoleApprovals({
        policy: started.policy,
        journal: started.journal,
        announce: (approvalId, stepId) => active.events.push({ type: 'approval', approvalId, stepId }),
        note: (data) => this.note(active, 'approval', data),
        operatorKeys: () => agentKeys(process.env.SSH_AUTH_SOCK),
        store: shipping && store ? { channel: approvalChannel(active.runId, store, this.env.secret), waitMs: store.approvalWaitMs, problem: (message) => active.events.push({ type: 'error', message }) } : null,
      });
      active.approvals = approvals;
      started.session.setApprove(approvals.hook);
    }
    this.refreshMissing(active);
    this.run = active;
    return active;
  }

  /** Each step of a resumed run as its journal has it; then where the recorded decisions lead, nothing journaled again. */
  private restoreSteps(run: ActiveRun, restored: RestoredRun): void {
    const models = new Map(run.runbook.steps.map((s) => [s.id, s]));
    for (const [id, r] of restored.steps) {
      const state = run.steps.get(id);
      if (!state) continue;
      Object.assign(state, { status: r.status === 'running' ? 'failed' : r.status, reason: r.reason, decision: r.decision, mark: r.mark, signoff: r.signoff, fillIns: { ...state.fillIns, ...r.fillIns }, activity: r.activity });
      if (r.overridden) run.overridden.add(id);
      const kind = models.get(id)?.kind;
      // Settled by the person, as when it was recorded: a decision or sign-off given, a step done by hand marked.
      if (state.status === 'pending' && r.decision !== null) state.reason = `decision: ${r.decision}`;
      if (state.status === 'pending' && (r.decision !== null || (kind === 'signoff' && r.signoff !== null))) state.status = 'succeeded';
      if (state.manual !== null && kind !== 'signoff' && kind !== 'decision' && r.mark !== null && state.status !== 'skipped') state.status = r.mark === 'pass' ? 'succeeded' : 'failed';
    }
    this.applyDecisions(run, true);
    this.refreshMissing(run);
  }

  /** The value a run variable has now (by its name as the model lists it, or bare), if any. */
  private valueOf(run: AssembledRun, name: string): string | undefined {
    const values = run.prepared.variables.values;
    return values.get(name) ?? values.get(bareName(name)) ?? values.get(`<${bareName(name)}>`);
  }

  /** The variables (bare names) the code of the run's steps uses, needed or optional (steps the plan skips aside). */
  private runVariables(run: AssembledRun): Set<string> {
    const names = new Set<string>();
    for (const planned of run.plan.steps) {
      if (planned.skip) continue;
      for (const b of planned.step.blocks) for (const v of [...b.variables, ...(b.optionalVariables ?? [])]) names.add(bareName(v));
    }
    return names;
  }

  /**
   * Each step refused for a variable without a value says which, on itself (variable-missing, that step only):
   * the others run. A value given later (setVariables) lifts it; values for blanks of the same name show.
   * (One pass over the plan: a runbook of thousands of steps is refreshed at start and after each value.)
   */
  private refreshMissing(run: AssembledRun): void {
    const problems = run.problems.filter((p) => p.code !== 'variable-missing');
    const known = this.runVariables(run);
    const models = new Map(run.runbook.steps.map((s) => [s.id, s]));
    for (const planned of run.plan.steps) {
      const stepId = planned.step.id;
      const state = run.steps.get(stepId) as RunStepState;
      // The variables the code of a step the plan runs needs (as the model lists them), without a value yet.
      const needed = state.hidden || planned.skip ? [] : planned.step.blocks.filter((b) => b.action !== 'display').flatMap((b) => b.variables);
      const bare = [...new Set(needed.filter((name) => this.valueOf(run, name) === undefined).map(bareName))];
      state.missingValues = bare.map((name) => ({ name, secret: isSecretVariable(run.runbook, name) }));
      if (bare.length > 0) problems.push(problem('variable-missing', `step ${stepId}: no value for ${bare.join(', ')}: give ${bare.length === 1 ? 'it' : 'them'} on the step (no new run needed)`, { stepId }));
      // A blank named like a run variable holds the variable's value: one value everywhere — but a marked
      // step's blanks stay as they were when it was marked.
      for (const f of state.mark !== null ? [] : (models.get(stepId)?.fillIns ?? [])) {
        const name = this.variableNamed(run, f.label, known);
        const value = name === null ? undefined : this.valueOf(run, name);
        if (name !== null && value !== undefined && !isSecretVariable(run.runbook, name)) state.fillIns[f.label] = value;
      }
    }
    run.problems = problems;
  }

  /** The run variable a blank's label names (`NAME`, `<NAME>`, `$NAME`, `NAME:`), or null; `known`: the run's variables. */
  private variableNamed(run: AssembledRun, label: string, known: ReadonlySet<string> = this.runVariables(run)): string | null {
    const bare = label.trim().replace(/^`|`$/g, '').replace(/:$/, '').replace(/^\$\{?|\}$/g, '').replace(/^<|>$/g, '').trim();
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(bare) && known.has(bare) ? bare : null;
  }

  /**
   * Gives variables the run has no value for yet, on a step, before a step that needs them runs. Each must be
   * one the run's steps use and have no value; every block using it is prepared again with it and must keep
   * it data (as at start: a value that would become code is refused, nothing recorded). Recorded as a
   * `fillin` on the step (a secret's value masked, and masked in all output from now on).
   */
  async setVariables(runId: string, stepId: string, given: Record<string, string>): Promise<RunState> {
    const run = this.open(runId);
    const state = run.steps.get(stepId);
    if (!state) throw new RunError(`no step ${stepId}`);
    if (state.hidden) throw new RunError(`step ${stepId} is above the run's profile ${run.profile}`);
    // A marked step's values are recorded as they were (as for its blanks): a value is given on a step still to do.
    if (state.mark !== null) throw new RunError(`step ${stepId} is marked ${state.mark === 'pass' ? 'passed' : 'failed'}: give the value on a step still to do`);
    const entries = Object.entries(given).map(([name, value]) => [bareName(name), value] as const);
    for (const [name, value] of entries) {
      if (this.variableNamed(run, name) === null) throw new RunError(`this run has no variable ${name}`);
      const now = this.valueOf(run, name);
      if (now !== undefined && now !== value) throw new RunError(`${name} already has a value in this run; every step runs with the same one (start a new run to use another)`);
    }
    await this.giveValues(run, stepId, entries.filter(([name]) => this.valueOf(run, name) === undefined));
    return this.state(runId);
  }

  /** Checks, sets and records values for variables that had none (shared by setVariables and a bound blank). */
  private async giveValues(run: ActiveRun, stepId: string, entries: readonly (readonly [string, string])[], record = true): Promise<void> {
    if (entries.length === 0) return;
    const names = new Set(entries.map(([name]) => name));
    const values = new Map(run.prepared.variables.values);
    for (const [name, value] of entries) {
      // Under the name as the code lists it ($NAME → NAME, a placeholder → <NAME>), and bare.
      values.set(name, value);
      for (const planned of run.plan.steps) for (const b of planned.step.blocks) for (const v of [...b.variables, ...(b.optionalVariables ?? [])]) if (bareName(v) === name) values.set(v, value);
    }
    // Every block that uses one of them is prepared again with the new values: they must stay data there too.
    const uses = (b: { variables: string[]; optionalVariables?: string[] | undefined }) => [...b.variables, ...(b.optionalVariables ?? [])].some((v) => names.has(bareName(v)));
    const affected = run.plan.steps.filter((p) => !p.skip && p.blocks.some(({ block }) => uses(block)));
    const fresh: typeof run.prepared.requests = new Map();
    const unsafe = await valueProblems(run.runbook, affected, values, run.prepared.verdicts, fresh);
    if (unsafe.length > 0) throw new RunError(`refused, nothing recorded: ${unsafe.map((p) => p.message).join('; ')}`);
    if (sealing(run)) throw new RunError('this run is finished; start a new run');
    // Another call may have given one of them while these were checked: the first value stays, the run's only one.
    for (const [name] of entries) if (this.valueOf(run, name) !== undefined) throw new RunError(`${name} was given a value meanwhile; every step runs with that one`);
    const secret = entries.filter(([name]) => isSecretVariable(run.runbook, name));
    // Masked before anything can print or record it.
    for (const [, value] of secret) {
      run.prepared.variables.secretValues.add(value);
      run.session.addSecret(value);
    }
    // Journaled as the run's other records are: a secret's value never, and any known secret in a value masked.
    // Values given together are journaled together: one flush for the form, not one per field.
    if (record) this.journalTogether(run, () => {
      for (const [name, value] of entries) this.note(run, 'fillin', { step: { id: stepId }, label: name, value: isSecretVariable(run.runbook, name) ? MASK : run.session.mask(value) });
    });
    for (const [name, value] of values) if (!run.prepared.variables.values.has(name) && [...names].some((n) => bareName(name) === n)) {
      run.prepared.variables.values.set(name, value);
      run.prepared.variables.sources.set(name, 'operator');
    }
    run.prepared.variables.missing = run.prepared.variables.missing.filter((m) => !names.has(bareName(m)));
    // The session prepares each block once: those using a new value are prepared with it (for any target kind).
    const stale = new Set(run.plan.steps.flatMap((p) => p.step.blocks.filter(uses).map((b) => b.id)));
    for (const key of [...run.prepared.requests.keys()]) if (stale.has(key.slice(key.indexOf(' ') + 1))) run.prepared.requests.delete(key);
    for (const [key, request] of fresh) run.prepared.requests.set(key, request);
    this.refreshMissing(run);
  }

  private forward(run: AssembledRun, event: SessionEvent): void {
    const push = (e: Parameters<EventBuffer['push']>[0]) => run.events.push(e);
    switch (event.type) {
      case 'block-start':
        if (event.block.expectedOutput) run.printed.set(event.block.id, { stdout: '', stderr: '' });
        push({ type: 'block-start', stepId: event.step.id, blockId: event.block.id, target: event.binding.targetName, at: new Date().toISOString() });
        break;
      case 'output': {
        const printed = run.printed.get(event.block.id);
        if (printed && event.chunk.stream !== 'info' && printed[event.chunk.stream].length < PRINTED_CAP) printed[event.chunk.stream] += event.chunk.data.slice(0, PRINTED_CAP - printed[event.chunk.stream].length);
        push({ type: 'output', stepId: event.step.id, blockId: event.block.id, stream: event.chunk.stream, data: event.chunk.data, at: event.chunk.at });
        break;
      }
      case 'block-end': {
        const r = event.outcome.result;
        const printed = run.printed.get(event.block.id) ?? { stdout: '', stderr: '' };
        run.printed.delete(event.block.id);
        push({
          type: 'block-end',
          stepId: event.step.id,
          blockId: event.block.id,
          status: r.status,
          exitCode: r.exitCode,
          signal: r.signal,
          error: r.error,
          verdict: event.outcome.judgement.verdict,
          durationMs: r.durationMs,
          endpoint: r.target.endpoint,
          resultSets: r.resultSets.map((s) => ({ command: s.command, columns: s.columns, rows: s.rows.slice(0, 200).map((row) => row.map(jsonSafe)), rowCount: s.rowCount })),
          notes: r.notes,
          comparison: comparisonOf(event.outcome.judgement.comparison, printed),
        });
        break;
      }
      case 'step-start':
        this.setStep(run, event.step.id, 'running', null);
        break;
      case 'step-skip':
        this.setStep(run, event.step.id, 'skipped', event.reason);
        break;
      case 'step-end':
        this.setStep(run, event.step.id, event.outcome.status, event.outcome.reason);
        break;
    }
  }

  private setStep(run: AssembledRun, stepId: string, status: RunStepState['status'], reason: string | null): void {
    const step = run.steps.get(stepId);
    if (!step) return;
    step.status = status;
    step.reason = reason;
    run.events.push({ type: 'step', stepId, status, reason });
  }

  /**
   * Journals what `fn` records as one group: one flush, before this returns. Should the journal fail (the
   * group's write or flush), the call is refused and the run's steps and events are put back as they were
   * before it, so the page never shows what the journal does not hold; the journal refuses everything after.
   */
  private journalTogether(run: ActiveRun, fn: () => void): void {
    const steps = new Map([...run.steps].map(([id, state]) => [id, structuredClone(state)]));
    const overridden = new Set(run.overridden);
    const mark = run.events.mark();
    try {
      run.journal.writer.together(fn);
    } catch (error) {
      if (error instanceof JournalWriteError) {
        for (const [id, saved] of steps) {
          const state = run.steps.get(id);
          if (!state) continue;
          for (const key of Object.keys(state)) delete (state as Record<string, unknown>)[key];
          Object.assign(state, saved);
        }
        run.overridden.clear();
        for (const id of overridden) run.overridden.add(id);
        run.events.rollback(mark);
      }
      throw error;
    }
  }

  /** Records what the operator did or was asked: the data is typed by the record type's schema (audit/records/). */
  private note<T extends NoteType>(run: ActiveRun, type: T, data: RecordData<T>): number {
    const record = run.journal.record(type, data);
    run.events.push({ type: 'record', record: record.seq, recordType: type, time: new Date().toISOString() });
    return record.seq;
  }

  /** What a person did to a step, as the step shows it: from the journal record `record` just written. */
  private activity(run: ActiveRun, stepId: string, record: number, kind: RunStepState['activity'][number]['kind'], text: string, reason: string | null = null): void {
    run.steps.get(stepId)?.activity.push({ record, at: new Date().toISOString(), by: run.operator, kind, text, reason });
  }

  /**
   * A recorded outcome (decision, mark) is final: changing it needs the operator's reason, journaled as a change
   * (step.note) before the new outcome's own record. The same outcome again is refused: nothing changes.
   */
  private changeOf(run: ActiveRun, stepId: string, what: 'decision' | 'mark', from: string | null, to: string, reason: string | undefined): void {
    if (from === null) return;
    if (from === to) throw new RunError(`step ${stepId}: the ${what} "${to}" is already recorded`);
    if (reason === undefined) throw new RunError(`step ${stepId}: the ${what} "${from}" is recorded; changing it to "${to}" needs a reason, which is journaled`, 'change-needs-reason');
    const seq = this.note(run, 'step.note', { step: { id: stepId }, change: what, from, to, reason, by: run.operator });
    this.activity(run, stepId, seq, 'change', `changed the ${what} from ${from} to ${to}`, reason);
  }

  /** A step the operator skipped is done: it is run, decided or marked only once the skip is taken back (runs.override). */
  private refuseSkipped(state: RunStepState): void {
    if (state.status === 'skipped' && !state.passedOver) throw new RunError(`step ${state.id} was skipped (${state.reason ?? 'by the operator'}); take the skip back, with a reason, to do it after all`, 'change-needs-reason');
  }

  /**
   * Passes over the steps the recorded decisions lead away from, by the rule `runbook run` follows
   * (src/shared/decisions.ts): such a step not yet done is skipped — journaled as `runbook run` journals it —
   * or, after a decision that stops the run, left not to run. A step no decision passes over any more (the
   * operator changed a decision) is pending again; one that ran keeps what happened.
   */
  private applyDecisions(run: ActiveRun, restoring = false): void {
    const order = run.plan.steps.map((p) => p.step.id).filter((id) => run.steps.get(id)?.hidden === false);
    const choices = new Map([...run.steps.values()].flatMap((s) => (s.decision !== null ? [[s.id, s.decision] as const] : [])));
    const path = decisionPath(run.runbook, order, choices);
    for (const id of order) {
      const state = run.steps.get(id) as RunStepState;
      const passed = run.overridden.has(id) ? undefined : path.get(id);
      const before = state.passedOver ?? null;
      if (before && passed && before.reason === passed.reason && before.kind === passed.kind) continue;
      // Resumed: a step the journal has skipped by this decision already is passed over as it was, not skipped again.
      if (restoring && passed && state.status === 'skipped' && state.reason === passed.reason) {
        state.passedOver = { decision: passed.decision, choice: passed.choice, reason: passed.reason, kind: passed.kind };
        continue;
      }
      if (before) {
        state.passedOver = null;
        // The journal said skipped: it says why that no longer holds.
        if (before.kind === 'skip' && state.status === 'skipped') {
          const now = choices.get(before.decision);
          this.note(run, 'step.note', { step: { id }, text: `no longer skipped: the decision at step ${before.decision} is now ${now === undefined ? 'not made' : `"${now}"`} (it was "${before.choice}")`, by: run.operator });
        }
        if (state.status === 'skipped' || state.status === 'pending') this.setStep(run, id, 'pending', null);
      }
      if (!passed || state.status !== 'pending') continue;
      state.passedOver = { decision: passed.decision, choice: passed.choice, reason: passed.reason, kind: passed.kind };
      if (passed.kind === 'skip') {
        const step = run.runbook.steps.find((s) => s.id === id) as Step;
        run.journal.stepSkipped({ step, reason: passed.reason, by: 'decision', decision: { step: passed.decision, choice: passed.choice } });
        run.events.push({ type: 'record', record: run.journal.writer.count - 1, recordType: 'step.skipped', time: new Date().toISOString() });
        this.setStep(run, id, 'skipped', passed.reason);
      } else this.setStep(run, id, 'pending', passed.reason);
    }
  }

  /** A step a decision passed over is not run, marked or decided until the operator overrides that. */
  private refusePassedOver(state: RunStepState): void {
    if (state.passedOver) throw new RunError(`step ${state.id} is passed over: ${state.passedOver.reason}; override that (with a reason, recorded) to do it anyway`);
  }

  /**
   * Takes back a skip: a step a recorded decision passed over (skipped, or left not to run), or one the operator
   * skipped, is pending again — to run, decide or mark. The operator's reason is journaled as a change (step.note).
   */
  override(runId: string, stepId: string, reason: string): RunState {
    const run = this.open(runId);
    const state = run.steps.get(stepId);
    if (!state) throw new RunError(`no step ${stepId}`);
    if (state.hidden) throw new RunError(`step ${stepId} is above the run's profile ${run.profile}`);
    const passed = state.passedOver;
    const skipped = state.status === 'skipped' && !passed;
    if (!passed && !skipped) throw new RunError(`step ${stepId} is neither skipped nor passed over by a decision: nothing to take back`);
    // Journaled apart: a decision's skip taken back (passed-over, stopped) is not the operator's own skip taken back.
    const from = passed ? (passed.kind === 'skip' ? 'passed-over' : 'stopped') : 'skipped';
    const seq = this.note(run, 'step.note', { step: { id: stepId }, change: 'skip', from, to: 'pending', reason, by: run.operator });
    this.activity(run, stepId, seq, 'change', passed ? `took back what the decision at ${passed.decision} ("${passed.choice}") did: ${passed.reason}` : 'took back the skip', reason);
    if (passed) run.overridden.add(stepId);
    state.passedOver = null;
    if (state.status === 'skipped' || state.status === 'pending') this.setStep(run, stepId, 'pending', null);
    return this.state(runId);
  }

  /** Starts or stops a step's timer (its time box or repeating check); the host keeps it and journals it. */
  timer(runId: string, stepId: string, action: 'start' | 'stop'): RunState {
    const run = this.open(runId);
    const state = run.steps.get(stepId);
    const timing = run.runbook.steps.find((s) => s.id === stepId)?.timing;
    if (!state) throw new RunError(`no step ${stepId}`);
    if (!timing) throw new RunError(`step ${stepId} has no time box or repeating check`);
    if (action === 'stop') {
      if (!run.timers.stop(stepId, run.operator)) throw new RunError(`the timer of step ${stepId} is not counting`);
      return this.state(runId);
    }
    if (state.hidden) throw new RunError(`step ${stepId} is above the run's profile ${run.profile}`);
    this.refusePassedOver(state);
    this.refuseSkipped(state);
    try {
      run.timers.start(stepId, timing, run.operator);
    } catch (error) {
      throw new RunError((error as Error).message);
    }
    return this.state(runId);
  }

  state(runId: string): RunState {
    const run = this.get(runId);
    const steps = [...run.steps.values()].map((s) => ({ ...s, timer: run.timers.get(s.id) }));
    return {
      runId: run.runId,
      dir: run.dir,
      profile: run.profile,
      operator: run.operator,
      status: statusOf(run),
      steps,
      hiddenCount: steps.filter((s) => s.hidden).length,
      problems: run.problems.map((p) => p.message),
      records: run.journal.writer.count,
      seal: run.seal ? { size: run.seal.size, root: run.seal.root, ticketLine: run.seal.ticketLine } : null,
      approvals: run.approvals?.pending() ?? [],
      head: this.head(run),
      installationKey: keyFacts(run.installation),
      questions: [...run.questions.values()].map(({ resolve: _resolve, ...q }) => q),
      unfinished: run.seal ? [] : unfinishedSteps(steps, run.runbook.steps),
      ...(run.store ? { store: shippingState(run.store.shipper, run.store.shown, run.store.gate) } : {}),
    };
  }

  events(runId: string, after: number, waitMs: number): Promise<{ events: RunEvent[]; next: number }> {
    return this.get(runId).events.after(after, waitMs);
  }

  /** A run that is sealed, or being sealed, takes no more changes. */
  private open(runId: string): ActiveRun {
    const run = this.get(runId);
    if (sealing(run)) throw new RunError('this run is finished; start a new run');
    if (this.settling === runId) throw new RunError('the run is being resumed; wait for it');
    return run;
  }

  runStep(runId: string, stepId: string): void {
    const run = this.open(runId);
    if (run.running) throw new RunError(`step ${run.running} is running; cancel it or wait`);
    const step = run.steps.get(stepId);
    if (!step) throw new RunError(`no step ${stepId}`);
    if (step.hidden) throw new RunError(`step ${stepId} is above the run's profile ${run.profile}`);
    this.refusePassedOver(step);
    this.refuseSkipped(step);
    if (step.manual) throw new RunError(`step ${stepId}: ${step.manual}`);
    const planned = run.plan.steps.find((p) => p.step.id === stepId);
    const targets = planned?.blocks.map(({ binding }) => binding.targetName) ?? [];
    const blocking = run.problems.filter((p) => blocksStep(p, stepId, targets));
    if (blocking.length) throw new RunError(blocking.map((p) => p.message).join('; '));
    const refused = planned?.blocks.map(({ binding }) => targetProblem(run.profile, binding.targetName, binding.target)).find(Boolean);
    if (refused) throw new RunError(refused);
    run.running = stepId;
    run.stepDone = this.preflightOnce(run, stepId)
      .then(
        () => run.session.runOne(stepId),
        (error: unknown) => {
          // Refused before it ran: the step says why, and the operator can run it again once fixed.
          this.setStep(run, stepId, 'failed', error instanceof Error ? error.message : String(error));
          throw error;
        },
      )
      .then((outcome) => {
        run.outcomes.set(stepId, outcome);
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        run.events.push({ type: 'error', message });
        // The step did not get to record its end: it failed, it is not left "running" for ever.
        if (run.steps.get(stepId)?.status === 'running') this.setStep(run, stepId, 'failed', message);
      })
      .finally(() => {
        run.running = null;
        // Not busy any more: a repeat that waited for this step runs now.
        run.timers.plan();
        try {
          // A question the step left open (its block timed out while asking) is answered no: nobody waits on it.
          this.settleAll(run, 'step-ended');
          run.approvals?.withdrawAll('the step ended while waiting for approval');
        } catch (error) {
          // The journal refused the record; its own failure is what the operator needs to see.
          run.events.push({ type: 'error', message: error instanceof Error ? error.message : String(error) });
        }
      });
  }

  /**
   * Before a step first runs on a target, that target and its credentials must exist and answer (the CLI
   * checks the whole run before it starts). Checked again on the next click until it passes, so a fixed
   * VPN or key needs no new run.
   */
  private async preflightOnce(run: ActiveRun, stepId: string): Promise<void> {
    const targets = new Map<string, Target>();
    for (const { binding } of run.plan.steps.find((p) => p.step.id === stepId)?.blocks ?? []) {
      if (!run.preflightPassed.has(binding.targetName)) targets.set(binding.targetName, binding.target);
    }
    if (targets.size === 0) return;
    const failed = await preflightRun(run.prepared, run.ctx, targets);
    if (failed.length > 0) throw new RunError(`preflight failed, nothing was run: ${failed.map((p) => p.message).join('; ')}`);
    for (const name of targets.keys()) run.preflightPassed.add(name);
  }

  /** Binds one block to another target the operator picked; recorded, and used from its next run on. */
  async bind(runId: string, stepId: string, blockId: string, targetName: string): Promise<RunState> {
    const run = this.open(runId);
    if (run.running === stepId) throw new RunError('the step is running; cancel it or wait before changing its target');
    const endpoint = await this.applyBinding(run, stepId, blockId, targetName);
    const binding = { block: blockId, target: targetName, kind: (run.set.targets.get(targetName) as Target).kind, endpoint };
    const seq = this.note(run, 'step.note', { step: { id: stepId }, binding, by: run.operator });
    this.activity(run, stepId, seq, 'target', boundText(binding));
    return this.state(runId);
  }

  /** Puts `blockId` of `stepId` on the target `targetName` in the plan, after every check a choice must pass; its endpoint. */
  private async applyBinding(run: ActiveRun, stepId: string, blockId: string, targetName: string): Promise<string> {
    const planned = run.plan.steps.find((p) => p.step.id === stepId);
    const state = run.steps.get(stepId);
    if (!planned || !state) throw new RunError(`no step ${stepId}`);
    if (state.hidden) throw new RunError(`step ${stepId} is above the run's profile ${run.profile}`);
    const block = planned.step.blocks.find((b) => b.id === blockId);
    if (!block || block.action === 'display') throw new RunError(`step ${stepId} has no executable block ${blockId}`);
    const target = run.set.targets.get(targetName);
    if (!target) throw new RunError(`no target named "${targetName}" (known: ${[...run.set.targets.keys()].join(', ')})`);
    const kinds: readonly string[] = TARGET_KINDS_FOR_ACTION[block.action];
    if (!kinds.includes(target.kind)) throw new RunError(`target "${targetName}" is a ${target.kind} target; a ${block.action} block runs on ${kinds.join(' or ')}`);
    const refused = targetProblem(run.profile, targetName, target);
    if (refused) throw new RunError(refused);
    const attributes = attributeProblem(block);
    if (attributes) throw new RunError(`step ${stepId}: ${attributes}`);
    const binding = { targetName, target, source: 'operator choice' as const };
    // The values must stay data on the new target too (a kubernetes target runs kubectl lines without a shell).
    const unsafe = await valueProblems(run.runbook, [{ step: planned.step, skip: null, blocks: [{ block, binding }] }], run.prepared.variables.values, run.prepared.verdicts, run.prepared.requests);
    if (unsafe.length > 0) throw new RunError(unsafe.map((p) => p.message).join('; '));
    const index = planned.blocks.findIndex((b) => b.block.id === blockId);
    if (index >= 0) planned.blocks[index] = { block, binding };
    else {
      // The block was unbound: put it back in the step's block order.
      const order = planned.step.blocks.map((b) => b.id);
      planned.blocks.push({ block, binding });
      planned.blocks.sort((a, b) => order.indexOf(a.block.id) - order.indexOf(b.block.id));
      run.problems = run.problems.filter((p) => !(p.planKind === 'unbound' && p.blockId === blockId));
    }
    const endpoint = describeEndpoint(target);
    state.targets[blockId] = { name: targetName, kind: target.kind, endpoint };
    return endpoint;
  }

  /**
   * On Resume, each block the operator had bound elsewhere goes back to that target, through the same checks.
   * One that cannot (the target was removed, or its name now means another kind or endpoint, or the profile
   * refuses it now) is left with no target and says why on its step — never run on the default target the
   * operator had moved it away from, nor on another target under the same name.
   */
  private async restoreBindings(run: ActiveRun, bindings: RestoredRun['bindings']): Promise<void> {
    for (const b of bindings) {
      try {
        // The same name must still mean the same target: another kind or endpoint is not what was chosen.
        const now = run.set.targets.get(b.target);
        if (now && (now.kind !== b.kind || describeEndpoint(now) !== b.endpoint)) throw new RunError(`target "${b.target}" is now ${now.kind} ${describeEndpoint(now)}, not the ${b.kind} ${b.endpoint} chosen`);
        await this.applyBinding(run, b.step, b.block, b.target);
      } catch (error) {
        const planned = run.plan.steps.find((p) => p.step.id === b.step);
        if (!planned) continue;
        planned.blocks = planned.blocks.filter((p) => p.block.id !== b.block);
        const state = run.steps.get(b.step);
        if (state) delete state.targets[b.block];
        run.problems = run.problems.filter((p) => !(p.planKind === 'unbound' && p.blockId === b.block));
        const why = error instanceof Error ? error.message : String(error);
        run.problems.push(problem('plan', `step ${b.step}, block ${b.block}: record ${b.record} bound it to target "${b.target}", which cannot be used now (${why}); choose its target again`, { stepId: b.step, blockId: b.block, planKind: 'unbound' }));
      }
    }
  }

  /** A key file's signer; for a protected key the operator types its passphrase in the question dialog. */
  private async keyFileSignerAsking(run: ActiveRun, file: string) {
    try {
      return await keyFileSigner(file);
    } catch (error) {
      if (!/no passphrase given/i.test((error as Error).message)) throw error;
    }
    const passphrase = await run.ask(`Passphrase for the signing key ${file}:`, 'secret', null);
    if (typeof passphrase !== 'string') throw new RunError('export cancelled: the signing key\'s passphrase was not given');
    return keyFileSigner(file, passphrase);
  }

  /** The journal's last record: what a sign-off made now signs off. */
  private head(run: ActiveRun): { seq: number; sha256: string } {
    return { seq: run.journal.writer.count - 1, sha256: run.journal.writer.lastHash };
  }

  /**
   * RESTRICTED: the key Settings names for signing exports is the operator's; it can never approve a step.
   * (A key file whose public half cannot be read without its passphrase is not known here.)
   */
  private exportKey(): { source: 'export-key'; publicKey: string }[] {
    const key = this.env.settings.read().exportKey;
    if (key?.kind === 'agent' && key.publicKey) return [{ source: 'export-key', publicKey: key.publicKey }];
    const line = key?.kind === 'file' ? publicKeyOfFile(expandHome(key.path)) : null;
    return line ? [{ source: 'export-key', publicKey: line }] : [];
  }

  /** RESTRICTED: the approvers file from settings (read once and recorded in run.started), or why there is none. */
  private approvers(): RunRequest['approvers'] {
    const file = this.env.settings.read().approversFile;
    if (!file) return { problem: `${APPROVERS_PROBLEM}: name the approvers' allowed_signers file in Settings → Keys before running steps` };
    try {
      return { text: readFileSync(expandHome(file), 'utf8'), source: expandHome(file) };
    } catch (error) {
      return { problem: `${APPROVERS_PROBLEM}: the approvers file ${file} cannot be read: ${(error as Error).message}` };
    }
  }

  async approve(runId: string, input: { approvalId: string } & ({ decision: 'sign'; approver: string; signature: string } | { decision: 'withdraw' })): Promise<{ ok: boolean; reason: string | null; state: RunState }> {
    const run = this.open(runId);
    if (!run.approvals) throw new RunError('this run needs no approvals (only RESTRICTED runs do)');
    const result = input.decision === 'sign' ? await run.approvals.sign(input.approvalId, input.approver, input.signature) : { ok: run.approvals.withdraw(input.approvalId), reason: null };
    return { ...result, state: this.state(runId) };
  }

  cancel(runId: string): boolean {
    const run = this.get(runId);
    // Open questions are answered no even when no step runs (an export waiting for a passphrase).
    this.settleAll(run, 'cancel');
    if (!run.running) return false;
    try {
      run.approvals?.withdrawAll('the step was cancelled while waiting for approval');
    } finally {
      run.session.cancel();
    }
    return true;
  }

  async skip(runId: string, stepId: string, reason: string): Promise<RunState> {
    const run = this.open(runId);
    if (run.running === stepId) throw new RunError('the step is running; cancel it first');
    const current = run.steps.get(stepId);
    if (!current) throw new RunError(`no step ${stepId}`);
    if (current.hidden) throw new RunError(`step ${stepId} is above the run's profile ${run.profile}`);
    if (current.status === 'succeeded') throw new RunError(`step ${stepId} already succeeded; add a note instead of skipping it`);
    if (current.status === 'skipped') throw new RunError(`step ${stepId} is already skipped`);
    run.outcomes.set(stepId, await run.session.skipOne(stepId, reason));
    this.activity(run, stepId, run.journal.writer.count - 1, 'skip', 'skipped', reason);
    return this.state(runId);
  }

  async record(
    runId: string,
    input: { stepId: string } & (
      | { kind: 'decision'; decision: string; note?: string | undefined; change?: string | undefined }
      | ({ kind: 'signoff' } & SignoffInput)
      | { kind: 'fillin'; label: string; value: string }
      | { kind: 'mark'; verdict: 'pass' | 'fail'; note?: string | undefined; change?: string | undefined }
      | { kind: 'note'; text: string }
    ),
  ): Promise<RunState> {
    const run = this.open(runId);
    const step = run.steps.get(input.stepId);
    if (!step) throw new RunError(`no step ${input.stepId}`);
    const ref = { step: { id: input.stepId } };
    // The page only asks; what is recorded must fit the step as the runbook wrote it.
    const model = run.runbook.steps.find((x) => x.id === input.stepId);
    if (step.hidden) throw new RunError(`step ${input.stepId} is above the run's profile ${run.profile}`);
    if (input.kind === 'decision' && !model?.decision?.options.includes(input.decision)) {
      throw new RunError(`step ${input.stepId} offers no decision "${input.decision}"${model?.decision ? ` (it offers ${model.decision.options.join(', ')})` : ''}`);
    }
    if (input.kind === 'fillin' && !model?.fillIns.some((f) => f.label === input.label)) throw new RunError(`step ${input.stepId} has no blank labelled "${input.label}"`);
    if (input.kind === 'decision' || input.kind === 'mark' || input.kind === 'signoff') {
      this.refusePassedOver(step);
      this.refuseSkipped(step);
    }
    switch (input.kind) {
      case 'decision': {
        // The change, the decision and the skips it causes are ready together: one flush for all of them
        // (nothing runs until it returns), not one per step passed over.
        this.journalTogether(run, () => {
          this.changeOf(run, input.stepId, 'decision', step.decision, input.decision, input.change);
          const seq = this.note(run, 'decision', { ...ref, decision: input.decision, note: input.note ?? null, by: run.operator });
          this.activity(run, input.stepId, seq, 'decision', `decided ${input.decision}`, input.note ?? null);
          step.decision = input.decision;
          if (step.status === 'pending') this.setStep(run, step.id, 'succeeded', `decision: ${input.decision}`);
          // Where the choice leads: the steps it leads away from are passed over, as `runbook run` passes them.
          this.applyDecisions(run);
        });
        break;
      }
      case 'signoff': {
        checkSignoffRow(run, input.stepId, input.role);
        const signed = await this.signoff(run, input.stepId, input);
        step.signoff = { name: input.name, role: input.role, date: input.date, fingerprint: signed.fingerprint };
        this.activity(run, input.stepId, signed.record, 'signoff', `signed off as ${input.role}: ${input.name}, dated ${input.date} (key ${signed.fingerprint})`);
        step.signoffRefusal = null;
        if (step.status === 'pending') this.setStep(run, step.id, 'succeeded', `signed off by ${input.name} (${input.role}, ${signed.fingerprint})`);
        break;
      }
      case 'fillin': {
        // The values a step was marked on are what its mark stands for: after the mark, a correction is a note.
        if (step.mark !== null) throw new RunError(`step ${input.stepId} is marked ${step.mark === 'pass' ? 'passed' : 'failed'}: its values are recorded as they were; add a note to correct "${input.label}"`);
        // Typed blanks (number, percent, duration, date) are checked here, before anything is recorded.
        const { value } = manualCheck(() => checkFillIn(model as Step, input.label, input.value));
        // A blank named like a run variable is that variable: one value everywhere, the one the steps run with.
        const variable = this.variableNamed(run, input.label);
        if (variable !== null) {
          const now = this.valueOf(run, variable);
          const secret = isSecretVariable(run.runbook, variable);
          if (now !== undefined && now !== value) throw new RunError(`"${input.label}" is the run variable ${variable}, which already has ${secret ? 'a value' : `the value "${now}"`}: the blank holds the same value (start a new run to use another)`);
          if (now === undefined) await this.giveValues(run, input.stepId, [[variable, value]], false);
          const journaled = secret ? MASK : run.session.mask(value);
          const seq = this.note(run, 'fillin', { ...ref, label: input.label, value: journaled });
          this.activity(run, input.stepId, seq, 'fillin', `${input.label}: ${journaled}`);
          if (!secret) step.fillIns[input.label] = value;
          break;
        }
        const journaled = run.session.mask(value);
        const seq = this.note(run, 'fillin', { ...ref, label: input.label, value: journaled });
        this.activity(run, input.stepId, seq, 'fillin', `${input.label}: ${journaled}`);
        step.fillIns[input.label] = value;
        break;
      }
      case 'mark': {
        // A step with nothing to run is done (or failed) when the operator says so; an input only once its required blanks hold values.
        const byHand = step.manual !== null && model !== undefined && model.kind !== 'signoff' && model.kind !== 'decision';
        const missing = byHand && input.verdict === 'pass' ? missingInputs(model, step.fillIns) : [];
        if (missing.length > 0) throw new RunError(`step ${input.stepId} is not done: no value for ${missing.map((f) => `"${f.label}"`).join(', ')}`);
        this.changeOf(run, input.stepId, 'mark', step.mark, input.verdict, input.change);
        const seq = this.note(run, 'step.note', { ...ref, mark: input.verdict, note: input.note ?? null, by: run.operator });
        this.activity(run, input.stepId, seq, 'mark', input.verdict === 'pass' ? 'marked passed' : 'marked failed', input.note ?? null);
        step.mark = input.verdict;
        if (byHand && step.status !== 'skipped') this.setStep(run, step.id, input.verdict === 'pass' ? 'succeeded' : 'failed', input.verdict === 'pass' ? `done (marked by ${run.operator})` : `marked failed by ${run.operator}${input.note ? `: ${input.note}` : ''}`);
        break;
      }
      case 'note': {
        const seq = this.note(run, 'step.note', { ...ref, text: input.text, by: run.operator });
        this.activity(run, input.stepId, seq, 'note', input.text);
        break;
      }
    }
    return this.state(runId);
  }

  /**
   * A sign-off to be signed elsewhere: the exact message for the run's last record now, and the stock command
   * that signs it. Main checks the row first; the signature comes back through record(), checked again there.
   */
  signoffRequest(runId: string, input: { stepId: string; name: string; role: string; date: string }): SignoffRequest {
    const run = this.open(runId);
    checkSignoffRow(run, input.stepId, input.role);
    const head = this.head(run);
    let message: string;
    try {
      message = signoffMessage({ run: run.runId, step: input.stepId, role: input.role, name: input.name, date: input.date, record: head });
    } catch (error) {
      throw new RunError((error as Error).message);
    }
    return { record: head.seq, sha256: head.sha256, namespace: SIGNOFF_NAMESPACE, message, command: signoffCommand(message) };
  }

  /**
   * A sign-off is recorded only with the signer's SSH signature over the sign-off message (run, step, row,
   * name, date, and the journal's last record: everything recorded so far). Main makes the signature with
   * the signer's key file or ssh-agent key, or checks one made elsewhere with `ssh-keygen -Y sign` over the
   * message for the run's current last record. A pasted signature stands for someone who is not at this
   * machine, so one by a key the operator controls here is refused; the installation key is refused however
   * it is offered. A signature that does not hold is journaled (with its refusal code) and refused.
   */
  private async signoff(run: ActiveRun, stepId: string, input: SignoffInput): Promise<{ fingerprint: string; record: number }> {
    const withKey = Boolean(input.keyFile) || Boolean(input.agent);
    if (!withKey && !input.signature) {
      throw new RunError(`a sign-off must be signed with the signer's SSH key: name their key file or ssh-agent key, or paste their SSH signature (namespace ${SIGNOFF_NAMESPACE}) over the sign-off message`);
    }
    if (withKey && input.signature) throw new RunError('give either a key to sign the sign-off with or a pasted signature, not both');
    const claimAt = (head: { seq: number; sha256: string }): SignoffClaim => ({ run: run.runId, step: stepId, role: input.role, name: input.name, date: input.date, record: head });
    let claim: SignoffClaim;
    let signature: string;
    let method: SignoffMethod;
    if (input.signature) {
      const head = this.head(run);
      if (input.record === undefined) throw new RunError(`a pasted sign-off signature must say which record it signs off (the run's last record is ${head.seq})`);
      if (input.record !== head.seq) throw new RunError(`the signature signs off record ${input.record}, but the run's last record is now ${head.seq}: sign the sign-off message for record ${head.seq}`);
      claim = claimAt(head);
      signature = tidyArmoredSignature(input.signature);
      method = 'pasted';
    } else {
      method = input.agent ? 'ssh-agent' : 'key-file';
      try {
        const signer = input.agent ? await agentSigner(input.agentKey ? { publicKey: input.agentKey } : {}) : await this.keyFileSignerAsking(run, expandHome(input.keyFile as string));
        // The message names the last record; if the journal moved on while the key signed, sign again.
        for (let tries = 0; ; tries++) {
          if (sealing(run)) throw new RunError('this run is finished; start a new run');
          const head = this.head(run);
          claim = claimAt(head);
          signature = await signSshsig(Buffer.from(signoffMessage(claim), 'utf8'), SIGNOFF_NAMESPACE, signer);
          if (this.head(run).seq === head.seq) break;
          if (tries >= 2) throw new RunError('the run kept recording while the sign-off was being signed; try again');
        }
      } catch (error) {
        if (error instanceof RunError) throw error;
        throw new RunError(`the sign-off could not be signed: ${(error as Error).message}`);
      }
    }
    // Keys the signature may not be made with: the installation key, always; the operator's, for a signature
    // from elsewhere or for a row that is not the operator's own (as verify reads it: E_SIGNOFF_OPERATOR_KEY).
    // (In person, the keys verify holds as the operator's: those run.started recorded and the export key; the
    // agent's keys are not among them, as a signer at this machine signs through the agent.)
    const forAnother = principalFor(input.name) !== principalFor(run.operator);
    const installationOnly = [operatorKey('installation', run.installation.key.publicKeyLine)];
    const refused = method === 'pasted' ? await this.operatorKeysNow(run) : forAnother ? this.operatorKeysRecorded(run) : installationOnly;
    if (sealing(run)) throw new RunError('this run is finished; start a new run');
    // The journal may have moved on while the agent was asked for its keys: the signature must still sign off its last record.
    if (this.head(run).seq !== claim.record.seq) throw new RunError(`the run recorded more while the sign-off was being checked (its last record is now ${this.head(run).seq}); sign the sign-off message for that record`);
    let decision;
    try {
      decision = decideSignoff(signoffMessage(claim), signature, refused, forAnother ? 'another' : 'operator');
    } catch (error) {
      throw new RunError(`sign-off refused: ${(error as Error).message}`);
    }
    if (!decision.ok) {
      this.note(run, 'signoff', signoffRecord(claim, decision, signature, method));
      const step = run.steps.get(stepId);
      if (step) step.signoffRefusal = { code: decision.code, reason: decision.reason };
      throw new RunError(`sign-off refused (recorded): ${decision.reason}`);
    }
    const record = this.note(run, 'signoff', signoffRecord(claim, decision, signature, method));
    return { fingerprint: decision.fingerprint, record };
  }

  /** The operator's keys as the run's record knows them: the installation key, those run.started recorded, the export key. */
  private operatorKeysRecorded(run: ActiveRun): OperatorKey[] {
    const exportKeys = this.exportKey().flatMap((k) => keyFrom(k.source, k.publicKey) ?? []);
    return uniqueKeys([operatorKey('installation', run.installation.key.publicKeyLine), ...run.recordedOperatorKeys, ...exportKeys]);
  }

  /** Every key the operator controls in this run now: those the run's record knows (operatorKeysRecorded), and the ssh-agent's. */
  private async operatorKeysNow(run: ActiveRun): Promise<OperatorKey[]> {
    const live = await agentKeys(process.env.SSH_AUTH_SOCK).catch(() => []);
    return uniqueKeys([...this.operatorKeysRecorded(run), ...live]);
  }

  answer(runId: string, questionId: string, answer: boolean | string): { ok: boolean; state: RunState } {
    const run = this.get(runId);
    const question = run.questions.get(questionId);
    if (!question) return { ok: false, state: this.state(runId) };
    this.settle(run, question, answer, 'operator');
    return { ok: true, state: this.state(runId) };
  }

  /** Answers a question and records it; what was typed is never recorded (it may be a passphrase). */
  private settle(run: ActiveRun, question: Question, answer: boolean | string, by: SettledBy): void {
    if (!run.questions.delete(question.questionId)) return; // already answered
    const recorded = typeof answer === 'boolean' ? answer : question.kind === 'type-name' ? '(typed)' : '(given)';
    try {
      // A sealed journal takes no more records (a passphrase asked during export); the export logs itself.
      if (!sealing(run)) this.note(run, 'trust', { question: question.questionId, kind: question.kind, text: question.kind === 'secret' ? null : question.text, answer: recorded, by });
    } finally {
      // Whoever asked gets the answer even when the journal refused the record (its failure stops the run anyway).
      question.resolve(answer);
    }
  }

  /** Answers every open question "no" (nobody is left waiting on one). */
  private settleAll(run: ActiveRun, by: Exclude<SettledBy, 'operator'>): void {
    for (const question of [...run.questions.values()]) this.settle(run, question, false, by);
  }

  /** The run this host has open, if any. */
  current(): { runId: string; sha256: string; status: RunState['status'] } | null {
    if (!this.run) return null;
    return { runId: this.run.runId, sha256: this.run.runbook.sha256, status: statusOf(this.run) };
  }

  /** Seals the run once, however many callers (Finish, Export, a new run in another tab) ask at the same time. */
  private sealOnce(run: ActiveRun, early: EarlySeal | null = null): Promise<void> {
    if (run.seal) return Promise.resolve();
    if (!run.finishing) {
      if (run.running) return Promise.reject(new RunError('a step is running; cancel it or wait'));
      run.finishing = this.finishRun(run, early).catch((error: unknown) => {
        run.finishing = null;
        throw error;
      });
    }
    return run.finishing;
  }

  private async finishRun(run: ActiveRun, early: EarlySeal | null): Promise<void> {
    // The run is being sealed: every timer still counting stops, journaled (by the host).
    run.timers.stopAll('host');
    // Written before anything is awaited: nothing can change between the check the operator confirmed and this.
    if (early && early.unfinished.length > 0) {
      this.note(run, 'run.ended-early', { by: early.by, reason: early.reason, unfinished: early.unfinished.map((u) => ({ step: u.stepId, title: u.title, what: u.what })) });
    }
    // Steps done by hand count once the operator settled them (a manual step marked failed fails the run).
    const counted = [...run.steps.values()].filter((s) => !s.hidden && (s.manual === null || s.status !== 'pending'));
    const summary: RunSummary = {
      ok: runOk(counted),
      steps: [...run.steps.values()].map((s) => ({ stepId: s.id, title: run.runbook.steps.find((x) => x.id === s.id)?.title ?? s.id, status: s.status === 'pending' || s.status === 'running' ? 'not-run' : s.status, reason: s.reason, blocks: [] })),
    };
    await run.pool.closeAll();
    run.seal = await run.journal.finish(summary, run.interruptedBy ? { interrupted: run.interruptedBy } : {});
    run.events.push({ type: 'record', record: run.seal.size, recordType: 'checkpoint', time: new Date().toISOString() });
    // The seal goes to the team store before Finish returns, as far as the store lets it (the lag shows the rest).
    if (run.store) await run.store.shipper.close(closeWaitMs(run.store.shipper));
  }

  /**
   * The host is going away (SIGTERM, SIGHUP, the app quitting): the running step is stopped for real and the
   * interruption journaled, timers stop (journaled), and what the run has is sealed (a `shutdown` seal) — but
   * the run is not ended: the lock is released, and the next host offers it back (Resume) or `runbook recover`
   * closes it. A run already being sealed is sealed as it was going to be.
   */
  async shutdown(cause: string): Promise<void> {
    this.shuttingDown = true;
    // A start or resume under way finishes first (or fails), so the run it opens is the one sealed here.
    await this.opening?.catch(() => undefined);
    const run = this.run;
    if (!run) return;
    if (sealing(run)) {
      await run.stepDone;
      await this.sealOnce(run).catch(() => undefined);
      return;
    }
    run.interruptedBy = cause;
    try {
      // The cause comes from the host as a string (a signal's name): it must be one the format names.
      this.note(run, 'run.interrupted', parseRecordData('run.interrupted', { cause, by: 'host shutdown', step: run.running }));
    } catch {
      // The journal refused the record; the seal below says so if it can.
    }
    this.settleAll(run, 'cancel');
    if (run.running) {
      run.approvals?.withdrawAll('the host is shutting down');
      run.session.cancel();
    }
    await run.stepDone;
    // Marked as being sealed: nothing more is run, recorded or timed on it while the seal is written.
    run.finishing = (async () => {
      try {
        run.timers.stopAll('host');
        await run.pool.closeAll();
      } finally {
        run.seal = await run.journal.suspend();
        if (run.store) await run.store.shipper.close(3_000);
      }
    })();
    await run.finishing.catch(() => undefined);
  }

  async finish(runId: string, confirmation: SealConfirmation = {}): Promise<RunState> {
    const run = this.get(runId);
    await this.sealOnce(run, this.confirmedSeal(run, confirmation));
    return this.state(runId);
  }

  /**
   * Sealing is final, so the operator seals a run with steps unfinished only once shown each of them (the ids
   * confirmed must name every one main counts now), and in REGULATED and above only with a reason. What they
   * confirmed is journaled (run.ended-early). A run sealed, or being sealed, needs nothing more.
   */
  private confirmedSeal(run: ActiveRun, confirmation: SealConfirmation): EarlySeal | null {
    if (sealing(run)) return null;
    const unfinished = unfinishedSteps(run.steps.values(), run.runbook.steps);
    if (unfinished.length === 0) return null;
    const shown = new Set(confirmation.unfinished ?? []);
    const unseen = unfinished.filter((u) => !shown.has(u.stepId));
    if (unseen.length > 0) {
      const listed = unseen.slice(0, 10).map((u) => `"${u.title}" (${u.what})`).join(', ');
      throw new RunError(`${unfinished.length} step(s) are unfinished, ${unseen.length} of them not confirmed: ${listed}${unseen.length > 10 ? ', …' : ''}. Sealing is final: confirm each to seal anyway`, 'seal-unconfirmed');
    }
    const reason = confirmation.reason?.trim() || null;
    if (reason === null && atLeast(run.profile, 'regulated')) throw new RunError(`profile ${run.profile}: sealing with ${unfinished.length} step(s) unfinished needs a reason, which is journaled`, 'seal-needs-reason');
    return { by: run.operator, reason, unfinished };
  }

  /**
   * Verifies the run as `runbook verify` does, with the one anchor the console holds: this installation's key
   * (pinned by its fingerprint, so a seal by any other key fails E_SIGNER). That key also made the seal, so
   * the verdict is at best self-anchored: intact and sealed here — integrity, not proof for anyone else.
   */
  async verify(runId: string): Promise<VerifyResult> {
    const run = this.get(runId);
    return this.verifyAt(run.dir, { keys: run.keys, installation: run.installation, allowUnsealed: run.seal === null, access: run.runId });
  }

  /**
   * Verifies a run directory or a bundle with the console's one anchor (this installation's key, pinned). A run
   * directory's verification that reached a verdict is recorded in its access log (`access`: the run's id).
   */
  /** The team's runs in the store this console ships to (none where no store is set). */
  async storedRuns(): Promise<{ store: string | null; runs: StoredRun[] }> {
    const store = this.storeForRun();
    if (!store) return { store: null, runs: [] };
    const { storedRunSummaries } = await import('../store/verify-store.js');
    const runs = await withStoreClient(store, this.env.secret, 'history', (client) => storedRunSummaries(client)).catch((error: unknown) => {
      throw new RunError((error as Error).message);
    });
    return { store: store.shipping.endpoint.shown, runs };
  }

  /** A run as the store holds it, verified as `runbook store verify --run ID --pin` would with this installation's key. */
  async verifyStored(runId: string): Promise<VerifyResult> {
    const store = this.storeForRun();
    if (!store) throw new RunError('no team store is set (Settings → Team store)');
    const installationKey = keyFacts(await this.env.installation());
    const keys = await this.env.keys({ restricted: false });
    const { verifyStoredRun } = await import('../store/verify-store.js');
    const { result, filesMissing } = await withStoreClient(store, this.env.secret, 'verify', (client) => verifyStoredRun(client, runId, { keys, pins: [installationKey.fingerprint] })).catch((error: unknown) => {
      throw new RunError((error as Error).message);
    });
    const verdict = this.verdictOf(result, installationKey, () => `runbook store verify --run ${runId} --pin ${installationKey.fingerprint}`, null);
    // As store verify says it: files the store lacks mean no file was checked.
    if (verdict.ok && filesMissing) verdict.warnings.push({ code: 'STORE_FILES_MISSING', detail: `${filesMissing} file(s) the records name are not in the store, so no file was checked` });
    return verdict;
  }

  private async verifyAt(dir: string, options: { keys: MacKeyStore; installation: Installation; allowUnsealed: boolean; access: string | null }): Promise<VerifyResult> {
    const installationKey = keyFacts(options.installation);
    const result = await verifyRun(dir, { keys: options.keys, allowUnsealed: options.allowUnsealed, pins: [installationKey.fingerprint] });
    // As `runbook verify` does for a run directory: a verification that got to a verdict is recorded in the
    // run's access log (access.jsonl, its own chain beside the journal). Not being able to is said, not fatal.
    let accessLog: string | null = null;
    if (result.ok && options.access !== null) {
      try {
        recordAccess(dir, options.access, 'verify', { result: result.anchored ? 'ok' : 'unanchored', warnings: result.warnings.map((w) => w.code) }, options.keys);
      } catch (error) {
        accessLog = `this verification could not be recorded in the run's access log: ${(error as Error).message}`;
      }
    }
    const auditor = (signatures: boolean) => `${pinCommand(installationKey.fingerprint, dir)}${signatures ? ' --allowed-signers ALLOWED_SIGNERS' : ''}`;
    return this.verdictOf(result, installationKey, auditor, accessLog);
  }

  /** A verification as the page shows it: the verdict, what vouches for the seal, what nothing here vouches for. */
  private verdictOf(result: Awaited<ReturnType<typeof verifyRun>>, installationKey: InstallationKeyFacts, auditor: (signatures: boolean) => string, accessLog: string | null): VerifyResult {
    if (!result.ok) {
      const f = result.failure;
      return { ok: false, verdict: 'failed', code: f.code, meaning: FAILURES[f.code], detail: f.detail, record: f.record, records: null, warnings: [], sealedBy: null, installationKey, unanchored: [], auditorCommand: auditor(false) };
    }
    const seal = result.trust.seal;
    const signatures = result.trust.approvals.total + result.trust.signoffs.total > 0;
    const sealed = result.sealedSize !== null ? `sealed at ${result.sealedSize}` : seal ? 'not sealed yet (checked up to its last checkpoint)' : 'not sealed yet: nothing in it is signed';
    return {
      ok: true,
      verdict: seal ? 'self-anchored' : 'unanchored',
      code: null,
      meaning: null,
      detail: `${result.kind === 'bundle' ? 'bundle: ' : ''}${result.records} records intact, ${sealed}`,
      record: null,
      records: result.records,
      // W_UNANCHORED's signatures are listed in `unanchored` below; the other warnings stand as they are.
      warnings: [...result.warnings.filter((w) => w.code !== 'W_UNANCHORED').map((w) => ({ code: w.code, detail: w.detail })), ...(accessLog ? [{ code: 'ACCESS_LOG', detail: accessLog }] : [])],
      sealedBy: seal ? { fingerprint: seal.fingerprint, thisInstallation: seal.fingerprint === installationKey.fingerprint } : null,
      installationKey,
      // The seal is vouched for by the pin; what is left (sign-offs, approvals, a bundle's signer) nothing here vouches for.
      unanchored: seal ? result.trust.unanchored : [],
      auditorCommand: auditor(signatures),
    };
  }

  /** The runs directory's runs, each with its state (this host's open run is running until sealed). */
  history(): { runsDir: string; runs: PastRun[] } {
    const open = this.run ? { runId: this.run.runId, sealed: this.run.seal !== null } : null;
    return { runsDir: this.env.runsDir, runs: listRuns(this.env.runsDir, open) };
  }

  /** Verifies a past run of the runs directory (unsealed allowed: an unfinished run verifies as far as it goes). */
  async verifyPast(runId: string): Promise<VerifyResult> {
    if (this.run?.runId === runId) return this.verify(runId);
    const dir = historyCall(() => runDirOf(this.env.runsDir, runId));
    const past = historyCall(() => pastRun(dir, null));
    return this.verifyAt(dir, { keys: await this.env.keys({ restricted: false }), installation: await this.env.installation(), allowUnsealed: past?.state === 'unfinished' || past?.state === 'running', access: past?.state === 'running' ? null : runId });
  }

  /** An exported bundle, read only: its report's run and steps, and the files it ships. */
  openBundle(dir: string): OpenedBundle {
    return historyCall(() => openBundle(path.resolve(expandHome(dir))));
  }

  /** Verifies an exported bundle (its files, signatures, journal and report) with this installation's key pinned. */
  async verifyBundle(dir: string): Promise<VerifyResult> {
    const resolved = path.resolve(expandHome(dir));
    historyCall(() => openBundle(resolved));
    return this.verifyAt(resolved, { keys: await this.env.keys({ restricted: false }), installation: await this.env.installation(), allowUnsealed: false, access: null });
  }

  /** A block's whole recorded output, a piece at a time: of the open run, or of a past one in the runs directory. */
  output(runId: string, input: { stepId: string; blockId: string; offset: number; length: number }): ReturnType<typeof outputOf> {
    const dir = this.run?.runId === runId ? this.run.dir : historyCall(() => runDirOf(this.env.runsDir, runId));
    return historyCall(() => outputOf(dir, input.stepId, input.blockId, input.offset, input.length));
  }

  async export(runId: string, input: { out: string; keyFile?: string | undefined; agent?: boolean | undefined; agentKey?: string | undefined } & SealConfirmation): Promise<{ out: string; files: string[]; signer: string }> {
    const run = this.get(runId);
    // Checked now (refused before any key is asked for), and again right before sealing (below).
    this.confirmedSeal(run, input);
    // The signer first: an export that cannot be signed must not seal the run on its way to failing.
    if (!input.agent && !input.keyFile && atLeast(run.profile, 'regulated')) throw new RunError(`profile ${run.profile}: the export must be signed by the operator: give a signing key file or use the ssh-agent`);
    // A destination the export would refuse (not empty) is refused before anything is sealed.
    if (!run.seal && existsSync(input.out) && readdirSync(input.out).length > 0) throw new RunError(`${input.out} is not empty: export into a new or empty directory`);
    const signer = input.agent ? await agentSigner(input.agentKey ? { publicKey: input.agentKey } : {}) : input.keyFile ? await this.keyFileSignerAsking(run, expandHome(input.keyFile)) : null;
    // Asking for the key took time: the run may have changed meanwhile (a skip taken back, a timer's run), so
    // what is unfinished is checked again against what the operator confirmed, right before sealing.
    await this.sealOnce(run, this.confirmedSeal(run, input));
    const result = await exportBundle(run.dir, {
      out: input.out,
      operatorSigner: signer ? { signer, publicKeyLine: signer.publicKeyLine } : null,
      pdf: false,
      keys: run.keys,
      installation: await this.env.installation(),
    });
    return { out: result.out, files: result.files, signer: `${result.principal} ${result.signerFingerprint}` };
  }
}

/** Most output kept per stream of a running block for the comparison with its example output. */
const PRINTED_CAP = 256 * 1024;
/** Most of the example output sent back with the comparison (the page has the runbook's text anyway). */
const EXPECTED_CAP = 16 * 1024;

/** A transcript's example output beside what the block printed: the engine's judgement, and where they differ. */
function comparisonOf(comparison: Judgement['comparison'], printed: { stdout: string; stderr: string }): OutputComparison | null {
  if (!comparison) return null;
  const expected = comparison.expected.length > EXPECTED_CAP ? comparison.expected.slice(0, EXPECTED_CAP) : comparison.expected;
  if (comparison.same) return { same: true, expected, diff: [], truncated: false };
  // What the terminal showed: the output, then what went to stderr.
  const actual = printed.stderr.trim() ? `${printed.stdout}\n${printed.stderr}` : printed.stdout;
  const diff = diffOutput(comparison.expected, actual);
  const capped = printed.stdout.length >= PRINTED_CAP || printed.stderr.length >= PRINTED_CAP;
  return { same: false, expected, diff: diff.lines, truncated: diff.truncated || capped };
}

/** The installation key's public facts for the page (made for this run: `created`). */
function keyFacts(installation: Installation): InstallationKeyFacts {
  const { fingerprint, publicKeyFile, verifyCommand, created } = installationKeyFacts(installation);
  return { fingerprint, publicKeyFile, verifyCommand, created };
}

/**
 * Refuses a sign-off for a step that is not a sign-off, is above the run's profile, or has no row `role`
 * (a sheet without rows takes any role). Main checks this whatever the page sent.
 */
function checkSignoffRow(run: { runbook: Runbook; steps: Map<string, RunStepState>; profile: Profile }, stepId: string, role: string): void {
  const state = run.steps.get(stepId);
  if (!state) throw new RunError(`no step ${stepId}`);
  if (state.hidden) throw new RunError(`step ${stepId} is above the run's profile ${run.profile}`);
  const model = run.runbook.steps.find((x) => x.id === stepId);
  if (model?.kind !== 'signoff') throw new RunError(`step ${stepId} is not a sign-off`);
  const roles = model.signoff?.roles ?? [];
  if (roles.length > 0 && !roles.includes(role)) throw new RunError(`step ${stepId} has no sign-off row "${role}" (its rows: ${roles.join(', ')})`);
}

/** The targets of the run's set that can run this kind of action, in the set's order. */
function choicesFor(set: TargetSet, action: keyof typeof TARGET_KINDS_FOR_ACTION): string[] {
  const kinds: readonly string[] = TARGET_KINDS_FOR_ACTION[action];
  return [...set.targets].filter(([, target]) => kinds.includes(target.kind)).map(([name]) => name);
}

function describeEndpoint(target: Target): string {
  switch (target.kind) {
    case 'ssh':
      return `${target.user ? `${target.user}@` : ''}${target.host}${target.port ? `:${target.port}` : ''}`;
    case 'postgres':
      return `${target.user}@${target.host}/${target.database}`;
    case 'kubernetes':
      return `context ${target.context ?? '(current)'}`;
    case 'prometheus':
      return target.url;
    default:
      return 'this machine';
  }
}
