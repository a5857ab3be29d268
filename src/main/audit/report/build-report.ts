// Builds report.json's object from a verified journal and its blobs — and, for a verifier, the report as it
// must be without holding it. Everything in a report comes from the journal, its blobs and what the bundle
// is (who signed it, whether it holds a PDF): nothing from the clock or the machine that made it, so
// `runbook verify` can build it again and demand the same bytes (E_REPORT).
//
// ReportAssembler takes the records one at a time. Kept whole (`retain`), it gives the Report object the
// export writes. Streaming, it keeps what the next records can still change — the run's first record, the
// steps (heading, blocks still open) and the last run.finished and checkpoint — and hands every finished
// event, record, timeline row and block to a hash (report-segments.ts): memory grows with the steps, not
// the records.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Hash, createHash } from 'node:crypto';
import { canonicalize } from '../canonical.js';
import type { Finding, WarningCode } from '../reasons.js';
import type { JournalRecord } from '../record.js';
import { fingerprint, parsePublicKeyLine } from '../ssh-keys.js';
import type { VerifySummary } from '../verify.js';
import { type ReportHead, blockFinishedEntry, blockSection, blockStartedEntry, eventEntry, recordEntry, reportHtmlPieces, timelineRow } from './report-html.js';
import { REPORT_FORMAT, type Report, type ReportBlock, type ReportEvent, type ReportOutput, type ReportStep, type ReportWarning } from './report-model.js';
import { ElementStream, type Segment, SegmentWriter, type StreamProbe } from './report-segments.js';

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

/** The warnings a report carries: those the journal itself gives, never those of one verifier's options (anchors). */
const REPORT_WARNINGS = new Set<string>(['W_CLOCK_BACKWARDS', 'W_RECOVERED', 'W_UNSEALED']);
export const MAC_UNCHECKED_DETAIL = 'no verification key for this run was found or given (--mac-key)';

/**
 * A report's warnings: W_MAC_UNCHECKED when the bundle ships no MAC key (its MACs could not be checked when
 * it was made), then the journal's clock, recovery and unsealed warnings, in the verifier's order.
 */
export function reportWarnings(warnings: readonly Finding<WarningCode>[], macKeyShipped: boolean): ReportWarning[] {
  const mac: ReportWarning[] = macKeyShipped ? [] : [{ code: 'W_MAC_UNCHECKED', record: null, detail: MAC_UNCHECKED_DETAIL }];
  return [...mac, ...warnings.filter((w) => REPORT_WARNINGS.has(w.code)).map((w) => ({ code: w.code, record: w.record, detail: w.detail }))];
}

/** What a report holds beyond the journal and its blobs: the commands to verify it (who signed, PDF or not) and the warnings. */
export interface ReportInputs {
  commands: string[];
  warnings: ReportWarning[];
}

interface BlockState {
  block: ReportBlock;
  step: StepState;
  approvals: ReportEvent[];
  frozen: boolean;
}

interface StepState {
  step: ReportStep;
  index: number;
  /** Blocks started and not yet handed to the streams (in order: a finished block waits for earlier open ones). */
  queue: BlockState[];
  json: ElementStream | null;
  html: ElementStream | null;
}

/** Which stream a verifier watches element by element (to find where a report differs), and how. */
export interface ReportProbe {
  stream: string;
  probe: StreamProbe;
}

export class ReportAssembler {
  private first: JournalRecord | null = null;
  private start: Data = {};
  private last: JournalRecord | null = null;
  private finished: JournalRecord | null = null;
  private finalSeal: JournalRecord | null = null;
  private count = 0;
  private readonly journalHash: Hash = createHash('sha256');
  private readonly steps = new Map<string, StepState>();
  /** The newest block by `step.id block.id`: a step.finished finishes it, unless it is finished already. */
  private readonly blocks = new Map<string, BlockState>();
  /** Open blocks by the seq of their step.started: an approval names it. */
  private readonly open = new Map<number, BlockState>();
  // Retained (the export's Report object) …
  private readonly events: ReportEvent[] = [];
  private readonly records: JournalRecord[] = [];
  // … or streamed (a verifier).
  private readonly eventStream: ElementStream | null;
  private readonly recordStream: ElementStream | null;
  private readonly timeline: ElementStream | null;

  constructor(
    private readonly dir: string,
    private readonly retain: boolean,
    private readonly probe: ReportProbe | null = null,
  ) {
    this.eventStream = retain ? null : this.stream('events', ',');
    this.recordStream = retain ? null : this.stream('records', ',');
    this.timeline = retain ? null : this.stream('timeline', '');
  }

  private stream(id: string, separator: string): ElementStream {
    return new ElementStream(id, separator, this.probe?.stream === id ? this.probe.probe : null);
  }

