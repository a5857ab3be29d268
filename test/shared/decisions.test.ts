// Where a decision takes a run — one rule (src/shared/decisions.ts) for `runbook run` and the console: the
// steps a choice leads away from are passed over with `runbook run`'s reasons, and a run stops where a
// NO-GO names nowhere to go. The rule is checked against the CLI itself: what `runbook run --decide`
// journals as skipped (and leaves not run) is what decisionPath says, step for step and word for word.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { decisionPath, decisionTurn } from '../../src/shared/decisions.js';
import { ANNOUNCE, BACK_OUT, GO_NO_GO, SWITCH, cutoverRunbook, stepSection } from '../support/runbook-fixtures.js';
import { REPO_ROOT } from '../support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');

const CUTOVER = cutoverRunbook(stepSection('Prepare', 'Show the route', 'echo route'), GO_NO_GO, ANNOUNCE, SWITCH, BACK_OUT, stepSection('Close', 'Close the ticket', 'echo closed'));

const STOPS = `# Check

## Health

- [ ] Is it healthy? GO / NO-GO

## Work

- [ ] Do the work
  \`\`\`bash
  echo work
  \`\`\`
`;

const decisionOf = (text: string) => {
  const runbook = parseRunbook(text, { file: 'r.md' });
  const step = runbook.steps.find((s) => s.decision !== null);
  if (!step) throw new Error('no decision step');
  return { runbook, step, order: runbook.steps.map((s) => s.id) };
};

describe('decisionPath: what a recorded choice passes over', () => {
  it('GO jumps over the steps before the section it leads to and avoids the section only NO-GO leads to', () => {
    const { runbook, step, order } = decisionOf(CUTOVER);
    const path = decisionPath(runbook, order, new Map([[step.id, 'GO']]));
    const byTitle = (title: string) => path.get(runbook.steps.find((s) => s.title === title)?.id as string);
    expect(byTitle('Show the route')).toBeUndefined();
    expect(byTitle('Tell the channel')).toEqual({ decision: step.id, choice: 'GO', kind: 'skip', reason: `decision "GO" at "${step.title}" leads to "Switch"` });
    expect(byTitle('Switch the traffic')).toBeUndefined();
    expect(byTitle('Restore the old route')).toMatchObject({ kind: 'skip', reason: `decision "GO" at "${step.title}" does not lead to "Back out"` });
    expect(byTitle('Close the ticket')).toBeUndefined();
  });

  it('nothing is passed over before a choice is recorded, or for a choice the step does not offer', () => {
    const { runbook, step, order } = decisionOf(CUTOVER);
    expect(decisionPath(runbook, order, new Map()).size).toBe(0);
    expect(decisionPath(runbook, order, new Map([[step.id, 'MAYBE']])).size).toBe(0);
    expect(() => decisionTurn(runbook, step, 'MAYBE')).toThrow(/offers no decision "MAYBE"/);
  });

  it('a NO-GO that names nowhere to go stops the run: every later step is not for this run', () => {
    const { runbook, step, order } = decisionOf(STOPS);
    const path = decisionPath(runbook, order, new Map([[step.id, 'NO-GO']]));
    expect([...path.values()]).toEqual([{ decision: step.id, choice: 'NO-GO', kind: 'stop', reason: `decision "NO-GO" at "${step.title}": the run stops here (the runbook names nowhere to go on)` }]);
    expect(decisionPath(runbook, order, new Map([[step.id, 'GO']])).size).toBe(0);
  });
});

describe.each([
  ['GO', CUTOVER],
  ['NO-GO', CUTOVER],
  ['NO-GO', STOPS],
])('the same rule as `runbook run --decide …=%s`', (choice, text) => {
  it('journals as skipped, and leaves not run, exactly the steps decisionPath passes over, for the same reasons', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'decisions-'));
    const file = path.join(dir, 'r.md');
    writeFileSync(file, text);
    const journal = path.join(dir, 'journal');
    const { runbook, step, order } = decisionOf(text);
    const res = spawnSync(process.execPath, [CLI, 'run', file, '--yes', '--journal', journal, '--operator', 'alice', '--decide', `${step.id}=${choice}`], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(dir, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(dir, 'runs') },
    });
    expect(res.status === 0 || res.status === 1, res.stderr).toBe(true);
    const records = readFileSync(path.join(journal, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });
    const skipped = records.filter((r) => r.type === 'step.skipped' && r.data.by === 'decision').map((r) => [r.data.step.id, r.data.reason]);
    const finished = records.find((r) => r.type === 'run.finished')?.data as { steps: { id: string; status: string; reason: string | null }[] };
    const notRun = finished.steps.filter((s) => s.status === 'not-run').map((s) => [s.id, s.reason]);

    const expected = [...decisionPath(runbook, order, new Map([[step.id, choice]]))];
    expect(skipped).toEqual(expected.filter(([, p]) => p.kind === 'skip').map(([id, p]) => [id, p.reason]));
    expect(notRun).toEqual(expected.filter(([, p]) => p.kind === 'stop').map(([id, p]) => [id, p.reason]));
    expect(skipped.length + notRun.length).toBeGreaterThan(0);
  });
});
