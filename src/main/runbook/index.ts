// The runbook module's public face: read a file or text into the model.
import type { Runbook } from '../../shared/runbook-model.js';
import { showAsides } from './asides.js';
import { readBlocks } from './blocks.js';
import { readRunbookFile } from './load.js';
import { type ParseOptions, type ParseProgress, parseRunbook as parseMarkdown, parseRunbookAsync as parseMarkdownAsync } from './parse.js';

export { RunbookError } from './errors.js';
export { decodeRunbook, MAX_RUNBOOK_BYTES } from './load.js';
export type { ParseOptions, ParseProgress } from './parse.js';
export { formatDiagnostic } from './diagnostics.js';

/** Markdown text → the runbook model, every code block read (transcripts, queries, optional variables). */
export function parseRunbook(input: string, options: ParseOptions = {}): Runbook {
  return showAsides(readBlocks(parseMarkdown(input, options)));
}

/** The same, letting other work run while a large runbook is parsed; `onProgress` tells how far it is. */
export async function parseRunbookAsync(input: string, options: ParseOptions = {}): Promise<Runbook> {
  return showAsides(readBlocks(await parseMarkdownAsync(input, options)));
}

export interface LoadOptions {
  /** Called as the parse goes (after each chunk of markdown): for a progress bar. */
  onProgress?: (progress: ParseProgress) => void;
}

/** Reads, checks and parses a runbook file; throws RunbookError naming FILE:LINE:COLUMN on bad input. */
export async function loadRunbook(file: string, options: LoadOptions = {}): Promise<Runbook> {
  return (await loadRunbookSnapshot(file, options)).runbook;
}

/** The model and the exact bytes it was parsed from (the run record keeps a copy of what ran). */
export async function loadRunbookSnapshot(file: string, options: LoadOptions = {}): Promise<{ runbook: Runbook; bytes: Uint8Array }> {
  const { text, bytes } = await readRunbookFile(file);
  return { runbook: await parseRunbookAsync(text, { file, bytes, ...(options.onProgress ? { onProgress: options.onProgress } : {}) }), bytes };
}
