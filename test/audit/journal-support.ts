// Helpers for journal tests: a journal in a temp dir, and an insider's rewrite (re-chaining and re-MACing
// edited records with the real verification key) to reach checks that come after the chain.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canonicalize } from '../../src/main/audit/canonical.js';
import { JournalWriter } from '../../src/main/audit/journal-writer.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { evolveKey, recordMac } from '../../src/main/audit/mac-chain.js';
import { GENESIS_PREV, JOURNAL_FILE, type JournalRecord, sha256Hex } from '../../src/main/audit/record.js';
import { noteData, runStartedData } from './record-fixtures.js';

export function tempRun(): { dir: string; keys: FileMacKeyStore } {
  const root = mkdtempSync(path.join(tmpdir(), 'journal-'));
  return { dir: path.join(root, 'run'), keys: new FileMacKeyStore(path.join(root, 'keys')) };
}

export const RUN_ID = 'run-0123456789abcdef';

/** A journal of `n` records (run.started, then step notes), its runbook blob beside it. */
export function writeJournal(n: number, runId = RUN_ID): { dir: string; keys: FileMacKeyStore; k0: Buffer; bytes: Buffer<ArrayBufferLike> } {
  const { dir, keys } = tempRun();
  const { writer, macKeyCommitment } = JournalWriter.create(dir, runId, { keys });
  writer.append('run.started', runStartedData(dir, macKeyCommitment));
  for (let i = 1; i < n; i++) writer.append('step.note', noteData(`note ${i}`));
  writer.close();
  const k0 = keys.verificationKey(runId);
  if (!k0) throw new Error('no verification key');
  return { dir, keys, k0, bytes: readFileSync(path.join(dir, JOURNAL_FILE)) };
}

export function parseLines(bytes: Buffer): JournalRecord[] {
  return bytes.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as JournalRecord);
}

export function joinLines(lines: string[]): Buffer {
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Re-chains and re-MACs records as an insider holding K_0 would, keeping every other field as given. */
export function forge(records: JournalRecord[], k0: Buffer): Buffer {
  let key: Buffer = Buffer.from(k0);
  let prev = GENESIS_PREV;
  const lines = records.map((record) => {
    const { mac: _mac, ...rest } = record;
    const unsigned = { ...rest, prev };
    const line = canonicalize({ ...unsigned, mac: recordMac(key, canonicalize(unsigned)) });
    key = evolveKey(key);
    prev = sha256Hex(line);
    return line;
  });
  return joinLines(lines);
}
