// `runbook verify DIR|BUNDLE`. Exit 0: intact, and every signature anchored by something the verifier holds
// (--allowed-signers, --prior, --pin); 1: FAIL with a stable reason code naming the first bad record or file;
// 2: usage error; 3: intact but unanchored (consistent with itself — which anyone holding its keys, or a
// bundle, can make). Verifying a run directory is recorded in its access log.
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { recordAccess } from '../../main/audit/access-log.js';
import { FileMacKeyStore } from '../../main/audit/key-store.js';
import { EXIT, FAILURES, VerifyUsageError } from '../../main/audit/reasons.js';
import { JOURNAL_FILE } from '../../main/audit/record.js';
import { Anchors, parsePrior } from '../../main/audit/verify-anchors.js';
import { type CheckedSignatures, SUMS_FILE, type SignedBy, type VerifySummary, verifyRun } from '../../main/audit/verify.js';
import { CliExit } from '../cli-exit.js';
import { forTerminal } from '../terminal-output.js';

export interface VerifyCommandOptions {
  runId?: string;
  allowedSigners?: string;
  prior?: string[];
  pin?: string[];
  allowUnsealed?: boolean;
  macKey?: string;
  json?: boolean;
  /** The team store's URL: the run must match the store's copy of it. */
  store?: string;
}

/** The run held up against the team store's copy (`--store`); a store that cannot be reached is a usage error. */
async function compareWithStoreAt(url: string, dir: string, runId: string) {
  const { withStoreAt } = await import('./store.js');
  const { compareWithStore } = await import('../../main/store/verify-store.js');
  return withStoreAt(url, '--store', 'verify', EXIT.usage, (client) => compareWithStore(client, dir, runId));
}

