// The console's run API through dispatch, the door both the Electron bridge and `runbook serve` use:
// opening and starting execute nothing; a click runs one step with live output; cancel stops it; skips,
// decisions and sign-offs are recorded; the run is sealed, verifies, and exports a signed bundle.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { eventsUntil, sealAnyway } from '../support/run-events.js';

const RUNBOOK = `# Console run
## Work
- [ ] Say hello
  \`\`\`bash
  echo "hello $WHO"; touch "$MARK"
  \`\`\`
- [ ] Long wait
  \`\`\`bash
  echo waiting; sleep 300
  \`\`\`
- [ ] Optional cleanup
  \`\`\`bash
  echo cleanup
  \`\`\`
- [ ] Proceed with the change or roll back? GO / NO-GO
- [ ] Restricted only 🔴
  \`\`\`bash
  echo restricted
  \`\`\`

## Sign-off
| Role | Name | Date |
| --- | --- | --- |
| Operator | ______ | ______ |
`;

describe('run API', () => {
  it('runs step by step on the operator\'s clicks and keeps the evidence', async () => {
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call = (method: string, input: unknown) => dispatch(handlers, method, input) as Promise<any>;
    const file = path.join(root, 'rb.md');
    const mark = path.join(root, 'hello.mark');
    writeFileSync(file, RUNBOOK);
    await call('runbook.open', { path: file });

    const state: RunState = await call('runs.start', { profile: 'regulated', operator: 'Alice Operator', vars: { WHO: 'console', MARK: mark } });
    expect(state.status).toBe('ready');
    expect(state.hiddenCount).toBe(1);
    expect(state.steps.find((s) => s.id === 'work/restricted-only')?.hidden).toBe(true);
    expect(state.steps.find((s) => s.id.includes('proceed'))?.manual).toMatch(/decision/);
    expect(existsSync(mark)).toBe(false); // starting executes nothing

    await expect(call('runs.runStep', { runId: state.runId, stepId: 'work/restricted-only' })).rejects.toThrow(/above the run's profile/);
    await call('runs.runStep', { runId: state.runId, stepId: 'work/say-hello' });
    const first = await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.status === 'succeeded');
    expect(first.events.filter((e) => e.type === 'output').map((e) => (e as { data: string }).data).join('')).toBe('hello console\n');
    expect(first.events.find((e) => e.type === 'block-end')).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(existsSync(mark)).toBe(true);

    await call('runs.runStep', { runId: state.runId, stepId: 'work/long-wait' });
    await eventsUntil(call, state.runId, first.next, (e) => e.type === 'output' && e.data.includes('waiting'));
    await expect(call('runs.runStep', { runId: state.runId, stepId: 'work/optional-cleanup' })).rejects.toThrow(/is running/);
    expect(await call('runs.cancel', { runId: state.runId })).toEqual({ cancelled: true });
    await eventsUntil(call, state.runId, first.next, (e) => e.type === 'step' && e.status === 'cancelled');

    await expect(call('runs.skip', { runId: state.runId, stepId: 'work/optional-cleanup', reason: ' ' })).rejects.toThrow(/a skip needs a reason/);
    const decisionStep = state.steps.find((s) => s.id.includes('proceed'))?.id as string;
    const signoffStep = state.steps.find((s) => s.id.startsWith('sign-off'))?.id as string;
    await call('runs.skip', { runId: state.runId, stepId: 'work/optional-cleanup', reason: 'nothing to clean in this window' });
    await call('runs.record', { runId: state.runId, stepId: decisionStep, kind: 'decision', decision: 'GO' });
    // A sign-off is recorded only signed with the signer's SSH key (here a key file main signs with).
    const key = path.join(root, 'alice_ed25519');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const signed: RunState = await call('runs.record', { runId: state.runId, stepId: signoffStep, kind: 'signoff', name: 'Alice Operator', role: 'Operator', date: '2026-11-24', keyFile: key });
    expect(signed.steps.find((s) => s.id === signoffStep)?.signoff).toEqual({ name: 'Alice Operator', role: 'Operator', date: '2026-11-24', fingerprint: expect.stringMatching(/^SHA256:/) });

    const finished: RunState = await sealAnyway(call, state.runId);
    expect(finished.status).toBe('finished');
    expect(finished.seal?.ticketLine).toMatch(/^runbook-console\/[0-9a-f]{16}\/[0-9a-f-]{36} \d+ \S{44}$/);
    expect(await call('runs.verify', { runId: state.runId })).toMatchObject({ ok: true });
    const journal = readFileSync(path.join(finished.dir, 'journal.jsonl'), 'utf8');
    for (const type of ['"decision"', '"signoff"', 'nothing to clean in this window', '"status":"cancelled"']) expect(journal).toContain(type);

    const exported = await call('runs.export', { runId: state.runId, out: path.join(root, 'bundle'), keyFile: key });
    expect(exported.signer).toMatch(/^Alice-Operator SHA256:/);
    const verify = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', 'allowed_signers', '-I', 'Alice-Operator', '-n', 'runbook-console-audit', '-s', 'report.json.sig'], { cwd: exported.out, input: readFileSync(path.join(exported.out, 'report.json')) });
    expect(verify.status).toBe(0);
  }, 60_000);

  it('refuses to start without an open runbook, and reports missing variables before anything runs', async () => {
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call = (method: string, input: unknown) => dispatch(handlers, method, input) as Promise<any>;
    await expect(call('runs.start', { profile: 'standard', operator: 'a' })).rejects.toThrow(/open a runbook first/);
    writeFileSync(path.join(root, 'rb.md'), RUNBOOK);
    await call('runbook.open', { path: path.join(root, 'rb.md') });
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'a' });
    // Each step that needs a value says so on itself, and takes it there (runs.setVariables): no new run.
    expect(state.problems).toContainEqual(expect.stringMatching(/^step work\/say-hello: no value for WHO, MARK: give them on the step/));
    expect(state.steps.find((s) => s.id === 'work/say-hello')?.missingValues).toEqual([{ name: 'WHO', secret: false }, { name: 'MARK', secret: false }]);
    await expect(call('runs.runStep', { runId: state.runId, stepId: 'work/say-hello' })).rejects.toThrow(/no value for WHO/);
  });
});
