// Record-level checks of a journal: framing, canonical form, the prev-hash chain, sequence numbers, run
// binding, MACs and time. The first failure names the first bad record; time stepping back is a warning.
//
// JournalChecker takes the journal one line at a time and keeps only what the next line's checks need (the
// previous record and its line's hash, the current MAC key), so a journal of any length is checked in
// constant memory; checkJournal runs it over a whole buffer and also returns the records.
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { z } from 'zod';
import { parseCanonicalLine } from './canonical.js';
import type { Finding, WarningCode } from './reasons.js';
import { MacVerifier } from './mac-chain.js';
import { GENESIS_PREV, type JournalRecord, RECORD_TYPES, unsignedLine } from './record.js';
import { recordDataOrNull } from './records/index.js';
import { CHECK, FirstFailure, PendingFailure, failure } from './verify-phases.js';

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

/** One line that parsed into a record. */
export interface CheckedLine {
  index: number;
  record: JournalRecord;
  /** The line decoded as UTF-8 (a line that is not valid UTF-8 never gets this far: E_JSON). */
  text: string;
  /** The line's bytes, which its hashes are taken over (the Merkle leaf; `hash`). */
  data: Buffer;
  /** SHA-256 (hex) of the line: what the next record's `prev` holds and what an approval signs. */
  hash: string;
  /** The line as JSON.parse gives it: `record` is a copy when the envelope schema made one (a "__proto__" key). */
  parsed: unknown;
}

export interface JournalCheckerOptions {
  name: string;
  /** K_0, or a function that finds it from the first line (or from the whole file when it has no line end). */
  macKey: Buffer | null | ((firstLine: Buffer) => Buffer | null);
  /** Line `index` of the journal as text: read again only to tell a duplicated record from an inserted one. */
  lineAt: (index: number) => string;
}

export class JournalChecker {
  private count = 0;
  private first: JournalRecord | null = null;
  private previous: { record: JournalRecord; text: string; hash: string } | null = null;
  private macs: MacVerifier | null = null;
  private keyResolved = false;
  private macChecked = false;
  /** A record that holds a later sequence number: was the one it displaced moved further on, or deleted? */
  private displaced: { index: number; later: number } | null = null;
  private readonly clockWarnings: Finding<WarningCode>[] = [];
  private readonly recoveredWarnings: Finding<WarningCode>[] = [];

  constructor(
    private readonly options: JournalCheckerOptions,
    private readonly failures: FirstFailure,
  ) {}

  /** Complete lines seen so far. */
  get lines(): number {
    return this.count;
  }

  /** Checks one complete line (without its LF); returns it parsed unless it could not be. */
  line(bytes: Buffer): CheckedLine | null {
    const i = this.count++;
    if (i === 0) this.resolveKey(bytes);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) {
      this.failures.note(CHECK.crlf, failure('E_CRLF', `${this.options.name}: line ${i + 1} ends in CR LF`, { line: i + 1 }));
      return null;
    }
    if (!this.failures.open(CHECK.parse)) return null;
    const at = { record: i, line: i + 1 };
    // RFC 8259 JSON text is UTF-8: a line that is not is not JSON (decoding it would repair it unseen).
    if (!isUtf8(bytes)) {
      this.failures.note(CHECK.parse, failure('E_JSON', `line ${i + 1}: not valid UTF-8`, at));
      return null;
    }
    const text = bytes.toString('utf8');
    // No record nests deeper than a few levels: a line that does is refused before it is parsed, as verify.py does.
    const parsed: ReturnType<typeof parseCanonicalLine> = nestsTooDeeply(text)
      ? { error: 'json', detail: `nested deeper than ${MAX_JSON_DEPTH} levels (no record is)` }
      : parseCanonicalLine(text);
    if ('error' in parsed) {
      const code = parsed.error === 'duplicate-key' ? 'E_DUPLICATE_KEY' : parsed.error === 'non-canonical' ? 'E_NONCANONICAL' : 'E_JSON';
      this.failures.note(CHECK.parse, failure(code, `line ${i + 1}: ${parsed.detail ?? parsed.error}`, at));
      return null;
    }
    let record = plainEnvelope(parsed.value, text);
    if (!record) {
      const envelope = EnvelopeSchema.safeParse(parsed.value);
      if (!envelope.success) {
        const issue = envelope.error.issues[0];
        this.failures.note(CHECK.parse, failure('E_FIELDS', `line ${i + 1}: ${[...(issue?.path ?? [])].join('.') || 'record'}: ${issue?.message}`, at));
        return null;
      }
      record = envelope.data as JournalRecord;
    }
    if (this.displaced?.later === -1 && record.seq === this.displaced.index) this.displaced.later = i;
    if (i === 0) this.first = record;
    if (!this.failures.open(CHECK.order)) return null;

