// Attacks on the seal guards (from an independent review): each test states what the guard promises and
// attacks it; the attack must fail. Drives the API in-process as test/runs/console-seal-guard.test.ts does.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { rotateRunbook } from '../support/runbook-fixtures.js';
import { makeKey } from '../audit/ssh-tools.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';
import { setLockHolder } from '../support/stale-lock.js';

const RUNBOOK = rotateRunbook('exit 3', '');

type Rec = { seq: number; type: string; data: Record<string, any> };

async function start(profile: 'standard' | 'regulated' = 'standard', text = RUNBOOK) {
  const h = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(h.handlers, m, i) as Promise<any>;
  const file = path.join(h.root, 'rotate.md');
  writeFileSync(file, text);
  await call('runbook.open', { path: file });
  const state: RunState = await call('runs.start', { profile, operator: 'Alice', vars: {} });
  const runId = state.runId;
  const id = (pattern: RegExp) => state.steps.find((s) => pattern.test(s.id))?.id as string;
  const journalOf = (dir: string): Rec[] =>
    readFileSync(path.join(dir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Rec);
  const journal = () => journalOf(state.dir);
  const runStep = async (stepId: string) => {
    await call('runs.runStep', { runId, stepId });
    await eventsUntil(call, runId, -1, (e) => e.type === 'step' && e.stepId === stepId && ['succeeded', 'failed'].includes(e.status));
  };
  const now = (): Promise<RunState> => call('runs.state', { runId });
  return { ...h, call, state, runId, id, journal, journalOf, runStep, now };
}

describe('attacks on the seal guard', () => {
  it('export: a step that becomes unfinished while the export waits for its signing key is not sealed past the guard', async () => {
    const { root, call, runId, id, journal, runStep, now } = await start();
    const [copy, chain, tell] = [id(/copy-the-new/), id(/check-the-chain/), id(/tell-the-channel/)];
    await runStep(copy);
    await call('runs.skip', { runId, stepId: chain, reason: 'checked by hand yesterday' });
    await call('runs.record', { runId, stepId: tell, kind: 'mark', verdict: 'pass' });
    expect((await now()).unfinished).toEqual([]); // nothing to confirm: the export needs no confirmation
    const key = makeKey(root, 'alice', 'ed25519', 'correct horse');
    const exporting = call('runs.export', { runId, out: path.join(root, 'bundle'), keyFile: key.file });
    exporting.catch(() => undefined);
    const { events } = await eventsUntil(call, runId, -1, (e) => e.type === 'question');
    const question = events.find((e) => e.type === 'question') as { questionId: string };
    // Meanwhile (another tab, or the same operator): the skip is taken back — the step has never run.
    await call('runs.override', { runId, stepId: chain, reason: 'must run it after all' });
    expect((await now()).unfinished.map((u) => u.stepId)).toEqual([chain]);
    await call('runs.answer', { runId, questionId: question.questionId, answer: 'correct horse' });
    // Either the export is refused (seal-unconfirmed) or the seal says a step was left unfinished.
    const outcome = await exporting.then(
      () => 'exported',
      (e: { code?: string }) => e.code ?? 'error',
    );
    const records = journal();
    const sealed = records.some((r) => r.type === 'run.finished');
    if (sealed) {
      expect(records.find((r) => r.type === 'run.ended-early')?.data.unfinished.map((u: { step: string }) => u.step), `outcome ${outcome}: sealed with ${chain} never run and no run.ended-early`).toEqual([chain]);
    } else {
      expect(outcome).toBe('seal-unconfirmed');
    }
  });

  it('a runs.start that is refused does not seal (nor end early) the run that is open', async () => {
    const text = "# Hello\n\n- [ ] Greet\n  ```bash\n  echo 'hello <WHO>'\n  ```\n- [ ] Wave\n  ```bash\n  echo wave\n  ```\n";
    const { call, state, journal, now } = await start('regulated', text);
    // A value that would become code: the new run is refused whole.
    await expect(call('runs.start', { profile: 'regulated', operator: 'Mallory', vars: { WHO: "'; id; '" } })).rejects.toThrow(/variable <?WHO>?/);
    expect((await now()).seal, 'the refused start sealed the open run').toBeNull();
    expect(journal().map((r) => r.type)).not.toContain('run.ended-early');
    void state;
  });

  it('a runs.resume that is refused after its first checks does not seal the run that is open', async () => {
    const text = '# Hello\n\n- [ ] Greet\n  ```bash\n  echo hello\n  ```\n- [ ] Wave\n  ```bash\n  echo wave\n  ```\n';
    const a = await start('standard', text);
    // Run X, then its host "dies" (stale lock).
    const x = a.state;
    setLockHolder(x.dir);
    // Host B has its own run Y open, unfinished.
    const b = testHandlers({ host: 'browser', version: 'test', root: a.root });
    const callB: ApiCall = (m, i) => dispatch(b.handlers, m, i) as Promise<any>;
    await callB('runbook.open', { path: path.join(a.root, 'rotate.md') });
    const y: RunState = await callB('runs.start', { profile: 'standard', operator: 'Bob', vars: {} });
    // X's journal cannot be continued here (its MAC keys are gone, K_0 too): refused after run Y was already sealed.
    rmSync(path.join(a.root, 'keys', 'mac', `${x.runId}.current`));
    rmSync(path.join(a.root, 'keys', 'mac', `${x.runId}.verification`));
    await expect(callB('runs.resume', { runId: x.runId, operator: 'Bob' })).rejects.toThrow(/no MAC key for run/);
    const after: RunState = await callB('runs.state', { runId: y.runId });
    expect(after.seal, 'the refused resume sealed the open run Y').toBeNull();
    expect(a.journalOf(y.dir).map((r) => r.type)).not.toContain('run.ended-early');
  });

  it('an export refused for its destination (not empty) seals nothing on its way to failing', async () => {
    const { root, call, runId, id, now } = await start();
    const out = path.join(root, 'taken');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(out);
    writeFileSync(path.join(out, 'something'), 'x');
    const shown = (await now()).unfinished.map((u) => u.stepId);
    await expect(call('runs.export', { runId, out, unfinished: shown })).rejects.toThrow(/not empty/);
    expect((await now()).seal, 'sealed although the export was refused').toBeNull();
    void id;
  });

  it('control: a refused finish journals nothing and the extra ids confirmed do not matter', async () => {
    const { call, runId, id, journal, now } = await start('regulated');
    const before = journal().length;
    const shown = (await now()).unfinished.map((u) => u.stepId);
    await expect(call('runs.finish', { runId, unfinished: shown.slice(1), reason: 'x' })).rejects.toMatchObject({ code: 'seal-unconfirmed' });
    await expect(call('runs.finish', { runId, unfinished: shown })).rejects.toMatchObject({ code: 'seal-needs-reason' });
    expect(journal().length).toBe(before);
    // A step run between the state shown and Finish: the list confirmed no longer covers it.
    void id;
  });
});

describe('what counts as unfinished', () => {
  it('a step with code and a GO / NO-GO question that ran is unfinished while its decision is not made', async () => {
    const text = '# Q\n\n## Check\n\n- [ ] Is the chain valid? GO / NO-GO\n  ```bash\n  echo checked\n  ```\n';
    const { state, runStep, now } = await start('regulated', text);
    const check = state.steps[0] as RunState['steps'][number];
    const model = (await now()).steps[0];
    expect(model?.manual).toBeNull(); // a decision step with code: it runs
    await runStep(check.id);
    const after = await now();
    expect(after.steps[0]).toMatchObject({ status: 'succeeded', decision: null });
    expect(after.unfinished.map((u) => u.what), 'sealable with no confirmation, the decision never made').toContain('decision-pending');
  });
});
