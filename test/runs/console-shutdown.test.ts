// The host going away (serve's SIGTERM/SIGHUP, the desktop app quitting) stops the open run's step for
// real, records why and seals what the run has — without ending it: no orphaned process, no torn record,
// and the next host offers the run back (Resume), where it goes on in the same journal to a seal that verifies.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { running } from '../support/process.js';
import { type ApiCall, eventsUntil, sealAnyway } from '../support/run-events.js';

describe('console run when the host shuts down', () => {
  it('cancels the running step\'s process group, journals run.interrupted and seals what the run has; the next host resumes it', async () => {
    const { root, handlers, runs, keys } = testHandlers({ host: 'browser', version: 'test' });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    const pids = path.join(root, 'pids');
    writeFileSync(path.join(root, 'rb.md'), `# Long\n\n- [ ] Long step\n  \`\`\`bash\n  (sleep 30) &\n  echo "$$ $!" > '${pids}'\n  echo started\n  while true; do sleep 0.1; done\n  \`\`\`\n`);
    await call('runbook.open', { path: path.join(root, 'rb.md') });
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    await call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'output' && e.data.includes('started'));

    await runs.shutdown('SIGTERM');

    const [shell, child] = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    expect(running(shell as number)).toBe(false);
    expect(running(child as number)).toBe(false);
    const records = readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    expect(records.find((r) => r.type === 'run.interrupted')?.data).toMatchObject({ cause: 'SIGTERM', by: 'host shutdown', step: state.steps[0]?.id });
    // Sealed so far, not ended: no run.finished; the last record a shutdown seal.
    expect(records.find((r) => r.type === 'run.finished')).toBeUndefined();
    expect(records.at(-1)).toMatchObject({ type: 'checkpoint', data: { reason: 'shutdown', size: records.length - 1 } });
    expect(await verifyRun(state.dir, { keys })).toMatchObject({ ok: false, failure: { code: 'E_UNSEALED' } });
    expect(await verifyRun(state.dir, { keys, allowUnsealed: true })).toMatchObject({ ok: true, sealedSize: records.length - 1 });

    // The next host (a restart): the run is unfinished and held by nobody, and goes on.
    const next = testHandlers({ host: 'browser', version: 'test', root });
    const callNext: ApiCall = (m, i) => dispatch(next.handlers, m, i) as Promise<any>;
    const { runs: listed } = await callNext('history.list', {});
    expect(listed.find((r: { runId: string }) => r.runId === state.runId)).toMatchObject({ state: 'unfinished', holder: null });
    const resumed: RunState = await callNext('runs.resume', { runId: state.runId, operator: 'Alice' });
    expect(resumed.steps[0]).toMatchObject({ status: 'cancelled' });
    const after = readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    expect(after.slice(0, records.length)).toEqual(records);
    expect(after[records.length]).toMatchObject({ type: 'run.resumed', data: { by: 'Alice', stale_lock: null } });
    await sealAnyway(callNext, state.runId);
    expect(await verifyRun(state.dir, { keys })).toMatchObject({ ok: true });
    // A host going away starts and resumes nothing more (a call arriving before it closes is refused).
    await expect(call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} })).rejects.toThrow(/shutting down/);
  });
});
