// Several PromQL queries in one block (issue 12, item 6): each is run in order and recorded on its own, one
// result set per query — the vocabulary an SQL block of several statements uses — through the session.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunbook } from '../../../src/main/runbook/index.js';
import { blockVerdicts } from '../../../src/main/session/assemble.js';
import { targetSet } from '../../../src/main/session/binding.js';
import { ExecutorPool } from '../../../src/main/session/executor-pool.js';
import { planRun } from '../../../src/main/session/plan.js';
import { type BlockOutcome, RunSession } from '../../../src/main/session/runner.js';
import { createPrometheusExecutor } from '../../../src/main/targets/prometheus/executor.js';
import type { Executor, ExecutorContext, OutputChunk } from '../../../src/main/targets/types.js';
import type { PrometheusTarget } from '../../../src/shared/targets.js';
import { type FakePrometheus, startPrometheus, success } from '../../fakes/prometheus.js';

let prom: FakePrometheus;
const executors: Executor[] = [];
const ctx: ExecutorContext = { baseDir: '/', env: {}, ask: async () => null, confirm: async () => false };

beforeAll(async () => {
  prom = await startPrometheus();
  prom.answers.set('up', success('vector', [{ metric: { job: 'api' }, value: [1700000000, '1'] }]));
  prom.answers.set('sum(rate(errors_total[5m]))', success('vector', [{ metric: {}, value: [1700000000, '0.5'] }]));
  prom.answers.set('scalar(1)', success('scalar', [1700000000, '1']));
  prom.answers.set('# the third\nscalar(1)', success('scalar', [1700000000, '1']));
  prom.answers.set('sum(rate(a[5m]))\n/\nsum(rate(b[5m]))', success('vector', [{ metric: {}, value: [1700000000, '0.25'] }]));
});

afterAll(async () => {
  await Promise.allSettled(executors.map((e) => e.close()));
  await prom?.close();
});

function executor(): Executor {
  const e = createPrometheusExecutor('metrics', { kind: 'prometheus', url: prom.url }, ctx);
  executors.push(e);
  return e;
}

async function runQueries(code: string) {
  const output: OutputChunk[] = [];
  const before = prom.requests.length;
  const result = await executor().start({ blockId: 'b', action: 'promql', code, onOutput: (c) => output.push(c) }).result;
  return { result, output, queries: prom.requests.slice(before).map((r) => r.query) };
}

describe('a promql block of several queries', () => {
  it('runs each query in order and records one result set per query', async () => {
    const { result, output, queries } = await runQueries('up\nsum(rate(errors_total[5m]))\n\n# the third\nscalar(1)');
    // A comment goes with the query after it; Prometheus reads "#" comments.
    expect(queries).toEqual(['up', 'sum(rate(errors_total[5m]))', '# the third\nscalar(1)']);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(result.resultSets.map((r) => [r.command, r.rowCount])).toEqual([['vector', 1], ['vector', 1], ['scalar', 1]]);
    expect(output.map((c) => c.data)).toEqual(['query 1 of 3: vector: 1 row(s)\n', 'query 2 of 3: vector: 1 row(s)\n', 'query 3 of 3: scalar: 1 row(s)\n']);
  });

  it('stops at the first query Prometheus refuses: the earlier results are kept, the later queries are not run', async () => {
    const { result, queries } = await runQueries('up\nnot_a_known_query\nscalar(1)');
    expect(queries).toEqual(['up', 'not_a_known_query']);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^query 2 of 3: bad_data: .*; the later queries were not run$/);
    expect(result.resultSets.map((r) => r.command)).toEqual(['vector']);
  });

  it('positive control: one query over several lines is sent whole, and a block of one query reads as before', async () => {
    const long = await runQueries('sum(rate(a[5m]))\n/\nsum(rate(b[5m]))');
    expect(long.queries).toEqual(['sum(rate(a[5m]))\n/\nsum(rate(b[5m]))']);
    expect(long.result.resultSets).toHaveLength(1);
    const one = await runQueries('  up\n');
    expect([one.queries, one.output.map((c) => c.data)]).toEqual([['up'], ['vector: 1 row(s)\n']]);
  });
});

describe('through the session', () => {
  it('the block the model lists as three queries finishes with three result sets for the record', async () => {
    const runbook = parseRunbook('# T\n## Rates\n```promql {"target":"metrics"}\nup\nsum(rate(errors_total[5m]))\nscalar(1)\n```\n', { file: 't.md' });
    const block = runbook.steps[0]?.blocks[0];
    expect(block?.queries).toEqual(['up', 'sum(rate(errors_total[5m]))', 'scalar(1)']);
    const target: PrometheusTarget = { kind: 'prometheus', url: prom.url };
    const set = targetSet(runbook, { targets: { metrics: target } });
    const plan = planRun(runbook, set, { profile: 'standard' });
    expect(plan.issues).toEqual([]);
    const finished: BlockOutcome[] = [];
    const dir = mkdtempSync(path.join(tmpdir(), 'promql-'));
    const session = new RunSession({
      runbook,
      profile: 'standard',
      verdicts: await blockVerdicts(runbook),
      plan,
      variables: { values: new Map(), secretValues: new Set(), sources: new Map(), missing: [] },
      executors: new ExecutorPool({ ...ctx, baseDir: dir }, (name, t, c) => createPrometheusExecutor(name, t as PrometheusTarget, c)),
      outputDir: dir,
      keepGoing: false,
      confirmProtected: async () => false,
      recorder: {
        blockStarting: () => undefined,
        blockFinished: (e) => void finished.push(e.outcome),
        stepSkipped: () => undefined,
        stepFinished: () => undefined,
      },
    });
    const summary = await session.run();
    expect(summary.ok).toBe(true);
    expect(finished[0]?.result.resultSets.map((r) => r.command)).toEqual(['vector', 'vector', 'scalar']);
  });
});
