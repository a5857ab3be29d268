// A run whose host "died" (kill -9): its lock file is left naming a process that is gone, so the lock is
// stale and Resume, recovery or an export may take the run over. Replaced whole, as a real lock is written.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A pid no process has on this machine (above Linux's default pid_max). */
export const DEAD_PID = 2 ** 22 - 7;

/** Makes the run directory's lock name `pid` (DEAD_PID: a holder that is gone). */
export function setLockHolder(runDir: string, pid: number = DEAD_PID): void {
  const lockFile = path.join(runDir, 'run.lock');
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  rmSync(lockFile);
  writeFileSync(lockFile, JSON.stringify({ ...lock, pid }));
}
