// The run record: turns the session's events into journal records. Implements the session's RunRecorder,
// so `step.started` (what will run, where, as whom) is on disk before the action starts.
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import type { Profile, Runbook, Step } from '../../shared/runbook-model.js';
import type { Target } from '../../shared/targets.js';
import type { Binding } from './binding.js';
import type { BlockOutcome, RunRecorder, RunSummary, StepOutcome } from './runner.js';
import type { Verdict } from './verdict.js';
import { adoptBlob, adoptSmallFile, writeSmallBlob } from '../audit/blobs.js';
import { type AppendedRecord, type JournalIo, JournalWriter } from '../audit/journal-writer.js';
import type { MacKeyStore } from '../audit/key-store.js';
import type { Installation } from '../audit/installation.js';
import { type SealReason, type SealResult, seal } from '../audit/seal.js';
import { canonicalize } from '../audit/canonical.js';
import { jsonSafe } from '../audit/json-safe.js';
import { sha256Hex } from '../audit/record.js';

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
  options: Record<string, unknown>;
  variables: { name: string; secret: boolean; source: string }[];
}

/** What a step.started record says about the target: configuration only, never secrets. */
export function describeTarget(binding: Binding): Record<string, unknown> {
  const t: Target = binding.target;
  const base = { name: binding.targetName, kind: t.kind, bound_by: binding.source, protected: Boolean(t.protected) };
  switch (t.kind) {
    case 'local':
      return { ...base, shell: t.shell ?? 'bash', cwd: t.cwd ?? null, host: hostname() };
    case 'ssh':
      return { ...base, host: t.host, port: t.port ?? null, user: t.user ?? null, fingerprint_pinned: t.fingerprint ?? null, known_hosts: t.knownHosts ?? null, jump: t.jump ?? null };
    case 'postgres':
      return { ...base, host: t.host, port: t.port ?? 5432, database: t.database, user: t.user, sslmode: t.sslmode ?? 'prefer', password_from: t.passwordEnv ? `env:${t.passwordEnv}` : t.passwordSecret ? `secret:${t.passwordSecret}` : null };
    case 'kubernetes':
      return { ...base, kubeconfig: t.kubeconfig ?? null, context: t.context ?? null, namespace: t.namespace ?? null };
    case 'prometheus':
      return { ...base, url: t.url };
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
  ) {}

  get dir(): string {
    return this.writer.dir;
  }

  static start(dir: string, info: RunStartInfo, keys: MacKeyStore, installation: Installation, options: { retentionDays: number | null; sealEvery?: number; io?: JournalIo }): RunJournal {
    const { writer, macKeyCommitment } = JournalWriter.create(dir, info.runId, { keys, ...(options.io ? { io: options.io } : {}) });
    const journal = new RunJournal(writer, info.runId, installation, options.retentionDays, options.sealEvery ?? SEAL_EVERY);
    const runbookBlob = writeSmallBlob(dir, path.join(dir, '.runbook.tmp'), Buffer.from(info.runbookBytes));
    writer.append('run.started', {
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
    });
    return journal;
  }

  blockStarting(event: { step: Step; block: { id: string; line: number; action: string; lang: string | null }; binding: Binding; command: string; env: string[]; params: number; verdict: Verdict }): void {
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
    const { result, judgement, output } = event.outcome;
    const outputBlob = adoptBlob(this.dir, output.file, output.sha256, output.bytes);
    const indexBlob = adoptSmallFile(this.dir, output.indexFile);
    const resultsBlob = result.resultSets.length > 0 ? writeSmallBlob(this.dir, `${output.file}.results.json`, canonicalize(jsonSafe(result.resultSets))) : null;
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
        ok: event.outcome.ok,
        refusal: event.outcome.refusal ?? null,
        result_sets: result.resultSets.map((r) => ({ command: r.command, columns: r.columns, row_count: r.rowCount })),
        results_blob: resultsBlob?.path ?? null,
      },
      target: result.target,
      notes: result.notes,
      started_at: result.startedAt,
      ended_at: result.endedAt,
      duration_ms: result.durationMs,
      output: {
        blob: outputBlob.path,
        bytes: outputBlob.bytes,
        sha256: outputBlob.sha256,
        index_blob: indexBlob.path,
        stdout: output.streams.stdout,
        stderr: output.streams.stderr,
        info: output.streams.info,
      },
    });
  }

  /** The step.started record of a block that is about to run (what an approver signs). */
  startedRecord(blockId: string): AppendedRecord | null {
    return this.started.get(blockId) ?? null;
  }

  stepSkipped(event: { step: Step; reason: string; by: 'plan' | 'operator' }): void {
    this.writer.append('step.skipped', { step: stepRef(event.step), reason: event.reason, by: event.by });
  }

  async stepFinished(event: { step: Step; outcome: StepOutcome }): Promise<void> {
    // Steps that ended without running a block (a protected target not confirmed) are recorded as such.
    if (event.outcome.blocks.length === 0 && event.outcome.status !== 'skipped') {
      this.writer.append('step.skipped', { step: stepRef(event.step), reason: event.outcome.reason, by: 'refused', status: event.outcome.status, refusal: event.outcome.refusal ?? null });
    }
    if (this.writer.count - this.lastSealSize >= this.sealEvery) await this.seal('periodic');
  }

  async seal(reason: SealReason): Promise<SealResult> {
    const result = await seal(this.writer, this.installation, { reason, retentionDays: this.retentionDays });
    this.lastSealSize = this.writer.count;
    return result;
  }

  note(type: 'trust' | 'decision' | 'signoff' | 'fillin' | 'approval' | 'error' | 'step.note' | 'run.paused' | 'run.resumed' | 'run.interrupted' | 'runbook.reloaded', data: Record<string, unknown>): AppendedRecord {
    return this.writer.append(type, data);
  }

  /** Records the run's end and seals it; the journal is closed afterwards. */
  async finish(summary: RunSummary, extra: Record<string, unknown> = {}): Promise<SealResult> {
    const counts: Record<string, number> = {};
    for (const s of summary.steps) counts[s.status] = (counts[s.status] ?? 0) + 1;
    this.writer.append('run.finished', {
      ok: summary.ok,
      counts,
      steps: summary.steps.map((s) => ({ id: s.stepId, status: s.status, reason: s.reason })),
      ...extra,
    });
    const sealed = await this.seal('run-end');
    this.writer.close();
    return sealed;
  }

  relative(file: string): string {
    return path.relative(this.dir, file);
  }
}
