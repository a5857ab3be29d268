// HMAC chain with an evolving key: record i is MACed with K_i, then K_{i+1} = SHA-256("runbook-mac-evolve\0" ‖ K_i)
// replaces K_i in the current-key file. This is NOT forward-secure as deployed: K_0, from which every K_i
// follows, is kept on the same machine (key-store.ts: <key dir>/mac/<run>.verification, or the OS secret
// store) until the export releases it as mac-key.txt, so whoever takes the machine, or holds a bundle, can
// recompute every MAC. What the chain gives: a record changed by someone who never had K_0 fails its MAC.
// What makes a rewrite by someone who has it detectable is the signed checkpoints, checked against trust
// anchors (verify-anchors.ts) and a checkpoint held elsewhere (--prior). A verifier derives every K_i from K_0.
import { createHash, createHmac, hash } from 'node:crypto';

const EVOLVE_PREFIX = Buffer.from('runbook-mac-evolve\0', 'utf8');

export function evolveKey(key: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([EVOLVE_PREFIX, key]), 'buffer');
}

/** HMAC-SHA256 (hex) of the unsigned line, given as text or as the byte runs it is made of (a verifier cuts `mac` out of the line). */
export function recordMac(key: Buffer, unsignedLine: string | readonly Uint8Array[]): string {
  const hmac = createHmac('sha256', key);
  if (typeof unsignedLine === 'string') hmac.update(unsignedLine, 'utf8');
  else for (const part of unsignedLine) hmac.update(part);
  return hmac.digest('hex');
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

  /** The MAC record `index` must carry (of its unsigned line, as text or byte runs); indexes are visited in order. */
  expected(index: number, unsignedLine: string | readonly Uint8Array[]): string {
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
