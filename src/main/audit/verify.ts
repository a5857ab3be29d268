// `runbook verify`: checks a run directory or an exported bundle and summarises what it proves.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { hashFile } from './blobs.js';
import { keyCommitment } from './mac-chain.js';
import type { MacKeyStore } from './key-store.js';
import { type FailureCode, type Finding, VerifyFailure, type WarningCode, fail } from './reasons.js';
import { CHECKPOINT_FILE, JOURNAL_FILE, type JournalRecord } from './record.js';
import { checkJournal } from './verify-journal.js';
import { checkApprovals } from './verify-approvals.js';
import { checkSeals } from './verify-seal.js';

export const MAC_KEY_FILE = 'mac-key.txt';
export const SUMS_FILE = 'SHA256SUMS';

export interface VerifyOptions {
  runId?: string;
  allowedSigners?: string | null;
  prior?: string | null;
  allowUnsealed?: boolean;
  /** Verification key (hex) given by the auditor; else the bundle's mac-key.txt, else the local key store. */
  macKeyHex?: string | null;
  keys?: MacKeyStore;
}

export interface VerifySummary {
  ok: true;
  runId: string;
  kind: 'run directory' | 'bundle';
  records: number;
  steps: { finished: number; skipped: number; failed: number };
  outcome: string;
  sealedSize: number | null;
  signer: { fingerprint: string; principals: string[] | null } | null;
  firstTime: string;
  lastTime: string;
  macChecked: boolean;
  warnings: Finding<WarningCode>[];
}

export type VerifyResult = VerifySummary | { ok: false; failure: Finding<FailureCode> };

export interface InspectedRun {
  summary: VerifySummary;
  records: JournalRecord[];
  lines: string[];
}

export async function verifyRun(dir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  try {
    return (await inspectRun(dir, options)).summary;
  } catch (error) {
    if (error instanceof VerifyFailure) return { ok: false, failure: error.finding };
    throw error;
  }
}

