// `runbook export`: the evidence bundle. It holds the run's lock throughout (a live run, or another export,
// is refused at once and nothing is written), closes an interrupted run (recovery: recorded and sealed),
// verifies the run, then writes the journal, seal, blobs, report.json (+ the operator's SSHSIG),
// report.html (+ PDF), allowed_signers, VERIFY.md, verify.py and the parts beside it, and SHA256SUMS (+ SSHSIG)
// into a temporary directory beside OUTDIR, fsyncs it and renames it into place, and records the export in the
// access log.
// A crash or a full disk at any point leaves no OUTDIR (or an empty one) and a run that exports again.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordAccess } from './access-log.js';
import { principalFor } from './principal.js';
import { formatAllowedSigner } from './allowed-signers.js';
import { canonicalize } from './canonical.js';
import type { Installation } from './installation.js';
import { crashPoint } from './fault-injection.js';
import { fsyncDir } from './journal-writer.js';
import type { MacKeyStore } from './key-store.js';
import { VerifyFailure } from './reasons.js';
import { BLOB_DIR, CHECKPOINT_FILE, JOURNAL_FILE } from './record.js';
import { buildReport } from './report/build-report.js';
import { renderReportHtml } from './report/report-html.js';
import { renderPdfWithChromium } from './report/report-pdf.js';
import { RecoveryError, recoverRun } from './recovery.js';
import { type JudgedHolder, RUN_LOCK_FILE, type RunLock, RunLockedError, acquireRunLock, describeHolder, processRunning } from './run-lock.js';
import { CHECKPOINT_NAMESPACE } from './seal.js';
import { fingerprint, parsePublicKeyLine } from './ssh-keys.js';
import { signSshsig, type SshsigSigner } from './sshsig.js';
import { MAC_KEY_FILE, SUMS_FILE, inspectRun } from './verify.js';
import { VERIFIER_FILES, verifyInstructions } from './verify-instructions.js';

export const AUDIT_NAMESPACE = 'runbook-console-audit';
/** The auditor's verifier (verify.py and its parts, verify-instructions.ts), shipped in every bundle. */
export { VERIFIER_FILES };
const verifierFile = (name: string) => fileURLToPath(new URL(`./bundle/${name}`, import.meta.url));

export interface OperatorSigner {
  signer: SshsigSigner;
  publicKeyLine: string;
}

export interface ExportOptions {
  out: string;
  operatorSigner: OperatorSigner | null;
  pdf: boolean;
  keys: MacKeyStore;
  installation: Installation;
}

export interface ExportResult {
  out: string;
  files: string[];
  runId: string;
  closedInterrupted: boolean;
  principal: string;
  signerFingerprint: string;
  /** Set when the access log could not be written (a moved or copied run directory). */
  accessNote: string | null;
  /** A stale lock (its holder gone: a crash, kill -9) that this export took over. */
  tookOver: JudgedHolder | null;
}

export class ExportError extends Error {}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

