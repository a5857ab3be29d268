// Approvals across machines through the team store (schema migration 2). The operator's run asks for a
// second person's signature over a stored step.started record (approval_requests); an approver on another
// machine reads that very line from the store, checks that it belongs to the run it claims to, signs its hash
// with their own SSH key and adds the signature (approval_answers); the operator's run hears of it through
// LISTEN/NOTIFY, decides it against the approvers list its run.started recorded, and journals the decision —
// which is shipped to the store like every record, so the approver can read what became of their answer.
//
// The store only carries the request and the answers: it decides nothing. Whatever an answer holds, the run
// checks it (audit/approval.ts decideApproval); the database keeps out what is plainly not an answer (the
// run's own login, a closed request, a flood).
import type pg from 'pg';
import { type ApprovalPolicy, type RecordedApprovers, type OperatorKey } from '../audit/approval.js';
import { sha256Hex } from '../audit/record.js';
import { type RecordData, recordDataOrNull } from '../audit/records/index.js';
import { storedRecords } from './records.js';
import { STORE_SCHEMA } from './schema.js';

/** The channels the store's triggers notify (the payload is the run's id). */
export const REQUESTS_CHANNEL = 'runbook_store_requests';
export const ANSWERS_CHANNEL = 'runbook_store_answers';

/** How long a request stays open by default (s): the approver may be a phone call away. */
export const DEFAULT_APPROVAL_WAIT_S = 900;

export type StoreApprovalRefusalCode = 'not-stored' | 'not-a-step' | 'not-owner' | 'no-request' | 'expired' | 'own-request' | 'not-this-login' | 'too-many' | 'invalid';

