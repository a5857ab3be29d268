// The tamper suite (issue 11, item 7): one real, fresh RESTRICTED run — an approved state-changing block, a
// refused approval, a failing block, a decision, a note, two signed sign-offs — recorded through the console
// API, sealed early (the failed check left unfinished, with a reason: run.ended-early, journal format 2), and
// exported by `runbook export` as a signed evidence bundle; then a list of named ways to tamper with it, each
// with the verdict both verifiers (`runbook verify`, `python3 verify.py`) must give, without anchors and with
// the auditor's anchors (--allowed-signers, --prior, --pin).
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dispatch } from '../../src/main/api/dispatch.js';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { canonicalize } from '../../src/main/audit/canonical.js';
import { formatCheckpoint } from '../../src/main/audit/checkpoint.js';
import { installationId } from '../../src/main/audit/installation.js';
import { evolveKey, recordMac } from '../../src/main/audit/mac-chain.js';
import { rootHash } from '../../src/main/audit/merkle.js';
import { principalFor } from '../../src/main/audit/principal.js';
import { buildReport } from '../../src/main/audit/report/build-report.js';
import { renderReportHtml } from '../../src/main/audit/report/report-html.js';
import { CHECKPOINT_FILE, GENESIS_PREV, JOURNAL_FILE, type JournalRecord, sha256Hex } from '../../src/main/audit/record.js';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import { VERIFIER_FILES, verifyInstructions } from '../../src/main/audit/verify-instructions.js';
import type { VerifySummary } from '../../src/main/audit/verify.js';
import { MAX_JSON_DEPTH } from '../../src/main/audit/verify-journal.js';
import { type RunState, UNFINISHED_KINDS } from '../../src/shared/run-api.js';
import { signoffMessage } from '../../src/shared/signoff.js';
import { REPO_ROOT } from '../support/shared.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';
import { type TestKey, keygenSign, makeKey } from './ssh-tools.js';

export const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
export const VERIFY_PY = path.join(REPO_ROOT, 'src/main/audit/bundle/verify.py');
export const HAVE_PYTHON = spawnSync('python3', ['--version'], { stdio: 'ignore' }).error === undefined;

/** verify.py and the parts it imports from its own directory (VERIFIER_FILES), all but `except`, copied into `dir`. */
export function copyVerifier(dir: string, except: string | null = null): void {
  for (const file of VERIFIER_FILES) if (file !== except) copyFileSync(path.join(path.dirname(VERIFY_PY), file), path.join(dir, file));
}

/** What a verifier said: its exit status, the reason code of its FAIL line, its output. */
export interface VerifierOutcome {
  status: number | null;
  code: string | null;
  stdout: string;
  stderr: string;
}

/** A verifier (`python3 verify.py …`, `node CLI verify …`) run without blocking the others. */
export function runVerifier(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<VerifierOutcome> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ status, code: /^FAIL (E_[A-Z_]+)/m.exec(stdout)?.[1] ?? null, stdout, stderr });
    });
  });
}

/** The verdict: the reason code when the verifier fails (exit 1), else its exit status. */
export const verdictOf = (o: VerifierOutcome): Verdict | string => (o.status === 1 ? (o.code ?? 'exit 1 without a reason code') : (o.status as Verdict));

/** Runs `jobs`, `width` at a time; their results, in order. */
export async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await (jobs[i] as () => Promise<T>)();
      }
    }),
  );
  return results;
}
export const NS = {
  checkpoint: 'runbook-console-checkpoint',
  audit: 'runbook-console-audit',
  approval: 'runbook-console-approval',
  signoff: 'runbook-console-signoff',
} as const;

const RUNBOOK = `---
profile: restricted
---
# Tamper suite change

## Work

- [ ] Take stock
  \`\`\`bash
  for i in $(seq 1 300); do echo "inventory line $i of the tamper suite"; done
  \`\`\`
- [ ] Change the thing
  \`\`\`bash
  touch "$MARK"; echo changed
  \`\`\`
- [ ] Check it
  \`\`\`bash
  echo "check failed" >&2; exit 3
  \`\`\`
- [ ] Proceed with the change or roll back? GO / NO-GO

## Sign-off

| Role | Name | Date |
| --- | --- | --- |
| Operator | ______ | ______ |
| Reviewer | ______ | ______ |
`;

/** Why the tamper suite's run is sealed with its failed check unfinished (run.ended-early reason). */
export const SEALED_EARLY_BECAUSE = 'the check fails on purpose; sealed for the tamper suite';

/** Everything a tamper case may need: the pristine bundle, the keys, and the auditor's anchors. */
export interface Base {
  root: string;
  /** RUNBOOK_CONSOLE_KEY_DIR of the run (installation key, MAC keys). */
  keyDir: string;
  runDir: string;
  bundle: string;
  runId: string;
  keys: { alice: TestKey; bob: TestKey; carol: TestKey; mallory: TestKey; eve: TestKey; installation: TestKey; foreign: TestKey };
  operator: string;
  /** The auditor's allowed_signers: installation key (checkpoint), alice (audit, signoff), bob (approval), carol (signoff). */
  allowedSigners: string;
  /** The change ticket's line for the final seal, kept elsewhere. */
  prior: string;
  /** SHA256:… of the installation key. */
  pin: string;
  env: Record<string, string>;
}

const line = (principal: string, key: TestKey | string, namespaces: string[], extra: { validBefore?: Date } = {}) =>
  formatAllowedSigner({ principals: [principal], publicKey: typeof key === 'string' ? key : key.publicKeyLine, namespaces, ...extra });

