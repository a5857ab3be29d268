// Guards where it matters (issue 13, item 1). Sealing is final: main refuses to seal a run with steps
// unfinished (not run, failed, a decision not made, a sign-off not given) unless the operator was shown each
// of them, and in REGULATED and above unless they said why; what they confirmed is journaled (run.ended-early)
// and the sealed run verifies. A recorded decision, mark or skip is final too: changing one needs a reason,
// journaled as a change (step.note) before the new outcome, and the step shows who did what and when.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { rotateRunbook } from '../support/runbook-fixtures.js';
import { makeKey } from '../audit/ssh-tools.js';
import { HAVE_PYTHON } from '../audit/tamper-suite.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';

const RUNBOOK = rotateRunbook('exit 3', `
## Go / No-Go

- [ ] Is the new chain valid? GO / NO-GO

## Sign-off
| Role | Name | Date |
| --- | --- | --- |
| Reviewer | ______ | ______ |
`);

type Rec = { seq: number; type: string; data: Record<string, any> };

async function start(profile: 'standard' | 'regulated' = 'standard') {
  const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
  const file = path.join(root, 'rotate.md');
  writeFileSync(file, RUNBOOK);
  await call('runbook.open', { path: file });
  const state: RunState = await call('runs.start', { profile, operator: 'Alice', vars: {} });
  const runId = state.runId;
  const id = (pattern: RegExp) => {
    const found = state.steps.find((s) => pattern.test(s.id));
    if (!found) throw new Error(`no step like ${pattern} in ${state.steps.map((s) => s.id).join(', ')}`);
    return found.id;
  };
  const journal = (): Rec[] =>
    readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Rec);
  const runStep = async (stepId: string) => {
    await call('runs.runStep', { runId, stepId });
    await eventsUntil(call, runId, -1, (e) => e.type === 'step' && e.stepId === stepId && ['succeeded', 'failed'].includes(e.status));
  };
  const now = (): Promise<RunState> => call('runs.state', { runId });
  return { root, call, state, runId, id, journal, runStep, now };
}

/** A refusal's code, as the page gets it (the API error's code). */
async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('it was not refused');
}

