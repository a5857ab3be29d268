// The local target: bash (or the configured shell) in its own process group, so that cancel and timeout
// stop the whole tree the block started, not just the shell.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { type LocalTarget, durationMs } from '../../../shared/targets.js';
import { Utf8Stream } from '../../util/utf8-stream.js';
import { byteChunk, endChunk, pump } from '../output-chunk.js';
import { ResultClock } from '../result.js';
import type { Execution, ExecutionRequest, ExecutionResult, Executor, ExecutorContext } from '../types.js';

/** How long a cancelled process group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2000;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function createLocalExecutor(name: string, config: LocalTarget, ctx: ExecutorContext): Executor {
  const shell = config.shell ?? 'bash';
  const cwd = config.cwd ? path.resolve(ctx.baseDir, config.cwd) : ctx.baseDir;

  return {
    kind: 'local',
    name,
    start(request: ExecutionRequest): Execution {
      const clock = new ResultClock({ name, kind: 'local', endpoint: `${shell} in ${cwd}` });
      if (request.action !== 'shell') {
        const result = Promise.resolve(clock.finish({ status: 'error', error: `a local target runs shell blocks, not ${request.action}` }));
        return { result, cancel: () => undefined };
      }
      let stopReason: 'cancelled' | 'timed-out' | null = null;
      let graceTimer: NodeJS.Timeout | undefined;
      const child = spawn(shell, ['-c', request.code], {
        cwd,
        // Never process.env: it holds the credentials of every target (a postgres passwordEnv …), and a
        // step is the runbook's code whose output is recorded. The run engine says what a step may see.
        env: { ...ctx.stepEnv?.(config), ...config.env, ...request.env },
        detached: true, // its own process group: kill(-pid) reaches every child it starts
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stop = (reason: 'cancelled' | 'timed-out') => {
        if (stopReason || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
        stopReason = reason;
        const pid = child.pid;
        killGroup(pid, 'SIGTERM');
        graceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
        graceTimer.unref();
      };
      const timeoutMs = request.timeoutMs ?? (config.timeout ? durationMs(config.timeout) : undefined);
      const timeout = timeoutMs ? setTimeout(() => stop('timed-out'), timeoutMs) : undefined;

      // The output is handed over as it is read, exact bytes and all, in chunks of at most 64 KiB; while the
      // consumer is behind, the pipe is not read, so the block's processes wait on a full pipe instead of
      // the output piling up in memory.
      for (const stream of ['stdout', 'stderr'] as const) {
        const source = child[stream];
        const text = new Utf8Stream();
        pump(source, (data) => request.onOutput(byteChunk(stream, data, text)));
        source.on('end', () => {
          const rest = endChunk(stream, text);
          if (rest) void request.onOutput(rest);
        });
      }

      const result = new Promise<ExecutionResult>((resolve) => {
        child.once('error', (error) => {
          clearTimeout(timeout);
          resolve(clock.finish({ status: 'error', error: `cannot start ${shell}: ${error.message}` }));
        });
        // 'close' waits for stdout and stderr to end, so no output arrives after the result.
        child.once('close', (code, signal) => {
          clearTimeout(timeout);
          clearTimeout(graceTimer);
          // A background child may still hold the group; make sure nothing the block started survives a stop.
          if (stopReason && child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
          if (stopReason) {
            resolve(clock.finish({
              status: stopReason,
              exitCode: code,
              signal,
              error: stopReason === 'timed-out' ? `timed out after ${timeoutMs} ms` : 'cancelled by the operator',
            }));
          } else {
            resolve(clock.finish({
              status: code === 0 ? 'succeeded' : 'failed',
              exitCode: code,
              signal,
              error: code === 0 ? null : signal ? `killed by ${signal}` : `exit status ${code}`,
            }));
          }
        });
      });
      return { result, cancel: () => stop('cancelled') };
    },
    close: async () => undefined,
  };
}
