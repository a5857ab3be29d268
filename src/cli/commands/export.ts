// `runbook export DIR --out OUTDIR [--key FILE | --agent] [--pdf]`: the signed evidence bundle.
import { ExportError, exportBundle } from '../../main/audit/export.js';
import { loadInstallationForCli } from '../installation-notice.js';
import { FileMacKeyStore } from '../../main/audit/key-store.js';
import { VerifyFailure } from '../../main/audit/reasons.js';
import { describeHolder } from '../../main/audit/run-lock.js';
import { isRecordWriteFailure } from '../../main/audit/seal.js';
import { SshSignerError } from '../../main/audit/ssh-signers.js';
import { signerFromOptions } from '../ssh-key-options.js';
import { CliExit } from '../cli-exit.js';

export interface ExportCommandOptions {
  out: string;
  key?: string;
  agent?: boolean;
  agentKey?: string;
  pdf?: boolean;
}

export async function exportCommand(dir: string, options: ExportCommandOptions): Promise<void> {
  const signer = await signerFromOptions(options);
  exitOnSignals();
  try {
    const result = await exportBundle(dir, { out: options.out, operatorSigner: signer, pdf: Boolean(options.pdf), keys: new FileMacKeyStore(), installation: await loadInstallationForCli() });
    if (result.tookOver) process.stderr.write(`runbook: note: took over the lock left by ${describeHolder(result.tookOver.holder)}, which ${result.tookOver.why}\n`);
    if (result.accessNote) process.stderr.write(`runbook: note: ${result.accessNote}\n`);
    if (result.closedInterrupted) process.stdout.write(`note: run ${result.runId} was interrupted; its end was recorded and sealed before export\n`);
    process.stdout.write(`exported run ${result.runId} to ${result.out} (${result.files.length} files), signed by ${result.principal} ${result.signerFingerprint}\nverify: cd ${result.out} && sha256sum -c SHA256SUMS && python3 verify.py .  (see VERIFY.md)\n`);
  } catch (error) {
    if (error instanceof ExportError || error instanceof SshSignerError) throw new CliExit(1, error.message);
    if (error instanceof VerifyFailure) throw new CliExit(1, `${dir}: the run does not verify, so it is not exported: ${error.message}`);
    if (isRecordWriteFailure(error)) {
      throw new CliExit(1, `${dir}: the export stopped: ${(error as Error).message}; nothing was exported to ${options.out} (run the export again once the problem is fixed)`);
    }
    throw error;
  }
}

/**
 * SIGINT, SIGTERM, SIGHUP end the command like a shell would (128 + the signal), through process.exit, so
 * the run's lock is released; what was under way is left as a crash would leave it, and recoverable.
 */
export function exitOnSignals(): void {
  const codes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
  for (const signal of Object.keys(codes) as (keyof typeof codes)[]) {
    process.once(signal, () => {
      process.stderr.write(`runbook: ${signal}: stopped\n`);
      process.exit(codes[signal]);
    });
  }
}
