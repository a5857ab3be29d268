// Local-shell benchmarks, each a ratio against a baseline measured in the same process:
//   step:   one trivial step through the local executor vs spawning `bash -c true` directly;
//   output: 200 MB of output through a whole run (executor → masking → recorder on disk)
//           vs `cat FILE >/dev/null` of the same bytes, plus the peak RSS of this process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseRunbook } from '../dist/main/runbook/parse.js';
import { targetSet } from '../dist/main/session/binding.js';
import { ExecutorPool } from '../dist/main/session/executor-pool.js';
import { planRun } from '../dist/main/session/plan.js';
import { RunSession } from '../dist/main/session/runner.js';
import { createLocalExecutor } from '../dist/main/targets/local/executor.js';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function bashTrue() {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'true'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', resolve);
  });
}

function runSession(dir, code) {
  const runbook = parseRunbook(`- [ ] bench\n  \`\`\`bash\n  ${code}\n  \`\`\`\n`, { file: 'bench.md' });
  const plan = planRun(runbook, targetSet(runbook, null), { profile: 'restricted' });
  const ctx = { baseDir: dir, env: {}, ask: async () => null, confirm: async () => false };
  const pool = new ExecutorPool(ctx, (name, target) => createLocalExecutor(name, target, ctx));
  const session = new RunSession({
    runbook,
    profile: 'standard',
    verdicts: new Map(),
    plan,
    variables: { values: new Map(), secretValues: new Set(), sources: new Map(), missing: [] },
    executors: pool,
    outputDir: path.join(dir, 'out'),
    keepGoing: false,
    confirmProtected: async () => false,
  });
  return session.run();
}

export async function localBench(options = {}) {
  const runs = options.runs ?? 21;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-local-'));
  try {
    const ctx = { baseDir: dir, env: {}, ask: async () => null, confirm: async () => false };
    const executor = createLocalExecutor('local', { kind: 'local' }, ctx);
    const step = [];
    const bash = [];
    for (let i = 0; i < 3; i++) {
      await executor.start({ blockId: 'w', action: 'shell', code: 'true', onOutput: () => {} }).result;
      await bashTrue();
    }
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? ['step', 'bash'] : ['bash', 'step'];
      for (const which of order) {
        const t0 = performance.now();
        if (which === 'step') await executor.start({ blockId: 'b', action: 'shell', code: 'true', onOutput: () => {} }).result;
        else await bashTrue();
        (which === 'step' ? step : bash).push(performance.now() - t0);
      }
    }

    const bytes = (options.outputMB ?? 200) * 1024 * 1024;
    const file = path.join(dir, 'big.txt');
    const fd = openSync(file, 'w');
    const line = Buffer.from(`${'x'.repeat(99)}\n`);
    const chunk = Buffer.alloc(1024 * 1024);
    for (let o = 0; o < chunk.length; o += line.length) line.copy(chunk, o, 0, Math.min(line.length, chunk.length - o));
    for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk);
    closeSync(fd);

    const t0 = performance.now();
    await new Promise((resolve, reject) => {
      const c = spawn('bash', ['-c', `cat '${file}' >/dev/null`], { stdio: 'ignore' });
      c.once('error', reject);
      c.once('close', resolve);
    });
    const catMs = performance.now() - t0;
    const rssBefore = process.memoryUsage().rss;
    const t1 = performance.now();
    const summary = await runSession(dir, `cat '${file}'`);
    const runMs = performance.now() - t1;
    if (!summary.ok) throw new Error('the 200 MB step failed');
    const peakRssMB = process.resourceUsage().maxRSS / 1024;
    writeFileSync(path.join(dir, 'done'), '');
    return {
      name: 'local',
      runs,
      step: { median: median(step), baseline: median(bash), ratio: median(step) / median(bash) },
      output: {
        megabytes: bytes / 1024 / 1024,
        runMs,
        catMs,
        runMBps: bytes / 1024 / 1024 / (runMs / 1000),
        catMBps: bytes / 1024 / 1024 / (catMs / 1000),
        ratio: runMs / catMs,
        rssBeforeMB: rssBefore / 1024 / 1024,
        peakRssMB,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printLocal(r) {
  console.log(`local: ${r.runs} runs each, order alternated`);
  console.log(`  step \`true\` via local executor  median ${r.step.median.toFixed(2)} ms`);
  console.log(`  bash -c true (spawn)            median ${r.step.baseline.toFixed(2)} ms`);
  console.log(`  ratio: ${r.step.ratio.toFixed(2)}× the bare spawn`);
  const o = r.output;
  console.log(`  ${o.megabytes} MB of output through a run: ${o.runMBps.toFixed(0)} MB/s (${o.runMs.toFixed(0)} ms); cat >/dev/null: ${o.catMBps.toFixed(0)} MB/s (${o.catMs.toFixed(0)} ms); ratio ${o.ratio.toFixed(1)}× the time`);
  console.log(`  peak RSS of the bench process: ${o.peakRssMB.toFixed(0)} MB (before the run: ${o.rssBeforeMB.toFixed(0)} MB) — output goes to disk, not memory`);
}
