// A report as a verifier expects it, without holding it: fixed text where the text is known, and for each
// part with one entry per record or block (events, records, the timeline, a step's blocks) the SHA-256 and
// length of the text it must hold. A verifier reads report.json / report.html once against this list.
import { type Hash, createHash } from 'node:crypto';
import { canonicalize } from '../canonical.js';

/** Called with every element of one stream, in order, when a verifier looks for where a report differs. */
export type StreamProbe = (element: string, index: number, separator: string) => void;

/** The elements of one array in the report, joined by `separator`, kept as their hash and length only. */
export class ElementStream {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  count = 0;

  constructor(
    /** Names the stream (events, records, steps[2].blocks, timeline …) for a verifier's message. */
    readonly id: string,
    readonly separator: string,
    private readonly probe: StreamProbe | null = null,
  ) {}

  add(element: string): void {
    const separator = this.count > 0 ? this.separator : '';
    this.probe?.(element, this.count, separator);
    if (separator) this.hash.update(separator, 'utf8');
    this.hash.update(element, 'utf8');
    this.bytes += Buffer.byteLength(separator) + Buffer.byteLength(element);
    this.count++;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export type Segment =
  /** Text known in full; `where` names the field (JSON path) or part of the page at a character offset. */
  | { kind: 'text'; text: string; where: (offset: number) => string }
  | { kind: 'digest'; stream: string; label: string; bytes: number; sha256: string; count: number };

interface Piece {
  text: string;
  where: (offset: number) => string;
}

export class SegmentWriter {
  private readonly segments: Segment[] = [];
  private pieces: Piece[] = [];

  /** Fixed text belonging to `label`. */
  raw(text: string, label: string): this {
    if (text) this.pieces.push({ text, where: () => label });
    return this;
  }

  /** A value in canonical form (RFC 8785) at JSON path `path`; `from` cuts that many characters off its start. */
  value(value: unknown, path: string, from = 0): this {
    const json = canonicalize(value);
    this.pieces.push({ text: json.slice(from), where: (offset) => pathAt(json, offset + from, path) });
    return this;
  }

  digest(stream: ElementStream, label: string): this {
    this.flush();
    this.segments.push({ kind: 'digest', stream: stream.id, label, bytes: stream.bytes, sha256: stream.digest(), count: stream.count });
    return this;
  }

  done(): Segment[] {
    this.flush();
    return this.segments;
  }

  private flush(): void {
    if (this.pieces.length === 0) return;
    const pieces = this.pieces;
    this.pieces = [];
    this.segments.push({
      kind: 'text',
      text: pieces.map((p) => p.text).join(''),
      where: (offset) => {
        let start = 0;
        for (const p of pieces) {
          if (offset < start + p.text.length) return p.where(offset - start);
          start += p.text.length;
        }
        const last = pieces[pieces.length - 1] as Piece;
        return last.where(last.text.length);
      },
    });
  }
}

/**
 * The JSON path (`base.key[3].other`) of the innermost value or member of `json` (canonical JSON) that
 * holds character `offset`; a key's characters belong to its member.
 */
export function pathAt(json: string, offset: number, base = ''): string {
  let best = base;
  let bestDepth = -1;
  const note = (start: number, end: number, path: string, depth: number) => {
    if (offset >= start && offset < end && depth > bestDepth) {
      best = path;
      bestDepth = depth;
    }
  };
  const stringEnd = (i: number): number => {
    for (let j = i + 1; j < json.length; j++) {
      if (json[j] === '\\') j++;
      else if (json[j] === '"') return j + 1;
    }
    return json.length;
  };
  const value = (i: number, path: string, depth: number): number => {
    const start = i;
    const c = json[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      let index = 0;
      while (i < json.length && json[i] !== close) {
        let child: string;
        const memberStart = i;
        if (c === '{') {
          const keyEnd = stringEnd(i);
          let key: string;
          try {
            key = JSON.parse(json.slice(i, keyEnd)) as string;
          } catch {
            return json.length;
          }
          child = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
          i = keyEnd + 1;
        } else child = `${path}[${index}]`;
        const end = value(i, child, depth + 1);
        note(memberStart, end, child, depth + 1);
        i = end;
        index++;
        if (json[i] === ',') i++;
      }
      i++;
    } else if (c === '"') i = stringEnd(i);
    else {
      while (i < json.length && !',]}'.includes(json[i] as string)) i++;
    }
    note(start, i, path, depth);
    return i;
  };
  value(0, base, 0);
  return best || '(the whole report)';
}
