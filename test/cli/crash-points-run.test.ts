// kill -9 a real `runbook run` at exact points (fixed seed): right after taking the lock, after creating the
// journal, after the N-th record is on disk, in the middle of writing a record (a torn tail), and at every
// step of the final seal. Every acknowledged record is there; the run verifies (unsealed with
// --allow-unsealed; a torn tail once recovered), a new run into the directory is refused naming the dead
// holder, and the run is then exported (or recovered) and verifies sealed. A run killed before its first
// record says plainly that it is empty and that nothing ran.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FULL_RUN_RECORDS, cli, verify, expectPlain, expectRecoverable, failureCode, journalOf, runCrashed, scenario, seeded } from './crash-support.js';

const pick = seeded(20_251_104);
const appended = new Set<number>();
while (appended.size < 4) appended.add(2 + pick(FULL_RUN_RECORDS - 2));
const torn = new Set<number>();
while (torn.size < 3) torn.add(2 + pick(FULL_RUN_RECORDS - 1));
const POINTS = [
  'journal.torn@1',
  'journal.appended@1',
  ...[...appended].sort((a, b) => a - b).map((n) => `journal.appended@${n}`),
  ...[...torn].sort((a, b) => a - b).map((n) => `journal.torn@${n}`),
  'seal.files-removed',
  'seal.appended',
  'seal.sig-written',
];

describe('kill -9 during a run', () => {
  it('before the first record: verify says the run is empty, recover and export say nothing ran, and a new run can use the directory', () => {
    // Killed holding the lock, before the journal exists.
    const locked = scenario('crash-run-lock');
    runCrashed(locked, 'lock.acquired');
    expect(readdirSync(locked.runDir)).toEqual(['run.lock']);
    const recovered = cli(locked.env, 'recover', locked.runDir);
    expectPlain(recovered, 'lock.acquired');
    expect(recovered.status).toBe(1);
    expect(recovered.stderr).toMatch(/no journal\.jsonl here: the run stopped before its journal was created, so nothing ran/);
    const exported = cli(locked.env, 'export', locked.runDir, '--out', path.join(locked.root, 'bundle'));
    expectPlain(exported, 'lock.acquired');
    expect(exported.status).toBe(1);
    expect(existsSync(path.join(locked.root, 'bundle'))).toBe(false);
    // The stale lock does not keep the directory from its run.
    const fresh = cli(locked.env, 'run', locked.runbook, '--yes', '--journal', locked.runDir);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(verify(locked.env, locked.runDir).status).toBe(0);

    // Killed after creating the (empty) journal, before run.started.
    const empty = scenario('crash-run-empty');
    runCrashed(empty, 'journal.created');
    expect(journalOf(empty.runDir)).toEqual({ whole: [], tornBytes: 0 });
    const verified = verify(empty.env, empty.runDir, '--allow-unsealed');
    expectPlain(verified, 'journal.created');
    expect(verified.status).toBe(1);
    expect(failureCode(verified)).toBe('E_EMPTY');
    expect(verified.stdout).toMatch(/is empty/);
    const recoverEmpty = cli(empty.env, 'recover', empty.runDir);
    expect(recoverEmpty.status).toBe(1);
    expect(recoverEmpty.stderr).toContain('the run has no records (it stopped before its first record was written, so nothing ran)');
    const exportEmpty = cli(empty.env, 'export', empty.runDir, '--out', path.join(empty.root, 'bundle'));
    expectPlain(exportEmpty, 'journal.created');
    expect(exportEmpty.status).toBe(1);
    expect(exportEmpty.stderr).toContain('nothing ran');
    expect(existsSync(path.join(empty.root, 'bundle'))).toBe(false);
    // recover and export took the dead run's lock over and left none behind.
    expect(existsSync(path.join(empty.runDir, 'run.lock'))).toBe(false);
    expect(cli(empty.env, 'run', empty.runbook, '--yes', '--journal', empty.runDir).stderr).toContain("already holds a run's journal");
  }, 60_000);

  it.each(POINTS.map((point, i) => ({ point, via: i % 2 === 0 ? ('export' as const) : ('recover' as const) })))('$point: acknowledged records are kept; it verifies, is closed by $via and exports', ({ point, via }) => {
    const s = scenario('crash-run');
    runCrashed(s, point);
    const { whole, tornBytes } = journalOf(s.runDir);
    const n = Number(point.split('@')[1] ?? 0);
    if (point.startsWith('journal.appended')) {
      expect(whole).toHaveLength(n);
      expect(tornBytes).toBe(0);
    } else if (point.startsWith('journal.torn')) {
      expect(whole).toHaveLength(n - 1);
      expect(tornBytes).toBeGreaterThan(0);
    } else {
      // The seal: everything up to run.finished is there, and the checkpoint record once appended.
      expect(whole.length).toBe(point === 'seal.files-removed' ? FULL_RUN_RECORDS - 1 : FULL_RUN_RECORDS);
    }
    if (whole.length === 0) {
      // Torn run.started: nothing was acknowledged; recovery says so.
      const recovered = cli(s.env, 'recover', s.runDir);
      expect(recovered.status).toBe(1);
      expect(recovered.stderr).toContain('nothing ran');
      return;
    }
    const again = cli(s.env, 'run', s.runbook, '--yes', '--journal', s.runDir);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/left open by pid \d+ on host .* which is no longer running/);
    expectRecoverable(s, point, { via });
  }, 60_000);
});
