// Audit journal benchmarks, each a ratio against a baseline over the same bytes in the same process:
//   append: JournalWriter.append (canonical JSON, prev hash, MAC, write + fsync, MAC key update), one record
//           per flush and in groups ready together (together(): one fsync per group), each vs a bare
//           fs.writeSync + fs.fsyncSync loop writing the same lines, each flushed, to another file;
//   verify: verifyRun over a sealed journal (parse, canonical check, chain, MACs, Merkle root, signature)
//           vs `sha256sum` over the same journal file.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadInstallation } from '../dist/main/audit/installation.js';
import { JournalWriter } from '../dist/main/audit/journal-writer.js';
import { FileMacKeyStore } from '../dist/main/audit/key-store.js';
import { seal } from '../dist/main/audit/seal.js';
import { verifyRun } from '../dist/main/audit/verify.js';
import { MemoryKeys, benchRunStarted } from './support/large-run.mjs';

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const EMPTY = { bytes: 0, sha256: sha256('') };

/** A real step.finished's data (the journal format's): a few hundred bytes. */
const payload = (i) => ({
  step: { id: `section/step-${i}` },
  block: { id: `section/step-${i}#1` },
  started: null,
  outcome: { status: 'succeeded', exit_code: 0, signal: null, error: null, verdict: null, reasons: [], ok: true, refusal: null, result_sets: [], results_blob: null },
  target: { name: 'local', kind: 'local', endpoint: 'bench-host' },
  notes: [`note ${i}`],
  started_at: '2026-01-01T00:00:00.000Z',
  ended_at: '2026-01-01T00:00:00.012Z',
  duration_ms: 12,
  output: { blob: `blobs/${'a'.repeat(64)}`, bytes: 1234, sha256: 'b'.repeat(64), index_blob: null, stdout: EMPTY, stderr: EMPTY, info: EMPTY },
});

/** run.started's data for the verify journal, its runbook kept as a blob beside it (verify checks that). */
/** An operator's note: a record of about the same size. */
const note = (i) => ({ step: { id: `section/step-${i}` }, text: `note ${i}: ${'a journal record of a few hundred bytes, as a step.finished is. '.repeat(4)}`, by: 'bench' });

/** A decision and the steps it passes over: records a run has ready together (runs/run-controller.ts). */
const GROUP = 8;

/**
 * Appends `records` step.finished records to a new journal, `group` at a time (1: each append flushed on its
 * own; more: inside JournalWriter.together, one flush per group). Returns each record's share of the time.
 */
function appendRecords(runDir, runId, keyDir, records, group) {
  const { writer } = JournalWriter.create(runDir, runId, { keys: new FileMacKeyStore(keyDir) });
  const ms = [];
  const lines = [];
  for (let i = 0; i < records; i += group) {
    const n = Math.min(group, records - i);
    const t0 = performance.now();
    const add = () => {
      for (let j = 0; j < n; j++) lines.push(Buffer.from(`${writer.append('step.finished', payload(i + j)).line}\n`));
    };
    if (group === 1) add();
    else writer.together(add);
    const each = (performance.now() - t0) / n;
    for (let j = 0; j < n; j++) ms.push(each);
  }
  writer.close();
  return { ms, lines };
}

/** The baseline: each line written and fsync'd on its own. */
function bareLoop(file, lines) {
  const fd = openSync(file, 'w');
  const ms = [];
  for (const line of lines) {
    const t0 = performance.now();
    writeSync(fd, line);
    fsyncSync(fd);
    ms.push(performance.now() - t0);
  }
  closeSync(fd);
  return ms;
}