function readOptional(file: string): string | null {
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/** Verifies and returns the records too; throws VerifyFailure on the first problem. */
export async function inspectRun(dir: string, options: VerifyOptions): Promise<InspectedRun> {
  const journalFile = path.join(dir, JOURNAL_FILE);
  if (!existsSync(journalFile)) throw new Error(`${dir}: no ${JOURNAL_FILE} here (give a run directory or an exported bundle)`);
  const bundle = existsSync(path.join(dir, SUMS_FILE));
  if (bundle) await checkSums(dir);
  const bytes = readFileSync(journalFile);
  const runIdGuess = peekRunId(bytes);
  const macKey = findMacKey(dir, runIdGuess, options);
  const checked = checkJournal(bytes, { name: journalFile, macKey });
  const { records, lines, warnings } = checked;
  const first = records[0] as JournalRecord;
  const last = records.at(-1) as JournalRecord;
  if (options.runId !== undefined && first.run !== options.runId) fail('E_RUN_ID', `this is run ${first.run}, not ${options.runId}`, { record: 0, line: 1 });
  if (macKey && first.data.mac_key_sha256 !== keyCommitment(macKey)) {
    fail('E_MAC', 'the verification key given is not the one the run committed to in run.started', { record: 0, line: 1 });
  }
  const seals = checkSeals(
    records,
    lines,
    { checkpoint: readOptional(path.join(dir, CHECKPOINT_FILE)), signature: readOptional(path.join(dir, `${CHECKPOINT_FILE}.sig`)) },
    { allowUnsealed: Boolean(options.allowUnsealed), allowedSigners: options.allowedSigners ?? null, prior: options.prior ?? null },
    warnings,
  );
  checkApprovals(records, lines);
  await checkBlobs(dir, records);
  const finished = records.filter((r) => r.type === 'step.finished');
  const runFinished = records.findLast((r) => r.type === 'run.finished');
  const summary: VerifySummary = {
    ok: true,
    runId: first.run,
    kind: bundle ? 'bundle' : 'run directory',
    records: records.length,
    steps: {
      finished: finished.length,
      skipped: records.filter((r) => r.type === 'step.skipped').length,
      failed: finished.filter((r) => (r.data.outcome as { ok?: boolean } | undefined)?.ok === false).length,
    },
    outcome: runFinished ? (runFinished.data.ok ? 'succeeded' : 'failed') : 'unfinished',
    sealedSize: seals.sealedSize,
    signer: seals.signer,
    firstTime: first.time,
    lastTime: last.time,
    macChecked: checked.macChecked,
    warnings,
  };
  return { summary, records, lines };
}

function peekRunId(bytes: Buffer): string | null {
  const end = bytes.indexOf(0x0a);
  try {
    const run = (JSON.parse(bytes.subarray(0, end < 0 ? undefined : end).toString('utf8')) as { run?: unknown }).run;
    return typeof run === 'string' ? run : null;
  } catch {
    return null;
  }
}

function findMacKey(dir: string, runId: string | null, options: VerifyOptions): Buffer | null {
  const hex = options.macKeyHex ?? readOptional(path.join(dir, MAC_KEY_FILE));
  if (hex !== null) {
    const clean = hex.trim();
    if (!/^[0-9a-f]{64}$/.test(clean)) throw new Error('the MAC verification key must be 64 hex digits');
    return Buffer.from(clean, 'hex');
  }
  if (runId && options.keys) {
    try {
      return options.keys.verificationKey(runId);
    } catch {
      return null;
    }
  }
  return null;
}

async function checkBlobs(dir: string, records: JournalRecord[]): Promise<void> {
  const runbook = (records[0]?.data.runbook ?? {}) as { blob?: string; sha256?: string };
  if (runbook.blob) await checkBlob(dir, runbook.blob, runbook.sha256, 0);
  for (const [i, record] of records.entries()) {
    if (record.type !== 'step.finished') continue;
    const output = record.data.output as { blob?: string; sha256?: string; bytes?: number; index_blob?: string } | undefined;
    if (!output?.blob) continue;
    const refs: [string, string | undefined][] = [[output.blob, output.sha256]];
    if (output.index_blob) refs.push([output.index_blob, output.index_blob.split('/').pop()]);
    const results = (record.data.outcome as { results_blob?: string | null } | undefined)?.results_blob;
    if (results) refs.push([results, results.split('/').pop()]);
    for (const [rel, sha] of refs) await checkBlob(dir, rel, sha, i);
  }
}

async function checkBlob(dir: string, rel: string, sha: string | undefined, i: number): Promise<void> {
  const at = { record: i, line: i + 1 };
  if (!/^blobs\/[0-9a-f]{64}$/.test(rel)) fail('E_BLOB', `record ${i} names blob "${rel}", which is not a blob path`, at);
  const file = path.join(dir, rel);
  if (!existsSync(file)) fail('E_BLOB', `record ${i}: ${rel} is missing`, at);
  const actual = await hashFile(file);
  if (actual.sha256 !== sha || rel !== `blobs/${actual.sha256}`) fail('E_BLOB', `record ${i}: ${rel} does not match its hash (it is ${actual.sha256})`, at);
}

/** A bundle's SHA256SUMS lists every file it ships; each must be present and match. */
async function checkSums(dir: string): Promise<void> {
  const sums = readFileSync(path.join(dir, SUMS_FILE), 'utf8');
  for (const [n, line] of sums.split('\n').entries()) {
    if (line === '') continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) fail('E_BUNDLE', `${SUMS_FILE} line ${n + 1} is not "<sha256>  <file>"`);
    const [, sha, name] = m;
    const file = path.join(dir, name as string);
    if (path.relative(dir, file).startsWith('..')) fail('E_BUNDLE', `${SUMS_FILE} line ${n + 1} names a file outside the bundle`);
    if (!existsSync(file)) fail('E_BUNDLE', `${name} is listed in ${SUMS_FILE} but missing`);
    const actual = createHash('sha256').update(readFileSync(file)).digest('hex');
    if (actual !== sha) fail('E_BUNDLE', `${name} does not match ${SUMS_FILE}`);
  }
}
