// Truthful state and plain errors (issue 13): a NO-GO never reads as success, errors say what went wrong in
// plain words with a code, a step's error sits with the step and the next success clears it.
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/shared/run-api.js';
import { plainError } from '../../src/renderer/lib/plain-errors.js';
import { stepOutcome } from '../../src/renderer/lib/step-outcome.js';
import { initialRunView, runViewReducer } from '../../src/renderer/run/run-view-state.js';

describe('stepOutcome', () => {
  it('a NO-GO (or roll back) recorded as a decided step reads as the decision, in a bad tone, never succeeded', () => {
    for (const decision of ['NO-GO', 'Roll back', 'abort']) {
      const o = stepOutcome({ status: 'succeeded', decision, mark: null });
      expect(o.label).toBe(decision);
      expect(o.tone).toBe('bad');
      expect(o.label).not.toMatch(/succeeded|passed/);
    }
    expect(stepOutcome({ status: 'succeeded', decision: 'GO', mark: null })).toMatchObject({ label: 'GO', tone: 'ok' });
  });
  it('reads a choice as the host does (src/shared/fill-in-values.ts): a "Stop" that stops the run is not green', () => {
    for (const decision of ['Stop', 'Stop and page the DBA', 'Revert', 'Back out', 'Halt']) expect(stepOutcome({ status: 'succeeded', decision, mark: null }).tone, decision).toBe('bad');
    expect(stepOutcome({ status: 'succeeded', decision: 'Continue', mark: null }).tone).toBe('ok');
  });
  it('a failed step, or one the operator marked failed, is bad; skipped and cancelled are not green either', () => {
    expect(stepOutcome({ status: 'failed', decision: null, mark: null }).tone).toBe('bad');
    expect(stepOutcome({ status: 'succeeded', decision: null, mark: 'fail' })).toMatchObject({ label: 'marked failed', tone: 'bad' });
    expect(stepOutcome({ status: 'skipped', decision: null, mark: null }).tone).toBe('warn');
    expect(stepOutcome({ status: 'cancelled', decision: null, mark: null }).tone).toBe('warn');
    expect(stepOutcome({ status: 'succeeded', decision: null, mark: null })).toMatchObject({ label: 'succeeded', tone: 'ok' });
  });
});

describe('plainError', () => {
  it('turns a refused input into what was wrong, with the host code, keeping the raw text', () => {
    const e = plainError('runs.skip: reason: a skip needs a reason', 'invalid-input');
    expect(e).toEqual({ text: 'A skip needs a reason.', code: 'invalid-input', raw: 'runs.skip: reason: a skip needs a reason' });
  });
  it('names a system error by its code, in words, with the path', () => {
    const e = plainError("ENOENT: no such file or directory, open '/srv/runbooks/x.md'", 'internal');
    expect(e.code).toBe('ENOENT');
    expect(e.text).toBe('No such file or directory: /srv/runbooks/x.md.');
  });
  it('reads through the desktop app\'s IPC wrapper', () => {
    const e = plainError("Error invoking remote method 'runbook-api': Error: runs.skip: reason: a skip needs a reason");
    expect(e).toMatchObject({ text: 'A skip needs a reason.', code: 'invalid-input' });
  });
  it('keeps a message it does not know, with the host code or "error"', () => {
    expect(plainError('the step is already running', null)).toMatchObject({ text: 'The step is already running.', code: 'error' });
    expect(plainError('boom', 'internal').code).toBe('internal');
  });
});

const state = (): RunState =>
  ({
    runId: 'r1',
    dir: '/runs/r1',
    profile: 'standard',
    operator: 'Alice',
    status: 'ready',
    steps: [{ id: 's1', status: 'pending', reason: null, hidden: false, manual: null, targets: {}, choices: {}, verdicts: {}, decision: null, signoff: null, mark: null, fillIns: {}, activity: [] }],
    unfinished: [],
    hiddenCount: 0,
    problems: [],
    records: 1,
    seal: null,
    approvals: [],
    questions: [],
  }) as RunState;

describe('run view: errors where they belong, and when steps ended', () => {
  it('a step error stays with its step, replaces the last one there, and goes when the step succeeds', () => {
    let v = initialRunView(state());
    v = runViewReducer(v, { type: 'error', message: 'one', code: 'invalid-input', stepId: 's1' });
    v = runViewReducer(v, { type: 'error', message: 'two', code: 'invalid-input', stepId: 's1' });
    v = runViewReducer(v, { type: 'error', message: 'global', code: null, stepId: null });
    expect(v.errors.map((e) => [e.message, e.stepId])).toEqual([
      ['two', 's1'],
      ['global', null],
    ]);
    // Any success clears the global error; the step's own stays until the step acts again successfully.
    v = runViewReducer(v, { type: 'succeeded', stepId: null });
    expect(v.errors.map((e) => e.message)).toEqual(['two']);
    v = runViewReducer(v, { type: 'events', events: [{ seq: 1, type: 'step', stepId: 's1', status: 'succeeded', reason: null }] });
    expect(v.errors).toEqual([]);
  });
  it('records when a step ended: its blocks\' end as the host timed them', () => {
    let v = initialRunView(state());
    v = runViewReducer(v, { type: 'events', events: [{ seq: 1, type: 'block-start', stepId: 's1', blockId: 'b1', target: 'local', at: '2026-12-04T03:00:00.000Z' }] });
    v = runViewReducer(v, {
      type: 'events',
      events: [
        { seq: 2, type: 'block-end', stepId: 's1', blockId: 'b1', status: 'failed', exitCode: 3, signal: null, error: null, verdict: null, durationMs: 2500, endpoint: 'this machine', resultSets: [], notes: [], comparison: null },
        { seq: 3, type: 'step', stepId: 's1', status: 'failed', reason: 'exit 3' },
      ],
    });
    expect(v.done.s1).toEqual({ status: 'failed', at: '2026-12-04T03:00:02.500Z' });
  });
});
