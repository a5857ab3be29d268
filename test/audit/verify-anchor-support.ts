// Helpers for the anchor, report and sign-off tests: a RESTRICTED run written with the project's own
// record builders (approvals by bob, a sign-off by Carol), sealed and exported; the CLI; an operator who
// re-signs a bundle they edited; and a forger who holds a bundle (and so its MAC key) and rewrites it
// end to end with keys of their own.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { type ApprovalPolicy, approvalRecord, decideApproval, operatorKey, recordApprovers, APPROVAL_NAMESPACE } from '../../src/main/audit/approval.js';
import { canonicalize } from '../../src/main/audit/canonical.js';
import { formatCheckpoint } from '../../src/main/audit/checkpoint.js';
import { exportBundle } from '../../src/main/audit/export.js';
import { type Installation, loadInstallation } from '../../src/main/audit/installation.js';
import { JournalWriter } from '../../src/main/audit/journal-writer.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { evolveKey, recordMac } from '../../src/main/audit/mac-chain.js';
import { consistencyProof, rootHash } from '../../src/main/audit/merkle.js';
import { principalFor } from '../../src/main/audit/principal.js';
import { BLOB_DIR, CHECKPOINT_FILE, GENESIS_PREV, JOURNAL_FILE, type JournalRecord, sha256Hex } from '../../src/main/audit/record.js';
import { ReportAssembler, reportWarnings } from '../../src/main/audit/report/build-report.js';
import { renderReportHtml } from '../../src/main/audit/report/report-html.js';
import { CHECKPOINT_NAMESPACE, checkpointOrigin, seal } from '../../src/main/audit/seal.js';
import { SIGNOFF_NAMESPACE, checkSignoff, signoffMessage, signoffRecord } from '../../src/main/audit/signoff.js';
import { keyFileSigner } from '../../src/main/audit/ssh-signers.js';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import { signSshsig } from '../../src/main/audit/sshsig.js';
import { verifyInstructions } from '../../src/main/audit/verify-instructions.js';
import { REPO_ROOT } from '../support/shared.js';
import type { RecordData } from '../../src/main/audit/records/index.js';
import { runFinishedData, runStartedData, stepFinishedData, stepStartedData } from './record-fixtures.js';
import { type TestKey, makeKey } from './ssh-tools.js';

export const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
export const AUDIT = 'runbook-console-audit';

export interface Cli {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The reason code of a FAIL line. */
  code: string | null;
}

export function cli(env: Record<string, string>, ...args: string[]): Cli {
  const res = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, code: /^FAIL (E_[A-Z_]+)/m.exec(res.stdout)?.[1] ?? null };
}

export const fingerprintOf = (publicKeyLine: string) => fingerprint(parsePublicKeyLine(publicKeyLine).blob);
export const keyOnly = (publicKeyLine: string) => publicKeyLine.split(' ').slice(0, 2).join(' ');

export interface People {
  installation: Installation;
  keys: FileMacKeyStore;
  keyDir: string;
  alice: TestKey;
  bob: TestKey;
  carol: TestKey;
  mallory: TestKey;
}

export async function people(root: string): Promise<People> {
  const keyDir = path.join(root, 'keys');
  return {
    installation: await loadInstallation(path.join(keyDir, 'installation_ed25519')),
    keys: new FileMacKeyStore(path.join(keyDir, 'mac')),
    keyDir,
    alice: makeKey(root, 'alice', 'ed25519'),
    bob: makeKey(root, 'bob', 'ed25519'),
    carol: makeKey(root, 'carol', 'ed25519'),
    mallory: makeKey(root, 'mallory', 'ed25519'),
  };
}

/** An auditor's allowed_signers line. */
export const line = (principal: string, key: TestKey | string, namespaces?: string[]) =>
  formatAllowedSigner({ principals: [principal], publicKey: keyOnly(typeof key === 'string' ? key : key.publicKeyLine), ...(namespaces ? { namespaces } : {}) });

/** What an auditor who knows every key holds: the installation (checkpoint), alice (audit), bob (approval), Carol (sign-off). */
export function auditorSigners(p: People): string {
  return `${[
    line(`installation-${p.installation.id}`, p.installation.key.publicKeyLine, [CHECKPOINT_NAMESPACE]),
    line('alice', p.alice, [AUDIT]),
    line('bob', p.bob, [APPROVAL_NAMESPACE]),
    line('Carol-Q', p.carol, [SIGNOFF_NAMESPACE]),
  ].join('\n')}\n`;
}

export interface RestrictedRun {
  dir: string;
  runId: string;
  /** The line `origin size root` of the final seal, as a RESTRICTED run prints it for the ticket. */
  ticket: string;
}

export interface RunShape {
  /** Who signs the approval of the state-changing block (default bob). */
  approver?: { name: string; key: TestKey };
  /** Keys recorded as the operator's in run.started (default: the installation key and alice's export key). */
  operatorKeys?: string[];
  /** The approvers' allowed_signers text recorded in run.started (default: bob for runbook-console-approval). */
  approvers?: string;
}

