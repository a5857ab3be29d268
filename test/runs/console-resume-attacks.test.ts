// Attacks on Resume (from an independent review): a host runs part of a run and "dies" (its lock goes stale);
// a second host on the same settings, keys and runs directory resumes it. Each test attacks one promise of
// runs.resume and expects the attack to fail.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { ANNOUNCE, BACK_OUT, GO_NO_GO, SWITCH, cutoverRunbook } from '../support/runbook-fixtures.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';
import { setLockHolder } from '../support/stale-lock.js';

type Rec = { seq: number; run: string; type: string; data: Record<string, any> };

async function host(text: string, targets?: Record<string, unknown>) {
  const a = testHandlers({ host: 'browser', version: 'test' });
  const callA: ApiCall = (m, i) => dispatch(a.handlers, m, i) as Promise<any>;
  if (targets) await callA('targets.save', { targets: { targets } });
  const file = path.join(a.root, 'rb.md');
  writeFileSync(file, text);
  await callA('runbook.open', { path: file });
  const state: RunState = await callA('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
  const id = (pattern: RegExp) => state.steps.find((s) => pattern.test(s.id))?.id as string;
  const runStep = async (call: ApiCall, stepId: string) => {
    await call('runs.runStep', { runId: state.runId, stepId });
    const { events } = await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === stepId && ['succeeded', 'failed'].includes(e.status));
    return events.flatMap((e) => (e.type === 'output' && e.stepId === stepId && e.stream === 'stdout' ? [e.data] : [])).join('');
  };
  const journal = (): Rec[] =>
    readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Rec);
  /** Host A dies (kill -9): its lock names a process that is gone; host B opens on the same root. */
  const die = () => {
    setLockHolder(state.dir);
    const b = testHandlers({ host: 'browser', version: 'test', root: a.root });
    const callB: ApiCall = (m, i) => dispatch(b.handlers, m, i) as Promise<any>;
    return { b, callB };
  };
  return { a, callA, state, runId: state.runId, id, runStep, journal, die };
}

const ECHO_WHO = "# Who\n\n## Build\n\n- [ ] Build it\n  ```bash\n  echo \"built for $WHO\"\n  ```\n\n## Ship\n\n- [ ] Ship it\n  ```bash\n  echo \"shipped for $WHO\"\n  ```\n";

