// Decisions in the console follow `runbook run`'s rule (src/shared/decisions.ts): when a choice is recorded,
// the steps it leads away from are passed over — skipped and journaled with the CLI's reason, or, after a
// NO-GO that names nowhere to go, left not to run — and main refuses to run, mark or decide them until the
// operator overrides that with a reason, which is journaled. A changed decision puts back what it no longer
// passes over; a step that already ran keeps what happened.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';
import { ANNOUNCE, BACK_OUT, GO_NO_GO, SWITCH, cutoverRunbook } from '../support/runbook-fixtures.js';

const CUTOVER = cutoverRunbook(GO_NO_GO, ANNOUNCE, SWITCH, `${BACK_OUT}- [ ] Confirm the old route by hand\n`);

const STOPS = `# Check

## Health

- [ ] Is it healthy? GO / NO-GO

## Work

- [ ] Do the work
  \`\`\`bash
  echo work
  \`\`\`
`;

async function start(text: string) {
  const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
  const file = path.join(root, 'runbook.md');
  writeFileSync(file, text);
  await call('runbook.open', { path: file });
  const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
  const id = (pattern: RegExp) => {
    const found = state.steps.find((s) => pattern.test(s.id));
    if (!found) throw new Error(`no step like ${pattern}`);
    return found.id;
  };
  const runId = state.runId;
  const decide = (stepId: string, decision: string, change?: string): Promise<RunState> => call('runs.record', { runId, stepId, kind: 'decision', decision, ...(change ? { change } : {}) });
  const journal = () =>
    readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });
  return { call, state, runId, id, decide, journal };
}

const stepOf = (state: RunState, id: string) => state.steps.find((s) => s.id === id);

