// Past runs of the runs directory, read without writing anything: each run's state (from its journal's first
// and last records, its lock and its access log), a block's recorded output, and an exported bundle's report.
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { OpenedBundle, PastRun } from '../../shared/history-api.js';
import { describeHolder, inspectRunLock } from '../audit/run-lock.js';
import { ACCESS_FILE, JOURNAL_FILE } from '../audit/record.js';
import { ENDING_SEALS } from '../audit/seal.js';
import { type RecordData, recordDataOrNull } from '../audit/records/index.js';

export class HistoryError extends Error {}

interface Line {
  type: string;
  time: string;
  run: string;
  data: Record<string, any>;
}

/** The first line of a file (read in pieces up to its first newline; at most `max` bytes). */
function firstLine(file: string, max = 16 * 1024 * 1024): string | null {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, total);
      if (n === 0) return null;
      const at = buf.subarray(0, n).indexOf(0x0a);
      if (at >= 0) {
        chunks.push(buf.subarray(0, at));
        return Buffer.concat(chunks).toString('utf8');
      }
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > max) return null;
    }
  } finally {
    closeSync(fd);
  }
}

/** The last complete line of a file (a torn tail, with no newline, is passed over). */
function lastLine(file: string): string | null {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    for (let window = 64 * 1024; ; window *= 4) {
      const start = Math.max(0, size - window);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      const end = buf.lastIndexOf(0x0a);
      if (end >= 0) {
        const begin = end === 0 ? -1 : buf.lastIndexOf(0x0a, end - 1);
        if (begin >= 0 || start === 0) return buf.subarray(begin + 1, end).toString('utf8');
      } else if (start === 0) return null;
    }
  } finally {
    closeSync(fd);
  }
}

const parse = (line: string | null): Line | null => {
  if (line === null) return null;
  try {
    return JSON.parse(line) as Line;
  } catch {
    return null;
  }
};

/** Whether the run's access log records an export. */
function exported(dir: string): boolean {
  const file = path.join(dir, ACCESS_FILE);
  if (!existsSync(file)) return false;
  return readFileSync(file, 'utf8')
    .split('\n')
    .some((l) => parse(l)?.type === 'export');
}

/** One run directory as the history shows it, or null when it holds no run (no journal, no run.started). */
export function pastRun(dir: string, open: { runId: string; sealed: boolean } | null): PastRun | null {
  const journal = path.join(dir, JOURNAL_FILE);
  if (!existsSync(journal)) return null;
  const started = parse(firstLine(journal));
  if (!started || started.type !== 'run.started') return null;
  const last = parse(lastLine(journal));
  // Sealed at its end: the last record is a seal that ends a run (run-end, export, recover) — not a periodic
  // one, nor a shutdown's (the host went away; the run is resumed).
  const sealed = last?.type === 'checkpoint' && ENDING_SEALS.has(String(last.data.reason));
  const lock = inspectRunLock(dir);
  let state: PastRun['state'];
  let holder: string | null = null;
  if (open && open.runId === started.run && !open.sealed) state = 'running';
  else if (sealed) state = exported(dir) ? 'exported' : 'sealed';
  else if (lock && lock.state !== 'stale') {
    state = 'running';
    holder = `${describeHolder(lock.holder)}: ${lock.why}`;
  } else state = 'unfinished';
  const d = started.data;
  return {
    runId: started.run,
    dir,
    state,
    operator: String(d.operator?.name ?? ''),
    title: String(d.runbook?.title ?? ''),
    profile: String(d.profile ?? ''),
    startedAt: started.time,
    sha256: String(d.runbook?.sha256 ?? ''),
    holder,
  };
}

/** Every run of the runs directory, newest first. A directory that is not a run is passed over. */
export function listRuns(runsDir: string, open: { runId: string; sealed: boolean } | null): PastRun[] {
  if (!existsSync(runsDir)) return [];
  const runs: PastRun[] = [];
  for (const name of readdirSync(runsDir)) {
    const dir = path.join(runsDir, name);
    try {
      if (!statSync(dir).isDirectory()) continue;
      const run = pastRun(dir, open);
      if (run) runs.push(run);
    } catch {
      // Unreadable: not listed.
    }
  }
  return runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
}

