// report.json: everything an auditor reads about one run, built from the verified journal. Canonical JSON,
// signed by the operator (report.json.sig). The HTML and PDF reports are renderings of this object.
// Format 2: nothing in it comes from outside the journal, its blobs and the bundle (generatedAt is the last
// record's time; warnings are the journal's own), so `runbook verify` rebuilds it and demands the same bytes.
// Format 3 adds, from the same records: per step its skip, decisions, sign-offs, notes and fill-ins; per block
// its read-only verdict, the names of the environment variables it got and its approvals; and notDone.
// Format 4 adds, from journal format 2's records: a note's change (a decision, mark or skip changed: what, from,
// to and why) and the run's endedEarly (sealed with steps unfinished: by whom, why, which).
export const REPORT_FORMAT = 'runbook-console-report/4';

export interface ReportOutput {
  blob: string | null;
  sha256: string;
  bytes: number;
  stdout: { sha256: string; bytes: number } | null;
  stderr: { sha256: string; bytes: number } | null;
  /** The first and last part of the output (masked as recorded), for reading without the blob. */
  excerpt: string;
  excerptTruncated: boolean;
}

export interface ReportBlock {
  id: string;
  line: number;
  action: string;
  lang: string | null;
  /** The exact text that ran, secrets masked. */
  command: string;
  commandSha256: string;
  stateChanging: boolean;
  /** Configuration of the target when the block started (kind, host, user, database, context …). */
  target: Record<string, unknown>;
  /** What the executor reported about where it ran (endpoint, details). */
  ranOn: Record<string, unknown> | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  status: string;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  verdict: string | null;
  reasons: string[];
  ok: boolean | null;
  resultSets: { command: string | null; columns: string[]; rowCount: number | null }[];
  notes: string[];
  /** The parser's verdict behind stateChanging (step.started verdict). */
  readOnly: { code: string; detail: string };
  /** Names of the environment variables the block got (step.started env): never their values. */
  env: string[];
  /** The approval records naming its step.started, recorded while it was open (RESTRICTED). */
  approvals: ReportApproval[];
  output: ReportOutput | null;
  /** seq of the step.started and step.finished records. */
  records: { started: number; finished: number | null };
}

export interface ReportApproval {
  record: number;
  time: string;
  /** null: withdrawn or timed out, nobody offered a signature. */
  approver: string | null;
  granted: boolean;
  /** Why it was refused, withdrawn or timed out (null: granted). */
  code: string | null;
  reason: string | null;
  fingerprint: string | null;
}

/** Who did what to a step, each from one record (its seq and time). */
export interface ReportSkip {
  record: number;
  by: string;
  /** The plan's code (by: plan), else null. */
  code: string | null;
  /** The refusal (by: refused), else null. */
  refusal: string | null;
  reason: string;
}

export interface ReportDecision {
  record: number;
  time: string;
  decision: string;
  note: string | null;
  by: string;
}

export interface ReportSignoff {
  record: number;
  time: string;
  name: string;
  role: string;
  date: string;
  principal: string;
  method: string;
  accepted: boolean;
  fingerprint: string | null;
  /** Refused only: why. */
  code: string | null;
  reason: string | null;
}

/** A step.note: the operator's note (text), a mark (mark, note) or a binding to another target. */
export interface ReportNote {
  record: number;
  time: string;
  by: string;
  text: string | null;
  mark: string | null;
  note: string | null;
  binding: { block: string; target: string; kind: string; endpoint: string } | null;
  /** A change of what was recorded (decision, mark, skip): from and to as recorded, and the reason. */
  change: string | null;
  from: string | null;
  to: string | null;
  reason: string | null;
}

/** The operator sealed the run with steps unfinished (run.ended-early): who, why, and which steps. */
export interface ReportEndedEarly {
  record: number;
  time: string;
  by: string;
  reason: string | null;
  unfinished: { step: string; title: string; what: string }[];
}

export interface ReportFillIn {
  record: number;
  time: string;
  label: string;
  /** As journaled: a secret variable's value is journaled masked. */
  value: string;
}

export interface ReportStep {
  id: string;
  /** null (and line null): a step no record names but by id (a decision, sign-off, note, or the run's end). */
  title: string | null;
  line: number | null;
  profile: string | null;
  status: string;
  reason: string | null;
  skip: ReportSkip | null;
  decisions: ReportDecision[];
  signoffs: ReportSignoff[];
  notes: ReportNote[];
  fillIns: ReportFillIn[];
  blocks: ReportBlock[];
}

/** One thing not done, for the top of the report: a step that did not succeed, or a sign-off refused and not given. */
export interface ReportNotDone {
  step: string;
  title: string | null;
  what: string;
  reason: string | null;
  /** The record that says so (a skip, a sign-off), when one does. */
  record: number | null;
}

export interface ReportEvent {
  seq: number;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

export interface ReportWarning {
  code: string;
  record: number | null;
  detail: string;
}

export interface Report {
  format: typeof REPORT_FORMAT;
  run: {
    id: string;
    profile: string;
    retentionDays: number | null;
    operator: { name: string; osUser: string; hostname: string };
    installation: { id: string; publicKey: string };
    startedAt: string;
    endedAt: string;
    outcome: 'succeeded' | 'failed' | 'unfinished';
    counts: Record<string, number>;
    /** Null: not sealed early by an operator (or a format-1 journal, which cannot say). */
    endedEarly: ReportEndedEarly | null;
    /** (Journal format 4.) The team store the run shipped to, and whether its state-changing steps waited for it; absent when it shipped nowhere. */
    store?: { url: string; gate: boolean };
  };
  runbook: { path: string; title: string; sha256: string; text: string | null };
  environment: { tool: Record<string, unknown>; host: Record<string, unknown>; options: Record<string, unknown>; variables: unknown[] };
  seal: { size: number; root: string; checkpoint: string; signer: string; signerFingerprint: string } | null;
  /** What was not done, in step order: steps that failed, were cancelled, skipped or not run, and refused sign-offs. */
  notDone: ReportNotDone[];
  steps: ReportStep[];
  /** Decisions, sign-offs, fill-ins, approvals, trust decisions, notes, pauses, recoveries, errors, checkpoints. */
  events: ReportEvent[];
  warnings: ReportWarning[];
  /** Every journal record as written (parsed), so the report alone carries the whole record. */
  records: Record<string, unknown>[];
  /** How to check this report and the bundle offline. */
  verification: { journalSha256: string; records: number; commands: string[] };
  /** The time of the journal's last record: the state of the run the report shows (not when it was rendered). */
  generatedAt: string;
}