describe('the console passes over what a decision leads away from, as `runbook run` does', () => {
  it('GO: the announcement before Switch and the back-out section are skipped by the decision, journaled with the CLI\'s reasons', async () => {
    const { state, id, decide, journal } = await start(CUTOVER);
    const decision = id(/^go-no-go\//);
    const [announce, restore, confirm, sw] = [id(/^announce\//), id(/restore-the-old-route/), id(/confirm-the-old-route/), id(/^switch\//)];
    expect(stepOf(state, restore)?.passedOver).toBeNull(); // nothing passed over before a choice
    const after = await decide(decision, 'GO');
    const title = 'Decide GO / NO-GO with the lead.';
    expect(stepOf(after, announce)).toMatchObject({ status: 'skipped', passedOver: { decision, choice: 'GO', kind: 'skip', reason: `decision "GO" at "${title}" leads to "Switch"` } });
    expect(stepOf(after, restore)).toMatchObject({ status: 'skipped', passedOver: { kind: 'skip', reason: `decision "GO" at "${title}" does not lead to "Back out"` } });
    expect(stepOf(after, confirm)?.status).toBe('skipped');
    expect(stepOf(after, sw)).toMatchObject({ status: 'pending', passedOver: null });
    // Typed: skipped by the decision (which step, which choice), not by the operator; the reason beside it in words.
    const by = { decision: { step: decision, choice: 'GO' } };
    expect(journal().filter((r) => r.type === 'step.skipped').map((r) => [r.data.step.id, r.data.by, r.data.decision, r.data.reason])).toEqual([
      [announce, 'decision', by.decision, `decision "GO" at "${title}" leads to "Switch"`],
      [restore, 'decision', by.decision, `decision "GO" at "${title}" does not lead to "Back out"`],
      [confirm, 'decision', by.decision, `decision "GO" at "${title}" does not lead to "Back out"`],
    ]);
  });

  it('a passed-over step is not run, marked or decided without an override; the override needs a reason and is journaled', async () => {
    const { call, runId, id, decide, journal } = await start(CUTOVER);
    await decide(id(/^go-no-go\//), 'GO');
    const restore = id(/restore-the-old-route/);
    const confirm = id(/confirm-the-old-route/);
    await expect(call('runs.runStep', { runId, stepId: restore })).rejects.toThrow(/is passed over: decision "GO" .* does not lead to "Back out"; override that/);
    await expect(call('runs.record', { runId, stepId: confirm, kind: 'mark', verdict: 'pass' })).rejects.toThrow(/is passed over/);
    await expect(call('runs.override', { runId, stepId: restore, reason: ' ' })).rejects.toThrow(/an override needs a reason/);
    await expect(call('runs.override', { runId, stepId: id(/^switch\//), reason: 'x' })).rejects.toThrow(/neither skipped nor passed over by a decision/);

    const overridden: RunState = await call('runs.override', { runId, stepId: restore, reason: 'the route cache needs the old entry back' });
    expect(stepOf(overridden, restore)).toMatchObject({ status: 'pending', passedOver: null, reason: null });
    expect(stepOf(overridden, confirm)?.passedOver).toMatchObject({ kind: 'skip', decision: id(/^go-no-go\//) }); // only the step overridden
    expect(journal().filter((r) => r.type === 'step.note').map((r) => r.data)).toEqual([
      { step: { id: restore }, change: 'skip', from: 'passed-over', to: 'pending', reason: 'the route cache needs the old entry back', by: 'Alice' },
    ]);
    await call('runs.runStep', { runId, stepId: restore });
    const { events } = await eventsUntil(call, runId, -1, (e) => e.type === 'step' && e.stepId === restore && (e.status === 'succeeded' || e.status === 'failed'));
    expect(events.some((e) => e.type === 'step' && e.stepId === restore && e.status === 'succeeded')).toBe(true);
  });

  it('a changed decision puts back what it no longer passes over; a step that already ran keeps what happened', async () => {
    const { call, runId, id, decide, journal } = await start(CUTOVER);
    const decision = id(/^go-no-go\//);
    const [announce, restore, sw] = [id(/^announce\//), id(/restore-the-old-route/), id(/^switch\//)];
    await call('runs.runStep', { runId, stepId: sw });
    await eventsUntil(call, runId, -1, (e) => e.type === 'step' && e.stepId === sw && (e.status === 'succeeded' || e.status === 'failed'));
    const noGo = await decide(decision, 'NO-GO');
    expect(stepOf(noGo, sw)).toMatchObject({ status: 'succeeded', passedOver: null }); // it ran: not rewritten
    expect(stepOf(noGo, announce)?.passedOver?.reason).toMatch(/leads to "Back out"/);
    expect(stepOf(noGo, restore)).toMatchObject({ status: 'pending', passedOver: null });
    const go = await decide(decision, 'GO', 'the lead agreed after all');
    expect(stepOf(go, restore)).toMatchObject({ status: 'skipped', passedOver: { kind: 'skip' } });
    expect(stepOf(go, announce)?.passedOver?.reason).toMatch(/leads to "Switch"/);
    // Back to NO-GO: the restore step is pending again, and the journal says why it is no longer skipped.
    const again = await decide(decision, 'NO-GO', 'the switch broke the login');
    expect(stepOf(again, restore)).toMatchObject({ status: 'pending', passedOver: null });
    expect(journal().filter((r) => r.type === 'step.note' && r.data.step.id === restore).map((r) => r.data.text)).toEqual([`no longer skipped: the decision at step ${decision} is now "NO-GO" (it was "GO")`]);
  });

  it('a NO-GO that names nowhere to go stops the run there: later steps are not run (not skipped), and the run record says why', async () => {
    const { call, runId, id, decide, journal } = await start(STOPS);
    const decision = id(/^health\//);
    const work = id(/^work\//);
    const after = await decide(decision, 'NO-GO');
    const reason = 'decision "NO-GO" at "Is it healthy? GO / NO-GO": the run stops here (the runbook names nowhere to go on)';
    expect(stepOf(after, work)).toMatchObject({ status: 'pending', reason, passedOver: { kind: 'stop', reason } });
    await expect(call('runs.runStep', { runId, stepId: work })).rejects.toThrow(/is passed over/);
    expect(journal().filter((r) => r.type === 'step.skipped')).toEqual([]);
    await call('runs.finish', { runId });
    const finished = journal().find((r) => r.type === 'run.finished')?.data as { ok: boolean; steps: { id: string; status: string; reason: string | null }[] };
    expect(finished.steps.find((s) => s.id === work)).toEqual({ id: work, status: 'not-run', reason });
  });
});
