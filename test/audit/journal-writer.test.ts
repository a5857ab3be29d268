// The journal writer: canonical lines, contiguous sequence, prev chain, forward-secure MACs, crash
// recovery of a torn tail, and failing closed on a write error.
import * as fs from 'node:fs';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalWriteError, JournalWriter } from '../../src/main/audit/journal-writer.js';
import { evolveKey, recordMac } from '../../src/main/audit/mac-chain.js';
import { GENESIS_PREV, JOURNAL_FILE, recordLine, sha256Hex, signedLine, unsignedLine } from '../../src/main/audit/record.js';
import { checkJournal } from '../../src/main/audit/verify-journal.js';
import { type RecordData, RecordDataError } from '../../src/main/audit/records/index.js';
import { RUN_ID, parseLines, tempRun, writeJournal } from './journal-support.js';
import { noteData, runStartedData } from './record-fixtures.js';

describe('journal writer', () => {
  it('writes one canonical record per line, chained, with MACs under an evolving key', () => {
    const { dir, keys, k0, bytes } = writeJournal(4);
    const records = parseLines(bytes);
    expect(records.map((r) => [r.seq, r.run, r.type])).toEqual([
      [0, RUN_ID, 'run.started'],
      [1, RUN_ID, 'step.note'],
      [2, RUN_ID, 'step.note'],
      [3, RUN_ID, 'step.note'],
    ]);
    const lines = bytes.toString('utf8').trimEnd().split('\n');
    expect(records[0]?.prev).toBe(GENESIS_PREV);
    expect(records[2]?.prev).toBe(sha256Hex(lines[1] as string));
    expect(records[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The key on disk is the one for the next record: K_4, not any key that MACed a record.
    const current = keys.loadCurrent(RUN_ID);
    let k: Buffer = Buffer.from(k0);
    const used: string[] = [];
    for (let i = 0; i < 4; i++) {
      used.push(k.toString('hex'));
      k = evolveKey(k);
    }
    expect(current?.index).toBe(4);
    expect(current?.key.toString('hex')).toBe(k.toString('hex'));
    expect(used).not.toContain(current?.key.toString('hex'));
    expect(readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').endsWith('\n')).toBe(true);
    const { mac, ...unsigned } = records[0] as (typeof records)[number];
    expect(mac).toBe(recordMac(k0, JSON.stringify(Object.fromEntries(Object.entries(unsigned).sort(([a], [b]) => (a < b ? -1 : 1))))));
  });

  it('refuses data its record type does not define before anything is written, and goes on writing what fits', () => {
    const { dir, keys } = tempRun();
    const { writer, macKeyCommitment } = JournalWriter.create(dir, RUN_ID, { keys });
    writer.append('run.started', runStartedData(dir, macKeyCommitment));
    const file = path.join(dir, JOURNAL_FILE);
    const before = readFileSync(file);
    // What a cast gets past the compiler, the writer still refuses: a field the format does not define, a
    // field of the wrong type, a required field missing, a code not in its list.
    const refused: [string, unknown, RegExp][] = [
      ['step.note', { ...noteData('hello'), approved_by: 'cfo' }, /data\.approved_by: a field this record type does not have/],
      ['step.note', { ...noteData('hello'), by: 42 }, /data\.by: expected string, found number 42/],
      ['run.interrupted', { by: 'signal' }, /data\.cause: missing/],
      ['run.interrupted', { cause: 'SIGKILL', by: 'signal' }, /data\.cause: expected one of "SIGHUP", .*found a string "SIGKILL"/],
    ];
    for (const [type, data, message] of refused) {
      expect(() => writer.append(type as 'step.note', data as RecordData<'step.note'>), type).toThrow(RecordDataError);
      expect(() => writer.append(type as 'step.note', data as RecordData<'step.note'>), type).toThrow(message);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(writer.failed).toBeNull();
    // Control: the writer goes on with data that fits.
    expect(writer.append('step.note', noteData('fits')).seq).toBe(1);
    writer.close();
  });

  it('refuses to start a journal over an existing one', () => {
    const { dir, keys } = writeJournal(2);
    expect(() => JournalWriter.create(dir, 'run-another-123456', { keys })).toThrow(/journal\.jsonl: cannot create the journal/);
  });

  it('on reopen after a crash sets a torn tail aside, cuts back to the last whole record and records it', () => {
    const { dir, keys, k0 } = writeJournal(3);
    const file = path.join(dir, JOURNAL_FILE);
    const whole = readFileSync(file);
    appendFileSync(file, '{"data":{"i":3,"te');
    const { writer, recovery } = JournalWriter.reopen(dir, { keys });
    expect(recovery).toMatchObject({ offset: whole.length, bytes: 18 });
    expect(readFileSync(path.join(dir, recovery?.file as string), 'utf8')).toBe('{"data":{"i":3,"te');
    writer.append('step.note', noteData('after recovery'));
    writer.close();
    const after = readFileSync(file);
    expect(after.subarray(0, whole.length).equals(whole)).toBe(true);
    const checked = checkJournal(after, { name: 'j', macKey: k0 });
    expect(checked.records.map((r) => r.type)).toEqual(['run.started', 'step.note', 'step.note', 'log.recovered', 'step.note']);
    expect(checked.warnings.map((w) => w.code)).toEqual(['W_RECOVERED']);
  });

  it('a failed write or fsync is not retried: this append and every later one fail', () => {
    const { dir, keys } = tempRun();
    let failNext: 'write' | 'fsync' | null = null;
    const io = {
      writeSync: (fd: number, b: Uint8Array, o: number, l: number) => {
        if (failNext === 'write') throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        return fs.writeSync(fd, b, o, l);
      },
      fsyncSync: (fd: number) => {
        if (failNext === 'fsync') throw Object.assign(new Error('i/o error'), { code: 'EIO' });
        fs.fsyncSync(fd);
      },
    };
    const { writer, macKeyCommitment } = JournalWriter.create(dir, RUN_ID, { keys, io });
    writer.append('run.started', runStartedData(dir, macKeyCommitment));
    failNext = 'fsync';
    expect(() => writer.append('step.note', noteData('one'))).toThrow(/EIO: i\/o error; the run stops here/);
    failNext = null;
    expect(() => writer.append('step.note', noteData('two'))).toThrow(JournalWriteError);
    expect(writer.failed?.message).toMatch(/EIO/);
    expect(existsSync(path.join(dir, JOURNAL_FILE))).toBe(true);
  });

  it('signs a line by adding the MAC to its unsigned text: the same bytes as serialising the whole record', () => {
    const mac = 'ab'.repeat(32);
    const base = { seq: 7, run: RUN_ID, type: 'step.note' as const, time: '2026-01-01T00:00:00.000Z', mono_ns: '123', boot_id: 'b', prev: GENESIS_PREV };
    // Data that holds the envelope's own key names and the MAC's field, at every depth.
    const tricky = [
      { text: ',"mono_ns":"1"', by: 'x' },
      { text: 'plain', by: 'y', extra: { mac: mac, mono_ns: '9', nested: [{ ',"mono_ns":': ',"mac":"' }] } },
      { text: '"}]\\,"mono_ns":', by: '\u2028 é 😀' },
    ];
    for (const data of tricky) {
      const record = { ...base, data };
      expect(signedLine(unsignedLine(record), mac)).toBe(recordLine({ ...record, mac }));
    }
    expect(() => signedLine('{"a":1}', mac)).toThrow(TypeError);
    expect(() => signedLine(unsignedLine({ ...base, data: {} }), 'not-a-mac')).toThrow(TypeError);
  });
});
