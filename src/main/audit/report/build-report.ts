// Builds report.json's object from a verified journal and its blobs.
import { existsSync, openSync, readFileSync, readSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import type { JournalRecord } from '../record.js';
import { sha256Hex } from '../record.js';
import type { VerifySummary } from '../verify.js';
import { REPORT_FORMAT, type Report, type ReportBlock, type ReportOutput, type ReportStep } from './report-model.js';

/** Bytes of output kept from each end of a block's output in the report. */
export const EXCERPT_BYTES = 2048;

type Data = Record<string, any>;

function excerpt(file: string): { text: string; truncated: boolean } {
  const size = statSync(file).size;
  if (size <= EXCERPT_BYTES * 2) return { text: readFileSync(file, 'utf8'), truncated: false };
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(EXCERPT_BYTES);
    const tail = Buffer.alloc(EXCERPT_BYTES);
    readSync(fd, head, 0, EXCERPT_BYTES, 0);
    readSync(fd, tail, 0, EXCERPT_BYTES, size - EXCERPT_BYTES);
    // Cutting inside a UTF-8 sequence leaves U+FFFD at the cut, which is honest about the cut.
    return { text: `${head.toString('utf8')}\n… ${size - EXCERPT_BYTES * 2} bytes not shown …\n${tail.toString('utf8')}`, truncated: true };
  } finally {
    closeSync(fd);
  }
}

function outputOf(dir: string, data: Data): ReportOutput | null {
  const o = data.output as Data | undefined;
  if (!o) return null;
  const file = o.blob ? path.join(dir, String(o.blob)) : null;
  const ex = file && existsSync(file) ? excerpt(file) : { text: '', truncated: false };
  return { blob: o.blob ?? null, sha256: String(o.sha256), bytes: Number(o.bytes), stdout: o.stdout ?? null, stderr: o.stderr ?? null, excerpt: ex.text, excerptTruncated: ex.truncated };
}

const EVENT_TYPES = new Set(['run.paused', 'run.resumed', 'runbook.reloaded', 'step.note', 'fillin', 'decision', 'signoff', 'approval', 'trust', 'error', 'log.recovered', 'checkpoint']);

export function buildReport(dir: string, records: JournalRecord[], lines: string[], summary: VerifySummary, commands: string[]): Report {
  const first = records[0] as JournalRecord;
  const start = first.data as Data;
  const finished = records.findLast((r) => r.type === 'run.finished');
  const finalSeal = records.findLast((r) => r.type === 'checkpoint');
  const steps = new Map<string, ReportStep>();
  const blocks = new Map<string, ReportBlock>();
  const stepOf = (s: Data): ReportStep => {
    let step = steps.get(String(s.id));
    if (!step) {
      step = { id: String(s.id), title: String(s.title ?? s.id), line: Number(s.line ?? 0), profile: s.profile ?? null, status: 'not-run', reason: null, blocks: [] };
      steps.set(step.id, step);
    }
    return step;
  };
  for (const record of records) {
    const d = record.data as Data;
    if (record.type === 'step.started') {
      const step = stepOf(d.step);
      step.status = 'running';
      const block: ReportBlock = {
        id: String(d.block.id),
        line: Number(d.block.line),
        action: String(d.block.action),
        lang: d.block.lang ?? null,
        command: String(d.command),
        commandSha256: String(d.command_sha256),
        stateChanging: Boolean(d.state_changing),
        target: d.target ?? {},
        ranOn: null,
        startedAt: record.time,
        endedAt: null,
        durationMs: null,
        status: 'unfinished',
        exitCode: null,
        signal: null,
        error: null,
        verdict: null,
        reasons: [],
        ok: null,
        resultSets: [],
        notes: [],
        output: null,
        records: { started: record.seq, finished: null },
      };
      step.blocks.push(block);
      blocks.set(`${step.id} ${block.id}`, block);
    } else if (record.type === 'step.finished') {
      const block = blocks.get(`${d.step.id} ${d.block.id}`);
      if (!block) continue;
      const outcome = d.outcome as Data;
      Object.assign(block, {
        ranOn: d.target ?? null,
        endedAt: d.ended_at ?? record.time,
        durationMs: d.duration_ms ?? null,
        status: outcome.status,
        exitCode: outcome.exit_code ?? null,
        signal: outcome.signal ?? null,
        error: outcome.error ?? null,
        verdict: outcome.verdict ?? null,
        reasons: outcome.reasons ?? [],
        ok: outcome.ok ?? null,
        resultSets: (outcome.result_sets ?? []).map((r: Data) => ({ command: r.command ?? null, columns: r.columns ?? [], rowCount: r.row_count ?? null })),
        notes: d.notes ?? [],
        output: outputOf(dir, d),
        records: { started: block.records.started, finished: record.seq },
      });
    } else if (record.type === 'step.skipped') {
      const step = stepOf(d.step);
      step.status = d.status ?? 'skipped';
      step.reason = d.reason ?? null;
    }
  }
  for (const s of ((finished?.data as Data | undefined)?.steps ?? []) as Data[]) {
    const step = steps.get(String(s.id));
    if (step) {
      step.status = String(s.status);
      step.reason = s.reason ?? step.reason;
    }
  }
  const runbookBlob = start.runbook?.blob ? path.join(dir, String(start.runbook.blob)) : null;
  const sealData = finalSeal?.data as Data | undefined;
  return {
    format: REPORT_FORMAT,
    run: {
      id: first.run,
      profile: String(start.profile),
      retentionDays: start.retention_days ?? null,
      operator: { name: String(start.operator?.name), osUser: String(start.operator?.os_user), hostname: String(start.operator?.hostname) },
      installation: { id: String(start.installation?.id), publicKey: String(start.installation?.public_key) },
      startedAt: first.time,
      endedAt: (finished ?? records.at(-1) ?? first).time,
      outcome: summary.outcome as Report['run']['outcome'],
      counts: ((finished?.data as Data | undefined)?.counts ?? {}) as Record<string, number>,
    },
    runbook: {
      path: String(start.runbook?.path),
      title: String(start.runbook?.title),
      sha256: String(start.runbook?.sha256),
      text: runbookBlob && existsSync(runbookBlob) ? readFileSync(runbookBlob, 'utf8') : null,
    },
    environment: { tool: start.tool ?? {}, host: start.host ?? {}, options: start.options ?? {}, variables: start.variables ?? [] },
    seal: sealData
      ? { size: Number(sealData.size), root: String(sealData.root), checkpoint: String(sealData.text), signer: String(sealData.signer), signerFingerprint: summary.signer?.fingerprint ?? '' }
      : null,
    steps: [...steps.values()],
    events: records.filter((r) => EVENT_TYPES.has(r.type)).map((r) => ({ seq: r.seq, type: r.type, time: r.time, data: r.data })),
    warnings: summary.warnings.map((w) => ({ code: w.code, record: w.record, detail: w.detail })),
    records: records as unknown as Record<string, unknown>[],
    verification: { journalSha256: sha256Hex(`${lines.join('\n')}\n`), records: records.length, commands },
    generatedAt: new Date().toISOString(),
  };
}
