// Executors whose module loads with their first block (targets/lazy-executor.ts, used by the registry for
// ssh, postgres, kubernetes and prometheus): one load for every block, a block cancelled while the module
// loads never starts, a module that cannot load is that block's error (and the next block tries again).
import { describe, expect, it } from 'vitest';
import { lazyExecutor } from '../../src/main/targets/lazy-executor.js';
import { createExecutor } from '../../src/main/targets/registry.js';
import type { Execution, ExecutionRequest, ExecutionResult, Executor } from '../../src/main/targets/types.js';

const request: ExecutionRequest = { blockId: 'b', action: 'shell', code: 'true', onOutput: () => undefined };
const target = { kind: 'ssh' as const, host: 'example.invalid' };

function fakeExecutor(started: string[], closed: { count: number }): Executor {
  return {
    kind: 'ssh',
    name: 'web',
    start(r): Execution {
      started.push(r.blockId);
      const result: ExecutionResult = { status: 'succeeded', exitCode: 0, signal: null, error: null, resultSets: [], notes: [], startedAt: '', endedAt: '', durationMs: 0, target: { name: 'web', kind: 'ssh', endpoint: 'x' } };
      return { result: Promise.resolve(result), cancel: () => undefined };
    },
    close: async () => void closed.count++,
  };
}

describe('lazy executors', () => {
  it('loads the module once, with the first block, and hands every block to the executor it made', async () => {
    const started: string[] = [];
    const closed = { count: 0 };
    let loads = 0;
    const e = lazyExecutor('web', target, async () => {
      loads++;
      return fakeExecutor(started, closed);
    });
    expect(loads).toBe(0);
    expect(e.kind).toBe('ssh');
    const [a, b] = await Promise.all([e.start({ ...request, blockId: 'one' }).result, e.start({ ...request, blockId: 'two' }).result]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect(loads).toBe(1);
    expect(started).toEqual(['one', 'two']);
    await e.close();
    expect(closed.count).toBe(1);
    expect((await e.start(request).result).error).toBe('the ssh target web was already closed');
  });

  it('never starts a block cancelled while the module loads', async () => {
    const started: string[] = [];
    let release: () => void = () => undefined;
    const e = lazyExecutor('web', target, () => new Promise((resolve) => (release = () => resolve(fakeExecutor(started, { count: 0 })))));
    const execution = e.start(request);
    execution.cancel();
    release();
    const result = await execution.result;
    expect(result).toMatchObject({ status: 'cancelled', error: 'cancelled by the operator before it started; nothing ran' });
    expect(started).toEqual([]);
  });

  it('reports a module that cannot load as the block\'s error, and tries again for the next block', async () => {
    let tries = 0;
    const e = lazyExecutor('web', target, async () => {
      if (++tries === 1) throw new Error('ENOENT: no such module');
      return fakeExecutor([], { count: 0 });
    });
    expect(await e.start(request).result).toMatchObject({ status: 'error', error: 'cannot load the ssh executor: ENOENT: no such module' });
    expect((await e.start(request).result).status).toBe('succeeded');
    expect(tries).toBe(2);
  });

  it('the registry makes them for every kind but local, whose module is already there', () => {
    const ctx = { baseDir: '/', env: {}, ask: async () => null, confirm: async () => false };
    expect(createExecutor('l', { kind: 'local' }, ctx).kind).toBe('local');
    for (const t of [target, { kind: 'postgres' as const, host: 'h', database: 'd', user: 'u' }, { kind: 'kubernetes' as const }, { kind: 'prometheus' as const, url: 'http://h:9090' }]) {
      expect(createExecutor('x', t, ctx).kind).toBe(t.kind);
    }
  });
});
