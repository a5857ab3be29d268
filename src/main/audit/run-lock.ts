// One writer per run. Whoever writes a run directory — the run itself, an export or a recovery closing
// and sealing it — first holds run.lock there, for as long as it writes:
//
//   * The lock file is made whole, then put in place with link(2), which fails if the name exists: taking
//     it is one atomic, exclusive step (O_EXCL semantics) and the file never exists half-written.
//   * It names its holder: pid, host, boot id, the time it was taken, what for, and the holder process's
//     own start time (Linux /proc/PID/stat), so a refusal says who holds the run and since when.
//   * It is removed when the holder ends (normally, on SIGINT/SIGTERM/SIGHUP, a closed stdout, an
//     uncaught error: process 'exit'). After kill -9 or a power cut it stays, and is stale: the holder is
//     on this host and boot but its pid is gone (or a zombie, or reused by a process that started later),
//     or the host has rebooted since. Export and `runbook recover` take a stale lock over; `runbook run`
//     refuses to write into a directory that already holds a journal anyway.
//   * A lock held on another host (a shared file system) cannot be judged from here: it is refused, and
//     taken over only when the operator says so (`runbook recover DIR --break-lock`).
//   * The holder checks before every journal record that run.lock is still its own (same inode): if it
//     was removed or taken over, it stops writing instead of becoming a second writer.
//
// Why not flock/fcntl: Node has neither without a native addon (fs-ext), and this project ships none;
// proper-lockfile (already in node_modules, through the build tools) is a mkdir lock kept alive by a
// timer and judged stale by age — it would not name a holder, and a stopped (SIGSTOP) or busy process
// would lose its lock. A kernel-held lock would also not travel across NFS any better than this.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { currentBootId } from './clock.js';
import { crashPoint } from './fault-injection.js';
import type { LOCK_PURPOSES } from './records/codes.js';

export const RUN_LOCK_FILE = 'run.lock';
/** The access log (access.jsonl) has its own lock: verifying a live run still records who looked. */
export const ACCESS_LOCK_FILE = 'access.lock';

export type LockPurpose = (typeof LOCK_PURPOSES)[number];

export interface LockHolder {
  pid: number;
  host: string;
  boot_id: string;
  /** When the lock was taken (UTC, RFC 3339). */
  started: string;
  /** The holder process's start (clock ticks after boot, /proc/PID/stat field 22): tells a reused pid from it. */
  proc_start: string | null;
  purpose: LockPurpose;
  /** Unique to this taking of the lock. */
  nonce: string;
}

export type HolderState = 'alive' | 'stale' | 'unknown';

export interface JudgedHolder {
  /** null: the lock file could not be read as a lock (empty, garbage). */
  holder: LockHolder | null;
  state: HolderState;
  /** Why it is judged so, for messages. */
  why: string;
}

const PURPOSE_TEXT: Record<LockPurpose, string> = { run: 'runbook run', export: 'runbook export', recover: 'runbook recover', access: 'recording an access' };

export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return 'an unreadable lock';
  return `pid ${holder.pid} on host ${holder.host} since ${holder.started} (${PURPOSE_TEXT[holder.purpose] ?? holder.purpose})`;
}

/** Refused: another process holds the lock (or held it and it cannot be taken over here). */
export class RunLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly file: string,
    readonly judged: JudgedHolder,
  ) {
    super(lockedMessage(dir, file, judged));
  }
}

function lockedMessage(dir: string, file: string, { holder, state, why }: JudgedHolder): string {
  const lockFile = path.join(dir, file);
  if (state === 'alive') return `${dir} is in use by ${describeHolder(holder)}; nothing was written (${lockFile})`;
  if (state === 'stale') return `${dir} was left locked by ${describeHolder(holder)}, which ${why}: the run was not closed; recover it with \`runbook recover ${dir}\``;
  return `${dir} is locked by ${describeHolder(holder)}; ${why}. If that process is gone, take the lock over with \`runbook recover ${dir} --break-lock\``;
}

/** The lock was removed or taken over while this process held it: it must stop writing. */
export class RunLockLostError extends Error {}

/** This process's start time in clock ticks after boot (Linux), or null elsewhere. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)" (which may hold spaces and parentheses): state is field 3, starttime field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Running (not a zombie waiting to be reaped); null when this system cannot say (no /proc). */
function procState(pid: number): 'running' | 'zombie' | 'gone' | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state === 'Z' || state === 'X' ? 'zombie' : 'running';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && hasProc()) return 'gone';
    return null;
  }
}

