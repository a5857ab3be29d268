// Creates the executor for a target by its kind. Each kind's module, and with it its client library (ssh2,
// pg and libpg-query, @kubernetes/client-node), is loaded when the first block on such a target starts,
// not when the run starts: a run of local steps never loads the Kubernetes client, even when the targets
// file defines a Kubernetes target.
import type { Target } from '../../shared/targets.js';
import { lazyExecutor } from './lazy-executor.js';
import { createLocalExecutor } from './local/executor.js';
import type { Executor, ExecutorContext } from './types.js';

/** `targets` lets an ssh target name another ssh target as its jump host. */
export function createExecutor(name: string, target: Target, ctx: ExecutorContext, targets: Readonly<Record<string, Target>> = {}): Executor {
  switch (target.kind) {
    case 'local':
      // Nothing to load: node:child_process is already there.
      return createLocalExecutor(name, target, ctx);
    case 'ssh':
      return lazyExecutor(name, target, async () =>
        (await import('./ssh/executor.js')).createSshExecutor(name, target, ctx, {
          lookupTarget: (jumpName) => {
            const jump = Object.hasOwn(targets, jumpName) ? targets[jumpName] : undefined;
            return jump?.kind === 'ssh' ? jump : undefined;
          },
        }),
      );
    case 'postgres':
      return lazyExecutor(name, target, async () => (await import('./postgres/executor.js')).createPostgresExecutor(name, target, ctx));
    case 'kubernetes':
      return lazyExecutor(name, target, async () => (await import('./kubernetes/executor.js')).createKubernetesExecutor(name, target, ctx));
    case 'prometheus':
      return lazyExecutor(name, target, async () => (await import('./prometheus/executor.js')).createPrometheusExecutor(name, target, ctx));
  }
}
