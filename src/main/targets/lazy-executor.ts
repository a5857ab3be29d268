// An executor whose module is loaded when its first block starts (registry.ts): the real executor is made
// then, once, and every block goes to it. A block cancelled while the module loads never starts; a module
// that cannot be loaded is that block's error, and the next block tries again.
import type { Target } from '../../shared/targets.js';
import { ResultClock } from './result.js';
import type { Execution, ExecutionRequest, ExecutionResult, Executor } from './types.js';

export function lazyExecutor(name: string, target: Target, load: () => Promise<Executor>): Executor {
  let loading: Promise<Executor> | null = null;
  let closed = false;
  const executor = (): Promise<Executor> => {
    if (!loading) {
      const attempt = load();
      loading = attempt;
      attempt.catch(() => {
        if (loading === attempt) loading = null;
      });
    }
    return loading;
  };
  const describe = { name, kind: target.kind, endpoint: `${target.kind} target ${name}` };

  return {
    kind: target.kind,
    name,
    start(request: ExecutionRequest): Execution {
      const clock = new ResultClock(describe);
      let cancelled = false;
      let inner: Execution | null = null;
      const result = (async (): Promise<ExecutionResult> => {
        if (closed) return clock.finish({ status: 'error', error: `the ${target.kind} target ${name} was already closed` });
        let real: Executor;
        try {
          real = await executor();
        } catch (error) {
          return clock.finish({ status: 'error', error: `cannot load the ${target.kind} executor: ${(error as Error).message}` });
        }
        if (closed) return clock.finish({ status: 'error', error: `the ${target.kind} target ${name} was already closed` });
        if (cancelled) return clock.finish({ status: 'cancelled', error: 'cancelled by the operator before it started; nothing ran' });
        inner = real.start(request);
        return inner.result;
      })();
      return {
        result,
        cancel: () => {
          cancelled = true;
          inner?.cancel();
        },
      };
    },
    async close(): Promise<void> {
      closed = true;
      const real = await loading?.catch(() => null);
      await real?.close();
    },
  };
}
