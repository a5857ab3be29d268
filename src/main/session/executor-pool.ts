// One executor per target for the whole run (so an SSH or database connection is reused across steps),
// created on first use and closed at the end.
import type { Target } from '../../shared/targets.js';
import type { Executor, ExecutorContext } from '../targets/types.js';
import type { Binding } from './binding.js';

export type ExecutorFactory = (name: string, target: Target, ctx: ExecutorContext) => Executor;

export class ExecutorPool {
  private readonly executors = new Map<string, Executor>();

  constructor(
    private readonly ctx: ExecutorContext,
    private readonly create: ExecutorFactory,
  ) {}

  executorFor(binding: Binding): Executor {
    let executor = this.executors.get(binding.targetName);
    if (!executor) {
      executor = this.create(binding.targetName, binding.target, this.ctx);
      this.executors.set(binding.targetName, executor);
    }
    return executor;
  }

  async closeAll(): Promise<void> {
    const all = [...this.executors.values()];
    this.executors.clear();
    await Promise.allSettled(all.map((e) => e.close()));
  }
}
