// The host going away (serve's SIGTERM/SIGHUP, the desktop app quitting) stops the open run's step for
// real, records why and seals the run: no orphaned process, no torn record.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { running } from '../support/process.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';

describe('console run when the host shuts down', () => {
  it('cancels the running step\'s process group, journals run.interrupted and seals a run that verifies', async () => {
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
    expect(records.find((r) => r.type === 'run.interrupted')?.data).toMatchObject({ cause: 'SIGTERM' });
    expect(records.find((r) => r.type === 'run.finished')?.data).toMatchObject({ interrupted: 'SIGTERM' });
    expect(records.at(-1)?.type).toBe('checkpoint');
    expect(await verifyRun(state.dir, { keys })).toMatchObject({ ok: true });
  });
});
