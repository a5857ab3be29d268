// Resume (issue 13, item 5): after the app or `serve` restarts, an unfinished run is offered back and goes on
// in the same journal. A second host on the same runs directory resumes a run whose host died: run.resumed is
// journaled (who, the lock taken over), each step shows what the journal says was done — results, decisions,
// marks, notes — values given before are given back except secrets (asked again: never journaled), and the
// run goes on to a seal that verifies as one chain. A sealed run, one a live host holds, one made by another
// installation or whose runbook copy was altered is not resumed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { makeKey } from '../audit/ssh-tools.js';
import { HAVE_PYTHON } from '../audit/tamper-suite.js';
import { type ApiCall, eventsUntil, sealAnyway } from '../support/run-events.js';
import { DEAD_PID, setLockHolder } from '../support/stale-lock.js';

const RUNBOOK = `---
variables:
  API_TOKEN:
    secret: true
---
# Release r42

## Build

- [ ] Build it
  \`\`\`bash
  echo "built for $WHO"
  \`\`\`

## Go / No-Go

- [ ] Ship it? GO / NO-GO

## Tell

- [ ] Tell the channel by hand

## Ship

- [ ] Ship with the token
  \`\`\`bash
  test -n "$API_TOKEN" && echo "shipped for $WHO"
  \`\`\`
`;

type Rec = { seq: number; run: string; type: string; data: Record<string, any> };

