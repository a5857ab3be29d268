// `runbook verify` as an operator runs it, against `sha256sum` and the bundle's `verify.py` over the same
// journal, each tool a process of its own, timed end to end in this one run (issue 11: linear and bounded).
//
// The run: 200,000 records of about 1 KB (step.started / step.finished pairs), a checkpoint every 256
// records as RunJournal seals, run.finished and the final seal, written by the real JournalWriter, MAC
// chain and SSHSIG signer (bench/support/large-run.mjs), with mac-key.txt beside it so both verifiers
// check every MAC. Peak RSS comes from /usr/bin/time when it is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { formatCheckpoint } from '../dist/main/audit/checkpoint.js';
import { loadInstallation } from '../dist/main/audit/installation.js';
import { fingerprint, parsePublicKeyLine } from '../dist/main/audit/ssh-keys.js';
import { JournalWriter } from '../dist/main/audit/journal-writer.js';
import { MerkleTree } from '../dist/main/audit/merkle.js';
import { CHECKPOINT_NAMESPACE, checkpointOrigin } from '../dist/main/audit/seal.js';
import { signSshsig } from '../dist/main/audit/sshsig.js';
import { writeLargeRun } from './support/large-run.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(REPO, 'dist/bin/runbook.js');
const VERIFY_PY = path.join(REPO, 'dist/main/audit/bundle/verify.py');
const TIME = '/usr/bin/time';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function python() {
  return spawnSync('python3', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** Runs a command to completion: wall time, and peak RSS (KiB) when /usr/bin/time can report it. */
function measure(argv, env, rssFile) {
  const withTime = existsSync(TIME);
  const command = withTime ? [TIME, '-f', '%M', '-o', rssFile, ...argv] : argv;
  const t0 = performance.now();
  const res = spawnSync(command[0], command.slice(1), { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`${argv.join(' ')} exited ${res.status}: ${(res.stdout + res.stderr).slice(-2000)}`);
  const rssKiB = withTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : null;
  return { ms, rssKiB, stdout: res.stdout };
}

export async function verifyBench(options = {}) {
  const records = options.records ?? Number(process.env.BENCH_VERIFY_RECORDS ?? 200_000);
  const runs = options.runs ?? 3;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-verify-'));
  try {
    const lib = { JournalWriter, MerkleTree, formatCheckpoint, checkpointOrigin, CHECKPOINT_NAMESPACE, signSshsig, loadInstallation };
    const t0 = performance.now();
    const run = await writeLargeRun(lib, path.join(dir, 'run'), { records, sealEvery: 256, recordBytes: 1024, keyDir: path.join(dir, 'keys'), macKeyFile: true });
    const buildMs = performance.now() - t0;
    const journal = path.join(run.dir, 'journal.jsonl');
    const bytes = statSync(journal).size;
    // The verification is recorded in the run's access log, under MAC keys kept in this temp directory.
    const env = { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(dir, 'keys') };
    // The installation key is pinned, as an auditor anchors it: without an anchor both exit 3 (unanchored).
    const installation = await loadInstallation(path.join(dir, 'keys', 'installation_ed25519'));
    const pin = fingerprint(parsePublicKeyLine(installation.key.publicKeyLine).blob);
    const tools = {
      runbook: [process.execPath, CLI, 'verify', run.dir, '--pin', pin],
      sha256sum: ['sha256sum', journal],
      ...(python() ? { verifyPy: ['python3', VERIFY_PY, run.dir, '--pin', pin] } : {}),
    };
    const times = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
    const rss = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
    const names = Object.keys(tools);
    for (let r = 0; r < runs; r++) {
      // Rotate the order so no tool always runs with the page cache or the CPU in the same state.
      for (const name of [...names.slice(r % names.length), ...names.slice(0, r % names.length)]) {
        const m = measure(tools[name], env, path.join(dir, `rss-${name}`));
        if (name === 'runbook' && !m.stdout.startsWith('OK: ')) throw new Error(`runbook verify did not pass the bench journal: ${m.stdout}`);
        if (name === 'verifyPy' && !m.stdout.trimEnd().split('\n').at(-1)?.startsWith('OK: ')) throw new Error(`verify.py did not pass the bench journal: ${m.stdout}`);
        times[name].push(m.ms);
        rss[name].push(m.rssKiB);
      }
    }
    const tool = (name) =>
      times[name]
        ? { medianMs: median(times[name]), minMs: Math.min(...times[name]), peakRssMiB: rss[name][0] === null ? null : Math.max(...rss[name]) / 1024, ratio: median(times[name]) / median(times.sha256sum) }
        : null;
    return {
      name: 'verify',
      goals: [{ what: `verify: ${run.records} records`, baseline: 'sha256sum', ratio: tool('runbook').ratio, goal: '≤ 10×', within: tool('runbook').ratio <= 10, peakRssMiB: tool('runbook').peakRssMiB }],
      records: run.records,
      checkpoints: run.checkpoints,
      megabytes: bytes / 1e6,
      buildMs,
      runs,
      runbook: tool('runbook'),
      sha256sum: tool('sha256sum'),
      verifyPy: tool('verifyPy'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printVerify(r) {
  const line = (label, t) => {
    if (!t) return console.log(`  ${label.padEnd(18)} skipped (python3 is not on PATH)`);
    const rss = t.peakRssMiB === null ? 'peak RSS n/a' : `peak RSS ${t.peakRssMiB.toFixed(0)} MB`;
    console.log(`  ${label.padEnd(18)} median ${(t.medianMs / 1000).toFixed(2)} s  (min ${(t.minMs / 1000).toFixed(2)} s)  ${rss}  ${t.ratio.toFixed(1)}× sha256sum`);
  };
  console.log(`verify: ${r.records} records, ${r.megabytes.toFixed(0)} MB, ${r.checkpoints} checkpoints, sealed (built in ${(r.buildMs / 1000).toFixed(1)} s); ${r.runs} runs of each, whole processes`);
  line('runbook verify', r.runbook);
  line('sha256sum', r.sha256sum);
  line('python3 verify.py', r.verifyPy);
  console.log(`  ratio: runbook verify ${r.runbook.ratio.toFixed(1)}× sha256sum's time (goal: at most 10×)${r.verifyPy ? `, verify.py ${r.verifyPy.ratio.toFixed(1)}×` : ''}`);
}
