// The one assembly every host runs a run through (the CLI, `runbook serve` and the desktop app):
// targets → plan → verdicts and value checks → preflight → variables → journal → executors → session.
// A host supplies only what is its own (how it asks the operator, where keys live); every rule that
// decides whether and where something runs is applied here, the same way everywhere.
import type { Profile, Runbook } from '../../shared/runbook-model.js';
import type { Target, TargetsFile } from '../../shared/targets.js';
import { type ApprovalPolicy, type OperatorKey, approversProblem, operatorKey, recordApprovers } from '../audit/approval.js';
import type { Installation } from '../audit/installation.js';
import type { MacKeyStore } from '../audit/key-store.js';
import { createExecutor } from '../targets/registry.js';
import type { ExecutorContext } from '../targets/types.js';
import { type TargetSet, BindingError, targetSet } from './binding.js';
import { type BlockRequests, cachedBlockRequest, describeValueProblem } from './block-request.js';
import { ExecutorPool } from './executor-pool.js';
import { type PlannedStep, type RunPlan, planRun } from './plan.js';
import { preflight } from './preflight.js';
import { RETENTION_DAYS, atLeast, profileProblems } from './profile-rules.js';
import { type RunProblem, problem } from './problems.js';
import { RunJournal, type RunOptions, currentOperator } from './run-journal.js';
import { RunSession, type RunSessionOptions } from './runner.js';
import { SecretMasker } from './mask.js';
import { credentialValues, stepEnvFor } from './step-env.js';
import { type ResolvedVariables, type VariableRequest, isSecretVariable, resolveVariables } from './variables.js';
import { type Verdict, verdictOf } from './verdict.js';
import type { DurableRecord } from '../audit/journal-writer.js';
import type { ShipperOptions, StoreShipper } from '../store/ship.js';
import type { StoreEndpoint } from '../store/url.js';

export interface RunRequest {
  runbook: Runbook;
  runbookBytes: Uint8Array;
  /** The operator's targets (the CLI's targets file, the app's settings); the runbook only names targets. */
  targets: TargetsFile | null;
  profile: Profile;
  only?: readonly string[];
  /** Values the operator gave (--var, the start form). */
  given: ReadonlyMap<string, string>;
  /** Asks for a value nobody gave; absent where nobody can answer. */
  askVariable?: (name: string, info: { secret: boolean; description?: string }) => Promise<string | null>;
  /** Whether the operator was named explicitly (REGULATED and above require it). */
  operatorNamed: boolean;
  /**
   * RESTRICTED: the approvers' allowed_signers text, or why there is none. Read once, before the run: the
   * text is recorded in run.started and is the only list approvals are checked against.
   */
  approvers: { text: string; source: string } | { problem: string } | null;
  /**
   * Keys the operator names as their own before the run (the key the export will be signed with): recorded,
   * and never accepted as an approver's. The installation key and the ssh-agent's keys are added at start.
   */
  operatorKeys?: readonly { source: 'export-key' | 'named'; publicKey: string }[];
  /** The environment the run was started in (credential variables, $VAR values on local targets). */
  env: NodeJS.ProcessEnv;
}

export interface PreparedRun {
  request: RunRequest;
  set: TargetSet;
  plan: RunPlan;
  variables: ResolvedVariables;
  /** Read-only or not, per block id, proven by a parser; a block without one counts as state-changing. */
  verdicts: Map<string, Verdict>;
  /** Everything that stops steps from running, each with its code; the CLI refuses to start on any. */
  problems: RunProblem[];
  /** Each block's prepared request (by target kind), made while checking values; the session reuses them. */
  requests: BlockRequests;
}

/** Names of the targets the plan uses (only those are preflighted). */
function usedTargets(plan: RunPlan): Map<string, Target> {
  const used = new Map<string, Target>();
  for (const planned of plan.steps) {
    if (planned.skip) continue;
    for (const { binding } of planned.blocks) used.set(binding.targetName, binding.target);
  }
  return used;
}

/**
 * Each executable block's verdict, by block id. Given the plan, only the blocks of steps it may run: a step
 * the plan skips (above the run's profile, not selected by --only) is never run, bound or shown with a
 * verdict (the console hides it), so its blocks are not parsed. Every block of a step that runs is judged,
 * also one left unbound, which the operator may still bind and run.
 */