  /** The next record, with its line as in the journal (for the journal's hash and, streaming, its canonical form). */
  record(record: JournalRecord, line: string): void {
    if (this.count === 0) {
      this.first = record;
      this.start = record.data as Data;
    }
    this.count++;
    this.last = record;
    this.journalHash.update(line, 'utf8').update('\n');
    if (this.retain) this.records.push(record);
    // A line holding "__proto__" parses into an object without it (verify-journal's envelope schema): use that object.
    else this.recordStream?.add(line.includes('"__proto__"') ? canonicalize(record) : line);

    const d = record.data as Data;
    if (record.type === 'step.started') this.started(record, d);
    else if (record.type === 'step.finished') this.stepFinished(record, d);
    else if (record.type === 'step.skipped') {
      const step = this.stepOf(d.step).step;
      step.status = d.status ?? 'skipped';
      step.reason = d.reason ?? null;
    } else if (record.type === 'run.finished') this.finished = record;
    else if (record.type === 'checkpoint') this.finalSeal = record;

    if (EVENT_TYPES.has(record.type)) {
      const event: ReportEvent = { seq: record.seq, type: record.type, time: record.time, data: record.data };
      if (record.type === 'approval') this.open.get(d.started?.seq)?.approvals.push(event);
      if (this.retain) this.events.push(event);
      else {
        this.eventStream?.add(canonicalize(event));
        this.timeline?.add(timelineRow(eventEntry(event)));
      }
    }
    if (!this.retain) {
      const entry = recordEntry(record as unknown as Record<string, unknown>, String(this.start.runbook?.title));
      if (entry) this.timeline?.add(timelineRow(entry));
    }
  }

  private stepOf(s: Data): StepState {
    let state = this.steps.get(String(s.id));
    if (!state) {
      const step: ReportStep = { id: String(s.id), title: String(s.title ?? s.id), line: Number(s.line ?? 0), profile: s.profile ?? null, status: 'not-run', reason: null, blocks: [] };
      const index = this.steps.size;
      state = { step, index, queue: [], json: this.retain ? null : this.stream(`steps[${index}].blocks`, ','), html: this.retain ? null : this.stream(`steps[${index}].html`, '\n') };
      this.steps.set(step.id, state);
    }
    return state;
  }

  private started(record: JournalRecord, d: Data): void {
    const state = this.stepOf(d.step);
    state.step.status = 'running';
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
    const open: BlockState = { block, step: state, approvals: [], frozen: false };
    if (this.retain) state.step.blocks.push(block);
    else {
      state.queue.push(open);
      this.timeline?.add(timelineRow(blockStartedEntry(state.step.title, block)));
    }
    this.blocks.set(`${state.step.id} ${block.id}`, open);
    this.open.set(record.seq, open);
  }

  /** The first step.finished of a block finishes it; a later one for the same block changes nothing. */
  private stepFinished(record: JournalRecord, d: Data): void {
    const open = this.blocks.get(`${d.step?.id} ${d.block?.id}`);
    if (!open || open.frozen) return;
    const outcome = d.outcome as Data;
    Object.assign(open.block, {
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
      output: outputOf(this.dir, d),
      records: { started: open.block.records.started, finished: record.seq },
    });
    this.freeze(open);
    if (!this.retain) this.timeline?.add(timelineRow(blockFinishedEntry(open.step.step.title, open.block)));
  }

  private freeze(open: BlockState): void {
    open.frozen = true;
    this.open.delete(open.block.records.started);
    if (this.retain) return;
    const state = open.step;
    while (state.queue[0]?.frozen) this.emit(state, state.queue.shift() as BlockState);
  }

  private emit(state: StepState, open: BlockState): void {
    state.json?.add(canonicalize(open.block));
    state.html?.add(blockSection(this.operator(), open.block, open.approvals));
  }

  private operator(): Report['run']['operator'] {
    const o = this.start.operator;
    return { name: String(o?.name), osUser: String(o?.os_user), hostname: String(o?.hostname) };
  }

