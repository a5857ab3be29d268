// `runbook recover DIR [--break-lock]`: closes a run that stopped without closing (kill -9, a power cut, a
// full disk): a stale lock is taken over, temporary files removed, a torn tail set aside, a write failure
// recorded, the run's end recorded (interrupted) and the run sealed, so it verifies without
// --allow-unsealed and exports. A run in use by a live process is refused, and nothing is written.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadInstallationForCli } from '../installation-notice.js';
import { FileMacKeyStore } from '../../main/audit/key-store.js';
import { VerifyFailure } from '../../main/audit/reasons.js';
import { CHECKPOINT_FILE } from '../../main/audit/record.js';
import { RecoveryError, recoverRun } from '../../main/audit/recovery.js';
import { type AcquiredLock, RunLockedError, acquireRunLock, describeHolder } from '../../main/audit/run-lock.js';
import { isRecordWriteFailure } from '../../main/audit/seal.js';
import { shellQuote } from '../../shared/shell-quote.js';
import { CliExit } from '../cli-exit.js';
import { forTerminal } from '../terminal-output.js';
import { exitOnSignals } from './export.js';

export interface RecoverCommandOptions {
  breakLock?: boolean;
}

export async function recoverCommand(dir: string, options: RecoverCommandOptions): Promise<void> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliExit(2, `${dir}: not a run directory`);
  exitOnSignals();
  let acquired: AcquiredLock;
  try {
    // A live holder is refused before anything is written: taking the lock judges it first.
    acquired = acquireRunLock(dir, { purpose: 'recover', takeStale: true, breakUnknown: Boolean(options.breakLock) });
  } catch (error) {
    if (!(error instanceof RunLockedError)) throw error;
    const { holder, state } = error.judged;
    throw new CliExit(1, state === 'alive' ? `${dir}: the run is in use by ${describeHolder(holder)}; it is not recovered (nothing was written)` : error.message);
  }
  const out = (line: string) => process.stdout.write(`${forTerminal(line)}\n`);
  const { lock, tookOver } = acquired;
  try {
    if (tookOver) out(`took over the lock left by ${describeHolder(tookOver.holder)}, which ${tookOver.why}`);
    const r = await recoverRun(dir, { keys: new FileMacKeyStore(), installation: await loadInstallationForCli(), lock, closedBy: 'recover', tookOver });
    if (r.removed.length > 0) out(`removed ${r.removed.length} temporary file(s) of interrupted writes: ${r.removed.join(', ')}`);
    if (r.checkpointFilesRewritten) out(`${CHECKPOINT_FILE} written again from the journal's last seal (a seal was cut short)`);
    if (r.tornTail) out(`${r.tornTail.bytes} bytes of a record that was being written at offset ${r.tornTail.offset} set aside in ${r.tornTail.file} (recorded: log.recovered)`);
    if (r.writeFailure) out(`a failed journal write recorded (error record): ${r.writeFailure.message}`);
    if (r.closed) out('the run had stopped without ending: its end is recorded as interrupted (run.finished)');
    if (r.orphanedOutputs.length > 0) out(`output of blocks that were running kept as blobs: ${r.orphanedOutputs.map((o) => o.file).join(', ')}`);
    if (r.sealed) {
      out(`sealed ${r.sealed.size} records: ${path.join(dir, CHECKPOINT_FILE)}`);
      if (r.sealed.filesProblem) out(`warning: ${r.sealed.filesProblem}; run \`runbook recover\` again once that is fixed`);
      out(`recovered run ${r.runId}; check it with: runbook verify ${shellQuote(dir)}`);
    } else if (r.wasSealed) {
      out(`run ${r.runId} was already closed and sealed${tookOver || r.removed.length > 0 || r.checkpointFilesRewritten ? '; tidied as above' : '; nothing to recover'}`);
    }
  } catch (error) {
    if (error instanceof RecoveryError) throw new CliExit(1, error.message);
    if (error instanceof VerifyFailure) throw new CliExit(1, `${dir}: the run does not verify, so it is not recovered (nothing was appended or sealed): ${error.message}`);
    if (isRecordWriteFailure(error)) {
      throw new CliExit(1, `${dir}: recovery stopped: ${(error as Error).message}; run it again once the problem is fixed`);
    }
    throw error;
  } finally {
    lock.release();
  }
}
