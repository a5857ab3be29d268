// `runbook verify`: checks a run directory or an exported bundle and summarises what it proves — and whether
// anything the verifier holds (--allowed-signers, --prior, --pin) anchors the keys that signed it. A run or
// bundle is consistent with itself whoever made it (a bundle even ships the MAC key), so "intact" alone is
// exit 3; only "intact and anchored" is exit 0 (reasons.ts, EXIT).
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { hashFile } from './blobs.js';
import { keyCommitment } from './mac-chain.js';
import { merkleHashCount } from './merkle.js';
import type { MacKeyStore } from './key-store.js';
import { principalFor } from './principal.js';
import { type FailureCode, type Finding, VerifyFailure, type WarningCode, fail } from './reasons.js';
import { CHECKPOINT_FILE, JOURNAL_FILE, type JournalRecord, type RecordOf, type TypedRecord } from './record.js';
import { ReportAssembler, reportWarnings } from './report/build-report.js';
import { Anchors } from './verify-anchors.js';
import { type CheckedSignature, ApprovalChecker, type SignatureList } from './verify-approvals.js';
import { BUNDLE_NAMESPACE, type BundleSigner, REPORT_HTML, REPORT_JSON, SUMS_FILE, checkBundleFiles, checkBundleSignatures } from './verify-bundle.js';
import { verifyInstructions } from './verify-instructions.js';
import { type CheckedLine, JournalChecker, parseRecord } from './verify-journal.js';
import { CHECK, FirstFailure } from './verify-phases.js';
import { RecordDataChecker } from './verify-records.js';
import { parseRecordData } from './records/index.js';
import { compareReport, reportFailure } from './verify-report.js';
import { SealChecker, type SealKey, type SealSummary } from './verify-seal.js';
import { SignoffChecker } from './verify-signoffs.js';

export const MAC_KEY_FILE = 'mac-key.txt';
export { SUMS_FILE };

export interface VerifyOptions {
  runId?: string;
  /** allowed_signers text: whose keys may seal (runbook-console-checkpoint), sign the bundle (-audit), approve (-approval), sign off (-signoff). Only lines naming the namespace count. */
  allowedSigners?: string | null;
  /** An earlier checkpoint held elsewhere (three lines, optionally with its SSHSIG appended, or the one-line ticket form). */
  prior?: string | null;
  /** The prior checkpoint's SSHSIG, when given beside it (FILE.sig). */
  priorSignature?: string | null;
  /** Fingerprints (SHA256:…) of the installation key. */
  pins?: readonly string[];
  allowUnsealed?: boolean;
  /**
   * false: the files the records name (the runbook's copy, outputs) are not looked for — a journal without
   * them, as the team store keeps it. Their hashes are still in the records the checks cover.
   */
  blobs?: boolean;
  /** Verification key (hex) given by the auditor; else the bundle's mac-key.txt, else the local key store. */
  macKeyHex?: string | null;
  keys?: MacKeyStore;
  /** Filled in with what the verification did (tests). */
  stats?: VerifyStats;
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
  /** Every signature in it is vouched for by an anchor the verifier holds (exit 0); else intact but unanchored (exit 3). */
  anchored: boolean;
  trust: Trust;
}

export interface SignedBy {
  fingerprint: string;
  /** Principals of the --allowed-signers lines that name the key for its namespace (null without --allowed-signers). */
  principals: string[] | null;
  /** What vouches for the key; empty when nothing does. */
  anchoredBy: string[];
}

export interface CheckedSignatures {
  total: number;
  unanchored: number;
  /** The first ones (up to a thousand): record, the record it approves or signs off, principal, key, anchoring. */
  items: CheckedSignature[];
}

export interface Trust {
  /** The key that sealed the run (null: no checkpoint, nothing signed). */
  seal: SignedBy | null;
  /** The key that signed the bundle's SHA256SUMS and report.json (bundles only). */
  bundle: SignedBy | null;
  approvals: CheckedSignatures;
  signoffs: CheckedSignatures;
  /** What is not anchored, in words; empty when the verification is anchored. */
  unanchored: string[];
}

