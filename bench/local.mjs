// Local benchmarks: whole `runbook` processes as an operator starts them, each a ratio against a baseline
// measured in the same run, in rotating order, with the goal beside it (issue 14). Nothing here passes or
// fails on a time.
//
//   start-up: `runbook run` of a one-step local runbook, and `runbook parse` of a small runbook, against
//             `node -e 0` (the same node binary). Goals: at most 5× and 4×.
//   output:   200 MiB of 64-byte lines through a local step (`head -c BYTES FILE`), CLI stdout to /dev/null:
//             the whole run minus a one-step run, against the same command writing to a file in the same
//             directory (same disk). Goal: at most 2×, peak RSS of the run under 150 MiB. Each run's record
//             is checked: the blob the journal names has the sha256 the journal says, which is FILE's.
//             Not `cat`: GNU cat copies file to file with copy_file_range, inside the kernel, which no
//             program reading a pipe can match; head reads and writes as it would into a pipe.
//
// The CLI keeps V8's compile cache (src/cli/index.ts); here it lives in the benchmark's temp directory, so
// the first run of each command starts cold: that run is reported on its own, the medians are warm
// (BENCH_NO_COMPILE_CACHE=1 turns the cache off for every run).
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, REPO, measure, median, medianOrNull, oneStepRunbook, recordedOutput, writeLinesFile } from './support/processes.mjs';

export const GOALS = { run: 5, parse: 4, output: 2, outputRssMiB: 150 };

