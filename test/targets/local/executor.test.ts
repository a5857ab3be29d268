import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { running } from '../../support/process.js';
import { createLocalExecutor } from '../../../src/main/targets/local/executor.js';
import type { ExecutorContext, OutputChunk } from '../../../src/main/targets/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'local-exec-'));
const ctx: ExecutorContext = { baseDir: dir, env: {}, ask: async () => null, confirm: async () => false };

function run(code: string, opts: { env?: Record<string, string>; timeoutMs?: number; config?: object } = {}) {
  const chunks: OutputChunk[] = [];
  const executor = createLocalExecutor('here', { kind: 'local', ...opts.config }, ctx);
  const execution = executor.start({ blockId: 'b', action: 'shell', code, onOutput: (c) => chunks.push(c), ...(opts.env ? { env: opts.env } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  const text = (stream: string) => chunks.filter((c) => c.stream === stream).map((c) => c.data).join('');
  return { execution, chunks, text };
}


describe('local executor', () => {
  it('reports stdout, stderr and the exact exit status, with timestamped chunks', async () => {
    const r = run('echo out; echo err >&2; exit 3');
    const result = await r.execution.result;
    expect(result).toMatchObject({ status: 'failed', exitCode: 3, signal: null, error: 'exit status 3' });
    expect(r.text('stdout')).toBe('out\n');
    expect(r.text('stderr')).toBe('err\n');
    expect(r.chunks.every((c) => !Number.isNaN(Date.parse(c.at)))).toBe(true);
    expect(result.target).toMatchObject({ name: 'here', kind: 'local' });
  });

  it('runs in the configured directory with the configured and requested environment', async () => {
    const r = run('pwd; echo "$A-$B"', { env: { B: 'from-request' }, config: { cwd: '.', env: { A: 'from-config' } } });
    expect((await r.execution.result).status).toBe('succeeded');
    expect(r.text('stdout')).toBe(`${dir}\nfrom-config-from-request\n`);
  });

  it('reports a signal that killed the shell', async () => {
    const result = await run('kill -TERM $$').execution.result;
    expect(result).toMatchObject({ status: 'failed', exitCode: null, signal: 'SIGTERM' });
  });

  it('cancel stops the whole process group, children included', async () => {
    const pidFile = path.join(dir, 'child.pid');
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const executor = createLocalExecutor('here', { kind: 'local' }, ctx);
    const execution = executor.start({
      blockId: 'b',
      action: 'shell',
      code: `sleep 300 & echo $! > ${pidFile}; echo started; wait`,
      onOutput: (c) => c.data.includes('started') && started(),
    });
    await startedPromise;
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    expect(running(childPid)).toBe(true);
    execution.cancel();
    const result = await execution.result;
    expect(result.status).toBe('cancelled');
    // SIGKILL is delivered asynchronously by the kernel: allow it a moment to land.
    await expect.poll(() => running(childPid), { timeout: 3000, interval: 20 }).toBe(false);
  });

  it('a timeout stops the block and says so', async () => {
    const result = await run('sleep 30', { timeoutMs: 200 }).execution.result;
    expect(result.status).toBe('timed-out');
    expect(result.error).toBe('timed out after 200 ms');
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it('keeps multi-byte characters whole across chunks', async () => {
    const r = run(`head -c 200000 /dev/zero | tr '\\0' 'x'; printf '🟡%.0s' $(seq 1 5000)`);
    await r.execution.result;
    const out = r.text('stdout');
    expect(out.length).toBe(200000 + 5000 * 2);
    expect(out).not.toContain('\ufffd');
  });

  it('refuses actions other than shell', async () => {
    const executor = createLocalExecutor('here', { kind: 'local' }, ctx);
    const result = await executor.start({ blockId: 'b', action: 'sql', code: 'select 1', onOutput: () => undefined }).result;
    expect(result).toMatchObject({ status: 'error', error: 'a local target runs shell blocks, not sql' });
    expect(execFileSync('true')).toBeDefined();
  });
});
