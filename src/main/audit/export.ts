// `runbook export`: the evidence bundle. It closes an interrupted run (recorded), verifies the run, then
// writes the journal, seal, blobs, report.json (+ the operator's SSHSIG), report.html (+ PDF), allowed_signers,
// VERIFY.md, verify.py and SHA256SUMS (+ SSHSIG), and records the export in the run's access log.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordAccess } from './access-log.js';
import { principalFor } from './principal.js';
import { formatAllowedSigner } from './allowed-signers.js';
import { canonicalize } from './canonical.js';
import type { Installation } from './installation.js';
import { JournalWriter } from './journal-writer.js';
import type { MacKeyStore } from './key-store.js';
import { VerifyFailure } from './reasons.js';
import { BLOB_DIR, CHECKPOINT_FILE, JOURNAL_FILE } from './record.js';
import { buildReport } from './report/build-report.js';
import { renderReportHtml } from './report/report-html.js';
import { renderPdfWithChromium } from './report/report-pdf.js';
import { CHECKPOINT_NAMESPACE, seal } from './seal.js';
import { fingerprint, parsePublicKeyLine } from './ssh-keys.js';
import { signSshsig, type SshsigSigner } from './sshsig.js';
import { MAC_KEY_FILE, SUMS_FILE, inspectRun } from './verify.js';
import { verifyInstructions } from './verify-instructions.js';

export const AUDIT_NAMESPACE = 'runbook-console-audit';
const VERIFY_PY = fileURLToPath(new URL('./bundle/verify.py', import.meta.url));

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
}

export class ExportError extends Error {}


/** An interrupted run (crash, kill) is closed before export: torn tail set aside, the end recorded, sealed. */
async function closeIfInterrupted(runDir: string, options: ExportOptions): Promise<boolean> {
  try {
    const { summary } = await inspectRun(runDir, { allowUnsealed: true, keys: options.keys });
    if (!summary.warnings.some((w) => w.code === 'W_UNSEALED')) return false;
  } catch (error) {
    if (!(error instanceof VerifyFailure && error.finding.code === 'E_TORN_TAIL')) throw error;
  }
  const { writer } = JournalWriter.reopen(runDir, { keys: options.keys });
  try {
    const start = JSON.parse(writer.lines[0] as string) as { data: { retention_days?: number | null } };
    writer.append('run.finished', { ok: false, interrupted: true, closed_by: 'export', steps: [] });
    await seal(writer, options.installation, { reason: 'export', retentionDays: start.data.retention_days ?? null });
  } finally {
    writer.close();
  }
  return true;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

export async function exportBundle(runDir: string, options: ExportOptions): Promise<ExportResult> {
  const out = path.resolve(options.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new ExportError(`${out}: not empty; export writes a new bundle into an empty or new directory`);
  const closedInterrupted = await closeIfInterrupted(runDir, options);
  const { summary, records, lines } = await inspectRun(runDir, { keys: options.keys });
  const start = records[0]?.data as { profile?: string; operator?: { name?: string }; installation?: { id?: string; public_key?: string } };
  const profile = String(start.profile);
  if ((profile === 'regulated' || profile === 'restricted') && !options.operatorSigner) {
    throw new ExportError(`profile ${profile}: the export must be signed by the operator (--key FILE or --agent)`);
  }
  const principal = principalFor(start.operator?.name ?? 'operator');
  const installationPrincipal = `installation-${start.installation?.id}`;
  const sealer: OperatorSigner = options.operatorSigner ?? { signer: options.installation.key.signer, publicKeyLine: options.installation.key.publicKeyLine };
  const signerPrincipal = options.operatorSigner ? principal : installationPrincipal;

  mkdirSync(out, { recursive: true });
  for (const file of [JOURNAL_FILE, CHECKPOINT_FILE, `${CHECKPOINT_FILE}.sig`]) copyFileSync(path.join(runDir, file), path.join(out, file));
  cpSync(path.join(runDir, BLOB_DIR), path.join(out, BLOB_DIR), { recursive: true });
  const macKey = options.keys.verificationKey(summary.runId);
  if (macKey) writeFileSync(path.join(out, MAC_KEY_FILE), `${macKey.toString('hex')}\n`);
  copyFileSync(VERIFY_PY, path.join(out, 'verify.py'));

  const instructions = verifyInstructions({ principal: signerPrincipal, installationPrincipal, runId: summary.runId, pdf: options.pdf, signedReport: true });
  const report = buildReport(runDir, records, lines, summary, instructions.commands);
  const reportJson = canonicalize(report);
  writeFileSync(path.join(out, 'report.json'), reportJson);
  writeFileSync(path.join(out, 'report.json.sig'), await signSshsig(Buffer.from(reportJson), AUDIT_NAMESPACE, sealer.signer));
  writeFileSync(path.join(out, 'report.html'), renderReportHtml(report));
  if (options.pdf) await renderPdfWithChromium(path.join(out, 'report.html'), path.join(out, 'report.pdf'));

  const installationKey = String(start.installation?.public_key);
  const signers = [formatAllowedSigner({ principals: [installationPrincipal], publicKey: installationKey, namespaces: [CHECKPOINT_NAMESPACE] })];
  signers.push(formatAllowedSigner({ principals: [signerPrincipal], publicKey: sealer.publicKeyLine, namespaces: [AUDIT_NAMESPACE] }));
  writeFileSync(path.join(out, 'allowed_signers'), `${signers.join('\n')}\n`);
  writeFileSync(path.join(out, 'VERIFY.md'), instructions.markdown);

  const files = listFiles(out);
  const sums = files.map((f) => `${createHash('sha256').update(readFileSync(path.join(out, f))).digest('hex')}  ${f}`).join('\n');
  writeFileSync(path.join(out, SUMS_FILE), `${sums}\n`);
  writeFileSync(path.join(out, `${SUMS_FILE}.sig`), await signSshsig(Buffer.from(`${sums}\n`), AUDIT_NAMESPACE, sealer.signer));

  const signerFingerprint = fingerprint(parsePublicKeyLine(sealer.publicKeyLine).blob);
  let accessNote: string | null = null;
  try {
    recordAccess(runDir, summary.runId, 'export', { out, files: files.length, report_sha256: createHash('sha256').update(reportJson).digest('hex'), signer: signerFingerprint, principal: signerPrincipal, closed_interrupted: closedInterrupted }, options.keys);
  } catch (error) {
    accessNote = `the export could not be recorded in the run's access log: ${(error as Error).message}`;
  }
  return { out, files: listFiles(out), runId: summary.runId, closedInterrupted, principal: signerPrincipal, signerFingerprint, accessNote };
}
