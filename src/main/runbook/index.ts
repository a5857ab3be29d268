// The runbook module's public face: read a file or text into the model.
import type { Runbook } from '../../shared/runbook-model.js';
import { readRunbookFile } from './load.js';
import { parseRunbook } from './parse.js';

export { RunbookError } from './errors.js';
export { decodeRunbook, MAX_RUNBOOK_BYTES } from './load.js';
export { parseRunbook, type ParseOptions } from './parse.js';

/** Reads, checks and parses a runbook file; throws RunbookError naming FILE:LINE on bad input. */
export async function loadRunbook(file: string): Promise<Runbook> {
  return (await loadRunbookSnapshot(file)).runbook;
}

/** The model and the exact bytes it was parsed from (the run record keeps a copy of what ran). */
export async function loadRunbookSnapshot(file: string): Promise<{ runbook: Runbook; bytes: Uint8Array }> {
  const { text, bytes } = await readRunbookFile(file);
  return { runbook: parseRunbook(text, { file, bytes }), bytes };
}
