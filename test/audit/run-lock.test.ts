// One writer per run: run.lock is exclusive, names its holder, is refused while the holder lives (and the
// refusal writes nothing), is stale once the holder is gone (dead, a zombie, a reused pid, another boot),
// cannot be judged from another host, and a holder whose lock was taken from it stops writing. The journal
// is opened O_APPEND. Attacks first; the positive controls beside them.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { currentBootId } from '../../src/main/audit/clock.js';
import { JournalWriteError, JournalWriter } from '../../src/main/audit/journal-writer.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { JOURNAL_FILE } from '../../src/main/audit/record.js';
import { recordAccess } from '../../src/main/audit/access-log.js';
import { ACCESS_LOCK_FILE, type LockHolder, RUN_LOCK_FILE, RunLockLostError, RunLockedError, acquireRunLock, inspectRunLock, removeLockLeftovers } from '../../src/main/audit/run-lock.js';
import { REPO_ROOT } from '../support/shared.js';
import { noteData, runStartedData } from './record-fixtures.js';

const LOCK_MODULE = pathToFileURL(path.join(REPO_ROOT, 'dist/main/audit/run-lock.js')).href;

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'run-lock-'));
const listing = (dir: string) => readdirSync(dir).sort();
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A pid that certainly belonged to a process now gone (spawnSync has reaped it). */
function deadPid(): number {
  const res = spawnSync(process.execPath, ['-e', '']);
  return res.pid as number;
}

function writeLock(dir: string, holder: Partial<LockHolder>): void {
  const full: LockHolder = { pid: process.pid, host: hostname(), boot_id: currentBootId(), started: '2025-01-02T03:04:05.678Z', proc_start: null, purpose: 'run', nonce: 'f'.repeat(24), ...holder };
  writeFileSync(path.join(dir, RUN_LOCK_FILE), `${JSON.stringify(full)}\n`);
}

/** Another process that takes the lock (through the built module) and holds it until its stdin closes. */
async function holderProcess(dir: string): Promise<ChildProcessWithoutNullStreams> {
  const script = `const { acquireRunLock } = await import(${JSON.stringify(LOCK_MODULE)}); acquireRunLock(${JSON.stringify(dir)}, { purpose: 'run' }); process.stdout.write('locked\\n'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('locked')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the holder exited (${code}) before taking the lock`)));
  });
  return child;
}

const exited = (child: ChildProcessWithoutNullStreams) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve())));