/** The store would not take a request or an answer: which of its rules, and its words. */
export class StoreApprovalRefusal extends Error {
  constructor(
    readonly code: StoreApprovalRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

const HINTED: readonly StoreApprovalRefusalCode[] = ['not-stored', 'not-a-step', 'not-owner', 'no-request', 'expired', 'own-request', 'not-this-login', 'too-many'];

function refusalOf(error: unknown): StoreApprovalRefusal | null {
  const e = error as { code?: string; hint?: string; message?: string };
  const hinted = e.hint?.startsWith('runbook-store:') ? (e.hint.slice('runbook-store:'.length) as StoreApprovalRefusalCode) : null;
  if (hinted && HINTED.includes(hinted)) return new StoreApprovalRefusal(hinted, e.message ?? hinted);
  if (e.code === '23503') return new StoreApprovalRefusal(e.message?.includes('approval_requests') ? 'no-request' : 'not-stored', e.message ?? 'not stored');
  if (e.code === '23514' || e.code === '22001') return new StoreApprovalRefusal('invalid', e.message ?? 'refused by the store');
  return null;
}

export interface ApprovalRequest {
  runId: string;
  /** The step.started record to approve. */
  seq: number;
  /** SHA-256 of its line, as the database computed it: the message an approver signs. */
  hash: string;
  requestedAt: Date;
  expiresAt: Date;
  requestedBy: string;
}

type RequestRow = { run_id: string; seq: string; hash: string; requested_at: Date; expires_at: Date; requested_by: string };
const requestOf = (r: RequestRow): ApprovalRequest => ({ runId: r.run_id, seq: Number(r.seq), hash: r.hash, requestedAt: r.requested_at, expiresAt: r.expires_at, requestedBy: r.requested_by });
const REQUEST_COLUMNS = 'run_id, seq, hash, requested_at, expires_at, requested_by';

/** Asks for an approval of stored record `seq` of `runId`, open `waitSeconds`; asked again, the stored request stands. */
export async function requestApproval(client: pg.Client, runId: string, seq: number, waitSeconds: number): Promise<ApprovalRequest> {
  try {
    const inserted = await client.query<RequestRow>(
      `INSERT INTO ${STORE_SCHEMA}.approval_requests (run_id, seq, hash, wait_seconds, requested_at, expires_at, requested_by)
       VALUES ($1, $2, '', $3, now(), now(), current_user) ON CONFLICT (run_id, seq) DO NOTHING RETURNING ${REQUEST_COLUMNS}`,
      [runId, seq, Math.max(1, Math.min(86_400, Math.ceil(waitSeconds)))],
    );
    const row = inserted.rows[0] ?? (await client.query<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM ${STORE_SCHEMA}.approval_requests WHERE run_id = $1 AND seq = $2`, [runId, seq])).rows[0];
    if (!row) throw new StoreApprovalRefusal('invalid', `the store neither took nor holds the request for record ${seq} of run ${runId}`);
    return requestOf(row);
  } catch (error) {
    throw refusalOf(error) ?? error;
  }
}

export interface ApprovalAnswer {
  /** The store's number for it: answers are read in this order. */
  id: number;
  runId: string;
  seq: number;
  /** The name the approver signs as (an allowed_signers principal). */
  approver: string;
  /** Armoured SSHSIG, as the approver sent it. */
  signature: string;
  answeredAt: Date;
  /** The database login that sent it. */
  answeredBy: string;
}

type AnswerRow = { id: string; run_id: string; seq: string; approver: string; signature: string; answered_at: Date; answered_by: string };
const answerOf = (r: AnswerRow): ApprovalAnswer => ({ id: Number(r.id), runId: r.run_id, seq: Number(r.seq), approver: r.approver, signature: r.signature, answeredAt: r.answered_at, answeredBy: r.answered_by });
const ANSWER_COLUMNS = 'id, run_id, seq, approver, signature, answered_at, answered_by';

/**
 * Every answer to the request for record `seq` of `runId` (at most a hundred), oldest first. Read whole each
 * time: ids are not handed out in the order answers commit, and a writer may choose one.
 */
export async function answersTo(client: pg.Client, runId: string, seq: number): Promise<ApprovalAnswer[]> {
  const { rows } = await client.query<AnswerRow>(`SELECT ${ANSWER_COLUMNS} FROM ${STORE_SCHEMA}.approval_answers WHERE run_id = $1 AND seq = $2 ORDER BY answered_at, id`, [runId, seq]);
  return rows.map(answerOf);
}

/** Adds an approver's answer (their name and armoured signature) to an open request. */
export async function answerApproval(client: pg.Client, answer: { runId: string; seq: number; approver: string; signature: string }): Promise<ApprovalAnswer> {
  try {
    const { rows } = await client.query<AnswerRow>(
      `INSERT INTO ${STORE_SCHEMA}.approval_answers (run_id, seq, approver, signature, answered_at, answered_by)
       VALUES ($1, $2, $3, $4, now(), current_user) RETURNING ${ANSWER_COLUMNS}`,
      [answer.runId, answer.seq, answer.approver, answer.signature],
    );
    return answerOf(rows[0] as AnswerRow);
  } catch (error) {
    throw refusalOf(error) ?? error;
  }
}

/** What an approver is shown of a request, every part read from the stored lines themselves. */
export interface RequestDetails extends ApprovalRequest {
  /** The run's first record: the runbook and its hash, the operator, the profile, the approvers list. */
  run: RecordData<'run.started'>;
  /** The record to approve: the exact command, the target, the block. */
  started: RecordData<'step.started'>;
  /** SHA-256 of the stored step.started line, computed here (the message signed). */
  message: string;
  /** Why the stored lines cannot be trusted to be this run's (a broken chain, a hash that differs), or null. */
  problem: string | null;
  /** The approval policy run.started recorded (null: the run recorded none). */
  policy: ApprovalPolicy | null;
  /** Answers the operator's run has journaled as refused so far, with why. */
  refused: { approver: string | null; reason: string }[];
  /** The request is settled (an approval granted, withdrawn or timed out, the block over, the run ended), and how. */
  closed: string | null;
}

interface Parsed {
  type: string;
  seq: number;
  prev: string;
  run: string;
  data: Record<string, unknown>;
}

function parseLine(line: string): Parsed | null {
  try {
    const r = JSON.parse(line) as Parsed;
    return r && typeof r === 'object' && typeof r.type === 'string' && typeof r.prev === 'string' && r.data && typeof r.data === 'object' ? r : null;
  } catch {
    return null;
  }
}

/**
 * The details of one request: the run's stored records from its run.started to the step.started asked for,
 * checked to follow each other (each names the previous line's hash), so what the approver reads and signs
 * is this run's record and not a line placed beside it; and what the run journaled since about the request.
 */
export async function requestDetails(client: pg.Client, request: ApprovalRequest): Promise<RequestDetails> {
  const prefix = await storedRecords(client, request.runId, 0, request.seq);
  const lines = prefix.map((r) => r.line);
  let problem: string | null = null;
  let previous = '0'.repeat(64);
  for (const [i, line] of lines.entries()) {
    const parsed = parseLine(line);
    if (!parsed || parsed.seq !== i || parsed.run !== request.runId || parsed.prev !== previous) {
      problem ??= `stored record ${i} of run ${request.runId} does not follow the one before it`;
    }
    previous = sha256Hex(line);
  }
  if (lines.length !== request.seq + 1) problem ??= `the store holds ${lines.length} of the run's first ${request.seq + 1} records`;
  const message = lines.length > 0 ? sha256Hex(lines.at(-1) as string) : '';
  if (message !== request.hash) problem ??= `the stored line's hash is not the request's (${request.hash.slice(0, 16)}…)`;
  const first = lines[0] ? parseLine(lines[0]) : null;
  const last = lines.at(-1) ? parseLine(lines.at(-1) as string) : null;
  const run = first?.type === 'run.started' ? recordDataOrNull('run.started', first.data) : null;
  const started = last?.type === 'step.started' ? recordDataOrNull('step.started', last.data) : null;
  if (!run || !started) throw new StoreApprovalRefusal('invalid', `run ${request.runId}: record 0 or record ${request.seq} is not a run.started or step.started this tool reads`);
  const after = await laterRecords(client, request);
  return { ...request, run, started, message, problem, policy: policyOf(run), ...after };
}

function policyOf(run: RecordData<'run.started'>): ApprovalPolicy | null {
  const approvers = run.options.approvers as RecordedApprovers | undefined;
  if (!approvers) return null;
  return { approvers, operator: run.operator.name, operatorKeys: (run.options.operator_keys ?? []) as OperatorKey[] };
}

/** What the run journaled after the request about it: refusals so far, and whether it is settled. */
async function laterRecords(client: pg.Client, request: ApprovalRequest): Promise<Pick<RequestDetails, 'refused' | 'closed'>> {
  const { rows } = await client.query<{ seq: string; type: string; line: string }>(
    `SELECT seq, type, line FROM ${STORE_SCHEMA}.records WHERE run_id = $1 AND seq > $2 AND type IN ('approval', 'step.finished', 'run.finished') ORDER BY seq`,
    [request.runId, request.seq],
  );
  const refused: RequestDetails['refused'] = [];
  for (const row of rows) {
    const parsed = parseLine(row.line);
    if (!parsed) continue;
    if (row.type === 'run.finished') return { refused, closed: `the run ended (record ${row.seq})` };
    const about = (parsed.data.started as { seq?: unknown } | null | undefined)?.seq === request.seq;
    if (!about) continue;
    if (row.type === 'step.finished') return { refused, closed: `the block ended (record ${row.seq})` };
    const d = parsed.data as { granted?: unknown; code?: unknown; approver?: unknown; reason?: unknown };
    if (d.granted === true) return { refused, closed: `approved by ${String(d.approver)} (record ${row.seq})` };
    if (d.code === 'withdrawn' || d.code === 'timed-out') return { refused, closed: `${d.code === 'withdrawn' ? 'withdrawn' : 'timed out'} (record ${row.seq}): ${String(d.reason)}` };
    refused.push({ approver: typeof d.approver === 'string' ? d.approver : null, reason: String(d.reason) });
  }
  return { refused, closed: null };
}

/** Requests still open now: not expired, and not settled by what the run journaled. Oldest first. */
export async function openRequests(client: pg.Client, options: { runId?: string } = {}): Promise<RequestDetails[]> {
  const { rows } = await client.query<RequestRow>(
    `SELECT ${REQUEST_COLUMNS} FROM ${STORE_SCHEMA}.approval_requests WHERE expires_at > clock_timestamp() AND ($1::text IS NULL OR run_id = $1) ORDER BY requested_at`,
    [options.runId ?? null],
  );
  const open: RequestDetails[] = [];
  for (const row of rows) {
    const details = await requestDetails(client, requestOf(row));
    if (details.closed === null) open.push(details);
  }
  return open;
}

/** One request, open or not (null: never asked). */
export async function findRequest(client: pg.Client, runId: string, seq: number): Promise<ApprovalRequest | null> {
  const { rows } = await client.query<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM ${STORE_SCHEMA}.approval_requests WHERE run_id = $1 AND seq = $2`, [runId, seq]);
  return rows[0] ? requestOf(rows[0]) : null;
}