export type VerifyResult = VerifySummary | { ok: false; failure: Finding<FailureCode> };

export interface InspectedRun {
  summary: VerifySummary;
  /** Every record, read through its schema (verify-records.ts), with its line. */
  records: TypedRecord[];
  lines: string[];
}

/** What a verification did, for tests that check its work grows linearly with the journal. */
export interface VerifyStats {
  /** Times the journal was opened for reading (once, unless a duplicated record had to be told from an inserted one). */
  journalOpens: number;
  journalBytesRead: number;
  /** Complete lines taken from the journal. */
  lines: number;
  /** Merkle leaf and node hashes (merkle.ts) computed while verifying: every checkpoint's root, --prior. */
  merkleHashes: number;
  /** The most bytes held back at once waiting for a line's end (about the longest line). */
  maxPendingBytes: number;
}

export async function verifyRun(dir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  try {
    return (await verifyStream(dir, options, false, options.stats)).summary;
  } catch (error) {
    if (error instanceof VerifyFailure) return { ok: false, failure: error.finding };
    throw error;
  }
}

function readOptional(file: string): string | null {
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/** Verifies and returns the records too (for the report); throws VerifyFailure on the first problem. */
export async function inspectRun(dir: string, options: VerifyOptions): Promise<InspectedRun> {
  const { summary, records, lines } = await verifyStream(dir, options, true);
  return { summary, records: records as TypedRecord[], lines: lines as string[] };
}

/** Bytes read from the journal at a time. Lines are cut from each chunk; only a line's unfinished start is carried. */
const CHUNK_BYTES = 1 << 20;

/**
 * One pass over the journal, a chunk at a time: each line goes through the record checks, the seal (Merkle
 * tree kept as O(log n) subtree roots), the approvals (blocks still open) and the blob references (hashed
 * after each chunk), and the summary counts. Nothing per record is kept unless `collect` asks for it.
 */
async function verifyStream(dir: string, options: VerifyOptions, collect: boolean, stats?: VerifyStats): Promise<{ summary: VerifySummary; records?: TypedRecord[]; lines?: string[] }> {
  const journalFile = path.join(dir, JOURNAL_FILE);
  if (!existsSync(journalFile)) throw new Error(`${dir}: no ${JOURNAL_FILE} here (give a run directory or an exported bundle)`);
  const anchors = new Anchors({ allowedSigners: options.allowedSigners ?? null, pins: options.pins ?? [] });
  const bundle = existsSync(path.join(dir, SUMS_FILE));
  // A bundle's files and signatures first: what it ships must all be listed, match, and be signed.
  let bundleSigner: BundleSigner | null = null;
  if (bundle) {
    await checkBundleFiles(dir);
    bundleSigner = await checkBundleSignatures(dir);
  }
  const counters: VerifyStats = stats ?? { journalOpens: 0, journalBytesRead: 0, lines: 0, merkleHashes: 0, maxPendingBytes: 0 };

  const merkleHashesBefore = merkleHashCount();
  const failures = new FirstFailure();
  let macKey: Buffer | null = null;
  const journal = new JournalChecker(
    {
      name: journalFile,
      macKey: (firstLine) => (macKey = findMacKey(dir, peekRunId(firstLine), options)),
      lineAt: (index) => {
        counters.journalOpens++;
        return lineOfFile(journalFile, index);
      },
    },
    failures,
  );
  const blobs: BlobRef[] = [];
  const records: TypedRecord[] = [];
  const lines: string[] = [];
  // What the summary and the later checks need from the pass; set from record 0 on.
  const run: {
    first: JournalRecord | null;
    last: JournalRecord | null;
    runFinished: RecordOf<'run.finished'> | null;
    seals: SealChecker | null;
    approvals: ApprovalChecker | null;
    signoffs: SignoffChecker | null;
    report: ReportAssembler | null;
    previousHash: string | null;
  } = {
    first: null,
    last: null,
    runFinished: null,
    seals: null,
    approvals: null,
    signoffs: null,
    // A bundle's report is built again as the journal goes by, streaming (only hashes of its per-record parts are kept).
    report: bundle ? new ReportAssembler(dir, false) : null,
    previousHash: null,
  };
  const steps = { finished: 0, skipped: 0, failed: 0 };

  const recordData = new RecordDataChecker();

  const onLine = (bytes: Buffer): void => {
    const checked = journal.line(bytes);
    if (!checked) return;
    const { index: i, record } = checked;
    if (i === 0) {
      run.first = record;
      failures.run(CHECK.run, () => {
        if (options.runId !== undefined && record.run !== options.runId) fail('E_RUN_ID', `this is run ${record.run}, not ${options.runId}`, { record: 0, line: 1 });
        if (macKey && record.data.mac_key_sha256 !== keyCommitment(macKey)) {
          fail('E_MAC', 'the verification key given is not the one the run committed to in run.started', { record: 0, line: 1 });
        }
      });
    }
    run.last = record;
    // Everything after this reads what the record says, through its schema: once a record does not fit, it stops.
    const typed = failures.attempt(CHECK.data, () => recordData.record(i, record, checked.parsed));
    if (typed) {
      if (collect) {
        records.push(typed);
        lines.push(checked.text);
      }
      onRecord(i, typed, checked);
    }
    run.previousHash = checked.hash;
  };

  const onRecord = (i: number, record: TypedRecord, checked: CheckedLine): void => {
    if (i === 0 && record.type === 'run.started') {
      const start = record;
      failures.run(CHECK.seal, () => {
        const files = { checkpoint: readOptional(path.join(dir, CHECKPOINT_FILE)), signature: readOptional(path.join(dir, `${CHECKPOINT_FILE}.sig`)) };
        run.seals = new SealChecker(start, files, { allowUnsealed: Boolean(options.allowUnsealed), anchors, prior: options.prior ?? null, priorSignature: options.priorSignature ?? null });
      });
      failures.run(CHECK.approval, () => {
        run.approvals = new ApprovalChecker(start, { anchors, exportKey: bundleSigner?.key ?? null });
      });
      failures.run(CHECK.signoff, () => {
        run.signoffs = new SignoffChecker(start, bundleSigner?.key ?? null, anchors);
      });
      if (options.blobs !== false) blobs.push({ rel: start.data.runbook.blob, sha: start.data.runbook.sha256, record: 0 });
    }
    if (record.type === 'step.finished') {
      steps.finished++;
      if (!record.data.outcome.ok) steps.failed++;
      if (options.blobs !== false && failures.open(CHECK.blob)) blobs.push(...blobRefs(record, i));
    } else if (record.type === 'step.skipped') steps.skipped++;
    else if (record.type === 'run.finished') run.runFinished = record;
    const { seals, approvals, signoffs, report, previousHash } = run;
    if (seals) failures.run(CHECK.seal, () => seals.record(i, record, checked.data));
    if (approvals) failures.run(CHECK.approval, () => approvals.record(i, record, checked.hash));
    if (signoffs) failures.run(CHECK.signoff, () => signoffs.record(i, record, previousHash));
    if (report && failures.open(CHECK.report)) failures.run(CHECK.report, () => unbuildable(() => report.record(record, checked.text), i));
  };

  const tail = await readLines(journalFile, onLine, () => checkBlobs(dir, blobs, failures), () => failures.settled, counters);
  if (!failures.settled) journal.end(tail);
  await checkBlobs(dir, blobs, failures);
  const { first, last, seals, approvals, signoffs, runFinished, report } = run;
  const sealed: { summary: SealSummary | null } = { summary: null };
  if (seals && last) failures.run(CHECK.seal, () => (sealed.summary = seals.finish(journal.lines, last.type)));
  if (approvals) failures.run(CHECK.approval, () => approvals.finish());
  counters.lines = journal.lines;
  counters.merkleHashes = merkleHashCount() - merkleHashesBefore;
  const warnings = (): Finding<WarningCode>[] => [...journal.warnings(), ...(seals?.warnings ?? [])];

  // A bundle's report.json and report.html against the report the journal gives, once everything before passed.
  if (bundle && report && first && last && !failures.failed) {
    try {
      await checkReport(dir, report, first, bundleSigner as BundleSigner, warnings());
    } catch (error) {
      failures.note(CHECK.report, error);
    }
  }
  let bundleTrust: SignedBy | null = null;
  if (bundleSigner && !failures.failed) failures.run(CHECK.anchor, () => (bundleTrust = anchorBundle(bundleSigner as BundleSigner, sealed.summary?.key ?? null, anchors)));
  failures.throwIfFailed();

  // Nothing failed, so every record passed every check: the first, the last and the seal are there.
  const seal = sealed.summary;
  if (!first || !last || !seals || !seal || !approvals || !signoffs) throw new Error('verification passed without reaching the end of the journal');
  const trust = trustOf(seal.key, bundleTrust, approvals.checked, signoffs);
  // An unanchored seal key is W_SIGNER_UNCHECKED already; everything else unanchored is W_UNANCHORED.
  const sealUnchecked = seal.key !== null && seal.key.anchoredBy.length === 0;
  const unanchoredWarnings = trust.unanchored.slice(sealUnchecked ? 1 : 0).map((detail): Finding<WarningCode> => ({ code: 'W_UNANCHORED', record: null, line: null, detail }));
  const summary: VerifySummary = {
    ok: true,
    runId: first.run,
    kind: bundle ? 'bundle' : 'run directory',
    records: journal.lines,
    steps,
    outcome: runFinished ? (runFinished.data.ok ? 'succeeded' : 'failed') : 'unfinished',
    sealedSize: seal.sealedSize,
    signer: seal.signer,
    firstTime: first.time,
    lastTime: last.time,
    macChecked: journal.checkedMacs,
    warnings: [...warnings(), ...unanchoredWarnings],
    anchored: trust.unanchored.length === 0,
    trust,
  };
  return collect ? { summary, records, lines } : { summary };
}

/** report.json, then report.html, against what the journal gives (E_REPORT). */
async function checkReport(dir: string, report: ReportAssembler, first: JournalRecord, signer: BundleSigner, warnings: Finding<WarningCode>[]): Promise<void> {
  // Everything before passed: the first record is a run.started of the format.
  const start = parseRecordData('run.started', first.data);
  // Who signed the export decides the principal its commands name: the installation (an unsigned STANDARD export) or the operator.
  const installationPrincipal = `installation-${start.installation.id}`;
  const byInstallation = sameKey(signer.key, start.installation.public_key);
  const { commands } = verifyInstructions({
    principal: byInstallation ? installationPrincipal : principalFor(start.operator.name),
    installationPrincipal,
    runId: first.run,
    pdf: existsSync(path.join(dir, 'report.pdf')),
    signedReport: true,
  });
  const expected = unbuildable(() => report.expected({ commands, warnings: reportWarnings(warnings, existsSync(path.join(dir, MAC_KEY_FILE))) }));
  for (const [name, segments] of [[REPORT_JSON, expected.json], [REPORT_HTML, expected.html]] as const) {
    const file = path.join(dir, name);
    const difference = await compareReport(file, segments);
    if (difference) reportFailure(name, file, difference, dir, () => journalRecords(path.join(dir, JOURNAL_FILE)));
  }
}

/** A journal the report builder cannot take (so no export could have made a report of it) fails E_REPORT. */
function unbuildable<T>(build: () => T, record?: number): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof VerifyFailure) throw error;
    fail('E_REPORT', `no report can be built from this journal${record === undefined ? '' : ` (record ${record})`}: ${(error as Error).message}`, record === undefined ? {} : { record, line: record + 1 });
  }
}