function readArg(file: string | undefined, option: string): string | null {
  if (file === undefined) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliExit(EXIT.usage, `${option} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

/** An anchor is something held apart from what it vouches for: one read from inside the run or bundle proves nothing. */
function refuseInside(target: string, file: string | undefined, option: string): void {
  if (file === undefined || !existsSync(file)) return;
  const relative = path.relative(realpathSync(target), realpathSync(file));
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new CliExit(EXIT.usage, `${option} ${file} is inside ${target}: a trust anchor must come from somewhere else (a copy of the keys you hold, the change ticket), not from what it is meant to check`);
  }
}

function signedBy(s: SignedBy): string {
  return `${s.fingerprint} — ${s.anchoredBy.length ? `anchored by ${s.anchoredBy.join('; ')}` : 'NOT ANCHORED'}`;
}

function signatures(out: (line: string) => void, what: string, list: CheckedSignatures): void {
  for (const item of list.items) {
    out(`  ${what.padEnd(10)} record ${item.record} (of record ${item.signs}): ${item.principal}, ${item.fingerprint} — ${item.anchoredAs ? `allowed as ${item.anchoredAs.join('; ')}` : 'NOT ANCHORED'}`);
  }
  if (list.total > list.items.length) out(`  ${what.padEnd(10)} … and ${list.total - list.items.length} more (${list.unanchored} not anchored in all)`);
}

function printSummary(s: VerifySummary): void {
  // Journal text is the run's own (titles, outputs' notes): shown, never obeyed by the terminal.
  const out = (line: string) => process.stdout.write(`${forTerminal(line)}\n`);
  if (s.anchored) out(`OK: ${s.kind} of run ${s.runId} is intact and anchored`);
  else out(`INTACT BUT UNANCHORED: ${s.kind} of run ${s.runId} is consistent with itself, but nothing you gave vouches for who made it`);
  out(`  records    ${s.records} (MACs ${s.macChecked ? 'checked' : 'not checked'})`);
  out(`  steps      ${s.steps.finished} blocks run (${s.steps.failed} failed), ${s.steps.skipped} steps skipped`);
  out(`  outcome    ${s.outcome}`);
  out(`  sealed     ${s.sealedSize === null ? 'no' : `${s.sealedSize} records`}`);
  if (s.trust.seal) out(`  sealed by  ${signedBy(s.trust.seal)}`);
  if (s.trust.bundle) out(`  bundle by  ${signedBy(s.trust.bundle)}`);
  signatures(out, 'approval', s.trust.approvals);
  signatures(out, 'sign-off', s.trust.signoffs);
  out(`  time       ${s.firstTime} → ${s.lastTime}`);
  for (const w of s.warnings) out(`  WARNING ${w.code}: ${w.detail}`);
  if (!s.anchored && s.trust.seal === null) out('  Exit 3. Nothing in it is signed (no checkpoint), so no anchor can vouch for it; `runbook recover DIR` closes and seals an interrupted run.');
  else if (!s.anchored) out('  Exit 3. Anchor it with what you hold from elsewhere: --pin SHA256:… (the installation key), --allowed-signers FILE, --prior FILE.');
}

export async function verifyCommand(target: string, options: VerifyCommandOptions): Promise<void> {
  if (!existsSync(target) || !statSync(target).isDirectory()) throw new CliExit(EXIT.usage, `${target}: not a run directory or bundle`);
  if (!existsSync(path.join(target, JOURNAL_FILE))) throw new CliExit(EXIT.usage, `${target}: no ${JOURNAL_FILE} here (give a run directory or an exported bundle)`);
  try {
    accessSync(path.join(target, JOURNAL_FILE), constants.R_OK);
  } catch (error) {
    throw new CliExit(EXIT.usage, `${path.join(target, JOURNAL_FILE)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const priors = options.prior ?? [];
  refuseInside(target, options.allowedSigners, '--allowed-signers');
  for (const file of priors) refuseInside(target, file, '--prior');
  const allowedSigners = readArg(options.allowedSigners, '--allowed-signers');
  const priorTexts = priors.map((file) => readArg(file, '--prior') as string);
  if (priors.length > 1) throw new CliExit(EXIT.usage, `--prior is given ${priors.length} times: give the one checkpoint you hold (the latest)`);
  const priorFile = priors[0];
  const prior = priorTexts[0] ?? null;
  const priorSignature = priorFile !== undefined && existsSync(`${priorFile}.sig`) ? readArg(`${priorFile}.sig`, '--prior') : null;
  const pins = options.pin ?? [];
  try {
    // Anchors that cannot be read are usage errors, before anything is verified.
    new Anchors({ allowedSigners, pins });
    if (prior !== null) parsePrior(prior, priorSignature);
  } catch (error) {
    if (error instanceof VerifyUsageError) throw new CliExit(EXIT.usage, error.message);
    throw error;
  }
  const keys = new FileMacKeyStore();
  let result;
  try {
    result = await verifyRun(target, {
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
      allowedSigners,
      prior,
      priorSignature,
      pins,
      allowUnsealed: Boolean(options.allowUnsealed),
      macKeyHex: readArg(options.macKey, '--mac-key'),
      keys,
    });
  } catch (error) {
    if (error instanceof VerifyUsageError) throw new CliExit(EXIT.usage, error.message);
    throw error;
  }
  // The store as the witness: a copy that differs from what was shipped as it happened fails.
  if (result.ok && options.store) {
    const compared = await compareWithStoreAt(options.store, target, result.runId);
    if (!compared.ok) result = compared;
  }
  const exit = !result.ok ? EXIT.failed : result.anchored ? EXIT.verified : EXIT.unanchored;
  const bundle = existsSync(path.join(target, SUMS_FILE));
  if (!bundle && result.ok) {
    try {
      recordAccess(target, result.runId, 'verify', { result: result.anchored ? 'ok' : 'unanchored', warnings: result.warnings.map((w) => w.code) }, keys);
    } catch (error) {
      process.stderr.write(`runbook: note: this verification could not be recorded in the run's access log: ${(error as Error).message}\n`);
    }
  }
  if (options.json) process.stdout.write(`${JSON.stringify({ ...result, exit }, null, 2)}\n`);
  if (!result.ok) {
    const f = result.failure;
    const where = f.record !== null ? ` (record ${f.record}${f.line !== null ? `, line ${f.line}` : ''})` : '';
    if (!options.json) process.stdout.write(`FAIL ${f.code}${forTerminal(where)}: ${forTerminal(f.detail)}\n  ${FAILURES[f.code]}\n`);
    throw new CliExit(EXIT.failed, '');
  }
  if (!options.json) printSummary(result);
  if (exit !== EXIT.verified) throw new CliExit(exit, '');
}
