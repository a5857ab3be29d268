// An evidence bundle exported from the team store alone — the laptop that ran it gone — through the same
// export as a run directory (audit/export.ts): the stored lines, each checked against the hash the database
// took when it arrived, written out as a journal with the files its records name (each checked against its
// name); then verified, reported and signed as any run is. Only a run whose end the store holds is exported:
// an unfinished one would have to be closed, which is its own operator's to do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { ExportError, type ExportOptions, type ExportResult, exportBundle } from '../audit/export.js';
import { BLOB_DIR, JOURNAL_FILE, sha256Hex } from '../audit/record.js';
import { blobsNamed, copyStoredBlob, uniqueBlobs } from './blobs.js';
import { storedRecords } from './records.js';

export async function exportStoredRun(client: pg.Client, runId: string, options: ExportOptions): Promise<ExportResult> {
  const stored = await storedRecords(client, runId);
  if (stored.length === 0) throw new ExportError(`run ${runId} is not in the store`);
  for (const r of stored) {
    if (sha256Hex(r.line) !== r.hash) throw new ExportError(`E_STORE_EDITED run ${runId}, record ${r.seq}: the stored line hashes to ${sha256Hex(r.line)}, not to the ${r.hash} the store took when it arrived (edited in the database); nothing was exported`);
  }
  const lines = stored.map((r) => r.line);
  // The type column is the line's own (the database checked them alike when the record arrived).
  const types = stored.map((r) => r.type);
  if (!types.includes('run.finished')) throw new ExportError(`run ${runId}: the store does not hold its end (run.finished): it is running, was interrupted, or has not shipped whole; export it from its run directory, or once it has ended and shipped`);
  // Its final seal too: a copy that would need closing or sealing again is not the store's to finish.
  if (types.at(-1) !== 'checkpoint' || types.lastIndexOf('run.finished') > types.lastIndexOf('checkpoint')) {
    throw new ExportError(`run ${runId}: the store holds its end but not its final seal (the checkpoint after run.finished): it has not shipped whole; ship it with runbook store push from its run directory, then export`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'runbook-store-export-'));
  try {
    writeFileSync(path.join(dir, JOURNAL_FILE), `${lines.join('\n')}\n`, { mode: 0o600 });
    mkdirSync(path.join(dir, BLOB_DIR));
    for (const blob of uniqueBlobs(lines.flatMap(blobsNamed))) {
      try {
        await copyStoredBlob(client, runId, blob, path.join(dir, BLOB_DIR, blob.sha256));
      } catch (error) {
        throw new ExportError(`${(error as Error).message}; nothing was exported (the run's own directory or bundle has it)`);
      }
    }
    return await exportBundle(dir, options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