export async function localBench(options = {}) {
  const runs = options.runs ?? 11;
  const outputRuns = options.outputRuns ?? 3;
  const outputMiB = options.outputMiB ?? Number(process.env.BENCH_OUTPUT_MIB ?? 200);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-local-'));
  const devNull = openSync('/dev/null', 'w');
  try {
    const env = {
      ...process.env,
      // Keys and runs in the temp directory, never the operator's.
      RUNBOOK_CONSOLE_KEY_DIR: path.join(dir, 'keys'),
      RUNBOOK_CONSOLE_RUNS_DIR: path.join(dir, 'runs'),
      NODE_COMPILE_CACHE: path.join(dir, 'compile-cache'),
    };
    delete env.NODE_DISABLE_COMPILE_CACHE;
    // BENCH_NO_COMPILE_CACHE=1: every run starts cold, as without the cache.
    if (process.env.BENCH_NO_COMPILE_CACHE === '1') {
      delete env.NODE_COMPILE_CACHE;
      env.NODE_DISABLE_COMPILE_CACHE = '1';
    }
    mkdirSync(path.join(dir, 'runs'));
    const node = process.execPath;
    const oneStep = oneStepRunbook(path.join(dir, 'one.md'), 'echo hello');
    const small = path.join(REPO, 'runbooks/local-health-check.md');
    let n = 0;
    const runDir = () => path.join(dir, 'runs', `r${n++}`);
    const rss = (name) => path.join(dir, `rss-${name}`);
    const commands = {
      node: () => [node, '-e', '0'],
      run: () => [node, CLI, 'run', oneStep, '--yes', '--journal', runDir()],
      parse: () => [node, CLI, 'parse', small],
    };
    const names = Object.keys(commands);
    const times = Object.fromEntries(names.map((k) => [k, []]));
    const cpus = Object.fromEntries(names.map((k) => [k, []]));
    const peaks = Object.fromEntries(names.map((k) => [k, []]));
    const cold = {};
    // The first of each fills the compile cache (reported as cold), the second is a warm-up.
    for (let i = 0; i < 2; i++) {
      for (const name of names) {
        const m = measure(commands[name](), { env, cwd: dir, stdout: devNull, rssFile: rss(name) });
        if (i === 0) cold[name] = m.ms;
      }
    }
    for (let r = 0; r < runs; r++) {
      for (const name of [...names.slice(r % names.length), ...names.slice(0, r % names.length)]) {
        const m = measure(commands[name](), { env, cwd: dir, stdout: devNull, rssFile: rss(name) });
        times[name].push(m.ms);
        cpus[name].push(m.cpuMs);
        peaks[name].push(m.rssKiB);
      }
    }
    const stat = (name) => ({ median: median(times[name]), min: Math.min(...times[name]), max: Math.max(...times[name]), cpuMs: medianOrNull(cpus[name]), peakRssKiB: medianOrNull(peaks[name]), cold: cold[name] });
    const base = stat('node');
    const cpuRatio = (x) => (x.cpuMs === null || !base.cpuMs ? null : x.cpuMs / base.cpuMs);
    const ratios = (name, goal) => {
      const x = stat(name);
      return { ...x, ratio: x.median / base.median, cpuRatio: cpuRatio(x), goal, coldRatio: cold[name] / cold.node };
    };
    const startup = { runs, node: process.version, baseline: base, run: ratios('run', GOALS.run), parse: ratios('parse', GOALS.parse) };
    rmSync(path.join(dir, 'runs'), { recursive: true, force: true });
    mkdirSync(path.join(dir, 'runs'));

    // Output: the file, the baseline copy and every run's record are in this one directory (one disk).
    const big = path.join(dir, 'lines.txt');
    const bytes = outputMiB * 1024 * 1024;
    const sha256 = writeLinesFile(big, bytes, 64);
    const command = `head -c ${bytes} '${big}'`;
    const bigRunbook = oneStepRunbook(path.join(dir, 'big.md'), command);
    const copy = path.join(dir, 'copy.out');
    const out = { baseline: [], one: [], whole: [], rss: [], checks: [], cpu: { baseline: [], one: [], whole: [] } };
    const steps = {
      baseline: () => {
        const m = measure(['bash', '-c', `${command} > '${copy}'`], { env, cwd: dir, rssFile: rss('baseline') });
        rmSync(copy);
        out.baseline.push(m.ms);
        out.cpu.baseline.push(m.cpuMs);
      },
      one: () => {
        const journal = runDir();
        const m = measure([node, CLI, 'run', oneStep, '--yes', '--journal', journal], { env, cwd: dir, stdout: devNull, rssFile: rss('one') });
        out.one.push(m.ms);
        out.cpu.one.push(m.cpuMs);
        rmSync(journal, { recursive: true, force: true });
      },
      whole: () => {
        const journal = runDir();
        const m = measure([node, CLI, 'run', bigRunbook, '--yes', '--journal', journal], { env, cwd: dir, stdout: devNull, rssFile: rss('big') });
        out.whole.push(m.ms);
        out.cpu.whole.push(m.cpuMs);
        out.rss.push(m.rssKiB);
        const kept = recordedOutput(journal);
        out.checks.push(kept.status === 'succeeded' && kept.bytes === bytes && kept.sha256 === sha256 && kept.blobSha256 === sha256);
        rmSync(journal, { recursive: true, force: true });
      },
    };
    const order = Object.keys(steps);
    for (let r = 0; r < outputRuns; r++) for (const name of [...order.slice(r % order.length), ...order.slice(0, r % order.length)]) steps[name]();
    const wholeMs = median(out.whole);
    const oneMs = median(out.one);
    const baselineMs = median(out.baseline);
    const peak = medianOrNull(out.rss);
    const ratio = (wholeMs - oneMs) / baselineMs;
    return {
      name: 'local',
      // Each goal as run.mjs's summary table prints it.
      goals: [
        { what: 'local: runbook run, one step', baseline: 'node -e 0', ratio: startup.run.ratio, goal: `≤ ${GOALS.run}×`, within: startup.run.ratio <= GOALS.run },
        { what: 'local: runbook parse, small file', baseline: 'node -e 0', ratio: startup.parse.ratio, goal: `≤ ${GOALS.parse}×`, within: startup.parse.ratio <= GOALS.parse },
        { what: `local: ${outputMiB} MiB of output`, baseline: 'command > file', ratio, goal: `≤ ${GOALS.output}×`, within: ratio <= GOALS.output, peakRssMiB: peak === null ? null : peak / 1024, rssGoal: `< ${GOALS.outputRssMiB} MiB`, rssWithin: peak === null ? null : peak / 1024 < GOALS.outputRssMiB },
      ],
      startup,
      output: {
        runs: outputRuns,
        mebibytes: outputMiB,
        lineBytes: 64,
        baselineMs,
        oneStepMs: oneMs,
        wholeMs,
        ratio: (wholeMs - oneMs) / baselineMs,
        cpuRatio: out.cpu.whole.some((x) => x === null) ? null : (median(out.cpu.whole) - median(out.cpu.one)) / median(out.cpu.baseline),
        goal: GOALS.output,
        peakRssKiB: medianOrNull(out.rss),
        maxPeakRssKiB: out.rss.some((x) => x === null) ? null : Math.max(...out.rss),
        rssGoalMiB: GOALS.outputRssMiB,
        exactBytes: out.checks.every(Boolean),
      },
    };
  } finally {
    closeSync(devNull);
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (v) => `${v.toFixed(0)} ms`;
const mib = (kib) => (kib === null ? 'n/a (no /usr/bin/time)' : `${(kib / 1024).toFixed(0)} MiB`);
const verdict = (ok) => (ok ? 'within goal' : 'ABOVE GOAL');
const cpu = (ratio) => (ratio === null ? 'n/a' : `${ratio.toFixed(1)}×`);

export function printLocal(r) {
  const s = r.startup;
  console.log(`local (start-up): whole processes, ${s.runs} runs each after a cold and a warm-up run, order rotated, node ${s.node}`);
  console.log(`  node -e 0                          median ${ms(s.baseline.median)} (min ${ms(s.baseline.min)}, max ${ms(s.baseline.max)}), peak RSS ${mib(s.baseline.peakRssKiB)}`);
  for (const [label, x] of [['runbook run (one local step)      ', s.run], ['runbook parse (small runbook)     ', s.parse]]) {
    console.log(`  ${label} median ${ms(x.median)} (min ${ms(x.min)}, max ${ms(x.max)}), peak RSS ${mib(x.peakRssKiB)}`);
    console.log(`    ${x.ratio.toFixed(1)}× node -e 0 (goal: at most ${x.goal}×) ${verdict(x.ratio <= x.goal)}; CPU time ${x.cpuMs === null ? 'n/a' : ms(x.cpuMs)} (node -e 0: ${s.baseline.cpuMs === null ? 'n/a' : ms(s.baseline.cpuMs)}); first run, compile cache cold: ${ms(x.cold)}, ${x.coldRatio.toFixed(1)}×`);
  }
  const o = r.output;
  console.log(`local (output): ${o.mebibytes} MiB of ${o.lineBytes}-byte lines through a local step (head -c BYTES FILE), CLI stdout to /dev/null, ${o.runs} runs each, order rotated`);
  console.log(`  the same command > OUT (same disk) median ${ms(o.baselineMs)}; one-step run ${ms(o.oneStepMs)}; the ${o.mebibytes} MiB run ${ms(o.wholeMs)}`);
  console.log(`    (run − one-step run) / (command > OUT): ${o.ratio.toFixed(2)}× (goal: at most ${o.goal}×) ${verdict(o.ratio <= o.goal)}; CPU time ${cpu(o.cpuRatio)}`);
  const peakOk = o.maxPeakRssKiB === null ? true : o.maxPeakRssKiB / 1024 < o.rssGoalMiB;
  console.log(`    peak RSS of the run: ${mib(o.peakRssKiB)} median, ${mib(o.maxPeakRssKiB)} max (goal: under ${o.rssGoalMiB} MiB) ${o.maxPeakRssKiB === null ? '' : verdict(peakOk)}`);
  console.log(`    exact bytes kept: ${o.exactBytes ? 'yes' : 'NO'} (the blob the journal names hashes to the journaled sha256, which is FILE's)`);
}
