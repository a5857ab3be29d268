// Opening a large runbook in the console: main reports how far it has got (runbook.progress, long-polled as
// run events are) — the file's size first, then the bytes parsed and the steps found, a few reports a second,
// then done with the model's step count — and keeps answering other calls while it parses.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { LoadProgress } from '../../src/shared/api.js';
import { testHandlers } from '../support/handlers.js';
import { largeRunbook } from '../support/runbook-fixtures.js';

describe('opening a large runbook', () => {
  it('reports reading, parsing (bytes and steps, throttled) and done, and answers other calls meanwhile', async () => {
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call = (method: string, input: unknown) => dispatch(handlers, method, input) as Promise<any>;
    const file = path.join(root, 'large.md');
    const text = largeRunbook(4_000_000, { outputLines: 40 });
    writeFileSync(file, text);

    const before = await call('runbook.progress', { after: -1, waitMs: 0 });
    expect(before.progress).toBeNull(); // nothing opened yet

    const opening = call('runbook.open', { path: file });
    const reports: LoadProgress[] = [];
    const poll = (async () => {
      let after = before.seq;
      for (;;) {
        const answer = await call('runbook.progress', { after, waitMs: 5_000 });
        after = answer.seq;
        if (answer.progress) reports.push(answer.progress);
        if (answer.progress?.phase === 'done' || answer.progress?.phase === 'failed') return;
      }
    })();
    // The event loop keeps turning while it parses (the parse yields between chunks): other calls get answered.
    const gaps: number[] = [];
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 10);
    const opened = await opening;
    clearInterval(ticker);
    await poll;

    expect(opened.error).toBeNull();
    const size = Buffer.byteLength(text);
    expect(reports[0]).toMatchObject({ phase: 'reading', file, done: 0 });
    expect(reports.at(-1)).toEqual({ loadId: reports[0]?.loadId, file, phase: 'done', done: size, total: size, steps: opened.runbook.steps.length });
    const parsing = reports.filter((r) => r.phase === 'parsing');
    expect(parsing.length).toBeGreaterThanOrEqual(3);
    for (const [k, r] of parsing.entries()) {
      expect(r.done).toBeGreaterThan(k === 0 ? 0 : (parsing[k - 1] as LoadProgress).done);
      expect(r.done).toBeLessThan(size);
      expect(r.total).toBe(size);
    }
    expect((parsing.at(-1) as LoadProgress).steps).toBeGreaterThan(parsing[0]?.steps ?? 0);
    expect(reports.map((r) => r.phase).filter((p, i, all) => p !== all[i - 1])).toEqual(['reading', 'parsing', 'finishing', 'done']);
    // Throttled: a few reports a second (the parser calls back after every chunk of a few KB: hundreds here).
    expect(parsing.length).toBeLessThan(150);
    expect(gaps.length).toBeGreaterThanOrEqual(20);
    expect(Math.max(...gaps)).toBeLessThan(1_000);
  }, 120_000);

  it('a file that cannot be opened ends in failed, and the error names its code and column', async () => {
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call = (method: string, input: unknown) => dispatch(handlers, method, input) as Promise<any>;
    const file = path.join(root, 'binary.md');
    writeFileSync(file, Buffer.from('# T\nab\u0000cd\n'));
    const opened = await call('runbook.open', { path: file });
    expect(opened.error).toEqual({ file, line: 2, column: 3, code: 'file-binary', message: 'binary file: it holds a NUL byte, not markdown text' });
    const { progress } = await call('runbook.progress', { after: -1, waitMs: 0 });
    expect(progress).toMatchObject({ phase: 'failed', file });
  });
});
