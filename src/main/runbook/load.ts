// Reads a runbook file and refuses what is not a markdown text: not a regular file (a directory, a FIFO, a
// device), too large, binary, not UTF-8, unreadable. The file is opened without blocking (a FIFO would wait
// for a writer), judged by fstat of that open descriptor (not of the path, which could be swapped in
// between), and read with a cap: at most MAX_RUNBOOK_BYTES + 1 bytes, whatever its size says or becomes.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { RunbookError } from './errors.js';

export const MAX_RUNBOOK_BYTES = 20 * 1024 * 1024;

const LIMIT_WORDS = `${MAX_RUNBOOK_BYTES / (1024 * 1024)} MB`;

/** Line and column (in bytes) of a byte offset. */
function placeAt(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
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
    throw new RunbookError('file-too-large', file, { line: 1 }, `file is ${bytes.length} bytes; runbooks larger than ${LIMIT_WORDS} are refused`);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new RunbookError('file-utf16', file, { line: 1 }, 'file is UTF-16; save the runbook as UTF-8');
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new RunbookError('file-binary', file, placeAt(bytes, nul), 'binary file: it holds a NUL byte, not markdown text');
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const hex = (bytes[bad] as number).toString(16).padStart(2, '0');
    throw new RunbookError('file-invalid-utf8', file, placeAt(bytes, bad), `invalid UTF-8 (byte 0x${hex} at offset ${bad}); save the runbook as UTF-8`);
  }
  return new TextDecoder('utf-8').decode(bytes); // drops a leading BOM
}

/** The calls made on an open runbook file (node's FileHandle has them). */
export interface RunbookFileHandle {
  stat(): Promise<FileKind & { size: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

interface FileKind {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}

/** What the file system calls can be swapped for in tests (a file that grows while it is read). */
export interface RunbookFileSystem {
  open(file: string, flags: number): Promise<RunbookFileHandle>;
}

const nodeFileSystem: RunbookFileSystem = { open: async (file, flags): Promise<RunbookFileHandle> => await open(file, flags) };

/** Not blocking on a FIFO without a writer; not making a terminal device this process's controlling terminal. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function kindOf(info: FileKind): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

export interface ReadOptions {
  /** Refuse files larger than this (default MAX_RUNBOOK_BYTES; smaller in tests). */
  maxBytes?: number;
  fs?: RunbookFileSystem;
}

export async function readRunbookFile(file: string, options: ReadOptions = {}): Promise<{ text: string; bytes: Uint8Array }> {
  const maxBytes = options.maxBytes ?? MAX_RUNBOOK_BYTES;
  const fs = options.fs ?? nodeFileSystem;
  let handle: RunbookFileHandle;
  try {
    handle = await fs.open(file, OPEN_FLAGS);
  } catch (error) {
    throw new RunbookError('file-unreadable', file, { line: 1 }, `cannot read: ${describeFsError(error)}`);
  }
  let bytes: Uint8Array;
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new RunbookError('file-not-regular', file, { line: 1 }, `is ${kindOf(info)}, not a runbook file`);
    }
    if (info.size > maxBytes) throw tooLarge(file, `file is ${info.size} bytes`, maxBytes);
    bytes = await readCapped(handle, maxBytes + 1, info.size);
    if (bytes.length > maxBytes) throw tooLarge(file, `file grew past ${maxBytes} bytes while it was read`, maxBytes);
  } catch (error) {
    if (error instanceof RunbookError) throw error;
    throw new RunbookError('file-unreadable', file, { line: 1 }, `cannot read: ${describeFsError(error)}`);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return { text: decodeRunbook(bytes, file), bytes };
}

function tooLarge(file: string, what: string, maxBytes: number): RunbookError {
  const limit = maxBytes === MAX_RUNBOOK_BYTES ? LIMIT_WORDS : `${maxBytes} bytes`;
  return new RunbookError('file-too-large', file, { line: 1 }, `${what}; runbooks larger than ${limit} are refused`);
}

/** Reads to the end of the file or `cap` bytes, whichever comes first. */
async function readCapped(handle: Pick<RunbookFileHandle, 'read'>, cap: number, sizeHint: number): Promise<Uint8Array> {
  let buffer = Buffer.allocUnsafe(Math.min(cap, Math.max(sizeHint + 1, 64 * 1024)));
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length >= cap) break;
      const bigger = Buffer.allocUnsafe(Math.min(cap, buffer.length * 2));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
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
    case 'ENXIO':
      return 'no such device or address (a socket or a device without a driver is not a runbook file)';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return e.message ?? String(error);
  }
}

