// Record-level checks of a journal: framing, canonical form, the prev-hash chain, sequence numbers, run
// binding, MACs and time. The first failure names the first bad record; time stepping back is a warning.
import { z } from 'zod';
import { parseCanonicalLine } from './canonical.js';
import { MacVerifier } from './mac-chain.js';
import { type Finding, type WarningCode, fail } from './reasons.js';
import { GENESIS_PREV, type JournalRecord, RECORD_TYPES, sha256Hex, unsignedLine } from './record.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const EnvelopeSchema = z
  .object({
    seq: z.number().int().nonnegative(),
    run: z.string().min(1),
    type: z.enum(RECORD_TYPES),
    time: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    mono_ns: z.string().regex(/^\d+$/),
    boot_id: z.string().min(1),
    data: z.record(z.string(), z.unknown()),
    prev: hex64,
    mac: hex64,
  })
  .strict();

export interface CheckedJournal {
  records: JournalRecord[];
  /** Each record's line, exactly as in the file (the Merkle leaves). */
  lines: string[];
  warnings: Finding<WarningCode>[];
  macChecked: boolean;
}

export interface JournalCheckOptions {
  /** K_0 of the run's MAC chain; without it MACs are not checked (a warning says so). */
  macKey?: Buffer | null;
  /** Label for messages, e.g. the file path. */
  name: string;
}

export function checkJournal(bytes: Buffer, options: JournalCheckOptions): CheckedJournal {
  if (bytes.length === 0) fail('E_EMPTY', `${options.name} is empty`);
  const text = bytes.toString('utf8');
  const crlf = text.indexOf('\r\n');
  if (crlf >= 0) fail('E_CRLF', `${options.name}: line ${lineAt(text, crlf)} ends in CR LF`, { line: lineAt(text, crlf) });
  const rawLines = text.split('\n');
  const tail = rawLines.pop();
  if (tail !== '') fail('E_TORN_TAIL', `${options.name}: ${Buffer.byteLength(tail ?? '')} bytes after the last complete record`, { line: rawLines.length + 1 });

  const records: JournalRecord[] = [];
  rawLines.forEach((line, i) => {
    const parsed = parseCanonicalLine(line);
    if ('error' in parsed) {
      const code = parsed.error === 'duplicate-key' ? 'E_DUPLICATE_KEY' : parsed.error === 'non-canonical' ? 'E_NONCANONICAL' : 'E_JSON';
      fail(code, `line ${i + 1}: ${parsed.detail ?? parsed.error}`, { record: i, line: i + 1 });
    }
    const envelope = EnvelopeSchema.safeParse(parsed.value);
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      fail('E_FIELDS', `line ${i + 1}: ${[...(issue?.path ?? [])].join('.') || 'record'}: ${issue?.message}`, { record: i, line: i + 1 });
    }
    records.push(envelope.data as JournalRecord);
  });

  checkOrder(records, rawLines);
  const warnings: Finding<WarningCode>[] = [];
  const macChecked = Boolean(options.macKey);
  if (options.macKey) {
    const macs = new MacVerifier(options.macKey);
    records.forEach((record, i) => {
      if (macs.expected(i, withoutMac(rawLines[i] as string, record)) !== record.mac) fail('E_MAC', `record ${i} (${record.type}): MAC does not match`, { record: i, line: i + 1 });
    });
  } else {
    warnings.push({ code: 'W_MAC_UNCHECKED', record: null, line: null, detail: 'no verification key for this run was found or given (--mac-key)' });
  }
  checkTime(records, warnings);
  for (const [i, record] of records.entries()) {
    if (record.type === 'log.recovered') {
      warnings.push({ code: 'W_RECOVERED', record: i, line: i + 1, detail: `record ${i}: ${String(record.data.bytes)} torn bytes at offset ${String(record.data.offset)} set aside in ${String(record.data.file)}` });
    }
  }
  return { records, lines: rawLines, warnings, macChecked };
}

/** Run binding, sequence numbers and the prev chain, named as the kind of edit that explains them. */
function checkOrder(records: JournalRecord[], lines: string[]): void {
  const run = records[0]?.run;
  const seen = new Map<number, number>();
  records.forEach((record, i) => {
    const at = { record: i, line: i + 1 };
    if (record.run !== run) fail('E_OTHER_RUN', `record ${i} belongs to run ${record.run}, not ${run}`, at);
    if (record.seq !== i) {
      const earlier = seen.get(record.seq);
      if (earlier !== undefined) {
        if (lines[earlier] === lines[i]) fail('E_RECORD_DUPLICATED', `record ${i} repeats record ${earlier}`, at);
        // Two records claim one number. If this one chains on from the line before it, it was slipped in after
        // the original; otherwise it still chains from before the earlier one, which is then the intruder.
        const insertedAt = i > 0 && record.prev === sha256Hex(lines[i - 1] ?? '') ? i : earlier;
        fail('E_RECORD_INSERTED', `records ${earlier} and ${i} both claim sequence number ${record.seq}`, { record: insertedAt, line: insertedAt + 1 });
      }
      if (record.seq > i) {
        const later = records.findIndex((r, j) => j > i && r.seq === i);
        if (later >= 0) fail('E_RECORD_REORDERED', `record ${i} holds sequence number ${record.seq}; number ${i} comes later, at line ${later + 1}`, at);
        fail('E_RECORD_DELETED', `sequence numbers jump from ${i - 1} to ${record.seq}: ${record.seq - i} record(s) missing before line ${i + 1}`, at);
      }
      fail('E_RECORD_REORDERED', `record ${i} holds sequence number ${record.seq}`, at);
    }
    seen.set(record.seq, i);
    const expectedPrev = i === 0 ? GENESIS_PREV : sha256Hex(lines[i - 1] ?? '');
    if (record.prev !== expectedPrev) {
      if (i === 0) fail('E_RECORD_CHANGED', 'the first record does not start the chain', at);
      fail('E_RECORD_CHANGED', `record ${i - 1} was changed: record ${i}'s prev hash does not match it`, { record: i - 1, line: i });
    }
  });
}

/**
 * The canonical record without its `mac`, cut from the (already checked canonical) line: keys are sorted,
 * and every top-level key after "mac" holds a string or number, so the last `,"mac":"` is the top-level one.
 */
function withoutMac(line: string, record: JournalRecord): string {
  const field = `,"mac":"${record.mac}"`;
  const at = line.lastIndexOf(field);
  if (at < 0) return unsignedLine((({ mac: _mac, ...unsigned }) => unsigned)(record));
  return line.slice(0, at) + line.slice(at + field.length);
}

function checkTime(records: JournalRecord[], warnings: Finding<WarningCode>[]): void {
  for (let i = 1; i < records.length; i++) {
    const a = records[i - 1] as JournalRecord;
    const b = records[i] as JournalRecord;
    if (a.boot_id === b.boot_id && BigInt(b.mono_ns) < BigInt(a.mono_ns)) {
      fail('E_MONOTONIC', `record ${i}: monotonic time ${b.mono_ns} ns is before record ${i - 1}'s ${a.mono_ns} ns on the same boot`, { record: i, line: i + 1 });
    }
    if (Date.parse(b.time) < Date.parse(a.time)) {
      warnings.push({ code: 'W_CLOCK_BACKWARDS', record: i, line: i + 1, detail: `record ${i}: wall clock ${b.time} is before record ${i - 1}'s ${a.time}` });
    }
  }
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
