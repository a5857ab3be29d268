// Forward-secure HMAC chain: record i is MACed with K_i, then K_{i+1} = SHA-256("runbook-mac-evolve\0" ‖ K_i)
// replaces it and K_i is erased. Whoever takes the machine at record n holds K_n and cannot recompute the
// MACs of records before n; a verifier holding K_0 (the verification key) derives every K_i.
import { createHash, createHmac } from 'node:crypto';

const EVOLVE_PREFIX = Buffer.from('runbook-mac-evolve\0', 'utf8');

export function evolveKey(key: Uint8Array): Buffer {
  return createHash('sha256').update(EVOLVE_PREFIX).update(key).digest();
}

export function recordMac(key: Buffer, unsignedLine: string): string {
  return createHmac('sha256', key).update(unsignedLine, 'utf8').digest('hex');
}

/** SHA-256 of the verification key, recorded at run start so a key presented later can be checked. */
export function keyCommitment(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Walks the chain from K_0 for a verifier. */
export class MacVerifier {
  private key: Buffer;
  private index = 0;

  constructor(verificationKey: Buffer) {
    this.key = Buffer.from(verificationKey);
  }

  /** The MAC record `index` must carry; indexes are visited in order. */
  expected(index: number, unsignedLine: string): string {
    if (index < this.index) throw new Error(`MAC chain already past record ${index}`);
    while (this.index < index) this.step();
    const mac = recordMac(this.key, unsignedLine);
    this.step();
    return mac;
  }

  private step(): void {
    const next = evolveKey(this.key);
    this.key.fill(0);
    this.key = next;
    this.index++;
  }
}