export async function exportBundle(runDir: string, options: ExportOptions): Promise<ExportResult> {
  const out = path.resolve(options.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new ExportError(`${out}: not empty; export writes a new bundle into an empty or new directory`);
  if (!existsSync(path.join(runDir, JOURNAL_FILE))) throw new ExportError(`${runDir}: no ${JOURNAL_FILE} here (give a run directory)`);
  // A live run (or export) is refused before anything is written: taking the lock judges its holder first.
  let acquired: ReturnType<typeof acquireRunLock> | null;
  try {
    acquired = acquireRunLock(runDir, { purpose: 'export', takeStale: true });
  } catch (error) {
    if (error instanceof RunLockedError) throw new ExportError(refusal(runDir, error.judged));
    const code = (error as NodeJS.ErrnoException).code;
    // A run directory this user cannot write (a read-only copy): exported only if it needs no closing.
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw error;
    acquired = null;
  }
  try {
    return await exportLocked(runDir, out, options, acquired?.lock ?? null, acquired?.tookOver ?? null);
  } finally {
    acquired?.lock.release();
  }
}

function refusal(runDir: string, judged: JudgedHolder): string {
  if (judged.state === 'alive') return `${runDir}: the run is in use by ${describeHolder(judged.holder)}; export it once that has ended (nothing was written)`;
  return `${new RunLockedError(runDir, RUN_LOCK_FILE, judged).message} (nothing was written)`;
}

async function exportLocked(runDir: string, out: string, options: ExportOptions, lock: RunLock | null, tookOver: JudgedHolder | null): Promise<ExportResult> {
  let closedInterrupted: boolean;
  try {
    // An interrupted run (crash, kill, full disk) is closed first: torn tail set aside, its end recorded, sealed.
    const recovery = await recoverRun(runDir, { keys: options.keys, installation: options.installation, lock, closedBy: 'export', tookOver });
    closedInterrupted = recovery.sealed !== null;
  } catch (error) {
    if (error instanceof RecoveryError) throw new ExportError(error.message);
    throw error;
  }
  crashPoint('export.closed');
  // Records as the verifier read them, through their schemas: a verified run starts with run.started and is sealed.
  const { summary, records, lines } = await inspectRun(runDir, { keys: options.keys });
  const first = records[0];
  const sealed = records.findLast((r) => r.type === 'checkpoint');
  if (first?.type !== 'run.started' || sealed?.type !== 'checkpoint') throw new ExportError(`${runDir}: the journal verified, yet has no run.started first or no seal; nothing was exported`);
  const start = first.data;
  const seal = sealed.data;
  const profile = start.profile;
  if ((profile === 'regulated' || profile === 'restricted') && !options.operatorSigner) {
    throw new ExportError(`profile ${profile}: the export must be signed by the operator (--key FILE or --agent)`);
  }
  const principal = principalFor(start.operator.name);
  const installationPrincipal = `installation-${start.installation.id}`;
  const sealer: OperatorSigner = options.operatorSigner ?? { signer: options.installation.key.signer, publicKeyLine: options.installation.key.publicKeyLine };
  const signerPrincipal = options.operatorSigner ? principal : installationPrincipal;
  // The operator signs the export; a key that granted an approval of this run belongs to the second person.
  const signerKey = sealer.publicKeyLine.split(' ').slice(0, 2).join(' ');
  const approvedBy = records.findIndex((r) => r.type === 'approval' && r.data.granted && r.data.key === signerKey);
  if (approvedBy >= 0) {
    throw new ExportError(`the export key ${fingerprint(parsePublicKeyLine(sealer.publicKeyLine).blob)} granted the approval in record ${approvedBy}: the operator and the approver must be different people; sign with the operator's own key`);
  }

  // The bundle is made in a directory beside OUTDIR and renamed into place once complete and on disk.
  const parent = path.dirname(out);
  mkdirSync(parent, { recursive: true });
  removeAbandonedStages(parent, path.basename(out));
  const stage = path.join(parent, `.${path.basename(out)}.export-${process.pid}-${randomBytes(6).toString('hex')}`);
  let reportJson: string;
  let files: string[];
  try {
    mkdirSync(stage);
    copyFileSync(path.join(runDir, JOURNAL_FILE), path.join(stage, JOURNAL_FILE));
    // The seal as the journal records it (the files beside the journal are a copy of the same).
    writeFileSync(path.join(stage, CHECKPOINT_FILE), seal.text);
    writeFileSync(path.join(stage, `${CHECKPOINT_FILE}.sig`), seal.signature);
    cpSync(path.join(runDir, BLOB_DIR), path.join(stage, BLOB_DIR), { recursive: true });
    const macKey = options.keys.verificationKey(summary.runId);
    if (macKey) writeFileSync(path.join(stage, MAC_KEY_FILE), `${macKey.toString('hex')}\n`);
    for (const name of VERIFIER_FILES) copyFileSync(verifierFile(name), path.join(stage, name));
    crashPoint('export.bundle-partial');

    const instructions = verifyInstructions({ principal: signerPrincipal, installationPrincipal, runId: summary.runId, pdf: options.pdf, signedReport: true });
    const report = buildReport(runDir, records, lines, summary, instructions.commands);
    reportJson = canonicalize(report);
    writeFileSync(path.join(stage, 'report.json'), reportJson);
    writeFileSync(path.join(stage, 'report.json.sig'), await signSshsig(Buffer.from(reportJson), AUDIT_NAMESPACE, sealer.signer));
    writeFileSync(path.join(stage, 'report.html'), renderReportHtml(report));
    if (options.pdf) await renderPdfWithChromium(path.join(stage, 'report.html'), path.join(stage, 'report.pdf'));

    const installationKey = start.installation.public_key;
    const signers = [formatAllowedSigner({ principals: [installationPrincipal], publicKey: installationKey, namespaces: [CHECKPOINT_NAMESPACE] })];
    signers.push(formatAllowedSigner({ principals: [signerPrincipal], publicKey: sealer.publicKeyLine, namespaces: [AUDIT_NAMESPACE] }));
    writeFileSync(path.join(stage, 'allowed_signers'), `${signers.join('\n')}\n`);
    writeFileSync(path.join(stage, 'VERIFY.md'), instructions.markdown);

    files = listFiles(stage);
    const sums = files.map((f) => `${createHash('sha256').update(readFileSync(path.join(stage, f))).digest('hex')}  ${f}`).join('\n');
    writeFileSync(path.join(stage, SUMS_FILE), `${sums}\n`);
    writeFileSync(path.join(stage, `${SUMS_FILE}.sig`), await signSshsig(Buffer.from(`${sums}\n`), AUDIT_NAMESPACE, sealer.signer));
    syncTree(stage);
    crashPoint('export.bundle-written');
    // rename(2) replaces an empty OUTDIR and fails on one that filled up meanwhile.
    renameSync(stage, out);
    fsyncDir(parent);
  } catch (error) {
    rmSync(stage, { recursive: true, force: true });
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'ENOTEMPTY' || err.code === 'EEXIST') throw new ExportError(`${out}: not empty; export writes a new bundle into an empty or new directory`);
    if (err.code) throw new ExportError(`the bundle could not be written (${err.message}); nothing was exported to ${out}`);
    throw error;
  }
  crashPoint('export.renamed');

  const signerFingerprint = fingerprint(parsePublicKeyLine(sealer.publicKeyLine).blob);
  let accessNote: string | null = null;
  try {
    recordAccess(runDir, summary.runId, 'export', { out, files: files.length, report_sha256: createHash('sha256').update(reportJson).digest('hex'), signer: signerFingerprint, principal: signerPrincipal, closed_interrupted: closedInterrupted }, options.keys);
  } catch (error) {
    accessNote = `the export could not be recorded in the run's access log: ${(error as Error).message}`;
  }
  return { out, files: listFiles(out), runId: summary.runId, closedInterrupted, principal: signerPrincipal, signerFingerprint, accessNote, tookOver };
}

/** fsync every file and directory of the bundle: the rename must not make visible what is not on disk. */
function syncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) syncTree(full);
    else fsyncDir(full); // opens read-only and fsyncs: a file as well as a directory
  }
  fsyncDir(dir);
}

/** Staging directories of exports killed half-way (.OUT.export-PID-…, that process gone). */
function removeAbandonedStages(parent: string, base: string): void {
  const prefix = `.${base}.export-`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-[0-9a-f]{12}$/.exec(name.slice(prefix.length))?.[1]);
    if (!pid || pid === process.pid || processRunning(pid)) continue;
    rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}
