// Large outputs live beside the journal as blobs named by their SHA-256, so the journal stays small and a
// record can name its output exactly. Blobs are made durable before the record that names them.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fsyncDir } from './journal-writer.js';
import { BLOB_DIR } from './record.js';

export interface BlobRef {
  /** Relative to the run directory: blobs/<sha256>. */
  path: string;
  sha256: string;
  bytes: number;
}

export function blobPath(sha256: string): string {
  return `${BLOB_DIR}/${sha256}`;
}

/** Moves an already-fsync'd file whose hash is known into the blob store. */
export function adoptBlob(runDir: string, file: string, sha256: string, bytes: number): BlobRef {
  const dir = path.join(runDir, BLOB_DIR);
  mkdirSync(dir, { recursive: true });
  const target = path.join(runDir, blobPath(sha256));
  if (existsSync(target)) rmSync(file);
  else renameSync(file, target);
  fsyncDir(dir);
  return { path: blobPath(sha256), sha256, bytes };
}

/** Moves a small file into the blob store, hashing it first. */
export function adoptSmallFile(runDir: string, file: string): BlobRef {
  const data = readFileSync(file);
  return adoptBlob(runDir, file, createHash('sha256').update(data).digest('hex'), data.length);
}

/** Streams a blob through SHA-256 (blobs can be hundreds of MB). */
export function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    createReadStream(file)
      .on('data', (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
      })
      .on('error', reject)
      .on('end', () => resolve({ sha256: hash.digest('hex'), bytes }));
  });
}

/** Writes small text (result sets as canonical JSON) durably and adopts it as a blob. */
export function writeSmallBlob(runDir: string, tempFile: string, text: string | Uint8Array): BlobRef {
  writeFileSync(tempFile, text, { mode: 0o600, flush: true });
  return adoptSmallFile(runDir, tempFile);
}
