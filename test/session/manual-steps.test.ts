// Steps a person does, in the engine (`runbook run`'s session): manual steps marked done or failed, inputs
// checked by type before they are recorded, and decisions whose choice moves the run — to the section it
// leads to, past the sections only the other choices lead to, or to a stop when NO-GO leads nowhere.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { blockVerdicts } from '../../src/main/session/assemble.js';
import { targetSet } from '../../src/main/session/binding.js';
import { ExecutorPool } from '../../src/main/session/executor-pool.js';
import { ManualStepError, decisionTurn } from '../../src/main/session/manual.js';
import { planRun } from '../../src/main/session/plan.js';
import { type ManualAnswer, type OperatorRecord, type RunRecorder, RunSession } from '../../src/main/session/runner.js';
import { resolveVariables } from '../../src/main/session/variables.js';
import { createLocalExecutor } from '../../src/main/targets/local/executor.js';
import type { Step } from '../../src/shared/runbook-model.js';

const PLAYBOOK = `# Switch-over

## Prepare

1. Tell the channel the switch-over starts.

Replication lag before: ______ s

## Go / No-Go

Decide GO / NO-GO with the lead.

- GO → continue with [Switch](#switch)
- NO-GO → [Back out](#back-out)

## Switch

- [ ] Switch the traffic
  \`\`\`bash
  echo switched
  \`\`\`

## Back out

- [ ] Restore the old route
  \`\`\`bash
  echo restored
  \`\`\`

## Close

- Write the summary in the ticket.
`;

interface Recorded {
  operator: OperatorRecord[];
  skipped: { id: string; reason: string; by: string }[];
}

async function session(answer: (step: Step) => ManualAnswer | Promise<ManualAnswer>, text = PLAYBOOK) {
  const runbook = parseRunbook(text, { file: 'switch.md' });
  const plan = planRun(runbook, targetSet(runbook, null), { profile: 'standard' });
  const variables = await resolveVariables(runbook, [], { given: new Map() });
  const dir = mkdtempSync(path.join(tmpdir(), 'manual-'));
  const ctx = { baseDir: dir, env: {}, ask: async () => null, confirm: async () => false };
  const pool = new ExecutorPool(ctx, (name, target) => {
    if (target.kind !== 'local') throw new Error('only local targets here');
    return createLocalExecutor(name, target, ctx);
  });
  const recorded: Recorded = { operator: [], skipped: [] };
  const recorder: RunRecorder = {
    blockStarting: () => undefined,
    blockFinished: () => undefined,
    stepFinished: () => undefined,
    stepSkipped: (e) => void recorded.skipped.push({ id: e.step.id, reason: e.reason, by: e.by, ...(e.by === 'decision' ? { decision: e.decision } : {}) }),
    operatorRecorded: (r) => void recorded.operator.push(r),
  };
  const asked: string[] = [];
  const s = new RunSession({
    runbook,
    profile: 'standard',
    verdicts: await blockVerdicts(runbook),
    plan,
    variables,
    executors: pool,
    outputDir: dir,
    keepGoing: false,
    confirmProtected: async () => false,
    recorder,
    operator: 'alice',
    manualStep: async (step) => {
      asked.push(step.id);
      return answer(step);
    },
  });
  return { runbook, s, recorded, asked };
}

const simple = (r: OperatorRecord) => ({ ...r, step: r.step.id });

