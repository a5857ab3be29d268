// Seals the journal: a C2SP checkpoint (origin, size, Merkle root over every line so far) signed by the
// installation key as SSHSIG, appended as a `checkpoint` record and written beside the journal. A new
// checkpoint must extend the previous one (same first records): anything else means history was rewritten.
// Roots and the consistency proof come from the writer's Merkle tree, which grows with the journal: a seal
// costs O(log² n) hashes, never a pass over every line (periodic seals would make a run quadratic).
//
// Crash-safe order: checkpoint.txt (then .sig) is removed, the record appended, then .sig and .txt are
// written to temporary names, fsync'd and renamed into place. At every point a kill -9 or a full disk can
// stop it, the files beside the journal are either absent or the journal's last checkpoint, never a
// checkpoint the journal does not end in: the run verifies (unsealed with --allow-unsealed), and
// `runbook recover` (or an export) writes the files again from the journal.
import { readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatCheckpoint } from './checkpoint.js';
import { crashPoint } from './fault-injection.js';
import type { Installation } from './installation.js';
import { type CheckpointRef, JournalWriteError, fsyncDir, type JournalWriter } from './journal-writer.js';
import { CHECKPOINT_FILE } from './record.js';
import { signSshsig } from './sshsig.js';

export const CHECKPOINT_NAMESPACE = 'runbook-console-checkpoint';

export type SealReason = 'run-end' | 'periodic' | 'export' | 'shutdown' | 'recover';

/**
 * The seals that end a run (each follows its run.finished). A periodic seal does not, nor does a shutdown
 * seal: the console's host went away and sealed what the run had so far — the run is resumed or recovered.
 */
export const ENDING_SEALS: ReadonlySet<string> = new Set<SealReason>(['run-end', 'export', 'recover']);

export class SealError extends Error {}

/**
 * The run's record could not be written: the journal refused a record, the seal could not be made, or a
 * system call failed (ENOSPC, EIO, EACCES…). What the commands report as "fix it, then recover".
 */
export function isRecordWriteFailure(error: unknown): boolean {
  return error instanceof JournalWriteError || error instanceof SealError || Boolean((error as NodeJS.ErrnoException | null)?.code);
}

export function checkpointOrigin(installationId: string, runId: string): string {
  return `runbook-console/${installationId}/${runId}`;
}

export interface SealResult {
  size: number;
  root: string;
  text: string;
  signature: string;
  /** The one line an operator pastes into the change ticket: an off-machine commitment to this state. */
  ticketLine: string;
  /** Set when the seal is recorded in the journal but checkpoint.txt/.sig could not be written beside it. */
  filesProblem: string | null;
}

export async function seal(writer: JournalWriter, installation: Installation, options: { reason: SealReason; retentionDays: number | null }): Promise<SealResult> {
  const { tree } = writer;
  let size: number;
  let root: Buffer;
  let text: string;
  let signature: string;
  let previous: CheckpointRef | null;
  let proof: string[] = [];
  const origin = checkpointOrigin(installation.id, writer.runId);
  // Signing is asynchronous: a record appended meanwhile (a signal's run.interrupted) means signing again.
  for (let attempt = 0; ; attempt++) {
    size = writer.count;
    root = tree.root(size);
    previous = writer.lastCheckpoint;
    proof = [];
    if (previous) {
      if (!Number.isSafeInteger(previous.size) || previous.size < 1 || previous.size > size || !tree.root(previous.size).equals(Buffer.from(previous.root, 'base64'))) {
        throw new SealError(`refusing to seal: the journal is not an extension of its checkpoint at size ${previous.size}`);
      }
      proof = tree.consistencyProof(previous.size, size).map((h) => h.toString('base64'));
    }
    text = formatCheckpoint({ origin, size, rootHash: root, extensions: [] });
    signature = await signSshsig(Buffer.from(text, 'utf8'), CHECKPOINT_NAMESPACE, installation.key.signer);
    if (writer.count === size) break;
    if (attempt >= 3) throw new SealError('refusing to seal: records keep arriving while the seal is signed');
  }
  // The old files go first: from here until the new ones are in place there are none to disagree with the journal.
  removeCheckpointFiles(writer.dir);
  crashPoint('seal.files-removed');
  writer.append('checkpoint', {
    origin,
    size,
    root: root.toString('base64'),
    text,
    signature,
    signer: installation.key.publicKeyLine,
    previous,
    consistency_proof: proof,
    reason: options.reason,
    retention_days: options.retentionDays,
  });
  crashPoint('seal.appended');
  const filesProblem = writeCheckpointFiles(writer.dir, text, signature);
  const ticketLine = `${origin} ${size} ${root.toString('base64')}`;
  return { size, root: root.toString('base64'), text, signature, ticketLine, filesProblem };
}

/** checkpoint.txt, then its .sig, are removed (a missing file is fine). */
export function removeCheckpointFiles(dir: string): void {
  rmSync(path.join(dir, CHECKPOINT_FILE), { force: true });
  rmSync(path.join(dir, `${CHECKPOINT_FILE}.sig`), { force: true });
  fsyncDir(dir);
}

/**
 * Writes the journal's last checkpoint beside it: .sig first, then checkpoint.txt (verify compares the
 * pair only when checkpoint.txt is there). Returns what went wrong instead of throwing: the seal is in the
 * journal already, and these files are a copy of it that recovery can write again.
 */
export function writeCheckpointFiles(dir: string, text: string, signature: string): string | null {
  try {
    writeAtomically(path.join(dir, `${CHECKPOINT_FILE}.sig`), signature);
    crashPoint('seal.sig-written');
    writeAtomically(path.join(dir, CHECKPOINT_FILE), text);
    return null;
  } catch (error) {
    try {
      removeCheckpointFiles(dir);
    } catch {
      // Left as it is: a .sig without checkpoint.txt is not compared with anything.
    }
    const err = error as NodeJS.ErrnoException;
    return `${CHECKPOINT_FILE} could not be written beside the journal (${err.code ?? err.message})`;
  }
}

/** Temp name, fsync, rename, fsync the directory: the file is the old one or the new one, never half of either. */
export function writeAtomically(file: string, text: string | Uint8Array, mode = 0o644): void {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, text, { mode, flush: true });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDir(path.dirname(file));
}

/** Temporary files of atomic writes killed half-way (name.tmp-PID). */
export function removeTempFiles(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!/^(checkpoint\.txt(\.sig)?\.tmp-\d+|\.runbook\.tmp)$/.test(name)) continue;
    rmSync(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
