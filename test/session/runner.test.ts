// The run state machine against the real local executor.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { blockVerdicts as verdictsFor } from '../../src/main/session/assemble.js';
import { targetSet } from '../../src/main/session/binding.js';
import { ExecutorPool } from '../../src/main/session/executor-pool.js';
import { planRun } from '../../src/main/session/plan.js';
import { type RunEvent, RunSession, type RunSessionOptions, SnapshotMismatchError } from '../../src/main/session/runner.js';
import { resolveVariables } from '../../src/main/session/variables.js';
import { createLocalExecutor } from '../../src/main/targets/local/executor.js';
import type { Profile } from '../../src/shared/runbook-model.js';
import type { TargetsFile } from '../../src/shared/targets.js';

const RUNBOOK = `---
variables:
  API_TOKEN: { secret: true }
---
# Demo

## Steps
- [ ] Greet
  \`\`\`bash
  echo "hello $WHO"
  \`\`\`
- [ ] Check the answer
  \`\`\`bash {"expect":{"exit":0,"stdout":"^42$"}}
  echo 42
  \`\`\`
- [ ] Warn only
  \`\`\`bash {"check":true}
  exit 2
  \`\`\`
- [ ] Leaks the token
  \`\`\`bash
  echo "token=$API_TOKEN"
  \`\`\`
- [ ] Manual only
- [ ] Fails
  \`\`\`bash
  echo boom >&2; exit 7
  \`\`\`
- [ ] Restricted work 🔴
  \`\`\`bash
  echo restricted
  \`\`\`
- [ ] After the failure
  \`\`\`bash
  echo after
  \`\`\`
`;

async function session(options: { profile?: Profile; keepGoing?: boolean; targets?: TargetsFile; text?: string; extra?: Partial<RunSessionOptions> } = {}) {
  const runbook = parseRunbook(options.text ?? RUNBOOK, { file: 'demo.md' });
  const set = targetSet(runbook, options.targets ?? null);
  const plan = planRun(runbook, set, { profile: options.profile ?? 'restricted' });
  const requests = plan.steps.flatMap((p) => p.blocks.flatMap(({ block }) => block.variables.map((name) => ({ name, targetEnv: [] }))));
  const variables = await resolveVariables(runbook, requests, { given: new Map([['WHO', 'world'], ['API_TOKEN', 'tok-123456']]) });
  const dir = mkdtempSync(path.join(tmpdir(), 'runner-'));
  const ctx = { baseDir: dir, env: {}, ask: async () => null, confirm: async () => false };
  const pool = new ExecutorPool(ctx, (name, target) => {
    if (target.kind !== 'local') throw new Error('only local targets in this test');
    return createLocalExecutor(name, target, ctx);
  });
  const events: RunEvent[] = [];
  const s = new RunSession({
    runbook,
    profile: 'standard',
    verdicts: await verdictsFor(runbook),
    plan,
    variables,
    executors: pool,
    outputDir: dir,
    keepGoing: options.keepGoing ?? false,
    confirmProtected: async () => false,
    onEvent: (e) => events.push(e),
    ...options.extra,
  });
  return { runbook, plan, s, events, dir };
}

