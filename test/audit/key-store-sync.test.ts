// The MAC key file is durable before the run depends on it: create() syncs <run>.current (and the key
// directory) once; later overwrites in place are synced at close, not per record (a stale key is evolved
// forward on reopen, a missing one recovered from K_0: journal-group.test.ts).
import * as realFs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const synced: string[] = [];
const fdPaths = new Map<number, string>();
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const track = (f: (fd: number) => void) => (fd: number) => {
    synced.push(fdPaths.get(fd) ?? `fd ${fd}`);
    f(fd);
  };
  const openSync = (p: realFs.PathLike, ...rest: unknown[]) => {
    const fd = (fs.openSync as (...a: unknown[]) => number)(p, ...rest);
    fdPaths.set(fd, String(p));
    return fd;
  };
  const mocked = { ...fs, openSync, fsyncSync: track(fs.fsyncSync), fdatasyncSync: track(fs.fdatasyncSync) };
  return { ...mocked, default: mocked };
});

const { JournalWriter } = await import('../../src/main/audit/journal-writer.js');
const { RUN_ID, tempRun } = await import('../audit/journal-support.js');
const { noteData, runStartedData } = await import('../audit/record-fixtures.js');

describe('the current-key file is durable before the run depends on it', () => {
  it('create() (or the first record) syncs <run>.current; it is not left to close()', () => {
    const { dir, keys } = tempRun();
    const { writer, macKeyCommitment } = JournalWriter.create(dir, RUN_ID, { keys });
    writer.append('run.started', runStartedData(dir, macKeyCommitment));
    for (let i = 0; i < 5; i++) writer.append('step.note', noteData(`n ${i}`));
    const journalSyncs = synced.filter((p) => p.endsWith('journal.jsonl')).length;
    const keySyncs = synced.filter((p) => p === path.join(keys.dir, `${RUN_ID}.current`)).length;
    expect(journalSyncs).toBe(6); // six records on disk...
    expect(keySyncs).toBe(1); // ...and a key to continue them with, synced once, not once per record
    expect(synced).toContain(keys.dir); // its name too
    writer.close();
    expect(synced.filter((p) => p === path.join(keys.dir, `${RUN_ID}.current`))).toHaveLength(2); // and at close
  });
});