describe('steps done by hand in a run', () => {
  it('records a manual step done, an input\'s typed value, and a decision whose GO passes the back-out section by', async () => {
    const { s, recorded, asked, runbook } = await session((step) => {
      if (step.kind === 'decision') return { decision: 'GO' };
      if (step.kind === 'input') return { done: true, values: [{ label: 'Replication lag before', value: '12' }] };
      return { done: true };
    });
    const summary = await s.run();
    expect(summary.ok).toBe(true);
    expect(summary.steps.map((o) => [o.title, o.status])).toEqual([
      ['Tell the channel the switch-over starts.', 'succeeded'],
      ['Replication lag before', 'succeeded'],
      ['Decide GO / NO-GO with the lead.', 'succeeded'],
      ['Switch the traffic', 'succeeded'],
      ['Restore the old route', 'skipped'],
      ['Write the summary in the ticket.', 'succeeded'],
    ]);
    // Only the steps with nothing to run were asked about; the code steps ran as ever.
    expect(asked).toEqual(runbook.steps.filter((x) => x.blocks.length === 0).map((x) => x.id));
    expect(recorded.operator.map(simple)).toEqual([
      { type: 'mark', step: runbook.steps[0]?.id, mark: 'pass', note: null, by: 'alice' },
      { type: 'fillin', step: runbook.steps[1]?.id, label: 'Replication lag before', value: '12' },
      { type: 'mark', step: runbook.steps[1]?.id, mark: 'pass', note: null, by: 'alice' },
      { type: 'decision', step: runbook.steps[2]?.id, decision: 'GO', note: null, by: 'alice' },
      { type: 'mark', step: runbook.steps[5]?.id, mark: 'pass', note: null, by: 'alice' },
    ]);
    expect(recorded.skipped).toEqual([{ id: runbook.steps[4]?.id, reason: 'decision "GO" at "Decide GO / NO-GO with the lead." does not lead to "Back out"', by: 'decision', decision: { step: runbook.steps[2]?.id, choice: 'GO' } }]);
  });

  it('NO-GO jumps to the section it leads to: the steps in between are skipped with the reason', async () => {
    const { s, recorded, runbook } = await session((step) => (step.kind === 'decision' ? { decision: 'NO-GO' } : step.kind === 'input' ? { done: true, values: [{ label: 'Replication lag before', value: '3 s' }] } : { done: true }));
    const summary = await s.run();
    expect(summary.steps.map((o) => o.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'skipped', 'succeeded', 'succeeded']);
    expect(recorded.skipped[0]).toEqual({ id: runbook.steps[3]?.id, reason: 'decision "NO-GO" at "Decide GO / NO-GO with the lead." leads to "Back out"', by: 'decision', decision: { step: runbook.steps[2]?.id, choice: 'NO-GO' } });
  });

  it('a value the blank cannot take is refused before anything is recorded; a required blank left empty is too', async () => {
    const bad = await session((step) => (step.kind === 'input' ? { done: true, values: [{ label: 'Replication lag before', value: 'soon' }] } : { done: true }));
    await expect(bad.s.run()).rejects.toThrow(ManualStepError);
    await expect((await session((step) => (step.kind === 'input' ? { done: true, values: [] } : { done: true }))).s.run()).rejects.toThrow(/not done: no value for "Replication lag before"/);
    expect(bad.recorded.operator.filter((r) => r.type === 'fillin')).toEqual([]);
  });

  it('a step marked failed fails the run and stops it; a skip carries its reason', async () => {
    const { s, recorded } = await session((step) => (step.kind === 'manual' ? { failed: 'channel is down' } : 'quit'));
    const summary = await s.run();
    expect(summary.ok).toBe(false);
    expect(summary.steps.map((o) => o.status)).toEqual(['failed', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run']);
    expect(summary.steps[0]?.reason).toBe('marked failed by alice: channel is down');
    expect(recorded.operator.map(simple)).toEqual([{ type: 'mark', step: summary.steps[0]?.stepId, mark: 'fail', note: 'channel is down', by: 'alice' }]);
    const skipped = await session((step) => (step.kind === 'manual' ? { skip: 'done elsewhere' } : step.kind === 'decision' ? { decision: 'GO' } : { done: true, values: [{ label: 'Replication lag before', value: '1' }] }));
    const again = await skipped.s.run();
    expect(again.steps[0]).toMatchObject({ status: 'skipped', reason: 'skipped by the operator: done elsewhere' });
  });

  it('a decision nobody can make stops the run there; "plan" leaves manual steps to the plan (skipped) as before', async () => {
    const { s } = await session((step) => (step.kind === 'decision' ? { stop: 'needs a person' } : 'plan'));
    const summary = await s.run();
    expect(summary.steps.map((o) => o.status)).toEqual(['skipped', 'skipped', 'not-run', 'not-run', 'not-run', 'not-run']);
    expect(summary.steps[2]?.halt).toBe('needs a person');
    expect(summary.ok).toBe(false);
  });

  it('NO-GO that leads nowhere stops the run; GO goes on (positive control)', async () => {
    const text = '# T\n\n## Check\n\n- [ ] Is the service healthy? GO / NO-GO\n\n## Finish\n\n- [ ] Close\n  ```bash\n  echo closed\n  ```\n';
    const stop = await session(() => ({ decision: 'NO-GO' }), text);
    const summary = await stop.s.run();
    expect(summary.steps.map((o) => o.status)).toEqual(['succeeded', 'not-run']);
    expect(summary.steps[1]?.reason).toBe('decision "NO-GO" at "Is the service healthy? GO / NO-GO": the run stops here (the runbook names nowhere to go on)');
    const go = await session(() => ({ decision: 'GO' }), text);
    expect((await go.s.run()).steps.map((o) => o.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('decisionTurn refuses a choice the step does not offer', () => {
    const runbook = parseRunbook(PLAYBOOK, { file: 'switch.md' });
    const decision = runbook.steps.find((x) => x.kind === 'decision') as Step;
    expect(() => decisionTurn(runbook, decision, 'MAYBE')).toThrow(/offers no decision "MAYBE" \(it offers GO, NO-GO\)/);
    expect(decisionTurn(runbook, decision, 'NO-GO')).toMatchObject({ stops: false, target: { id: 'back-out' } });
  });
});