describe('attacks on Resume', () => {
  it('a value given on a step after the start (runs.setVariables) is given back: the resumed run cannot use another', async () => {
    const { callA, runId, id, runStep, die } = await host(ECHO_WHO);
    const [build, ship] = [id(/^build\//), id(/^ship\//)];
    await callA('runs.setVariables', { runId, stepId: build, values: { WHO: 'team-a' } });
    expect(await runStep(callA, build)).toContain('built for team-a');
    const { callB } = die();
    const resumed: RunState = await callB('runs.resume', { runId, operator: 'Bob' });
    expect.soft(resumed.steps.find((s) => s.id === ship)?.missingValues ?? [], 'WHO (given on a step, journaled as a fillin) was not given back').toEqual([]);
    // The attack: the same variable given again with another value; Ship would run with it.
    await callB('runs.setVariables', { runId, stepId: ship, values: { WHO: 'team-b' } }).catch(() => undefined);
    expect(await runStep(callB, ship), 'one run, two values of WHO').toContain('shipped for team-a');
  });

  it('a journal edited without the keys (a start value in run.started) is not resumed: it must verify first', async () => {
    const a = testHandlers({ host: 'browser', version: 'test' });
    const callA: ApiCall = (m, i) => dispatch(a.handlers, m, i) as Promise<any>;
    writeFileSync(path.join(a.root, 'rb.md'), ECHO_WHO);
    await callA('runbook.open', { path: path.join(a.root, 'rb.md') });
    const s: RunState = await callA('runs.start', { profile: 'standard', operator: 'Alice', vars: { WHO: 'staging' } });
    // Someone with write access to the runs directory (not to the keys) edits the journaled start value.
    const file = path.join(s.dir, 'journal.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"value":"staging"', '"value":"prod-db1"'));
    setLockHolder(s.dir);
    const b = testHandlers({ host: 'browser', version: 'test', root: a.root });
    const callB: ApiCall = (m, i) => dispatch(b.handlers, m, i) as Promise<any>;
    const outcome = await callB('runs.resume', { runId: s.runId, operator: 'Bob' }).then(
      () => 'resumed',
      (e: Error) => e.message,
    );
    if (outcome === 'resumed') {
      const build = s.steps[0]?.id as string;
      await callB('runs.runStep', { runId: s.runId, stepId: build });
      const { events } = await eventsUntil(callB, s.runId, -1, (e) => e.type === 'step' && e.stepId === build && e.status === 'succeeded');
      const printed = events.flatMap((e) => (e.type === 'output' && e.stream === 'stdout' ? [e.data] : [])).join('');
      expect.soft(printed).toContain('built for prod-db1');
    }
    // What should happen: the journal fails verification (its first record's MAC) and is not resumed.
    expect(outcome, 'a tampered journal was resumed; its steps ran with WHO=prod-db1').not.toBe('resumed');
  });

  it('a FIFO in place of the runbook copy does not block the host (its event loop) inside runs.resume', async () => {
    const { journal, die, state, runId } = await host(ECHO_WHO);
    const blob = path.join(state.dir, journal()[0]?.data.runbook.blob);
    const original = readFileSync(blob);
    rmSync(blob);
    const { spawnSync } = await import('node:child_process');
    spawnSync('mkfifo', [blob]);
    const { callB } = die();
    // A writer opens the FIFO 1.5 s later (else the host would hang for ever): the open blocks until then.
    const copy = path.join(state.dir, 'copy');
    writeFileSync(copy, original);
    const writer = spawn('sh', ['-c', `sleep 1.5; cat '${copy}' > '${blob}'`], { stdio: 'ignore' });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 50);
    const began = Date.now();
    await callB('runs.resume', { runId, operator: 'Bob' }).catch(() => undefined);
    const blockedFor = Date.now() - began;
    clearInterval(ticker);
    writer.kill();
    // While runs.resume waited, nothing else in the host ran (no timer tick, no other API call).
    expect(blockedFor < 1000 || ticks > 10, `event loop blocked ${blockedFor} ms with ${ticks} ticks`).toBe(true);
  });

  it('control: a torn last journal line does not stop Resume; it is set aside', async () => {
    const { callA, runId, id, runStep, journal, die, state } = await host(ECHO_WHO);
    await callA('runs.setVariables', { runId, stepId: id(/^build\//), values: { WHO: 'x' } });
    await runStep(callA, id(/^build\//));
    appendFileSync(path.join(state.dir, 'journal.jsonl'), '{"seq":99,"run":"');
    const { callB } = die();
    const resumed: RunState = await callB('runs.resume', { runId, operator: 'Bob' });
    expect(resumed.steps.find((s) => s.id === id(/^build\//))?.status).toBe('succeeded');
    expect(journal().map((r) => r.type).slice(-2)).toEqual(['log.recovered', 'run.resumed']);
  });

  it('after Resume, a decision still passes over a step whose own skip (not the decision\'s) was taken back', async () => {
    const text = cutoverRunbook(GO_NO_GO, ANNOUNCE, SWITCH, BACK_OUT);
    const { callA, runId, id, die } = await host(text);
    const [decide, announce] = [id(/^go-no-go/), id(/^announce\//)];
    await callA('runs.skip', { runId, stepId: announce, reason: 'told them already' });
    await callA('runs.override', { runId, stepId: announce, reason: 'tell them again' });
    // Control, on a live run: GO passes Announce over.
    const live = testHandlers({ host: 'browser', version: 'test' });
    const callL: ApiCall = (m, i) => dispatch(live.handlers, m, i) as Promise<any>;
    writeFileSync(path.join(live.root, 'rb.md'), text);
    await callL('runbook.open', { path: path.join(live.root, 'rb.md') });
    const l: RunState = await callL('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    await callL('runs.skip', { runId: l.runId, stepId: announce, reason: 'told them already' });
    await callL('runs.override', { runId: l.runId, stepId: announce, reason: 'tell them again' });
    const liveAfter: RunState = await callL('runs.record', { runId: l.runId, stepId: decide, kind: 'decision', decision: 'GO' });
    expect(liveAfter.steps.find((s) => s.id === announce)?.passedOver).not.toBeNull();
    // Resumed: the same decision leaves Announce runnable, nothing to override.
    const { callB } = die();
    await callB('runs.resume', { runId, operator: 'Bob' });
    const after: RunState = await callB('runs.record', { runId, stepId: decide, kind: 'decision', decision: 'GO' });
    expect(after.steps.find((s) => s.id === announce)?.passedOver, 'resumed: GO no longer passes Announce over').not.toBeNull();
  });
});

describe('attacks on Resume: concurrent calls', () => {
  it('two Resume clicks at once: one run, resumed once, not sealed by the second', async () => {
    const { runId, die, journal } = await host(ECHO_WHO);
    const { callB } = die();
    const results = await Promise.allSettled([callB('runs.resume', { runId, operator: 'Bob' }), callB('runs.resume', { runId, operator: 'Bob' })]);
    const types = journal().map((r) => r.type);
    expect(types.filter((t) => t === 'run.resumed').length).toBe(1);
    expect(types, JSON.stringify(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok')))).not.toContain('run.finished');
  });

  it('Resume and a new run at once: the run resumed is not left open, unsealed and locked by this live host', async () => {
    const { runId, die, journal, a } = await host(ECHO_WHO);
    const { callB } = die();
    await callB('runbook.open', { path: path.join(a.root, 'rb.md') });
    const results = await Promise.allSettled([callB('runs.resume', { runId, operator: 'Bob' }), callB('runs.start', { profile: 'standard', operator: 'Bob', vars: {} })]);
    const current = await callB('runs.current', {});
    const types = journal().map((r) => r.type);
    // Either X is the open run, or X was sealed; never resumed (lock held by this process) and then dropped.
    const orphaned = types.includes('run.resumed') && !types.includes('run.finished') && current?.runId !== runId;
    expect(orphaned, `results ${JSON.stringify(results.map((r) => r.status))}; open run ${current?.runId}; X's records ${types.slice(-3).join(', ')}`).toBe(false);
  });
});

describe('Resume: controls', () => {
  it('a runId with path tricks, and a runbook copy swapped for a symlink, are refused; nothing is journaled', async () => {
    const { runId, die, journal, state } = await host(ECHO_WHO);
    const { callB } = die();
    for (const bad of ['../runs', '..', `${runId}/..`, `./${runId}`, '/etc', `${runId}%2f..`]) {
      await expect(callB('runs.resume', { runId: bad, operator: 'Bob' })).rejects.toThrow();
    }
    const blob = path.join(state.dir, journal()[0]?.data.runbook.blob);
    const copy = `${blob}.real`;
    const { renameSync, symlinkSync } = await import('node:fs');
    renameSync(blob, copy);
    symlinkSync(copy, blob);
    const before = journal().length;
    await expect(callB('runs.resume', { runId, operator: 'Bob' })).rejects.toThrow();
    expect(journal().length).toBe(before);
  });
});