/** run.started's data for a run in `dir` by alice on this installation: what every test run records, and `run`'s own fields. */
export function runStarted(p: People, dir: string, macKeyCommitment: string, run: { title: string } & Pick<RecordData<'run.started'>, 'profile' | 'retention_days' | 'options'>): RecordData<'run.started'> {
  const { title, ...rest } = run;
  const data = runStartedData(dir, macKeyCommitment, { installationKey: p.installation.key.publicKeyLine, ...rest });
  return { ...data, runbook: { ...data.runbook, title } };
}

const sign = async (key: TestKey, namespace: string, message: string) => signSshsig(Buffer.from(message, 'utf8'), namespace, await keyFileSigner(key.file));

/**
 * A RESTRICTED run by alice: one state-changing block, approved by `approver` (bob), then a sign-off by
 * Carol Q. over the record before it, then run.finished and the final seal. Approvals are decided by
 * decideApproval unless `approver` is not allowed, in which case the record is written granted anyway
 * (an insider's journal).
 */
export async function restrictedRun(p: People, dir: string, shape: RunShape = {}): Promise<RestrictedRun> {
  const runId = randomUUID();
  const { writer, macKeyCommitment } = JournalWriter.create(dir, runId, { keys: p.keys });
  mkdirSync(path.join(dir, BLOB_DIR));
  const approversText = shape.approvers ?? `${line('bob', p.bob, [APPROVAL_NAMESPACE])}\n`;
  const approvers = recordApprovers(approversText, 'approvers');
  const operatorKeys = (shape.operatorKeys ?? [p.installation.key.publicKeyLine, p.alice.publicKeyLine]).map((k, i) => operatorKey(i === 0 ? 'installation' : 'export-key', k));
  writer.append(
    'run.started',
    runStarted(p, dir, macKeyCommitment, {
      title: 'Restricted change',
      profile: 'restricted',
      retention_days: 2555,
      options: { host: 'console', approvers_file: 'approvers', approvers, operator_keys: operatorKeys },
    }),
  );
  const step = { id: 'steps/change', title: 'Change something', line: 3, profile: 'restricted' as const };
  const block = { id: 'steps/change#1', line: 4 };
  const started = writer.append('step.started', stepStartedData(step, block, 'touch /tmp/marker', sha256Hex('touch /tmp/marker'), true));
  const approver = shape.approver ?? { name: 'bob', key: p.bob };
  const signature = await sign(approver.key, APPROVAL_NAMESPACE, started.hash);
  const policy: ApprovalPolicy = { approvers, operator: 'alice', operatorKeys };
  const base = { step: { id: step.id }, block: { id: block.id }, started: { seq: started.seq, sha256: started.hash }, approver: approver.name };
  let decision = decideApproval(started.hash, signature, approver.name, policy);
  if (!decision.ok) {
    const key = keyOnly(approver.key.publicKeyLine);
    decision = { ok: true, principal: approver.name, key, fingerprint: fingerprintOf(key) };
  }
  writer.append('approval', approvalRecord(base, decision, signature, policy));
  const finished = writer.append('step.finished', stepFinishedData(step.id, block.id, { seq: started.seq, sha256: started.hash }));
  const claim = { run: runId, step: 'steps/sign-off', role: 'Reviewer', name: 'Carol Q', date: '2026-01-02', record: { seq: finished.seq, sha256: finished.hash } };
  const message = signoffMessage(claim);
  const signoffSignature = await sign(p.carol, SIGNOFF_NAMESPACE, message);
  writer.append('signoff', signoffRecord(claim, checkSignoff(message, signoffSignature), signoffSignature, 'key-file'));
  writer.append('run.finished', runFinishedData([[step.id, 'succeeded']]));
  const sealed = await seal(writer, p.installation, { reason: 'run-end', retentionDays: 2555 });
  writer.close();
  return { dir, runId, ticket: sealed.ticketLine };
}

export async function exportSigned(p: People, runDir: string, out: string, by: TestKey | null = null): Promise<string> {
  const signer = by ? await keyFileSigner(by.file) : null;
  await exportBundle(runDir, { out, operatorSigner: signer ? { signer, publicKeyLine: signer.publicKeyLine } : null, pdf: false, keys: p.keys, installation: p.installation });
  return out;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

/** What an operator does after editing a bundle: signs report.json again, rewrites SHA256SUMS as export does, signs it. */
export async function resignBundle(dir: string, by: TestKey | string): Promise<void> {
  const signer = await keyFileSigner(typeof by === 'string' ? by : by.file);
  rmSync(path.join(dir, 'SHA256SUMS'), { force: true });
  rmSync(path.join(dir, 'SHA256SUMS.sig'), { force: true });
  writeFileSync(path.join(dir, 'report.json.sig'), await signSshsig(readFileSync(path.join(dir, 'report.json')), AUDIT, signer));
  const sums = listFiles(dir)
    .map((f) => `${sha256Hex(readFileSync(path.join(dir, f)))}  ${f}`)
    .join('\n');
  writeFileSync(path.join(dir, 'SHA256SUMS'), `${sums}\n`);
  writeFileSync(path.join(dir, 'SHA256SUMS.sig'), await signSshsig(Buffer.from(`${sums}\n`), AUDIT, signer));
}

/** report.json parsed, edited, written back in canonical form. */
export function editReport(dir: string, edit: (report: any) => void): void {
  const file = path.join(dir, 'report.json');
  const report = JSON.parse(readFileSync(file, 'utf8'));
  edit(report);
  writeFileSync(file, canonicalize(report));
}

export const journalRecords = (dir: string): JournalRecord[] => readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as JournalRecord);

