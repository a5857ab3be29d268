// RFC 9162 (Certificate Transparency 2.0) Merkle tree over journal lines: the checkpoint commits to the
// root, and inclusion/consistency proofs let an auditor check one record, or that a later journal only
// appended to an earlier one, without trusting the machine that wrote it. Hashing is SHA-256 with the
// RFC's domain separation (0x00 for leaves, 0x01 for interior nodes) so a leaf can never pass as a node.
//
// Tree sizes and indexes are numbers (journals are far below 2^53 lines); the verifiers do their bit
// arithmetic on bigints because JavaScript's bitwise operators truncate to 32 bits.
import { createHash, hash } from 'node:crypto';

export const HASH_BYTES = 32;

/** A leaf's data: a journal line (UTF-8) or raw bytes. */
export type MerkleLeaf = string | Uint8Array;

/** MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1). */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}

let hashCount = 0;

/** Leaf and node hashes computed by this module so far: lets a test see how Merkle work grows with a journal. */
export function merkleHashCount(): number {
  return hashCount;
}

export function leafHash(data: MerkleLeaf): Buffer {
  hashCount++;
  return prefixedHash(0x00, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  hashCount++;
  return prefixedHash(0x01, left, right);
}

// SHA-256 of one prefix byte and the data, in one call over bytes laid out in a reused buffer: a Hash
// object per leaf, or a new buffer to hold the concatenation, costs more than hashing a journal line.
const SCRATCH_LIMIT = 64 * 1024;
let scratch = Buffer.allocUnsafe(4096);

function prefixedHash(prefix: number, a: Uint8Array, b?: Uint8Array): Buffer {
  const length = 1 + a.length + (b?.length ?? 0);
  if (length > SCRATCH_LIMIT) return hash('sha256', Buffer.concat(b ? [Uint8Array.of(prefix), a, b] : [Uint8Array.of(prefix), a]), 'buffer');
  if (length > scratch.length) scratch = Buffer.allocUnsafe(SCRATCH_LIMIT);
  scratch[0] = prefix;
  scratch.set(a, 1);
  if (b) scratch.set(b, 1 + a.length);
  return hash('sha256', scratch.subarray(0, length), 'buffer');
}

/**
 * The root of a growing tree, kept as the roots of its perfect subtrees (one per set bit of the size,
 * largest first), so appending costs O(log n) and the journal writer never rehashes old records.
 */
export class MerkleAccumulator {
  private readonly peaks: { height: number; hash: Buffer }[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  append(data: MerkleLeaf): void {
    this.appendLeafHash(leafHash(data));
  }

  appendLeafHash(hash: Uint8Array): void {
    if (hash.length !== HASH_BYTES) throw new RangeError(`leaf hash must be ${HASH_BYTES} bytes, not ${hash.length}`);
    let peak: { height: number; hash: Buffer } = { height: 0, hash: Buffer.from(hash) };
    // Two perfect subtrees of equal height merge into one, exactly as a binary counter carries.
    for (let top = this.peaks.at(-1); top && top.height === peak.height; top = this.peaks.at(-1)) {
      this.peaks.pop();
      peak = { height: peak.height + 1, hash: nodeHash(top.hash, peak.hash) };
    }
    this.peaks.push(peak);
    this.count += 1;
  }

  /** MTH of the leaves so far: folding the peaks right to left reproduces the RFC's largest-power-of-two split. */
  root(): Buffer {
    const last = this.peaks.at(-1);
    if (!last) return emptyRoot();
    let hash = last.hash;
    for (let i = this.peaks.length - 2; i >= 0; i--) hash = nodeHash((this.peaks[i] as { hash: Buffer }).hash, hash);
    return hash;
  }
}

/** MTH(D[n]) of the given leaves. */
export function rootHash(leaves: readonly MerkleLeaf[]): Buffer {
  return rootOfHashes(leaves.map(leafHash), 0, leaves.length);
}

function rootOfHashes(hashes: readonly Buffer[], start: number, end: number): Buffer {
  const acc = new MerkleAccumulator();
  for (let i = start; i < end; i++) acc.appendLeafHash(hashes[i] as Buffer);
  return acc.root();
}

/** The largest power of two strictly less than n (n > 1): where RFC 9162 splits a tree of n leaves. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH of leaves [start, end): how the proof builders get a subtree's hash, from a list or a MerkleTree. */
type RangeHash = (start: number, end: number) => Buffer;

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path for leaf `index`, bottom up. */
export function inclusionProof(index: number, leaves: readonly MerkleLeaf[]): Buffer[] {
  checkCount(index, 'index');
  if (index >= leaves.length) throw new RangeError(`index ${index} is outside a tree of ${leaves.length} leaves`);
  const hashes = leaves.map(leafHash);
  return path(index, (s, e) => rootOfHashes(hashes, s, e), 0, leaves.length, []);
}

/** Collects the path top down into `out` (reversed at the end), so no level copies the levels below it. */
function path(m: number, range: RangeHash, start: number, end: number, out: Buffer[]): Buffer[] {
  const n = end - start;
  if (n <= 1) return out.reverse();
  const k = split(n);
  if (m < k) {
    out.push(range(start + k, end));
    return path(m, range, start, start + k, out);
  }
  out.push(range(start, start + k));
  return path(m - k, range, start + k, end, out);
}

/** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: shows the first m leaves' tree is a prefix of the n leaves' tree. */
export function consistencyProof(m: number, n: number, leaves: readonly MerkleLeaf[]): Buffer[] {
  checkCount(m, 'm');
  checkCount(n, 'n');
  if (n > leaves.length) throw new RangeError(`n = ${n} but only ${leaves.length} leaves were given`);
  if (m < 1 || m > n) throw new RangeError(`a consistency proof needs 0 < m <= n (m = ${m}, n = ${n})`);
  const hashes = leaves.slice(0, n).map(leafHash);
  return subproof(m, (s, e) => rootOfHashes(hashes, s, e), 0, n, true, []);
}

function subproof(m: number, range: RangeHash, start: number, end: number, isOriginalTree: boolean, out: Buffer[]): Buffer[] {
  const n = end - start;
  if (m === n) {
    if (!isOriginalTree) out.push(range(start, end));
    return out.reverse();
  }
  const k = split(n);
  if (m <= k) {
    out.push(range(start + k, end));
    return subproof(m, range, start, start + k, isOriginalTree, out);
  }
  out.push(range(start, start + k));
  return subproof(m - k, range, start + k, end, false, out);
}

/**
 * A tree that keeps every complete subtree's hash (about two hashes per leaf), so the root of any earlier
 * size and inclusion and consistency proofs cost O(log² n) hashes instead of rehashing every leaf. For a
 * writer that seals periodically: sealing with the list functions above costs O(n) each time, O(n²) in all.
 */
export class MerkleTree {
  /** levels[h][j]: the hash of the perfect subtree over leaves [j·2^h, (j+1)·2^h). */
  private readonly levels: Buffer[][] = [[]];

  get size(): number {
    return (this.levels[0] as Buffer[]).length;
  }

  append(data: MerkleLeaf): void {
    this.appendLeafHash(leafHash(data));
  }

  appendLeafHash(hash: Uint8Array): void {
    if (hash.length !== HASH_BYTES) throw new RangeError(`leaf hash must be ${HASH_BYTES} bytes, not ${hash.length}`);
    let node: Buffer = Buffer.from(hash);
    for (let h = 0; ; h++) {
      const level = (this.levels[h] ??= []);
      level.push(node);
      if (level.length % 2 === 1) return;
      node = nodeHash(level[level.length - 2] as Buffer, node);
    }
  }

  /** MTH of the first `size` leaves (default: all). */
  root(size: number = this.size): Buffer {
    this.checkSize(size, 'size');
    return size === 0 ? emptyRoot() : this.range(0, size);
  }

  /** PATH(index, D[size]). */
  inclusionProof(index: number, size: number = this.size): Buffer[] {
    checkCount(index, 'index');
    this.checkSize(size, 'size');
    if (index >= size) throw new RangeError(`index ${index} is outside a tree of ${size} leaves`);
    return path(index, (s, e) => this.range(s, e), 0, size, []);
  }

  /** PROOF(m, D[n]). */
  consistencyProof(m: number, n: number = this.size): Buffer[] {
    checkCount(m, 'm');
    this.checkSize(n, 'n');
    if (m < 1 || m > n) throw new RangeError(`a consistency proof needs 0 < m <= n (m = ${m}, n = ${n})`);
    return subproof(m, (s, e) => this.range(s, e), 0, n, true, []);
  }

  private checkSize(size: number, name: string): void {
    checkCount(size, name);
    if (size > this.size) throw new RangeError(`${name} = ${size} but the tree holds ${this.size} leaves`);
  }

  /** MTH(D[start:end]) for 0 <= start < end <= size: a stored node when the range is one, else split as RFC 9162 does. */
  private range(start: number, end: number): Buffer {
    const n = end - start;
    const height = Math.log2(n);
    if (Number.isInteger(height) && start % n === 0) {
      const node = this.levels[height]?.[start / n];
      if (node) return node;
    }
    const k = split(n);
    return nodeHash(this.range(start, start + k), this.range(start + k, end));
  }
}

function checkCount(value: number, name: string): void {
  if (!isCount(value)) throw new RangeError(`${name} must be a non-negative integer, not ${value}`);
}

/** Whether every proof element could be a SHA-256 node; anything else cannot be part of a valid proof. */
function wellFormed(proof: readonly Uint8Array[]): boolean {
  return proof.every((p) => p.length === HASH_BYTES);
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** RFC 9162 §2.1.3.2, step by step. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isCount(index) || !isCount(size) || leaf.length !== HASH_BYTES || !wellFormed(proof)) return false;
  // 1. leaf_index must be below tree_size.
  if (index >= size) return false;
  // 2. fn = leaf_index, sn = tree_size - 1.
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  // 3. r = hash.
  let r: Buffer = Buffer.from(leaf);
  // 4. For each p in inclusion_path:
  for (const p of proof) {
    // a. sn of 0 means the path is longer than the tree is tall.
    if (sn === 0n) return false;
    // b. fn is a right child, or the last node of its level (a left child with no right sibling).
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      // Climb past the levels where this node has no sibling (a no-op when fn is odd).
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    // c.
    fn >>= 1n;
    sn >>= 1n;
  }
  // 5. The path must have reached the top, at the claimed root.
  return sn === 0n && r.equals(root);
}

/**
 * RFC 9162 §2.1.4.2, step by step, for 0 < m < n (the sizes the RFC defines proofs for). Around it:
 * m > n and m = 0 are refused (nothing is consistent with a tree from the future, and every tree
 * "extends" the empty one, so such a proof proves nothing); m = n holds only with an empty proof and
 * equal roots (SUBPROOF(m, D[m], true) = {}), which the RFC's algorithm would reject at step 1.
 */
export function verifyConsistency(m: number, n: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isCount(m) || !isCount(n) || !wellFormed(proof)) return false;
  if (m > n || m === 0) return false;
  if (m === n) return proof.length === 0 && Buffer.from(oldRoot).equals(newRoot);
  // 1. An empty path proves nothing.
  if (proof.length === 0) return false;
  // 2. When m is a power of two the old root is itself a node of the new tree, so the path omits it.
  const path = isPowerOfTwo(m) ? [oldRoot, ...proof] : [...proof];
  // 3.
  let fn = BigInt(m) - 1n;
  let sn = BigInt(n) - 1n;
  // 4. Skip the levels where the old tree's last node is a right child: those are inside path[0].
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  // 5.
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr: Buffer = fr;
  // 6.
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  // 7.
  return fr.equals(oldRoot) && sr.equals(newRoot) && sn === 0n;
}

function isPowerOfTwo(x: number): boolean {
  const b = BigInt(x);
  return b > 0n && (b & (b - 1n)) === 0n;
}