    const lineHash = hash('sha256', bytes, 'hex');
    this.failures.run(CHECK.order, () => this.checkOrder(i, record, text));
    if (this.failures.open(CHECK.mac) && this.macs) {
      const mac = this.nextMac(i, record, bytes);
      if (mac !== record.mac) this.failures.note(CHECK.mac, failure('E_MAC', `record ${i} (${record.type}): MAC does not match`, at));
    }
    if (this.failures.open(CHECK.time) && this.previous) {
      const a = this.previous.record;
      if (a.boot_id === record.boot_id && BigInt(record.mono_ns) < BigInt(a.mono_ns)) {
        this.failures.note(CHECK.time, failure('E_MONOTONIC', `record ${i}: monotonic time ${record.mono_ns} ns is before record ${i - 1}'s ${a.mono_ns} ns on the same boot`, at));
      } else if (Date.parse(record.time) < Date.parse(a.time)) {
        this.clockWarnings.push({ code: 'W_CLOCK_BACKWARDS', record: i, line: i + 1, detail: `record ${i}: wall clock ${record.time} is before record ${i - 1}'s ${a.time}` });
      }
    }
    // A log.recovered that does not fit its schema is the record-data check's to report.
    const recovered = record.type === 'log.recovered' ? recordDataOrNull('log.recovered', record.data) : null;
    if (recovered) {
      this.recoveredWarnings.push({ code: 'W_RECOVERED', record: i, line: i + 1, detail: `record ${i}: ${recovered.bytes} torn bytes at offset ${recovered.offset} set aside in ${recovered.file}` });
    }
    this.previous = { record, text, hash: lineHash };
    return { index: i, record, text, data: bytes, hash: lineHash, parsed: parsed.value };
  }

  /** The bytes after the last LF (empty when the file ends in one). */
  end(tail: Buffer): void {
    if (this.count === 0) this.resolveKey(tail);
    if (this.count === 0 && tail.length === 0) this.failures.note(CHECK.empty, failure('E_EMPTY', `${this.options.name} is empty`));
    else if (tail.length > 0) {
      this.failures.note(CHECK.tornTail, failure('E_TORN_TAIL', `${this.options.name}: ${Buffer.byteLength(tail.toString('utf8'))} bytes after the last complete record`, { line: this.count + 1 }));
    }
  }

  /** Warnings in the order the checks make them: MACs, then clock, then recovery. */
  warnings(): Finding<WarningCode>[] {
    const mac: Finding<WarningCode>[] = this.macChecked ? [] : [{ code: 'W_MAC_UNCHECKED', record: null, line: null, detail: 'no verification key for this run was found or given (--mac-key)' }];
    return [...mac, ...this.clockWarnings, ...this.recoveredWarnings];
  }

  get checkedMacs(): boolean {
    return this.macChecked;
  }

  private resolveKey(firstLine: Buffer): void {
    if (this.keyResolved) return;
    const key = typeof this.options.macKey === 'function' ? this.options.macKey(firstLine) : this.options.macKey;
    this.keyResolved = true;
    this.macs = key ? new MacVerifier(key) : null;
    this.macChecked = Boolean(key);
  }

  /**
   * HMAC of record `i`'s canonical form without its `mac`, cut from the (already checked canonical) line:
   * keys are sorted, and every top-level key after "mac" holds a string or number, so the last `,"mac":"`
   * is the top-level one.
   */
  private nextMac(i: number, record: JournalRecord, data: Buffer): string {
    const field = `,"mac":"${record.mac}"`;
    const at = data.lastIndexOf(field);
    const unsigned = at < 0 ? unsignedLine((({ mac: _mac, ...rest }) => rest)(record)) : [data.subarray(0, at), data.subarray(at + field.length)];
    return (this.macs as MacVerifier).expected(i, unsigned);
  }

  /** Run binding, sequence numbers and the prev chain, named as the kind of edit that explains them. */
  private checkOrder(i: number, record: JournalRecord, text: string): void {
    const at = { record: i, line: i + 1 };
    const run = (this.first as JournalRecord).run;
    if (record.run !== run) throw failure('E_OTHER_RUN', `record ${i} belongs to run ${record.run}, not ${run}`, at);
    const prevHash = this.previous?.hash;
    if (record.seq !== i) {
      // Every record before this one holds its own position as its number, so number `seq` < i is record seq's.
      if (record.seq < i) {
        const earlier = record.seq;
        const earlierText = earlier === i - 1 ? this.previous?.text : this.options.lineAt(earlier);
        if (earlierText === text) throw failure('E_RECORD_DUPLICATED', `record ${i} repeats record ${earlier}`, at);
        // Two records claim one number. If this one chains on from the line before it, it was slipped in after
        // the original; otherwise it still chains from before the earlier one, which is then the intruder.
        const insertedAt = i > 0 && record.prev === prevHash ? i : earlier;
        throw failure('E_RECORD_INSERTED', `records ${earlier} and ${i} both claim sequence number ${record.seq}`, { record: insertedAt, line: insertedAt + 1 });
      }
      // A number from further on: if number i turns up later the records were reordered, else some are missing.
      const seq = record.seq;
      const displaced = { index: i, later: -1 };
      this.displaced = displaced;
      throw new PendingFailure(() =>
        displaced.later >= 0
          ? failure('E_RECORD_REORDERED', `record ${i} holds sequence number ${seq}; number ${i} comes later, at line ${displaced.later + 1}`, at)
          : failure('E_RECORD_DELETED', `sequence numbers jump from ${i - 1} to ${seq}: ${seq - i} record(s) missing before line ${i + 1}`, at),
      );
    }
    const expectedPrev = i === 0 ? GENESIS_PREV : prevHash;
    if (record.prev !== expectedPrev) {
      if (i === 0) throw failure('E_RECORD_CHANGED', 'the first record does not start the chain', at);
      throw failure('E_RECORD_CHANGED', `record ${i - 1} was changed: record ${i}'s prev hash does not match it`, { record: i - 1, line: i });
    }
  }
}

