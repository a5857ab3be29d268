// Verdicts are worked out for the blocks a run may run: a step the plan skips (above the run's profile, not
// selected by --only) is never run, bound or shown with a verdict, so its blocks are not parsed. Every block of
// a step that runs has one, also a block left unbound (the console's operator may bind it and run it).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { blockVerdicts, prepareRun } from '../../src/main/session/assemble.js';

const TEXT = `# Verdicts

- [ ] Look
  \`\`\`bash
  ls /
  \`\`\`
- [ ] Change
  \`\`\`bash
  touch /tmp/x
  \`\`\`
  \`\`\`sql
  SELECT 1
  \`\`\`
- [ ] Clean up (RESTRICTED)
  \`\`\`bash
  rm -rf /tmp/y
  \`\`\`
`;

const parse = () => parseRunbook(TEXT, { file: path.join('/tmp', 'rb.md') });

async function prepared(options: { only?: string[] } = {}) {
  const runbook = parse();
  const run = await prepareRun({ runbook, runbookBytes: Buffer.from(TEXT), targets: null, profile: 'standard', given: new Map(), operatorNamed: false, approvers: null, env: {}, ...options });
  return { runbook, run };
}

const blocksOf = (runbook: ReturnType<typeof parse>, stepIndex: number) => runbook.steps[stepIndex]?.blocks.map((b) => b.id) ?? [];

describe('block verdicts of a prepared run', () => {
  it('the fixture: a step above the profile, and a step with an unbound sql block (no postgres target)', async () => {
    const { runbook, run } = await prepared();
    expect(runbook.steps.map((s) => s.profile)).toEqual([null, null, 'restricted']);
    expect(run.plan.steps.map((p) => p.skipCode ?? null)).toEqual([null, null, 'above-profile']);
    expect(run.plan.issues.map((i) => i.kind)).toEqual(['unbound']);
  });

  it('skips the blocks of a step above the run\'s profile', async () => {
    const { runbook, run } = await prepared();
    for (const id of blocksOf(runbook, 2)) expect(run.verdicts.has(id), id).toBe(false);
  });

  it('skips the blocks of a step not selected by --only', async () => {
    const { runbook, run } = await prepared({ only: [parse().steps[1]?.id as string] });
    for (const id of [...blocksOf(runbook, 0), ...blocksOf(runbook, 2)]) expect(run.verdicts.has(id), id).toBe(false);
    expect([...run.verdicts.keys()]).toEqual(blocksOf(runbook, 1));
  });

  it('control: every block of a step that runs has its verdict, the unbound one included', async () => {
    const { runbook, run } = await prepared();
    const [look, touch, select] = [...blocksOf(runbook, 0), ...blocksOf(runbook, 1)].map((id) => run.verdicts.get(id));
    expect(look).toMatchObject({ changesState: false });
    expect(touch).toMatchObject({ changesState: true });
    expect(select).toMatchObject({ changesState: false, code: 'sql-read-only' });
  });

  it('control: without a plan (tests, tools), every executable block is judged', async () => {
    const runbook = parse();
    const verdicts = await blockVerdicts(runbook);
    expect([...verdicts.keys()]).toEqual(runbook.steps.flatMap((s) => s.blocks.map((b) => b.id)));
  });
});
