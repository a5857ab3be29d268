// The runbook module's public face: read a file or text into the model.
import { createHash } from 'node:crypto';
import { readRunbookFile } from './load.js';
import { type ParseProgress, type ParsedRunbook, parseRunbookAsync } from './parse.js';

export { RunbookError } from './errors.js';
export { decodeRunbook, MAX_RUNBOOK_BYTES } from './load.js';
// Markdown text → the model, every code block read (transcripts, queries, optional variables); the async
// one lets other work run while a large runbook is parsed, and `onProgress` tells how far it is.
export { parseRunbook, parseRunbookAsync } from './parse.js';
export type { ParseOptions, ParseProgress, ParsedBlock, ParsedRunbook, ParsedStep } from './parse.js';
export { formatDiagnostic } from './diagnostics.js';

export interface LoadOptions {
  /** Called as the parse goes (after each chunk of markdown): for a progress bar. */
  onProgress?: (progress: ParseProgress) => void;
}

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Reads, checks and parses a runbook file; throws RunbookError naming FILE:LINE:COLUMN on bad input. */
export async function loadRunbook(file: string, options: LoadOptions = {}): Promise<ParsedRunbook> {
  // The bytes are hashed and let go (inside the callback) before the parse: a large runbook is not held twice while it is parsed.
  const { text, sha256 } = await readRunbookFile(file).then(({ text, bytes }) => ({ text, sha256: sha256Of(bytes) }));
  return await parseRunbookAsync(text, { file, sha256, onProgress: options.onProgress });
}

/** The model and the exact bytes it was parsed from (the run record keeps a copy of what ran). */
export async function loadRunbookSnapshot(file: string, options: LoadOptions = {}): Promise<{ runbook: ParsedRunbook; bytes: Uint8Array }> {
  const { text, bytes } = await readRunbookFile(file);
  return { runbook: await parseRunbookAsync(text, { file, sha256: sha256Of(bytes), onProgress: options.onProgress }), bytes };
}
