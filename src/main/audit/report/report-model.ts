// report.json: everything an auditor reads about one run, built from the verified journal. Canonical JSON,
// signed by the operator (report.json.sig). The HTML and PDF reports are renderings of this object.
// Format 2: nothing in it comes from outside the journal, its blobs and the bundle (generatedAt is the last
// record's time; warnings are the journal's own), so `runbook verify` rebuilds it and demands the same bytes.
export const REPORT_FORMAT = 'runbook-console-report/2';

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
  output: ReportOutput | null;
  /** seq of the step.started and step.finished records. */
  records: { started: number; finished: number | null };
}

export interface ReportStep {
  id: string;
  title: string;
  line: number;
  profile: string | null;
  status: string;
  reason: string | null;
  blocks: ReportBlock[];
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
  };
  runbook: { path: string; title: string; sha256: string; text: string | null };
  environment: { tool: Record<string, unknown>; host: Record<string, unknown>; options: Record<string, unknown>; variables: unknown[] };
  seal: { size: number; root: string; checkpoint: string; signer: string; signerFingerprint: string } | null;
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
