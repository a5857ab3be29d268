// The RFC 9162 Merkle tree: roots of the reference tree used across CT implementations, the
// transparency-dev/merkle proof vectors (a correct verifier accepts exactly the valid ones), and
// properties: honest proofs verify, and no mutation of one does.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MerkleAccumulator,
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from '../../src/main/audit/merkle.js';
import { sharedDir } from '../support/shared.js';

const hex = (h: string) => Buffer.from(h, 'hex');

// The 8-leaf tree of the CT test suites (RFC 6962 reference code, transparency-dev/merkle) and its roots.
const REFERENCE_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const REFERENCE_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('Merkle tree hashes', () => {
  it('separates leaves from nodes and hashes the empty tree as SHA-256("")', () => {
    expect(emptyRoot().toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(rootHash([])).toEqual(emptyRoot());
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe(REFERENCE_ROOTS[0]);
    const [a, b] = [leafHash('a'), leafHash('b')];
    expect(nodeHash(a, b)).not.toEqual(leafHash(Buffer.concat([a, b])));
  });

  it('gives the reference roots for every prefix of the reference tree', () => {
    REFERENCE_ROOTS.forEach((root, i) => expect(rootHash(REFERENCE_LEAVES.slice(0, i + 1)).toString('hex'), `size ${i + 1}`).toBe(root));
  });

  it('hashes string leaves as their UTF-8 bytes', () => {
    expect(leafHash('é')).toEqual(leafHash(Buffer.from('c3a9', 'hex')));
  });

  it('the accumulator matches the whole-tree root after every append', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 70 }), (leaves) => {
        const acc = new MerkleAccumulator();
        expect(acc.root()).toEqual(emptyRoot());
        leaves.forEach((leaf, i) => {
          acc.append(leaf);
          expect(acc.size).toBe(i + 1);
          expect(acc.root()).toEqual(rootHash(leaves.slice(0, i + 1)));
        });
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a leaf hash of the wrong length', () => {
    expect(() => new MerkleAccumulator().appendLeafHash(Buffer.alloc(31))).toThrow(RangeError);
  });
});

// Leaves made distinct by their index: with repeated leaves, a proof for one position can honestly be a
// proof for another, so index mutations would not have to fail.
const distinctLeaves = (min: number) =>
  fc.array(fc.uint8Array({ maxLength: 6 }), { minLength: min, maxLength: 40 }).map((ls) => ls.map((l, i) => Buffer.concat([Buffer.from(`${i}:`), l])));

/** A copy of `bytes` with the bits of `mask` flipped in byte `at`. */
function flipped(bytes: Uint8Array, at: number, mask: number): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt8((copy.readUInt8(at) ^ mask) & 0xff, at);
  return copy;
}

function flipBit(proof: Buffer[], which: number, bit: number): Buffer[] {
  return proof.map((p, i) => (i === which % proof.length ? flipped(p, Math.floor(bit / 8) % p.length, 1 << bit % 8) : p));
}

