// The console runs a run through the same assembly as `runbook run`, so the same rules hold: unsafe values
// refuse the run, a runbook cannot define targets, protected targets need the typed name (a wrong one
// refuses and is journaled), target env feeds variables, and what the page sends is checked again.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';

async function console(runbook: string, targets?: Record<string, unknown>) {
  const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
  if (targets) await call('targets.save', { targets: { targets } });
  const file = path.join(root, 'rb.md');
  writeFileSync(file, runbook.replaceAll('ROOT', root));
  await call('runbook.open', { path: file });
  return { call, root };
}

const journal = (state: RunState) =>
  readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });

describe('console safety: the same assembly as the CLI', () => {
  it('refuses to start a run whose values would become code, naming line, step and variable', async () => {
    const { call, root } = await console("# V\n\n- [ ] Quote\n  ```bash\n  echo 'ticket <TICKET>'\n  ```\n");
    await expect(call('runs.start', { profile: 'standard', operator: 'Alice', vars: { TICKET: "'; touch ROOT/canary; '" } })).rejects.toThrow(/rb\.md:5: step \S+: variable <?TICKET>?/);
    expect(existsSync(path.join(root, 'canary'))).toBe(false);
  });

  it('refuses a runbook that defines its own targets', async () => {
    const { call } = await console('---\ntargets:\n  local: { kind: local, cwd: /tmp }\n---\n# T\n\n- [ ] Go\n  ```bash\n  echo hi\n  ```\n');
    await expect(call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} })).rejects.toThrow(/targets/);
  });

  it("takes a variable from the bound target's env, as the CLI does", async () => {
    const { call } = await console('# E\n\n- [ ] Greet\n  ```bash {"target":"box"}\n  echo "greeting <GREETING>"\n  ```\n', { box: { kind: 'local', env: { GREETING: 'from-target-env' } } });
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    expect(state.problems).toEqual([]);
    await call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
    const { events } = await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.status !== 'running');
    expect(events.filter((e) => e.type === 'output').map((e) => (e as { data: string }).data).join('')).toContain('greeting from-target-env');
  });

  it('a wrong name typed for a protected target refuses the block: failed, journaled with its refusal code, nothing ran', async () => {
    const { call, root } = await console('# P\n\n- [ ] Change prod\n  ```bash {"target":"prod"}\n  touch ROOT/changed\n  ```\n- [ ] Look at prod\n  ```bash {"target":"prod"}\n  ls ROOT\n  ```\n', { prod: { kind: 'local', protected: true } });
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    expect(state.steps[0]?.verdicts[`${state.steps[0]?.id}#1`] ?? Object.values(state.steps[0]?.verdicts ?? {})[0]).toMatchObject({ changesState: true });
    await call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'question');
    const asked: RunState = await call('runs.state', { runId: state.runId });
    expect(asked.questions[0]).toMatchObject({ kind: 'type-name', expected: 'prod' });
    await call('runs.answer', { runId: state.runId, questionId: asked.questions[0]?.questionId, answer: 'prd' });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.status === 'failed');
    expect(existsSync(path.join(root, 'changed'))).toBe(false);
    expect(journal(state).find((r) => r.type === 'step.skipped' && r.data.by === 'refused')?.data.refusal).toBe('protected-not-confirmed');

    // The step's end is announced before the run lets go of it; wait for the run to be ready again.
    for (let i = 0; i < 1000 && (await call('runs.state', { runId: state.runId })).status === 'running'; i++) await new Promise((r) => setImmediate(r));
    // Positive control: a proven read-only block on the same protected target runs without a question.
    const second = state.steps[1]?.id as string;
    await call('runs.runStep', { runId: state.runId, stepId: second });
    const { events } = await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === second && e.status !== 'running');
    expect(events.some((e) => e.type === 'step' && e.stepId === second && e.status === 'succeeded')).toBe(true);
  });

  it('re-checks what the page records: a decision the step does not offer, a sign-off on a plain step', async () => {
    const { call } = await console('# D\n\n- [ ] **Go or no-go?** GO / NO-GO\n- [ ] Plain step\n  ```bash\n  echo hi\n  ```\n');
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    const decision = state.steps[0]?.id as string;
    await expect(call('runs.record', { runId: state.runId, stepId: decision, kind: 'decision', decision: 'MAYBE' })).rejects.toThrow(/offers no decision "MAYBE"/);
    await expect(call('runs.record', { runId: state.runId, stepId: state.steps[1]?.id, kind: 'signoff', name: 'Eve', role: 'Boss', date: '2026-12-04' })).rejects.toThrow(/not a sign-off/);
  });
});
