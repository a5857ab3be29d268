// The kubernetes target: k8s-manifest blocks (server-side dry-run, diff, operator confirmation, server-side
// apply) and shell blocks of kubectl lines, run natively through @kubernetes/client-node against the
// target's pinned kubeconfig context, or through the kubectl binary pinned the same way. Each result says
// where it ran (server, context, namespace, user, how the user authenticates; never a credential), and
// cancel() and the block's timeout abort whatever is in flight: requests, log streams, rollout polls,
// kubectl children, the wait for the operator's answer.
import { type KubernetesTarget, durationMs } from '../../../shared/targets.js';
import { ResultClock } from '../result.js';
import type { Execution, ExecutionRequest, ExecutionResult, Executor, ExecutorContext, ResultSet, TargetDescription } from '../types.js';
import { nowIso } from '../types.js';
import { applyObjects } from './apply.js';
import { KubeClient } from './client.js';
import type { CommandEnv, Output } from './command-env.js';
import { BlockControl } from './control.js';
import { CommandFailed, KubeApiError, KubectlExited, UsageError, classify } from './errors.js';
import { LineFailure, runKubectlLines } from './kubectl-block.js';
import { parseKubectlLines } from './kubectl-lines.js';
import { type BoundCluster, KubeconfigError, bindCluster, detailsOf, endpointOf, kubeconfigFiles } from './kubeconfig.js';
import { parseManifest } from './manifest.js';
import { ResourceResolver } from './resources.js';

/** Pause between polls of `rollout status` (kubectl watches; a poll a second is as prompt for an operator). */
export const ROLLOUT_POLL_MS = 1000;

export interface KubernetesExecutorOptions {
  pollIntervalMs?: number;
}

interface Connection {
  cluster: BoundCluster;
  client: KubeClient;
  resources: ResourceResolver;
  /** "server Kubernetes v1.31.0", once learnt. */
  version: string | null;
}