export async function blockVerdicts(runbook: Runbook, plan?: RunPlan): Promise<Map<string, Verdict>> {
  const steps = plan ? plan.steps.flatMap((planned) => (planned.skip === null ? [planned.step] : [])) : runbook.steps;
  const verdicts = new Map<string, Verdict>();
  for (const step of steps) {
    for (const block of step.blocks) if (block.action !== 'display') verdicts.set(block.id, await verdictOf(block));
  }
  return verdicts;
}

/** Every value problem of every block that will run, listed at once, each naming file, line, step and variable. */
export async function valueProblems(runbook: Runbook, steps: readonly PlannedStep[], values: ReadonlyMap<string, string>, verdicts: ReadonlyMap<string, Verdict>, requests: BlockRequests): Promise<RunProblem[]> {
  const problems: RunProblem[] = [];
  for (const planned of steps) {
    if (planned.skip) continue;
    for (const { block, binding } of planned.blocks) {
      const prepared = await cachedBlockRequest(requests, block, binding.target.kind, values, verdicts.get(block.id));
      if (prepared.ok) continue;
      for (const p of prepared.problems) problems.push(problem('value-unsafe', describeValueProblem(runbook.file ?? runbook.title, planned.step.id, p), { stepId: planned.step.id }));
    }
  }
  return problems;
}

/** Decides everything about a run before anything is recorded or run. Nothing here touches a target. */
export async function prepareRun(request: RunRequest): Promise<PreparedRun> {
  const { runbook, profile } = request;
  let set: TargetSet;
  try {
    set = targetSet(runbook, request.targets, request.runbookBytes);
  } catch (error) {
    if (error instanceof BindingError) throw new RunRefused([problem('targets-in-runbook', `${runbook.file ?? runbook.title}:${error.line ?? 1}: ${error.message}`)]);
    throw error;
  }
  const plan = planRun(runbook, set, { profile, ...(request.only ? { only: request.only } : {}) });
  const problems: RunProblem[] = plan.issues.map((issue) => problem('plan', issue.message, { stepId: issue.stepId, blockId: issue.blockId, planKind: issue.kind }));
  // Something the author wrote was not read (a front matter that does not close, say, and with it the profile):
  // running what was read instead could run a RESTRICTED runbook as STANDARD.
  for (const d of runbook.warnings) {
    if (d.severity === 'error') problems.unshift(problem('runbook-error', `${d.file}:${d.line}:${d.column}: ${d.message} [${d.code}]: fix the runbook before running it`));
  }
  for (const text of profileProblems(profile, plan, { operatorNamed: request.operatorNamed })) problems.push(problem('profile', text));
  if (atLeast(profile, 'restricted')) {
    if (!request.approvers) problems.push(problem('approvers', 'profile restricted: state-changing steps need a second person\'s approval: name the approvers\' allowed_signers file'));
    else if ('problem' in request.approvers) problems.push(problem('approvers', request.approvers.problem));
    else {
      const unusable = approversProblem(request.approvers.text, request.approvers.source);
      if (unusable) problems.push(problem('approvers', `profile restricted: ${unusable}`));
    }
    if (request.operatorKeys?.length) {
      // Read with ssh2's key parser, loaded only when there are keys to read.
      const { keyFrom } = await import('../audit/operator-keys.js');
      for (const k of request.operatorKeys) {
        if (!keyFrom(k.source, k.publicKey)) problems.push(problem('approvers', `the operator's ${k.source === 'export-key' ? 'export key' : 'key'} is not an SSH public key: ${JSON.stringify(k.publicKey.slice(0, 80))}`));
      }
    }
  }

  const verdicts = await blockVerdicts(runbook, plan);

  const stepEnv = stepEnvOf(request.env, set);
  const requests: VariableRequest[] = [];
  for (const planned of plan.steps) {
    if (planned.skip) continue;
    for (const { block, binding } of planned.blocks) {
      const target = binding.target;
      const env: Record<string, string>[] = [target.kind === 'local' || target.kind === 'ssh' ? (target.env ?? {}) : {}];
      // $VAR means what it means in the operator's shell, less the credentials of targets (unless exposed).
      env.push(stepEnv(target));
      for (const name of block.variables) requests.push({ name, targetEnv: env });
      // ${NAME:-default} …: a value is passed when there is one; otherwise the code's default applies.
      for (const name of block.optionalVariables ?? []) requests.push({ name, targetEnv: env, optional: true });
    }
  }
  const variables = await resolveVariables(runbook, requests, {
    given: request.given,
    ...(request.askVariable ? { ask: request.askVariable } : {}),
  });
  if (variables.missing.length > 0) {
    problems.push(problem('variable-missing', `no value for ${variables.missing.join(', ')}: give them when starting the run (the start form; --var NAME=VALUE, NAME=@FILE or NAME=- on the command line), as a front-matter default, or run on a terminal to be asked`));
  }
  const blockRequests: BlockRequests = new Map();
  problems.push(...(await valueProblems(runbook, plan.steps, variables.values, verdicts, blockRequests)));
  return { request, set, plan, variables, verdicts, problems, requests: blockRequests };
}

