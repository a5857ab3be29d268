// SSH benchmarks, each a ratio against a baseline measured in the same run:
//   step:   `true` through the ssh executor, every block over ONE reused connection, vs OpenSSH's
//           `ssh … root@127.0.0.1 true`, which opens a new connection each time (what a runbook that
//           shells out to ssh per step pays).
//   output: 200 MiB of 64-byte lines through an ssh step (`head -c BYTES FILE` on the host), as whole
//           `runbook run` processes with CLI stdout to /dev/null: the run minus a one-step ssh run (`true`,
//           which connects too), vs `ssh … head -c BYTES FILE > OUT` (OpenSSH, its connection included).
//           Goal: at most 2×, with the run's peak RSS; each run's record is checked to hold FILE's bytes.
//   steps:  `runbook run` of 20 `true` steps on one ssh target, the whole process (start-up, one connection
//           for all 20, journal, seal), against a script of 20 `ssh … true` (a new connection each). Goal:
//           at most 0.15×.
// All talk to the same throwaway sshd (bench/support/sshd.mjs, shared with the tests) on 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSshExecutor } from '../dist/main/targets/ssh/executor.js';
import { shellSingleQuote } from '../dist/shared/shell-quote.js';
import { CLI, benchEnv, manyStepsOnTarget, measure, median, mib, ms, oneStepRunbook, outputBench, verdict, writeLinesFile } from './support/processes.mjs';
import { sshdUnavailableReason, startSshd } from './support/sshd.mjs';

export const GOALS = { output: 2, manySteps: 0.15 };
const STEPS = 20;

const logins = (sshd) => sshd.log().match(/Accepted publickey for /g)?.length ?? 0;

/** OpenSSH's argv for `command` on the bench's sshd: key file only, no ~/.ssh/config. */
function opensshArgs(sshd, command) {
  return [
    '-F', '/dev/null', // the operator's ~/.ssh/config must not change what is measured
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${sshd.knownHosts}`,
    '-i', sshd.userKey.path,
    '-p', String(sshd.port),
    `${sshd.user}@127.0.0.1`,
    command,
  ];
}

/** The bench's sshd as an ssh target: its key file only (no agent), its known_hosts, no ssh config. */
function benchTarget(sshd) {
  return { kind: 'ssh', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: sshd.userKey.path, knownHosts: sshd.knownHosts, sshConfig: sshd.emptySshConfig, agent: false };
}

function withoutAgent(env) {
  const copy = { ...env };
  delete copy.SSH_AUTH_SOCK; // key file only, like the executor here
  return copy;
}

function opensshTrue(sshd) {
  const args = opensshArgs(sshd, 'true');
  const env = withoutAgent(process.env);
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ssh exited ${code}: ${stderr.trim()}`))));
  });
}

async function executorTrue(executor) {
  const result = await executor.start({ blockId: 'bench', action: 'shell', code: 'true', onOutput: () => {} }).result;
  if (result.status !== 'succeeded') throw new Error(`the ssh executor failed: ${result.error}`);
}

export async function sshBench(options = {}) {
  const reason = sshdUnavailableReason();
  if (reason) return { name: 'ssh', skipped: true, reason };
  const runs = options.runs ?? 21;
  const warmup = 3;
  const sshd = await startSshd({ agent: false });
  const ctx = { baseDir: sshd.dir, env: {}, ask: async () => null, confirm: async () => false };
  const executor = createSshExecutor(
    'bench',
    benchTarget(sshd),
    ctx,
    { homeDir: path.join(sshd.dir, 'no-home') },
  );
  try {
    const loginsBefore = logins(sshd);
    // The first block opens the connection (TCP, key exchange, host key check, authentication).
    const t0 = performance.now();
    await executorTrue(executor);
    const firstBlockMs = performance.now() - t0;
    for (let i = 0; i < warmup; i++) {
      await executorTrue(executor);
      await opensshTrue(sshd);
    }
    const step = [];
    const openssh = [];
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? ['step', 'ssh'] : ['ssh', 'step'];
      for (const which of order) {
        const t = performance.now();
        if (which === 'step') await executorTrue(executor);
        else await opensshTrue(sshd);
        (which === 'step' ? step : openssh).push(performance.now() - t);
      }
    }
    // Every OpenSSH run logs in once; whatever is left over are the executor's connections.
    const executorConnections = logins(sshd) - loginsBefore - (warmup + runs);
    await executor.close();
    const output = sshOutputBench(sshd, options);
    const many = manySshSteps(sshd, options.manyRuns ?? Math.max(3, Math.min(runs, 5)));
    const peak = output.peakRssKiB;
    return {
      name: 'ssh',
      many,
      goals: [
        { what: `ssh: ${STEPS} steps, one host`, baseline: `${STEPS} × ssh host true`, ratio: many.ratio, goal: `≤ ${GOALS.manySteps}×`, within: many.ratio <= GOALS.manySteps },
        { what: `ssh: ${output.mebibytes} MiB of output`, baseline: 'ssh host command > file', ratio: output.ratio, goal: `≤ ${GOALS.output}×`, within: output.ratio <= GOALS.output, peakRssMiB: peak === null ? null : peak / 1024, rssGoal: null, rssWithin: null },
      ],
      runs,
      warmup,
      firstBlockMs,
      executorConnections,
      step: { median: median(step), baseline: median(openssh), ratio: median(step) / median(openssh) },
      output,
    };
  } finally {
    await executor.close();
    await sshd.stop();
  }
}

