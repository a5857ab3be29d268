// Whole processes timed as an operator starts them (bench/local.mjs, bench/ssh.mjs): wall time from spawn
// to exit, and from /usr/bin/time when it is installed (null without it) the peak RSS and the CPU time
// (user + system) of the process and its children: on a busy machine wall time waits for a CPU, CPU time
// much less so.
// Also the runbooks and the 200 MiB output file those benchmarks run, and how to check that a run kept
// the exact bytes (the blob named by the journal, its sha256 and the journaled hash).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** The CLI measured: dist/ as built, or BENCH_CLI=PATH/bin/runbook.js (another build, to compare before and after). */
export const CLI = process.env.BENCH_CLI ? path.resolve(process.env.BENCH_CLI) : path.join(REPO, 'dist/bin/runbook.js');
const TIME = '/usr/bin/time';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const medianOrNull = (xs) => (xs.some((x) => x === null) ? null : median(xs));

/** `names` starting at the `r`th: each round begins with the next one, so none always runs right after another. */
export const rotated = (names, r) => [...names.slice(r % names.length), ...names.slice(0, r % names.length)];

/**
 * The environment of the `runbook` processes a benchmark starts: keys and runs under `dir`, never the
 * operator's, and V8's compile cache there too (the first run of each command starts cold);
 * BENCH_NO_COMPILE_CACHE=1 turns the cache off for every run.
 */
export function benchEnv(dir, base = process.env) {
  const env = {
    ...base,
    RUNBOOK_CONSOLE_KEY_DIR: path.join(dir, 'keys'),
    RUNBOOK_CONSOLE_RUNS_DIR: path.join(dir, 'runs'),
    NODE_COMPILE_CACHE: path.join(dir, 'compile-cache'),
  };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  if (process.env.BENCH_NO_COMPILE_CACHE === '1') {
    delete env.NODE_COMPILE_CACHE;
    env.NODE_DISABLE_COMPILE_CACHE = '1';
  }
  return env;
}

/**
 * Runs argv to completion. `stdout`: a file descriptor (the bench opens /dev/null or a file) or 'ignore'.
 * Throws when it exits non-zero, with the end of its stderr.
 */
export function measure(argv, { env = process.env, cwd, stdout = 'ignore', rssFile }) {
  const withTime = existsSync(TIME) && rssFile;
  const command = withTime ? [TIME, '-f', '%M %U %S', '-o', rssFile, ...argv] : argv;
  const t0 = performance.now();
  const res = spawnSync(command[0], command.slice(1), { env, cwd, stdio: ['ignore', stdout, 'pipe'], maxBuffer: 16 << 20 });
  const ms = performance.now() - t0;
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`${argv.join(' ')} exited ${res.status}: ${String(res.stderr).slice(-2000)}`);
  if (!withTime) return { ms, rssKiB: null, cpuMs: null };
  const [rss, user, system] = (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { ms, rssKiB: rss, cpuMs: (user + system) * 1000 };
}

/** A runbook of one step that runs `code` (one line of bash). */
export function oneStepRunbook(file, code, attributes = '') {
  writeFileSync(file, `# Bench\n\n- [ ] **One step**\n  \`\`\`bash${attributes ? ` ${attributes}` : ''}\n  ${code}\n  \`\`\`\n`);
  return file;
}

/**
 * Writes `bytes` of `lineBytes`-byte lines (numbered, so no two nearby lines are alike) and returns its
 * sha256, computed as it is written.
 */