/** The environment a step of `target` starts with: the operator's, less every target's credentials. */
function stepEnvOf(env: NodeJS.ProcessEnv, set: TargetSet): (target: Target) => Record<string, string> {
  return (target) => stepEnvFor(target, env, set.targets.values());
}

/**
 * Checks that every target and credential the run needs (or those given) exists and answers; one
 * problem per failure. The CLI checks the whole run before it starts; the console, each step's targets
 * before that step first runs.
 */
export async function preflightRun(prepared: PreparedRun, ctx: ExecutorContext, targets: Map<string, Target> = usedTargets(prepared.plan)): Promise<RunProblem[]> {
  const results = await preflight(targets, { ...ctx, stepEnv: stepEnvOf(prepared.request.env, prepared.set) }, { allTargets: prepared.set.targets });
  return results.filter((r) => !r.ok).map((r) => problem('preflight', `target "${r.target}": ${r.detail}`, { target: r.target }));
}

/** A run that must not start, with every reason at once. */
export class RunRefused extends Error {
  constructor(readonly problems: RunProblem[]) {
    super(`cannot run:\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
  }
}

export interface StartOptions {
  runId: string;
  dir: string;
  operatorName: string | undefined;
  tool: { name: string; version: string };
  /** What the host records of how it was asked to run (the CLI's options, or the console's). */
  options: RunOptions;
  keys: MacKeyStore;
  installation: Installation;
  ctx: ExecutorContext;
  /** The team store the run's records are shipped to as they become durable (store/ship.ts), if any. */
  store?: StoreShipping | null;
  /** Told when shipping moves on, starts failing or recovers (the console shows the lag). */
  onStoreChange?: ShipperOptions['onChange'];
  /** The host's part of the session: how it confirms, approves and shows events. */
  session: Omit<RunSessionOptions, 'runbook' | 'plan' | 'variables' | 'executors' | 'outputDir' | 'recorder' | 'verdicts' | 'profile' | 'secrets' | 'requests'>;
}

/** Where a run ships its records: the store, its URL read once by the host (store/url.ts). */
export interface StoreShipping {
  endpoint: StoreEndpoint;
  /**
   * Whether a state-changing block waits for the store to hold every record before it (storeGate). Unset:
   * on in RESTRICTED, off below. Recorded in run.started (store.gate) either way.
   */
  gate?: boolean | undefined;
  /** The secret store's name for the store's password, when the host's settings name one. */
  passwordSecret?: string | undefined;
}

/** Whether a run's state-changing blocks wait for the team store: as the host set it, else RESTRICTED's default. */
export function storeGateOn(store: Pick<StoreShipping, 'gate'>, profile: Profile): boolean {
  return store.gate ?? atLeast(profile, 'restricted');
}

export interface StartedRun {
  journal: RunJournal;
  /** Shipping to the team store, when the run has one; the host closes it after the seal. */
  shipper: StoreShipper | null;
  pool: ExecutorPool;
  session: RunSession;
  /** RESTRICTED: the approvers list and the operator's keys exactly as run.started recorded them. */
  policy: ApprovalPolicy | null;
}

/** Each started run's recorded approval policy, for hosts that hold only its journal. */
const policies = new WeakMap<RunJournal, ApprovalPolicy>();

/** The approval policy run.started recorded for this journal's run (null when the run needs no approvals). */
export function recordedPolicy(journal: RunJournal): ApprovalPolicy | null {
  return policies.get(journal) ?? null;
}

/**
 * What a RESTRICTED run fixes before it starts: the approvers list and every key the operator controls
 * (the installation key, keys named as the operator's, the keys in the operator's ssh-agent).
 */
async function approvalPolicy(prepared: PreparedRun, options: StartOptions, operator: string): Promise<ApprovalPolicy | null> {
  const { approvers, profile } = prepared.request;
  if (!atLeast(profile, 'restricted') || !approvers || !('text' in approvers)) return null;
  const { agentKeys, keyFrom, uniqueKeys } = await import('../audit/operator-keys.js');
  const named = (prepared.request.operatorKeys ?? []).flatMap((k) => keyFrom(k.source, k.publicKey) ?? []);
  const keys: OperatorKey[] = uniqueKeys([operatorKey('installation', options.installation.key.publicKeyLine), ...named, ...(await agentKeys(prepared.request.env.SSH_AUTH_SOCK))]);
  return { approvers: recordApprovers(approvers.text, approvers.source), operator, operatorKeys: keys };
}

/** Opens the run's journal, its executors and its session. Records `run.started`; runs nothing. */
export async function startRun(prepared: PreparedRun, options: StartOptions): Promise<StartedRun> {
  // Targets' credentials (from the environment or the secret store) are masked like secret variables.
  // The team store's password (from its URL or the environment) is masked wherever it could show up.
  // The team store is a PostgreSQL target like any other to the masker (its passwordEnv), plus a password
  // its URL may carry.
  const credentials = await runCredentials(prepared, options.ctx, options.store ?? null);
  const { runbook, profile, runbookBytes } = prepared.request;
  const operator = currentOperator(options.operatorName);
  const policy = await approvalPolicy(prepared, options, operator.name);
  const known = new SecretMasker([...prepared.variables.secretValues, ...credentials, ...(options.ctx.secretsGiven?.() ?? [])]);
  const shipper = await storeShipper(options.store, options.runId, options.dir, options.ctx, options.onStoreChange);
  const journal = RunJournal.start(
    options.dir,
    {
      runId: options.runId,
      runbook,
      runbookBytes,
      profile,
      operator,
      tool: options.tool,
      // RESTRICTED: who may approve and which keys are the operator's, fixed here for the whole run.
      options: policy ? { ...options.options, approvers: policy.approvers, operator_keys: [...policy.operatorKeys] } : options.options,
      // The values the run starts with, so the record (and the report) says what ran; never one that is or
      // holds a secret known now (a secret variable's, a credential, a passphrase typed at preflight).
      variables: [...prepared.variables.values].map(([name, value]) => {
        const secret = isSecretVariable(runbook, name);
        const source = prepared.variables.sources.get(name) ?? 'unknown';
        // A value from a target's env is the operator's configuration (a connection URL may hold a password): never journaled.
        return { name, secret, source, value: secret || source === 'target env' || known.mask(value) !== value ? null : value };
      }),
      ...(options.store ? { store: { url: options.store.endpoint.shown, gate: storeGateOn(options.store, profile) } } : {}),
    },
    options.keys,
    options.installation,
    { retentionDays: RETENTION_DAYS[profile], ...(shipper ? { onDurable: (records: readonly DurableRecord[]) => shipper.durable(records) } : {}) },
  );
  return openSession(prepared, options, journal, policy, credentials, shipper && options.store ? { shipper, gate: storeGateOn(options.store, profile) } : null);
}

/**
 * The run's shipper to the team store. Nothing connects yet: that happens in the background, and loads the
 * PostgreSQL client then.
 */
export async function storeShipper(store: StoreShipping | null | undefined, runId: string, dir: string, ctx: Pick<ExecutorContext, 'secret'>, onChange?: ShipperOptions['onChange']): Promise<StoreShipper | null> {
  if (!store) return null;
  const { StoreShipper } = await import('../store/ship.js');
  return new StoreShipper(runId, dir, {
    ...(onChange ? { onChange } : {}),
    connect: async () => {
      const { connectStore } = await import('../store/connect.js');
      return connectStore(store.endpoint, { purpose: 'shipping', ...storeSecret(store, ctx) });
    },
  });
}

/**
 * The credentials a run masks wherever they could show up: its targets', and the team store's — as the store
 * is a PostgreSQL target like any other to the masker (its password from the environment or its named secret),
 * plus a password its URL may carry.
 */
async function runCredentials(prepared: PreparedRun, ctx: ExecutorContext, store: Pick<StoreShipping, 'endpoint' | 'passwordSecret'> | null): Promise<Awaited<ReturnType<typeof credentialValues>>> {
  const storeTargets = store ? [{ ...store.endpoint.target, ...(store.passwordSecret ? { passwordSecret: store.passwordSecret } : {}) }] : [];
  return [...(await credentialValues([...prepared.set.targets.values(), ...storeTargets], ctx)), ...(store?.endpoint.password ? [store.endpoint.password] : [])];
}

/** How the store's password is looked up in the secret store, when the host names a secret for it. */
export function storeSecret(store: Pick<StoreShipping, 'passwordSecret'>, ctx: Pick<ExecutorContext, 'secret'>): { passwordSecret?: string; secret?: (name: string) => Promise<string | null> } {
  return store.passwordSecret && ctx.secret ? { passwordSecret: store.passwordSecret, secret: ctx.secret } : {};
}

/**
 * Goes on with a run whose journal was reopened (RunJournal.resume): the same executors and session as a
 * started run, over the same journal; `policy` is the approval policy its run.started recorded (RESTRICTED).
 */
export async function resumeRun(prepared: PreparedRun, options: Omit<StartOptions, 'runId' | 'operatorName' | 'tool' | 'options' | 'installation' | 'store'> & { store?: { shipper: StoreShipper; gate: boolean; endpoint: StoreEndpoint; passwordSecret?: string | undefined } | null }, journal: RunJournal, policy: ApprovalPolicy | null): Promise<StartedRun> {
  const credentials = await runCredentials(prepared, options.ctx, options.store ? { endpoint: options.store.endpoint, passwordSecret: options.store.passwordSecret } : null);
  return openSession(prepared, options, journal, policy, credentials, options.store ?? null);
}

/** The executors and the session of a run whose journal is open. */
function openSession(prepared: PreparedRun, options: Pick<StartOptions, 'dir' | 'ctx' | 'session'>, journal: RunJournal, policy: ApprovalPolicy | null, credentials: Awaited<ReturnType<typeof credentialValues>>, store: { shipper: StoreShipper; gate: boolean } | null = null): StartedRun {
  const { runbook, profile } = prepared.request;
  const targets = Object.fromEntries(prepared.set.targets);
  let session: RunSession | null = null;
  const ctx: ExecutorContext = {
    ...options.ctx,
    stepEnv: stepEnvOf(prepared.request.env, prepared.set),
    // A credential an executor uses is masked by the session from then on, however it came: one the host's
    // own question already told the session of, one remembered from preflight, one re-read from the store.
    secretInUse: (value) => {
      options.ctx.secretInUse?.(value);
      session?.addSecret(value);
    },
  };
  const pool = new ExecutorPool(ctx, (name, target, c) => createExecutor(name, target, c, targets));
  session = new RunSession({
    ...options.session,
    runbook,
    profile,
    plan: prepared.plan,
    variables: prepared.variables,
    verdicts: prepared.verdicts,
    requests: prepared.requests,
    secrets: credentials,
    executors: pool,
    outputDir: `${options.dir}/output`,
    recorder: journal,
    ...(store?.gate ? { storeGate: () => storeGate(store.shipper) } : {}),
  });
  if (policy) policies.set(journal, policy);
  return { journal, pool, session, policy, shipper: store?.shipper ?? null };
}

/** How long a state-changing block waits for the team store to hold the run's records (when its gate is on). */
export const STORE_GATE_MS = 10_000;

/**
 * RESTRICTED: a state-changing block starts only once the team store holds every record so far — its
 * step.started and approval included — so the store witnesses what is about to be done before it is.
 */
async function storeGate(shipper: StoreShipper): Promise<string | null> {
  const status = await shipper.flush(STORE_GATE_MS);
  if (status.diverged) return `the team store will not take this run's records (${status.diverged}); this run starts no state-changing step without it (its store gate is on)`;
  if (status.lag > 0) return `the team store has not got ${status.lag} of this run's records within ${STORE_GATE_MS / 1000} s (${status.problem ?? 'still shipping'}); this run starts no state-changing step until it has them all (its store gate is on)`;
  return null;
}
