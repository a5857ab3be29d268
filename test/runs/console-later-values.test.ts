// Values given later: a run started without a required variable refuses only the steps that need it, and
// the operator gives the value on the step (runs.setVariables) — checked in main, recorded (a secret masked),
// and the step then runs with it; a blank named like a variable is that variable (one value everywhere).
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunEvent, RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil, sealAnyway } from '../support/run-events.js';

const RUNBOOK = `# Later values

## Greet

\`\`\`bash
echo "region=$REGION"
\`\`\`

## Token

\`\`\`bash
echo "token=$API_TOKEN"
\`\`\`

## Other

\`\`\`bash
echo other
\`\`\`

## Unsafe

\`\`\`bash
eval "echo $CMD"
\`\`\`

## Record the region

REGION: ________
`;

async function open(vars: Record<string, string> = {}) {
  const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
  const file = path.join(root, 'later.md');
  writeFileSync(file, RUNBOOK);
  await call('runbook.open', { path: file });
  const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars });
  const id = (re: RegExp) => {
    const s = state.steps.find((x) => re.test(x.id));
    if (!s) throw new Error(`no step like ${re}: ${state.steps.map((x) => x.id).join(', ')}`);
    return s.id;
  };
  const journal = () =>
    readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });
  let after = -1;
  const runStep = async (stepId: string) => {
    await call('runs.runStep', { runId: state.runId, stepId });
    const { events, next } = await eventsUntil(call, state.runId, after, (e) => e.type === 'step' && e.stepId === stepId && e.status !== 'running');
    after = next;
    return events.filter((e): e is Extract<RunEvent, { type: 'output' }> => e.type === 'output' && e.stepId === stepId).map((e) => e.data).join('');
  };
  return { call, state, id, journal, runStep };
}

const stepOf = (state: RunState, id: string) => state.steps.find((s) => s.id === id);

function everyByte(dir: string): Buffer[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f));
}