function sameKey(blob: Buffer, line: string): boolean {
  const b64 = /^\S+ ([A-Za-z0-9+/]+={0,2})/.exec(line.trim())?.[1];
  return b64 !== undefined && Buffer.from(b64, 'base64').equals(blob);
}

/** The journal again, record by record (only on the way to an E_REPORT, to name what differs). */
function* journalRecords(file: string): Generator<{ record: JournalRecord; line: string }> {
  for (const bytes of fileLines(file, false)) {
    const line = bytes.toString('utf8');
    const record = parseRecord(line);
    if (record) yield { record, line };
  }
}

/**
 * What vouches for the key that signed the bundle: it is the installation key and that is anchored, or
 * --allowed-signers names it for runbook-console-audit explicitly. With --allowed-signers and neither: E_SIGNER.
 */
function anchorBundle(signer: BundleSigner, seal: SealKey | null, anchors: Anchors): SignedBy {
  const anchoredBy: string[] = [];
  if (seal && seal.blob.equals(signer.key) && seal.anchoredBy.length > 0) anchoredBy.push(`the installation key, anchored by ${seal.anchoredBy.join(', ')}`);
  const principals = anchors.allowed ? anchors.explicit(signer.key, BUNDLE_NAMESPACE) : null;
  if (principals?.length) anchoredBy.push(`--allowed-signers (${principals.join('; ')})`);
  if (anchoredBy.length === 0 && anchors.allowed) {
    fail('E_SIGNER', `the bundle (SHA256SUMS.sig, report.json.sig) is signed by ${signer.fingerprint}, which --allowed-signers does not allow in ${BUNDLE_NAMESPACE}: ${anchors.whyNot(signer.key, BUNDLE_NAMESPACE)}`);
  }
  return { fingerprint: signer.fingerprint, principals, anchoredBy };
}