export async function journalBench(options = {}) {
  const records = options.records ?? 1000;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-journal-'));
  try {
    // Append: the real writer and key store, fsync and all; one record per flush, then records ready
    // together (a decision and the steps it passes over: GROUP records, one flush), each against a bare
    // write + fsync loop over the same lines, measured before and after them (the mean of the two).
    const single = appendRecords(path.join(dir, 'run-one'), 'bench-run-0001', path.join(dir, 'keys'), records, 1);
    const bareBefore = bareLoop(path.join(dir, 'bare-1.jsonl'), single.lines);
    const grouped = appendRecords(path.join(dir, 'run-group'), 'bench-run-0003', path.join(dir, 'keys'), records, GROUP);
    const bareAfter = bareLoop(path.join(dir, 'bare-2.jsonl'), single.lines);
    const bareMs = bareBefore.map((ms, i) => (ms + bareAfter[i]) / 2);

    // Verify: a large sealed journal, built without fsync, checked end to end.
    const big = options.verifyRecords ?? 50_000;
    const keys = new MemoryKeys();
    const noSync = { writeSync: (f, b, o, l) => writeSync(f, b, o, l), fsyncSync: () => undefined };
    const { writer: bigWriter, macKeyCommitment } = JournalWriter.create(path.join(dir, 'big'), 'bench-run-0002', { keys, io: noSync });
    const installation = await loadInstallation(path.join(dir, 'keys', 'installation_ed25519'));
    bigWriter.append('run.started', benchRunStarted(path.join(dir, 'big'), { path: 'bench.md', title: 'Journal bench', text: '# Journal bench\n' }, macKeyCommitment, installation));
    for (let i = 1; i < big; i++) bigWriter.append('step.note', note(i)); // no blobs to hash: the journal alone is measured
    bigWriter.append('run.finished', { ok: true, counts: {}, steps: [] });
    await seal(bigWriter, installation, { reason: 'run-end', retentionDays: null });
    bigWriter.close();
    const journalFile = path.join(dir, 'big', 'journal.jsonl');
    const bytes = statSync(journalFile).size;
    const verifyMs = [];
    const shaMs = [];
    const runs = options.runs ?? 5;
    for (let r = 0; r < runs; r++) {
      let t0 = performance.now();
      const result = await verifyRun(path.join(dir, 'big'), { keys, allowUnsealed: false });
      verifyMs.push(performance.now() - t0);
      if (!result.ok) throw new Error(`verify failed on the bench journal: ${JSON.stringify(result.failure)}`);
      t0 = performance.now();
      const sha = spawnSync('sha256sum', [journalFile], { stdio: 'ignore' });
      shaMs.push(performance.now() - t0);
      if (sha.status !== 0) throw new Error('sha256sum failed');
    }
    const mb = bytes / 1e6;
    const singleRatio = sum(single.ms) / sum(bareMs);
    const groupRatio = sum(grouped.ms) / sum(bareMs);
    return {
      name: 'journal',
      // The goal is a throughput, ≥ 0.8× the bare loop's: as a time, at most 1.25× its time.
      goals: [
        { what: 'journal: one record per flush', baseline: 'write + fsync loop', ratio: singleRatio, goal: '≤ 1.25× (≥ 0.8× its rate)', within: singleRatio <= 1.25 },
        { what: `journal: ${GROUP} records ready together`, baseline: 'write + fsync loop', ratio: groupRatio, goal: '≤ 1.25× (≥ 0.8× its rate)', within: groupRatio <= 1.25 },
      ],
      append: {
        records,
        group: GROUP,
        recordsPerSecond: records / (sum(single.ms) / 1000),
        p50: quantile(single.ms, 0.5),
        p99: quantile(single.ms, 0.99),
        groupedRecordsPerSecond: records / (sum(grouped.ms) / 1000),
        bareRecordsPerSecond: records / (sum(bareMs) / 1000),
        bareP99: quantile(bareMs, 0.99),
        ratio: singleRatio,
        groupRatio,
      },
      verify: {
        records: big + 2,
        megabytes: mb,
        medianMs: quantile(verifyMs, 0.5),
        sha256sumMs: quantile(shaMs, 0.5),
        mbPerSecond: mb / (quantile(verifyMs, 0.5) / 1000),
        sha256sumMbPerSecond: mb / (quantile(shaMs, 0.5) / 1000),
        ratio: quantile(verifyMs, 0.5) / quantile(shaMs, 0.5),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printJournal(r) {
  const a = r.append;
  console.log(`journal append: ${a.records} records, each durable before append() (or its group's together()) returns`);
  console.log(`  one record per flush      ${a.recordsPerSecond.toFixed(0)} records/s  p50 ${a.p50.toFixed(2)} ms  p99 ${a.p99.toFixed(2)} ms`);
  console.log(`  ${a.group} ready together        ${a.groupedRecordsPerSecond.toFixed(0)} records/s (one flush per group)`);
  console.log(`  writeSync + fsyncSync     ${a.bareRecordsPerSecond.toFixed(0)} records/s  p99 ${a.bareP99.toFixed(2)} ms (same bytes, each flushed)`);
  console.log(`  ratio: ${a.ratio.toFixed(2)}× the bare loop's time one at a time (a record's own work: canonical JSON, MAC, hashes), ${a.groupRatio.toFixed(2)}× in groups of ${a.group}`);
  const v = r.verify;
  console.log(`journal verify: ${v.records} records, ${v.megabytes.toFixed(1)} MB, sealed`);
  console.log(`  runbook verify            median ${v.medianMs.toFixed(0)} ms  (${v.mbPerSecond.toFixed(1)} MB/s)`);
  console.log(`  sha256sum                 median ${v.sha256sumMs.toFixed(0)} ms  (${v.sha256sumMbPerSecond.toFixed(0)} MB/s)`);
  console.log(`  ratio: ${v.ratio.toFixed(1)}× sha256sum's time`);
}
