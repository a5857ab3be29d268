// `runbook verify DIR|BUNDLE`: exit 0 with a summary when intact, 1 with a stable reason code naming the
// first bad record, 2 for usage errors. Verifying a run directory is recorded in its access log.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { recordAccess } from '../../main/audit/access-log.js';
import { FileMacKeyStore } from '../../main/audit/key-store.js';
import { FAILURES } from '../../main/audit/reasons.js';
import { JOURNAL_FILE } from '../../main/audit/record.js';
import { SUMS_FILE, type VerifySummary, verifyRun } from '../../main/audit/verify.js';
import { CliExit } from '../cli-exit.js';
import { forTerminal } from '../terminal-output.js';

export interface VerifyCommandOptions {
  runId?: string;
  allowedSigners?: string;
  prior?: string;
  allowUnsealed?: boolean;
  macKey?: string;
  json?: boolean;
}

function readArg(file: string | undefined, option: string): string | null {
  if (file === undefined) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliExit(2, `${option} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

function printSummary(s: VerifySummary): void {
  // Journal text is the run's own (titles, outputs' notes): shown, never obeyed by the terminal.
  const out = (line: string) => process.stdout.write(`${forTerminal(line)}\n`);
  out(`OK: ${s.kind} of run ${s.runId} is intact`);
  out(`  records    ${s.records} (MACs ${s.macChecked ? 'checked' : 'not checked'})`);
  out(`  steps      ${s.steps.finished} blocks run (${s.steps.failed} failed), ${s.steps.skipped} steps skipped`);
  out(`  outcome    ${s.outcome}`);
  out(`  sealed     ${s.sealedSize === null ? 'no' : `${s.sealedSize} records`}`);
  if (s.signer) out(`  signer     ${s.signer.fingerprint}${s.signer.principals ? ` (${s.signer.principals.join(', ')})` : ' (not checked against allowed signers)'}`);
  out(`  time       ${s.firstTime} → ${s.lastTime}`);
  for (const w of s.warnings) out(`  WARNING ${w.code}: ${w.detail}`);
}

export async function verifyCommand(target: string, options: VerifyCommandOptions): Promise<void> {
  if (!existsSync(target) || !statSync(target).isDirectory()) throw new CliExit(2, `${target}: not a run directory or bundle`);
  if (!existsSync(path.join(target, JOURNAL_FILE))) throw new CliExit(2, `${target}: no ${JOURNAL_FILE} here (give a run directory or an exported bundle)`);
  const keys = new FileMacKeyStore();
  const result = await verifyRun(target, {
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
    allowedSigners: readArg(options.allowedSigners, '--allowed-signers'),
    prior: readArg(options.prior, '--prior'),
    allowUnsealed: Boolean(options.allowUnsealed),
    macKeyHex: readArg(options.macKey, '--mac-key'),
    keys,
  });
  const bundle = existsSync(path.join(target, SUMS_FILE));
  if (!bundle && result.ok) {
    try {
      recordAccess(target, result.runId, 'verify', { result: 'ok', warnings: result.warnings.map((w) => w.code) }, keys);
    } catch (error) {
      process.stderr.write(`runbook: note: this verification could not be recorded in the run's access log: ${(error as Error).message}\n`);
    }
  }
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!result.ok) {
    const f = result.failure;
    const where = f.record !== null ? ` (record ${f.record}${f.line !== null ? `, line ${f.line}` : ''})` : '';
    if (!options.json) process.stdout.write(`FAIL ${f.code}${forTerminal(where)}: ${forTerminal(f.detail)}\n  ${FAILURES[f.code]}\n`);
    throw new CliExit(1, '');
  }
  if (!options.json) printSummary(result);
}