describe('sealing is final: main seals a run with steps unfinished only once they were shown, and journals it', () => {
  it('lists what sealing now would leave unfinished, each with why, and refuses to seal without each confirmed', async () => {
    const { call, runId, id, journal, runStep, now } = await start();
    const [copy, chain, tell, decide, signoff] = [id(/copy-the-new/), id(/check-the-chain/), id(/tell-the-channel/), id(/^go-no-go\//), id(/^sign-off/)];
    await runStep(copy);
    await runStep(chain);
    const state = await now();
    expect(state.unfinished).toEqual([
      { stepId: chain, title: 'Check the chain', what: 'failed' },
      { stepId: tell, title: 'Tell the channel by hand', what: 'not-done' },
      { stepId: decide, title: expect.stringMatching(/Is the new chain valid/), what: 'decision-pending' },
      { stepId: signoff, title: expect.any(String), what: 'signoff-missing' },
    ]);
    const before = journal().length;
    // Attack: Finish as the old page sent it (nothing confirmed), then with one unfinished step left out.
    expect(await refusal(call('runs.finish', { runId }))).toBe('seal-unconfirmed');
    await expect(call('runs.finish', { runId, unfinished: [chain, tell, decide] })).rejects.toThrow(/4 step\(s\) are unfinished, 1 of them not confirmed: ".*" \(signoff-missing\)/);
    // Export seals first: the same guard.
    expect(await refusal(call('runs.export', { runId, out: path.join(path.dirname(state.dir), 'bundle') }))).toBe('seal-unconfirmed');
    expect(journal().length).toBe(before); // nothing recorded
    expect((await now()).seal).toBeNull(); // and the run still takes records
    await call('runs.record', { runId, stepId: tell, kind: 'note', text: 'still open' });
  });

  it('STANDARD: sealed once each unfinished step is confirmed; run.ended-early names them (reason optional) just before run.finished', async () => {
    const { call, runId, id, journal, runStep, now } = await start();
    await runStep(id(/check-the-chain/));
    const { unfinished } = await now();
    const sealed: RunState = await call('runs.finish', { runId, unfinished: unfinished.map((u) => u.stepId) });
    expect(sealed.seal).not.toBeNull();
    expect(sealed.unfinished).toEqual([]);
    const records = journal();
    const early = records.findIndex((r) => r.type === 'run.ended-early');
    expect(records[early + 1]?.type).toBe('run.finished');
    expect(records[early]?.data).toEqual({ by: 'Alice', reason: null, unfinished: unfinished.map((u) => ({ step: u.stepId, title: u.title, what: u.what })) });
    expect((await call('runs.verify', { runId })).ok).toBe(true);
  });

  it('REGULATED: sealing early needs a reason, journaled; the report an auditor reads says so; the exported bundle verifies', async () => {
    const { root, call, runId, id, journal, runStep, now } = await start('regulated');
    await runStep(id(/copy-the-new/));
    let shown = (await now()).unfinished.map((u) => u.stepId);
    expect(await refusal(call('runs.finish', { runId, unfinished: shown }))).toBe('seal-needs-reason');
    expect(await refusal(call('runs.export', { runId, out: path.join(root, 'no-bundle'), unfinished: shown }))).toBe('seal-needs-reason');
    expect(journal().some((r) => r.type === 'run.ended-early' || r.type === 'run.finished')).toBe(false);
    expect(existsSync(path.join(root, 'no-bundle'))).toBe(false);
    const decision = (await now()).steps.find((s) => s.id.startsWith('go-no-go/'))?.id as string;
    await call('runs.record', { runId, stepId: decision, kind: 'decision', decision: 'GO' });
    await call('runs.record', { runId, stepId: decision, kind: 'decision', decision: 'NO-GO', change: 'the chain <b>expired</b> & "was" renewed' });
    const reason = 'change window closes at 04:00; the rest goes to CHG-1234';
    shown = (await now()).unfinished.map((u) => u.stepId);
    const out = path.join(root, 'bundle');
    // Attack: an export that cannot be signed (REGULATED needs the operator's key) seals nothing on its way to failing.
    await expect(call('runs.export', { runId, out, unfinished: shown, reason })).rejects.toThrow(/must be signed by the operator/);
    expect((await now()).seal).toBeNull();
    const key = makeKey(root, 'alice', 'ed25519');
    await call('runs.export', { runId, out, unfinished: shown, reason, keyFile: key.file });
    expect(journal().find((r) => r.type === 'run.ended-early')?.data).toMatchObject({ by: 'Alice', reason, unfinished: expect.arrayContaining([expect.objectContaining({ what: 'not-run' })]) });
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.run.endedEarly).toMatchObject({ by: 'Alice', reason });
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<dt>Sealed early</dt><dd>by Alice, 2 step(s) unfinished: change window closes at 04:00; the rest goes to CHG-1234');
    // The bundle verifies: the report rebuilt from the journal is byte for byte the one exported — in both
    // verifiers, with format 2's records in it (the early end, a changed decision, the start values).
    expect(await verifyRun(out)).toMatchObject({ ok: true, kind: 'bundle' });
    if (HAVE_PYTHON) {
      const py = spawnSync('python3', ['verify.py'], { cwd: out, encoding: 'utf8' });
      // Exit 3: intact, and nothing given here anchors the keys (no --pin): every check passed.
      expect(py.status, py.stdout + py.stderr).toBe(3);
      expect(py.stdout).toContain('ok    records: in format runbook-console-journal/4');
      expect(py.stdout).toContain('ok    report.json, report.html: byte for byte the reports the journal gives');
      expect(py.stdout).toMatch(/^UNANCHORED: run \S+ is intact/m);
    }
  });

  it('control: a run with nothing unfinished seals without any confirmation and journals no early end', async () => {
    const text = '# Small\n\n- [ ] Say hello\n  ```bash\n  echo hello\n  ```\n';
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    writeFileSync(path.join(root, 'small.md'), text);
    await call('runbook.open', { path: path.join(root, 'small.md') });
    const state: RunState = await call('runs.start', { profile: 'regulated', operator: 'Alice', vars: {} });
    await call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.status === 'succeeded');
    expect((await call('runs.state', { runId: state.runId })).unfinished).toEqual([]);
    expect((await call('runs.finish', { runId: state.runId })).seal).not.toBeNull();
    expect(readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')).not.toContain('run.ended-early');
  });

  it('a new run does not seal the open one behind the operator\'s back: refused until each unfinished step is confirmed (and, REGULATED, a reason); then journaled as theirs', async () => {
    const { call, state, runId, journal } = await start('regulated');
    const before = journal();
    // Attack: "Start run" as the old page sent it, and one that leaves a step out.
    expect(await refusal(call('runs.start', { profile: 'standard', operator: 'Bob', vars: {} }))).toBe('seal-unconfirmed');
    const ids = state.unfinished.map((u) => u.stepId);
    expect(ids.length).toBeGreaterThan(1);
    expect(await refusal(call('runs.start', { profile: 'standard', operator: 'Bob', vars: {}, replace: { unfinished: ids.slice(1) } }))).toBe('seal-unconfirmed');
    expect(await refusal(call('runs.start', { profile: 'standard', operator: 'Bob', vars: {}, replace: { unfinished: ids } }))).toBe('seal-needs-reason');
    // Nothing was sealed or journaled: the run is still the open one, and goes on.
    expect(journal()).toEqual(before);
    expect((await call('runs.current', {}))?.runId).toBe(runId);
    expect((await call('runs.state', { runId })).seal).toBeNull();

    const next: RunState = await call('runs.start', { profile: 'standard', operator: 'Bob', vars: {}, replace: { unfinished: ids, reason: 'restarting with the fixed chain' } });
    expect(next.runId).not.toBe(runId);
    const sealed = journal();
    const early = sealed.find((r) => r.type === 'run.ended-early');
    expect(early?.data).toMatchObject({ by: 'Bob', reason: 'restarting with the fixed chain' });
    expect(early?.data.unfinished.map((u: { step: string }) => u.step)).toEqual(ids);
    expect(sealed.at(-2)?.type).toBe('run.finished');
  });
});

describe('a recorded decision, mark or skip is final: changing it is a new journaled record with a reason', () => {
  it('a decision: the same again is refused, another needs a reason; the change is journaled before the new decision and shown on the step', async () => {
    const { call, runId, id, journal } = await start();
    const decide = id(/^go-no-go\//);
    await call('runs.record', { runId, stepId: decide, kind: 'decision', decision: 'GO' });
    await expect(call('runs.record', { runId, stepId: decide, kind: 'decision', decision: 'GO' })).rejects.toThrow(/already recorded/);
    expect(await refusal(call('runs.record', { runId, stepId: decide, kind: 'decision', decision: 'NO-GO' }))).toBe('change-needs-reason');
    await expect(call('runs.record', { runId, stepId: decide, kind: 'decision', decision: 'NO-GO', change: '  ' })).rejects.toThrow(/say why it is changed/);
    expect(journal().filter((r) => r.type === 'decision').map((r) => r.data.decision)).toEqual(['GO']); // nothing recorded by the refusals
    const after: RunState = await call('runs.record', { runId, stepId: decide, kind: 'decision', decision: 'NO-GO', change: 'the chain check failed after all' });
    const records = journal();
    const change = records.findIndex((r) => r.type === 'step.note' && r.data.change === 'decision');
    expect(records[change]?.data).toEqual({ step: { id: decide }, change: 'decision', from: 'GO', to: 'NO-GO', reason: 'the chain check failed after all', by: 'Alice' });
    expect(records[change + 1]).toMatchObject({ type: 'decision', data: { decision: 'NO-GO' } });
    const step = after.steps.find((s) => s.id === decide);
    expect(step?.decision).toBe('NO-GO');
    expect(step?.activity.map((a) => [a.kind, a.by, a.text, a.reason])).toEqual([
      ['decision', 'Alice', 'decided GO', null],
      ['change', 'Alice', 'changed the decision from GO to NO-GO', 'the chain check failed after all'],
      ['decision', 'Alice', 'decided NO-GO', null],
    ]);
    expect(step?.activity.map((a) => a.record)).toEqual(records.filter((r) => r.data.step?.id === decide).map((r) => r.seq));
  });

  it('a mark: passed then failed needs a reason, journaled as a change', async () => {
    const { call, runId, id, journal } = await start();
    const tell = id(/tell-the-channel/);
    await call('runs.record', { runId, stepId: tell, kind: 'mark', verdict: 'pass' });
    expect(await refusal(call('runs.record', { runId, stepId: tell, kind: 'mark', verdict: 'fail' }))).toBe('change-needs-reason');
    const after: RunState = await call('runs.record', { runId, stepId: tell, kind: 'mark', verdict: 'fail', change: 'the channel was down; nobody was told' });
    expect(after.steps.find((s) => s.id === tell)).toMatchObject({ status: 'failed', mark: 'fail' });
    expect(journal().filter((r) => r.type === 'step.note').map((r) => r.data.change ?? r.data.mark)).toEqual(['pass', 'mark', 'fail']);
  });

  it('a skip: the skipped step is not run, decided or marked until the skip is taken back with a reason; then it runs', async () => {
    const { call, runId, id, journal, runStep, now } = await start();
    const [copy, decide] = [id(/copy-the-new/), id(/^go-no-go\//)];
    await call('runs.skip', { runId, stepId: copy, reason: 'copied yesterday' });
    await call('runs.skip', { runId, stepId: decide, reason: 'decided in the meeting' });
    await expect(call('runs.skip', { runId, stepId: copy, reason: 'again' })).rejects.toThrow(/already skipped/);
    expect(await refusal(call('runs.runStep', { runId, stepId: copy }))).toBe('change-needs-reason');
    expect(await refusal(call('runs.record', { runId, stepId: decide, kind: 'decision', decision: 'GO' }))).toBe('change-needs-reason');
    expect(journal().some((r) => r.type === 'step.started' || r.type === 'decision')).toBe(false);
    const back: RunState = await call('runs.override', { runId, stepId: copy, reason: 'yesterday\'s copy was the old file' });
    expect(back.steps.find((s) => s.id === copy)).toMatchObject({ status: 'pending', reason: null });
    expect(journal().find((r) => r.data.change === 'skip')?.data).toEqual({ step: { id: copy }, change: 'skip', from: 'skipped', to: 'pending', reason: 'yesterday\'s copy was the old file', by: 'Alice' });
    await runStep(copy);
    expect((await now()).steps.find((s) => s.id === copy)?.status).toBe('succeeded');
    expect((await now()).steps.find((s) => s.id === copy)?.activity.map((a) => a.kind)).toEqual(['skip', 'change']);
  });
});
