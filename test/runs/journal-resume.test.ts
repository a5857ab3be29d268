// Continuing a run's journal after its host died (RunJournal.resume): the stale lock is taken over, the same
// journal goes on (same run id, MAC chain and Merkle tree: the next seal extends the last), and the run then
// verifies sealed. A live run, an ended or a sealed one is not continued.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { loadInstallation } from '../../src/main/audit/installation.js';
import { RunLockedError } from '../../src/main/audit/run-lock.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import { RunJournal } from '../../src/main/session/run-journal.js';
import { restoreRun } from '../../src/main/runs/restore.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';
import { setLockHolder } from '../support/stale-lock.js';

const RUNBOOK = '# Resume\n\n## One\n\n```bash\necho one\n```\n\n## Two\n\n```bash\necho two\n```\n';

async function killedRun() {
  const { root, handlers, keys } = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
  writeFileSync(path.join(root, 'r.md'), RUNBOOK);
  await call('runbook.open', { path: path.join(root, 'r.md') });
  const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
  const step = state.steps[0]?.id as string;
  await call('runs.runStep', { runId: state.runId, stepId: step });
  await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === step && e.status === 'succeeded');
  const installation = await loadInstallation(path.join(root, 'keys', 'installation_ed25519'));
  const records = () => readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { run: string; type: string; seq: number });
  /** As after kill -9 of the host: its lock names a process that is gone. */
  const kill = () => {
    setLockHolder(state.dir);
  };
  return { state, keys, installation, records, kill, call };
}

describe('RunJournal.resume', () => {
  it('continues the same journal after its host died, and the run then verifies sealed', async () => {
    const { state, keys, installation, records, kill } = await killedRun();
    // While its host lives, the run is not taken from it.
    expect(() => RunJournal.resume(state.dir, keys, installation, { retentionDays: null })).toThrow(RunLockedError);
    kill();
    const before = records();
    const { journal, tookOver } = RunJournal.resume(state.dir, keys, installation, { retentionDays: null });
    expect(tookOver?.state).toBe('stale');
    expect(journal.runId).toBe(state.runId);
    expect(journal.writer.count).toBe(before.length);
    journal.record('step.note', { step: { id: state.steps[1]?.id as string }, text: 'after the restart', by: 'Alice' });
    await journal.finish({ ok: true, steps: [] });
    const after = records();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(new Set(after.map((r) => r.run))).toEqual(new Set([state.runId]));
    expect(after.map((r) => r.seq)).toEqual(after.map((_, i) => i));
    const verified = await verifyRun(state.dir, { keys });
    expect(verified.ok ? verified.sealedSize : verified.failure).toBe(after.length - 1);
    // Sealed at its end: never continued again.
    expect(() => RunJournal.resume(state.dir, keys, installation, { retentionDays: null })).toThrow(/cannot be resumed/);
    expect(records()).toHaveLength(after.length);
  });
});

describe('restoreRun', () => {
  it('reads what a resumed run shows as done: a block that ran, a skip with its reason and who; the rest is still to do', async () => {
    const { state, call } = await killedRun();
    const [one, two] = state.steps.map((s) => s.id) as [string, string];
    await call('runs.skip', { runId: state.runId, stepId: two, reason: 'not in this window' });
    const restored = restoreRun(state.dir);
    expect(restored.unfinished).toEqual([]);
    expect(restored.steps.get(one)).toMatchObject({ status: 'succeeded' });
    expect(restored.steps.get(two)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('not in this window') });
    expect(restored.steps.get(two)?.activity.map((a) => [a.kind, a.by, a.reason])).toEqual([['skip', 'Alice', 'not in this window']]);
    expect([...restored.steps.keys()].sort()).toEqual([one, two].sort());
  });
});
