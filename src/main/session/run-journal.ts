// The run record: turns the session's events into journal records. Implements the session's RunRecorder,
// so `step.started` (what will run, where, as whom) is on disk before the action starts. The run holds its
// directory's lock (run.lock) from before the journal is created until it is sealed: one writer per run.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import type { Block, Profile, Runbook, Step } from '../../shared/runbook-model.js';
import type { Target } from '../../shared/targets.js';
import type { Binding } from './binding.js';
import type { BlockOutcome, OperatorRecord, RunRecorder, RunSummary, SkipEvent, StepOutcome } from './runner.js';
import type { Verdict } from './verdict.js';
import { type BlobRef, adoptBlob, adoptSmallFile, writeSmallBlob } from '../audit/blobs.js';
import { type AppendedRecord, type JournalIo, JournalWriteError, JournalWriter, type JournalWriterOptions } from '../audit/journal-writer.js';
import { type RunLock, acquireRunLock } from '../audit/run-lock.js';
import type { MacKeyStore } from '../audit/key-store.js';
import type { Installation } from '../audit/installation.js';
import { ENDING_SEALS, type SealReason, type SealResult, seal } from '../audit/seal.js';
import { canonicalize } from '../audit/canonical.js';
import { jsonSafe } from '../audit/json-safe.js';
import { JOURNAL_FILE, sha256Hex } from '../audit/record.js';
import { JOURNAL_FORMAT, type RecordData, parseRecordData } from '../audit/records/index.js';
import type { OutputFailureCode } from '../audit/records/codes.js';

export interface Operator {
  name: string;
  osUser: string;
  hostname: string;
}

export function currentOperator(name?: string): Operator {
  const osUser = userInfo().username;
  return { name: name ?? osUser, osUser, hostname: hostname() };
}

export interface RunStartInfo {
  runId: string;
  runbook: Runbook;
  /** The runbook's bytes as loaded (its hash is what runs); a copy is kept as a blob. */
  runbookBytes: Uint8Array;
  profile: Profile;
  operator: Operator;
  tool: { name: string; version: string };
  /** How the host was asked to run (and, RESTRICTED, the approvers list and the operator's keys). */
  options: RunOptions;
  variables: RunStarted['variables'];
  /** The team store the run ships to, and whether its state-changing blocks wait for it (format 4). */
  store?: RunStarted['store'];
}

type RunStarted = RecordData<'run.started'>;
export type RunOptions = RunStarted['options'];
type TargetConfig = RecordData<'step.started'>['target'];

/** The records a host writes through note(): everything but the engine's own (run, step and seal records). */
export type NoteType = 'trust' | 'decision' | 'signoff' | 'fillin' | 'approval' | 'error' | 'step.note' | 'run.interrupted' | 'run.ended-early' | 'run.resumed' | 'timer';

/** What a step.started record says about the target: configuration only, never secrets. */
export function describeTarget(binding: Binding): TargetConfig {
  const t: Target = binding.target;
  const base = { name: binding.targetName, bound_by: binding.source, protected: Boolean(t.protected) };
  switch (t.kind) {
    case 'local':
      return { ...base, kind: t.kind, shell: t.shell ?? 'bash', cwd: t.cwd ?? null, host: hostname() };
    case 'ssh':
      return { ...base, kind: t.kind, host: t.host, port: t.port ?? null, user: t.user ?? null, fingerprint_pinned: t.fingerprint ?? null, known_hosts: t.knownHosts ?? null, jump: t.jump ?? null };
    case 'postgres':
      return { ...base, kind: t.kind, host: t.host, port: t.port ?? 5432, database: t.database, user: t.user, sslmode: t.sslmode ?? 'prefer', password_from: t.passwordEnv ? `env:${t.passwordEnv}` : t.passwordSecret ? `secret:${t.passwordSecret}` : null };
    case 'kubernetes':
      return { ...base, kind: t.kind, kubeconfig: t.kubeconfig ?? null, context: t.context ?? null, namespace: t.namespace ?? null };
    case 'prometheus':
      return { ...base, kind: t.kind, url: t.url };
  }
}

const stepRef = (step: Step) => ({ id: step.id, title: step.title, line: step.line, profile: step.profile });

/** Records between periodic seals: a crash loses at most this many records' worth of signed state. */
export const SEAL_EVERY = 256;

