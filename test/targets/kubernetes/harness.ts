// Shared by the kubernetes executor suites: the fake API server, executors bound to it through a real
// kubeconfig file (TLS against the fake's CA, bearer token), and seed objects shaped as a cluster has them.
import { createKubernetesExecutor } from '../../../src/main/targets/kubernetes/executor.js';
import type { ExecutionRequest, ExecutionResult, Executor, ExecutorContext, OutputChunk } from '../../../src/main/targets/types.js';
import type { KubernetesTarget } from '../../../src/shared/targets.js';
import type { FakeKubeApi } from '../../fakes/kube-api.js';
import type { JsonObject } from '../../fakes/kube-patch.js';

export interface Started {
  execution: ReturnType<Executor['start']>;
  output: OutputChunk[];
  text(stream: OutputChunk['stream']): string;
  /** Resolves once `pattern` has appeared on `stream` (observation, not a sleep). */
  seen(pattern: string | RegExp, stream?: OutputChunk['stream']): Promise<void>;
  done(): Promise<ExecutionResult>;
}

export function context(api: FakeKubeApi, overrides: Partial<ExecutorContext> = {}): ExecutorContext {
  // PATH without kubectl unless a test gives one: the native subset must not lean on a binary.
  return { baseDir: api.dir, env: { HOME: api.dir, PATH: '/nonexistent' }, ask: async () => null, confirm: async () => false, ...overrides };
}

export class Executors {
  private readonly all: Executor[] = [];

  constructor(private readonly api: FakeKubeApi) {}

  make(config: Partial<KubernetesTarget> = {}, ctx: Partial<ExecutorContext> = {}): Executor {
    const e = createKubernetesExecutor('k8s', { kind: 'kubernetes', kubeconfig: 'kubeconfig', ...config }, context(this.api, ctx), { pollIntervalMs: 5 });
    this.all.push(e);
    return e;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all.map((e) => e.close()));
  }
}

export function start(e: Executor, code: string, extra: Partial<ExecutionRequest> = {}): Started {
  const output: OutputChunk[] = [];
  const waiters: { stream: OutputChunk['stream'] | undefined; pattern: string | RegExp; resolve: () => void }[] = [];
  const text = (stream: OutputChunk['stream']) => output.filter((c) => c.stream === stream).map((c) => c.data).join('');
  const check = () => {
    for (const w of [...waiters]) {
      const all = w.stream ? text(w.stream) : output.map((c) => c.data).join('');
      if (typeof w.pattern === 'string' ? all.includes(w.pattern) : w.pattern.test(all)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const execution = e.start({
    blockId: 'b',
    action: 'shell',
    code,
    onOutput: (chunk) => {
      output.push(chunk);
      check();
    },
    ...extra,
  });
  return {
    execution,
    output,
    text,
    seen: (pattern, stream) =>
      new Promise<void>((resolve) => {
        waiters.push({ stream, pattern, resolve });
        check();
      }),
    done: () => execution.result,
  };
}

export const run = (e: Executor, code: string, extra: Partial<ExecutionRequest> = {}) => {
  const s = start(e, code, extra);
  return s.done().then((result) => ({ result, stdout: s.text('stdout'), stderr: s.text('stderr'), info: s.text('info') }));
};

const ago = (ms: number) => new Date(Date.now() - ms).toISOString().replace(/\.\d+Z$/, 'Z');
export const DAY = 86_400_000;

export function deployment(name: string, options: { namespace?: string; replicas?: number; image?: string; containers?: string[]; age?: number } = {}): JsonObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: options.namespace ?? 'default', labels, creationTimestamp: ago(options.age ?? 3 * DAY) },
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: (options.containers ?? ['app']).map((c) => ({ name: c, image: options.image ?? `registry.example/${name}:1.0`, env: [{ name: 'MODE', value: 'blue' }] })) },
      },
    },
  };
}

export function pod(name: string, options: { namespace?: string; labels?: Record<string, string>; containers?: string[]; phase?: string; ready?: boolean; restarts?: number; age?: number; node?: string; ip?: string } = {}): JsonObject {
  const containers = options.containers ?? ['app'];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: options.namespace ?? 'default', labels: options.labels ?? {}, creationTimestamp: ago(options.age ?? 2 * 3_600_000) },
    spec: { nodeName: options.node ?? 'node-1', containers: containers.map((c) => ({ name: c, image: 'registry.example/app:1.0' })) },
    status: {
      phase: options.phase ?? 'Running',
      podIP: options.ip ?? '10.1.0.7',
      containerStatuses: containers.map((c) => ({ name: c, ready: options.ready ?? true, restartCount: options.restarts ?? 0, state: { running: {} } })),
    },
  };
}
