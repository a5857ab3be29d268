// The SSH wire encoding (RFC 4251 §5) that SSHSIG blobs, public keys and signatures are built from.
// Reading is strict: a length running past the end, or bytes left over where a structure should end,
// is an error, because a signature format that tolerates slack can be given two meanings.

export class SshWireError extends Error {}

export class SshReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  bytes(n: number, what: string): Buffer {
    if (n > this.remaining) throw new SshWireError(`truncated ${what}: needs ${n} bytes, ${this.remaining} left`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  byte(what: string): number {
    return this.bytes(1, what)[0] as number;
  }

  uint32(what: string): number {
    return this.bytes(4, what).readUInt32BE(0);
  }

  string(what: string): Buffer {
    return this.bytes(this.uint32(`length of ${what}`), what);
  }

  /** A string that must be printable text (names, namespaces, algorithms): no NUL, valid UTF-8. */
  text(what: string): string {
    const raw = this.string(what);
    const text = raw.toString('utf8');
    if (raw.includes(0) || !Buffer.from(text, 'utf8').equals(raw)) throw new SshWireError(`${what} is not valid text`);
    return text;
  }

  end(what: string): void {
    if (this.remaining !== 0) throw new SshWireError(`${this.remaining} unexpected bytes after ${what}`);
  }
}

export function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function sshString(data: Uint8Array | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  return Buffer.concat([uint32(bytes.length), bytes]);
}

/** An mpint (RFC 4251 §5) holding a non-negative big-endian integer. */
export function mpint(unsigned: Uint8Array): Buffer {
  let start = 0;
  while (start < unsigned.length && unsigned[start] === 0) start++;
  const trimmed = Buffer.from(unsigned.subarray(start));
  // A set top bit would read as negative, so such values get a leading zero byte.
  return sshString(trimmed.length > 0 && (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.of(0), trimmed]) : trimmed);
}

/** The magnitude of a non-negative mpint, left-padded to `width` bytes. */
export function mpintToFixed(value: Buffer, width: number, what: string): Buffer {
  if (value.length > 0 && (value[0] as number) & 0x80) throw new SshWireError(`${what} is negative`);
  let start = 0;
  while (start < value.length && value[start] === 0) start++;
  const magnitude = value.subarray(start);
  if (magnitude.length > width) throw new SshWireError(`${what} is longer than ${width} bytes`);
  return Buffer.concat([Buffer.alloc(width - magnitude.length), magnitude]);
}