let procChecked: boolean | null = null;
function hasProc(): boolean {
  procChecked ??= (() => {
    try {
      readFileSync('/proc/self/stat');
      return true;
    } catch {
      return false;
    }
  })();
  return procChecked;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether process `pid` still runs (not gone, not a zombie); true when this system cannot tell a zombie. */
export function processRunning(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  const state = procState(pid);
  return state !== 'zombie' && state !== 'gone';
}

/** Whether the process that took a lock is still there to hold it. */
export function judgeHolder(holder: LockHolder | null): JudgedHolder {
  if (!holder) return { holder, state: 'unknown', why: 'the lock file does not say who holds it' };
  if (holder.host !== hostname()) return { holder, state: 'unknown', why: `it was taken on host ${holder.host}, and this host (${hostname()}) cannot tell whether that process still runs` };
  const boot = currentBootId();
  // Without a boot id (not Linux) each process has its own, which says nothing about reboots.
  if (!boot.startsWith('process-') && !holder.boot_id.startsWith('process-') && holder.boot_id !== boot) {
    return { holder, state: 'stale', why: 'ran before this host last restarted' };
  }
  if (holder.pid === process.pid && (holder.proc_start === null || holder.proc_start === processStart(process.pid))) {
    return { holder, state: 'alive', why: 'is this process' };
  }
  if (!processRunning(holder.pid)) return { holder, state: 'stale', why: 'is no longer running (a crash or kill -9)' };
  if (holder.proc_start !== null) {
    const start = processStart(holder.pid);
    if (start !== null && start !== holder.proc_start) return { holder, state: 'stale', why: 'is no longer running (its pid now belongs to another process)' };
  }
  return { holder, state: 'alive', why: 'is running' };
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || !Number.isSafeInteger(h.pid) || h.pid <= 0 || typeof h.host !== 'string' || typeof h.boot_id !== 'string' || typeof h.started !== 'string' || typeof h.nonce !== 'string') return null;
    return { pid: h.pid, host: h.host, boot_id: h.boot_id, started: h.started, proc_start: typeof h.proc_start === 'string' ? h.proc_start : null, purpose: (h.purpose ?? 'run') as LockPurpose, nonce: h.nonce };
  } catch {
    return null;
  }
}

interface ExistingLock {
  holder: LockHolder | null;
  ino: number;
  dev: number;
}

function readExisting(file: string): ExistingLock | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const st = fstatSync(fd);
    return { holder: parseHolder(readFileSync(fd, 'utf8')), ino: st.ino, dev: st.dev };
  } finally {
    closeSync(fd);
  }
}

/** Who holds the lock of `dir` and whether they are still there; null when nobody does. Writes nothing. */
export function inspectRunLock(dir: string, file: string = RUN_LOCK_FILE): JudgedHolder | null {
  const existing = readExisting(path.join(dir, file));
  return existing ? judgeHolder(existing.holder) : null;
}

const held = new Set<RunLock>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Every way out that runs JavaScript ends here: normal end, process.exit after a signal was handled, an
  // uncaught exception. kill -9 does not: that lock is stale and judged so.
  process.on('exit', () => {
    for (const lock of [...held]) lock.release();
  });
}

export class RunLock {
  private released = false;

  constructor(
    readonly dir: string,
    readonly file: string,
    readonly holder: LockHolder,
    private readonly ino: number,
    private readonly dev: number,
  ) {}

  get path(): string {
    return path.join(this.dir, this.file);
  }

  get held(): boolean {
    return !this.released;
  }

  /** Throws RunLockLostError unless the lock file is still this one (not removed, not taken over). */
  check(): void {
    if (this.released) throw new RunLockLostError(`${this.path}: this process no longer holds the run's lock`);
    let st;
    try {
      st = lstatSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RunLockLostError(`${this.path} was removed while this process held it; it stops writing the run`);
      throw error;
    }
    if (st.ino !== this.ino || st.dev !== this.dev) {
      const now = readExisting(this.path);
      throw new RunLockLostError(`${this.path} was taken over by ${describeHolder(now?.holder ?? null)} while this process held it; it stops writing the run`);
    }
  }

  /** Removes the lock file if it is still this one. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    try {
      const st = lstatSync(this.path);
      if (st.ino === this.ino && st.dev === this.dev) unlinkSync(this.path);
    } catch {
      // Gone already, or the directory went away: nothing to release.
    }
  }
}

export interface AcquireOptions {
  purpose: LockPurpose;
  /** The lock file's name in `dir`; default run.lock. */
  file?: string;
  /** Take over a lock whose holder is gone (stale): export, recover. */
  takeStale?: boolean;
  /** Also take over a lock that cannot be judged from here (another host, unreadable): the operator's explicit decision. */
  breakUnknown?: boolean;
}

