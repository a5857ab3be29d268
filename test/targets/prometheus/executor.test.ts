// The prometheus executor against a fake Prometheus HTTP API: instant queries, result sets, Prometheus'
// own errors, cancel and timeout aborting the request, credentials in the URL.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusExecutor } from '../../../src/main/targets/prometheus/executor.js';
import type { ExecutionRequest, Executor, ExecutorContext, OutputChunk } from '../../../src/main/targets/types.js';
import { type FakePrometheus, startPrometheus, success } from '../../fakes/prometheus.js';

let prom: FakePrometheus;
const executors: Executor[] = [];
const ctx: ExecutorContext = { baseDir: '/', env: {}, ask: async () => null, confirm: async () => false };

beforeAll(async () => {
  prom = await startPrometheus();
  prom.answers.set(
    'up',
    success('vector', [
      { metric: { __name__: 'up', job: 'api', instance: '10.0.0.1:9100' }, value: [1700000000.5, '1'] },
      { metric: { __name__: 'up', job: 'db', instance: '10.0.0.2:9100', zone: 'b' }, value: [1700000000.5, '0'] },
    ]),
  );
  prom.answers.set('scalar(1.5)', success('scalar', [1700000000, '1.5']));
  prom.answers.set('"hello"', success('string', [1700000000, 'hello']));
  prom.answers.set('rate(x[1m]) / 0', success('vector', [{ metric: {}, value: [1700000000, 'NaN'] }], { warnings: ['PromQL warning: division by zero'] }));
  prom.answers.set('up[1m]', success('matrix', [{ metric: { job: 'api' }, values: [[1700000000, '1'], [1700000030, '1']] }]));
  prom.answers.set('sum(rate(http_requests_total[5m]))', { status: 422, body: { status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory' } });
  prom.answers.set('proxied', { status: 502, body: '<html>Bad Gateway</html>' });
});

afterAll(async () => {
  await Promise.allSettled(executors.map((e) => e.close()));
  await prom?.close();
});

function executor(url = prom.url, timeout?: string): Executor {
  const e = createPrometheusExecutor('metrics', { kind: 'prometheus', url, ...(timeout ? { timeout } : {}) }, ctx);
  executors.push(e);
  return e;
}

/** A port nothing listens on: one the system just handed out and we let go of. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function start(e: Executor, code: string, extra: Partial<ExecutionRequest> = {}) {
  const output: OutputChunk[] = [];
  const execution = e.start({ blockId: 'b', action: 'promql', code, onOutput: (c) => output.push(c), ...extra });
  return { execution, output };
}

describe('prometheus executor', () => {
  it('runs an instant query: a vector becomes one table of labels, value and timestamp', async () => {
    const { execution, output } = start(executor(), '  up\n');
    const result = await execution.result;
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(result.exitCode).toBe(0);
    expect(result.resultSets).toEqual([
      {
        command: 'vector',
        columns: ['__name__', 'instance', 'job', 'zone', 'value', 'timestamp'],
        rows: [
          ['up', '10.0.0.1:9100', 'api', null, 1, '2023-11-14T22:13:20.500Z'],
          ['up', '10.0.0.2:9100', 'db', 'b', 0, '2023-11-14T22:13:20.500Z'],
        ],
        rowCount: 2,
      },
    ]);
    expect(result.target).toEqual({ name: 'metrics', kind: 'prometheus', endpoint: prom.url, details: { url: prom.url } });
    expect(prom.requests.at(-1)).toMatchObject({ path: '/prometheus/api/v1/query', query: 'up' });
    expect(output.map((c) => [c.stream, c.data])).toEqual([['info', 'vector: 2 row(s)\n']]);
  });

  it('scalar, string and matrix answers; NaN stays a string; warnings become notes', async () => {
    const e = executor();
    const scalar = await start(e, 'scalar(1.5)').execution.result;
    expect(scalar.resultSets).toEqual([{ command: 'scalar', columns: ['value', 'timestamp'], rows: [[1.5, '2023-11-14T22:13:20.000Z']], rowCount: 1 }]);
    const text = await start(e, '"hello"').execution.result;
    expect(text.resultSets[0]).toMatchObject({ command: 'string', rows: [['hello', '2023-11-14T22:13:20.000Z']] });
    const matrix = await start(e, 'up[1m]').execution.result;
    expect(matrix.resultSets[0]).toEqual({ command: 'matrix', columns: ['job', 'value', 'timestamp'], rows: [['api', 1, '2023-11-14T22:13:20.000Z'], ['api', 1, '2023-11-14T22:13:50.000Z']], rowCount: 2 });
    const nan = await start(e, 'rate(x[1m]) / 0').execution.result;
    expect(nan.resultSets[0]?.rows).toEqual([['NaN', '2023-11-14T22:13:20.000Z']]);
    expect(nan.notes).toContain('warning: PromQL warning: division by zero');
  });

  it("Prometheus' error answer makes the block failed with its text", async () => {
    const { execution, output } = start(executor(), 'sum(rate(http_requests_total[5m]))');
    const result = await execution.result;
    expect(result).toMatchObject({ status: 'failed', exitCode: 1, error: 'execution: query processing would load too many samples into memory', resultSets: [] });
    expect(output.filter((c) => c.stream === 'stderr').map((c) => c.data)).toEqual(['execution: query processing would load too many samples into memory\n']);
    const parse = await start(executor(), 'up{').execution.result;
    expect(parse).toMatchObject({ status: 'failed', error: `bad_data: invalid parameter "query": 1:1: parse error: unexpected character: 'u'` });
  });

  it('an answer that is not the Prometheus API, or no answer at all, is an error', async () => {
    const proxied = await start(executor(), 'proxied').execution.result;
    expect(proxied).toMatchObject({ status: 'error', error: `Prometheus at ${prom.url} answered HTTP 502 with something that is not its API: <html>Bad Gateway</html>` });
    const port = await closedPort();
    const refused = await start(executor(`http://127.0.0.1:${port}`), 'up').execution.result;
    expect(refused.status).toBe('error');
    expect(refused.error).toMatch(new RegExp(`^cannot reach Prometheus at http://127\\.0\\.0\\.1:${port}: .*\\[ECONNREFUSED\\]$`));
  });

  it('cancel aborts the request: the server sees the client leave', async () => {
    const hold = prom.hold('slow_query');
    const { execution } = start(executor(), 'slow_query');
    await hold.arrived;
    execution.cancel();
    expect(await execution.result).toMatchObject({ status: 'cancelled', error: 'cancelled by the operator', exitCode: null });
    await hold.closed;
  });

  it('the timeout (block, else target) aborts the request as timed-out', async () => {
    const hold = prom.hold('slower_query');
    const result = await start(executor(prom.url, '100ms'), 'slower_query').execution.result;
    expect(result).toMatchObject({ status: 'timed-out', error: 'timed out after 100 ms' });
    await hold.closed;
    prom.hold('slowest_query');
    const own = await start(executor(prom.url, '1h'), 'slowest_query', { timeoutMs: 50 }).execution.result;
    expect(own).toMatchObject({ status: 'timed-out', error: 'timed out after 50 ms' });
  });

  it('credentials in the URL become a Basic header and never appear in the result', async () => {
    const withCreds = prom.url.replace('http://', 'http://reader:s3cret@');
    const result = await start(executor(withCreds), 'up').execution.result;
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(prom.requests.at(-1)?.authorization).toBe(`Basic ${Buffer.from('reader:s3cret').toString('base64')}`);
    expect(result.target.endpoint).toBe(prom.url);
    expect(JSON.stringify(result)).not.toContain('s3cret');
    expect(result.notes).toContain('basic auth from the credentials in the target URL');
  });

  it('refuses other actions and empty blocks', async () => {
    expect(await start(executor(), 'up', { action: 'sql' }).execution.result).toMatchObject({ status: 'error', error: 'a prometheus target runs promql blocks, not sql' });
    expect(await start(executor(), ' \n ').execution.result).toMatchObject({ status: 'error', error: 'the promql block is empty' });
  });
});