describe('inclusion proofs', () => {
  it('every leaf of every size of the reference tree proves and verifies', () => {
    for (let size = 1; size <= 8; size++) {
      const leaves = REFERENCE_LEAVES.slice(0, size);
      for (let i = 0; i < size; i++) {
        expect(verifyInclusion(leafHash(leaves[i] as Buffer), i, size, inclusionProof(i, leaves), rootHash(leaves)), `${i}/${size}`).toBe(true);
      }
    }
  });

  // Not mutated here: the tree size. A proof for leaf 0 of 3 also checks out as leaf 0 of 4 under the same
  // root; RFC 9162 binds the size through the signed checkpoint, not the proof. The vectors cover sizes.
  it('honest proofs verify; flipped bits, dropped or added hashes, and other positions do not', () => {
    fc.assert(
      fc.property(distinctLeaves(1), fc.nat(), fc.nat(), fc.nat(255), (leaves, pick, which, bit) => {
        const index = pick % leaves.length;
        const size = leaves.length;
        const proof = inclusionProof(index, leaves);
        const root = rootHash(leaves);
        const leaf = leafHash(leaves[index] as Buffer);
        expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
        if (proof.length > 0) {
          expect(verifyInclusion(leaf, index, size, flipBit(proof, which, bit), root)).toBe(false);
          expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
        }
        expect(verifyInclusion(leaf, index, size, [...proof, root], root)).toBe(false);
        if (size > 1) expect(verifyInclusion(leaf, (index + 1 + (which % (size - 1))) % size, size, proof, root)).toBe(false);
        expect(verifyInclusion(leafHash('not in the tree'), index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, flipped(root, bit % 32, 1))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('rejects indexes beyond the tree and non-integral sizes', () => {
    const leaves = REFERENCE_LEAVES.slice(0, 4);
    const proof = inclusionProof(3, leaves);
    expect(verifyInclusion(leafHash(leaves[3] as Buffer), 4, 4, proof, rootHash(leaves))).toBe(false);
    expect(verifyInclusion(leafHash(leaves[3] as Buffer), 3, 4.5, proof, rootHash(leaves))).toBe(false);
    expect(() => inclusionProof(4, leaves)).toThrow(RangeError);
  });
});

describe('consistency proofs', () => {
  it('honest proofs verify; flipped bits, dropped or added hashes and other roots do not', () => {
    fc.assert(
      fc.property(distinctLeaves(1), fc.nat(), fc.nat(), fc.nat(255), (leaves, pick, which, bit) => {
        const n = leaves.length;
        const m = 1 + (pick % n);
        const proof = consistencyProof(m, n, leaves);
        const oldRoot = rootHash(leaves.slice(0, m));
        const newRoot = rootHash(leaves);
        expect(verifyConsistency(m, n, oldRoot, newRoot, proof)).toBe(true);
        if (proof.length > 0) {
          expect(verifyConsistency(m, n, oldRoot, newRoot, flipBit(proof, which, bit))).toBe(false);
          expect(verifyConsistency(m, n, oldRoot, newRoot, proof.slice(1))).toBe(false);
          expect(verifyConsistency(m, n, oldRoot, newRoot, proof.slice(0, -1))).toBe(false);
        }
        expect(verifyConsistency(m, n, oldRoot, newRoot, [...proof, newRoot])).toBe(false);
        expect(verifyConsistency(m, n, flipped(oldRoot, bit % 32, 1), newRoot, proof)).toBe(false);
        expect(verifyConsistency(m, n, oldRoot, flipped(newRoot, bit % 32, 1), proof)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('a rewritten history is not consistent with the old root', () => {
    const leaves = REFERENCE_LEAVES;
    const rewritten = [...leaves.slice(0, 2), Buffer.from('forged'), ...leaves.slice(3)];
    const oldRoot = rootHash(leaves.slice(0, 5));
    expect(verifyConsistency(5, 8, oldRoot, rootHash(rewritten), consistencyProof(5, 8, rewritten))).toBe(false);
  });

  it('refuses to prove from the empty tree or backwards', () => {
    expect(() => consistencyProof(0, 3, REFERENCE_LEAVES)).toThrow(RangeError);
    expect(() => consistencyProof(4, 3, REFERENCE_LEAVES)).toThrow(RangeError);
    expect(() => consistencyProof(3, 9, REFERENCE_LEAVES)).toThrow(RangeError);
  });
});

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return jsonFiles(full);
      return name.endsWith('.json') ? [full] : [];
    });
}

const b64 = (s: string) => Buffer.from(s, 'base64');
const vectorDir = sharedDir('vectors/merkle');

describe.skipIf(vectorDir === null)('transparency-dev/merkle proof vectors (../shared/vectors/merkle)', () => {
  // The body is collected even when skipped: read nothing where the vectors are absent.
  const dir = vectorDir as string;
  const load = <T>(sub: string) => (vectorDir === null ? [] : jsonFiles(path.join(dir, sub))).map((file) => ({ name: path.relative(dir, file), v: JSON.parse(readFileSync(file, 'utf8')) as T }));
  const inclusion = load<InclusionVector>('inclusion');
  const consistency = load<ConsistencyVector>('consistency');

  it('holds both valid and invalid vectors of each kind', () => {
    expect(inclusion.filter(({ v }) => !v.wantErr).length).toBeGreaterThan(0);
    expect(inclusion.filter(({ v }) => v.wantErr).length).toBeGreaterThan(0);
    expect(consistency.filter(({ v }) => !v.wantErr).length).toBeGreaterThan(0);
    expect(consistency.filter(({ v }) => v.wantErr).length).toBeGreaterThan(0);
  });

  it.each(inclusion)('inclusion $name', ({ v }) => {
    expect(verifyInclusion(b64(v.leafHash), v.leafIdx, v.treeSize, (v.proof ?? []).map(b64), b64(v.root))).toBe(!v.wantErr);
  });

  it.each(consistency)('consistency $name', ({ v }) => {
    expect(verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64))).toBe(!v.wantErr);
  });

  it('our prover reproduces the happy-path proofs over the reference tree', () => {
    const happy = <T extends { desc: string }>(all: { v: T }[]) => all.map(({ v }) => v).filter((v) => v.desc === 'happy path');
    const inc = happy(inclusion).filter((v) => v.treeSize <= REFERENCE_LEAVES.length && v.root === rootHash(REFERENCE_LEAVES.slice(0, v.treeSize)).toString('base64'));
    const con = happy(consistency).filter((v) => v.size2 <= REFERENCE_LEAVES.length && v.root2 === rootHash(REFERENCE_LEAVES.slice(0, v.size2)).toString('base64'));
    expect(inc.length + con.length).toBeGreaterThan(0);
    for (const v of inc) expect(inclusionProof(v.leafIdx, REFERENCE_LEAVES.slice(0, v.treeSize)).map((p) => p.toString('base64'))).toEqual(v.proof ?? []);
    for (const v of con) expect(consistencyProof(v.size1, v.size2, REFERENCE_LEAVES).map((p) => p.toString('base64'))).toEqual(v.proof ?? []);
  });
});
