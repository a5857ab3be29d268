// A decision, its change note and the steps it passes over are journaled as one group (one flush). Should
// that flush fail, the call is refused and the run's state is as before it: no decision, no skip, no event
// for a record the journal does not hold. The control: the same decision with a working disk is recorded.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { ANNOUNCE, BACK_OUT, GO_NO_GO, SWITCH, cutoverRunbook } from '../support/runbook-fixtures.js';

afterEach(() => {
  delete process.env.RUNBOOK_CONSOLE_TEST_FAULT;
});

async function openRun() {
  const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
  const call = <T>(m: string, i: unknown) => dispatch(handlers, m, i) as Promise<T>;
  const file = path.join(root, 'runbook.md');
  writeFileSync(file, cutoverRunbook(GO_NO_GO, ANNOUNCE, SWITCH, BACK_OUT));
  await call('runbook.open', { path: file });
  const state = await call<RunState>('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
  const id = (prefix: RegExp) => (state.steps.find((s) => prefix.test(s.id)) as RunState['steps'][number]).id;
  return { call, state, decision: id(/^go-no-go\//), announce: id(/^announce\//) };
}

describe('a decision journaled as one group', () => {
  it('a failed flush leaves no decision, skip or event the journal does not hold', async () => {
    const { call, state, decision, announce } = await openRun();
    const before = await call<{ events: { type: string }[]; next: number }>('runs.events', { runId: state.runId, after: -1 });
    process.env.RUNBOOK_CONSOLE_TEST_FAULT = 'journal.fsync:EIO';
    await expect(call('runs.record', { runId: state.runId, stepId: decision, kind: 'decision', decision: 'GO' })).rejects.toThrow(/EIO/);
    delete process.env.RUNBOOK_CONSOLE_TEST_FAULT;
    const after = await call<RunState>('runs.state', { runId: state.runId });
    const shown = (id: string) => after.steps.find((s) => s.id === id) as RunState['steps'][number];
    expect({ decision: shown(decision).status, made: shown(decision).decision, announce: shown(announce).status, passedOver: shown(announce).passedOver, activity: shown(decision).activity }).toEqual({
      decision: 'pending',
      made: null,
      announce: 'pending',
      passedOver: null,
      activity: [],
    });
    const events = await call<{ events: { type: string; recordType?: string }[] }>('runs.events', { runId: state.runId, after: before.next });
    expect(events.events.filter((e) => e.type === 'record' && (e.recordType === 'decision' || e.recordType === 'step.skipped'))).toEqual([]);
  });

  it('the control: with the disk working, the decision and the skip it causes are recorded and shown', async () => {
    const { call, state, decision, announce } = await openRun();
    await call('runs.record', { runId: state.runId, stepId: decision, kind: 'decision', decision: 'GO' });
    const after = await call<RunState>('runs.state', { runId: state.runId });
    const shown = (id: string) => after.steps.find((s) => s.id === id) as RunState['steps'][number];
    expect(shown(decision).decision).toBe('GO');
    expect(shown(announce).passedOver).not.toBeNull();
  });
});