function summariseSignatures(list: SignatureList): CheckedSignatures {
  return { total: list.total, unanchored: list.unanchored, items: list.items };
}

function trustOf(seal: SealKey | null, bundle: SignedBy | null, approvals: SignatureList, signoffs: SignoffChecker): Trust {
  const unanchored: string[] = [];
  if (!seal) unanchored.push('nothing in this journal is signed: it holds no checkpoint');
  else if (seal.anchoredBy.length === 0) unanchored.push(`the key that sealed the run, ${seal.fingerprint}: give --pin, --allowed-signers or --prior to say whose key that is`);
  if (bundle && bundle.anchoredBy.length === 0) unanchored.push(`the key that signed the bundle, ${bundle.fingerprint}: give --allowed-signers naming it for ${BUNDLE_NAMESPACE}`);
  const some = (list: SignatureList, what: string, namespace: string) => {
    if (list.unanchored > 0) unanchored.push(`${list.unanchored} ${what}${list.unanchored === 1 ? '' : 's'} (first: record ${list.firstUnanchored}): give --allowed-signers naming the signers for ${namespace}`);
  };
  some(approvals, 'approval', 'runbook-console-approval');
  some(signoffs.checked, 'sign-off', 'runbook-console-signoff');
  return {
    seal: seal ? { fingerprint: seal.fingerprint, principals: seal.principals, anchoredBy: seal.anchoredBy } : null,
    bundle,
    approvals: summariseSignatures(approvals),
    signoffs: summariseSignatures(signoffs.checked),
    unanchored,
  };
}