/** The run directory of a run id in the runs directory (ids are the directory names; nothing outside it). */
export function runDirOf(runsDir: string, runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(runId)) throw new HistoryError(`no run ${runId}`);
  const dir = path.join(runsDir, runId);
  if (!existsSync(path.join(dir, JOURNAL_FILE))) throw new HistoryError(`no run ${runId} in ${runsDir}`);
  return dir;
}

/**
 * A block's whole output as its last step.finished records it (the blob, secrets masked as recorded), `length`
 * bytes from `offset`. The blob is read by the hash the record names, inside the run directory only.
 */
export function outputOf(dir: string, stepId: string, blockId: string, offset: number, length: number): { name: string; size: number; sha256: string; offset: number; data: string; done: boolean } {
  let output: RecordData<'step.finished'>['output'] | null = null;
  for (const line of readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').split('\n')) {
    // Only step.finished lines are parsed (a journal holds many records; each piece asked for reads it again).
    if (!line.includes('"type":"step.finished"')) continue;
    const r = parse(line);
    // Read through the record's schema (audit/records/): its blob is a path `blobs/<sha256>`, nothing else.
    if (r?.type === 'step.finished' && r.data.step?.id === stepId && r.data.block?.id === blockId) output = recordDataOrNull('step.finished', r.data)?.output ?? null;
  }
  if (!output) throw new HistoryError(`block ${blockId} of step ${stepId} has no recorded output in this run`);
  if (!output.blob) throw new HistoryError(`the output of block ${blockId} could not be kept (its record names no blob)`);
  // Not through a link (a run directory someone changed could point a blob anywhere): only a regular file.
  const fd = openSync(path.join(dir, output.blob), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new HistoryError(`${output.blob} is not a regular file`);
    const size = st.size;
    const from = Math.min(offset, size);
    const buf = Buffer.alloc(Math.min(length, size - from));
    const n = readSync(fd, buf, 0, buf.length, from);
    const safe = `${stepId}-${blockId}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 150);
    return { name: `${safe}.output.txt`, size, sha256: output.sha256, offset: from, data: buf.subarray(0, n).toString('base64'), done: from + n >= size };
  } finally {
    closeSync(fd);
  }
}

/** An exported bundle's report, read only (verified separately: bundle.verify). */
export function openBundle(dir: string): OpenedBundle {
  const reportFile = path.join(dir, 'report.json');
  if (!existsSync(reportFile) || !existsSync(path.join(dir, 'SHA256SUMS'))) throw new HistoryError(`${dir} is not an exported bundle (no report.json and SHA256SUMS)`);
  let report: any;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch (error) {
    throw new HistoryError(`${reportFile} cannot be read: ${(error as Error).message}`);
  }
  const files = readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8')
    .split('\n')
    .flatMap((l) => {
      const m = /^[0-9a-f]{64} {2}(.+)$/.exec(l);
      return m ? [m[1] as string] : [];
    });
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    path: dir,
    runId: text(report?.run?.id),
    title: text(report?.runbook?.title),
    operator: text(report?.run?.operator?.name),
    profile: text(report?.run?.profile),
    startedAt: text(report?.run?.startedAt),
    endedAt: text(report?.run?.endedAt),
    outcome: text(report?.run?.outcome),
    counts: Object.fromEntries(Object.entries(report?.run?.counts ?? {}).filter(([, n]) => typeof n === 'number')) as Record<string, number>,
    steps: (Array.isArray(report?.steps) ? report.steps : []).map((s: any) => ({
      id: text(s?.id),
      title: text(s?.title),
      status: text(s?.status),
      reason: typeof s?.reason === 'string' ? s.reason : null,
      blocks: (Array.isArray(s?.blocks) ? s.blocks : []).map((b: any) => ({
        id: text(b?.id),
        command: text(b?.command),
        status: text(b?.status),
        exitCode: typeof b?.exitCode === 'number' ? b.exitCode : null,
        excerpt: text(b?.output?.excerpt),
        excerptTruncated: b?.output?.excerptTruncated === true,
      })),
    })),
    files,
  };
}

/** What the journal says of one step: how it ended so far, and what the operator recorded for it. */
