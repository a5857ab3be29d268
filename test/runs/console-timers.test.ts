// The host keeps time (issue 13, item 4): a step's time box or repeating check is started and stopped
// through the API, scheduled in the host, journaled as typed `timer` records, and goes on with no page
// asking — nothing here reads events until the end, the way a closed page would not. A repeat runs its
// step on its cadence; a time box ends by itself; sealing stops what still counts, journaled.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { HAVE_PYTHON } from '../audit/tamper-suite.js';
import { type ApiCall, eventsUntil, sealAnyway } from '../support/run-events.js';

const RUNBOOK = `# Watch

## Queue

- [ ] Watch the queue for 6 seconds, every 5 seconds
  \`\`\`bash
  echo tick
  \`\`\`

## Errors

- [ ] Monitor the error rate for 0.4 seconds

## Soak

- [ ] Soak the new release for 1 hour

## Probe

- [ ] Probe the region every 5 seconds
  \`\`\`bash
  echo "probing $REGION"
  \`\`\`
`;

type Rec = { seq: number; type: string; data: Record<string, any> };

async function start() {
  const { root, handlers, keys } = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
  writeFileSync(path.join(root, 'watch.md'), RUNBOOK);
  await call('runbook.open', { path: path.join(root, 'watch.md') });
  const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
  const id = (pattern: RegExp) => state.steps.find((s) => pattern.test(s.id))?.id as string;
  const journal = (): Rec[] =>
    readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Rec);
  return { call, state, runId: state.runId, id, journal, keys };
}

describe('the host keeps time: timers are scheduled, run and journaled by the host', () => {
  it('a repeating check runs its step on its cadence and ends with its time box; a time box ends by itself; each is a typed timer record', async () => {
    const { call, runId, id, journal } = await start();
    const [queue, errors] = [id(/^queue\//), id(/^errors\//)];
    await call('runs.timer', { runId, stepId: queue, action: 'start' });
    await call('runs.timer', { runId, stepId: errors, action: 'start' });
    await expect(call('runs.timer', { runId, stepId: errors, action: 'start' })).rejects.toThrow(/already counting/);
    // No page reads anything meanwhile: the host goes on by itself. Then wait for the repeat's end.
    await eventsUntil(call, runId, -1, (e) => e.type === 'timer' && e.stepId === queue && e.event === 'due');
    const timers = journal().filter((r) => r.type === 'timer');
    const of = (step: string) => timers.filter((r) => r.data.step.id === step).map((r) => [r.data.event, r.data.by]);
    expect(of(errors)).toEqual([['started', 'Alice'], ['due', 'host']]);
    const queueEvents = of(queue);
    expect(queueEvents[0]).toEqual(['started', 'Alice']);
    expect(queueEvents.at(-1)).toEqual(['due', 'host']);
    const runs = queueEvents.filter(([e]) => e === 'run');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every(([, by]) => by === 'host')).toBe(true);
    // Each run the host started is a real run of the step, journaled as any other.
    const started = journal().filter((r) => r.type === 'step.started' && r.data.step.id === queue);
    expect(started.length).toBeGreaterThanOrEqual(runs.length - 1);
    expect(timers.find((r) => r.data.step.id === queue && r.data.event === 'due')?.data).toMatchObject({ kind: 'repeat', text: 'every 5 seconds', runs: runs.length });
    const state: RunState = await call('runs.state', { runId });
    expect(state.steps.find((s) => s.id === queue)?.timer).toMatchObject({ kind: 'repeat', ended: 'due', runs: runs.length });
  });

  it('sealing stops a timer that still counts, journaled by the host before run.finished; the run verifies', async () => {
    const { call, runId, id, journal, keys, state } = await start();
    const soak = id(/^soak\//);
    await expect(call('runs.timer', { runId, stepId: soak, action: 'stop' })).rejects.toThrow(/not counting/);
    await call('runs.timer', { runId, stepId: soak, action: 'start' });
    expect((await call('runs.state', { runId })).steps.find((s: { id: string }) => s.id === soak)?.timer).toMatchObject({ kind: 'timebox', ended: null, forMs: 3_600_000 });
    await sealAnyway(call, runId);
    const records = journal();
    const stopped = records.findIndex((r) => r.type === 'timer' && r.data.event === 'stopped');
    expect(records[stopped]?.data).toMatchObject({ step: { id: soak }, by: 'host' });
    expect(stopped).toBeLessThan(records.findIndex((r) => r.type === 'run.finished'));
    const verified = await verifyRun(state.dir, { keys });
    expect(verified.ok).toBe(true);
    // Exported: both verifiers rebuild the report with the timer records in it, byte for byte.
    const out = path.join(path.dirname(state.dir), '..', 'bundle');
    await call('runs.export', { runId, out });
    expect(await verifyRun(out)).toMatchObject({ ok: true, kind: 'bundle' });
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('>timer<');
    if (HAVE_PYTHON) {
      const py = spawnSync('python3', ['verify.py'], { cwd: out, encoding: 'utf8' });
      expect(py.stdout, py.stderr).toContain('ok    report.json, report.html: byte for byte the reports the journal gives');
      expect(py.status).toBe(3); // intact; nothing given anchors the keys
    }
  });

  it('a repeat whose run is refused stops: the page is told why, and the journal says the host stopped it', async () => {
    const { call, runId, id, journal } = await start();
    const probe = id(/^probe\//);
    // REGION has no value: the step is refused, so the repeat's first run (at once) cannot start.
    await call('runs.timer', { runId, stepId: probe, action: 'start' });
    const { events } = await eventsUntil(call, runId, -1, (e) => e.type === 'error' && e.message.includes(probe));
    expect(events.find((e) => e.type === 'error')?.message).toMatch(/the repeating check could not run the step, so it stops: .*REGION/);
    expect(journal().filter((r) => r.type === 'timer' && r.data.step.id === probe).map((r) => [r.data.event, r.data.by])).toEqual([['started', 'Alice'], ['stopped', 'host']]);
    expect(journal().filter((r) => r.type === 'step.started' && r.data.step.id === probe)).toEqual([]);
    expect((await call('runs.state', { runId })).steps.find((s: { id: string }) => s.id === probe)?.timer).toMatchObject({ ended: 'stopped' });
  });

  it('the operator stops a repeat: journaled by them; a step without a timing has no timer', async () => {
    const { call, runId, id, journal } = await start();
    const queue = id(/^queue\//);
    await call('runs.timer', { runId, stepId: queue, action: 'start' });
    await call('runs.timer', { runId, stepId: queue, action: 'stop' });
    const events = journal().filter((r) => r.type === 'timer').map((r) => [r.data.event, r.data.by]);
    expect(events[0]).toEqual(['started', 'Alice']);
    expect(events.at(-1)).toEqual(['stopped', 'Alice']);
    expect(events.slice(1, -1).every(([e, by]) => e === 'run' && by === 'host')).toBe(true);
    expect((await call('runs.state', { runId })).steps.find((s: { id: string }) => s.id === queue)?.timer).toMatchObject({ ended: 'stopped' });
    const other = (await call('runs.state', { runId })).steps.find((s: { id: string; timer?: unknown }) => s.id !== queue && !/errors|soak|probe/.test(s.id));
    if (other) await expect(call('runs.timer', { runId, stepId: other.id, action: 'start' })).rejects.toThrow(/no time box or repeating check/);
  });
});