/**
 * How deeply a journal line may nest arrays and objects: a record of the format nests 6 deep at most, and both
 * verifiers (this one and the bundle's verify.py) refuse a deeper line as E_JSON before parsing it, so that neither
 * a parser's own limit (Python's recursion limit, a stack) ever decides what a line is.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether arrays and objects nest deeper than MAX_JSON_DEPTH in `text` (a bracket inside a string does not count). */
export function nestsTooDeeply(text: string): boolean {
  let level = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, and over each escaped character.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++level > MAX_JSON_DEPTH) return true;
    } else if (c === 0x5d || c === 0x7d) level--;
  }
  return false;
}

const ENVELOPE_KEYS = ['boot_id', 'data', 'mac', 'mono_ns', 'prev', 'run', 'seq', 'time', 'type'];
const TYPES = new Set<string>(RECORD_TYPES);
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const DIGITS = /^\d+$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The record when it plainly satisfies EnvelopeSchema (what a journal writer always writes), else null and
 * the schema decides, and words the failure. Checking by hand first saves most of the per-record cost.
 */
function plainEnvelope(value: unknown, text: string): JournalRecord | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (keys.length !== ENVELOPE_KEYS.length || keys.some((k, i) => k !== ENVELOPE_KEYS[i])) return null;
  const { seq, run, type, time, mono_ns: mono, boot_id: boot, data, prev, mac } = v;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return null;
  if (typeof run !== 'string' || run.length === 0 || typeof boot !== 'string' || boot.length === 0) return null;
  if (typeof type !== 'string' || !TYPES.has(type)) return null;
  if (typeof time !== 'string' || !TIME.test(time) || typeof mono !== 'string' || !DIGITS.test(mono)) return null;
  if (typeof prev !== 'string' || !HEX64.test(prev) || typeof mac !== 'string' || !HEX64.test(mac)) return null;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  // The schema copies `data` and leaves out a "__proto__" key: let it make that copy.
  if (text.includes('"__proto__"')) return null;
  return v as unknown as JournalRecord;
}

/** A line already verified, parsed into the record the checker gave for it (a second reading, on the way to a failure). */
export function parseRecord(text: string): JournalRecord | null {
  const parsed = parseCanonicalLine(text);
  if ('error' in parsed) return null;
  const plain = plainEnvelope(parsed.value, text);
  if (plain) return plain;
  const envelope = EnvelopeSchema.safeParse(parsed.value);
  return envelope.success ? (envelope.data as JournalRecord) : null;
}

/** Line `index` of a journal held in memory. */
export function lineOfBuffer(bytes: Buffer, index: number): string {
  let start = 0;
  for (let k = 0; k < index && start >= 0; k++) start = bytes.indexOf(0x0a, start) + 1;
  const end = bytes.indexOf(0x0a, start);
  return bytes.toString('utf8', start, end < 0 ? bytes.length : end);
}

/** Checks a whole journal held in memory; throws VerifyFailure on the first problem. */
export function checkJournal(bytes: Buffer, options: JournalCheckOptions): CheckedJournal {
  const failures = new FirstFailure();
  const checker = new JournalChecker({ name: options.name, macKey: options.macKey ?? null, lineAt: (i) => lineOfBuffer(bytes, i) }, failures);
  const records: JournalRecord[] = [];
  const lines: string[] = [];
  let start = 0;
  for (let end = bytes.indexOf(0x0a); end >= 0 && !failures.settled; end = bytes.indexOf(0x0a, start)) {
    const checked = checker.line(bytes.subarray(start, end));
    if (checked) {
      records.push(checked.record);
      lines.push(checked.text);
    }
    start = end + 1;
  }
  if (!failures.settled) checker.end(bytes.subarray(start));
  failures.throwIfFailed();
  return { records, lines, warnings: checker.warnings(), macChecked: checker.checkedMacs };
}