describe('values given later, on the step', () => {
  it('refuses only the steps missing a value; the value given on the step is checked, recorded, and the step runs with it', async () => {
    const { call, state, id, journal, runStep } = await open();
    const greet = id(/^greet/);
    const other = id(/^other/);
    expect(stepOf(state, greet)?.missingValues).toEqual([{ name: 'REGION', secret: false }]);
    expect(stepOf(state, other)?.missingValues).toEqual([]);
    await expect(call('runs.runStep', { runId: state.runId, stepId: greet })).rejects.toThrow(/no value for REGION: give it on the step/);
    // A step that needs nothing missing runs.
    expect(await runStep(other)).toContain('other');
    // Main checks what it is given: not a variable of this run; empty.
    await expect(call('runs.setVariables', { runId: state.runId, stepId: greet, values: { NOPE: 'x' } })).rejects.toThrow(/no variable NOPE/);
    await expect(call('runs.setVariables', { runId: state.runId, stepId: greet, values: { REGION: '' } })).rejects.toThrow(/empty/);
    const given = await call('runs.setVariables', { runId: state.runId, stepId: greet, values: { REGION: 'eu-west-1' } });
    expect(stepOf(given, greet)?.missingValues).toEqual([]);
    expect(given.problems.join('\n')).not.toMatch(/REGION/);
    expect(await runStep(greet)).toContain('region=eu-west-1');
    expect(journal().filter((r) => r.type === 'fillin').map((r) => r.data)).toEqual([{ step: { id: greet }, label: 'REGION', value: 'eu-west-1' }]);
    // Once given, a value is the run's: another one is refused.
    await expect(call('runs.setVariables', { runId: state.runId, stepId: greet, values: { REGION: 'us-east-1' } })).rejects.toThrow(/already has a value/);
  });

  it('a secret given later is masked in the record and its output, and never written under the run directory', async () => {
    const { call, state, id, journal, runStep } = await open({ REGION: 'x' });
    const token = id(/^token/);
    expect(stepOf(state, token)?.missingValues).toEqual([{ name: 'API_TOKEN', secret: true }]);
    const secret = 'hunter2-very-secret-value';
    await call('runs.setVariables', { runId: state.runId, stepId: token, values: { API_TOKEN: secret } });
    const printed = await runStep(token);
    expect(printed).toContain('token=');
    expect(printed).not.toContain(secret);
    expect(journal().filter((r) => r.type === 'fillin').map((r) => r.data)).toEqual([{ step: { id: token }, label: 'API_TOKEN', value: '••••••' }]);
    await sealAnyway(call, state.runId);
    expect(await call('runs.verify', { runId: state.runId })).toMatchObject({ ok: true, verdict: 'self-anchored' });
    for (const bytes of everyByte(state.dir)) expect(bytes.includes(Buffer.from(secret))).toBe(false);
  });

  it('two pages giving a value at once: one is taken, and the journal holds only that one', async () => {
    const { call, state, id, journal } = await open();
    const greet = id(/^greet/);
    const results = await Promise.allSettled(['first', 'second'].map((v) => call('runs.setVariables', { runId: state.runId, stepId: greet, values: { REGION: v } })));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const recorded = journal().filter((r) => r.type === 'fillin').map((r) => r.data.value);
    expect(recorded).toHaveLength(1);
    const taken = results.findIndex((r) => r.status === 'fulfilled');
    expect(recorded[0]).toBe(['first', 'second'][taken]);
  });

  it('a value that would become code is refused, and nothing is recorded', async () => {
    const { call, state, id, journal } = await open({ REGION: 'x', API_TOKEN: 'y' });
    const unsafe = id(/^unsafe/);
    expect(stepOf(state, unsafe)?.missingValues).toEqual([{ name: 'CMD', secret: false }]);
    const before = journal().length;
    // A block that runs text as code takes no values, later as at start.
    await expect(call('runs.setVariables', { runId: state.runId, stepId: unsafe, values: { CMD: 'hi' } })).rejects.toThrow(/refused, nothing recorded: .*CMD/);
    expect(journal().length).toBe(before);
    expect(stepOf(await call('runs.state', { runId: state.runId }), unsafe)?.missingValues).toEqual([{ name: 'CMD', secret: false }]);
  });

  it("attack: a value given later that a shell would run as code stays data where it is used, and is refused where a block would run it", async () => {
    const { call, state, id, journal, runStep } = await open({ API_TOKEN: 'y' });
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'later-attack-')), 'pwned');
    const attack = `$(touch ${marker})"; touch ${marker}; echo "\`touch ${marker}\``;
    // Refused in the block that runs its variable's text as code (eval), nothing recorded ...
    await expect(call('runs.setVariables', { runId: state.runId, stepId: id(/^unsafe/), values: { CMD: attack } })).rejects.toThrow(/refused, nothing recorded: .*CMD/);
    expect(journal().filter((r) => r.type === 'fillin')).toEqual([]);
    // ... and taken where the code uses it as data: the step runs and prints it as the text it is, nothing of it ran.
    await call('runs.setVariables', { runId: state.runId, stepId: id(/^greet/), values: { REGION: attack } });
    expect(await runStep(id(/^greet/))).toContain(`region=${attack}`);
    expect(existsSync(marker)).toBe(false);
    expect(journal().filter((r) => r.type === 'fillin').map((r) => r.data.value)).toEqual([attack]);
  });

  it('a blank named like a variable is the variable: filling it gives the value, and a different one is refused', async () => {
    const { call, state, id, journal, runStep } = await open();
    const greet = id(/^greet/);
    const blank = state.steps.find((s) => s.id !== greet && /record-the-region/.test(s.id))?.id as string;
    expect(blank).toBeTruthy();
    const filled: RunState = await call('runs.record', { runId: state.runId, stepId: blank, kind: 'fillin', label: 'REGION', value: 'ap-south-1' });
    expect(stepOf(filled, greet)?.missingValues).toEqual([]);
    expect(await runStep(greet)).toContain('region=ap-south-1');
    await expect(call('runs.record', { runId: state.runId, stepId: blank, kind: 'fillin', label: 'REGION', value: 'elsewhere' })).rejects.toThrow(/same value/);
    expect(journal().filter((r) => r.type === 'fillin').map((r) => r.data.value)).toEqual(['ap-south-1']);
  });

  it('a value given at start shows in a blank of the same name', async () => {
    const { state } = await open({ REGION: 'given-at-start' });
    const blank = state.steps.find((s) => /record-the-region/.test(s.id));
    expect(blank?.fillIns).toEqual({ REGION: 'given-at-start' });
  });
});
