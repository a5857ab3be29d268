// Reading a runbook file: what is not a regular file is refused at once (a FIFO would hang, /dev/zero never
// ends), and no more than the limit + 1 bytes are ever read, whatever the file's size says or becomes.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunbookError, loadRunbook } from '../../src/main/runbook/index.js';
import { MAX_RUNBOOK_BYTES, type RunbookFileSystem, readRunbookFile } from '../../src/main/runbook/load.js';

const dir = mkdtempSync(path.join(tmpdir(), 'runbook-load-'));
const hasMkfifo = process.platform !== 'win32' && existsSync('/usr/bin/mkfifo');

async function refusal(promise: Promise<unknown>): Promise<RunbookError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RunbookError) return error;
    throw error;
  }
  throw new Error('expected a RunbookError');
}

/** The real file system, counting the bytes read and, before every read, running `beforeRead`. */
function countingFs(beforeRead: () => void = () => {}): RunbookFileSystem & { bytesRead: number; reads: number } {
  const fs = {
    bytesRead: 0,
    reads: 0,
    async open(file: string, flags: number) {
      const handle = await open(file, flags);
      return {
        stat: () => handle.stat(),
        close: () => handle.close(),
        read: async (buffer: Uint8Array, offset: number, length: number, position: number | null) => {
          beforeRead();
          fs.reads++;
          const result = await handle.read(buffer, offset, length, position);
          fs.bytesRead += result.bytesRead;
          return result;
        },
      };
    },
  };
  return fs;
}

describe.skipIf(!hasMkfifo)('files that are not regular files are refused at once', () => {
  it('a FIFO without a writer (opening it for reading would wait for one)', async () => {
    const fifo = path.join(dir, 'pipe.md');
    execFileSync('mkfifo', [fifo]);
    const error = await refusal(loadRunbook(fifo));
    expect([error.code, error.message]).toEqual(['file-not-regular', 'is a FIFO (named pipe), not a runbook file']);
  });

  it('a symbolic link to a FIFO (judged by the opened file, not the path)', async () => {
    const fifo = path.join(dir, 'pipe2');
    execFileSync('mkfifo', [fifo]);
    const link = path.join(dir, 'link.md');
    symlinkSync(fifo, link);
    const error = await refusal(loadRunbook(link));
    expect([error.code, error.message]).toEqual(['file-not-regular', 'is a FIFO (named pipe), not a runbook file']);
  });
});

describe('devices, directories, sizes', () => {
  it.skipIf(!existsSync('/dev/zero'))('/dev/zero is refused without reading from it', async () => {
    const fs = countingFs();
    const error = await refusal(readRunbookFile('/dev/zero', { fs }));
    expect([error.code, error.message]).toEqual(['file-not-regular', 'is a character device, not a runbook file']);
    expect(fs.reads).toBe(0);
  });

  it('a directory is refused', async () => {
    const error = await refusal(loadRunbook(dir));
    expect([error.code, error.message]).toEqual(['file-not-regular', 'is a directory, not a runbook file']);
  });

  it('a file over the limit is refused from its size, reading nothing', async () => {
    const big = path.join(dir, 'big.md');
    writeFileSync(big, '');
    truncateSync(big, MAX_RUNBOOK_BYTES + 1);
    const fs = countingFs();
    const error = await refusal(readRunbookFile(big, { fs }));
    expect(String(error)).toBe(`${big}:1:1: error: file is ${MAX_RUNBOOK_BYTES + 1} bytes; runbooks larger than 20 MB are refused [file-too-large]`);
    expect(fs.reads).toBe(0);
  });

  it('a file that grows while it is read is read to at most limit + 1 bytes, then refused', async () => {
    const growing = path.join(dir, 'growing.md');
    writeFileSync(growing, '# Runbook\n');
    const limit = 64 * 1024;
    const fs = countingFs(() => appendFileSync(growing, `- [ ] step\n`.repeat(2000)));
    const error = await refusal(readRunbookFile(growing, { fs, maxBytes: limit }));
    expect([error.code, error.message]).toEqual(['file-too-large', `file grew past ${limit} bytes while it was read; runbooks larger than ${limit} bytes are refused`]);
    expect(fs.bytesRead).toBe(limit + 1);
  });

  it('a file at the limit is read whole (positive control)', async () => {
    const file = path.join(dir, 'exact.md');
    writeFileSync(file, `# T\n${'x'.repeat(4096 - 4)}`);
    const { bytes } = await readRunbookFile(file, { maxBytes: 4096 });
    expect(bytes.length).toBe(4096);
  });

  it.skipIf(process.platform !== 'linux')('a regular file whose size says 0 is read to its end (sizes are not trusted)', async () => {
    const { text } = await readRunbookFile('/proc/self/status');
    expect(text).toMatch(/^Name:/);
  });

  it('a missing file is unreadable', async () => {
    const error = await refusal(loadRunbook(path.join(dir, 'missing.md')));
    expect([error.code, error.message]).toEqual(['file-unreadable', 'cannot read: no such file']);
  });
});
