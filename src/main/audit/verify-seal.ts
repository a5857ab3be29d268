// Seal checks: every checkpoint record covers exactly the records before it with the right Merkle root,
// names this installation and run, and carries a valid SSHSIG; the run ends in a final seal; the files
// beside the journal agree with it; and an earlier checkpoint held elsewhere (--prior) is a prefix of it.
import { parseAllowedSigners, findPrincipals } from './allowed-signers.js';
import { type Checkpoint, CheckpointFormatError, parseCheckpoint } from './checkpoint.js';
import { installationId } from './installation.js';
import { rootHash } from './merkle.js';
import { type Finding, type WarningCode, fail } from './reasons.js';
import type { JournalRecord } from './record.js';
import { CHECKPOINT_NAMESPACE, checkpointOrigin } from './seal.js';
import { fingerprint, parsePublicKeyLine } from './ssh-keys.js';
import { verifySshsig } from './sshsig.js';

export interface SealFiles {
  /** checkpoint.txt beside the journal, if present. */
  checkpoint: string | null;
  signature: string | null;
}

export interface SealCheckOptions {
  allowUnsealed: boolean;
  allowedSigners: string | null;
  /** An earlier checkpoint: the three-line text or the one-line ticket form `origin size root`. */
  prior: string | null;
}

export interface SealSummary {
  sealed: boolean;
  sealedSize: number | null;
  signer: { fingerprint: string; principals: string[] | null } | null;
  checkpoints: number;
}

export function checkSeals(records: JournalRecord[], lines: string[], files: SealFiles, options: SealCheckOptions, warnings: Finding<WarningCode>[]): SealSummary {
  const first = records[0] as JournalRecord;
  const installation = first.data.installation as { id?: string; public_key?: string } | undefined;
  const origin = checkpointOrigin(installation?.id ?? '?', first.run);
  if (installation?.public_key && installationId(installation.public_key) !== installation.id) {
    fail('E_SEAL_ORIGIN', `run.started names installation ${installation.id}, which is not the id of the key it records`, { record: 0, line: 1 });
  }
  const allowed = options.allowedSigners === null ? null : parseAllowedSigners(options.allowedSigners);
  let signer: SealSummary['signer'] = null;
  let checkpoints = 0;

  records.forEach((record, i) => {
    if (record.type !== 'checkpoint') return;
    checkpoints++;
    const at = { record: i, line: i + 1 };
    const d = record.data as { size?: unknown; root?: unknown; text?: unknown; signature?: unknown; signer?: unknown; origin?: unknown };
    if (d.size !== i) fail('E_SEAL_SIZE', `checkpoint record ${i} claims to cover ${String(d.size)} records, not the ${i} before it`, at);
    const checkpoint = parseText(String(d.text), at);
    if (checkpoint.origin !== origin) fail('E_SEAL_ORIGIN', `checkpoint record ${i} is for ${checkpoint.origin}, not ${origin}`, at);
    if (checkpoint.size !== i) fail('E_SEAL_SIZE', `checkpoint record ${i}: its text covers ${checkpoint.size} records, not ${i}`, at);
    const root = rootHash(lines.slice(0, i));
    if (!root.equals(checkpoint.rootHash) || d.root !== root.toString('base64')) {
      fail('E_SEAL_ROOT', `checkpoint record ${i}: the Merkle root of records 0–${i - 1} is ${root.toString('base64')}, the checkpoint says ${checkpoint.rootHash.toString('base64')}`, at);
    }
    signer = checkSignature(String(d.text), d.signature, d.signer, allowed, at, warnings, signer);
  });

  const last = records.at(-1) as JournalRecord;
  const finalSeal = records.findIndex((r, i) => r.type === 'checkpoint' && records[i - 1]?.type === 'run.finished');
  const fileCheckpoint = files.checkpoint === null ? null : parseText(files.checkpoint, {});
  if (fileCheckpoint && fileCheckpoint.size > records.length) {
    fail('E_SEAL_SIZE', `${fileCheckpoint.size} records are sealed but the journal holds ${records.length}: records were cut from the end`);
  }
  if (finalSeal >= 0 && finalSeal !== records.length - 1) {
    fail('E_AFTER_SEAL', `${records.length - 1 - finalSeal} record(s) follow the final seal (record ${finalSeal})`, { record: finalSeal + 1, line: finalSeal + 2 });
  }
  const sealed = finalSeal >= 0;
  if (fileCheckpoint) {
    const sealedRecord = records.findLast((r) => r.type === 'checkpoint');
    if (!sealedRecord || sealedRecord.data.text !== files.checkpoint) {
      fail('E_SEAL_SIZE', `checkpoint.txt (size ${fileCheckpoint.size}) is not the journal's last checkpoint${sealedRecord ? ` (size ${String(sealedRecord.data.size)})` : ''}`);
    }
    if (files.signature === null) fail('E_SIGNATURE', 'checkpoint.txt has no checkpoint.txt.sig beside it');
    if (files.signature !== sealedRecord.data.signature) fail('E_SIGNATURE', 'checkpoint.txt.sig is not the signature recorded in the journal');
  }
  if (!sealed) {
    if (!options.allowUnsealed) fail('E_UNSEALED', last.type === 'checkpoint' ? 'the run has checkpoints but never finished and was not sealed at its end' : 'no final seal: the run did not finish, or its seal was removed');
    warnings.push({ code: 'W_UNSEALED', record: null, line: null, detail: `the journal's last record is ${last.type} (record ${records.length - 1})` });
  }
  if (options.prior !== null) checkPrior(options.prior, origin, lines);
  const sealedSize = sealed ? finalSeal : (records.findLast((r) => r.type === 'checkpoint')?.seq ?? null);
  return { sealed, sealedSize, signer, checkpoints };
}

