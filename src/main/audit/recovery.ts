// After a crash the journal may end in a partial line (the write that was under way). Every fsync'd record
// ends in a newline, so the bytes after the last newline were never acknowledged: they are moved to a side
// file, the journal is cut back to the last whole record, and the writer appends `log.recovered`.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeFileSync, ftruncateSync } from 'node:fs';
import path from 'node:path';

export interface Recovery {
  /** Byte offset where the torn tail began (the journal's new length). */
  offset: number;
  bytes: number;
  sha256: string;
  /** Side file holding the torn bytes, relative to the run directory. */
  file: string;
}

export function recoverTornTail(file: string): Recovery | null {
  const data = readFileSync(file);
  const end = data.lastIndexOf(0x0a) + 1;
  if (end === data.length) return null;
  const torn = data.subarray(end);
  const sha256 = createHash('sha256').update(torn).digest('hex');
  const side = `${path.basename(file)}.torn-${end}-${sha256.slice(0, 12)}`;
  writeFileSync(path.join(path.dirname(file), side), torn, { mode: 0o600, flush: true });
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, end);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { offset: end, bytes: torn.length, sha256, file: side };
}
