// Test-only fault injection, switched on by environment variables that only the test suite sets, so a
// built CLI can be crashed or starved of disk at an exact point without a debugger or root:
//
//   RUNBOOK_CONSOLE_TEST_CRASH=<point>[@<n>]        kill -9 this process the n-th time (default: the first)
//                                                  execution reaches <point> (see crashPoint calls)
//   RUNBOOK_CONSOLE_TEST_FAULT=<op>:<CODE>[@<n>],…  from the n-th <op> on (default: the first), fail it with
//                                                  errno CODE (ENOSPC, EIO, …); ops: journal.write,
//                                                  journal.fsync, output.write, output.fsync
//
// Unset (always, outside tests) each point costs one environment lookup and changes nothing.
import * as fs from 'node:fs';

const reached = new Map<string, number>();

function count(name: string): number {
  const n = (reached.get(name) ?? 0) + 1;
  reached.set(name, n);
  return n;
}

/** Whether the test asked to crash at this (n-th) arrival at `point`; the caller then does its partial work and calls dieNow. */
export function crashRequested(point: string): boolean {
  const spec = process.env.RUNBOOK_CONSOLE_TEST_CRASH;
  if (!spec) return false;
  const [name, nth] = spec.split('@');
  if (name !== point) return false;
  return count(`crash ${point}`) === Number(nth ?? 1);
}

/** kill -9 here when the test asked for it: no exit handler, no flush, no lock release. */
export function crashPoint(point: string): void {
  if (crashRequested(point)) dieNow();
}

export function dieNow(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL to oneself is delivered before the next instruction; block in case it is not.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

const MESSAGES: Record<string, string> = { ENOSPC: 'no space left on device', EIO: 'i/o error', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system' };

/** Throws the errno error a test asked for on this `op` (e.g. output.write), like the real system call would. */
export function injectFault(op: string): void {
  const spec = process.env.RUNBOOK_CONSOLE_TEST_FAULT;
  if (!spec) return;
  for (const item of spec.split(',')) {
    const m = /^([a-z.]+):([A-Z]+)(?:@(\d+))?$/.exec(item.trim());
    if (!m || m[1] !== op) continue;
    if (count(`fault ${op}`) < Number(m[3] ?? 1)) return;
    const code = m[2] as string;
    throw Object.assign(new Error(`${code}: ${MESSAGES[code] ?? 'injected fault'}, ${op.split('.').pop()}`), { code, syscall: op.split('.').pop() });
  }
}

/** The file operations a durable writer uses (the journal, a block's output); tests inject failures (ENOSPC, EIO) through this. */
export interface WriterIo {
  openSync(file: string, flags: number, mode: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
}

/** node:fs, with the test's faults injected into `<scope>.write` and `<scope>.fsync`. */
export function faultInjectingIo(scope: 'journal' | 'output'): WriterIo {
  return {
    openSync: (file, flags, mode) => fs.openSync(file, flags, mode),
    writeSync: (fd, b, o, l) => {
      injectFault(`${scope}.write`);
      return fs.writeSync(fd, b, o, l);
    },
    fsyncSync: (fd) => {
      injectFault(`${scope}.fsync`);
      fs.fsyncSync(fd);
    },
  };
}