/**
 * Reads `file` a chunk at a time and hands every complete line (without its LF) to `onLine`; returns the
 * bytes after the last LF. `afterChunk` runs between chunks; `stop` ends the reading early. Only the bytes
 * there when the file was opened are read: records a live run appends meanwhile are not part of this check.
 */
async function readLines(file: string, onLine: (line: Buffer) => void, afterChunk: () => Promise<void>, stop: () => boolean, stats: VerifyStats): Promise<Buffer> {
  const handle = await open(file, 'r');
  stats.journalOpens++;
  // The start of a line that runs past the end of the chunks read so far, in pieces (joined once, at its end).
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  try {
    let left = (await handle.stat()).size;
    for (;;) {
      const chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, Math.min(CHUNK_BYTES, left), null);
      if (bytesRead === 0) break;
      left -= bytesRead;
      stats.journalBytesRead += bytesRead;
      const data = chunk.subarray(0, bytesRead);
      let start = 0;
      for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a, start)) {
        if (pendingBytes > 0) {
          onLine(Buffer.concat([...pending, data.subarray(0, end)]));
          pending = [];
          pendingBytes = 0;
        } else onLine(data.subarray(start, end));
        start = end + 1;
        if (stop()) return Buffer.alloc(0);
      }
      if (start < data.length) {
        pending.push(data.subarray(start));
        pendingBytes += data.length - start;
        stats.maxPendingBytes = Math.max(stats.maxPendingBytes, pendingBytes);
      }
      await afterChunk();
    }
  } finally {
    await handle.close();
  }
  return Buffer.concat(pending);
}