export interface AcquiredLock {
  lock: RunLock;
  /** The lock taken over, when there was one (stale, or broken on request). */
  tookOver: JudgedHolder | null;
}

/**
 * Takes the lock of `dir` (made if missing) or throws RunLockedError naming the holder. A lock already
 * there is read and judged first, so a refusal writes nothing at all.
 */
export function acquireRunLock(dir: string, options: AcquireOptions): AcquiredLock {
  const file = options.file ?? RUN_LOCK_FILE;
  const lockFile = path.join(dir, file);
  let tookOver: JudgedHolder | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = readExisting(lockFile);
    if (existing) {
      const judged = judgeHolder(existing.holder);
      const mayTake = (judged.state === 'stale' && (options.takeStale || options.breakUnknown)) || (judged.state === 'unknown' && options.breakUnknown);
      if (!mayTake) throw new RunLockedError(dir, file, judged);
      if (removeIfSame(lockFile, existing)) tookOver = judged;
      continue;
    }
    mkdirSync(dir, { recursive: true });
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      boot_id: currentBootId(),
      started: new Date().toISOString(),
      proc_start: processStart(process.pid),
      purpose: options.purpose,
      nonce: randomBytes(12).toString('hex'),
    };
    const placed = place(lockFile, holder);
    if (!placed) continue; // another process took it between the read and the link: judge it next round
    const lock = new RunLock(dir, file, holder, placed.ino, placed.dev);
    held.add(lock);
    installExitHook();
    crashPoint('lock.acquired');
    return { lock, tookOver };
  }
  const last = readExisting(lockFile);
  throw new RunLockedError(dir, file, last ? judgeHolder(last.holder) : { holder: null, state: 'unknown', why: 'other processes keep taking it' });
}

/**
 * Makes `file` appear whole or not at all, never replacing one that exists: `text` goes to the private
 * temporary file `temp` (O_EXCL, fsync'd), which is then linked to `file` and removed. Throws the link's
 * error: EEXIST when `file` exists, EPERM, ENOTSUP… on a file system without hard links.
 */
export function linkNewFile(file: string, text: string, mode: number, temp: string): void {
  writeNewFile(temp, text, mode);
  try {
    linkSync(temp, file);
  } finally {
    unlinkSync(temp);
  }
}

/** `text` in a new file (O_EXCL), fsync'd. */
function writeNewFile(file: string, text: string, mode: number): void {
  const fd = openSync(file, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What link(2) fails with on a file system without hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** Writes the holder to a temporary file, fsyncs it, links it in as the lock; null when the name exists. */
function place(lockFile: string, holder: LockHolder): { ino: number; dev: number } | null {
  const dir = path.dirname(lockFile);
  const text = `${JSON.stringify(holder)}\n`;
  try {
    linkNewFile(lockFile, text, 0o644, path.join(dir, `.${path.basename(lockFile)}.${holder.pid}.${holder.nonce}`));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return null;
    if (!NO_HARD_LINKS.has(code)) throw error;
    // A file system without hard links: an exclusive create of the lock itself (empty for a moment).
    try {
      writeNewFile(lockFile, text, 0o644);
    } catch (failure) {
      if ((failure as NodeJS.ErrnoException).code === 'EEXIST') return null;
      throw failure;
    }
  }
  syncDir(dir);
  const st = lstatSync(lockFile);
  return { ino: st.ino, dev: st.dev };
}

/**
 * Removes the lock file judged stale — that very file, not one another process put there since: it is
 * renamed aside, and if what was moved is not the file judged (same inode) it is linked back.
 */
function removeIfSame(lockFile: string, judged: ExistingLock): boolean {
  const aside = `${lockFile}.stale-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    renameSync(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false; // someone else removed it
    throw error;
  }
  const st = lstatSync(aside);
  if (st.ino === judged.ino && st.dev === judged.dev) {
    unlinkSync(aside);
    syncDir(path.dirname(lockFile));
    return true;
  }
  // A live lock taken since: put it back (its holder's own check catches the moment it was away).
  try {
    linkSync(aside, lockFile);
  } catch {
    // Yet another process took the name meanwhile; the displaced holder's check stops it at its next record.
  }
  unlinkSync(aside);
  return false;
}

/** Leftovers of lock takings killed half-way (the temporary file before the link). */
export function removeLockLeftovers(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\.(?:run|access)\.lock\.(\d+)\.[0-9a-f]{24}$/.exec(name) ?? /^(?:run|access)\.lock\.stale-(\d+)-[0-9a-f]{12}$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && pidAlive(pid) && procState(pid) === 'running') continue;
    try {
      unlinkSync(path.join(dir, name));
    } catch {
      // Removed by someone else.
    }
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a directory; the lock still works, it is only less durable.
  }
}
