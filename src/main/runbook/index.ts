// The runbook module's public face: read a file or text into the model.
import { createHash } from 'node:crypto';
import { readRunbookFile } from './load.js';
import { type ParseOptions, type ParseProgress, type ParsedRunbook, parseRunbook as parseMarkdown, parseRunbookAsync as parseMarkdownAsync } from './parse.js';

export { RunbookError } from './errors.js';
export { decodeRunbook, MAX_RUNBOOK_BYTES } from './load.js';
export type { ParseOptions, ParseProgress, ParsedBlock, ParsedRunbook, ParsedStep } from './parse.js';
export { formatDiagnostic } from './diagnostics.js';

/** Markdown text → the runbook model, every code block read (transcripts, queries, optional variables). */
export function parseRunbook(input: string, options: ParseOptions = {}): ParsedRunbook {
  return parseMarkdown(input, options);
}

/** The same, letting other work run while a large runbook is parsed; `onProgress` tells how far it is. */
export async function parseRunbookAsync(input: string, options: ParseOptions = {}): Promise<ParsedRunbook> {
  return await parseMarkdownAsync(input, options);
}

export interface LoadOptions {
  /** Called as the parse goes (after each chunk of markdown): for a progress bar. */
  onProgress?: (progress: ParseProgress) => void;
}

/** Reads, checks and parses a runbook file; throws RunbookError naming FILE:LINE:COLUMN on bad input. */
export async function loadRunbook(file: string, options: LoadOptions = {}): Promise<ParsedRunbook> {
  // The bytes are hashed and let go before the parse: a large runbook is not held twice while it is read.
  const { text, sha256 } = await readRunbookFile(file).then(({ text, bytes }) => ({ text, sha256: createHash('sha256').update(bytes).digest('hex') }));
  return await parseMarkdownAsync(text, { file, sha256, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
}

/** The model and the exact bytes it was parsed from (the run record keeps a copy of what ran). */
export async function loadRunbookSnapshot(file: string, options: LoadOptions = {}): Promise<{ runbook: ParsedRunbook; bytes: Uint8Array }> {
  const { text, bytes } = await readRunbookFile(file);
  return { runbook: await parseMarkdownAsync(text, { file, bytes, ...(options.onProgress ? { onProgress: options.onProgress } : {}) }), bytes };
}