/**
 * The lines of `file` (without their LF), read again from the start a chunk at a time, then the bytes after
 * the last LF when `tail` asks for them (only ever on the way to a failure: the main pass is readLines).
 */
function* fileLines(file: string, tail: boolean): Generator<Buffer> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let pending: Buffer[] = [];
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      const data = chunk.subarray(0, n);
      let start = 0;
      for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a, start)) {
        yield Buffer.concat([...pending, data.subarray(start, end)]);
        pending = [];
        start = end + 1;
      }
      if (start < n) pending.push(Buffer.from(data.subarray(start)));
    }
    if (tail) yield Buffer.concat(pending);
  } finally {
    closeSync(fd);
  }
}

/** Line `index` of the journal file (the bytes after the last LF when it has only `index` lines; else ''). */
function lineOfFile(file: string, index: number): string {
  let line = 0;
  for (const bytes of fileLines(file, true)) if (line++ === index) return bytes.toString('utf8');
  return '';
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

type BlobRef = { rel: string; sha: string; record: number };

/** The blobs a step.finished record names: output, its chunk index, result sets (each named by its SHA-256). */
function blobRefs(record: RecordOf<'step.finished'>, i: number): BlobRef[] {
  const { output, outcome } = record.data;
  if (!output.blob) return [];
  const found: BlobRef[] = [{ rel: output.blob, sha: output.sha256, record: i }];
  if (output.index_blob) found.push({ rel: output.index_blob, sha: blobName(output.index_blob), record: i });
  if (outcome.results_blob) found.push({ rel: outcome.results_blob, sha: blobName(outcome.results_blob), record: i });
  return found;
}

const blobName = (rel: string) => rel.slice(rel.lastIndexOf('/') + 1);

/** Checks the blob references gathered so far, in record order, and forgets them; the first failure is noted. */
async function checkBlobs(dir: string, refs: BlobRef[], failures: FirstFailure): Promise<void> {
  for (const ref of refs.splice(0)) {
    if (!failures.open(CHECK.blob)) return;
    try {
      await checkBlob(dir, ref.rel, ref.sha, ref.record);
    } catch (error) {
      failures.note(CHECK.blob, error);
    }
  }
}

async function checkBlob(dir: string, rel: string, sha: string, i: number): Promise<void> {
  const at = { record: i, line: i + 1 };
  if (!/^blobs\/[0-9a-f]{64}$/.test(rel)) fail('E_BLOB', `record ${i} names blob "${rel}", which is not a blob path`, at);
  const file = path.join(dir, rel);
  if (!existsSync(file)) fail('E_BLOB', `record ${i}: ${rel} is missing`, at);
  const actual = await hashFile(file);
  if (actual.sha256 !== sha || rel !== `blobs/${actual.sha256}`) fail('E_BLOB', `record ${i}: ${rel} does not match its hash (it is ${actual.sha256})`, at);
}