  /** Everything but the per-record arrays, once the last record is in. */
  private head(inputs: ReportInputs): ReportHead {
    const first = this.first as JournalRecord;
    const start = this.start;
    const finished = this.finished?.data as Data | undefined;
    for (const s of (finished?.steps ?? []) as Data[]) {
      const step = this.steps.get(String(s.id))?.step;
      if (step) {
        step.status = String(s.status);
        step.reason = s.reason ?? step.reason;
      }
    }
    const runbookBlob = start.runbook?.blob ? path.join(this.dir, String(start.runbook.blob)) : null;
    const sealData = this.finalSeal?.data as Data | undefined;
    const last = this.last as JournalRecord;
    return {
      format: REPORT_FORMAT,
      run: {
        id: first.run,
        profile: String(start.profile),
        retentionDays: start.retention_days ?? null,
        operator: this.operator(),
        installation: { id: String(start.installation?.id), publicKey: String(start.installation?.public_key) },
        startedAt: first.time,
        endedAt: (this.finished ?? last).time,
        outcome: this.finished ? (finished?.ok ? 'succeeded' : 'failed') : 'unfinished',
        counts: (finished?.counts ?? {}) as Record<string, number>,
      },
      runbook: {
        path: String(start.runbook?.path),
        title: String(start.runbook?.title),
        sha256: String(start.runbook?.sha256),
        text: runbookBlob && existsSync(runbookBlob) ? readFileSync(runbookBlob, 'utf8') : null,
      },
      environment: { tool: start.tool ?? {}, host: start.host ?? {}, options: start.options ?? {}, variables: start.variables ?? [] },
      seal: sealData ? { size: Number(sealData.size), root: String(sealData.root), checkpoint: String(sealData.text), signer: String(sealData.signer), signerFingerprint: signerFingerprint(sealData.signer) } : null,
      warnings: inputs.warnings,
      verification: { journalSha256: this.journalHash.copy().digest('hex'), records: this.count, commands: inputs.commands },
      // The report is as of the journal's last record (its seal): never the clock of whoever builds it.
      generatedAt: last.time,
    };
  }

  /** Kept whole: the Report object. */
  report(inputs: ReportInputs): Report {
    if (!this.retain) throw new Error('this report was streamed, not kept');
    if (!this.first) throw new Error('a report needs at least one record');
    return { ...this.head(inputs), steps: [...this.steps.values()].map((s) => s.step), events: this.events, records: this.records as unknown as Record<string, unknown>[] };
  }

  /** Streamed: report.json and report.html as they must be, as fixed text and the hashes of the parts in between. */
  expected(inputs: ReportInputs): { json: Segment[]; html: Segment[] } {
    if (this.retain) throw new Error('this report was kept, not streamed');
    if (!this.first) throw new Error('a report needs at least one record');
    const head = this.head(inputs);
    const steps = [...this.steps.values()];
    for (const state of steps) {
      // Blocks still open at the end stay unfinished.
      for (const open of state.queue.splice(0)) this.emit(state, open);
    }
    // RFC 8785 sorts the report's keys: environment, events, format, generatedAt, records, run, runbook, seal, steps, verification, warnings.
    // Each member's text starts with what closes the one before it (`,`, or `],` after an array).
    const json = new SegmentWriter();
    const member = (before: string, key: keyof ReportHead) => json.raw(`${before}"${key}":`, key).value(head[key], key);
    const array = (before: string, key: 'events' | 'records' | 'steps', stream?: ElementStream) => {
      json.raw(`${before}"${key}":[`, key);
      if (stream) json.digest(stream, key);
    };
    member('{', 'environment');
    array(',', 'events', this.eventStream as ElementStream);
    member('],', 'format');
    member(',', 'generatedAt');
    array(',', 'records', this.recordStream as ElementStream);
    member('],', 'run');
    member(',', 'runbook');
    member(',', 'seal');
    array(',', 'steps');
    steps.forEach((state, k) => {
      const { blocks: _blocks, ...rest } = state.step;
      // A step's keys sort "blocks" first: {"blocks":[…],"id":…,…}.
      json.raw(`${k > 0 ? ',' : ''}{"blocks":[`, `steps[${k}]`).digest(state.json as ElementStream, `steps[${k}].blocks`).raw('],', `steps[${k}]`).value(rest, `steps[${k}]`, 1);
    });
    member('],', 'verification');
    member(',', 'warnings');
    json.raw('}', '(the end)');

    const html = new SegmentWriter();
    const pieces = reportHtmlPieces(
      head,
      this.timeline as ElementStream,
      steps.map((s) => ({ step: s.step, blocks: s.html as ElementStream })),
    );
    for (const piece of pieces) {
      if (piece instanceof ElementStream) html.digest(piece, piece.id === 'timeline' ? 'the timeline' : `step ${Number(/\d+/.exec(piece.id)?.[0]) + 1}'s blocks`);
      else html.raw(piece.text, piece.label);
    }
    return { json: json.done(), html: html.done() };
  }
}

function signerFingerprint(signer: unknown): string {
  try {
    return fingerprint(parsePublicKeyLine(String(signer)).blob);
  } catch {
    return '';
  }
}

export function buildReport(dir: string, records: JournalRecord[], lines: string[], summary: VerifySummary, commands: string[]): Report {
  const assembler = new ReportAssembler(dir, true);
  records.forEach((record, i) => assembler.record(record, lines[i] as string));
  return assembler.report({ commands, warnings: reportWarnings(summary.warnings, summary.macChecked) });
}