describe('run session', () => {
  it('runs in document order, judges checks, masks secrets, skips manual steps and stops at the first failure', async () => {
    const { s, events } = await session();
    const summary = await s.run();
    expect(summary.ok).toBe(false);
    expect(summary.steps.map((o) => [o.title, o.status])).toEqual([
      ['Greet', 'succeeded'],
      ['Check the answer', 'succeeded'],
      ['Warn only', 'succeeded'],
      ['Leaks the token', 'succeeded'],
      ['Manual only', 'skipped'],
      ['Fails', 'failed'],
      ['Restricted work', 'not-run'],
      ['After the failure', 'not-run'],
    ]);
    const out = events.filter((e) => e.type === 'output').map((e) => (e.type === 'output' ? e.chunk.data : '')).join('');
    expect(out).toContain('hello world');
    expect(out).toContain('token=••••••');
    expect(out).not.toContain('tok-123456');
    const ends = events.flatMap((e) => (e.type === 'block-end' ? [e.outcome] : []));
    expect(ends[1]?.judgement).toEqual({ verdict: 'pass', reasons: [] });
    expect(ends[2]?.judgement.verdict).toBe('warn');
    expect(summary.steps[5]?.reason).toBe('exit status 7');
    // The recorded output on disk is masked too, and its hash matches.
    const leak = ends[3]?.output;
    const onDisk = readFileSync(leak?.file as string);
    expect(onDisk.toString()).toBe('token=••••••\n');
    expect(createHash('sha256').update(onDisk).digest('hex')).toBe(leak?.sha256);
  });

  it('--keep-going runs past a failure; the profile skips steps above it', async () => {
    const { s } = await session({ keepGoing: true, profile: 'regulated' });
    const summary = await s.run();
    expect(summary.steps.map((o) => o.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'skipped', 'failed', 'skipped', 'succeeded']);
    expect(summary.steps[6]?.reason).toBe('profile restricted is above the run\'s profile regulated');
    expect(summary.ok).toBe(false);
  });

  it('a failed expectation fails the step even with exit 0', async () => {
    const { s } = await session({ text: '- [ ] x\n  ```bash {"expect":{"stdout":"^yes$"}}\n  echo no\n  ```\n' });
    const summary = await s.run();
    expect(summary.steps[0]).toMatchObject({ status: 'failed', reason: 'stdout does not match /^yes$/' });
  });

  it('the operator can skip a step or quit the run', async () => {
    const answers = ['run', 'skip', 'quit'] as const;
    let i = 0;
    const { s } = await session({ extra: { confirmStep: async () => answers[i++] ?? 'quit' } });
    const summary = await s.run();
    expect(summary.steps.slice(0, 4).map((o) => o.status)).toEqual(['succeeded', 'skipped', 'not-run', 'not-run']);
  });

  it('runs only code from the loaded snapshot', async () => {
    const { s, plan, runbook } = await session();
    const first = plan.steps[0]?.blocks[0];
    await expect(s.runBlock({ snapshot: 'f'.repeat(64), stepId: runbook.steps[0]?.id as string, blockId: first?.block.id as string }, first?.binding as never)).rejects.toThrow(SnapshotMismatchError);
    await expect(s.runBlock({ snapshot: runbook.sha256, stepId: 'steps/greet', blockId: 'steps/greet#99' }, first?.binding as never)).rejects.toThrow(/no block/);
  });

  it('a state-changing step on a protected target needs confirmation', async () => {
    const targets: TargetsFile = { targets: { prod: { kind: 'local', protected: true } }, defaults: { shell: 'prod' } };
    const asked: string[] = [];
    const { s } = await session({ targets, text: '- [ ] change\n  ```bash\n  touch x\n  ```\n', extra: { confirmProtected: async (name) => (asked.push(name), false) } });
    const summary = await s.run();
    expect(asked).toEqual(['prod']);
    // Refused, not merely not run: the run stops there whatever --keep-going says.
    expect(summary.steps[0]).toMatchObject({ status: 'failed', refusal: 'protected-not-confirmed', reason: expect.stringMatching(/^protected target "prod" was not confirmed for block line 2 \(shell-/) });
  });

  it('reports unbound executable blocks and bad attributes before anything runs', async () => {
    const { plan } = await session({ text: '- [ ] q\n  ```sql\n  select 1\n  ```\n- [ ] t\n  ```bash {"target":"nope","timeout":"soon"}\n  true\n  ```\n' });
    expect(plan.problems).toEqual([
      expect.stringMatching(/^step q: line 2: sql block has no target/),
      expect.stringMatching(/^step t: line 6: target "nope" is not defined \(known: local\)/),
      'step t: line 6: timeout "soon" is not a duration such as 30s, 5m or 1h',
    ]);
  });

  it('cancel really stops the running block and the run', async () => {
    let started!: () => void;
    const output = new Promise<void>((resolve) => (started = resolve));
    const { s } = await session({
      text: '- [ ] long\n  ```bash\n  echo started; sleep 300\n  ```\n- [ ] next\n  ```bash\n  echo next\n  ```\n',
      extra: { onEvent: (e) => e.type === 'output' && started() },
    });
    const done = s.run();
    await output;
    s.cancel();
    const summary = await done;
    expect(summary.steps.map((o) => o.status)).toEqual(['cancelled', 'not-run']);
  });
});
