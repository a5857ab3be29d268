// The report against the journal: report.json and report.html are built again from the journal and its
// blobs with the project's own report builder (report/build-report.ts) and must be the same bytes. A report
// that says anything the journal does not fails E_REPORT, naming the first field (report.json) or part of
// the page (report.html) that differs — whoever signed it.
//
// The report is never held: the builder streams (report-segments.ts), and the file is read once against
// fixed text and the hashes of the per-record parts. Only when a hash differs is the journal read again,
// element by element, to name the first element and field that differ.
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { ReportAssembler, type ReportInputs } from './report/build-report.js';
import { type Segment, pathAt } from './report/report-segments.js';
import { fail } from './reasons.js';
import type { JournalRecord } from './record.js';

export type ReportDifference =
  | { kind: 'text'; where: string; offset: number; expected: string }
  | { kind: 'digest'; stream: string; label: string; offset: number }
  | { kind: 'longer'; offset: number };

const SNIPPET = 60;

/** Reads `file` against `segments`; the first difference, or null when the file is exactly what they describe. */
export async function compareReport(file: string, segments: readonly Segment[]): Promise<ReportDifference | null> {
  const handle = await open(file, 'r');
  let offset = 0;
  const read = async (n: number): Promise<Buffer> => {
    const buffer = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await handle.read(buffer, got, n - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buffer.subarray(0, got);
  };
  try {
    for (const segment of segments) {
      if (segment.kind === 'text') {
        const expected = Buffer.from(segment.text, 'utf8');
        const actual = await read(expected.length);
        let k = 0;
        while (k < actual.length && actual[k] === expected[k]) k++;
        if (k < expected.length) {
          const chars = expected.subarray(0, k).toString('utf8').length;
          return { kind: 'text', where: segment.where(Math.min(chars, segment.text.length - 1)), offset: offset + k, expected: segment.text.slice(chars, chars + SNIPPET) };
        }
        offset += expected.length;
      } else {
        const hash = createHash('sha256');
        for (let left = segment.bytes; left > 0; ) {
          const chunk = await read(Math.min(left, 1 << 20));
          if (chunk.length === 0) break;
          hash.update(chunk);
          offset += chunk.length;
          left -= chunk.length;
        }
        if (hash.digest('hex') !== segment.sha256) return { kind: 'digest', stream: segment.stream, label: segment.label, offset: offset - segment.bytes };
      }
    }
    if ((await read(1)).length > 0) return { kind: 'longer', offset };
    return null;
  } finally {
    await handle.close();
  }
}

/** Bytes of `file` from `offset`, as text (for a message). */
function snippet(file: string, offset: number, bytes = SNIPPET * 2): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const n = readSync(fd, buffer, 0, bytes, offset);
    return buffer.subarray(0, n).toString('utf8').slice(0, SNIPPET);
  } finally {
    closeSync(fd);
  }
}

class Found {
  constructor(
    readonly index: number,
    /** Character offset in the element where it differs (−1: in the separator before it). */
    readonly at: number,
    readonly element: string,
    /** Byte offset in the file where it differs. */
    readonly fileOffset: number,
  ) {}
}

/**
 * Where, inside the stream `stream` that starts at byte `offset` of `file`, the file first differs from the
 * elements the builder gives: the journal (`records`, in order, with their lines) is fed again to a builder
 * that hands that stream's elements over one at a time.
 */
export function findInStream(file: string, stream: string, offset: number, dir: string, records: Iterable<{ record: JournalRecord; line: string }>): Found | null {
  const fd = openSync(file, 'r');
  let position = offset;
  let differsAt = offset;
  const matches = (text: string): number => {
    const expected = Buffer.from(text, 'utf8');
    const actual = Buffer.alloc(expected.length);
    const n = readSync(fd, actual, 0, expected.length, position);
    let k = 0;
    while (k < n && actual[k] === expected[k]) k++;
    differsAt = position + k;
    position += expected.length;
    return k < expected.length ? expected.subarray(0, k).toString('utf8').length : -1;
  };
  try {
    const builder = new ReportAssembler(dir, false, {
      stream,
      probe: (element, index, separator) => {
        if (separator && matches(separator) >= 0) throw new Found(index, -1, element, differsAt);
        const at = matches(element);
        if (at >= 0) throw new Found(index, at, element, differsAt);
      },
    });
    for (const { record, line } of records) builder.record(record, line);
    return null;
  } catch (error) {
    if (error instanceof Found) return error;
    throw error;
  } finally {
    closeSync(fd);
  }
}

/** What a differing stream element is called: a JSON path in report.json, a part of the page in report.html. */
function streamPath(stream: string, found: Found | null, json: boolean): string {
  if (!found) return stream;
  const { index, at, element } = found;
  if (json) {
    const base = `${stream}[${index}]`;
    return at < 0 ? base : pathAt(element, at, base);
  }
  if (stream === 'timeline') return `the timeline, row ${index + 1}`;
  const step = Number(/\d+/.exec(stream)?.[0]);
  return `step ${step + 1}, block ${index + 1}`;
}

/** Fails E_REPORT for a difference compareReport found; `records` reads the journal again when a hashed part differs. */
export function reportFailure(name: 'report.json' | 'report.html', file: string, difference: ReportDifference, dir: string, records: () => Iterable<{ record: JournalRecord; line: string }>): never {
  const json = name === 'report.json';
  const says = (offset: number) => JSON.stringify(snippet(file, offset));
  if (difference.kind === 'longer') fail('E_REPORT', `${name} goes on after the report the journal gives has ended (at byte ${difference.offset}: ${says(difference.offset)})`);
  if (difference.kind === 'text') {
    const where = json ? `at ${difference.where}` : `in ${difference.where}`;
    fail('E_REPORT', `${name} differs from the report the journal gives ${where}: ${name} has ${says(difference.offset)}, the journal gives ${JSON.stringify(difference.expected)}`);
  }
  const found = findInStream(file, difference.stream, difference.offset, dir, records());
  const where = streamPath(difference.stream, found, json);
  if (!found) fail('E_REPORT', `${name} differs from the report the journal gives in ${difference.label}`);
  const expected = found.at < 0 ? '' : found.element.slice(found.at, found.at + SNIPPET);
  fail('E_REPORT', `${name} differs from the report the journal gives ${json ? 'at' : 'in'} ${where}: ${name} has ${says(found.fileOffset)}${found.at >= 0 ? `, the journal gives ${JSON.stringify(expected)}` : ''}`);
}

export type { ReportInputs };
