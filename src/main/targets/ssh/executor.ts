// The ssh target: one SSH connection (through jump hosts if configured) opened lazily by the first block
// and reused by every block of the run; each block an exec channel on it. The connection is reopened only
// if it dropped (a step may reboot the host); host-key decisions and decrypted keys outlive a reconnect.
import { userInfo, homedir } from 'node:os';
import type { ParsedKey } from 'ssh2';
import { type SshTarget, durationMs } from '../../../shared/targets.js';
import { ResultClock } from '../result.js';
import type { Execution, ExecutionRequest, ExecutionResult, Executor, ExecutorContext, TargetDescription } from '../types.js';
import { type SshConnection, openConnection } from './connect.js';
import { HostKeyTrust } from './host-key-trust.js';
import { type ConnectionPlan, planConnection } from './plan.js';
import { type RemoteProcess, startRemoteProcess } from './remote-process.js';
import { buildRemoteScript } from './remote-script.js';

export interface SshExecutorOptions {
  /** Resolves `jump: NAME` to another ssh target of the same targets file. */
  lookupTarget?: (name: string) => SshTarget | undefined;
  /** Overrides for tests; default: the process's home directory and user. */
  homeDir?: string;
  localUser?: string;
}

type StopReason = 'cancelled' | 'timed-out';

/** How long close() waits for the server to acknowledge the disconnect. */
const CLOSE_WAIT_MS = 2000;

/** The login name ssh uses when a target names no user (as OpenSSH does). */
export function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

export function createSshExecutor(name: string, config: SshTarget, ctx: ExecutorContext, options: SshExecutorOptions = {}): Executor {
  const trust = new HostKeyTrust();
  const keyCache = new Map<string, ParsedKey>();
  const running = new Set<{ stop: (reason: StopReason) => void; result: Promise<ExecutionResult> }>();
  let connecting: Promise<SshConnection> | null = null;
  let closed = false;

  // Planning reads ssh_config; a mistake there is reported by every block, not thrown at construction.
  let plan: ConnectionPlan | Error;
  try {
    plan = planConnection(config, ctx, {
      homeDir: options.homeDir ?? homedir(),
      localUser: options.localUser ?? localUserName(),
      ...(options.lookupTarget ? { lookupTarget: options.lookupTarget } : {}),
    });
  } catch (error) {
    plan = error as Error;
  }
  const target: TargetDescription = {
    name,
    kind: 'ssh',
    endpoint: plan instanceof Error ? `${config.user ? `${config.user}@` : ''}${config.host}${config.port ? `:${config.port}` : ''}` : plan.endpoint,
  };

  const connect = (): Promise<SshConnection> => {
    if (plan instanceof Error) return Promise.reject(plan);
    if (!connecting) {
      const attempt = openConnection(plan, { ctx, trust, keyCache });
      connecting = attempt;
      attempt.then(
        (connection) => {
          // A dropped connection is forgotten so the next block reconnects instead of failing.
          connection.client.once('close', () => {
            if (connecting === attempt) connecting = null;
          });
        },
        () => {
          // A failed attempt is not cached: the next block tries again (and reports its own error).
          if (connecting === attempt) connecting = null;
        },
      );
    }
    return connecting;
  };

  return {
    kind: 'ssh',
    name,
    start(request: ExecutionRequest): Execution {
      const clock = new ResultClock(target);
      const immediate = (error: string): Execution => ({ result: Promise.resolve(clock.finish({ status: 'error', error })), cancel: () => undefined });
      if (request.action !== 'shell') return immediate(`an ssh target runs shell blocks, not ${request.action}`);
      if (closed) return immediate(`the ssh target ${name} was already closed`);
      let script: string;
      try {
        script = buildRemoteScript(request.code, { ...config.env, ...request.env });
      } catch (error) {
        return immediate((error as Error).message);
      }

      // The block's time limit runs from start(), connecting included: it bounds what the operator waits for.
      const timeoutMs = request.timeoutMs ?? (config.timeout ? durationMs(config.timeout) : undefined);
      let stopReason: StopReason | null = null;
      let remote: RemoteProcess | null = null;
      let stoppedBeforeStart: (() => void) | null = null;
      const stopped = new Promise<void>((resolve) => (stoppedBeforeStart = resolve));

      let settled = false;
      const stop = (reason: StopReason) => {
        if (stopReason || settled) return;
        stopReason = reason;
        if (remote) remote.stop();
        else stoppedBeforeStart?.();
      };
      const timer = timeoutMs ? setTimeout(() => stop('timed-out'), timeoutMs) : undefined;
      const stopMessage = () => (stopReason === 'timed-out' ? `timed out after ${timeoutMs} ms` : 'cancelled by the operator');

      const result = (async (): Promise<ExecutionResult> => {
        let connection: SshConnection;
        try {
          const first = await Promise.race([connect(), stopped.then(() => null)]);
          if (first === null) {
            return clock.finish({ status: stopReason!, error: `${stopMessage()} before the connection to ${target.endpoint} was ready; nothing ran` });
          }
          connection = first;
        } catch (error) {
          return clock.finish({ status: 'error', error: (error as Error).message });
        }
        remote = startRemoteProcess(connection.client, script, request.onOutput);
        const outcome = await remote.outcome;
        const notes = [...connection.notes];
        const base = { exitCode: outcome.exitCode, signal: outcome.signal, notes };
        if (stopReason) {
          // "cancelled"/"timed-out" promise that the remote work stopped; if we could not make sure, say so.
          if (outcome.stopProblem) return clock.finish({ ...base, status: 'error', error: `${stopMessage()}, but ${outcome.stopProblem}` });
          return clock.finish({ ...base, status: stopReason, error: stopMessage() });
        }
        if (outcome.problem) return clock.finish({ ...base, status: 'error', error: `${target.endpoint}: ${outcome.problem}` });
        const succeeded = outcome.exitCode === 0;
        return clock.finish({
          ...base,
          status: succeeded ? 'succeeded' : 'failed',
          error: succeeded ? null : outcome.signal ? `killed by ${outcome.signal}` : `exit status ${outcome.exitCode}`,
        });
      })().finally(() => {
        settled = true;
        clearTimeout(timer);
      });

      const entry = { stop, result };
      running.add(entry);
      void result.finally(() => running.delete(entry));
      return { result, cancel: () => stop('cancelled') };
    },
    async close(): Promise<void> {
      closed = true;
      // Blocks still running are stopped for real before the connection they need to do so goes away.
      const pending = [...running];
      for (const entry of pending) entry.stop('cancelled');
      await Promise.allSettled(pending.map((entry) => entry.result));
      const current = connecting;
      connecting = null;
      if (!current) return;
      const connection = await current.catch(() => null);
      if (!connection) return;
      // Ending the target's client ends the chain (see openConnection); wait for its socket to close, but
      // not forever: a socket that already closed emits nothing more.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_WAIT_MS);
        connection.client.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        connection.client.end();
      });
    },
  };
}
