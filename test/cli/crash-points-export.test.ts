// kill -9 `runbook export` and `runbook recover` of an interrupted run at every point of closing it: the
// torn tail set aside, run.finished written (or torn), each step of the seal, the bundle half-written,
// complete but not yet renamed into place, renamed but not recorded in the access log (or that record
// torn). Afterwards the run still verifies (unsealed with --allow-unsealed; a torn tail once recovered),
// no half bundle is left where the bundle goes, and the next export succeeds and verifies.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Scenario, cli, copyScenario, verify, expectRecoverable, journalOf, runCrashed, scenario, seeded } from './crash-support.js';

let interrupted: Scenario;

beforeAll(() => {
  // One run killed mid-way (after its 5th record), copied with its keys for every case below.
  interrupted = scenario('crash-base');
  runCrashed(interrupted, 'journal.appended@5');
}, 60_000);

// The access log is the third journal append of an export (run.finished, checkpoint, export).
const EXPORT_POINTS = [
  'lock.acquired',
  'recover.trimmed',
  'journal.appended@1',
  'journal.torn@1',
  'recover.closed',
  'seal.files-removed',
  'journal.torn@2',
  'seal.appended',
  'seal.sig-written',
  'export.closed',
  'export.bundle-partial',
  'export.bundle-written',
  'export.renamed',
  'journal.torn@3',
];
const RECOVER_POINTS = ['recover.trimmed', 'journal.appended@1', 'recover.closed', 'seal.files-removed', 'seal.appended', 'seal.sig-written', 'journal.torn@2'];

/** After a crashed export, whether the run is closed by the next export or by `runbook recover` first (fixed seed). */
const pick = seeded(7_042);

describe('kill -9 during export and recovery', () => {
  it.each(EXPORT_POINTS)('export killed at %s: the run verifies, no half bundle is left, and the next export succeeds', (point) => {
    const s = copyScenario(interrupted, 'crash-export');
    const out = path.join(s.root, 'bundle');
    const crashed = cli({ ...s.env, RUNBOOK_CONSOLE_TEST_CRASH: point }, 'export', s.runDir, '--out', out);
    expect(crashed.signal, `${point}: not killed there\n${crashed.stdout}${crashed.stderr}`).toBe('SIGKILL');
    const complete = point === 'export.renamed' || point === 'journal.torn@3';
    if (complete) {
      // Renamed into place before the kill: whole, and it verifies.
      expect(verify(s.env, out).status).toBe(0);
    } else {
      expect(existsSync(out) ? readdirSync(out) : [], point).toEqual([]);
    }
    const { whole } = journalOf(s.runDir);
    expect(whole.length, point).toBeGreaterThanOrEqual(5);
    // The next export goes where the bundle goes (once the complete one is taken away, elsewhere).
    expectRecoverable(s, point, { via: pick(2) === 0 ? 'export' : 'recover', ...(complete ? { out: path.join(s.root, 'bundle-2') } : {}) });
  }, 60_000);

  it.each(RECOVER_POINTS)('recover killed at %s: the run still verifies, and recovering again closes it', (point) => {
    const s = copyScenario(interrupted, 'crash-recover');
    const crashed = cli({ ...s.env, RUNBOOK_CONSOLE_TEST_CRASH: point }, 'recover', s.runDir);
    expect(crashed.signal, `${point}: not killed there\n${crashed.stdout}${crashed.stderr}`).toBe('SIGKILL');
    expectRecoverable(s, point, { via: 'recover' });
  }, 60_000);

  it('a torn tail left by the run is set aside by an export killed before it records that, and by the next one', () => {
    const base = scenario('crash-torn');
    runCrashed(base, 'journal.torn@4');
    const s = copyScenario(base, 'crash-torn-export');
    const crashed = cli({ ...s.env, RUNBOOK_CONSOLE_TEST_CRASH: 'recover.trimmed' }, 'export', s.runDir, '--out', path.join(s.root, 'bundle'));
    expect(crashed.signal).toBe('SIGKILL');
    // The torn bytes are already in their side file; the journal ends in whole records.
    expect(journalOf(s.runDir).tornBytes).toBe(0);
    expect(readdirSync(s.runDir).filter((n) => n.startsWith('journal.jsonl.torn-'))).toHaveLength(1);
    expectRecoverable(s, 'torn, then export killed after trimming', { via: 'export' });
  }, 60_000);
});
