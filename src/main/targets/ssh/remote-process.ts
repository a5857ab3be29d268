// One block running on the remote host: an exec channel on the shared connection, its output streamed as
// it arrives, its exit status or signal taken from sshd, and stop() that really ends the remote process
// group (TERM, then KILL after a grace period), sent as separate execs on the same connection.
import type { Client, ClientChannel } from 'ssh2';
import { Utf8Stream } from '../../util/utf8-stream.js';
import { byteChunk, endChunk, pump } from '../output-chunk.js';
import type { OutputChunk } from '../types.js';
import { PidLineReader, REMOTE_COMMAND } from './remote-script.js';

/** How long a stopped process group gets between SIGTERM and SIGKILL (as for local blocks). */
export const KILL_GRACE_MS = 2000;
/** How long a kill request may take before we stop waiting for it. */
const KILL_REQUEST_LIMIT_MS = 5000;
/** After stop(), how long we wait for the channel to close before reporting without it. */
const STOP_LIMIT_MS = KILL_GRACE_MS + KILL_REQUEST_LIMIT_MS + 1000;

export interface RemoteOutcome {
  exitCode: number | null;
  signal: string | null;
  /** Why it could not run or finish normally (exec refused, connection lost); null otherwise. */
  problem: string | null;
  /** Set when stop() was called and the remote group could not be reached to be killed. */
  stopProblem: string | null;
}

export interface RemoteProcess {
  readonly outcome: Promise<RemoteOutcome>;
  stop(): void;
}

/** Runs a short command on the connection and resolves when its channel closes (or the limit passes). */
function execQuietly(client: Client, command: string): Promise<string | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(`no answer within ${KILL_REQUEST_LIMIT_MS} ms`), KILL_REQUEST_LIMIT_MS);
    const done = (problem: string | null) => {
      clearTimeout(timer);
      resolve(problem);
    };
    try {
      client.exec(command, (error, channel) => {
        if (error) return done(error.message);
        channel.on('data', () => undefined);
        channel.stderr.on('data', () => undefined);
        channel.on('error', (channelError: Error) => done(channelError.message));
        channel.on('close', () => done(null));
      });
    } catch (error) {
      done((error as Error).message);
    }
  });
}

/** `kill` for the group led by `pid`, falling back to the process alone if it leads no group. */
function killCommand(pid: number, signal: 'TERM' | 'KILL'): string {
  return `exec bash --norc --noprofile -c 'kill -s ${signal} -- -${pid} 2>/dev/null || kill -s ${signal} ${pid} 2>/dev/null; exit 0'`;
}

export function startRemoteProcess(client: Client, script: string, onOutput: (chunk: OutputChunk) => void): RemoteProcess {
  let channel: ClientChannel | null = null;
  let finished = false;
  let giveUp: (() => void) | null = null;
  let stopRequested = false;
  let termSent = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let stopProblem: string | null = null;
  const pidReader = new PidLineReader();
  const kills: Promise<void>[] = [];

  const sendKill = (signal: 'TERM' | 'KILL') => {
    const pid = pidReader.pid;
    if (pid === null) return;
    kills.push(
      execQuietly(client, killCommand(pid, signal)).then((problem) => {
        if (problem) stopProblem = `could not signal remote process group ${pid} (${signal}): ${problem}`;
      }),
    );
  };
  // Called on stop() and again when the PID arrives, whichever comes second does the work.
  const beginStop = () => {
    if (!stopRequested || termSent || pidReader.pid === null) return;
    termSent = true;
    sendKill('TERM');
    graceTimer = setTimeout(() => sendKill('KILL'), KILL_GRACE_MS);
  };

  const outcome = new Promise<RemoteOutcome>((resolve) => {
    let exitCode: number | null = null;
    let signal: string | null = null;
    let sawExit = false;
    const finish = async (problem: string | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(graceTimer);
      // Background children that ignored TERM may outlive the group leader: KILL the group before reporting.
      if (stopRequested && pidReader.pid !== null) sendKill('KILL');
      await Promise.all(kills);
      resolve({ exitCode, signal, problem: sawExit ? null : problem, stopProblem });
    };
    giveUp = () => {
      stopProblem ??= `the remote command did not end within ${STOP_LIMIT_MS} ms of being stopped; it may still be running`;
      channel?.close();
      void finish('stopped without an exit status');
    };
    try {
      client.exec(REMOTE_COMMAND, (error, opened) => {
        if (error) {
          void finish(`the server refused to run the command: ${error.message}`);
          return;
        }
        channel = opened;
        const text = { stdout: new Utf8Stream(), stderr: new Utf8Stream() };
        // The exact bytes, chunk by chunk. While the consumer is behind, the channel is not read: ssh2 then
        // stops granting the server window, so the remote command waits instead of the output piling up here.
        const emit = (stream: 'stdout' | 'stderr', bytes: Uint8Array): unknown => {
          // Nothing is reported after the outcome (only possible when stop gave up waiting).
          if (bytes.length > 0 && !finished) return onOutput(byteChunk(stream, bytes, text[stream])) as unknown;
          return undefined;
        };
        const ended = (stream: 'stdout' | 'stderr') => {
          const rest = endChunk(stream, text[stream]);
          if (rest && !finished) void onOutput(rest);
        };
        pump(opened, (data) => {
          const hadPid = pidReader.pid !== null;
          const answer = emit('stdout', pidReader.push(data));
          if (!hadPid && pidReader.pid !== null) beginStop();
          return answer;
        });
        pump(opened.stderr, (data) => emit('stderr', data));
        // ssh2 closes the channel once stdout has ended; stderr may still hold output its consumer has not
        // taken yet (it was paused), which is reported before the outcome.
        const stderrEnded = new Promise<void>((resolve) => {
          opened.stderr.once('end', resolve);
          opened.stderr.once('close', resolve);
        });
        // A stream error (say, writing the block after the server closed the channel) ends the block
        // like a lost connection; without a listener it would crash the process.
        opened.on('error', (channelError: Error) => void finish(`the channel failed: ${channelError.message}`));
        opened.on('exit', (code: number | null, signalName?: string) => {
          sawExit = true;
          exitCode = code;
          signal = code === null ? (signalName ?? null) : null;
        });
        opened.on('close', () => {
          void emit('stdout', pidReader.flush());
          ended('stdout');
          void stderrEnded.then(() => {
            ended('stderr');
            void finish('the connection closed before the command reported an exit status; its outcome is unknown');
          });
        });
        opened.end(script);
      });
    } catch (error) {
      void finish(`cannot run the command: ${(error as Error).message}`);
    }
  });

  return {
    outcome,
    stop() {
      // After the outcome the group is gone and its number may already belong to someone else.
      if (stopRequested || finished) return;
      stopRequested = true;
      // Without a PID yet, beginStop runs again when the PID line arrives.
      beginStop();
      setTimeout(() => giveUp?.(), STOP_LIMIT_MS).unref();
    },
  };
}