/** `runbook run` of STEPS `true` steps on one ssh target, whole processes, against a script of STEPS `ssh … true`. */
function manySshSteps(sshd, runs) {
  // Key file only on both sides: no agent.
  return manyStepsOnTarget({ prefix: 'bench-ssh-steps-', runs, steps: STEPS, target: { host: benchTarget(sshd) }, lang: 'bash', code: 'true', command: ['ssh', ...opensshArgs(sshd, 'true')], envOf: withoutAgent, quote: shellSingleQuote });
}

/** 200 MiB through an ssh step, whole `runbook run` processes, against OpenSSH writing the same to a file. */
function sshOutputBench(sshd, options) {
  const outputRuns = options.outputRuns ?? 3;
  const outputMiB = options.outputMiB ?? Number(process.env.BENCH_OUTPUT_MIB ?? 200);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-ssh-'));
  const devNull = openSync('/dev/null', 'w');
  try {
    const env = withoutAgent(benchEnv(dir));
    mkdirSync(path.join(dir, 'runs'));
    const targets = path.join(dir, 'targets.yaml');
    // JSON, which YAML reads as it is: the paths are data, whatever characters they hold.
    writeFileSync(targets, `${JSON.stringify({ targets: { host: benchTarget(sshd) } })}\n`);
    const big = path.join(dir, 'lines.txt');
    const bytes = outputMiB * 1024 * 1024;
    const sha256 = writeLinesFile(big, bytes, 64);
    const oneStep = oneStepRunbook(path.join(dir, 'one.md'), 'true', '{"target":"host"}');
    const command = `head -c ${bytes} ${shellSingleQuote(big)}`;
    const bigRunbook = oneStepRunbook(path.join(dir, 'big.md'), command, '{"target":"host"}');
    const copy = path.join(dir, 'copy.out');
    const rss = (name) => path.join(dir, `rss-${name}`);
    let n = 0;
    const run = (runbook, name) => {
      const journal = path.join(dir, 'runs', `r${n++}`);
      return { ...measure([process.execPath, CLI, 'run', runbook, '--targets', targets, '--yes', '--journal', journal], { env, cwd: dir, stdout: devNull, rssFile: rss(name) }), journal };
    };
    // A warm-up (the first CLI run fills the compile cache).
    rmSync(run(oneStep, 'one').journal, { recursive: true, force: true });
    const output = outputBench({
      runs: outputRuns,
      mebibytes: outputMiB,
      lineBytes: 64,
      bytes,
      sha256,
      baseline: () => {
        const fd = openSync(copy, 'w');
        try {
          return measure(['ssh', ...opensshArgs(sshd, command)], { env, cwd: dir, stdout: fd, rssFile: rss('ssh') });
        } finally {
          closeSync(fd);
          rmSync(copy);
        }
      },
      oneStep: () => run(oneStep, 'one'),
      whole: () => run(bigRunbook, 'big'),
    });
    // cpuRatio: the client's CPU time, ssh or runbook (sshd's work on the host is in neither).
    return { ...output, goal: GOALS.output };
  } finally {
    closeSync(devNull);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printSsh(r) {
  if (r.skipped) {
    console.log(`ssh: skipped: ${r.reason}`);
    return;
  }
  console.log(`ssh: ${r.runs} runs each after ${r.warmup} warm-up runs, order alternated, sshd on 127.0.0.1`);
  console.log(`  first block (opens the connection)               ${r.firstBlockMs.toFixed(1)} ms`);
  console.log(`  step \`true\` via ssh executor (reused connection)  median ${r.step.median.toFixed(1)} ms`);
  console.log(`  ssh … true (OpenSSH, new connection each time)   median ${r.step.baseline.toFixed(1)} ms`);
  console.log(`  ratio: ${r.step.ratio.toFixed(2)}× OpenSSH's time; the executor used ${r.executorConnections} connection${r.executorConnections === 1 ? '' : 's'} for ${r.runs + r.warmup + 1} blocks`);
  const m = r.many;
  console.log(`ssh (${STEPS} steps, whole processes, ${m.runs} runs each, order alternated):`);
  console.log(`  runbook run, ${STEPS} \`true\` steps on one host   median ${m.runMs.toFixed(0)} ms`);
  console.log(`  bash: ${STEPS} × ssh … true                   median ${m.baselineMs.toFixed(0)} ms`);
  console.log(`  ratio: ${m.ratio.toFixed(2)}× (goal: at most ${GOALS.manySteps}×) ${verdict(m.ratio <= GOALS.manySteps)}`);
  const o = r.output;
  console.log(`ssh (output): ${o.mebibytes} MiB of ${o.lineBytes}-byte lines through an ssh step (head -c BYTES FILE), CLI stdout to /dev/null, ${o.runs} runs each, order rotated`);
  console.log(`  ssh … head -c BYTES FILE > OUT median ${ms(o.baselineMs)}; one-step ssh run (true) ${ms(o.oneStepMs)}; the ${o.mebibytes} MiB run ${ms(o.wholeMs)}`);
  console.log(`    (run − one-step run) / ssh: ${o.ratio.toFixed(2)}× (goal: at most ${o.goal}×) ${verdict(o.ratio <= o.goal)}; client CPU time ${o.cpuRatio === null ? 'n/a' : `${o.cpuRatio.toFixed(1)}×`}`);
  console.log(`    peak RSS of the run: ${mib(o.peakRssKiB)} median, ${mib(o.maxPeakRssKiB)} max`);
  console.log(`    exact bytes kept: ${o.exactBytes ? 'yes' : 'NO'} (the blob the journal names hashes to the journaled sha256, which is FILE's)`);
}
