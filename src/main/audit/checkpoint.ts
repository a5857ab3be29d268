// The C2SP tlog-checkpoint text (https://c2sp.org/tlog-checkpoint): origin, tree size and Merkle root,
// one per line, then optional extension lines. It is the exact byte string the seal signs, so parsing is
// strict: any text that two readers could understand differently (leading zeros, loose base64, CR, an
// empty line) is refused rather than normalised, and format(parse(text)) === text for everything accepted.
import { HASH_BYTES } from './merkle.js';

export interface Checkpoint {
  /** Names the log: for the journal, the installation and run. */
  origin: string;
  /** Number of leaves (journal lines) the root covers. */
  size: number;
  /** RFC 9162 Merkle tree hash, SHA-256. */
  rootHash: Buffer;
  /** Opaque extra lines; the spec discourages them, so the journal writes none, but a reader must keep them. */
  extensions: string[];
}

export type CheckpointErrorCode = 'framing' | 'origin' | 'size' | 'root' | 'extension';

export class CheckpointFormatError extends Error {
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointFormatError';
  }
}

const SIZE = /^(0|[1-9][0-9]*)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// The signed-note spec allows no ASCII control characters in the text other than the newline separator.
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F]/;

export function formatCheckpoint(checkpoint: Checkpoint): string {
  checkOrigin(checkpoint.origin);
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) {
    throw new CheckpointFormatError('size', `tree size must be a non-negative integer, not ${checkpoint.size}`);
  }
  if (checkpoint.rootHash.length !== HASH_BYTES) {
    throw new CheckpointFormatError('root', `root hash must be ${HASH_BYTES} bytes, not ${checkpoint.rootHash.length}`);
  }
  checkpoint.extensions.forEach((line, i) => checkExtension(line, i));
  const lines = [checkpoint.origin, String(checkpoint.size), checkpoint.rootHash.toString('base64'), ...checkpoint.extensions];
  return `${lines.join('\n')}\n`;
}

// ignoreBOM keeps a byte-order mark as part of the origin instead of dropping it from the signed bytes unseen.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses checkpoint text; given bytes, they must be valid UTF-8 (the signed-note spec requires it). */
export function parseCheckpoint(input: string | Uint8Array): Checkpoint {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = strictUtf8.decode(input);
    } catch {
      throw new CheckpointFormatError('framing', 'checkpoint is not valid UTF-8');
    }
  }
  if (!text.endsWith('\n')) throw new CheckpointFormatError('framing', 'checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointFormatError('framing', `checkpoint needs origin, size and root lines; found ${lines.length} line(s)`);
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];

  checkOrigin(origin);
  if (!SIZE.test(size)) {
    throw new CheckpointFormatError('size', `line 2: tree size must be decimal digits without leading zeros, not ${JSON.stringify(size)}`);
  }
  const count = Number(size);
  if (!Number.isSafeInteger(count)) throw new CheckpointFormatError('size', `line 2: tree size ${size} is larger than this verifier supports (2^53 - 1)`);

  // Buffer's base64 decoder skips junk, so demand the one canonical encoding of the bytes it yields.
  const rootHash = Buffer.from(root, 'base64');
  if (!BASE64.test(root) || rootHash.toString('base64') !== root) {
    throw new CheckpointFormatError('root', `line 3: root hash is not canonical standard base64: ${JSON.stringify(root)}`);
  }
  if (rootHash.length !== HASH_BYTES) throw new CheckpointFormatError('root', `line 3: root hash is ${rootHash.length} bytes, a SHA-256 root is ${HASH_BYTES}`);

  extensions.forEach((line, i) => checkExtension(line, i));
  return { origin, size: count, rootHash, extensions };
}

function checkOrigin(origin: string): void {
  if (origin === '') throw new CheckpointFormatError('origin', 'line 1: origin must not be empty');
  if (origin.includes('\n') || CONTROL.test(origin)) throw new CheckpointFormatError('origin', 'line 1: origin contains a control character');
}

function checkExtension(line: string, index: number): void {
  const where = `line ${index + 4}`;
  // An empty line would end the note text in the signed-note format, splitting body from signatures.
  if (line === '') throw new CheckpointFormatError('extension', `${where}: extension lines must not be empty`);
  if (line.includes('\n') || CONTROL.test(line)) throw new CheckpointFormatError('extension', `${where}: extension line contains a control character`);
}
