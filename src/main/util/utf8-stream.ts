// Text of a byte stream that arrives in chunks, as UTF-8 decodes it: a character cut between two chunks is
// decoded whole with the next one, and invalid bytes become U+FFFD (as TextDecoder and StringDecoder do).
// Only for showing output: what is recorded is the bytes themselves.
//
// Not node's StringDecoder, which decodes the same way: it does not say (in its documented API) whether it
// holds part of a character, and `idle` is what lets an all-ASCII chunk be its own text without decoding it
// (output-chunk.ts, the CLI's step-output.ts).
import { isAscii } from 'node:buffer';

/** How many bytes a UTF-8 sequence starting with `lead` has (1 for a byte that starts none). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  return 1;
}

/** Where an incomplete UTF-8 sequence at the end of `bytes` starts (bytes.length when there is none). */
export function incompleteTail(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let back = 1; back <= 3 && back <= end; back++) {
    const b = bytes[end - back] as number;
    if (b >= 0x80 && b <= 0xbf) continue; // a continuation byte: look further back for its lead
    return sequenceLength(b) > back ? end - back : end;
  }
  return end;
}

export class Utf8Stream {
  private held: Buffer | null = null;

  /** Whether no partial character is held back: then an all-ASCII chunk is its own text. */
  get idle(): boolean {
    return this.held === null;
  }

  /** True when `bytes` decode to the same text one byte per character (latin1 = UTF-8 here). */
  static isPlain(bytes: Uint8Array): boolean {
    return isAscii(bytes);
  }

  /** The text of the next chunk; an incomplete character at its end waits for the next chunk. */
  write(bytes: Uint8Array): string {
    let data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.held) {
      data = Buffer.concat([this.held, data]);
      this.held = null;
    }
    const cut = incompleteTail(data);
    if (cut < data.length) {
      this.held = Buffer.from(data.subarray(cut));
      data = data.subarray(0, cut);
    }
    return data.toString('utf8');
  }

  /** What is held back at the end of the stream (an incomplete character shows as U+FFFD). */
  end(): string {
    const rest = this.held;
    this.held = null;
    return rest ? rest.toString('utf8') : '';
  }
}