/** Records, seals and exports the run; the bundle is left untouched for the cases to copy. */
export async function makeBase(root: string): Promise<Base> {
  mkdirSync(root, { recursive: true });
  const saved = process.env.SSH_AUTH_SOCK;
  delete process.env.SSH_AUTH_SOCK; // no ssh-agent of the test runner's session in the run's operator keys
  try {
    const keys = {
      alice: makeKey(root, 'alice', 'ed25519'),
      bob: makeKey(root, 'bob', 'ed25519'),
      carol: makeKey(root, 'carol', 'ed25519'),
      mallory: makeKey(root, 'mallory', 'ed25519'),
      eve: makeKey(root, 'eve', 'ed25519'),
      foreign: makeKey(root, 'foreign_installation', 'ed25519'),
    };
    const approvers = path.join(root, 'approvers');
    writeFileSync(approvers, `${line('bob', keys.bob, [NS.approval])}\n`);

    const { root: consoleRoot, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    const file = path.join(consoleRoot, 'change.md');
    writeFileSync(file, RUNBOOK);
    await call('settings.save', { approversFile: approvers });
    await call('runbook.open', { path: file });
    const operator = 'Alice Operator';
    const state: RunState = await call('runs.start', { profile: 'restricted', operator, vars: { MARK: path.join(consoleRoot, 'changed.mark') } });
    if (state.problems.length > 0) throw new Error(`the run cannot start: ${state.problems.join('; ')}`);
    const step = (prefix: string) => state.steps.find((s) => s.id.includes(prefix))?.id as string;

    let seen = -1;
    /** Runs a step; a state-changing block waits for an approval: mallory's is refused, bob's granted. */
    const runStep = async (stepId: string) => {
      await call('runs.runStep', { runId: state.runId, stepId });
      for (;;) {
        const got = await eventsUntil(call, state.runId, seen, (e) => e.type === 'approval' || (e.type === 'step' && e.stepId === stepId && e.status !== 'running'));
        seen = got.next;
        if (got.events.some((e) => e.type === 'step' && e.stepId === stepId && e.status !== 'running')) return;
        const request = ((await call('runs.state', { runId: state.runId })) as RunState).approvals[0];
        if (!request) continue;
        const sign = (key: TestKey) => keygenSign(key, NS.approval, Buffer.from(request.sha256));
        await call('runs.approve', { runId: state.runId, approvalId: request.approvalId, decision: 'sign', approver: 'bob', signature: sign(keys.mallory) });
        await call('runs.approve', { runId: state.runId, approvalId: request.approvalId, decision: 'sign', approver: 'bob', signature: sign(keys.bob) });
      }
    };
    await runStep(step('take-stock'));
    await runStep(step('change-the-thing'));
    await runStep(step('check-it'));
    await call('runs.record', { runId: state.runId, stepId: step('check-it'), kind: 'note', text: 'the check fails on purpose' });
    await call('runs.record', { runId: state.runId, stepId: step('proceed'), kind: 'decision', decision: 'GO' });
    const signoff = step('sign-off');
    await call('runs.record', { runId: state.runId, stepId: signoff, kind: 'signoff', name: operator, role: 'Operator', date: '2026-12-04', keyFile: keys.alice.file });
    await call('runs.record', { runId: state.runId, stepId: signoff, kind: 'signoff', name: 'Carol Reviewer', role: 'Reviewer', date: '2026-12-04', keyFile: keys.carol.file });
    // The check failed: sealing is final, so the operator seals with it unfinished only once shown it, and (RESTRICTED)
    // says why. Journal format 2 records that (run.ended-early, just before run.finished).
    const { unfinished } = (await call('runs.state', { runId: state.runId })) as RunState;
    const finished: RunState = await call('runs.finish', { runId: state.runId, unfinished: unfinished.map((u) => u.stepId), reason: SEALED_EARLY_BECAUSE });
    if (!finished.seal) throw new Error('the run was not sealed');

    const keyDir = path.join(consoleRoot, 'keys');
    const env = { RUNBOOK_CONSOLE_KEY_DIR: keyDir, RUNBOOK_CONSOLE_RUNS_DIR: path.join(root, 'runs') };
    const bundle = path.join(root, 'bundle');
    const exported = spawnSync(process.execPath, [CLI, 'export', finished.dir, '--out', bundle, '--key', keys.alice.file], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (exported.status !== 0) throw new Error(`runbook export failed: ${exported.stdout}\n${exported.stderr}`);

    const installationFile = path.join(keyDir, 'installation_ed25519');
    const installation = { file: installationFile, publicKeyLine: readFileSync(`${installationFile}.pub`, 'utf8').trim() };
    const installationBlob = parsePublicKeyLine(installation.publicKeyLine).blob;
    const principal = principalFor(operator);
    const allowedSigners = path.join(root, 'auditor_allowed_signers');
    writeFileSync(
      allowedSigners,
      [
        line(`installation-${installationId(installation.publicKeyLine)}`, installation, [NS.checkpoint]),
        line(principal, keys.alice, [NS.audit, NS.signoff]),
        line('bob', keys.bob, [NS.approval]),
        line('Carol-Reviewer', keys.carol, [NS.signoff]),
      ].join('\n') + '\n',
    );
    const prior = path.join(root, 'ticket');
    writeFileSync(prior, `${finished.seal.ticketLine}\n`);
    return {
      root,
      keyDir,
      runDir: finished.dir,
      bundle,
      runId: state.runId,
      keys: { ...keys, installation },
      operator,
      allowedSigners,
      prior,
      pin: fingerprint(installationBlob),
      env,
    };
  } finally {
    if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tools a tamperer has: the bundle's own files, the bundled MAC key (mac-key.txt), the installation key (an
// insider), the operator's key (the operator as insider), or keys of their own.

const journalOf = (dir: string) => readFileSync(path.join(dir, JOURNAL_FILE), 'utf8');
export const linesOf = (dir: string) => journalOf(dir).slice(0, -1).split('\n');
export const writeLines = (dir: string, lines: string[]) => writeFileSync(path.join(dir, JOURNAL_FILE), `${lines.join('\n')}\n`);
const recordsOf = (dir: string) => linesOf(dir).map((l) => JSON.parse(l) as JournalRecord);
const recordIndex = (dir: string, test: (r: JournalRecord) => boolean) => recordsOf(dir).findIndex(test);

/** Rewrites one record's JSON, keeping the line canonical (the chain and MAC still show the edit). */
export function editRecord(dir: string, index: number, edit: (record: JournalRecord) => void): void {
  const lines = linesOf(dir);
  const at = index < 0 ? lines.length + index : index;
  const record = JSON.parse(lines[at] as string) as JournalRecord;
  edit(record);
  lines[at] = canonicalize(record);
  writeLines(dir, lines);
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

/** SHA256SUMS made again over what the bundle now holds, and signed (as `runbook export` does) by `signer`. */
export function resum(dir: string, signer: TestKey): void {
  const files = listFiles(dir).filter((f) => f !== 'SHA256SUMS' && f !== 'SHA256SUMS.sig');
  const sums = `${files.map((f) => `${createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')}  ${f}`).join('\n')}\n`;
  writeFileSync(path.join(dir, 'SHA256SUMS'), sums);
  writeFileSync(path.join(dir, 'SHA256SUMS.sig'), keygenSign(signer, NS.audit, Buffer.from(sums)));
}

/** report.json (and its signature) edited as JSON, then the bundle re-summed: the operator lying in the report. */
export function editReport(base: Base, dir: string, edit: (report: any) => void, signer: TestKey = base.keys.alice): void {
  const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
  edit(report);
  writeReport(dir, canonicalize(report), signer);
}

function writeReport(dir: string, text: string, signer: TestKey): void {
  writeFileSync(path.join(dir, 'report.json'), text);
  writeFileSync(path.join(dir, 'report.json.sig'), keygenSign(signer, NS.audit, Buffer.from(text)));
  resum(dir, signer);
}

/** report.json built again from the journal as it now is, signed by `signer`, and the bundle re-summed. */
export function reexport(dir: string, signer: TestKey): void {
  const lines = linesOf(dir);
  const records = lines.map((l) => JSON.parse(l) as JournalRecord);
  const finished = records.findLast((r) => r.type === 'run.finished');
  const seal = records.findLast((r) => r.type === 'checkpoint');
  // The journal's own warnings, as a verifier words them (a wall clock stepping back is the one these cases make).
  const warnings = records.flatMap((r, i) => {
    const a = records[i - 1];
    if (!a || (a.boot_id === r.boot_id && BigInt(r.mono_ns) < BigInt(a.mono_ns)) || !(Date.parse(r.time) < Date.parse(a.time))) return [];
    return [{ code: 'W_CLOCK_BACKWARDS', record: i, line: i + 1, detail: `record ${i}: wall clock ${r.time} is before record ${i - 1}'s ${a.time}` }];
  });
  const summary = {
    outcome: finished ? (finished.data.ok ? 'succeeded' : 'failed') : 'unfinished',
    signer: seal ? { fingerprint: fingerprint(parsePublicKeyLine(String(seal.data.signer)).blob), principals: null } : null,
    warnings,
    macChecked: existsSync(path.join(dir, 'mac-key.txt')),
  } as unknown as VerifySummary;
  // The commands name who signed: the installation (an unsigned export) or the operator, as export.ts does.
  const start = records[0]?.data as { operator: { name: string }; installation: { id: string; public_key: string } };
  const installationPrincipal = `installation-${start.installation.id}`;
  const byInstallation = parsePublicKeyLine(signer.publicKeyLine).blob.equals(parsePublicKeyLine(start.installation.public_key).blob);
  const { commands } = verifyInstructions({ principal: byInstallation ? installationPrincipal : principalFor(start.operator.name), installationPrincipal, runId: String(records[0]?.run), pdf: false, signedReport: true });
  const report = buildReport(dir, records, lines, summary, commands);
  writeFileSync(path.join(dir, 'report.html'), renderReportHtml(report));
  writeReport(dir, canonicalize(report), signer);
}

export interface Forgery {
  /** What the tamperer changes in the records (the result is re-chained, re-MACed and re-sealed). */
  edit?: (records: JournalRecord[], base: Base) => JournalRecord[];
  /** The key that signs the checkpoints (default: the installation key). */
  sealKey?: (base: Base) => TestKey;
  /** How a checkpoint's text is signed (default: ssh-keygen -Y sign in the checkpoint namespace). */
  sign?: (text: string, key: TestKey) => string;
  /** A last change to each checkpoint's data, after it is computed. */
  checkpoint?: (data: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Approvals and sign-offs signed again over the rewritten lines (each names hashes of lines the rewrite
   * changes), by these keys; without, they keep their signatures and show the rewrite.
   */
  resign?: (base: Base) => { approver: TestKey; signer: TestKey };
  /** Each record's data as rewritten, given the hashes of the (rewritten) lines before it. */
  data?: (record: JournalRecord, hashes: string[], base: Base) => Record<string, unknown>;
}

/**
 * An insider's rewrite: with the bundled MAC key (mac-key.txt) every record is chained and MACed again,
 * and every checkpoint computed and signed again, so only what the edit breaks on purpose shows.
 */
export function forge(base: Base, dir: string, forgery: Forgery = {}): void {
  let key: Buffer = Buffer.from(readFileSync(path.join(dir, 'mac-key.txt'), 'utf8').trim(), 'hex');
  const records = (forgery.edit ?? ((r) => r))(recordsOf(dir), base);
  const sealKey = (forgery.sealKey ?? ((b) => b.keys.installation))(base);
  const sign = forgery.sign ?? ((text, k) => keygenSign(k, NS.checkpoint, Buffer.from(text)));
  const start = records[0]?.data as { installation: { id: string }; options?: { approvers?: { sha256: string } } };
  const resign = forgery.resign?.(base);
  let prev = GENESIS_PREV;
  const lines: string[] = [];
  const hashes: string[] = [];
  for (const [i, r] of records.entries()) {
    const { mac: _mac, ...rest } = r;
    const unsigned = { ...rest, seq: i, prev };
    const d = unsigned.data as Record<string, any>;
    if (resign && unsigned.type === 'approval' && d.granted === true) {
      const sha256 = hashes[d.started.seq] as string;
      unsigned.data = { ...d, started: { ...d.started, sha256 }, message: sha256, approvers_sha256: start.options?.approvers?.sha256, signature: keygenSign(resign.approver, NS.approval, Buffer.from(sha256)), ...keyFields(resign.approver) };
    }
    if (resign && unsigned.type === 'signoff' && d.accepted === true) {
      const signs = { seq: i - 1, sha256: hashes[i - 1] as string };
      const message = signoffMessage({ run: unsigned.run, step: d.step.id, role: d.role, name: d.name, date: d.date, record: signs });
      unsigned.data = { ...d, signs, message, signature: keygenSign(resign.signer, NS.signoff, Buffer.from(message)), ...keyFields(resign.signer) };
    }
    if (forgery.data) unsigned.data = forgery.data(unsigned as JournalRecord, hashes, base);
    if (unsigned.type === 'checkpoint') {
      const root = rootHash(lines);
      const origin = `runbook-console/${start.installation.id}/${unsigned.run}`;
      const text = formatCheckpoint({ origin, size: i, rootHash: root, extensions: [] });
      const signature = sign(text, sealKey);
      unsigned.data = (forgery.checkpoint ?? ((d) => d))({ ...unsigned.data, origin, size: i, root: root.toString('base64'), text, signature, signer: sealKey.publicKeyLine });
      writeFileSync(path.join(dir, CHECKPOINT_FILE), String(unsigned.data.text));
      writeFileSync(path.join(dir, `${CHECKPOINT_FILE}.sig`), String(unsigned.data.signature));
    }
    const line = canonicalize({ ...unsigned, mac: recordMac(key, canonicalize(unsigned)) });
    key = evolveKey(key);
    prev = sha256Hex(line);
    hashes.push(prev);
    lines.push(line);
  }
  writeLines(dir, lines);
}

const keyFields = (k: TestKey) => ({ key: k.publicKeyLine.split(' ').slice(0, 2).join(' '), fingerprint: fingerprint(parsePublicKeyLine(k.publicKeyLine).blob) });

/** The auditor's anchors but --prior (which catches any rewrite first). */
const noPrior = (b: Base): string[] => ['--allowed-signers', b.allowedSigners, '--pin', b.pin];

/**
 * Everything made again by a forger holding only the bundle (and so its MAC key) and keys of their own: run.started
 * names their installation key (`foreignSeal`) and lists their key as bob's approval key, the approvals and
 * sign-offs are signed by it, the journal sealed and the bundle exported with others of theirs.
 */
function forgeAll(dir: string, base: Base, foreignSeal = true): void {
  const seal = (b: Base) => (foreignSeal ? b.keys.foreign : b.keys.installation);
  forge(base, dir, { sealKey: seal, edit: foreignStart(seal, (b) => b.keys.eve), resign: (b) => ({ approver: b.keys.eve, signer: b.keys.eve }) });
  reexport(dir, base.keys.mallory);
}

/** The records with run.started naming `key` as the installation key and `approver` as bob's approval key. */
const foreignStart = (key: (b: Base) => TestKey, approver?: (b: Base) => TestKey) => (records: JournalRecord[], b: Base) =>
  change(0, (s) => {
    const options = s.data.options as { approvers: { text: string; sha256: string } };
    const text = approver ? `${line('bob', approver(b), [NS.approval])}\n` : options.approvers.text;
    return withData(s, {
      installation: { id: installationId(key(b).publicKeyLine), public_key: key(b).publicKeyLine },
      options: { ...options, approvers: { ...options.approvers, text, sha256: createHash('sha256').update(text).digest('hex') } },
    });
  })(records);

/** An insider's edit after the sign-offs (so they still hold): the run's end says the failed check succeeded. */
const rosyEnd = (records: JournalRecord[]) =>
  change(records.findLastIndex((r) => r.type === 'run.finished'), (r) =>
    withData(r, { ok: true, counts: { succeeded: 5 }, steps: (r.data.steps as { id: string; status: string; reason: string | null }[]).map((s) => ({ ...s, status: 'succeeded', reason: s.status === 'failed' ? null : s.reason })) }),
  )(records);
const atRunEnd = (fn: (r: JournalRecord) => JournalRecord) => (records: JournalRecord[]) => change(records.findLastIndex((r) => r.type === 'run.finished'), fn)(records);

/** The records with record `index` (negative: from the end) replaced by `change(record)`. */
const change = (index: number, fn: (r: JournalRecord) => JournalRecord) => (records: JournalRecord[]) => records.map((r, i) => (i === (index < 0 ? records.length + index : index) ? fn(r) : r));
const indexOf = (records: JournalRecord[], test: (r: JournalRecord) => boolean) => records.findIndex(test);
const withData = (r: JournalRecord, data: Record<string, unknown>) => ({ ...r, data: { ...r.data, ...data } });
/** run.started's store (format 4) as a run shipping to a team store records it. */
const STORE_FIELD = { url: 'alice@store.example:5432/evidence (verify-full)', gate: true };
/** The journal's first refused approval made a request that timed out (format 4): no signature, no approver (unless `approver`). */
const toTimedOut = (r: JournalRecord[], approver: string | null = null): JournalRecord[] => {
  const at = r.findIndex((x) => x.type === 'approval' && x.data.granted === false);
  if (at < 0) throw new Error('the base run has no refused approval');
  const d = (r[at] as JournalRecord).data as Record<string, unknown>;
  const data = { step: d.step, block: d.block, started: d.started, approver, granted: false, code: 'timed-out', reason: 'no valid approval arrived through the team store within 60 s' };
  return change(at, (x) => ({ ...x, data }))(r);
};

/** The journal changed by `fn`, then the bundle re-summed and re-signed by the operator, so the journal's own checks decide. */
const journalCase = (fn: (dir: string, base: Base) => void) => (dir: string, base: Base) => {
  fn(dir, base);
  resum(dir, base.keys.alice);
};

/** An approval's signature replaced by one `key` makes over `message` (default: the hash it names). */
function reSignApproval(records: JournalRecord[], key: TestKey, message?: (hash: string) => string, data: Record<string, unknown> = {}): JournalRecord[] {
  const at = records.findLastIndex((r) => r.type === 'approval' && r.data.granted === true);
  return change(at, (r) => {
    const hash = String((r.data.started as { sha256: string }).sha256);
    const blob = parsePublicKeyLine(key.publicKeyLine).blob;
    return withData(r, { signature: keygenSign(key, NS.approval, Buffer.from((message ?? ((h) => h))(hash))), key: key.publicKeyLine.split(' ').slice(0, 2).join(' '), fingerprint: fingerprint(blob), ...data });
  })(records);
}

/**
 * Every accepted sign-off signed again over the rewritten lines before it, each by the key `by` names for it (else its
 * own signer's: the operator's key for the operator's row, carol's for hers), with `more` of its data changed.
 */
const signOffsBy = (by: (name: string, b: Base) => TestKey | null, more: (name: string, b: Base) => Record<string, unknown> = () => ({})) =>
  (r: JournalRecord, hashes: string[], b: Base): Record<string, unknown> => {
    const d = r.data as Record<string, any>;
    if (r.type !== 'signoff' || d.accepted !== true) return r.data;
    const signer = by(d.name, b) ?? (d.name === b.operator ? b.keys.alice : b.keys.carol);
    const signs = { seq: r.seq - 1, sha256: hashes[r.seq - 1] as string };
    const message = signoffMessage({ run: r.run, step: d.step.id, role: d.role, name: d.name, date: d.date, record: signs });
    return { ...d, ...more(d.name, b), signs, message, signature: keygenSign(signer, NS.signoff, Buffer.from(message)), ...keyFields(signer) };
  };
/** The journal's sign-offs signed again as signOffsBy says, re-chained, re-MACed and re-sealed, and re-exported by the operator. */
const resignOffs = (...args: Parameters<typeof signOffsBy>) => (d: string, b: Base) => {
  forge(b, d, { data: signOffsBy(...args) });
  reexport(d, b.keys.alice);
};
const carols = (key: (b: Base) => TestKey) => (name: string, b: Base) => (name === 'Carol Reviewer' ? key(b) : null);
const operators = (key: (b: Base) => TestKey) => (name: string, b: Base) => (name === b.operator ? key(b) : null);

/** `levels` arrays, one inside the other, around a string. */
const nested = (levels: number): unknown => (levels <= 0 ? 'deep' : [nested(levels - 1)]);
/** The first note's text replaced by arrays nested so that its line nests `depth` levels (the record and its data are two). */
const noteNested = (depth: number) => misfit(atFirst('step.note', (d) => { d.text = nested(depth - 2); }));

// ---------------------------------------------------------------------------------------------------------
// The cases.

/** A verdict: an exit status (0 intact and anchored, 2 usage, 3 intact but unanchored) or a FAIL reason code (exit 1). */
export type Verdict = 0 | 2 | 3 | `E_${string}`;

export interface TamperCase {
  name: string;
  /** What is verified: a copy of the bundle (default) or of the run directory. */
  target?: 'bundle' | 'run';
  tamper?: (dir: string, base: Base) => void;
  /** Arguments for both verifiers in both modes (DIR is replaced by the case's directory). */
  args?: (base: Base, dir: string) => string[];
  /** The auditor's anchors, when the default (--allowed-signers, --prior, --pin) does not fit the case. */
  anchors?: (base: Base, dir: string) => string[];
  /** Verdict without anchors, and with them. */
  bare: Verdict;
  anchored: Verdict;
  /** A word the output must hold (verify.py; and runbook verify once it agrees), e.g. "expired". */
  says?: string;
}

export const anchorArgs = (base: Base): string[] => ['--allowed-signers', base.allowedSigners, '--prior', base.prior, '--pin', base.pin];

function writeTemp(base: Base, name: string, text: string): string {
  const file = path.join(base.root, 'files', `${name}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const blobFile = (dir: string, holding: string) => {
  const blobs = path.join(dir, 'blobs');
  return path.join(blobs, readdirSync(blobs).find((b) => readFileSync(path.join(blobs, b), 'utf8').includes(holding)) as string);
};

const noteLine = (dir: string) => recordIndex(dir, (r) => r.type === 'step.note');
const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const swapFiles = (dir: string, a: string, b: string) => {
  renameSync(path.join(dir, a), path.join(dir, `${a}.swap`));
  renameSync(path.join(dir, b), path.join(dir, a));
  renameSync(path.join(dir, `${a}.swap`), path.join(dir, b));
};
const stepWith = (report: any, prefix: string) => report.steps.find((s: { id: string }) => s.id.includes(prefix));
const eventOf = (report: any, type: string, n = 0) => report.events.filter((e: { type: string }) => e.type === type)[n];

/** report.html edited as text, then the bundle re-summed and signed by the operator: only the report check can see it. */
const editHtml = (edit: (html: string) => string) => (dir: string, base: Base) => {
  const file = path.join(dir, 'report.html');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error('the report.html edit changed nothing');
  writeFileSync(file, after);
  resum(dir, base.keys.alice);
};

/** Text a report must show as inert text: markup, quotes, terminal controls, bidi overrides, CR alone and CR LF. */
export const ODD = '</pre><script>alert(1)</script> & "q" \'a\' \u001b[31mred\u001b[0m \u0007\u009b2J \u202eevil\u202c \u2066\u061c\u007f bare\rCR, CRLF\r\n, tab\t.';

/**
 * Hostile text in the fields a console writes, in records of the shapes it writes (each a copy of one of this
 * run's own, with only its text changed), after the sign-offs and before the run's end: a step's title, a
 * command, an error, reasons, notes, a decision and a note (an astral character where the page's cut at 160
 * UTF-16 units falls), blocks finished out of order and one never finished; changes of a mark and a skip (journal
 * format 2), and the run's early end (run.ended-early) rewritten with hostile text and every unfinished kind.
 */
const hostileRecords = (records: JournalRecord[]): JournalRecord[] => {
  const end = records.findLastIndex((r) => r.type === 'run.finished');
  const like = (type: JournalRecord['type']) => records.find((r) => r.type === type && (type !== 'step.started' || r.data.state_changing === false)) as JournalRecord;
  const started = like('step.started').data as Record<string, any>;
  const finished = like('step.finished').data as Record<string, any>;
  const copy = (type: JournalRecord['type'], data: Record<string, unknown>) => ({ ...(records[end] as JournalRecord), type, data: { ...like(type).data, ...data } });
  const raw = (type: JournalRecord['type'], data: Record<string, unknown>) => ({ ...(records[end] as JournalRecord), type, data });
  const step = { ...started.step, id: 'work/hostile', title: `Hostile ${ODD}` };
  const start = (block: string, command: string) => copy('step.started', { step, block: { ...started.block, id: `work/hostile#${block}` }, command });
  const finish = (block: string, outcome: Record<string, unknown>, notes: string[]) =>
    copy('step.finished', { step: { id: step.id }, block: { id: `work/hostile#${block}` }, started: null, outcome: { ...finished.outcome, ...outcome }, notes });
  const inserted = [
    start('1', ODD),
    start('2', `echo 😀 ${'é'.repeat(3)}`),
    finish('2', { error: ODD, reasons: ['r <1>', ODD] }, [ODD, `${'n'.repeat(159)}😀`]),
    finish('1', { error: null, reasons: [] }, []),
    start('3', `${ODD}\n${ODD}`),
    copy('step.note', { step: { id: step.id }, text: `${'x'.repeat(159)}😀tail ${ODD}` }),
    copy('decision', { decision: ODD, note: `${'w'.repeat(158)}😀v` }),
    // What people record of a step: a skip (its reason theirs), a fill-in, a refused sign-off, a decision for a step no
    // other record names (known by its id alone), a note before the step's heading is recorded.
    raw('step.skipped', { step: { ...step, id: 'work/hostile-skip', title: ODD }, reason: ODD, by: 'operator' }),
    raw('fillin', { step: { id: step.id }, label: ODD, value: `${ODD}${'v'.repeat(5000)}` }),
    copy('signoff', { step: { id: step.id }, name: ODD, role: ODD, accepted: false, code: 'bad-signature', reason: ODD, key: null, fingerprint: null, signature: null }),
    raw('decision', { step: { id: 'work/person-only' }, decision: ODD, note: null, by: ODD }),
    raw('step.note', { step: { id: 'work/noted-first' }, by: ODD, text: ODD }),
    raw('step.skipped', { step: { ...step, id: 'work/noted-first', title: `Noted ${ODD}` }, reason: ODD, by: 'plan', code: 'for-a-person' }),
    // Changes of what was recorded (format 2): from, to and the reason are the operator's or the runbook's text;
    // one for a step no other record names.
    raw('step.note', { step: { id: step.id }, by: ODD, change: 'mark', from: ODD, to: `${'t'.repeat(159)}😀${ODD}`, reason: `${ODD}\u2028${'x'.repeat(3000)}` }),
    raw('step.note', { step: { id: 'work/changed-only' }, by: 'Alice Operator', change: 'skip', from: 'skipped', to: 'pending', reason: `${'r'.repeat(159)}😀${ODD}` }),
  ];
  const early = records.findLastIndex((r) => r.type === 'run.ended-early');
  if (early < 0) throw new Error('the run was not sealed early: no run.ended-early to make hostile');
  const earlyEnd = records[early] as JournalRecord;
  const unfinished = UNFINISHED_KINDS.map((what, i) => ({ step: i === 0 ? `work/${ODD}` : `work/u${i}`, title: i === 1 ? `${'u'.repeat(150)}😀${ODD}` : `${what} ${ODD}`, what }));
  const before = records.slice(0, end).map((r, i) => (i === early ? { ...earlyEnd, data: { by: `${ODD}\u2028`, reason: `${'e'.repeat(159)}😀 ${ODD}`, unfinished } } : r));
  const ended = records[end] as JournalRecord;
  const steps = ended.data.steps as { id: string; status: string; reason: string | null }[];
  const more = [
    { ...(steps[0] as object), id: step.id, status: 'cancelled', reason: ODD },
    { id: 'work/person-only', status: 'succeeded', reason: null },
    { id: 'work/never-named', status: 'not-run', reason: ODD },
  ];
  const rewritten = { ...ended, data: { ...ended.data, steps: [...steps, ...more] } };
  return [...before, ...inserted, rewritten, ...records.slice(end + 1)];
};

/**
 * The records with run.started saying journal format 1, which has no run.ended-early, run.resumed, timer or
 * step.note change, and no variables[].value: the values go (the other records are left to the case).
 */
const toFormat1 = (records: JournalRecord[]) =>
  change(0, (s) => withData(s, { format: 'runbook-console-journal/1', variables: (s.data.variables as Record<string, unknown>[]).map(({ value: _value, ...v }) => v) }))(records);
/** A change of the decision (step.note, format 2) inserted after the sign-offs, before the run's end; `data` over it. */
const withChange = (records: JournalRecord[], data: Record<string, unknown> = {}): JournalRecord[] => {
  const at = records.findLastIndex((r) => r.type === 'signoff') + 1;
  const decision = records.find((r) => r.type === 'decision') as JournalRecord;
  const note = { ...(records[at] as JournalRecord), type: 'step.note' as const, data: { step: decision.data.step, by: decision.data.by, change: 'decision', from: 'GO', to: 'NO-GO', reason: 'the check failed after all', ...data } };
  return [...records.slice(0, at), note, ...records.slice(at)];
};

/** A rewrite whose records do not fit the format: re-chained, re-MACed and re-sealed, the bundle re-summed (no report can be built). */
const misfit = (edit: (records: JournalRecord[], base: Base) => JournalRecord[]) => (dir: string, base: Base) => {
  forge(base, dir, { edit });
  resum(dir, base.keys.alice);
};
/** An object whose own key `key` (even "__proto__", as JSON.parse makes it) holds `value`. */
const ownKey = (key: string, value: unknown) => Object.defineProperty({}, key, { value, enumerable: true, writable: true, configurable: true });
/** The first record of `type`, its data (a deep copy) changed in place by `fn`. */
const atFirst = (type: JournalRecord['type'], fn: (data: any) => void) => (records: JournalRecord[]) =>
  change(records.findIndex((r) => r.type === type), (r) => {
    const data = structuredClone(r.data);
    fn(data);
    return { ...r, data };
  })(records);

/**
 * Records of shapes the format allows but this run does not hold, inserted after the sign-offs: nulls where a field
 * may be null, optional fields absent or there, every kind of step.note, a trust answer, an ssh target's odd fields.
 */
const oddButAllowed = (records: JournalRecord[]): JournalRecord[] => {
  const end = records.findLastIndex((r) => r.type === 'run.finished');
  const like = (type: JournalRecord['type']) => records.find((r) => r.type === type && (type !== 'step.started' || r.data.state_changing === false)) as JournalRecord;
  const at = (type: JournalRecord['type'], data: Record<string, unknown>) => ({ ...(records[end] as JournalRecord), type, data });
  const started = like('step.started').data as Record<string, any>;
  const finished = like('step.finished').data as Record<string, any>;
  const step = { id: 'work/odd', title: 'Odd', line: 40, profile: null };
  const inserted = [
    at('step.started', { ...started, step, block: { ...started.block, id: 'work/odd#1', lang: null }, target: { name: 'far', kind: 'ssh', bound_by: 'operator choice', protected: false, host: 'far.example', port: null, user: null, fingerprint_pinned: null, known_hosts: ['a', 'b'], jump: null } }),
    at('step.finished', { ...finished, step: { id: step.id }, block: { id: 'work/odd#1' }, started: null, outcome: { ...finished.outcome, exit_code: -1, signal: null, error: null, verdict: null, refusal: null, result_sets: [{ command: null, columns: [], row_count: null }] }, target: { ...finished.target, details: { tls: '1.3' } }, duration_ms: 0.5 }),
    at('step.note', { step: { id: step.id }, by: 'Alice Operator', mark: 'pass', note: null }),
    at('step.note', { step: { id: step.id }, by: 'Alice Operator', binding: { block: 'work/odd#1', target: 'far', kind: 'ssh', endpoint: 'far.example:22' } }),
    at('decision', { step: { id: step.id }, decision: 'GO', note: null, by: 'Alice Operator' }),
    at('trust', { question: 'q1', kind: 'secret', text: null, answer: '(given)', by: 'operator' }),
    at('trust', { question: 'q2', kind: 'confirm', text: 'Trust far.example?', answer: false, by: 'step-ended' }),
    at('step.skipped', { step, reason: 'not now', by: 'operator' }),
    at('step.skipped', { step: { ...step, id: 'work/odd2' }, reason: 'stopped', by: 'refused', status: 'cancelled', refusal: null }),
  ];
  return [...records.slice(0, end), ...inserted, ...records.slice(end)];
};

export const CASES: TamperCase[] = [
  // The untouched run, both ways: intact; anchored only with the auditor's anchors.
  { name: 'intact bundle', bare: 3, anchored: 0 },
  { name: 'intact run directory', target: 'run', args: (b) => ['--mac-key', writeTemp(b, 'mac-key', readFileSync(path.join(b.bundle, 'mac-key.txt'), 'utf8'))], anchors: (b) => ['--allowed-signers', b.allowedSigners, '--pin', b.pin], bare: 3, anchored: 0 },
  { name: 'intact bundle, --prior alone (the bundle signatures stay unanchored)', bare: 3, anchored: 3, anchors: (b) => ['--prior', b.prior] },
  { name: 'intact bundle, --pin alone (the bundle signatures stay unanchored)', bare: 3, anchored: 3, anchors: (b) => ['--pin', b.pin] },

  // Records edited, deleted, inserted, reordered, duplicated: the bundle re-summed by the operator, so the journal decides.
  { name: 'edited record (one byte of a command)', tamper: journalCase((d) => writeFileSync(path.join(d, JOURNAL_FILE), journalOf(d).replace('touch \\"$MARK\\"; echo changed', 'touch \\"$MARK\\"; echo chAnged'))), bare: 'E_RECORD_CHANGED', anchored: 'E_RECORD_CHANGED' },
  { name: 'deleted record', tamper: journalCase((d) => writeLines(d, linesOf(d).filter((_, i) => i !== noteLine(d)))), bare: 'E_RECORD_DELETED', anchored: 'E_RECORD_DELETED' },
  { name: 'inserted record', tamper: journalCase((d) => { const l = linesOf(d); const n = noteLine(d); l.splice(n + 1, 0, (l[n] as string).replace('on purpose', 'by accident')); writeLines(d, l); }), bare: 'E_RECORD_INSERTED', anchored: 'E_RECORD_INSERTED' },
  { name: 'reordered records', tamper: journalCase((d) => { const l = linesOf(d); const n = noteLine(d); [l[n], l[n + 1]] = [l[n + 1] as string, l[n] as string]; writeLines(d, l); }), bare: 'E_RECORD_REORDERED', anchored: 'E_RECORD_REORDERED' },
  { name: 'duplicated record', tamper: journalCase((d) => { const l = linesOf(d); const n = noteLine(d); l.splice(n + 1, 0, l[n] as string); writeLines(d, l); }), bare: 'E_RECORD_DUPLICATED', anchored: 'E_RECORD_DUPLICATED' },
  { name: 'truncated journal (two records cut)', tamper: journalCase((d) => writeLines(d, linesOf(d).slice(0, -2))), bare: 'E_SEAL_SIZE', anchored: 'E_SEAL_SIZE' },
  { name: 'torn tail', tamper: journalCase((d) => appendFileSync(path.join(d, JOURNAL_FILE), '{"boot_id":"x","da')), bare: 'E_TORN_TAIL', anchored: 'E_TORN_TAIL' },
  { name: 'CRLF line ends', tamper: journalCase((d) => writeFileSync(path.join(d, JOURNAL_FILE), journalOf(d).replace(/\n/g, '\r\n'))), bare: 'E_CRLF', anchored: 'E_CRLF' },
  { name: 'bad JSON', tamper: journalCase((d) => { const l = linesOf(d); const n = noteLine(d); l[n] = (l[n] as string).slice(0, -1); writeLines(d, l); }), bare: 'E_JSON', anchored: 'E_JSON' },
  { name: 'JSON nested 100000 levels deep (a whole line)', tamper: journalCase((d) => { const l = linesOf(d); l[noteLine(d)] = deep(100_000); writeLines(d, l); }), bare: 'E_JSON', anchored: 'E_JSON' },
  { name: 'JSON nested 100000 levels deep (inside a record)', tamper: journalCase((d) => { const l = linesOf(d); const n = noteLine(d); l[n] = (l[n] as string).replace('"the check fails on purpose"', deep(100_000)); writeLines(d, l); }), bare: 'E_JSON', anchored: 'E_JSON' },
  // One limit to nesting for both verifiers (MAX_JSON_DEPTH, 64: no record nests past 6), checked before a line is parsed,
  // so that no parser's own limit decides (Python's recursion limit is about 1,000 levels). Records re-chained, re-MACed, re-sealed.
  { name: `JSON nested ${MAX_JSON_DEPTH - 1} levels deep (a note's text; under the limit): read, and refused by the format`, tamper: noteNested(MAX_JSON_DEPTH - 1), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: `JSON nested ${MAX_JSON_DEPTH} levels deep (a note's text; the limit): read, and refused by the format`, tamper: noteNested(MAX_JSON_DEPTH), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: `JSON nested ${MAX_JSON_DEPTH + 1} levels deep (a note's text; past the limit)`, tamper: noteNested(MAX_JSON_DEPTH + 1), bare: 'E_JSON', anchored: 'E_JSON', says: `nested deeper than ${MAX_JSON_DEPTH} levels` },
  { name: 'JSON nested 2000 levels deep (a note\'s text; past Python\'s own recursion limit, not V8\'s)', tamper: noteNested(2000), bare: 'E_JSON', anchored: 'E_JSON', says: `nested deeper than ${MAX_JSON_DEPTH} levels` },
  { name: `JSON nested ${MAX_JSON_DEPTH + 1} levels deep (a whole line)`, tamper: journalCase((d) => { const l = linesOf(d); l[noteLine(d)] = deep(MAX_JSON_DEPTH + 1); writeLines(d, l); }), bare: 'E_JSON', anchored: 'E_JSON' },
  { name: `JSON nested ${MAX_JSON_DEPTH} levels deep (a whole line, not a record)`, tamper: journalCase((d) => { const l = linesOf(d); l[noteLine(d)] = deep(MAX_JSON_DEPTH); writeLines(d, l); }), bare: 'E_FIELDS', anchored: 'E_FIELDS' },
  { name: 'nesting control: a note whose text holds 200 brackets (inside a string: no nesting), the sign-offs after it signed again, re-exported', tamper: (d, b) => { forge(b, d, { edit: atFirst('step.note', (x) => { x.text = `${'[{'.repeat(100)} ${'\\"['.repeat(10)}`; }), data: signOffsBy(() => null) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 3, anchored: 0 },
  { name: 'binary garbage line', tamper: journalCase((d) => { const l = readFileSync(path.join(d, JOURNAL_FILE)).toString('latin1').split('\n'); l[noteLine(d)] = '\u0000\u00ff\u00fe\u0089PNG\u001a\u0000\u00c3\u0028garbage'; writeFileSync(path.join(d, JOURNAL_FILE), Buffer.from(l.join('\n'), 'latin1')); }), bare: 'E_JSON', anchored: 'E_JSON' },
  { name: 'invalid UTF-8 inside a string', tamper: journalCase((d) => { const bytes = readFileSync(path.join(d, JOURNAL_FILE)); const at = bytes.indexOf('the check fails on purpose'); bytes[at] = 0xff; writeFileSync(path.join(d, JOURNAL_FILE), bytes); }), bare: 'E_JSON', anchored: 'E_JSON' },
  { name: 'duplicate JSON key', tamper: journalCase((d) => { const l = linesOf(d); const n = noteLine(d); l[n] = (l[n] as string).replace('{"boot_id"', '{"boot_id":"a","boot_id"'); writeLines(d, l); }), bare: 'E_DUPLICATE_KEY', anchored: 'E_DUPLICATE_KEY' },
  { name: 'non-canonical JSON', tamper: journalCase((d) => { const l = linesOf(d); const n = noteLine(d); l[n] = (l[n] as string).replace('{"boot_id"', '{ "boot_id"'); writeLines(d, l); }), bare: 'E_NONCANONICAL', anchored: 'E_NONCANONICAL' },
  { name: 'record lacks an envelope field', tamper: journalCase((d) => editRecord(d, noteLine(d), (r) => { delete (r as Partial<JournalRecord>).prev; })), bare: 'E_FIELDS', anchored: 'E_FIELDS' },
  { name: 'record of another run', tamper: journalCase((d) => editRecord(d, noteLine(d), (r) => { r.run = '00000000-0000-4000-8000-000000000000'; })), bare: 'E_OTHER_RUN', anchored: 'E_OTHER_RUN' },
  { name: 'wrong --run-id', args: () => ['--run-id', '00000000-0000-4000-8000-000000000000'], bare: 'E_RUN_ID', anchored: 'E_RUN_ID' },
  { name: 'record edited without the MAC key (the last record: no chain after it)', tamper: journalCase((d) => editRecord(d, -1, (r) => { r.data.reason = 'edited'; })), bare: 'E_MAC', anchored: 'E_MAC' },
  { name: 'mac-key.txt of another run', tamper: journalCase((d) => writeFileSync(path.join(d, 'mac-key.txt'), `${'ab'.repeat(32)}\n`)), bare: 'E_MAC', anchored: 'E_MAC' },
  // The report names W_MAC_UNCHECKED exactly when the bundle ships no MAC key: one taken away after the export shows.
  { name: 'mac-key.txt removed after the export', tamper: journalCase((d) => rmSync(path.join(d, 'mac-key.txt'))), bare: 'E_REPORT', anchored: 'E_REPORT' },
  { name: 'mac-key.txt removed, report.json made again (MACs unchecked: a warning)', tamper: (d, b) => { rmSync(path.join(d, 'mac-key.txt')); reexport(d, b.keys.alice); }, bare: 3, anchored: 0 },

  // Insiders: the bundled MAC key and the installation key rewrite the journal consistently. A rewrite changes
  // the hash of every line after the first it edits, so what signs one of them (an approval, a sign-off) shows it
  // unless it is signed again: these edit the run's end, after the sign-offs, or say what they break.
  { name: 'monotonic clock backwards within one boot', tamper: (d, b) => { forge(b, d, { edit: atRunEnd((x) => ({ ...x, mono_ns: '1' })) }); reexport(d, b.keys.alice); }, bare: 'E_MONOTONIC', anchored: 'E_MONOTONIC' },
  { name: 'wall clock backwards only (a warning; the rewrite shows against --prior)', tamper: (d, b) => { forge(b, d, { edit: atRunEnd((x) => ({ ...x, time: '2000-01-01T00:00:00.000Z' })) }); reexport(d, b.keys.alice); }, bare: 3, anchored: 'E_PRIOR' },
  { name: 'run end rewritten (the failed check succeeded) and re-sealed; report.json left as it was', tamper: (d, b) => { forge(b, d, { edit: rosyEnd }); resum(d, b.keys.alice); }, bare: 'E_REPORT', anchored: 'E_PRIOR' },
  { name: 'run end rewritten, re-sealed and re-exported by the operator', tamper: (d, b) => { forge(b, d, { edit: rosyEnd }); reexport(d, b.keys.alice); }, bare: 3, anchored: 'E_PRIOR' },
  { name: 'run end rewritten and re-exported, against --allowed-signers and --pin (only --prior can catch it)', tamper: (d, b) => { forge(b, d, { edit: rosyEnd }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 3, anchored: 0 },
  { name: 'a command rewritten: the approval of its step.started no longer holds', tamper: (d, b) => { forge(b, d, { edit: (r) => r.map((x) => (x.type === 'step.started' && x.data.state_changing ? withData(x, { command: 'echo innocent' }) : x)) }); reexport(d, b.keys.alice); }, bare: 'E_APPROVAL', anchored: 'E_PRIOR' },
  { name: 'a note rewritten: the sign-offs after it no longer hold', tamper: (d, b) => { forge(b, d, { edit: (r) => change(indexOf(r, (x) => x.type === 'step.note'), (x) => withData(x, { text: 'all good' }))(r) }); reexport(d, b.keys.alice); }, bare: 'E_SIGNOFF', anchored: 'E_PRIOR' },
  { name: 'everything forged with keys of the forger\'s own (MACs with the bundled key; seal, approvals, sign-offs, bundle)', tamper: forgeAll, bare: 3, anchored: 'E_PRIOR' },
  { name: 'everything forged with keys of the forger\'s own, against --allowed-signers and --pin', tamper: forgeAll, anchors: noPrior, bare: 3, anchored: 'E_SIGNER' },
  { name: 'everything forged with keys of the forger\'s own, against --pin alone', tamper: forgeAll, anchors: (b) => ['--pin', b.pin], bare: 3, anchored: 'E_SIGNER' },
  { name: 'everything forged with keys of the forger\'s own but the seal\'s (the installation key, an insider\'s), against --pin alone', tamper: (d, b) => forgeAll(d, b, false), anchors: (b) => ['--pin', b.pin], bare: 3, anchored: 3 },
  { name: 'checkpoint signed by a key that is not the installation key run.started records', tamper: (d, b) => { forge(b, d, { sealKey: (x) => x.keys.foreign }); reexport(d, b.keys.alice); }, bare: 'E_SIGNER', anchored: 'E_SIGNER' },
  { name: 'checkpoint signature over other bytes', tamper: (d, b) => { forge(b, d, { sign: (t, k) => keygenSign(k, NS.checkpoint, Buffer.from(`${t}!`)) }); reexport(d, b.keys.alice); }, bare: 'E_SIGNATURE', anchored: 'E_SIGNATURE' },
  { name: 'checkpoint signed in another namespace', tamper: (d, b) => { forge(b, d, { sign: (t, k) => keygenSign(k, 'file', Buffer.from(t)) }); reexport(d, b.keys.alice); }, bare: 'E_NAMESPACE', anchored: 'E_NAMESPACE' },
  { name: 'records after the final seal', tamper: (d, b) => { forge(b, d, { edit: (r) => [...r, { ...(r.at(-1) as JournalRecord), type: 'step.note', data: { step: { id: 'late' }, by: 'x', text: 'late' } }] }); reexport(d, b.keys.alice); }, bare: 'E_AFTER_SEAL', anchored: 'E_AFTER_SEAL' },
  { name: 'sealed Merkle root wrong', tamper: (d, b) => { forge(b, d, { checkpoint: (c) => ({ ...c, root: Buffer.alloc(32).toString('base64') }) }); reexport(d, b.keys.alice); }, bare: 'E_SEAL_ROOT', anchored: 'E_SEAL_ROOT' },
  { name: 'checkpoint for another run (origin)', tamper: (d, b) => { forge(b, d, { checkpoint: (c) => { const text = String(c.text).replace(/\/[0-9a-f-]{36}\n/, '/00000000-0000-4000-8000-000000000000\n'); return { ...c, text, signature: keygenSign(b.keys.installation, NS.checkpoint, Buffer.from(text)) }; } }); reexport(d, b.keys.alice); }, bare: 'E_SEAL_ORIGIN', anchored: 'E_SEAL_ORIGIN' },
  { name: 'checkpoint.txt of another size', tamper: journalCase((d) => writeFileSync(path.join(d, CHECKPOINT_FILE), readFileSync(path.join(d, CHECKPOINT_FILE), 'utf8').replace(/\n(\d+)\n/, '\n5\n'))), bare: 'E_SEAL_SIZE', anchored: 'E_SEAL_SIZE' },
  { name: 'checkpoint.txt.sig swapped for report.json.sig', tamper: journalCase((d) => writeFileSync(path.join(d, `${CHECKPOINT_FILE}.sig`), readFileSync(path.join(d, 'report.json.sig')))), bare: 'E_SIGNATURE', anchored: 'E_SIGNATURE' },
  { name: 'final seal removed', tamper: journalCase((d) => { writeLines(d, linesOf(d).slice(0, -1)); rmSync(path.join(d, CHECKPOINT_FILE)); rmSync(path.join(d, `${CHECKPOINT_FILE}.sig`)); }), bare: 'E_UNSEALED', anchored: 'E_UNSEALED' },
  { name: 'output blob changed', tamper: journalCase((d) => appendFileSync(blobFile(d, 'inventory line 1 of'), 'one more line\n')), bare: 'E_BLOB', anchored: 'E_BLOB' },
  { name: 'output blob missing', tamper: journalCase((d) => rmSync(blobFile(d, 'inventory line 1 of'))), bare: 'E_BLOB', anchored: 'E_BLOB' },
  { name: 'runbook blob changed', tamper: journalCase((d) => writeFileSync(blobFile(d, '# Tamper suite change'), '# Another runbook\n')), bare: 'E_BLOB', anchored: 'E_BLOB' },

  // The journal format (records/*.ts): an insider's rewrite, re-chained, re-MACed and re-sealed (and the bundle re-summed),
  // that only the record-data check sees — E_RECORD_DATA, or E_FORMAT for the first record — before --prior or the report would.
  { name: 'record data: a field of the wrong type (run.finished ok: "yes")', tamper: misfit(atRunEnd((r) => withData(r, { ok: 'yes' }))), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a required field missing (step.finished outcome.signal)', tamper: misfit(atFirst('step.finished', (d) => { delete d.outcome.signal; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a field the format does not define, deep inside (step.started block)', tamper: misfit(atFirst('step.started', (d) => { d.block.approved_by = 'cfo'; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a field the format does not define, in an array (run.finished steps[0])', tamper: misfit(atRunEnd((r) => withData(r, { steps: (r.data.steps as object[]).map((x) => ({ ...x, signed_by: 'cfo' })) }))), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a refusal code not in the format', tamper: misfit(atFirst('step.finished', (d) => { d.outcome.refusal = 'operator-said-so'; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a verdict code not in the format', tamper: misfit(atFirst('step.started', (d) => { d.verdict.code = 'sql-trust-me'; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: an approval code not in the format (refused approval)', tamper: misfit(atFirst('approval', (d) => { if (d.granted !== false) throw new Error('the first approval is not the refused one'); d.code = 'looked-fine'; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a field named "__proto__" (run.finished)', tamper: misfit(atRunEnd((r) => ({ ...r, data: Object.defineProperty({ ...r.data }, '__proto__', { value: { approved_by: 'cfo' }, enumerable: true, writable: true, configurable: true }) }))), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: "__proto__" among run.finished counts', tamper: misfit(atRunEnd((r) => withData(r, { counts: Object.defineProperty({ ...(r.data.counts as object) }, '__proto__', { value: { approved_by: 'cfo' }, enumerable: true, writable: true, configurable: true }) }))), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  // "__proto__" under a z.record is checked like any key (records/fields.ts protoChecked): an object where the format
  // names strings fails; a string, which the format allows there, is a detail like any other (the approvals and
  // sign-offs after it signed again by their own signers).
  { name: 'record data: "__proto__" in step.finished target.details holding an object', tamper: misfit(atFirst('step.finished', (x) => { x.target.details = ownKey('__proto__', { approved_by: 'cfo' }); })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data control: "__proto__" in step.finished target.details holding a string, re-exported', tamper: (d, b) => { forge(b, d, { edit: atFirst('step.finished', (x) => { x.target.details = ownKey('__proto__', 'a detail'); }), resign: (x) => ({ approver: x.keys.bob, signer: x.keys.carol }), data: signOffsBy(() => null) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 3, anchored: 0 },
  { name: 'record data: a boolean where an integer belongs (step.started block.line)', tamper: misfit(atFirst('step.started', (d) => { d.block.line = true; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a fraction where an integer belongs (step.finished outcome.exit_code)', tamper: misfit(atFirst('step.finished', (d) => { d.outcome.exit_code = 3.5; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: an integer past 2^53 (step.started bind_params 1e21)', tamper: misfit(atFirst('step.started', (d) => { d.bind_params = 1e21; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a negative count (step.finished output.bytes)', tamper: misfit(atFirst('step.finished', (d) => { d.output.bytes = -1; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a non-ASCII digit in a SHA-256 (step.finished output.sha256)', tamper: misfit(atFirst('step.finished', (d) => { d.output.sha256 = `\u0663${String(d.output.sha256).slice(1)}`; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a non-ASCII digit in a time (step.finished started_at)', tamper: misfit(atFirst('step.finished', (d) => { d.started_at = String(d.started_at).replace(/^./, '\u0662'); })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: an upper-case SHA-256 (run.started runbook.sha256)', tamper: misfit(atFirst('run.started', (d) => { d.runbook.sha256 = String(d.runbook.sha256).toUpperCase(); })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: null where the format allows none (decision by)', tamper: misfit(atFirst('decision', (d) => { d.by = null; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: an optional field given as null (run.finished interrupted)', tamper: misfit(atRunEnd((r) => withData(r, { interrupted: null }))), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a step.note that is two kinds at once (text and mark)', tamper: misfit(atFirst('step.note', (d) => { d.mark = 'pass'; d.note = null; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a withdrawn approval that names an approver', tamper: misfit(atFirst('approval', (d) => { for (const k of ['key', 'fingerprint', 'signature', 'namespace', 'message', 'approvers_sha256']) delete d[k]; d.code = 'withdrawn'; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a sign-off without accepted (as before sign-offs were signed)', tamper: misfit(atFirst('signoff', (d) => { delete d.accepted; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data: a console run.started with the CLI\'s options', tamper: misfit(atFirst('run.started', (d) => { d.options.yes = true; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record type dropped from the format (run.paused): an envelope error', tamper: misfit(atRunEnd((r) => ({ ...r, type: 'run.paused' as JournalRecord['type'], data: {} }))), bare: 'E_FIELDS', anchored: 'E_FIELDS' },
  { name: 'journal format: a later version (runbook-console-journal/5)', tamper: misfit(atFirst('run.started', (d) => { d.format = 'runbook-console-journal/5'; })), bare: 'E_FORMAT', anchored: 'E_FORMAT', says: 'reads runbook-console-journal/1, runbook-console-journal/2, runbook-console-journal/3, runbook-console-journal/4' },
  { name: 'journal format: none named (a journal from before formats)', tamper: misfit(atFirst('run.started', (d) => { delete d.format; })), bare: 'E_FORMAT', anchored: 'E_FORMAT' },
  { name: 'journal format: the first record is not run.started', tamper: misfit(change(0, (r) => ({ ...r, type: 'step.note' }))), bare: 'E_FORMAT', anchored: 'E_FORMAT' },
  // Journal format 2 added run.ended-early (the console wrote this run's when the operator sealed with the check
  // unfinished), step.note's change and run.started's variables[].value (this run's MARK), among others. A journal
  // whose run.started says format 1 holding any was written by no format-1 writer; one without them is an old run,
  // and stays verifiable.
  { name: 'journal format 1 holding the run.ended-early the console wrote', tamper: misfit(toFormat1), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: '(run.ended-early): a record type format 1 does not have (format 2 added it), and the journal is in runbook-console-journal/1' },
  { name: 'journal format 1 holding a step.note change (after the sign-offs), its run.ended-early gone', tamper: misfit((r) => toFormat1(withChange(r.filter((x) => x.type !== 'run.ended-early')))), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: '(step.note): change: a field format 1 does not have (format 2 added it)' },
  { name: 'journal format 1 control: the same run without its run.ended-early (an old run), approvals and sign-offs signed again, re-exported', tamper: (d, b) => { forge(b, d, { edit: (r) => toFormat1(r.filter((x) => x.type !== 'run.ended-early')), resign: (x) => ({ approver: x.keys.bob, signer: x.keys.carol }), data: signOffsBy(() => null) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 3, anchored: 0 },
  // Format 3 added one refusal code (store-lagging): a journal whose run.started says format 2 holding it
  // was written by no format-2 writer.
  {
    name: 'journal format 2 holding a store-lagging refusal (format 3 added it)',
    tamper: misfit((r) => {
      const at = r.findIndex((x) => x.type === 'step.finished');
      const finished = r[at] as JournalRecord;
      const outcome = { ...(finished.data.outcome as Record<string, unknown>), refusal: 'store-lagging', ok: false };
      return change(at, (x) => withData(x, { outcome }))(change(0, (x) => withData(x, { format: 'runbook-console-journal/2' }))(r));
    }),
    bare: 'E_RECORD_DATA',
    anchored: 'E_RECORD_DATA',
    says: '(step.finished): refusal "store-lagging": a code format 2 does not have (format 3 added it), and the journal is in runbook-console-journal/2',
  },
  // Format 4 added the approval code timed-out and run.started's store: a format-3 journal holding either was
  // written by no format-3 writer. The controls: the same edits in format 4, forged through and re-exported.
  { name: 'journal format 3 holding a timed-out approval (format 4 added it)', tamper: misfit((r) => toTimedOut(change(0, (x) => withData(x, { format: 'runbook-console-journal/3' }))(r))), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: '(approval): approval code "timed-out": a code format 3 does not have (format 4 added it), and the journal is in runbook-console-journal/3' },
  { name: 'journal format 3 whose run.started names a team store (format 4 added it)', tamper: misfit((r) => change(0, (x) => withData(x, { format: 'runbook-console-journal/3', store: STORE_FIELD }))(r)), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: 'record 0 (run.started): store: a field format 3 does not have (format 4 added it)' },
  { name: 'record data: run.started\'s store without its gate', tamper: misfit((r) => change(0, (x) => withData(x, { store: { url: STORE_FIELD.url } }))(r)), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: 'data.store.gate' },
  { name: 'journal format 3 holding an approval with its store login (format 4 added it)', tamper: misfit((r) => change(0, (x) => withData(x, { format: 'runbook-console-journal/3' }))(atFirst('approval', (d) => { d.store_login = 'bob'; })(r))), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: '(approval): store_login: a field format 3 does not have (format 4 added it), and the journal is in runbook-console-journal/3' },
  { name: 'record data: an approval\'s store login that is not a string', tamper: misfit(atFirst('approval', (d) => { d.store_login = 7; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: 'data.store_login' },
  { name: 'record data: a timed-out approval that names an approver', tamper: misfit((r) => toTimedOut(r, 'bob')), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'journal format 4 control: a timed-out approval, a granted one with its store login and a team store in run.started, re-exported', tamper: (d, b) => { forge(b, d, { edit: (r) => change(0, (x) => withData(x, { store: STORE_FIELD }))(toTimedOut(r)).map((x) => (x.type === 'approval' && x.data.granted === true ? withData(x, { store_login: 'bob' }) : x)), resign: (x) => ({ approver: x.keys.bob, signer: x.keys.carol }), data: signOffsBy(() => null) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 3, anchored: 0 },
  { name: 'journal format 1 whose run.started keeps the variables\' values (format 2 added them)', tamper: misfit((r) => change(0, (s) => withData(s, { format: 'runbook-console-journal/1' }))(r)), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: 'record 0 (run.started): variables[].value: a field format 1 does not have (format 2 added it)' },
  { name: 'record data: run.ended-early naming an unfinished kind not in the format', tamper: misfit(atFirst('run.ended-early', (d) => { d.unfinished[0].what = 'forgotten'; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: 'data.unfinished[0].what' },
  { name: 'record data: run.ended-early with a field the format does not define', tamper: misfit(atFirst('run.ended-early', (d) => { d.waived_by = 'cfo'; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: 'data.waived_by' },
  { name: 'record data: run.ended-early without its reason (null says none was given)', tamper: misfit(atFirst('run.ended-early', (d) => { delete d.reason; })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA', says: 'data.reason' },
  { name: 'record data: a step.note change of a kind not in the format (after the sign-offs)', tamper: misfit((r) => withChange(r, { change: 'signoff' })), bare: 'E_RECORD_DATA', anchored: 'E_RECORD_DATA' },
  { name: 'record data control: run.ended-early with no reason (as STANDARD allows) and a step.note change after the sign-offs, re-exported', tamper: (d, b) => { forge(b, d, { edit: (r) => withChange(atFirst('run.ended-early', (x) => { x.reason = null; })(r)) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 3, anchored: 0 },
  // Controls: odd shapes the format allows (nulls where it allows them, optional fields absent or there), re-exported: both verify.
  { name: 'record data control: allowed odd shapes (inserted after the sign-offs), re-exported', tamper: (d, b) => { forge(b, d, { edit: oddButAllowed }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 3, anchored: 0 },
  { name: 'record data control: run.finished naming the optional interrupted cause, re-exported', tamper: (d, b) => { forge(b, d, { edit: atRunEnd((r) => withData(r, { interrupted: 'SIGTERM' })) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 3, anchored: 0 },

  // The bundle's own layer: SHA256SUMS and the operator's signatures.
  { name: 'file changed, SHA256SUMS not updated', tamper: (d) => appendFileSync(path.join(d, 'report.html'), '<!-- changed -->'), bare: 'E_BUNDLE', anchored: 'E_BUNDLE' },
  { name: 'listed file removed', tamper: (d) => rmSync(path.join(d, 'VERIFY.md')), bare: 'E_BUNDLE', anchored: 'E_BUNDLE' },
  { name: 'blob removed, SHA256SUMS not updated', tamper: (d) => rmSync(blobFile(d, 'inventory line 1 of')), bare: 'E_BUNDLE', anchored: 'E_BUNDLE' },
  { name: 'unlisted extra file', tamper: (d) => writeFileSync(path.join(d, 'NOTES.txt'), 'added after the export\n'), bare: 'E_BUNDLE', anchored: 'E_BUNDLE' },
  { name: 'unlisted extra blob', tamper: (d) => writeFileSync(path.join(d, 'blobs', 'f'.repeat(64)), 'extra\n'), bare: 'E_BUNDLE', anchored: 'E_BUNDLE' },
  { name: 'SHA256SUMS.sig removed', tamper: (d) => rmSync(path.join(d, 'SHA256SUMS.sig')), bare: 'E_BUNDLE', anchored: 'E_BUNDLE' },
  { name: 'SHA256SUMS out of order', tamper: (d, b) => { const l = readFileSync(path.join(d, 'SHA256SUMS'), 'utf8').trimEnd().split('\n'); [l[0], l[1]] = [l[1] as string, l[0] as string]; writeFileSync(path.join(d, 'SHA256SUMS'), `${l.join('\n')}\n`); writeFileSync(path.join(d, 'SHA256SUMS.sig'), keygenSign(b.keys.alice, NS.audit, readFileSync(path.join(d, 'SHA256SUMS')))); }, bare: 'E_BUNDLE', anchored: 'E_BUNDLE' },
  { name: 'symbolic link in the bundle', tamper: (d) => symlinkSync('/etc/hostname', path.join(d, 'hostname')), bare: 'E_BUNDLE', anchored: 'E_BUNDLE' },
  { name: 'report.html removed, SHA256SUMS recomputed and signed again', tamper: (d, b) => { rmSync(path.join(d, 'report.html')); resum(d, b.keys.alice); }, bare: 'E_BUNDLE', anchored: 'E_BUNDLE' },
  { name: 'report.json.sig by another key than SHA256SUMS.sig', tamper: (d, b) => { writeFileSync(path.join(d, 'report.json.sig'), keygenSign(b.keys.mallory, NS.audit, readFileSync(path.join(d, 'report.json')))); resum(d, b.keys.alice); }, bare: 'E_SIGNATURE', anchored: 'E_SIGNATURE' },
  { name: 'SHA256SUMS.sig made in another namespace', tamper: (d, b) => { writeFileSync(path.join(d, 'SHA256SUMS.sig'), keygenSign(b.keys.alice, 'file', readFileSync(path.join(d, 'SHA256SUMS')))); }, bare: 'E_NAMESPACE', anchored: 'E_NAMESPACE' },
  { name: 'SHA256SUMS.sig and report.json.sig swapped', tamper: (d) => { swapFiles(d, 'SHA256SUMS.sig', 'report.json.sig'); const sums = readFileSync(path.join(d, 'SHA256SUMS'), 'utf8').replace(/^[0-9a-f]{64}(?= {2}report\.json\.sig$)/m, createHash('sha256').update(readFileSync(path.join(d, 'report.json.sig'))).digest('hex')); writeFileSync(path.join(d, 'SHA256SUMS'), sums); }, bare: 'E_SIGNATURE', anchored: 'E_SIGNATURE' },
  { name: 'report.json edited, SHA256SUMS recomputed but not signed again', tamper: (d, b) => { const sig = readFileSync(path.join(d, 'SHA256SUMS.sig')); editReport(b, d, (r) => { stepWith(r, 'check-it').status = 'succeeded'; }); writeFileSync(path.join(d, 'SHA256SUMS.sig'), sig); }, bare: 'E_SIGNATURE', anchored: 'E_SIGNATURE' },
  { name: 'bundle signed again by another key', tamper: (d, b) => { writeFileSync(path.join(d, 'report.json.sig'), keygenSign(b.keys.mallory, NS.audit, readFileSync(path.join(d, 'report.json')))); resum(d, b.keys.mallory); }, bare: 3, anchored: 'E_SIGNER' },

  // report.json says something the journal does not (edited, summed and signed by the operator).
  { name: 'report.json: a failed step said to have succeeded', tamper: (d, b) => editReport(b, d, (r) => { stepWith(r, 'check-it').status = 'succeeded'; }), bare: 'E_REPORT', anchored: 'E_REPORT' },
  { name: 'report.json: an exit code changed', tamper: (d, b) => editReport(b, d, (r) => { stepWith(r, 'check-it').blocks[0].exitCode = 0; }), bare: 'E_REPORT', anchored: 'E_REPORT' },
  { name: 'report.json: a decision changed', tamper: (d, b) => editReport(b, d, (r) => { eventOf(r, 'decision').data.decision = 'NO-GO'; }), bare: 'E_REPORT', anchored: 'E_REPORT' },
  { name: 'report.json: a sign-off by someone else', tamper: (d, b) => editReport(b, d, (r) => { eventOf(r, 'signoff', 1).data.name = 'Dave Director'; }), bare: 'E_REPORT', anchored: 'E_REPORT' },
  { name: 'report.json: an approval by someone else', tamper: (d, b) => editReport(b, d, (r) => { eventOf(r, 'approval', 1).data.approver = 'dave'; }), bare: 'E_REPORT', anchored: 'E_REPORT' },
  { name: 'report.json: a note changed', tamper: (d, b) => editReport(b, d, (r) => { eventOf(r, 'step.note').data.text = 'all good'; }), bare: 'E_REPORT', anchored: 'E_REPORT' },
  { name: 'report.json: an output excerpt changed', tamper: (d, b) => editReport(b, d, (r) => { const o = stepWith(r, 'take-stock').blocks[0].output; o.excerpt = o.excerpt.replace('inventory line 2 of', 'inventory line 2 OF'); }), bare: 'E_REPORT', anchored: 'E_REPORT' },
  { name: 'report.json: a journal record changed in its copy', tamper: (d, b) => editReport(b, d, (r) => { r.records[1].data.command = 'echo innocent'; }), bare: 'E_REPORT', anchored: 'E_REPORT' },
  { name: 'report.json: the run outcome changed', tamper: (d, b) => editReport(b, d, (r) => { r.run.outcome = 'succeeded'; }), bare: 'E_REPORT', anchored: 'E_REPORT' },
  {
    name: 'report.html edited, summed and signed by the operator',
    tamper: (d, b) => { writeFileSync(path.join(d, 'report.html'), readFileSync(path.join(d, 'report.html'), 'utf8').replace('failed', 'succeeded')); resum(d, b.keys.alice); },
    bare: 'E_REPORT',
    anchored: 'E_REPORT',
  },
  // report.html says what the journal does not, in ways a reader would not see (re-summed and signed by the operator):
  // both verifiers build it again from the journal and name the place that differs.
  { name: 'report.html: one escaped character unescaped (&gt; as >)', tamper: editHtml((h) => h.replace('&gt;&amp;2', '>&amp;2')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'report.html differs from the report the journal gives in step 3, block 1' },
  { name: 'report.html: two attributes of an element in another order', tamper: editHtml((h) => h.replace('<meta name="viewport" content="width=device-width, initial-scale=1">', '<meta content="width=device-width, initial-scale=1" name="viewport">')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'report.html differs from the report the journal gives in the head and summary' },
  { name: 'report.html: an HTML comment added in the timeline', tamper: editHtml((h) => h.replace('<tr><td class="num">3</td>', '<!-- reviewed --><tr><td class="num">3</td>')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in the timeline, row 4' },
  { name: 'report.html: trailing whitespace on one line of a block', tamper: editHtml((h) => h.replace('<h5>Outcome</h5>\n', '<h5>Outcome</h5> \n')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in step 1, block 1' },
  { name: 'report.html: a newline added at the end', tamper: editHtml((h) => `${h}\n`), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'report.html goes on after the report the journal gives has ended' },
  { name: 'report.html: CR LF line ends (through a text tool)', tamper: editHtml((h) => h.replace(/\n/g, '\r\n')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in the head and summary' },
  { name: "report.html: a step's status word changed (failed to passed)", tamper: editHtml((h) => h.replace('<h3>3. Check it <span class="badge bad">failed</span></h3>', '<h3>3. Check it <span class="badge bad">passed</span></h3>')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in step 3 (work/check-it)' },
  { name: "report.html: a block's exit code changed", tamper: editHtml((h) => h.replace('<dt>Exit code</dt><dd>3</dd>', '<dt>Exit code</dt><dd>0</dd>')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in step 3, block 1' },
  { name: "report.html: a timeline row's status word changed", tamper: editHtml((h) => h.replace('block work/check-it#1: failed, exit 3', 'block work/check-it#1: succeeded, exit 3')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in the timeline, row' },
  // What people did, in the steps (issue 13, item 9): a decision, note, skip, sign-off, approval or variable gained or
  // lost in report.json or report.html (summed and signed by the operator) is not what the journal gives.
  { name: 'report.json: a decision removed from its step', tamper: (d, b) => editReport(b, d, (r) => { stepWith(r, 'proceed').decisions = []; }), bare: 'E_REPORT', anchored: 'E_REPORT', says: '.decisions' },
  { name: 'report.json: a decision added to a step', tamper: (d, b) => editReport(b, d, (r) => { stepWith(r, 'check-it').decisions.push({ ...stepWith(r, 'proceed').decisions[0], decision: 'NO-GO' }); }), bare: 'E_REPORT', anchored: 'E_REPORT', says: '.decisions' },
  { name: "report.json: a note's text changed in its step", tamper: (d, b) => editReport(b, d, (r) => { stepWith(r, 'check-it').notes[0].text = 'all good'; }), bare: 'E_REPORT', anchored: 'E_REPORT', says: '.notes[0].text' },
  { name: 'report.json: a note removed from its step', tamper: (d, b) => editReport(b, d, (r) => { stepWith(r, 'check-it').notes = []; }), bare: 'E_REPORT', anchored: 'E_REPORT', says: '.notes' },
  { name: 'report.json: a skip (who and why) given to a step that ran', tamper: (d, b) => editReport(b, d, (r) => { stepWith(r, 'check-it').skip = { record: 9, by: 'operator', code: null, refusal: null, reason: 'not needed' }; }), bare: 'E_REPORT', anchored: 'E_REPORT', says: '.skip' },
  { name: 'report.json: a sign-off removed from its step', tamper: (d, b) => editReport(b, d, (r) => { stepWith(r, 'sign-off').signoffs.pop(); }), bare: 'E_REPORT', anchored: 'E_REPORT', says: '.signoffs' },
  { name: "report.json: a refused approval dropped from its block", tamper: (d, b) => editReport(b, d, (r) => { const a = stepWith(r, 'change-the-thing').blocks[0].approvals; a.splice(a.findIndex((x: { granted: boolean }) => !x.granted), 1); }), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'steps[1].blocks[0]' },
  { name: 'report.json: the early end (run.endedEarly) dropped', tamper: (d, b) => editReport(b, d, (r) => { r.run.endedEarly = null; }), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'run.endedEarly' },
  { name: 'report.json: the early end said to have no reason', tamper: (d, b) => editReport(b, d, (r) => { r.run.endedEarly.reason = null; }), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'run.endedEarly.reason' },
  { name: 'report.html: the "Sealed early" row dropped', tamper: editHtml((h) => h.replace(/<dt>Sealed early<\/dt><dd>[^<]*<\/dd>/, '')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in the head and summary' },
  { name: 'report.json: a variable added', tamper: (d, b) => editReport(b, d, (r) => { r.environment.variables.push({ name: 'APPROVED_BY', secret: false, source: 'option' }); }), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'environment.variables' },
  { name: 'report.json: a variable removed', tamper: (d, b) => editReport(b, d, (r) => { r.environment.variables.pop(); }), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'environment.variables' },
  { name: "report.json: the failed step dropped from what was not done", tamper: (d, b) => editReport(b, d, (r) => { r.notDone = r.notDone.filter((n: { step: string }) => !n.step.includes('check-it')); }), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'notDone' },
  { name: 'report.html: a decision removed from its step', tamper: editHtml((h) => h.replace(/<h4>Decisions<\/h4><ul>.*?<\/ul>\n/, '')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'report.html differs from the report the journal gives in step' },
  { name: "report.html: a note's text changed in its step", tamper: editHtml((h) => h.replace('<span class="text">the check fails on purpose</span>', '<span class="text">all good</span>')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in step 3 (work/check-it)' },
  { name: 'report.html: a skip reason added to a step that ran', tamper: editHtml((h) => h.replace(/(<p class="muted">Step work\/check-it,[^\n]*\n)/, '$1<p class="skip">Skipped by <b>operator</b>: <span class="text">not needed</span> <span class="muted">record 9</span></p>\n')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in step 3 (work/check-it)' },
  { name: 'report.html: a sign-off removed from its step', tamper: editHtml((h) => h.replace(/<h4>Sign-offs<\/h4><ul><li>.*?<\/li>/, '<h4>Sign-offs</h4><ul>')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'report.html differs from the report the journal gives in step' },
  { name: 'report.html: a variable added', tamper: editHtml((h) => h.replace(/(<section id="variables">[\s\S]*?<tbody>)/, '$1<tr><td>APPROVED_BY</td><td>no</td><td>option</td></tr>')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in the head and summary' },
  { name: 'report.html: a variable that is not secret said to be', tamper: editHtml((h) => h.replace(/(<section id="variables">[\s\S]*?<td>)no(<\/td>)/, '$1<span class="badge warn">secret</span>$2')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in the head and summary' },
  { name: 'report.html: what was not done emptied', tamper: editHtml((h) => h.replace(/<ul class="not-done">[\s\S]*?<\/ul>/, '<p class="muted">Every step the journal names succeeded.</p>')), bare: 'E_REPORT', anchored: 'E_REPORT', says: 'in the head and summary' },
  // Controls: reports made again from the journal by the project's builder are what both verifiers build, byte for byte.
  { name: 'report.json and report.html made again from the journal, unchanged', tamper: (d, b) => reexport(d, b.keys.alice), bare: 3, anchored: 0 },
  {
    name: 'hostile text in records of the shapes the console writes (after the sign-offs), re-exported: both verifiers build the same reports',
    tamper: (d, b) => { forge(b, d, { edit: hostileRecords }); reexport(d, b.keys.alice); },
    anchors: noPrior,
    bare: 3,
    anchored: 0,
  },
  { name: 'report.json: malformed JSON', tamper: (d, b) => writeReport(d, readFileSync(path.join(d, 'report.json'), 'utf8').slice(0, -1), b.keys.alice), bare: 'E_REPORT', anchored: 'E_REPORT' },
  { name: 'report.json: nested 100000 levels deep', tamper: (d, b) => writeReport(d, readFileSync(path.join(d, 'report.json'), 'utf8').replace('"generatedAt":', `"deep":${deep(100_000)},"generatedAt":`), b.keys.alice), bare: 'E_REPORT', anchored: 'E_REPORT' },

  // Approvals and sign-offs (the journal rewritten by an insider and re-exported by the operator; anchored
  // without --prior, which would catch the rewrite first).
  { name: 'approval signed with the installation key (an operator key)', tamper: (d, b) => { forge(b, d, { edit: (r, x) => reSignApproval(r, x.keys.installation) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_APPROVAL', anchored: 'E_APPROVAL' },
  { name: 'approval signed with the key that signs the bundle (the operator\'s)', tamper: (d, b) => { forge(b, d, { edit: (r, x) => reSignApproval(r, x.keys.alice) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_APPROVAL', anchored: 'E_APPROVAL' },
  { name: 'approval in the operator\'s name', tamper: (d, b) => { forge(b, d, { edit: (r, x) => reSignApproval(r, x.keys.bob, undefined, { approver: 'Alice-Operator', principal: 'Alice-Operator' }) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_APPROVAL', anchored: 'E_APPROVAL' },
  { name: 'approval signature over another hash', tamper: (d, b) => { forge(b, d, { edit: (r, x) => reSignApproval(r, x.keys.bob, (h) => h.replace(/^./, (c) => (c === '0' ? '1' : '0'))) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_APPROVAL', anchored: 'E_APPROVAL' },
  { name: 'approval removed', tamper: (d, b) => { forge(b, d, { edit: (r) => r.filter((x, i) => !(x.type === 'approval' && x.data.granted === true && i === r.findLastIndex((y) => y.type === 'approval' && y.data.granted === true))) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_APPROVAL', anchored: 'E_APPROVAL' },
  { name: 'approval by a key the recorded approvers list does not allow', tamper: (d, b) => { forge(b, d, { edit: (r, x) => reSignApproval(r, x.keys.mallory) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_APPROVAL', anchored: 'E_APPROVAL' },
  { name: 'approval by a key the auditor does not list', anchors: (b) => ['--allowed-signers', writeTemp(b, 'no-bob', readFileSync(b.allowedSigners, 'utf8').replace(/^bob .*\n/m, '')), '--pin', b.pin], bare: 3, anchored: 'E_SIGNER' },
  { name: 'approvers list in run.started edited', tamper: (d, b) => { forge(b, d, { edit: (r) => change(0, (s) => withData(s, { options: { ...(s.data.options as object), approvers: { ...(s.data.options as { approvers: object }).approvers, text: readFileSync(b.allowedSigners, 'utf8') } } }))(r) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_APPROVAL', anchored: 'E_APPROVAL' },
  { name: 'sign-off signed by a key the auditor does not list', tamper: (d, b) => { forge(b, d, { edit: (r, x) => change(r.findLastIndex((y) => y.type === 'signoff'), (s) => withData(s, { signature: keygenSign(x.keys.mallory, NS.signoff, Buffer.from(String(s.data.message))), ...keyFields(x.keys.mallory) }))(r) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 3, anchored: 'E_SIGNER' },
  { name: 'sign-off name changed (the signed message names another)', tamper: (d, b) => { forge(b, d, { edit: (r) => change(r.findLastIndex((y) => y.type === 'signoff'), (s) => withData(s, { name: 'Dave Director', principal: 'Dave-Director' }))(r) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_SIGNOFF', anchored: 'E_SIGNOFF' },
  { name: 'sign-off signature in the approval namespace', tamper: (d, b) => { forge(b, d, { edit: (r, x) => change(r.findLastIndex((y) => y.type === 'signoff'), (s) => withData(s, { signature: keygenSign(x.keys.carol, NS.approval, Buffer.from(String(s.data.message))) }))(r) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_SIGNOFF', anchored: 'E_SIGNOFF' },
  {
    name: 'sign-off replayed: validly signed, but for an older record',
    tamper: (d, b) => {
      forge(b, d, {
        data: (r, hashes, x) => {
          if (r.type !== 'signoff' || r.data.name !== 'Carol Reviewer') return r.data;
          const signs = { seq: r.seq - 2, sha256: hashes[r.seq - 2] as string };
          const message = signoffMessage({ run: r.run, step: String((r.data.step as { id: string }).id), role: String(r.data.role), name: String(r.data.name), date: String(r.data.date), record: signs });
          return { ...r.data, signs, message, signature: keygenSign(x.keys.carol, NS.signoff, Buffer.from(message)) };
        },
      });
      reexport(d, b.keys.alice);
    },
    anchors: noPrior,
    bare: 'E_SIGNOFF',
    anchored: 'E_SIGNOFF',
  },
  { name: 'sign-off recorded as accepted without a signature (the format has no unsigned sign-off)', tamper: (d, b) => { forge(b, d, { edit: (r) => change(r.findLastIndex((y) => y.type === 'signoff'), (s) => withData(s, { signature: '' }))(r) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_SIGNOFF', anchored: 'E_SIGNOFF' },
  { name: 'sign-off principal is not its name', tamper: (d, b) => { forge(b, d, { edit: (r) => change(r.findLastIndex((y) => y.type === 'signoff'), (s) => withData(s, { principal: 'bob' }))(r) }); reexport(d, b.keys.alice); }, anchors: noPrior, bare: 'E_SIGNOFF', anchored: 'E_SIGNOFF' },
  // A sign-off is a second person's signature: the installation key is no person's, and the operator's keys sign only the operator's own row, here.
  { name: 'sign-off of a reviewer\'s row signed by the installation key', tamper: resignOffs(carols((b) => b.keys.installation)), anchors: noPrior, bare: 'E_SIGNOFF_OPERATOR_KEY', anchored: 'E_SIGNOFF_OPERATOR_KEY', says: "it is no person's key" },
  { name: 'sign-off of the operator\'s own row signed by the installation key', tamper: resignOffs(operators((b) => b.keys.installation)), anchors: noPrior, bare: 'E_SIGNOFF_OPERATOR_KEY', anchored: 'E_SIGNOFF_OPERATOR_KEY' },
  { name: 'sign-off of a reviewer\'s row signed by the operator\'s key (the one that signs the bundle)', tamper: resignOffs(carols((b) => b.keys.alice)), anchors: noPrior, bare: 'E_SIGNOFF_OPERATOR_KEY', anchored: 'E_SIGNOFF_OPERATOR_KEY' },
  { name: 'sign-off of the operator\'s own row by the operator\'s key, recorded as pasted', tamper: resignOffs(() => null, (name, b) => (name === b.operator ? { method: 'pasted' } : {})), anchors: noPrior, bare: 'E_SIGNOFF_OPERATOR_KEY', anchored: 'E_SIGNOFF_OPERATOR_KEY' },
  { name: 'sign-off control: both signed again by their own signers (the operator\'s row by the operator\'s key), re-exported', tamper: resignOffs(() => null), anchors: noPrior, bare: 3, anchored: 0 },
  { name: 'sign-off control: a reviewer\'s signature pasted (by her own key, apart from the operator\'s), re-exported', tamper: resignOffs(() => null, (name) => (name === 'Carol Reviewer' ? { method: 'pasted' } : {})), anchors: noPrior, bare: 3, anchored: 0 },

  // The auditor's anchors themselves.
  {
    name: 'installation key expired in --allowed-signers',
    anchors: (b) => {
      const text = readFileSync(b.allowedSigners, 'utf8').replace(/^(installation-\S+) namespaces="runbook-console-checkpoint"/m, '$1 namespaces="runbook-console-checkpoint",valid-before="20200101Z"');
      return ['--allowed-signers', writeTemp(b, 'expired', text)];
    },
    bare: 3,
    anchored: 'E_SIGNER',
    says: 'expired',
  },
  {
    name: '--allowed-signers line for the installation key without namespaces=',
    anchors: (b) => ['--allowed-signers', writeTemp(b, 'no-namespaces', readFileSync(b.allowedSigners, 'utf8').replace(/^(installation-\S+) namespaces="runbook-console-checkpoint" /m, '$1 '))],
    bare: 3,
    anchored: 'E_SIGNER',
  },
  { name: '--pin of another key', anchors: (b) => ['--pin', fingerprint(parsePublicKeyLine(b.keys.foreign.publicKeyLine).blob)], bare: 3, anchored: 'E_SIGNER' },
  { name: '--pin of another key, but --allowed-signers vouches for the seal (any anchor will do)', anchors: (b) => ['--allowed-signers', b.allowedSigners, '--pin', fingerprint(parsePublicKeyLine(b.keys.foreign.publicKeyLine).blob)], bare: 3, anchored: 0 },
  { name: '--prior checkpoint.txt with its signature appended', anchors: (b) => ['--allowed-signers', b.allowedSigners, '--prior', writeTemp(b, 'prior-signed', readFileSync(path.join(b.bundle, CHECKPOINT_FILE), 'utf8') + readFileSync(path.join(b.bundle, `${CHECKPOINT_FILE}.sig`), 'utf8'))], bare: 3, anchored: 0 },
  { name: '--prior checkpoint.txt signed by another key', anchors: (b) => ['--allowed-signers', b.allowedSigners, '--prior', writeTemp(b, 'prior-foreign', readFileSync(path.join(b.bundle, CHECKPOINT_FILE), 'utf8') + keygenSign(b.keys.foreign, NS.checkpoint, readFileSync(path.join(b.bundle, CHECKPOINT_FILE))))], bare: 3, anchored: 'E_PRIOR' },
  { name: '--prior of another journal', anchors: (b) => ['--allowed-signers', b.allowedSigners, '--prior', writeTemp(b, 'prior', readFileSync(b.prior, 'utf8').replace(/ \S+\n$/, ` ${Buffer.alloc(32, 7).toString('base64')}\n`))], bare: 3, anchored: 'E_PRIOR' },

  // Usage errors: exit 2 with one line, whatever the mode.
  { name: 'no such directory', tamper: (d) => rmSync(d, { recursive: true, force: true }), bare: 2, anchored: 2 },
  { name: 'no journal.jsonl', tamper: (d) => rmSync(path.join(d, JOURNAL_FILE)), bare: 2, anchored: 2 },
  { name: '--prior file missing', args: (b) => ['--prior', path.join(b.root, 'no-such-ticket')], anchors: (b) => ['--allowed-signers', b.allowedSigners], bare: 2, anchored: 2 },
  { name: 'unknown option', args: () => ['--frobnicate'], bare: 2, anchored: 2 },
  { name: '--allowed-signers from inside the bundle', anchors: (b, d) => ['--allowed-signers', path.join(d, 'allowed_signers')], bare: 3, anchored: 2 },
  { name: '--pin that is not a fingerprint', anchors: () => ['--pin', 'SHA256:nope'], bare: 3, anchored: 2 },
];

/** A fresh copy of the case's target, tampered with. */
export function prepareCase(base: Base, c: TamperCase): string {
  const dir = path.join(base.root, 'cases', c.name.replace(/\W+/g, '-').slice(0, 80));
  rmSync(dir, { recursive: true, force: true });
  cpSync(c.target === 'run' ? base.runDir : base.bundle, dir, { recursive: true });
  c.tamper?.(dir, base);
  return dir;
}

export const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
