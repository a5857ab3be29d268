// Builds report.json's object from a verified journal and its blobs — and, for a verifier, the report as it
// must be without holding it. Everything in a report comes from the journal, its blobs and what the bundle
// is (who signed it, whether it holds a PDF): nothing from the clock or the machine that made it, so
// `runbook verify` can build it again and demand the same bytes (E_REPORT).
//
// ReportAssembler takes the records one at a time. Kept whole (`retain`), it gives the Report object the
// export writes. Streaming, it keeps what the next records can still change — the run's first record, the
// steps (heading, blocks still open) and the last run.finished and checkpoint — and hands every finished
// event, record, timeline row and block to a hash (report-segments.ts): memory grows with the steps, not
// the records (a step keeps what people recorded of it — skip, decisions, sign-offs, notes, fill-ins — until the end).
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Hash, createHash } from 'node:crypto';
import { canonicalize } from '../canonical.js';
import type { Finding, WarningCode } from '../reasons.js';
import type { JournalRecord, RecordOf } from '../record.js';
import { type RecordData, type RecordType, parseRecordData } from '../records/index.js';
import { fingerprint, parsePublicKeyLine } from '../ssh-keys.js';
import type { VerifySummary } from '../verify.js';
import { type ReportHead, blockFinishedEntry, blockSection, blockStartedEntry, eventEntry, recordEntry, reportHtmlPieces, timelineRow } from './report-html.js';
import { REPORT_FORMAT, type Report, type ReportBlock, type ReportEndedEarly, type ReportEvent, type ReportNotDone, type ReportOutput, type ReportStep, type ReportWarning } from './report-model.js';
import { ElementStream, type Segment, SegmentWriter, type StreamProbe } from './report-segments.js';

/** Bytes of output kept from each end of a block's output in the report. */
export const EXCERPT_BYTES = 2048;

type RunStarted = RecordData<'run.started'>;
type StepStarted = RecordData<'step.started'>;
type StepFinished = RecordData<'step.finished'>;
type StepRef = StepStarted['step'];

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

function outputOf(dir: string, data: StepFinished): ReportOutput {
  const o = data.output;
  const file = o.blob ? path.join(dir, o.blob) : null;
  const ex = file && existsSync(file) ? excerpt(file) : { text: '', truncated: false };
  return { blob: o.blob, sha256: o.sha256, bytes: o.bytes, stdout: o.stdout, stderr: o.stderr, excerpt: ex.text, excerptTruncated: ex.truncated };
}

/** Records a report lists as events (the run's start and end, steps and blocks have their own parts). */
const EVENT_TYPES = new Set<RecordType>(['run.ended-early', 'run.resumed', 'timer', 'step.note', 'fillin', 'decision', 'signoff', 'approval', 'trust', 'error', 'log.recovered', 'checkpoint']);

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

/**
 * Records come as read from the journal: verified (an export's), or checked against their schemas as they go
 * (a verifier's). What the report reads of one — run.started, the step and block records, run.finished,
 * checkpoints, an approval's block — it reads through its type's schema; a record that does not fit cannot
 * be reported (RecordDataError). Other records are carried as they are, in the events and the full records.
 */
