// A transcript's example output beside what its commands printed, in the console: the engine's comparison
// (judgement.comparison: the same, or not — an example, never a verdict) reaches the page with the block's
// end event, validated by the run API's schema, with a short diff where the two differ.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunEvent, RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';
import { TRANSCRIPT_STEPS } from '../support/runbook-fixtures.js';

const RUNBOOK = `# Transcripts

${TRANSCRIPT_STEPS}- [ ] No example
  \`\`\`bash
  echo plain
  \`\`\`
`;

type BlockEnd = Extract<RunEvent, { type: 'block-end' }>;

/** Runs the step and waits for it to end: its block's end event. */
async function runStep(call: ApiCall, state: RunState, pattern: RegExp): Promise<BlockEnd> {
  const stepId = state.steps.find((s) => pattern.test(s.id))?.id as string;
  await call('runs.runStep', { runId: state.runId, stepId });
  const { events } = await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === stepId && e.status !== 'running');
  return events.find((e): e is BlockEnd => e.type === 'block-end' && e.stepId === stepId) as BlockEnd;
}

describe('example output vs real output in the console', () => {
  it('says whether the output matched the example, with a short diff when it did not; nothing for a block without one', async () => {
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    const file = path.join(root, 'transcripts.md');
    writeFileSync(file, RUNBOOK);
    await call('runbook.open', { path: file });
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });

    const hello = await runStep(call, state, /say-hello/);
    expect(hello.status).toBe('succeeded');
    expect(hello.comparison).toEqual({ same: true, expected: 'hello', diff: [], truncated: false });

    const letters = await runStep(call, state, /list-the-letters/);
    // The example differs: shown, but the block still succeeded (an example is never a check).
    expect(letters.status).toBe('succeeded');
    expect(letters.comparison).toMatchObject({ same: false, expected: 'a\nb\nc', truncated: false });
    expect(letters.comparison?.diff).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'expected', text: 'b' },
      { kind: 'actual', text: 'b2' },
      { kind: 'same', text: 'c' },
    ]);

    const plain = await runStep(call, state, /no-example/);
    expect(plain.comparison).toBeNull();
  });
});
