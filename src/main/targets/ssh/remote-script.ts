// How a block travels to the remote host and how it is found again to be stopped.
//
// The exec request carries only a fixed wrapper; the block (with its `export NAME='value'` lines) goes
// over the channel's stdin. Why not `bash -c '<block>'` on the command line: the command line of every
// process is world-readable in /proc on the remote host, and exported values may be secrets; a command
// line is also capped at 128 KiB per argument. The wrapper reads all of stdin (we send EOF after the
// block), so commands in the block that read stdin see EOF as they would with </dev/null, and `eval`s it
// in the same bash, keeping `exit`, `$$` and signals the same as `bash -c`.
//
// Before reading, the wrapper prints `RUNBOOK_PID=<pid>` on stdout. sshd starts a non-pty session's
// command with setsid(), so that bash is its process group leader and the group holds everything the
// block starts; cancel kills that group over a second exec on the same connection. (Closing the channel
// does not stop a pty-less command, and OpenSSH refuses "signal" requests without privilege separation,
// e.g. for root logins: both verified against Debian's sshd.)
import { shellSingleQuote } from '../../../shared/shell-quote.js';

export const PID_MARKER = 'RUNBOOK_PID=';

/** The variable the wrapper holds the block in; unset first thing, so the block never sees it. */
const SCRIPT_VARIABLE = '__runbook_block';

/**
 * The fixed exec command. Single-line, plain quoting: any login shell (sh, bash, zsh) parses it the same.
 * --norc: the login shell sshd started has already read the user's startup files, as for `ssh host cmd`;
 * Debian's bash would otherwise read ~/.bashrc a second time (it does so whenever it sees SSH_CLIENT),
 * which costs every block whatever that file does (pyenv init alone takes ~100 ms).
 */
export const REMOTE_COMMAND = `exec bash --norc --noprofile -c 'printf "${PID_MARKER}%s\\n" "$$"; ${SCRIPT_VARIABLE}=$(cat); eval "$${SCRIPT_VARIABLE}"'`;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// POSIX single quoting, one function for the whole project (src/shared/shell-quote.ts).
export { shellSingleQuote };

/** The stdin payload: unset the holder variable, export the environment, then the block as written. */
export function buildRemoteScript(code: string, env: Record<string, string>): string {
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) throw new Error(`environment variable name "${name}" is not a valid shell name`);
  }
  if (code.includes('\0')) throw new Error('the block contains a NUL character, which bash cannot run');
  const exports = Object.entries(env).map(([name, value]) => {
    if (value.includes('\0')) throw new Error(`the value of environment variable ${name} contains a NUL character`);
    return `export ${name}=${shellSingleQuote(value)}\n`;
  });
  return `unset ${SCRIPT_VARIABLE}\n${exports.join('')}${code}\n`;
}

/**
 * Splits the wrapper's PID line off the start of stdout. Anything a login script printed before it is
 * passed on as output; the marker line itself never is.
 */
export class PidLineReader {
  private buffer: Buffer = Buffer.alloc(0);
  private done = false;
  pid: number | null = null;

  /** Feeds stdout's bytes; returns the bytes that are block output (the marker line taken out). */
  push(bytes: Uint8Array): Buffer {
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.done) return data;
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    let lineStart = 0;
    for (;;) {
      const newline = this.buffer.indexOf(10, lineStart);
      if (newline < 0) break;
      const line = this.buffer.toString('latin1', lineStart, newline);
      if (line.startsWith(PID_MARKER) && /^\d+$/.test(line.slice(PID_MARKER.length))) {
        this.pid = Number(line.slice(PID_MARKER.length));
        this.done = true;
        const output = Buffer.concat([this.buffer.subarray(0, lineStart), this.buffer.subarray(newline + 1)]);
        this.buffer = Buffer.alloc(0);
        return output;
      }
      lineStart = newline + 1;
    }
    // Without a marker in the first 64 KiB something else runs the command; stop holding output back.
    if (this.buffer.length > 65_536) return this.flush();
    return Buffer.alloc(0);
  }

  /** Whatever is still held back (at the end of the stream). */
  flush(): Buffer {
    this.done = true;
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }
}
