// Past runs and bundles through the console API: the runs directory listed with each run's state (running,
// unfinished, sealed, exported), operator, title and start; a past run verified on demand; a block's whole
// recorded output read back piece by piece; an exported bundle opened read only and verified.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { PastRun } from '../../src/shared/history-api.js';
import type { RunState } from '../../src/shared/run-api.js';
import { RunController } from '../../src/main/runs/run-controller.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';
import { setLockHolder } from '../support/stale-lock.js';

const RUNBOOK = `# History check

## Print a lot

\`\`\`bash
for i in $(seq 1 40000); do echo "line $i of the output"; done
\`\`\`
`;

/** Every entry under `dir`: its kind, mode, modification time and (for a file) SHA-256. */
function tree(dir: string): Record<string, string> {
  const entries = readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
  return Object.fromEntries(
    entries.map((name) => {
      const file = path.join(dir, name);
      const st = lstatSync(file);
      const hash = st.isFile() ? createHash('sha256').update(readFileSync(file)).digest('hex') : '-';
      return [name, `${st.mode.toString(8)} ${st.mtimeMs} ${hash}`];
    }),
  );
}

async function setup() {
  const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
  const file = path.join(root, 'history.md');
  writeFileSync(file, RUNBOOK);
  await call('runbook.open', { path: file });
  return { root, call };
}

describe('past runs, outputs and bundles', () => {
  it('lists runs with their state, reads a whole output back in pieces, opens and verifies an exported bundle', async () => {
    const { root, call } = await setup();
    expect((await call('history.list', {})).runs).toEqual([]);
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    const step = state.steps[0]?.id as string;
    let list: PastRun[] = (await call('history.list', {})).runs;
    expect(list).toEqual([expect.objectContaining({ runId: state.runId, state: 'running', operator: 'Alice', title: 'History check', profile: 'standard' })]);
    await call('runs.runStep', { runId: state.runId, stepId: step });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === step && e.status === 'succeeded');

    // The whole output, in pieces of at most 512 KiB, with its recorded size and hash.
    const blockId = Object.keys(state.steps[0]?.targets ?? {})[0] as string;
    const pieces: Buffer[] = [];
    let first: any = null;
    for (let offset = 0; ; ) {
      const piece = await call('runs.output', { runId: state.runId, stepId: step, blockId, offset, length: 256 * 1024 });
      first ??= piece;
      pieces.push(Buffer.from(piece.data, 'base64'));
      offset += Buffer.from(piece.data, 'base64').length;
      if (piece.done) break;
    }
    const whole = Buffer.concat(pieces);
    expect(pieces.length).toBeGreaterThan(1);
    expect(whole.length).toBe(first.size);
    expect(createHash('sha256').update(whole).digest('hex')).toBe(first.sha256);
    expect(whole.toString('utf8')).toContain('line 40000 of the output');
    await expect(call('runs.output', { runId: state.runId, stepId: step, blockId: 'nope', offset: 0 })).rejects.toThrow(/no recorded output/);
    await expect(call('runs.output', { runId: '../../etc', stepId: step, blockId, offset: 0 })).rejects.toThrow(/no run/);

    await call('runs.finish', { runId: state.runId });
    list = (await call('history.list', {})).runs;
    expect(list[0]).toMatchObject({ runId: state.runId, state: 'sealed' });
    expect(await call('history.verify', { runId: state.runId })).toMatchObject({ ok: true, verdict: 'self-anchored' });

    const out = path.join(root, 'bundle');
    await call('runs.export', { runId: state.runId, out });
    expect((await call('history.list', {})).runs[0]).toMatchObject({ state: 'exported' });
    // Read only: opening and verifying a bundle changes, adds and removes nothing in it (no access log, no lock).
    const before = tree(out);
    const bundle = await call('bundle.open', { path: out });
    expect(bundle).toMatchObject({ runId: state.runId, title: 'History check', operator: 'Alice', outcome: 'succeeded' });
    expect(bundle.steps).toEqual([expect.objectContaining({ id: step, status: 'succeeded', blocks: [expect.objectContaining({ exitCode: 0 })] })]);
    expect(bundle.files).toContain('journal.jsonl');
    expect(await call('bundle.verify', { path: out })).toMatchObject({ ok: true });
    expect(tree(out)).toEqual(before);
    // Control: the same comparison sees a change (a file touched in the bundle).
    utimesSync(path.join(out, 'journal.jsonl'), new Date(0), new Date(0));
    expect(tree(out)).not.toEqual(before);
    // A directory that is not a bundle is refused, read only as it is.
    mkdirSync(path.join(root, 'not-a-bundle'));
    await expect(call('bundle.open', { path: path.join(root, 'not-a-bundle') })).rejects.toThrow(/not an exported bundle/);
    // A blob replaced by a link (a run directory someone changed) is not followed.
    const blob = path.join(state.dir, 'blobs', first.sha256);
    rmSync(blob);
    symlinkSync('/etc/hostname', blob);
    await expect(call('runs.output', { runId: state.runId, stepId: step, blockId, offset: 0 })).rejects.toThrow(/ELOOP|symbolic link/);
  });

  it('a run whose host died (its lock stale, its journal not sealed) is listed unfinished', async () => {
    const { call, root } = await setup();
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Bob', vars: {} });
    // As after kill -9: the lock names a process that is gone.
    setLockHolder(state.dir);
    // Another host process (a new controller on the same runs directory) sees it unfinished.
    const other = testHandlers({ host: 'browser', version: 'test' });
    const listed = new RunController({ settings: other.settings, keys: () => other.keys, installation: () => Promise.reject(new Error('unused')), runsDir: path.join(root, 'runs'), version: 'test' }).history();
    expect(listed.runs).toEqual([expect.objectContaining({ runId: state.runId, state: 'unfinished', operator: 'Bob' })]);
  });
});
