// The wrapper and the stdin payload, run through a real local bash (the same program sshd would start).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PidLineReader, REMOTE_COMMAND, buildRemoteScript, shellSingleQuote } from '../../../src/main/targets/ssh/remote-script.js';

/** Runs REMOTE_COMMAND as sshd would (`sh -c COMMAND`) with the payload on stdin. */
function runWrapper(code: string, env: Record<string, string> = {}) {
  const run = spawnSync('sh', ['-c', REMOTE_COMMAND], { input: buildRemoteScript(code, env), encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status, signal: run.signal };
}

describe('the remote wrapper', () => {
  it('prints its PID first, then runs the block with its exit status', () => {
    const run = runWrapper('echo "pid=$$"; echo err >&2; exit 3');
    const [marker, output] = run.stdout.split('\n');
    expect(marker).toMatch(/^RUNBOOK_PID=\d+$/);
    expect(output).toBe(`pid=${marker!.slice('RUNBOOK_PID='.length)}`);
    expect(run.stderr).toBe('err\n');
    expect(run.status).toBe(3);
  });

  it('passes values byte for byte and hides its own variable from the block', () => {
    const tricky = `it's "q" $HOME \`id\` \\ ; $(echo no)\nline two ✓`;
    const run = runWrapper('printf "%s|%s" "$V" "${__runbook_block-unset}"', { V: tricky });
    expect(run.stdout.replace(/^RUNBOOK_PID=\d+\n/, '')).toBe(`${tricky}|unset`);
  });

  it('gives the block an empty stdin, as </dev/null would', () => {
    const run = runWrapper('if read -r line; then echo "read: $line"; else echo eof; fi\necho after');
    expect(run.stdout.replace(/^RUNBOOK_PID=\d+\n/, '')).toBe('eof\nafter\n');
  });

  it('dies of a signal the block sends itself, as bash -c would', () => {
    expect(runWrapper('kill -TERM $$').signal).toBe('SIGTERM');
  });

  it('refuses names bash cannot export and NUL characters', () => {
    expect(() => buildRemoteScript('true', { 'A-B': 'x' })).toThrow('environment variable name "A-B" is not a valid shell name');
    expect(() => buildRemoteScript('echo \0', {})).toThrow('NUL character');
  });

  it('single-quotes for POSIX shells', () => {
    expect(shellSingleQuote("a'b")).toBe(`'a'\\''b'`);
  });
});

describe('the PID line reader', () => {
  it('takes the marker even when it arrives in pieces, and never passes it on', () => {
    const reader = new PidLineReader();
    const push = (text: string) => reader.push(Buffer.from(text)).toString();
    expect(push('RUNBOOK_')).toBe('');
    expect(push('PID=42')).toBe('');
    expect(push('\nhello')).toBe('hello');
    expect(reader.pid).toBe(42);
    expect(push(' world\nRUNBOOK_PID=7\n')).toBe(' world\nRUNBOOK_PID=7\n');
    expect(reader.pid).toBe(42);
  });

  it('passes on what a login script printed before the marker', () => {
    const reader = new PidLineReader();
    expect(reader.push(Buffer.from('Welcome!\nRUNBOOK_PID=9\nout')).toString()).toBe('Welcome!\nout');
    expect(reader.pid).toBe(9);
  });

  it('gives back held text at the end when no marker came', () => {
    const reader = new PidLineReader();
    expect(reader.push(Buffer.from('bash: command not found\npartial')).toString()).toBe('');
    expect(reader.flush().toString()).toBe('bash: command not found\npartial');
    expect(reader.pid).toBeNull();
  });
});
