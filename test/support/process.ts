// Process facts tests assert on.
import { readFileSync } from 'node:fs';

/** Running, not merely a zombie waiting for a parent to reap it (PID 1 in a container may never do so). */
export function running(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