export class RunJournal implements RunRecorder {
  private readonly started = new Map<string, AppendedRecord>();
  private lastSealSize = 0;

  private constructor(
    readonly writer: JournalWriter,
    readonly runId: string,
    readonly installation: Installation,
    readonly retentionDays: number | null,
    private readonly sealEvery: number,
    /** The run directory's lock, held until the run is sealed (or abandoned). */
    readonly lock: RunLock,
  ) {}

  get dir(): string {
    return this.writer.dir;
  }

  /**
   * Takes the directory's lock (RunLockedError names whoever holds it; nothing is written then), creates
   * the journal and records run.started. A lock left by a run that died before creating its journal is
   * taken over; a directory that holds a journal is never written again by a new run.
   */
  static start(dir: string, info: RunStartInfo, keys: MacKeyStore, installation: Installation, options: { retentionDays: number | null; sealEvery?: number; io?: JournalIo; onDurable?: JournalWriterOptions['onDurable'] }): RunJournal {
    const { lock } = acquireRunLock(dir, { purpose: 'run', takeStale: true });
    let created: { writer: JournalWriter; macKeyCommitment: string };
    try {
      created = JournalWriter.create(dir, info.runId, { keys, guard: () => lock.check(), ...(options.io ? { io: options.io } : {}), ...(options.onDurable ? { onDurable: options.onDurable } : {}) });
    } catch (error) {
      lock.release();
      throw error;
    }
    const { writer, macKeyCommitment } = created;
    const journal = new RunJournal(writer, info.runId, installation, options.retentionDays, options.sealEvery ?? SEAL_EVERY, lock);
    try {
      const runbookBlob = writeSmallBlob(dir, path.join(dir, '.runbook.tmp'), Buffer.from(info.runbookBytes));
      writer.append('run.started', {
        format: JOURNAL_FORMAT,
        runbook: { path: info.runbook.file, sha256: info.runbook.sha256, title: info.runbook.title, blob: runbookBlob.path, bytes: runbookBlob.bytes },
        profile: info.profile,
        operator: { name: info.operator.name, os_user: info.operator.osUser, hostname: info.operator.hostname },
        tool: info.tool,
        host: { platform: process.platform, arch: process.arch, node: process.version },
        installation: { id: installation.id, public_key: installation.key.publicKeyLine },
        retention_days: options.retentionDays,
        mac_key_sha256: macKeyCommitment,
        options: info.options,
        variables: info.variables,
        ...(info.store ? { store: info.store } : {}),
      });
    } catch (error) {
      // Nothing was recorded: no empty journal is left behind to look like a run.
      writer.close();
      try {
        if (statSync(writer.file).size === 0) rmSync(writer.file);
      } catch {
        // Already gone, or not empty: left as it is.
      }
      lock.release();
      throw error;
    }
    return journal;
  }

