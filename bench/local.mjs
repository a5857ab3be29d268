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
//   per step: `runbook run` of 21 `true` steps minus a one-step run, per step, against what a step cannot
//             do without — `bash -c true` and two small writes, each fsync'd (its start record and its end
//             record, each durable) — timed in this process. Goal: at most 3×.
//
// The CLI keeps V8's compile cache (src/cli/index.ts); here it lives in the benchmark's temp directory, so
// the first run of each command starts cold: that run is reported on its own, the medians are warm
// (BENCH_NO_COMPILE_CACHE=1 turns the cache off for every run).
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { shellSingleQuote } from '../dist/shared/shell-quote.js';
import { CLI, REPO, benchEnv, manyStepsRunbook, measure, median, medianOrNull, mib, ms, oneStepRunbook, outputBench, rotated, verdict, writeLinesFile } from './support/processes.mjs';

export const GOALS = { run: 5, parse: 4, output: 2, outputRssMiB: 150, perStep: 3 };
const PER_STEP_STEPS = 21;

/** One step's floor: `bash -c true` and two small writes, each fsync'd, in `dir`; median of `runs`, in ms. */
function stepFloorMs(dir, runs) {
  const file = path.join(dir, 'floor.log');
  const fd = openSync(file, 'a');
  const record = Buffer.alloc(200, 120);
  const times = [];
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      spawnSync('bash', ['-c', 'true'], { stdio: 'ignore' });
      for (let w = 0; w < 2; w++) {
        writeSync(fd, record);
        fsyncSync(fd);
      }
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return median(times);
}