function parseText(text: string, at: { record?: number; line?: number }): Checkpoint {
  try {
    return parseCheckpoint(text);
  } catch (error) {
    if (error instanceof CheckpointFormatError) fail('E_SEAL_ORIGIN', `checkpoint text is malformed: ${error.message}`, at);
    throw error;
  }
}

function checkSignature(
  text: string,
  signature: unknown,
  signerLine: unknown,
  allowed: ReturnType<typeof parseAllowedSigners> | null,
  at: { record: number; line: number },
  warnings: Finding<WarningCode>[],
  previous: SealSummary['signer'],
): SealSummary['signer'] {
  if (typeof signature !== 'string' || typeof signerLine !== 'string') fail('E_SIGNATURE', `checkpoint record ${at.record} has no signature`, at);
  const check = verifySshsig(Buffer.from(text, 'utf8'), signature, CHECKPOINT_NAMESPACE, signerLine);
  if (!check.ok) {
    if (check.code === 'namespace') fail('E_NAMESPACE', `checkpoint record ${at.record}: ${check.message}`, at);
    fail('E_SIGNATURE', `checkpoint record ${at.record}: ${check.message}`, at);
  }
  const blob = parsePublicKeyLine(signerLine).blob;
  let principals: string[] | null = null;
  if (allowed) {
    principals = findPrincipals(allowed, blob, CHECKPOINT_NAMESPACE);
    if (principals.length === 0) fail('E_SIGNER', `checkpoint record ${at.record} is signed by ${fingerprint(blob)}, which the allowed signers file does not allow for ${CHECKPOINT_NAMESPACE}`, at);
  } else if (!previous) {
    warnings.push({ code: 'W_SIGNER_UNCHECKED', record: at.record, line: at.line, detail: `signed by ${fingerprint(blob)}; give --allowed-signers to check whose key that is` });
  }
  return { fingerprint: fingerprint(blob), principals };
}

function checkPrior(prior: string, origin: string, lines: string[]): void {
  const trimmed = prior.trim();
  let checkpoint: { origin: string; size: number; root: string };
  const oneLine = /^(\S+) (\d+) ([A-Za-z0-9+/]{43}=)$/.exec(trimmed);
  if (oneLine) checkpoint = { origin: oneLine[1] as string, size: Number(oneLine[2]), root: oneLine[3] as string };
  else {
    try {
      const parsed = parseCheckpoint(trimmed.endsWith('\n') ? trimmed : `${trimmed}\n`);
      checkpoint = { origin: parsed.origin, size: parsed.size, root: parsed.rootHash.toString('base64') };
    } catch (error) {
      throw new Error(`--prior: not a checkpoint (three lines, or one line "origin size root"): ${(error as Error).message}`);
    }
  }
  if (checkpoint.origin !== origin) fail('E_PRIOR', `the prior checkpoint is for ${checkpoint.origin}, not ${origin}`);
  if (checkpoint.size > lines.length) fail('E_PRIOR', `the prior checkpoint covers ${checkpoint.size} records; the journal holds only ${lines.length}`);
  const root = rootHash(lines.slice(0, checkpoint.size)).toString('base64');
  if (root !== checkpoint.root) {
    fail('E_PRIOR', `the first ${checkpoint.size} records have root ${root}; the prior checkpoint says ${checkpoint.root}: they were rewritten after it was taken`, { record: checkpoint.size > 0 ? checkpoint.size - 1 : 0 });
  }
}
