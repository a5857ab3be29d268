// Before the first step: every target the plan uses, and every credential it needs, exists and answers.
// A run that would fail at step 7 for a missing password or a wrong port fails here instead, before
// anything changed, naming the target and why. Each check goes the way a run goes (the same ssh host-key
// policy, the same password sources, the same TLS settings) and then lets go of the connection. Details
// never carry a credential: they are masked with every credential value the targets read.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { KubernetesTarget, LocalTarget, PostgresTarget, PrometheusTarget, SshTarget, Target } from '../../shared/targets.js';
import type { TlsPlan } from '../targets/postgres/tls.js';
import type { PgSession } from '../targets/postgres/session.js';
import type { ExecutorContext } from '../targets/types.js';
import { SecretMasker } from './mask.js';
import { credentialValues } from './step-env.js';

// Each kind's check loads that kind's modules (and client library: ssh2, pg, @kubernetes/client-node) when
// a target of that kind is checked: a run's preflight loads only what its steps will use.

export interface PreflightResult {
  target: string;
  ok: boolean;
  /** What was checked and found, or exactly what is wrong; never a secret. */
  detail: string;
}

export interface PreflightOptions {
  /** Every target of the run: an ssh target's `jump` may name one the plan does not use itself. */
  allTargets?: ReadonlyMap<string, Target>;
  /** How long a check of one target may take, where its own settings do not say (ssh: connectTimeout). */
  timeoutMs?: number;
  /** For tests; default: this process's home directory and user, as the ssh executor uses. */
  homeDir?: string;
  localUser?: string;
}

/** How long one target's check may take where its own settings do not say. */
const PREFLIGHT_TIMEOUT_MS = 15_000;

/** libuv's search path for a command when the environment has no PATH. */
const DEFAULT_PATH = '/usr/bin:/bin';

/** How long a preflight waits for a server to acknowledge the end of its connection. */
const CLOSE_LIMIT_MS = 2_000;

class PreflightFailure extends Error {}

function fail(message: string): never {
  throw new PreflightFailure(message);
}

/**
 * Checks each target (only those the plan uses), one after another so that questions to the operator
 * (an unknown host key, a passphrase) come one at a time. Resolves one result per target, in order.
 */