  /**
   * Continues the journal of a run that stopped without its end (its host was killed: the lock is stale, the
   * journal not sealed): takes the lock over (RunLockedError while its holder lives; the one taken over is
   * returned), reopens the journal where it ends (a torn tail set aside and recorded, as recovery does), and
   * refuses a run that ended or was sealed. The same run id, MAC chain and Merkle tree go on: its next seal
   * extends the last one. Nothing records the resumption itself yet (the format has no record for it).
   */
  static resume(dir: string, keys: MacKeyStore, installation: Installation, options: { retentionDays: number | null; sealEvery?: number; io?: JournalIo; onDurable?: JournalWriterOptions['onDurable'] }): { journal: RunJournal; tookOver: ReturnType<typeof acquireRunLock>['tookOver'] } {
    const { lock, tookOver } = acquireRunLock(dir, { purpose: 'run', takeStale: true });
    try {
      const ended = endOf(path.join(dir, JOURNAL_FILE));
      if (ended) throw new JournalWriteError(`${dir}: the run ${ended}; it cannot be resumed`);
      const { writer } = JournalWriter.reopen(dir, { keys, guard: () => lock.check(), ...(options.io ? { io: options.io } : {}), ...(options.onDurable ? { onDurable: options.onDurable } : {}) });
      const journal = new RunJournal(writer, writer.runId, installation, options.retentionDays, options.sealEvery ?? SEAL_EVERY, lock);
      journal.lastSealSize = writer.lastCheckpoint?.size ?? 0;
      return { journal, tookOver };
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  blockStarting(event: { step: Step; block: Pick<Block, 'id' | 'line' | 'action' | 'lang'>; binding: Binding; command: string; env: string[]; params: number; verdict: Verdict }): void {
    const record = this.writer.append('step.started', {
      step: stepRef(event.step),
      block: { id: event.block.id, line: event.block.line, action: event.block.action, lang: event.block.lang },
      target: describeTarget(event.binding),
      command: event.command,
      command_sha256: sha256Hex(event.command),
      env: event.env,
      bind_params: event.params,
      // Proven read-only by a parser, or not: approvals and protected-target confirmations follow this.
      state_changing: event.verdict.changesState,
      verdict: { code: event.verdict.code, detail: event.verdict.detail },
    });
    this.started.set(event.block.id, record);
  }

  blockFinished(event: { step: Step; block: { id: string }; outcome: BlockOutcome }): void {
    const { judgement, output } = event.outcome;
    let { result } = event.outcome;
    let ok = event.outcome.ok;
    // The blobs are written before the record that names them. If they cannot be (a full disk), the record
    // still says what ran and how it ended, names no blob, and says why.
    let blobs: { output: BlobRef | null; index: BlobRef | null; results: BlobRef | null };
    let outputFailure: { code: OutputFailureCode; text: string } | null = output.failure === null || output.failureCode === null ? null : { code: output.failureCode, text: output.failure };
    try {
      if (output.failureCode === 'open') blobs = { output: null, index: null, results: null };
      else {
        blobs = { output: adoptBlob(this.dir, output.file, output.sha256, output.bytes), index: adoptSmallFile(this.dir, output.indexFile), results: null };
        if (result.resultSets.length > 0) blobs.results = writeSmallBlob(this.dir, `${output.file}.results.json`, canonicalize(jsonSafe(result.resultSets)));
      }
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      outputFailure = { code: 'blobs', text: `keeping the output as blobs: ${err.message.startsWith(`${err.code}:`) ? err.message : `${err.code ?? 'error'}: ${err.message}`}` };
      blobs = { output: null, index: null, results: null };
      ok = false;
      if (result.status === 'succeeded') result = { ...result, status: 'error', error: `its output could not be recorded (${outputFailure.text}); it had ended (succeeded)` };
      // The session goes by the same outcome: the step failed, and the run stops (as for any output not recorded).
      Object.assign(event.outcome, { ok, result, output: { ...output, failure: outputFailure.text } });
    }
    const started = this.started.get(event.block.id);
    this.writer.append('step.finished', {
      step: { id: event.step.id },
      block: { id: event.block.id },
      started: started ? { seq: started.seq, sha256: started.hash } : null,
      outcome: {
        status: result.status,
        exit_code: result.exitCode,
        signal: result.signal,
        error: result.error,
        verdict: judgement.verdict,
        reasons: judgement.reasons,
        ok,
        refusal: event.outcome.refusal ?? null,
        result_sets: result.resultSets.map((r) => ({ command: r.command, columns: r.columns, row_count: r.rowCount })),
        results_blob: blobs.results?.path ?? null,
      },
      target: result.target,
      notes: result.notes,
      started_at: result.startedAt,
      ended_at: result.endedAt,
      duration_ms: result.durationMs,
      output: {
        blob: blobs.output?.path ?? null,
        bytes: output.bytes,
        sha256: output.sha256,
        index_blob: blobs.index?.path ?? null,
        stdout: output.streams.stdout,
        stderr: output.streams.stderr,
        info: output.streams.info,
        // Only when the output could not be kept whole: a failed open, write or fsync (ENOSPC, EIO), or blobs not kept.
        ...(outputFailure ? { failure_code: outputFailure.code, failure: outputFailure.text } : {}),
      },
    });
  }

  /** The step.started record of a block that is about to run (what an approver signs). */
  startedRecord(blockId: string): AppendedRecord | null {
    return this.started.get(blockId) ?? null;
  }

  stepSkipped(event: SkipEvent): void {
    const step = stepRef(event.step);
    if (event.by === 'plan') this.writer.append('step.skipped', { step, reason: event.reason, by: 'plan', code: event.code });
    else if (event.by === 'decision') this.writer.append('step.skipped', { step, reason: event.reason, by: 'decision', decision: event.decision });
    else this.writer.append('step.skipped', { step, reason: event.reason, by: 'operator' });
  }

  async stepFinished(event: { step: Step; outcome: StepOutcome }): Promise<void> {
    // Steps that ended without running a block (a protected target not confirmed) are recorded as such.
    if (event.outcome.blocks.length === 0 && event.outcome.status !== 'skipped') {
      const { reason, status, refusal } = event.outcome;
      this.writer.append('step.skipped', { step: stepRef(event.step), reason: reason ?? status, by: 'refused', status, refusal: refusal ?? null });
    }
    if (this.writer.count - this.lastSealSize >= this.sealEvery) await this.seal('periodic');
  }

  async seal(reason: SealReason): Promise<SealResult> {
    const result = await seal(this.writer, this.installation, { reason, retentionDays: this.retentionDays });
    this.lastSealSize = this.writer.count;
    return result;
  }

  /** What the operator recorded for a step done by hand (runbook run): a blank's value, a choice, done or failed. */
  operatorRecorded(r: OperatorRecord): void {
    const step = { id: r.step.id };
    if (r.type === 'fillin') this.record('fillin', { step, label: r.label, value: r.value });
    else if (r.type === 'decision') this.record('decision', { step, decision: r.decision, note: r.note, by: r.by });
    else this.record('step.note', { step, mark: r.mark, note: r.note, by: r.by });
  }

  /**
   * Records what a host saw or was told, typed by record type: `data` is that record's data as the format
   * defines it (audit/records/), so a wrong shape is a compile error (and the writer checks it again).
   */
  record<T extends NoteType>(type: T, data: RecordData<T>): AppendedRecord {
    return this.writer.append(type, data);
  }

  /**
   * The one record a host builds from data it holds only as strings: `run.interrupted`, whose cause is a
   * signal's name. Read through the record type's schema first, so a cause the format does not name is
   * refused (RecordDataError) and nothing is written. Everything else goes through record().
   */
  note(type: 'run.interrupted', data: Record<string, unknown>): AppendedRecord {
    return this.writer.append(type, parseRecordData(type, data));
  }

  /**
   * Records the run's end and seals it; the journal is closed and the run's lock released afterwards,
   * also when either fails (the run is then left for `runbook recover` or an export to close).
   */
  async finish(summary: RunSummary, extra: { interrupted?: string } = {}): Promise<SealResult> {
    try {
      const counts: Partial<Record<StepOutcome['status'], number>> = {};
      for (const s of summary.steps) counts[s.status] = (counts[s.status] ?? 0) + 1;
      const steps = summary.steps.map((s) => ({ id: s.stepId, status: s.status, reason: s.reason }));
      // The cause comes from the host untyped: it must be one of the format's interrupt causes.
      this.writer.append('run.finished', parseRecordData('run.finished', { ok: summary.ok, counts, steps, ...extra }));
      return await this.seal('run-end');
    } finally {
      this.abandon();
    }
  }

  /**
   * The host is going away with the run unfinished: what it has is sealed (a `shutdown` checkpoint, after the
   * run.interrupted the caller journaled), then the journal is closed and the lock released — not ended, so
   * the run is resumed (or recovered) later. The lock is released also when the seal fails.
   */
  async suspend(): Promise<SealResult> {
    try {
      return await this.seal('shutdown');
    } finally {
      this.abandon();
    }
  }

  /** Closes the journal and releases the run's lock without sealing (the run stopped on an error). Idempotent. */
  abandon(): void {
    try {
      this.writer.close();
    } finally {
      this.lock.release();
    }
  }

  relative(file: string): string {
    return path.relative(this.dir, file);
  }
}

/** Why a journal cannot take more records: its run ended (run.finished) or was sealed at its end; null when it can. */
function endOf(file: string): string | null {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.endsWith('}'));
  for (let i = lines.length - 1; i >= 0; i--) {
    let record: { type?: string; data?: { reason?: string } };
    try {
      record = JSON.parse(lines[i] as string) as typeof record;
    } catch {
      continue;
    }
    if (record.type === 'run.finished') return 'has ended (run.finished is recorded)';
    if (record.type === 'checkpoint' && ENDING_SEALS.has(record.data?.reason ?? '')) return `was sealed (${record.data?.reason ?? 'seal'})`;
  }
  return null;
}
