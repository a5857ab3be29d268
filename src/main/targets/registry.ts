// Creates the executor for a target by its kind.
import type { Target } from '../../shared/targets.js';
import { createKubernetesExecutor } from './kubernetes/executor.js';
import { createLocalExecutor } from './local/executor.js';
import { createPostgresExecutor } from './postgres/executor.js';
import { createPrometheusExecutor } from './prometheus/executor.js';
import { createSshExecutor } from './ssh/executor.js';
import type { Executor, ExecutorContext } from './types.js';

/** `targets` lets an ssh target name another ssh target as its jump host. */
export function createExecutor(name: string, target: Target, ctx: ExecutorContext, targets: Readonly<Record<string, Target>> = {}): Executor {
  switch (target.kind) {
    case 'local':
      return createLocalExecutor(name, target, ctx);
    case 'ssh':
      return createSshExecutor(name, target, ctx, {
        lookupTarget: (jumpName) => {
          const jump = Object.hasOwn(targets, jumpName) ? targets[jumpName] : undefined;
          return jump?.kind === 'ssh' ? jump : undefined;
        },
      });
    case 'postgres':
      return createPostgresExecutor(name, target, ctx);
    case 'kubernetes':
      return createKubernetesExecutor(name, target, ctx);
    case 'prometheus':
      return createPrometheusExecutor(name, target, ctx);
  }
}