export function createKubernetesExecutor(name: string, config: KubernetesTarget, ctx: ExecutorContext, options: KubernetesExecutorOptions = {}): Executor {
  const configTimeoutMs = config.timeout ? durationMs(config.timeout) : undefined;
  const pollIntervalMs = options.pollIntervalMs ?? ROLLOUT_POLL_MS;
  let connection: Connection | null = null;
  let closed = false;
  /** Blocks in flight: close() stops them and waits for their results before closing the connections. */
  const active = new Map<BlockControl, Promise<unknown>>();

  /** Loads the kubeconfig on first use; a failure is reported by the block and tried again by the next. */
  function connect(): Connection {
    if (connection) return connection;
    const cluster = bindCluster(config, ctx);
    const client = new KubeClient(cluster);
    const resources = new ResourceResolver((path, signal) => client.json('GET', path, { signal }));
    connection = { cluster, client, resources, version: null };
    return connection;
  }

  /** The server's version, as the first request of the run: it also proves the address, TLS and credentials. */
  async function learnVersion(c: Connection, control: BlockControl, notes: string[]): Promise<void> {
    if (c.version) {
      notes.push(c.version);
      return;
    }
    try {
      const version = await c.client.json<{ gitVersion?: string }>('GET', '/version', { signal: control.signal });
      c.version = `server Kubernetes ${version.gitVersion ?? 'of unknown version'}`;
      notes.push(c.version);
    } catch (error) {
      // Some clusters deny /version; that is no reason to stop. Refused credentials and transport errors are.
      if (error instanceof KubeApiError && error.code !== 401) notes.push(`server version unknown (${error.kubectlText})`);
      else throw error;
    }
  }

  function describeFailure(error: unknown, control: BlockControl, timeoutMs: number | undefined, user: string, multiLine: boolean, out: Output) {
    const line = error instanceof LineFailure ? error.line : null;
    const cause = error instanceof LineFailure ? error.cause : error;
    const failure = classify(cause, control.reason, timeoutMs, user);
    if (!control.reason) {
      // As kubectl prints it, so the transcript reads like a terminal's.
      const printed =
        cause instanceof KubeApiError ? cause.kubectlText : cause instanceof KubectlExited ? null : cause instanceof CommandFailed || cause instanceof UsageError ? `error: ${cause.message}` : null;
      if (printed) out.stderr(`${printed}\n`);
    }
    if (line && multiLine) failure.error = `line ${line.line} (${line.text}): ${failure.error}`;
    else if (line && control.reason) failure.error = `${failure.error} during ${line.text}`;
    return failure;
  }

  async function runBlock(request: ExecutionRequest, clock: ResultClock, target: TargetDescription, control: BlockControl, timeoutMs: number | undefined): Promise<ExecutionResult> {
    const notes: string[] = [];
    const resultSets: ResultSet[] = [];
    const finish = (fields: Omit<Parameters<ResultClock['finish']>[0], 'notes' | 'resultSets'>) => clock.finish({ ...fields, notes, resultSets });
    if (closed) return finish({ status: 'error', error: `the executor for target ${name} is closed` });
    if (request.action !== 'shell' && request.action !== 'k8s-manifest') {
      return finish({ status: 'error', error: `a kubernetes target runs k8s-manifest blocks and kubectl lines in shell blocks, not ${request.action}` });
    }
    // Refusals first: they need no cluster.
    let lines: ReturnType<typeof parseKubectlLines> | null = null;
    let manifest: ReturnType<typeof parseManifest> | null = null;
    try {
      if (request.action === 'shell') {
        lines = parseKubectlLines(request.code);
        if (!lines.ok) return finish({ status: 'error', error: lines.reason });
      } else {
        manifest = parseManifest(request.code, 'the block');
        if (manifest.length === 0) return finish({ status: 'error', error: 'the manifest block has no Kubernetes object' });
      }
    } catch (error) {
      return finish({ status: 'error', error: (error as Error).message });
    }

    let c: Connection;
    try {
      c = connect();
    } catch (error) {
      return finish({ status: 'error', error: error instanceof KubeconfigError ? error.message : `cannot load the kubeconfig: ${(error as Error).message}` });
    }
    target.endpoint = endpointOf(c.cluster);
    target.details = detailsOf(c.cluster);
    notes.push(`kubeconfig ${c.cluster.files.join(', ')}, context ${c.cluster.context}, namespace ${c.cluster.namespace}, user ${c.cluster.user} (${c.cluster.auth})`);
    if (c.cluster.skipTlsVerify) notes.push('the kubeconfig turns off TLS certificate checks for this cluster (insecure-skip-tls-verify)');

    const out: Output = {
      stdout: (data) => request.onOutput({ stream: 'stdout', data, at: nowIso() }),
      stderr: (data) => request.onOutput({ stream: 'stderr', data, at: nowIso() }),
      info: (data) => request.onOutput({ stream: 'info', data, at: nowIso() }),
    };
    const env: CommandEnv = {
      cluster: c.cluster,
      endpoint: target.endpoint,
      client: c.client,
      resources: c.resources,
      control,
      out,
      notes,
      resultSets,
      baseDir: ctx.baseDir,
      // 'apply-change': the host's policy for reviewed changes (e.g. --yes) applies to this question.
      confirm: (question) => ctx.confirm(question, 'apply-change'),
      pollIntervalMs,
    };
    const multiLine = (lines?.ok ? lines.lines.length : 0) > 1;
    try {
      await learnVersion(c, control, notes);
      if (lines?.ok) await runKubectlLines({ ...env, processEnv: { ...(ctx.stepEnv?.(config) ?? ctx.env), ...request.env } }, lines.lines);
      else if (manifest) await applyObjects(env, manifest, { namespace: null, forceConflicts: false });
    } catch (error) {
      const failure = describeFailure(error, control, timeoutMs, c.cluster.user, multiLine, out);
      return finish({ status: failure.status, error: failure.error, exitCode: failure.exitCode });
    }
    if (control.reason) notes.push(`${control.reason === 'cancelled' ? 'cancel' : 'timeout'} came after the work had completed`);
    return finish({ status: 'succeeded', exitCode: 0 });
  }

  return {
    kind: 'kubernetes',
    name,
    start(request: ExecutionRequest): Execution {
      // Filled in once the kubeconfig is loaded; until then it names what the target points at.
      const { files } = kubeconfigFiles(config, ctx);
      const target: TargetDescription = { name, kind: 'kubernetes', endpoint: `kubeconfig ${files.join(', ') || '(none)'} context=${config.context ?? '(current)'}` };
      const clock = new ResultClock(target);
      const control = new BlockControl();
      const timeoutMs = request.timeoutMs ?? configTimeoutMs;
      const deadline = timeoutMs ? setTimeout(() => control.stop('timed-out'), timeoutMs) : undefined;
      const result = runBlock(request, clock, target, control, timeoutMs)
        .catch((error: unknown) => clock.finish({ status: 'error', error: `internal error in the kubernetes executor: ${(error as Error).message}` }))
        .finally(() => {
          clearTimeout(deadline);
          active.delete(control);
        });
      active.set(control, result);
      return { result, cancel: () => control.stop('cancelled') };
    },
    async close(): Promise<void> {
      closed = true;
      for (const control of active.keys()) control.stop('cancelled');
      await Promise.allSettled(active.values());
      const current = connection;
      connection = null;
      await current?.client.close();
    },
  };
}