describe('run lock', () => {
  it('a second writer is refused at once, naming the holder (pid, host, start time), and writes nothing', async () => {
    const dir = tempDir();
    const holder = await holderProcess(dir);
    const before = listing(dir);
    const lockBytes = readFileSync(path.join(dir, RUN_LOCK_FILE));
    let refused: unknown;
    try {
      acquireRunLock(dir, { purpose: 'export', takeStale: true });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RunLockedError);
    const message = (refused as Error).message;
    expect(message).toContain(`pid ${holder.pid} on host ${hostname()} since 20`);
    expect(message).toContain('(runbook run)');
    expect(message).toContain('nothing was written');
    expect((refused as RunLockedError).judged.state).toBe('alive');
    expect(listing(dir)).toEqual(before);
    expect(readFileSync(path.join(dir, RUN_LOCK_FILE)).equals(lockBytes)).toBe(true);
    // Positive control: when the holder ends normally its lock goes with it, and the next writer gets it.
    holder.stdin.end();
    await exited(holder);
    expect(listing(dir)).not.toContain(RUN_LOCK_FILE);
    const { lock, tookOver } = acquireRunLock(dir, { purpose: 'export' });
    expect(tookOver).toBeNull();
    lock.release();
  });

  it('a holder killed with -9 leaves a stale lock: detected, refused to a plain writer, taken over by recovery', async () => {
    const dir = tempDir();
    const holder = await holderProcess(dir);
    holder.kill('SIGKILL');
    await exited(holder);
    const judged = inspectRunLock(dir);
    expect(judged).toMatchObject({ state: 'stale', holder: { pid: holder.pid, host: hostname(), boot_id: currentBootId(), purpose: 'run' } });
    expect(() => acquireRunLock(dir, { purpose: 'run' })).toThrow(/no longer running.*runbook recover/);
    const { lock, tookOver } = acquireRunLock(dir, { purpose: 'recover', takeStale: true });
    expect(tookOver?.holder?.pid).toBe(holder.pid);
    expect(JSON.parse(readFileSync(path.join(dir, RUN_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, purpose: 'recover' });
    lock.release();
    expect(listing(dir)).toEqual([]);
  });

  it('judges a dead pid, a zombie, a reused pid and an earlier boot stale; another host and an unreadable lock unknown', () => {
    const dir = tempDir();
    writeLock(dir, { pid: deadPid() });
    expect(inspectRunLock(dir)?.state).toBe('stale');
    // This very pid, but a process that started at another time: the pid was reused.
    writeLock(dir, { pid: process.ppid, proc_start: '1' });
    expect(inspectRunLock(dir)).toMatchObject({ state: 'stale', why: expect.stringContaining('another process') });
    writeLock(dir, { pid: process.ppid, boot_id: '00000000-0000-0000-0000-000000000000' });
    if (!currentBootId().startsWith('process-')) expect(inspectRunLock(dir)).toMatchObject({ state: 'stale', why: expect.stringContaining('restarted') });
    writeLock(dir, { pid: process.ppid, host: 'some-other-host.example' });
    expect(inspectRunLock(dir)).toMatchObject({ state: 'unknown' });
    expect(() => acquireRunLock(dir, { purpose: 'export', takeStale: true })).toThrow(/another host|some-other-host.*--break-lock/s);
    writeFileSync(path.join(dir, RUN_LOCK_FILE), 'not a lock');
    expect(inspectRunLock(dir)).toMatchObject({ state: 'unknown', holder: null });
    expect(() => acquireRunLock(dir, { purpose: 'export', takeStale: true })).toThrow(RunLockedError);
    // Positive controls: a live process is alive; breaking an unknown lock is the operator's explicit choice.
    writeLock(dir, { pid: process.ppid });
    expect(inspectRunLock(dir)?.state).toBe('alive');
    writeLock(dir, { pid: process.ppid, host: 'some-other-host.example' });
    const { lock, tookOver } = acquireRunLock(dir, { purpose: 'recover', breakUnknown: true });
    expect(tookOver?.state).toBe('unknown');
    lock.release();
  });

  it.skipIf(!existsProc())('a holder that died but was never reaped (a zombie) is stale', async () => {
    const dir = tempDir();
    // A parent that forks a child which exits at once, and never waits for it: a zombie. (A shell could reap
    // its background job before exec'ing; perl's fork without wait cannot.)
    const parent = spawn('perl', ['-e', '$| = 1; my $pid = fork(); exit 0 if $pid == 0; print "$pid\n"; sleep 60;'], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(parent);
    const zombie = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString('utf8').trim()))));
    // Bounded wait for the kernel to mark it (no event tells a parent's parent that a grandchild exited).
    const deadline = Date.now() + 5_000;
    while (procState(zombie) !== 'Z' && Date.now() < deadline) await new Promise<void>((resolve) => setTimeout(resolve, 2));
    expect(procState(zombie)).toBe('Z');
    writeLock(dir, { pid: zombie });
    expect(inspectRunLock(dir)?.state).toBe('stale');
  });

  it('a holder whose lock was removed or taken over stops writing the journal', () => {
    const root = tempDir();
    const dir = path.join(root, 'run');
    const keys = new FileMacKeyStore(path.join(root, 'keys'));
    const { lock } = acquireRunLock(dir, { purpose: 'run' });
    const { writer, macKeyCommitment } = JournalWriter.create(dir, 'run-lock-guard-0001', { keys, guard: () => lock.check() });
    writer.append('run.started', runStartedData(dir, macKeyCommitment));
    // Someone deletes run.lock and a second process takes the directory.
    renameSync(path.join(dir, RUN_LOCK_FILE), path.join(root, 'moved.lock'));
    writeLock(dir, { pid: process.ppid, nonce: 'a'.repeat(24) });
    expect(() => lock.check()).toThrow(RunLockLostError);
    expect(() => writer.append('step.note', noteData('second writer'))).toThrow(/taken over by pid/);
    expect(() => writer.append('step.note', noteData('again'))).toThrow(JournalWriteError);
    expect(readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').trimEnd().split('\n')).toHaveLength(1);
    // release never removes a lock that is not its own.
    lock.release();
    expect(JSON.parse(readFileSync(path.join(dir, RUN_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.ppid });
    writer.close();
    rmSync(path.join(dir, RUN_LOCK_FILE));
    expect(() => lock.check()).toThrow(RunLockLostError);
  });

  it('the access log has its own lock: a second access writer is refused, the run\'s lock does not block it', () => {
    const root = tempDir();
    const dir = path.join(root, 'run');
    const keys = new FileMacKeyStore(path.join(root, 'keys'));
    const run = acquireRunLock(dir, { purpose: 'run' });
    recordAccess(dir, 'run-access-lock-01', 'verify', { result: 'ok', warnings: [] }, keys);
    const access = acquireRunLock(dir, { purpose: 'access', file: ACCESS_LOCK_FILE });
    expect(() => recordAccess(dir, 'run-access-lock-01', 'verify', { result: 'ok', warnings: [] }, keys)).toThrow(/in use by pid \d+ .*\(recording an access\)/);
    access.lock.release();
    run.lock.release();
    recordAccess(dir, 'run-access-lock-01', 'verify', { result: 'ok', warnings: [] }, keys);
    expect(readFileSync(path.join(dir, 'access.jsonl'), 'utf8').trimEnd().split('\n')).toHaveLength(2);
    expect(listing(dir)).toEqual(['access.jsonl']);
  });

  it('leftovers of a lock taking killed half-way are removed, live ones are kept', () => {
    const dir = tempDir();
    const dead = deadPid();
    writeFileSync(path.join(dir, `.run.lock.${dead}.${'0'.repeat(24)}`), '{}');
    writeFileSync(path.join(dir, `.run.lock.${process.ppid}.${'1'.repeat(24)}`), '{}');
    writeFileSync(path.join(dir, `run.lock.stale-${dead}-${'2'.repeat(12)}`), '{}');
    removeLockLeftovers(dir);
    expect(listing(dir)).toEqual([`.run.lock.${process.ppid}.${'1'.repeat(24)}`]);
  });

  it.skipIf(!existsProc())('the journal is opened append-only (O_APPEND), on create and on reopen', () => {
    const root = tempDir();
    const dir = path.join(root, 'run');
    const keys = new FileMacKeyStore(path.join(root, 'keys'));
    const file = path.join(dir, JOURNAL_FILE);
    const { writer, macKeyCommitment } = JournalWriter.create(dir, 'run-append-only-01', { keys });
    writer.append('run.started', runStartedData(dir, macKeyCommitment));
    expect(openFlags(file)).toSatisfy((flags: number[]) => flags.length === 1 && flags.every((f) => (f & 0o2000) !== 0));
    writer.close();
    const reopened = JournalWriter.reopen(dir, { keys }).writer;
    expect(openFlags(file)).toSatisfy((flags: number[]) => flags.length === 1 && flags.every((f) => (f & 0o2000) !== 0));
    reopened.close();
    expect(openFlags(file)).toEqual([]);
  });
});

function existsProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] ?? null;
  } catch {
    return null;
  }
}

/** The open flags (octal in /proc/self/fdinfo) of every descriptor this process holds on `file`. */
function openFlags(file: string): number[] {
  const flags: number[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== file) continue;
    const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    flags.push(Number.parseInt(/^flags:\s+([0-7]+)/m.exec(info)?.[1] ?? '0', 8));
  }
  return flags;
}