/**
 * Re-chains, re-MACs (with K_0) and re-seals `records` into `dir`'s journal with `sealer`'s key. With
 * `claim`, run.started is made to record `sealer` as the installation (and checkpoints name it in their
 * origin): a forgery consistent with itself. Returns the journal lines.
 */
export async function rewriteJournal(dir: string, k0: Buffer, records: JournalRecord[], sealer: Installation, claim: boolean): Promise<string[]> {
  let key: Buffer = Buffer.from(k0);
  let prev = GENESIS_PREV;
  const lines: string[] = [];
  const first = records[0] as JournalRecord;
  if (claim) first.data = { ...first.data, installation: { id: sealer.id, public_key: sealer.key.publicKeyLine } };
  const installation = first.data.installation as { id: string };
  const origin = checkpointOrigin(installation.id, first.run);
  let previous: { size: number; root: string } | null = null;
  for (const [i, r] of records.entries()) {
    const { mac: _mac, ...rest } = r;
    const unsigned = { ...rest, seq: i, prev };
    if (unsigned.type === 'checkpoint') {
      const root = rootHash(lines);
      const text = formatCheckpoint({ origin, size: i, rootHash: root, extensions: [] });
      const signature = await signSshsig(Buffer.from(text), CHECKPOINT_NAMESPACE, sealer.key.signer);
      const proof = previous ? consistencyProof(previous.size, i, lines).map((h) => h.toString('base64')) : [];
      unsigned.data = { ...unsigned.data, origin, size: i, root: root.toString('base64'), text, signature, signer: sealer.key.publicKeyLine, previous, consistency_proof: proof };
      previous = { size: i, root: root.toString('base64') };
      writeFileSync(path.join(dir, CHECKPOINT_FILE), text);
      writeFileSync(path.join(dir, `${CHECKPOINT_FILE}.sig`), signature);
    }
    const text = canonicalize({ ...unsigned, mac: recordMac(key, canonicalize(unsigned)) });
    key = evolveKey(key);
    prev = sha256Hex(text);
    lines.push(text);
  }
  writeFileSync(path.join(dir, JOURNAL_FILE), `${lines.join('\n')}\n`);
  return lines;
}

/**
 * A forger holding only a bundle (which ships the MAC key): edits records, re-chains and re-MACs them with
 * mac-key.txt, re-seals with their own installation key (claimed in run.started, or not), builds the report
 * again with the project's own builder, and signs the bundle with their own key.
 */
export async function forgeBundle(src: string, out: string, edit: (records: JournalRecord[]) => JournalRecord[], forger: { installation: Installation; operator: TestKey | string }, claim = true): Promise<void> {
  cpSync(src, out, { recursive: true });
  const k0 = Buffer.from(readFileSync(path.join(out, 'mac-key.txt'), 'utf8').trim(), 'hex');
  const records = edit(journalRecords(out));
  const lines = await rewriteJournal(out, k0, records, forger.installation, claim);
  const first = records[0] as JournalRecord;
  const start = first.data as { operator: { name: string }; installation: { id: string; public_key: string } };
  const assembler = new ReportAssembler(out, true);
  lines.forEach((l, i) => assembler.record(JSON.parse(l) as JournalRecord, l));
  const signer = await keyFileSigner(typeof forger.operator === 'string' ? forger.operator : forger.operator.file);
  const byInstallation = signer.publicKeyLine.split(' ')[1] === start.installation.public_key.split(' ')[1];
  const commands = verifyInstructions({ principal: byInstallation ? `installation-${start.installation.id}` : principalFor(start.operator.name), installationPrincipal: `installation-${start.installation.id}`, runId: first.run, pdf: false, signedReport: true }).commands;
  const report = assembler.report({ commands, warnings: reportWarnings([], true) });
  writeFileSync(path.join(out, 'report.json'), canonicalize(report));
  writeFileSync(path.join(out, 'report.html'), renderReportHtml(report));
  writeFileSync(path.join(out, 'allowed_signers'), `${line(`installation-${start.installation.id}`, start.installation.public_key, [CHECKPOINT_NAMESPACE])}\n${line('signer', signer.publicKeyLine, [AUDIT])}\n`);
  await resignBundle(out, typeof forger.operator === 'string' ? forger.operator : forger.operator.file);
}