export function writeLinesFile(file, bytes, lineBytes = 64) {
  const hash = createHash('sha256');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(1024 * 1024 - ((1024 * 1024) % lineBytes));
  let line = 0;
  try {
    for (let written = 0; written < bytes; ) {
      for (let o = 0; o < block.length; o += lineBytes) {
        const text = `${line++} `.padEnd(lineBytes - 1, 'abcdefghijklmnopqrstuvwxyz0123456789'[line % 36]);
        block.write(`${text}\n`, o, 'latin1');
      }
      const n = Math.min(block.length, bytes - written);
      writeSync(fd, block, 0, n);
      hash.update(block.subarray(0, n));
      written += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export function sha256File(file) {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * What the run recorded of its one block: the journaled output hash and byte count, and the sha256 of the
 * blob file the journal names (what an auditor's sha256sum says).
 */
export function recordedOutput(runDir) {
  const lines = readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const finished = lines.find((r) => r.type === 'step.finished');
  if (!finished) throw new Error(`${runDir}: no step.finished record`);
  const output = finished.data.output;
  if (!output.blob) throw new Error(`${runDir}: the output was not kept as a blob (${output.failure ?? 'no reason given'})`);
  return { sha256: output.sha256, bytes: output.bytes, blobSha256: sha256File(path.join(runDir, output.blob)), status: finished.data.outcome.status };
}

/**
 * The output benchmark of bench/local.mjs and bench/ssh.mjs: `runs` rounds, in rotating order, of
 *   - baseline(): the same command writing the output to a file (a measure() result);
 *   - oneStep(): a one-step `runbook run` (start-up, journal, seal): { ...measure(), journal };
 *   - whole(): the run of the big output: { ...measure(), journal }, whose record must hold exactly the
 *     `bytes` bytes of sha256 `sha256`;
 * each run directory removed once read. The ratio is (whole − one-step) / baseline, medians; CPU time
 * likewise when /usr/bin/time gave it.
 */
export function outputBench({ runs, mebibytes, lineBytes, bytes, sha256, baseline, oneStep, whole }) {
  const out = { baseline: [], one: [], whole: [], rss: [], checks: [], cpu: { baseline: [], one: [], whole: [] } };
  const steps = {
    baseline: () => {
      const m = baseline();
      out.baseline.push(m.ms);
      out.cpu.baseline.push(m.cpuMs);
    },
    one: () => {
      const m = oneStep();
      out.one.push(m.ms);
      out.cpu.one.push(m.cpuMs);
      rmSync(m.journal, { recursive: true, force: true });
    },
    whole: () => {
      const m = whole();
      out.whole.push(m.ms);
      out.cpu.whole.push(m.cpuMs);
      out.rss.push(m.rssKiB);
      const kept = recordedOutput(m.journal);
      out.checks.push(kept.status === 'succeeded' && kept.bytes === bytes && kept.sha256 === sha256 && kept.blobSha256 === sha256);
      rmSync(m.journal, { recursive: true, force: true });
    },
  };
  const order = Object.keys(steps);
  for (let r = 0; r < runs; r++) for (const name of rotated(order, r)) steps[name]();
  const wholeMs = median(out.whole);
  const oneStepMs = median(out.one);
  const baselineMs = median(out.baseline);
  return {
    runs,
    mebibytes,
    lineBytes,
    baselineMs,
    oneStepMs,
    wholeMs,
    ratio: (wholeMs - oneStepMs) / baselineMs,
    // Null without /usr/bin/time, or when the baseline's CPU time is below what it measures (10 ms).
    cpuRatio: out.cpu.whole.some((x) => x === null) || !median(out.cpu.baseline) ? null : (median(out.cpu.whole) - median(out.cpu.one)) / median(out.cpu.baseline),
    peakRssKiB: medianOrNull(out.rss),
    maxPeakRssKiB: out.rss.some((x) => x === null) ? null : Math.max(...out.rss),
    exactBytes: out.checks.every(Boolean),
  };
}

export const ms = (v) => `${v.toFixed(0)} ms`;
export const mib = (kib) => (kib === null ? 'n/a (no /usr/bin/time)' : `${(kib / 1024).toFixed(0)} MiB`);
export const verdict = (ok) => (ok ? 'within goal' : 'ABOVE GOAL');

/** A runbook of `count` steps, each one `lang` block of `code` with `attributes` (a target, say). */
export function manyStepsRunbook(file, count, lang, code, attributes = '') {
  const steps = Array.from({ length: count }, (_, i) => `- [ ] **Step ${i + 1}**\n  \`\`\`${lang}${attributes ? ` ${attributes}` : ''}\n  ${code}\n  \`\`\`\n`);
  writeFileSync(file, `# Bench\n\n${steps.join('')}`);
  return file;
}

/**
 * A run of many steps on one target against the same steps as separate commands, each a whole process
 * (`runbook run`, and a bash script running the commands one after another), `runs` of each in turn
 * after a warm-up of each. `run(i)` and `baseline()` return measure()'s result.
 */
export function manyStepsBench({ runs, run, baseline }) {
  // A warm-up of each (compile cache, page cache) when there are runs enough for it to matter.
  if (runs > 1) {
    run(-1);
    baseline();
  }
  const times = { run: [], baseline: [], cpuRun: [], cpuBaseline: [] };
  for (let i = 0; i < runs; i++) {
    for (const which of i % 2 === 0 ? ['run', 'baseline'] : ['baseline', 'run']) {
      const m = which === 'run' ? run(i) : baseline();
      times[which].push(m.ms);
      times[which === 'run' ? 'cpuRun' : 'cpuBaseline'].push(m.cpuMs);
    }
  }
  const runMs = median(times.run);
  const baselineMs = median(times.baseline);
  return { runs, runMs, baselineMs, ratio: runMs / baselineMs, cpuRunMs: medianOrNull(times.cpuRun), cpuBaselineMs: medianOrNull(times.cpuBaseline) };
}

/** A bash script that runs each argv in turn and stops at the first that fails (each argument quoted). */
export function commandsScript(file, argvs, quote) {
  writeFileSync(file, `set -e\n${argvs.map((argv) => argv.map(quote).join(' ')).join('\n')}\n`);
  return file;
}

/**
 * `runbook run` of `steps` steps (`lang` blocks of `code`) on the one target `target` ({name: config}),
 * whole processes in a temp directory, against a bash script running `command` (an argv) `steps` times:
 * manyStepsBench's result. `envOf`: the environment of both sides, made from the bench's (credentials, say).
 */
export function manyStepsOnTarget({ prefix, runs, steps, target, lang, code, command, envOf = (env) => env, quote }) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  try {
    const env = envOf(benchEnv(dir));
    mkdirSync(path.join(dir, 'runs'));
    const [name] = Object.keys(target);
    const targets = path.join(dir, 'targets.yaml');
    // JSON, which YAML reads as it is: paths and passwords are data, whatever characters they hold.
    writeFileSync(targets, `${JSON.stringify({ targets: target })}\n`);
    const runbook = manyStepsRunbook(path.join(dir, 'steps.md'), steps, lang, code, JSON.stringify({ target: name }));
    const script = commandsScript(path.join(dir, 'commands.sh'), Array.from({ length: steps }, () => command), quote);
    const rssFile = path.join(dir, 'rss');
    return manyStepsBench({
      runs,
      run: (i) => measure([process.execPath, CLI, 'run', runbook, '--targets', targets, '--yes', '--journal', path.join(dir, 'runs', `r${i + 1}`)], { env, cwd: dir, rssFile }),
      baseline: () => measure(['bash', script], { env, cwd: dir, rssFile }),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