export class ReportAssembler {
  private first: JournalRecord | null = null;
  private start: RunStarted | null = null;
  private last: JournalRecord | null = null;
  private finished: RecordOf<'run.finished'> | null = null;
  private finalSeal: RecordData<'checkpoint'> | null = null;
  private endedEarly: ReportEndedEarly | null = null;
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
      this.start = parseRecordData('run.started', record.data);
    }
    this.count++;
    this.last = record;
    this.journalHash.update(line, 'utf8').update('\n');
    if (this.retain) this.records.push(record);
    // A line holding "__proto__" parses into an object without it (verify-journal's envelope schema): use that object.
    else this.recordStream?.add(line.includes('"__proto__"') ? canonicalize(record) : line);

    if (record.type === 'step.started') this.started(record, parseRecordData('step.started', record.data));
    else if (record.type === 'step.finished') this.stepFinished(record, parseRecordData('step.finished', record.data));
    else if (record.type === 'step.skipped') {
      const d = parseRecordData('step.skipped', record.data);
      const step = this.stepOf(d.step).step;
      step.status = d.by === 'refused' ? d.status : 'skipped';
      step.reason = d.reason;
      step.skip = { record: record.seq, by: d.by, code: d.by === 'plan' ? d.code : null, refusal: d.by === 'refused' ? d.refusal : null, reason: d.reason };
    } else if (record.type === 'decision') {
      const d = parseRecordData('decision', record.data);
      this.stepOf(d.step).step.decisions.push({ record: record.seq, time: record.time, decision: d.decision, note: d.note, by: d.by });
    } else if (record.type === 'signoff') {
      const d = parseRecordData('signoff', record.data);
      const refused = d.accepted ? { code: null, reason: null } : { code: d.code, reason: d.reason };
      this.stepOf(d.step).step.signoffs.push({ record: record.seq, time: record.time, name: d.name, role: d.role, date: d.date, principal: d.principal, method: d.method, accepted: d.accepted, fingerprint: d.fingerprint, ...refused });
    } else if (record.type === 'step.note') {
      const d = parseRecordData('step.note', record.data);
      const note = { record: record.seq, time: record.time, by: d.by, text: null, mark: null, note: null, binding: null, change: null, from: null, to: null, reason: null };
      this.stepOf(d.step).step.notes.push(
        'text' in d ? { ...note, text: d.text } : 'mark' in d ? { ...note, mark: d.mark, note: d.note } : 'change' in d ? { ...note, change: d.change, from: d.from, to: d.to, reason: d.reason } : { ...note, binding: d.binding },
      );
    } else if (record.type === 'fillin') {
      const d = parseRecordData('fillin', record.data);
      this.stepOf(d.step).step.fillIns.push({ record: record.seq, time: record.time, label: d.label, value: d.value });
    } else if (record.type === 'run.finished') this.finished = { ...record, type: record.type, data: parseRecordData('run.finished', record.data) };
    else if (record.type === 'checkpoint') this.finalSeal = parseRecordData('checkpoint', record.data);
    else if (record.type === 'run.ended-early') this.endedEarly = { record: record.seq, time: record.time, ...parseRecordData('run.ended-early', record.data) };

    if (EVENT_TYPES.has(record.type)) {
      const event: ReportEvent = { seq: record.seq, type: record.type, time: record.time, data: record.data };
      if (record.type === 'approval') {
        const d = parseRecordData('approval', record.data);
        const refused = d.granted ? { code: null, reason: null, fingerprint: d.fingerprint } : { code: d.code, reason: d.reason, fingerprint: 'fingerprint' in d ? d.fingerprint : null };
        this.open.get(d.started.seq)?.block.approvals.push({ record: record.seq, time: record.time, approver: d.approver, granted: d.granted, ...refused });
      }
      if (this.retain) this.events.push(event);
      else {
        this.eventStream?.add(canonicalize(event));
        this.timeline?.add(timelineRow(eventEntry(event)));
      }
    }
    if (!this.retain) {
      const entry = recordEntry(record as unknown as Record<string, unknown>, this.runStart().runbook.title);
      if (entry) this.timeline?.add(timelineRow(entry));
    }
  }

  private runStart(): RunStarted {
    if (!this.start) throw new Error('a report needs at least one record');
    return this.start;
  }

  /** The step a record names: by its heading (step.started, step.skipped), or by id alone (a person's records, the run's end). */
  private stepOf(s: StepRef | { id: string }): StepState {
    let state = this.steps.get(s.id);
    if (state && 'title' in s && state.step.title === null) Object.assign(state.step, { title: s.title, line: s.line, profile: s.profile });
    if (!state) {
      const heading = 'title' in s ? { title: s.title, line: s.line, profile: s.profile } : { title: null, line: null, profile: null };
      const step: ReportStep = { id: s.id, ...heading, status: 'pending', reason: null, skip: null, decisions: [], signoffs: [], notes: [], fillIns: [], blocks: [] };
      const index = this.steps.size;
      state = { step, index, queue: [], json: this.retain ? null : this.stream(`steps[${index}].blocks`, ','), html: this.retain ? null : this.stream(`steps[${index}].html`, '\n') };
      this.steps.set(step.id, state);
    }
    return state;
  }

  private started(record: JournalRecord, d: StepStarted): void {
    const state = this.stepOf(d.step);
    state.step.status = 'running';
    const block: ReportBlock = {
      id: d.block.id,
      line: d.block.line,
      action: d.block.action,
      lang: d.block.lang,
      command: d.command,
      commandSha256: d.command_sha256,
      stateChanging: d.state_changing,
      target: d.target,
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
      readOnly: { code: d.verdict.code, detail: d.verdict.detail },
      env: d.env,
      approvals: [],
      output: null,
      records: { started: record.seq, finished: null },
    };
    const open: BlockState = { block, step: state, frozen: false };
    if (this.retain) state.step.blocks.push(block);
    else {
      state.queue.push(open);
      this.timeline?.add(timelineRow(blockStartedEntry(state.step.title as string, block)));
    }
    this.blocks.set(`${state.step.id} ${block.id}`, open);
    this.open.set(record.seq, open);
  }

  /** The first step.finished of a block finishes it; a later one for the same block changes nothing. */
  private stepFinished(record: JournalRecord, d: StepFinished): void {
    const open = this.blocks.get(`${d.step.id} ${d.block.id}`);
    if (!open || open.frozen) return;
    const { outcome } = d;
    const finished: Partial<ReportBlock> = {
      ranOn: d.target,
      endedAt: d.ended_at,
      durationMs: d.duration_ms,
      status: outcome.status,
      exitCode: outcome.exit_code,
      signal: outcome.signal,
      error: outcome.error,
      verdict: outcome.verdict,
      reasons: outcome.reasons,
      ok: outcome.ok,
      resultSets: outcome.result_sets.map((r) => ({ command: r.command, columns: r.columns, rowCount: r.row_count })),
      notes: d.notes,
      output: outputOf(this.dir, d),
      records: { started: open.block.records.started, finished: record.seq },
    };
    Object.assign(open.block, finished);
    this.freeze(open);
    if (!this.retain) this.timeline?.add(timelineRow(blockFinishedEntry(open.step.step.title as string, open.block)));
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
    state.html?.add(blockSection(this.operator(), open.block));
  }

  private operator(): Report['run']['operator'] {
    const o = this.runStart().operator;
    return { name: o.name, osUser: o.os_user, hostname: o.hostname };
  }

  /** Everything but the per-record arrays, once the last record is in. */
  private head(inputs: ReportInputs): ReportHead {
    const first = this.first as JournalRecord;
    const start = this.runStart();
    const finished = this.finished?.data;
    // The run's end gives each step's status, also of steps no other record names (a decision never made).
    for (const s of finished?.steps ?? []) {
      const step = this.stepOf(s).step;
      step.status = s.status;
      step.reason = s.reason ?? step.reason;
    }
    const runbookBlob = path.join(this.dir, start.runbook.blob);
    const sealData = this.finalSeal;
    const last = this.last as JournalRecord;
    return {
      format: REPORT_FORMAT,
      run: {
        id: first.run,
        profile: start.profile,
        retentionDays: start.retention_days,
        operator: this.operator(),
        installation: { id: start.installation.id, publicKey: start.installation.public_key },
        startedAt: first.time,
        endedAt: (this.finished ?? last).time,
        outcome: finished ? (finished.ok ? 'succeeded' : 'failed') : 'unfinished',
        // A run closed by recovery records no counts.
        counts: finished && 'counts' in finished ? finished.counts : {},
        endedEarly: this.endedEarly,
        ...(start.store ? { store: { url: start.store.url, gate: start.store.gate } } : {}),
      },
      runbook: {
        // Report format 2 has the path as text ("null" for a runbook read from no file).
        path: String(start.runbook.path),
        title: start.runbook.title,
        sha256: start.runbook.sha256,
        text: existsSync(runbookBlob) ? readFileSync(runbookBlob, 'utf8') : null,
      },
      environment: { tool: start.tool, host: start.host, options: start.options, variables: start.variables },
      notDone: [...this.steps.values()].flatMap((s) => notDone(s.step)),
      seal: sealData ? { size: sealData.size, root: sealData.root, checkpoint: sealData.text, signer: sealData.signer, signerFingerprint: signerFingerprint(sealData.signer) } : null,
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
    // RFC 8785 sorts the report's keys: environment, events, format, generatedAt, notDone, records, run, runbook, seal, steps, verification, warnings.
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
    member(',', 'notDone');
    array(',', 'records', this.recordStream as ElementStream);
    member('],', 'run');
    member(',', 'runbook');
    member(',', 'seal');
    array(',', 'steps');
    steps.forEach((state, k) => {
      const { blocks: _blocks, ...rest } = state.step;
      // A step's keys sort "blocks" first: {"blocks":[…],"decisions":…,…}.
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

/**
 * What a step leaves not done: its end (failed, cancelled, skipped, not run, or none recorded) with who skipped it and
 * why; and each sign-off row refused and never accepted.
 */
export function notDone(step: ReportStep): ReportNotDone[] {
  const out: ReportNotDone[] = [];
  const item = (what: string, reason: string | null, record: number | null) => out.push({ step: step.id, title: step.title, what, reason, record });
  if (step.status !== 'succeeded') {
    const skip = step.skip;
    const end = step.status === 'not-run' ? 'not run' : ['failed', 'cancelled', 'skipped'].includes(step.status) ? step.status : 'no end recorded';
    const by = !skip ? '' : skip.by === 'refused' ? ` (refused${skip.refusal ? `: ${skip.refusal}` : ''})` : ` (by ${skip.by}${skip.code ? `: ${skip.code}` : ''})`;
    item(end + by, step.reason, skip ? skip.record : null);
  }
  const accepted = new Set(step.signoffs.filter((s) => s.accepted).map((s) => s.role));
  const refused = new Map(step.signoffs.filter((s) => !s.accepted && !accepted.has(s.role)).map((s) => [s.role, s]));
  for (const s of refused.values()) item(`sign-off refused (${s.role})`, `${s.name}: ${s.code}: ${s.reason}`, s.record);
  return out;
}

function signerFingerprint(signer: string): string {
  try {
    return fingerprint(parsePublicKeyLine(signer).blob);
  } catch {
    return '';
  }
}

export function buildReport(dir: string, records: JournalRecord[], lines: string[], summary: VerifySummary, commands: string[]): Report {
  const assembler = new ReportAssembler(dir, true);
  records.forEach((record, i) => assembler.record(record, lines[i] as string));
  return assembler.report({ commands, warnings: reportWarnings(summary.warnings, summary.macChecked) });
}
