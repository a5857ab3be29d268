// Reads a runbook file and refuses what is not a markdown text: too large, binary, not UTF-8, unreadable.
import { readFile, stat } from 'node:fs/promises';
import { RunbookError } from './errors.js';

export const MAX_RUNBOOK_BYTES = 20 * 1024 * 1024;

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that breaks UTF-8, or -1 when the bytes are valid UTF-8. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Checks raw bytes and decodes them; `file` names the source in errors. */
export function decodeRunbook(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_RUNBOOK_BYTES) {
    throw new RunbookError(file, 1, `file is ${bytes.length} bytes; runbooks larger than 20 MB are refused`);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new RunbookError(file, 1, 'file is UTF-16; save the runbook as UTF-8');
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new RunbookError(file, lineAt(bytes, nul), 'binary file: it holds a NUL byte, not markdown text');
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const hex = (bytes[bad] as number).toString(16).padStart(2, '0');
    throw new RunbookError(file, lineAt(bytes, bad), `invalid UTF-8 (byte 0x${hex} at offset ${bad}); save the runbook as UTF-8`);
  }
  return new TextDecoder('utf-8').decode(bytes); // drops a leading BOM
}

export async function readRunbookFile(file: string): Promise<{ text: string; bytes: Uint8Array }> {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new RunbookError(file, 1, 'is a directory, not a runbook file');
    size = info.size;
  } catch (error) {
    if (error instanceof RunbookError) throw error;
    throw new RunbookError(file, 1, `cannot read: ${describeFsError(error)}`);
  }
  if (size > MAX_RUNBOOK_BYTES) {
    throw new RunbookError(file, 1, `file is ${size} bytes; runbooks larger than 20 MB are refused`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new RunbookError(file, 1, `cannot read: ${describeFsError(error)}`);
  }
  return { text: decodeRunbook(bytes, file), bytes };
}

function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e.message ?? String(error);
  }
}
