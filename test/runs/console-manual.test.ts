// The console and steps done by hand: a manual step is done or failed when the operator marks it, an input's
// values are checked by type in main before they are journaled (an input is not done while a required blank
// is empty), a decision records its choice — each as the journal's own records (step.note, fillin, decision).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil, sealAnyway } from '../support/run-events.js';

const PLAYBOOK = `# Login outage

## 1. Assess

1. Open the authentication dashboard.
2. Page the identity lead.

## Measurements

| Check | Expected | Actual |
| --- | --- | --- |
| Error rate | below 1 % | ____ % |
| Time to recover | under 30 min | |

## Go / No-Go

Decide GO / NO-GO with the identity lead.

- GO → continue with [Restore](#restore)
- NO-GO → [Escalate](#escalate)

## Restore

- [ ] Restore the configuration
  \`\`\`bash
  echo restored
  \`\`\`

## Escalate

Raise a case with the vendor.
`;

async function open() {
  const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
  const file = path.join(root, 'playbook.md');
  writeFileSync(file, PLAYBOOK);
  const opened = await call('runbook.open', { path: file });
  const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
  const id = (title: RegExp) => {
    const model = state.steps.find((s) => title.test(s.id));
    if (!model) throw new Error(`no step like ${title}`);
    return model.id;
  };
  const record = (stepId: string, input: Record<string, unknown>): Promise<RunState> => call('runs.record', { runId: state.runId, stepId, ...input });
  const journal = () =>
    readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });
  return { call, state, id, record, journal, opened };
}

const stepOf = (state: RunState, id: string) => state.steps.find((s) => s.id === id);

