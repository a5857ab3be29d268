// SQL benchmark, a ratio against a baseline measured in the same process on the same throwaway cluster:
//   step:     `SELECT 1` through the postgres executor, on the one connection a run keeps open
//   baseline: `psql -X -h 127.0.0.1 -p PORT -U app -d appdb -c 'SELECT 1'`, a new process and a new
//             connection (TLS handshake, SCRAM login) each time, as a runbook's psql line costs in bash
// Both sides use sslmode verify-full against the cluster's CA, so neither is cheaper by checking less.
// Also reported: a step on a fresh executor (connect + login + query + close), i.e. the first block of a run.
// And as an operator feels it (issue 14, item 4): `runbook run` of 20 SQL steps on one PostgreSQL target, the
// whole process (start-up, one connection for all 20, journal, seal), against a script of 20 `psql -c`.
// Goal: at most 0.5×.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createPostgresExecutor } from '../dist/main/targets/postgres/executor.js';
import { shellSingleQuote } from '../dist/shared/shell-quote.js';
import { postgresUnavailableReason, startPostgres } from './support/postgres.mjs';
import { manyStepsOnTarget } from './support/processes.mjs';

export const GOALS = { manySteps: 0.5 };
const STEPS = 20;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const PASSWORD_ENV = 'BENCH_SQL_PASSWORD';

function psqlOnce(server) {
  return new Promise((resolve, reject) => {
    const child = spawn(server.psql, ['-X', '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', server.database, '-c', 'SELECT 1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PGPASSWORD: server.password, PGSSLMODE: 'verify-full', PGSSLROOTCERT: server.caFile },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 && /\(1 row\)/.test(out) ? resolve() : reject(new Error(`psql failed (exit ${code}): ${out.trim()}`))));
  });
}

async function stepOnce(executor) {
  const result = await executor.start({ blockId: 'bench', action: 'sql', code: 'SELECT 1', onOutput: () => {} }).result;
  if (result.status !== 'succeeded' || result.resultSets[0]?.rows[0]?.[0] !== 1) throw new Error(`the executor's SELECT 1 ${result.status}: ${result.error}`);
  return result;
}

export async function sqlBench(options = {}) {
  const runs = options.runs ?? 21;
  const reason = postgresUnavailableReason();
  if (reason) return { name: 'sql', skipped: true, reason };
  const server = await startPostgres();
  const config = { kind: 'postgres', host: server.host, port: server.port, database: server.database, user: server.user, passwordEnv: PASSWORD_ENV, sslmode: 'verify-full', sslrootcert: server.caFile };
  const ctx = { baseDir: server.dir, env: { [PASSWORD_ENV]: server.password }, ask: async () => null, confirm: async () => false };
  const executor = createPostgresExecutor('bench-db', config, ctx);
  try {
    const first = await stepOnce(executor); // opens the run's connection
    for (let i = 0; i < 3; i++) {
      await stepOnce(executor);
      await psqlOnce(server);
    }
    const step = [];
    const psql = [];
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? ['step', 'psql'] : ['psql', 'step'];
      for (const which of order) {
        const t0 = performance.now();
        if (which === 'step') await stepOnce(executor);
        else await psqlOnce(server);
        (which === 'step' ? step : psql).push(performance.now() - t0);
      }
    }
    const fresh = [];
    for (let i = 0; i < Math.min(runs, 11); i++) {
      const t0 = performance.now();
      const once = createPostgresExecutor('bench-db-fresh', config, ctx);
      await stepOnce(once);
      await once.close();
      fresh.push(performance.now() - t0);
    }
    const many = manySqlSteps(server, config, options.manyRuns ?? Math.max(3, Math.min(runs, 7)));
    return {
      name: 'sql',
      goals: [{ what: `sql: ${STEPS} steps, one target`, baseline: `${STEPS} × psql -c`, ratio: many.ratio, goal: `≤ ${GOALS.manySteps}×`, within: many.ratio <= GOALS.manySteps }],
      many,
      runs,
      server: first.target.details?.serverVersion ?? null,
      tls: first.target.details?.tls ?? null,
      step: { median: median(step), min: Math.min(...step), max: Math.max(...step) },
      psql: { median: median(psql), min: Math.min(...psql), max: Math.max(...psql) },
      fresh: { median: median(fresh), runs: fresh.length },
      ratio: median(step) / median(psql),
    };
  } finally {
    await executor.close();
    await server.stop();
  }
}

/** `runbook run` of STEPS SQL steps on one target, whole processes, against a script of STEPS psql -c. */
function manySqlSteps(server, config, runs) {
  const psql = [server.psql, '-X', '-q', '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', server.database, '-c', 'SELECT 1'];
  const envOf = (env) => ({ ...env, [PASSWORD_ENV]: server.password, PGPASSWORD: server.password, PGSSLMODE: 'verify-full', PGSSLROOTCERT: server.caFile });
  return manyStepsOnTarget({ prefix: 'bench-sql-', runs, steps: STEPS, target: { db: config }, lang: 'sql', code: 'SELECT 1;', command: psql, envOf, quote: shellSingleQuote });
}

export function printSql(r) {
  if (r.skipped) {
    console.log(`sql: skipped: ${r.reason}`);
    return;
  }
  const ms = (v) => `${v.toFixed(2)} ms`;
  console.log(`sql: ${r.runs} runs each, order alternated; PostgreSQL ${r.server}, ${r.tls}, sslmode verify-full on both sides`);
  console.log(`  SELECT 1 via executor (connection kept)   median ${ms(r.step.median)}  (min ${ms(r.step.min)}, max ${ms(r.step.max)})`);
  console.log(`  psql -c 'SELECT 1' (process + login)      median ${ms(r.psql.median)}  (min ${ms(r.psql.min)}, max ${ms(r.psql.max)})`);
  console.log(`  ratio: ${r.ratio.toFixed(3)}× psql (${(1 / r.ratio).toFixed(0)}× faster)`);
  console.log(`  first block of a run (new executor: connect, TLS, SCRAM, SELECT 1, close): median ${ms(r.fresh.median)} over ${r.fresh.runs}`);
  const m = r.many;
  console.log(`sql (${STEPS} steps, whole processes, ${m.runs} runs each, order alternated):`);
  console.log(`  runbook run, ${STEPS} SELECT 1 steps on one target   median ${m.runMs.toFixed(0)} ms`);
  console.log(`  bash: ${STEPS} × psql -c 'SELECT 1'                  median ${m.baselineMs.toFixed(0)} ms`);
  console.log(`  ratio: ${m.ratio.toFixed(2)}× (goal: at most ${GOALS.manySteps}×) ${m.ratio <= GOALS.manySteps ? 'within goal' : 'ABOVE GOAL'}`);
}