/** A run on host A with a step run, a decision, a mark and a note; then host A dies (its lock is stale). */
async function diedMidRun() {
  const a = testHandlers({ host: 'browser', version: 'test' });
  const callA: ApiCall = (m, i) => dispatch(a.handlers, m, i) as Promise<any>;
  const file = path.join(a.root, 'release.md');
  writeFileSync(file, RUNBOOK);
  await callA('runbook.open', { path: file });
  const state: RunState = await callA('runs.start', { profile: 'regulated', operator: 'Alice', vars: { WHO: 'team-a', API_TOKEN: 'tok-never-journaled' } });
  const id = (pattern: RegExp) => state.steps.find((s) => pattern.test(s.id))?.id as string;
  const [build, decide, tell, ship] = [id(/^build\//), id(/^go-no-go\//), id(/^tell\//), id(/^ship\//)];
  await callA('runs.runStep', { runId: state.runId, stepId: build });
  await eventsUntil(callA, state.runId, -1, (e) => e.type === 'step' && e.stepId === build && e.status === 'succeeded');
  await callA('runs.record', { runId: state.runId, stepId: decide, kind: 'decision', decision: 'GO' });
  await callA('runs.record', { runId: state.runId, stepId: tell, kind: 'mark', verdict: 'pass' });
  await callA('runs.record', { runId: state.runId, stepId: ship, kind: 'note', text: 'ship after the standup' });
  // As after kill -9 of host A: its lock names a process that is gone.
  setLockHolder(state.dir);
  // Host B: a new process on the same settings, keys and runs directory.
  const b = testHandlers({ host: 'browser', version: 'test', root: a.root });
  const callB: ApiCall = (m, i) => dispatch(b.handlers, m, i) as Promise<any>;
  const journal = (): Rec[] =>
    readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Rec);
  return { a, b, callA, callB, state, build, decide, tell, ship, journal, keys: b.keys };
}

describe('Resume: an unfinished run goes on in the same journal after a restart', () => {
  it('is listed unfinished; resumed, every step shows what was done, run.resumed is journaled, and the run goes on to a seal that verifies as one chain', async () => {
    const { callB, state, build, decide, tell, ship, journal, keys } = await diedMidRun();
    const before = journal();
    const { runs } = await callB('history.list', {});
    expect(runs.find((r: { runId: string }) => r.runId === state.runId)?.state).toBe('unfinished');

    const resumed: RunState = await callB('runs.resume', { runId: state.runId, operator: 'Bob' });
    expect(resumed.runId).toBe(state.runId);
    expect(resumed.profile).toBe('regulated');
    const step = (id: string) => resumed.steps.find((s) => s.id === id);
    expect(step(build)).toMatchObject({ status: 'succeeded' });
    expect(step(decide)).toMatchObject({ status: 'succeeded', decision: 'GO' });
    expect(step(tell)).toMatchObject({ status: 'succeeded', mark: 'pass' });
    expect(step(ship)?.activity.map((x) => [x.kind, x.by, x.text])).toEqual([['note', 'Alice', 'ship after the standup']]);
    // WHO was journaled (not secret) and is given back; the secret never was: it is asked for again.
    expect(step(build)?.missingValues ?? []).toEqual([]);
    expect(step(ship)?.missingValues).toEqual([{ name: 'API_TOKEN', secret: true }]);
    // The runbook the run recorded is the open one now.
    expect((await callB('runbook.current', {})).runbook.sha256).toBe(before[0]?.data.runbook.sha256);
    // The run started with WHO: journaled now (format 2), a secret's value never.
    expect(before[0]?.data.variables).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'WHO', value: 'team-a' }), expect.objectContaining({ name: 'API_TOKEN', secret: true, value: null })]));

    const records = journal();
    expect(records.slice(0, before.length)).toEqual(before); // nothing rewritten
    const entry = records[before.length];
    expect(entry).toMatchObject({ run: state.runId, seq: before.length, type: 'run.resumed', data: { by: 'Bob', unfinished: [], stale_lock: { pid: DEAD_PID, purpose: 'run' } } });

    await callB('runs.setVariables', { runId: state.runId, stepId: ship, values: { API_TOKEN: 'tok-given-again' } });
    await callB('runs.runStep', { runId: state.runId, stepId: ship });
    await eventsUntil(callB, state.runId, -1, (e) => e.type === 'step' && e.stepId === ship && e.status === 'succeeded');
    const finished: RunState = await sealAnyway(callB, state.runId);
    expect(finished.seal).not.toBeNull();
    const all = journal();
    expect(new Set(all.map((r) => r.run))).toEqual(new Set([state.runId]));
    expect(all.map((r) => r.seq)).toEqual(all.map((_, i) => i));
    expect(all.find((r) => r.type === 'step.finished' && r.data.step.id === ship)?.data.outcome.ok).toBe(true);
    const verified = await verifyRun(state.dir, { keys });
    expect(verified.ok ? verified.sealedSize : verified.failure).toBe(all.length - 1);
    // Exported (REGULATED: signed with the operator's key): both verifiers rebuild the report, run.resumed in it.
    const out = path.join(path.dirname(path.dirname(state.dir)), 'bundle');
    await callB('runs.export', { runId: state.runId, out, keyFile: makeKey(path.dirname(path.dirname(state.dir)), 'bob', 'ed25519').file });
    expect(await verifyRun(out)).toMatchObject({ ok: true, kind: 'bundle' });
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('>run.resumed<');
    if (HAVE_PYTHON) {
      const py = spawnSync('python3', ['verify.py'], { cwd: out, encoding: 'utf8' });
      expect(py.stdout, py.stderr).toContain('ok    report.json, report.html: byte for byte the reports the journal gives');
    }
    const text = readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8');
    expect(text).not.toContain('tok-never-journaled');
    expect(text).not.toContain('tok-given-again');
  });

  it('a block the operator moved to another target runs there after Resume; one whose target is gone is refused, never run on the default', async () => {
    const a = testHandlers({ host: 'browser', version: 'test' });
    const callA: ApiCall = (m, i) => dispatch(a.handlers, m, i) as Promise<any>;
    const [east, west] = [mkdtempSync(path.join(tmpdir(), 'resume-east-')), mkdtempSync(path.join(tmpdir(), 'resume-west-'))];
    await callA('targets.save', { targets: { targets: { east: { kind: 'local', cwd: east }, west: { kind: 'local', cwd: west } } } });
    writeFileSync(path.join(a.root, 'moved.md'), '# Moved\n\n- [ ] Where one\n  ```bash\n  pwd\n  ```\n- [ ] Where two\n  ```bash\n  pwd; touch ran-here\n  ```\n');
    await callA('runbook.open', { path: path.join(a.root, 'moved.md') });
    const state: RunState = await callA('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    const [one, two] = state.steps;
    if (!one || !two) throw new Error('two steps expected');
    const [blockOne, blockTwo] = [Object.keys(one.choices)[0] as string, Object.keys(two.choices)[0] as string];
    await callA('runs.bind', { runId: state.runId, stepId: one.id, blockId: blockOne, target: 'east' });
    await callA('runs.bind', { runId: state.runId, stepId: two.id, blockId: blockTwo, target: 'west' });
    setLockHolder(state.dir);
    // Meanwhile the west target was removed from the settings the next host reads.
    const b = testHandlers({ host: 'browser', version: 'test', root: a.root });
    const callB: ApiCall = (m, i) => dispatch(b.handlers, m, i) as Promise<any>;
    await callB('targets.save', { targets: { targets: { east: { kind: 'local', cwd: east } } } });

    const resumed: RunState = await callB('runs.resume', { runId: state.runId, operator: 'Alice' });
    const step = (id: string) => resumed.steps.find((s) => s.id === id);
    expect(step(one.id)?.targets[blockOne]).toMatchObject({ name: 'east', kind: 'local' });
    expect(step(one.id)?.activity.map((x) => [x.kind, x.text])).toEqual([['target', expect.stringContaining('chose target east')]]);
    expect(step(two.id)?.targets[blockTwo]).toBeUndefined();
    expect(resumed.problems.join('\n')).toMatch(/bound it to target "west", which cannot be used now \(no target named "west"/);

    await callB('runs.runStep', { runId: state.runId, stepId: one.id });
    const { events } = await eventsUntil(callB, state.runId, -1, (e) => e.type === 'step' && e.stepId === one.id && e.status !== 'running');
    expect(events.flatMap((e) => (e.type === 'output' && e.stream === 'stdout' ? [e.data] : [])).join('').trim()).toBe(east);
    // Attack: the step moved to a target that is gone does not run anywhere (not on the default target).
    await expect(callB('runs.runStep', { runId: state.runId, stepId: two.id })).rejects.toThrow(/west/);
    const records = readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
    expect(records.filter((r) => r.type === 'step.started' && r.data.step.id === two.id)).toEqual([]);
    expect(existsSync(path.join(process.cwd(), 'ran-here'))).toBe(false);
    // Control: given a target the run knows, it runs there.
    await callB('runs.bind', { runId: state.runId, stepId: two.id, blockId: blockTwo, target: 'east' });
    await callB('runs.runStep', { runId: state.runId, stepId: two.id });
    await eventsUntil(callB, state.runId, -1, (e) => e.type === 'step' && e.stepId === two.id && e.status === 'succeeded');
    expect(existsSync(path.join(east, 'ran-here'))).toBe(true);
    expect(existsSync(path.join(west, 'ran-here'))).toBe(false);
    for (const dir of [east, west]) rmSync(dir, { recursive: true, force: true });
  });

  it('a chosen target whose name now means another endpoint is not used on Resume: the block is refused, not run there', async () => {
    const a = testHandlers({ host: 'browser', version: 'test' });
    const callA: ApiCall = (m, i) => dispatch(a.handlers, m, i) as Promise<any>;
    await callA('targets.save', { targets: { targets: { west: { kind: 'ssh', host: '127.0.0.1', user: 'deploy' } } } });
    writeFileSync(path.join(a.root, 'moved.md'), '# Moved\n\n- [ ] Where\n  ```bash\n  hostname\n  ```\n');
    await callA('runbook.open', { path: path.join(a.root, 'moved.md') });
    const state: RunState = await callA('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    const step = state.steps[0]?.id as string;
    const block = Object.keys(state.steps[0]?.choices ?? {})[0] as string;
    await callA('runs.bind', { runId: state.runId, stepId: step, blockId: block, target: 'west' });
    setLockHolder(state.dir);
    // Meanwhile "west" was redefined: the same name, another host.
    const b = testHandlers({ host: 'browser', version: 'test', root: a.root });
    const callB: ApiCall = (m, i) => dispatch(b.handlers, m, i) as Promise<any>;
    await callB('targets.save', { targets: { targets: { west: { kind: 'ssh', host: '192.0.2.7', user: 'deploy' } } } });
    const resumed: RunState = await callB('runs.resume', { runId: state.runId, operator: 'Alice' });
    expect(resumed.steps[0]?.targets[block]).toBeUndefined();
    expect(resumed.problems.join('\n')).toMatch(/bound it to target "west", which cannot be used now \(target "west" is now ssh .*192\.0\.2\.7.*, not the ssh .*127\.0\.0\.1.* chosen\)/);
    await expect(callB('runs.runStep', { runId: state.runId, stepId: step })).rejects.toThrow(/west/);
    const records = readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
    expect(records.filter((r) => r.type === 'step.started')).toEqual([]);
  });

  it('RESTRICTED: only the operator run.started names resumes it (the approval rules name them; another could approve their own steps)', async () => {
    const a = testHandlers({ host: 'browser', version: 'test' });
    const callA: ApiCall = (m, i) => dispatch(a.handlers, m, i) as Promise<any>;
    writeFileSync(path.join(a.root, 'r.md'), '# Restricted change\n\n- [ ] Change the thing\n  ```bash\n  echo changed\n  ```\n');
    await callA('runbook.open', { path: path.join(a.root, 'r.md') });
    const state: RunState = await callA('runs.start', { profile: 'restricted', operator: 'Alice', vars: {} });
    setLockHolder(state.dir);
    const b = testHandlers({ host: 'browser', version: 'test', root: a.root });
    const callB: ApiCall = (m, i) => dispatch(b.handlers, m, i) as Promise<any>;
    const before = readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8');
    await expect(callB('runs.resume', { runId: state.runId, operator: 'bob' })).rejects.toThrow(/RESTRICTED and was started by Alice: only they resume it/);
    expect(readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')).toBe(before);
    // Control: Alice resumes it.
    expect((await callB('runs.resume', { runId: state.runId, operator: 'Alice' })).runId).toBe(state.runId);
  });

  it('refuses a run a live host holds, a sealed run, and a run whose runbook copy was altered; nothing is journaled', async () => {
    const { callA, callB, state, journal } = await diedMidRun();
    // Held: host A's lock taken back as live (its own pid) — host B must not take the run from it.
    setLockHolder(state.dir, process.pid);
    const before = journal().length;
    await expect(callB('runs.resume', { runId: state.runId, operator: 'Bob' })).rejects.toThrow(/is running .*only an unfinished run/);
    setLockHolder(state.dir);
    // Altered copy of the runbook in the run directory: refused before anything is written.
    const blob = path.join(state.dir, journal()[0]?.data.runbook.blob);
    const original = readFileSync(blob);
    rmSync(blob);
    writeFileSync(blob, Buffer.concat([original, Buffer.from('\n- [ ] An extra step\n')]));
    await expect(callB('runs.resume', { runId: state.runId, operator: 'Bob' })).rejects.toThrow(/does not match the hash run.started recorded/);
    rmSync(blob);
    writeFileSync(blob, original);
    expect(journal()).toHaveLength(before);
    // Sealed (host B resumes and seals it): never resumed again.
    await callB('runs.resume', { runId: state.runId, operator: 'Bob' });
    await sealAnyway(callB, state.runId);
    const c = testHandlers({ host: 'browser', version: 'test', root: path.dirname(path.dirname(state.dir)) });
    const callC: ApiCall = (m, i) => dispatch(c.handlers, m, i) as Promise<any>;
    await expect(callC('runs.resume', { runId: state.runId, operator: 'Carol' })).rejects.toThrow(/is sealed/);
    void callA;
  });
});
