// Group commit: records a caller has ready together are written at once and share one fsync, made before
// together() returns; outside a group every record is flushed before append() returns. A failed group flush
// fails the writer closed and names the group's first record. The key file is written with every flush and
// synced when the journal closes; a key file left behind (a power cut) is evolved forward on reopen.
import * as fs from 'node:fs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalWriteError, JournalWriter, WRITE_FAILED_SUFFIX, readFailureNote } from '../../src/main/audit/journal-writer.js';
import { evolveKey } from '../../src/main/audit/mac-chain.js';
import { JOURNAL_FILE } from '../../src/main/audit/record.js';
import { checkJournal } from '../../src/main/audit/verify-journal.js';
import { RUN_ID, parseLines, tempRun } from './journal-support.js';
import { noteData, runStartedData } from './record-fixtures.js';

/** Real file operations, counted; `failFsync` makes the next fsync fail with EIO. */
function countingIo() {
  const counts = { writes: 0, fsyncs: 0 };
  const state = { failFsync: false };
  const io = {
    writeSync: (fd: number, b: Uint8Array, o: number, l: number) => {
      counts.writes += 1;
      return fs.writeSync(fd, b, o, l);
    },
    fsyncSync: (fd: number) => {
      if (state.failFsync) throw Object.assign(new Error('i/o error'), { code: 'EIO' });
      counts.fsyncs += 1;
      fs.fsyncSync(fd);
    },
  };
  return { io, counts, state };
}

function started() {
  const { dir, keys } = tempRun();
  const { io, counts, state } = countingIo();
  const { writer, macKeyCommitment } = JournalWriter.create(dir, RUN_ID, { keys, io });
  writer.append('run.started', runStartedData(dir, macKeyCommitment));
  counts.writes = 0;
  counts.fsyncs = 0;
  return { dir, keys, writer, counts, state, k0: keys.verificationKey(RUN_ID) as Buffer };
}

/** The chain and every MAC checked (checkJournal throws at the first record that fails). */
const verifies = (dir: string, k0: Buffer) => {
  const checked = checkJournal(readFileSync(path.join(dir, JOURNAL_FILE)), { name: 'j', macKey: k0 });
  return { ok: checked.macChecked && checked.warnings.length === 0, records: checked.records.length };
};

describe('journal group commit', () => {
  it('outside a group each record is flushed before append() returns (the control)', () => {
    const { writer, counts } = started();
    for (let i = 0; i < 5; i++) writer.append('step.note', noteData(`alone ${i}`));
    expect(counts).toEqual({ writes: 5, fsyncs: 5 });
  });

  it('records ready together: each written at once, one flush when the group ends, and the chain is whole', () => {
    const { dir, keys, writer, counts, k0 } = started();
    const seen: number[] = [];
    const result = writer.together(() => {
      for (let i = 0; i < 20; i++) {
        writer.append('step.note', noteData(`together ${i}`));
        seen.push(counts.fsyncs);
      }
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen.every((n) => n === 0)).toBe(true); // nothing flushed inside the group
    expect(counts).toEqual({ writes: 20, fsyncs: 1 });
    // The key for the next record is kept once, after the flush: K_21.
    let k: Buffer = Buffer.from(k0);
    for (let i = 0; i < 21; i++) k = evolveKey(k);
    expect(keys.loadCurrent(RUN_ID)?.index).toBe(21);
    expect(keys.loadCurrent(RUN_ID)?.key.equals(k)).toBe(true);
    writer.append('step.note', noteData('after'));
    writer.close();
    expect(parseLines(readFileSync(path.join(dir, JOURNAL_FILE))).map((r) => r.seq)).toEqual(Array.from({ length: 22 }, (_, i) => i));
    expect(verifies(dir, k0).ok).toBe(true);
  });

  it('groups nest: only the outermost flushes; an empty group flushes nothing', () => {
    const { writer, counts } = started();
    writer.together(() => {
      writer.append('step.note', noteData('outer'));
      writer.together(() => writer.append('step.note', noteData('inner')));
      expect(counts.fsyncs).toBe(0);
    });
    expect(counts.fsyncs).toBe(1);
    writer.together(() => undefined);
    expect(counts.fsyncs).toBe(1);
  });

  it('a refusal inside a group: what was appended before it is still flushed, and the writer goes on', () => {
    const { dir, writer, counts, k0 } = started();
    expect(() =>
      writer.together(() => {
        writer.append('step.note', noteData('kept'));
        writer.append('step.note', { ...noteData('bad'), by: 42 } as unknown as ReturnType<typeof noteData>);
      }),
    ).toThrow(/data\.by/);
    expect(counts).toEqual({ writes: 1, fsyncs: 1 });
    writer.append('step.note', noteData('next'));
    writer.close();
    expect(parseLines(readFileSync(path.join(dir, JOURNAL_FILE))).map((r) => (r.data as { text?: string }).text ?? null)).toEqual([null, 'kept', 'next']);
    expect(verifies(dir, k0).ok).toBe(true);
  });

  it('a failed group flush fails the writer closed and names the first record of the group', () => {
    const { dir, writer, state } = started();
    writer.append('step.note', noteData('durable'));
    state.failFsync = true;
    expect(() =>
      writer.together(() => {
        writer.append('step.note', noteData('first of the group'));
        writer.append('step.note', noteData('second'));
      }),
    ).toThrow(/EIO: i\/o error; the run stops here/);
    state.failFsync = false;
    expect(() => writer.append('step.note', noteData('refused'))).toThrow(JournalWriteError);
    const note = readFailureNote(path.join(dir, `${JOURNAL_FILE}${WRITE_FAILED_SUFFIX}`));
    expect(note?.seq).toBe(2);
    expect(note?.type).toBe('step.note');
  });

  it('a key file left behind by a power cut (an older key) is evolved forward: the journal goes on and verifies', () => {
    const { dir, keys, writer, k0 } = started();
    const keyFile = path.join(keys.dir, `${RUN_ID}.current`);
    const stale = readFileSync(keyFile); // the key for record 1, as written after run.started
    for (let i = 0; i < 6; i++) writer.append('step.note', noteData(`n ${i}`));
    writer.close();
    fs.writeFileSync(keyFile, stale); // the later writes never reached the disk
    expect(keys.loadCurrent(RUN_ID)?.index).toBe(1);
    const { writer: again } = JournalWriter.reopen(dir, { keys });
    again.append('step.note', noteData('after the reopen'));
    again.close();
    expect(verifies(dir, k0).ok).toBe(true);
    expect(keys.loadCurrent(RUN_ID)?.index).toBe(8);
  });

  for (const state of ['empty', 'absent'] as const) {
    it(`a current-key file left ${state} by a power cut is recovered from K_0: the run is reopened and verifies`, () => {
      const { dir, keys, writer, k0 } = started();
      writer.append('step.note', noteData("flushed before the cut"));
      const keyFile = path.join(keys.dir, `${RUN_ID}.current`);
      // The journal's records survived (each flushed); the key file's last writes did not reach the disk.
      if (state === 'empty') fs.truncateSync(keyFile, 0);
      else fs.rmSync(keyFile);
      const { writer: again } = JournalWriter.reopen(dir, { keys });
      again.append('step.note', noteData('after the reopen'));
      again.close();
      expect(verifies(dir, k0)).toEqual({ ok: true, records: 3 });
    });
  }
});