export async function preflight(targets: Map<string, Target>, ctx: ExecutorContext, options: PreflightOptions = {}): Promise<PreflightResult[]> {
  const all = options.allTargets ?? targets;
  const masker = new SecretMasker();
  // Each named secret is read from the store once in a preflight (the masker's list, the check that it is
  // there and the connection all want it, and a store may ask the operator each time), and the values read
  // are let go of when the preflight ends.
  const read = new Map<string, Promise<string | null>>();
  const store = ctx.secret?.bind(ctx);
  const checking: ExecutorContext = {
    ...ctx,
    ...(store
      ? {
          secret: (name: string) => {
            let value = read.get(name);
            if (!value) read.set(name, (value = store(name)));
            return value;
          },
        }
      : {}),
    // A password the check was given some other way (the operator typed it) is masked too.
    secretInUse: (value) => {
      ctx.secretInUse?.(value);
      masker.add([value]);
    },
  };
  try {
    // Only the secrets of the targets checked are looked up: a store may ask the operator for each one.
    masker.add(await credentialValues(targets.values(), checking));
    const results: PreflightResult[] = [];
    for (const [name, target] of targets) {
      let result: PreflightResult;
      try {
        result = { target: name, ok: true, detail: await check(name, target, checking, options, all) };
      } catch (error) {
        result = { target: name, ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
      results.push({ ...result, detail: masker.mask(result.detail) });
    }
    return results;
  } finally {
    read.clear();
  }
}

function check(name: string, target: Target, ctx: ExecutorContext, options: PreflightOptions, all: ReadonlyMap<string, Target>): Promise<string> {
  const timeoutMs = options.timeoutMs ?? PREFLIGHT_TIMEOUT_MS;
  switch (target.kind) {
    case 'local':
      return Promise.resolve(checkLocal(target, ctx));
    case 'ssh':
      return checkSsh(target, ctx, options, all);
    case 'postgres':
      return checkPostgres(name, target, ctx, timeoutMs);
    case 'kubernetes':
      return checkKubernetes(target, ctx, timeoutMs);
    case 'prometheus':
      return checkPrometheus(target, timeoutMs);
  }
}

/** A regular file this process may access as `mode` (constants.X_OK, constants.R_OK) asks. */
function isFileWith(mode: number): (file: string) => boolean {
  return (file) => {
    try {
      accessSync(file, mode);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
}

const isExecutableFile = isFileWith(constants.X_OK);
const isReadable = isFileWith(constants.R_OK);

/** The shell exists and is executable (searched as spawn searches: the step's PATH), and cwd is a directory. */
function checkLocal(config: LocalTarget, ctx: ExecutorContext): string {
  const shell = config.shell ?? 'bash';
  const cwd = config.cwd ? path.resolve(ctx.baseDir, config.cwd) : ctx.baseDir;
  if (!existsSync(cwd)) fail(`working directory ${cwd} does not exist`);
  if (!statSync(cwd).isDirectory()) fail(`working directory ${cwd} is not a directory`);
  // The PATH the executor will start the shell with; without a step environment, the operator's.
  const searchPath = { ...(ctx.stepEnv?.(config) ?? { PATH: ctx.env.PATH }), ...config.env }.PATH ?? DEFAULT_PATH;
  const candidates = shell.includes('/') ? [path.resolve(cwd, shell)] : searchPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(path.resolve(cwd, dir), shell));
  const found = candidates.find(isExecutableFile);
  if (!found) fail(shell.includes('/') ? `shell ${candidates[0]} is not an executable file` : `shell "${shell}" is not found in the steps' PATH (${searchPath})`);
  return `${shell} (${found}) in ${cwd}`;
}

/**
 * Plans the connection as the executor does, checks that each hop has a way to log in (the key file the
 * target names exists; some key or an agent is there at all), then connects and authenticates every
 * hop under the run's host-key policy (the host's confirm decides on an unknown key) and disconnects.
 */
async function checkSsh(config: SshTarget, ctx: ExecutorContext, options: PreflightOptions, all: ReadonlyMap<string, Target>): Promise<string> {
  const [{ planConnection }, { openConnection }, { HostKeyTrust }, { localUserName }] = await Promise.all([
    import('../targets/ssh/plan.js'),
    import('../targets/ssh/connect.js'),
    import('../targets/ssh/host-key-trust.js'),
    import('../targets/ssh/executor.js'),
  ]);
  const plan = planConnection(config, ctx, {
    homeDir: options.homeDir ?? homedir(),
    localUser: options.localUser ?? localUserName(),
    lookupTarget: (jumpName) => {
      const jump = all.get(jumpName);
      return jump?.kind === 'ssh' ? jump : undefined;
    },
  });
  // The key file the operator named for this target must be there (ssh_config's are skipped when missing, as ssh does).
  const named = config.identityFile ? plan.target.identityFiles[0] : undefined;
  if (named && !isReadable(named)) fail(`${plan.target.label}: identity file ${named} ${existsSync(named) ? 'cannot be read' : 'does not exist'}`);
  for (const hop of [...plan.jumps, plan.target]) {
    const keys = hop.identityFiles.filter(isReadable);
    const agent = hop.agentSocket !== null && existsSync(hop.agentSocket);
    if (keys.length === 0 && !agent) {
      const agentText = hop.agentSocket ? `the ssh-agent socket ${hop.agentSocket} does not exist` : 'no ssh-agent (none configured and SSH_AUTH_SOCK not set)';
      fail(`${hop.label}: no way to log in: ${agentText} and none of ${hop.identityFiles.join(', ') || 'no identity file'} can be read`);
    }
  }
  const connection = await openConnection(plan, { ctx, trust: new HostKeyTrust(), keyCache: new Map() });
  const closed = new Promise<void>((resolve) => connection.client.once('close', () => resolve()));
  connection.client.end();
  await closed;
  return `${plan.endpoint}: connected and authenticated (${connection.notes.join('; ')})`;
}

/**
 * The password source the target names holds a value; then a connection made exactly as the executor
 * makes it (its password sources, TLS plan and error messages) runs SELECT 1 and is closed.
 */
async function checkPostgres(name: string, config: PostgresTarget, ctx: ExecutorContext, timeoutMs: number): Promise<string> {
  const [{ DEFAULT_PORT, postgresEndpoint, shownTls }, { describeConnectError }, { PasswordSource }, { PgSession }, { planTls }] = await Promise.all([
    import('../targets/postgres/endpoint.js'),
    import('../targets/postgres/errors.js'),
    import('../targets/postgres/password.js'),
    import('../targets/postgres/session.js'),
    import('../targets/postgres/tls.js'),
  ]);
  const fromEnv = config.passwordEnv ? Boolean(ctx.env[config.passwordEnv]) : false;
  if (!fromEnv && (config.passwordEnv || config.passwordSecret)) {
    const inStore = config.passwordSecret && ctx.secret ? Boolean(await ctx.secret(config.passwordSecret)) : false;
    if (!inStore) {
      const missing = [
        config.passwordEnv ? `passwordEnv: $${config.passwordEnv} is not set` : null,
        config.passwordSecret ? `passwordSecret: "${config.passwordSecret}" is not in the secret store${ctx.secret ? '' : ' (there is no secret store here)'}` : null,
      ].filter(Boolean);
      fail(`no password: ${missing.join('; ')}`);
    }
  }
  const port = config.port ?? DEFAULT_PORT;
  const endpoint = postgresEndpoint(config);
  const password = new PasswordSource(name, config, ctx);
  const connectTimeoutMs = timeoutMs;
  let tls: TlsPlan;
  try {
    tls = planTls(config, ctx.baseDir);
  } catch (error) {
    return fail(`${endpoint}: ${(error as Error).message}`);
  }
  let session: PgSession;
  try {
    session = await PgSession.open({ host: config.host, port, database: config.database, user: config.user, password, connectTimeoutMs }, tls, AbortSignal.timeout(timeoutMs));
  } catch (error) {
    return fail(describeConnectError(error, { endpoint, host: config.host, port, tls, passwordOrigin: password.origin, connectTimeoutMs }));
  }
  try {
    await session.client.query('SELECT 1');
  } catch (error) {
    return fail(`${endpoint}: SELECT 1 failed: ${(error as Error).message}`);
  } finally {
    await session.close(CLOSE_LIMIT_MS);
  }
  const { facts } = session;
  return `${endpoint}: SELECT 1 answered (PostgreSQL ${facts.serverVersion}, TLS ${shownTls(facts.tls)}${password.origin ? `, password from ${password.origin}` : ''})`;
}

/** The kubeconfig is readable and has the context; the API server answers /version, and /api with the user's credentials. */
async function checkKubernetes(config: KubernetesTarget, ctx: ExecutorContext, timeoutMs: number): Promise<string> {
  // The client is loaded here only because this run has a step on this target: it needs the client anyway.
  const [{ KubeClient }, { bindCluster, endpointOf }] = await Promise.all([import('../targets/kubernetes/client.js'), import('../targets/kubernetes/kubeconfig.js')]);
  const bound = bindCluster(config, ctx);
  const client = new KubeClient(bound);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const version = await client.json<{ gitVersion?: string }>('GET', '/version', { signal });
    // Clusters answer /version to anyone; discovery (/api) needs the user's credentials to be accepted.
    await client.json('GET', '/api', { signal });
    return `${endpointOf(bound)}: the API server answered /version (Kubernetes ${version.gitVersion ?? 'unknown version'}) and /api as ${bound.user} (${bound.auth})`;
  } catch (error) {
    if (signal.aborted) fail(`${bound.server}: no answer to /version within ${timeoutMs} ms`);
    throw error;
  } finally {
    await client.close();
  }
}

interface BuildInfo {
  status?: string;
  data?: { version?: string };
}

/** /api/v1/status/buildinfo answers as Prometheus' API does. */
async function checkPrometheus(config: PrometheusTarget, timeoutMs: number): Promise<string> {
  const { prometheusEndpoint } = await import('../targets/prometheus/endpoint.js');
  const endpoint = prometheusEndpoint(config.url);
  const url = `${endpoint.base}/api/v1/status/buildinfo`;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: endpoint.headers, signal });
    text = await response.text();
  } catch (error) {
    if (signal.aborted) fail(`${url}: no answer within ${timeoutMs} ms`);
    const cause = ((error as { cause?: unknown }).cause ?? error) as NodeJS.ErrnoException;
    return fail(`cannot reach Prometheus at ${endpoint.base}: ${cause.message}${cause.code ? ` [${cause.code}]` : ''}`);
  }
  let answer: BuildInfo | null = null;
  try {
    answer = JSON.parse(text) as BuildInfo;
  } catch {
    // Reported below with what came instead.
  }
  if (!response.ok || answer?.status !== 'success') fail(`${url} answered HTTP ${response.status}${answer ? '' : ' with something that is not the Prometheus API'}: ${text.slice(0, 200).trim()}`);
  return `${endpoint.base}: Prometheus ${answer?.data?.version ?? '(version not given)'} answered /api/v1/status/buildinfo${endpoint.basicAuth ? ' (basic auth from the URL)' : ''}`;
}

/**
 * A context that remembers the operator's answers for the life of one run: whether to trust an unknown
 * host key (by host and fingerprint) and a passphrase or password typed when asked (by question, in memory
 * only). Give the same one to preflight and the run, so what the operator answered before the first step
 * is not asked again by the run's own connection. A refused answer (null) is not remembered.
 */
export function rememberingHostKeyAnswers(ctx: ExecutorContext): ExecutorContext {
  const trusted = new Map<string, boolean>();
  const given = new Map<string, string>();
  const secret = new Set<string>();
  return {
    ...ctx,
    ask: async (question, options) => {
      const known = given.get(question);
      if (known !== undefined) return known;
      const answer = await ctx.ask(question, options);
      if (answer !== null) given.set(question, answer);
      if (answer !== null && options?.secret) secret.add(answer);
      return answer;
    },
    secretsGiven: () => [...secret, ...(ctx.secretsGiven?.() ?? [])],
    confirm: async (question, purpose) => {
      if (purpose !== 'trust-host-key') return ctx.confirm(question, purpose);
      const known = trusted.get(question);
      if (known !== undefined) return known;
      const answer = await ctx.confirm(question, purpose);
      trusted.set(question, answer);
      return answer;
    },
  };
}
