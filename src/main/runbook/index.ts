// The runbook module's public face: read a file or text into the model.
import type { Runbook } from '../../shared/runbook-model.js';
import { readRunbookFile } from './load.js';
import { parseRunbook } from './parse.js';

export { RunbookError } from './errors.js';
export { decodeRunbook, MAX_RUNBOOK_BYTES } from './load.js';
export { parseRunbook, type ParseOptions } from './parse.js';

/** Reads, checks and parses a runbook file; throws RunbookError naming FILE:LINE on bad input. */
export async function loadRunbook(file: string): Promise<Runbook> {
  const { text, bytes } = await readRunbookFile(file);
  return parseRunbook(text, { file, bytes });
}