export async function localBench(options = {}) {
  const runs = options.runs ?? 11;
  const outputRuns = options.outputRuns ?? 3;
  const outputMiB = options.outputMiB ?? Number(process.env.BENCH_OUTPUT_MIB ?? 200);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-local-'));
  const devNull = openSync('/dev/null', 'w');
  try {
    const env = benchEnv(dir);
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
      for (const name of rotated(names, r)) {
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

    // Per step: many `true` steps minus one, against the floor a step needs.
    const manyRunbook = manyStepsRunbook(path.join(dir, 'many.md'), PER_STEP_STEPS, 'bash', 'true');
    const manyTimes = [];
    const oneTimes = [];
    for (let r = 0; r < Math.max(3, Math.ceil(runs / 2)); r++) {
      manyTimes.push(measure([node, CLI, 'run', manyRunbook, '--yes', '--journal', runDir()], { env, cwd: dir, stdout: devNull }).ms);
      oneTimes.push(measure([node, CLI, 'run', oneStep, '--yes', '--journal', runDir()], { env, cwd: dir, stdout: devNull }).ms);
    }
    const stepMs = (median(manyTimes) - median(oneTimes)) / (PER_STEP_STEPS - 1);
    const floorMs = stepFloorMs(dir, 41);
    const perStep = { steps: PER_STEP_STEPS, manyMs: median(manyTimes), oneMs: median(oneTimes), stepMs, floorMs, ratio: stepMs / floorMs, goal: GOALS.perStep };
    rmSync(path.join(dir, 'runs'), { recursive: true, force: true });
    mkdirSync(path.join(dir, 'runs'));

    // Output: the file, the baseline copy and every run's record are in this one directory (one disk).
    const big = path.join(dir, 'lines.txt');
    const bytes = outputMiB * 1024 * 1024;
    const sha256 = writeLinesFile(big, bytes, 64);
    const bigRunbook = oneStepRunbook(path.join(dir, 'big.md'), `head -c ${bytes} ${shellSingleQuote(big)}`);
    const copy = path.join(dir, 'copy.out');
    const run = (runbook, name) => {
      const journal = runDir();
      return { ...measure([node, CLI, 'run', runbook, '--yes', '--journal', journal], { env, cwd: dir, stdout: devNull, rssFile: rss(name) }), journal };
    };
    const output = outputBench({
      runs: outputRuns,
      mebibytes: outputMiB,
      lineBytes: 64,
      bytes,
      sha256,
      // head itself writing to the file (no shell: the file is opened here, as the shell's > would).
      baseline: () => {
        const fd = openSync(copy, 'w');
        try {
          return measure(['head', '-c', String(bytes), big], { env, cwd: dir, stdout: fd, rssFile: rss('baseline') });
        } finally {
          closeSync(fd);
          rmSync(copy);
        }
      },
      oneStep: () => run(oneStep, 'one'),
      whole: () => run(bigRunbook, 'big'),
    });
    const peak = output.peakRssKiB;
    const ratio = output.ratio;
    return {
      name: 'local',
      // Each goal as run.mjs's summary table prints it.
      goals: [
        { what: 'local: runbook run, one step', baseline: 'node -e 0', ratio: startup.run.ratio, goal: `≤ ${GOALS.run}×`, within: startup.run.ratio <= GOALS.run },
        { what: 'local: runbook parse, small file', baseline: 'node -e 0', ratio: startup.parse.ratio, goal: `≤ ${GOALS.parse}×`, within: startup.parse.ratio <= GOALS.parse },
        { what: 'local: cost of a step', baseline: 'bash -c true + 2 fsyncs', ratio: perStep.ratio, goal: `≤ ${GOALS.perStep}×`, within: perStep.ratio <= GOALS.perStep },
        { what: `local: ${outputMiB} MiB of output`, baseline: 'command > file', ratio, goal: `≤ ${GOALS.output}×`, within: ratio <= GOALS.output, peakRssMiB: peak === null ? null : peak / 1024, rssGoal: `< ${GOALS.outputRssMiB} MiB`, rssWithin: peak === null ? null : peak / 1024 < GOALS.outputRssMiB },
      ],
      startup,
      perStep,
      output: { ...output, goal: GOALS.output, rssGoalMiB: GOALS.outputRssMiB },
    };
  } finally {
    closeSync(devNull);
    rmSync(dir, { recursive: true, force: true });
  }
}

const cpu = (ratio) => (ratio === null ? 'n/a' : `${ratio.toFixed(1)}×`);

export function printLocal(r) {
  const s = r.startup;
  console.log(`local (start-up): whole processes, ${s.runs} runs each after a cold and a warm-up run, order rotated, node ${s.node}`);
  console.log(`  node -e 0                          median ${ms(s.baseline.median)} (min ${ms(s.baseline.min)}, max ${ms(s.baseline.max)}), peak RSS ${mib(s.baseline.peakRssKiB)}`);
  for (const [label, x] of [['runbook run (one local step)      ', s.run], ['runbook parse (small runbook)     ', s.parse]]) {
    console.log(`  ${label} median ${ms(x.median)} (min ${ms(x.min)}, max ${ms(x.max)}), peak RSS ${mib(x.peakRssKiB)}`);
    console.log(`    ${x.ratio.toFixed(1)}× node -e 0 (goal: at most ${x.goal}×) ${verdict(x.ratio <= x.goal)}; CPU time ${x.cpuMs === null ? 'n/a' : ms(x.cpuMs)} (node -e 0: ${s.baseline.cpuMs === null ? 'n/a' : ms(s.baseline.cpuMs)}); first run, compile cache cold: ${ms(x.cold)}, ${x.coldRatio.toFixed(1)}×`);
  }
  const p = r.perStep;
  console.log(`local (per step): ${p.steps} \`true\` steps median ${ms(p.manyMs)}, one step ${ms(p.oneMs)}: ${p.stepMs.toFixed(1)} ms a step`);
  console.log(`  bash -c true + two 200-byte writes, each fsync'd: ${p.floorMs.toFixed(1)} ms`);
  console.log(`    ${p.ratio.toFixed(1)}× (goal: at most ${p.goal}×) ${verdict(p.ratio <= p.goal)}`);
  const o = r.output;
  console.log(`local (output): ${o.mebibytes} MiB of ${o.lineBytes}-byte lines through a local step (head -c BYTES FILE), CLI stdout to /dev/null, ${o.runs} runs each, order rotated`);
  console.log(`  the same command > OUT (same disk) median ${ms(o.baselineMs)}; one-step run ${ms(o.oneStepMs)}; the ${o.mebibytes} MiB run ${ms(o.wholeMs)}`);
  console.log(`    (run − one-step run) / (command > OUT): ${o.ratio.toFixed(2)}× (goal: at most ${o.goal}×) ${verdict(o.ratio <= o.goal)}; CPU time ${cpu(o.cpuRatio)}`);
  const peakOk = o.maxPeakRssKiB === null ? true : o.maxPeakRssKiB / 1024 < o.rssGoalMiB;
  console.log(`    peak RSS of the run: ${mib(o.peakRssKiB)} median, ${mib(o.maxPeakRssKiB)} max (goal: under ${o.rssGoalMiB} MiB) ${o.maxPeakRssKiB === null ? '' : verdict(peakOk)}`);
  console.log(`    exact bytes kept: ${o.exactBytes ? 'yes' : 'NO'} (the blob the journal names hashes to the journaled sha256, which is FILE's)`);
}
