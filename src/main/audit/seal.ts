// Seals the journal: a C2SP checkpoint (origin, size, Merkle root over every line so far) signed by the
// installation key as SSHSIG, appended as a `checkpoint` record and written beside the journal. A new
// checkpoint must extend the previous one (same first records): anything else means history was rewritten.
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatCheckpoint } from './checkpoint.js';
import type { Installation } from './installation.js';
import { fsyncDir, type JournalWriter } from './journal-writer.js';
import { consistencyProof, rootHash } from './merkle.js';
import { CHECKPOINT_FILE, type JournalRecord } from './record.js';
import { signSshsig } from './sshsig.js';

export const CHECKPOINT_NAMESPACE = 'runbook-console-checkpoint';

export type SealReason = 'run-end' | 'periodic' | 'export' | 'shutdown';

export class SealError extends Error {}

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
}

function lastCheckpoint(lines: readonly string[]): { size: number; root: string } | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const record = JSON.parse(lines[i] as string) as JournalRecord;
    if (record.type === 'checkpoint') return { size: Number(record.data.size), root: String(record.data.root) };
  }
  return null;
}

export async function seal(writer: JournalWriter, installation: Installation, options: { reason: SealReason; retentionDays: number | null }): Promise<SealResult> {
  const lines = writer.lines;
  const size = lines.length;
  const root = rootHash(lines);
  const previous = lastCheckpoint(lines);
  let proof: string[] = [];
  if (previous) {
    if (previous.size > size || !rootHash(lines.slice(0, previous.size)).equals(Buffer.from(previous.root, 'base64'))) {
      throw new SealError(`refusing to seal: the journal is not an extension of its checkpoint at size ${previous.size}`);
    }
    proof = consistencyProof(previous.size, size, lines).map((h) => h.toString('base64'));
  }
  const origin = checkpointOrigin(installation.id, writer.runId);
  const text = formatCheckpoint({ origin, size, rootHash: root, extensions: [] });
  const signature = await signSshsig(Buffer.from(text, 'utf8'), CHECKPOINT_NAMESPACE, installation.key.signer);
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
  writeAtomically(path.join(writer.dir, CHECKPOINT_FILE), text);
  writeAtomically(path.join(writer.dir, `${CHECKPOINT_FILE}.sig`), signature);
  const ticketLine = `${origin} ${size} ${root.toString('base64')}`;
  return { size, root: root.toString('base64'), text, signature, ticketLine };
}

export function writeAtomically(file: string, text: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode: 0o644, flush: true });
  renameSync(temp, file);
  fsyncDir(path.dirname(file));
}