describe('the console and steps done by hand', () => {
  it('a manual step has nothing to run; Done and Failed settle it and are journaled as marks', async () => {
    const { call, state, id, record, journal } = await open();
    const open1 = id(/^1-assess\/open/);
    const page = id(/^1-assess\/page/);
    expect(stepOf(state, open1)?.manual).not.toBeNull();
    await expect(call('runs.runStep', { runId: state.runId, stepId: open1 })).rejects.toThrow(/for a person|nothing to run/);
    const done = await record(open1, { kind: 'mark', verdict: 'pass' });
    expect(stepOf(done, open1)).toMatchObject({ status: 'succeeded', reason: 'done (marked by Alice)', mark: 'pass' });
    const failed = await record(page, { kind: 'mark', verdict: 'fail', note: 'the pager is down' });
    expect(stepOf(failed, page)).toMatchObject({ status: 'failed', reason: 'marked failed by Alice: the pager is down' });
    expect(journal().filter((r) => r.type === 'step.note').map((r) => r.data)).toEqual([
      { step: { id: open1 }, mark: 'pass', note: null, by: 'Alice' },
      { step: { id: page }, mark: 'fail', note: 'the pager is down', by: 'Alice' },
    ]);
    // A manual step marked failed fails the run; the steps nobody touched do not count.
    await sealAnyway(call, state.runId);
    const finished = journal().find((r) => r.type === 'run.finished');
    expect(finished?.data.ok).toBe(false);
  });

  it('an input takes only values of its type, checked in main; it is done only once its required blanks hold values', async () => {
    const { state, id, record, journal } = await open();
    const input = id(/^measurements$/);
    expect(stepOf(state, input)?.manual).not.toBeNull();
    await expect(record(input, { kind: 'fillin', label: 'Error rate: Actual', value: 'high' })).rejects.toThrow(/"Error rate: Actual" takes a percentage/);
    await expect(record(input, { kind: 'fillin', label: 'Time to recover: Actual', value: '20 parsecs' })).rejects.toThrow(/takes a duration/);
    expect(journal().filter((r) => r.type === 'fillin')).toEqual([]);
    await record(input, { kind: 'fillin', label: 'Error rate: Actual', value: ' 0.4 % ' });
    await expect(record(input, { kind: 'mark', verdict: 'pass' })).rejects.toThrow(/not done: no value for "Time to recover: Actual"/);
    await record(input, { kind: 'fillin', label: 'Time to recover: Actual', value: '18 min' });
    const done = await record(input, { kind: 'mark', verdict: 'pass' });
    expect(stepOf(done, input)).toMatchObject({ status: 'succeeded', fillIns: { 'Error rate: Actual': '0.4 %', 'Time to recover: Actual': '18 min' } });
    expect(journal().filter((r) => r.type === 'fillin').map((r) => r.data)).toEqual([
      { step: { id: input }, label: 'Error rate: Actual', value: '0.4 %' },
      { step: { id: input }, label: 'Time to recover: Actual', value: '18 min' },
    ]);
    // Marked on those values: a later value would change what the mark stands for. Refused; a note corrects.
    const recorded = journal().length;
    await expect(record(input, { kind: 'fillin', label: 'Error rate: Actual', value: '9 %' })).rejects.toThrow(/is marked passed: its values are recorded as they were; add a note/);
    expect(journal()).toHaveLength(recorded);
    await record(input, { kind: 'note', text: 'error rate was 9 %, misread the dashboard' });
    expect(journal()).toHaveLength(recorded + 1);
  });

  it('a marked step takes no value by any route: not as a blank, not as a run variable given on it, not from another step', async () => {
    const text = '# Later values\n\n## Greet\n\n```bash\necho "region=$REGION"\n```\n\n## Record the region\n\nREGION: ________\n';
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call = (m: string, i: unknown) => dispatch(handlers, m, i) as Promise<any>;
    writeFileSync(path.join(root, 'later.md'), text);
    await call('runbook.open', { path: path.join(root, 'later.md') });
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    const blank = state.steps.find((s) => /record-the-region/.test(s.id))?.id as string;
    const greet = state.steps.find((s) => /greet/.test(s.id))?.id as string;
    await call('runs.record', { runId: state.runId, stepId: blank, kind: 'mark', verdict: 'fail', note: 'could not read it' });
    const records = () => readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { step?: { id: string } } });
    const before = records().length;
    await expect(call('runs.record', { runId: state.runId, stepId: blank, kind: 'fillin', label: 'REGION', value: 'x' })).rejects.toThrow(/is marked failed/);
    await expect(call('runs.setVariables', { runId: state.runId, stepId: blank, values: { REGION: 'eu-west-1' } })).rejects.toThrow(/is marked failed: give the value on a step still to do/);
    expect(records()).toHaveLength(before);
    // Control: given on the step that needs it, the value is the run's; the marked step's blank stays as it was.
    const given: RunState = await call('runs.setVariables', { runId: state.runId, stepId: greet, values: { REGION: 'eu-west-1' } });
    expect(records().filter((r) => r.type === 'fillin').map((r) => r.data.step?.id)).toEqual([greet]);
    expect(given.steps.find((s) => s.id === blank)?.fillIns).toEqual({});
  });

  it('a decision records the choice; one the step does not offer is refused', async () => {
    const { call, state, id, record, journal } = await open();
    const decision = id(/^go-no-go\//);
    await expect(record(decision, { kind: 'decision', decision: 'MAYBE' })).rejects.toThrow(/offers no decision "MAYBE"/);
    const decided = await record(decision, { kind: 'decision', decision: 'NO-GO' });
    expect(stepOf(decided, decision)).toMatchObject({ status: 'succeeded', decision: 'NO-GO' });
    expect(journal().filter((r) => r.type === 'decision').map((r) => r.data)).toEqual([{ step: { id: decision }, decision: 'NO-GO', note: null, by: 'Alice' }]);

    // NO-GO leads to Escalate: the restore step it leads away from is passed over (test/runs/console-decisions.test.ts).
    const restore = id(/^restore\//);
    expect(stepOf(decided, restore)?.passedOver).toMatchObject({ kind: 'skip', decision });
    // Positive control: once GO is recorded instead, the code step runs on a click (nothing about it is manual).
    const go = await record(decision, { kind: 'decision', decision: 'GO', change: 'the identity lead says the fix holds' });
    expect(stepOf(go, restore)).toMatchObject({ status: 'pending', passedOver: null });
    expect(stepOf(state, restore)?.manual).toBeNull();
    await call('runs.runStep', { runId: state.runId, stepId: restore });
    const { events } = await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === restore && (e.status === 'succeeded' || e.status === 'failed'));
    expect(events.some((e) => e.type === 'step' && e.stepId === restore && e.status === 'succeeded')).toBe(true);
  });

  it('the model the page gets says where each choice leads', async () => {
    const { opened } = await open();
    const decision = opened.runbook.steps.find((s: { kind: string }) => s.kind === 'decision');
    expect(decision.decision.choices).toEqual([
      { label: 'GO', leadsTo: 'restore' },
      { label: 'NO-GO', leadsTo: 'escalate' },
    ]);
  });
});
