// Verification is one streaming pass (issue 11): the journal is read once, a line at a time, and the
// Merkle work is O(n + checkpoints · log n) however often the run was sealed. The counts come from the
// verifier itself (VerifyStats), never from a clock. Around that: the one-pass verifier reports what the
// check-by-check verifier reported when a journal has several faults, and its fast paths (one-shot HMAC
// and key evolution, the canonical-JSON shortcut, the stored-subtree Merkle tree) agree with the originals.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLargeRun, type LargeRun, type LargeRunLib } from '../../bench/support/large-run.mjs';
import { APPROVAL_NAMESPACE } from '../../src/main/audit/approval.js';
import { canonicalize, parseCanonicalLine } from '../../src/main/audit/canonical.js';
import { formatCheckpoint } from '../../src/main/audit/checkpoint.js';
import { loadInstallation } from '../../src/main/audit/installation.js';
import { JournalWriter } from '../../src/main/audit/journal-writer.js';
import { evolveKey, recordMac } from '../../src/main/audit/mac-chain.js';
import { MerkleTree, consistencyProof, inclusionProof, rootHash } from '../../src/main/audit/merkle.js';
import { GENESIS_PREV, JOURNAL_FILE, type JournalRecord, sha256Hex } from '../../src/main/audit/record.js';
import { CHECKPOINT_NAMESPACE, checkpointOrigin } from '../../src/main/audit/seal.js';
import { signSshsig } from '../../src/main/audit/sshsig.js';
import { type VerifyStats, verifyRun } from '../../src/main/audit/verify.js';
import type { RecordData } from '../../src/main/audit/records/index.js';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import { runStartedData, stepFinishedData, stepStartedData } from './record-fixtures.js';

const LIB: LargeRunLib = { JournalWriter, MerkleTree, formatCheckpoint, checkpointOrigin, CHECKPOINT_NAMESPACE, signSshsig, loadInstallation };

let root: string;
const newStats = (): VerifyStats => ({ journalOpens: 0, journalBytesRead: 0, lines: 0, merkleHashes: 0, maxPendingBytes: 0 });

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'verify-linear-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function largeRun(name: string, records: number, sealEvery: number, recordBytes = 600): Promise<LargeRun> {
  return writeLargeRun(LIB, path.join(root, name), { records, sealEvery, recordBytes, keyDir: path.join(root, 'keys'), macKeyFile: true });
}

describe('verification work grows linearly with the journal', () => {
  it('reads the journal once, a line at a time, and hashes O(n + checkpoints · log n) Merkle nodes', async () => {
    // Sealed every 16 records: rooting every checkpoint from scratch would cost about n²/16 hashes (250,000 at 4000).
    const runs = [await largeRun('n', 1000, 16), await largeRun('4n', 4000, 16)];
    const stats = [];
    for (const run of runs) {
      const s = newStats();
      const result = await verifyRun(run.dir, { stats: s });
      expect(result).toMatchObject({ ok: true, records: run.records, macChecked: true, sealedSize: run.records - 1 });
      const journal = path.join(run.dir, JOURNAL_FILE);
      const longestLine = Math.max(...readFileSync(journal, 'utf8').split('\n').map((l) => Buffer.byteLength(l)));
      expect(s.journalOpens).toBe(1);
      expect(s.journalBytesRead).toBe(statSync(journal).size);
      expect(s.lines).toBe(run.records);
      // n leaf hashes; appending them merges n − popcount(n) pairs; each checkpoint's root folds at most log2 n peaks.
      expect(s.merkleHashes).toBeGreaterThanOrEqual(run.records);
      expect(s.merkleHashes).toBeLessThanOrEqual(2 * run.records + run.checkpoints * Math.ceil(Math.log2(run.records)));
      // Only an unfinished line is carried from one chunk to the next.
      expect(s.maxPendingBytes).toBeLessThanOrEqual(longestLine);
      stats.push(s);
    }
    const [small, large] = stats as [VerifyStats, VerifyStats];
    expect(large.merkleHashes / small.merkleHashes).toBeLessThan(4.5);
    expect(large.journalBytesRead / small.journalBytesRead).toBeLessThan(4.5);
  });

  it('a line longer than the read chunk is carried whole, once', async () => {
    const run = await largeRun('long-lines', 12, 4, 1_500_000);
    const s = newStats();
    expect(await verifyRun(run.dir, { stats: s })).toMatchObject({ ok: true, records: 12 });
    expect(s.journalBytesRead).toBe(statSync(path.join(run.dir, JOURNAL_FILE)).size);
    expect(s.maxPendingBytes).toBeLessThan(1_600_000);
  });
});

/** The run's lines, edited, written back. */
function editLines(dir: string, edit: (lines: string[]) => void): void {
  const file = path.join(dir, JOURNAL_FILE);
  const lines = readFileSync(file, 'utf8').slice(0, -1).split('\n');
  edit(lines);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Re-chains and re-MACs every record from `from` on, as an insider holding K_0 would. */
function rechain(lines: string[], k0: Buffer, from = 0): void {
  let key: Buffer = Buffer.from(k0);
  for (let i = 0; i < from; i++) key = evolveKey(key);
  for (let i = from; i < lines.length; i++) {
    const { mac: _mac, ...rest } = JSON.parse(lines[i] as string) as JournalRecord;
    const unsigned = { ...rest, prev: i === 0 ? GENESIS_PREV : sha256Hex(lines[i - 1] as string) };
    lines[i] = canonicalize({ ...unsigned, mac: recordMac(key, canonicalize(unsigned)) });
    key = evolveKey(key);
  }
}

const editRecord = (lines: string[], i: number, edit: (r: JournalRecord) => void) => {
  const record = JSON.parse(lines[i] as string) as JournalRecord;
  edit(record);
  lines[i] = canonicalize(record);
};

describe('one pass, the same verdicts as checking one layer at a time', () => {
  let base: LargeRun;
  beforeAll(async () => {
    base = await largeRun('base', 64, 8, 300);
  });
  let copies = 0;
  async function tampered(edit: (lines: string[]) => void, options: Parameters<typeof verifyRun>[1] = {}, stats?: VerifyStats) {
    const dir = path.join(root, `copy-${copies++}`);
    await cp(base.dir, dir, { recursive: true });
    editLines(dir, edit);
    const result = await verifyRun(dir, { ...options, ...(stats ? { stats } : {}) });
    return result.ok ? result : result.failure;
  }

  it('CR LF anywhere comes before a bad line earlier on; a torn tail before a bad line', async () => {
    expect(await tampered((l) => { l[3] = '{not json'; l[50] += '\r'; })).toMatchObject({ code: 'E_CRLF', line: 51 });
    const torn = path.join(root, 'torn');
    await cp(base.dir, torn, { recursive: true });
    editLines(torn, (l) => { l[3] = '{not json'; });
    writeFileSync(path.join(torn, JOURNAL_FILE), Buffer.concat([readFileSync(path.join(torn, JOURNAL_FILE)), Buffer.from('{"seq":64,"ru')]));
    expect(await verifyRun(torn)).toMatchObject({ ok: false, failure: { code: 'E_TORN_TAIL', line: 65 } });
  });

  it('a bad line late in the file comes before a broken chain or MAC early on', async () => {
    expect(await tampered((l) => { editRecord(l, 5, (r) => { r.data = { edited: true }; }); l[60] = (l[60] as string).replace('{"boot_id"', '{ "boot_id"'); })).toMatchObject({ code: 'E_NONCANONICAL', record: 60 });
    // Record 5 edited without the key (its MAC fails), and record 40 edited with the chain repaired after it.
    const result = await tampered((l) => {
      editRecord(l, 5, (r) => { r.data = { edited: true }; });
      rechain(l, base.macKey, 6);
      l[40] = (l[40] as string).replace('"duration_ms":', '"duration_ms":1');
    });
    expect(result).toMatchObject({ code: 'E_RECORD_CHANGED', record: 40 });
  });

  it('a record moved further on is reordered (naming where), one missing is deleted', async () => {
    expect(await tampered((l) => { const [moved] = l.splice(10, 1); l.splice(45, 0, moved as string); })).toMatchObject({ code: 'E_RECORD_REORDERED', record: 10, detail: expect.stringContaining('number 10 comes later, at line 46') });
    expect(await tampered((l) => { l.splice(10, 1); })).toMatchObject({ code: 'E_RECORD_DELETED', record: 10 });
  });

  it('a record repeated far from its original is told from an inserted one by reading that line again', async () => {
    const stats = newStats();
    expect(await tampered((l) => { l.splice(40, 0, l[12] as string); }, {}, stats)).toMatchObject({ code: 'E_RECORD_DUPLICATED', record: 40 });
    expect(stats.journalOpens).toBe(2);
    expect(await tampered((l) => { l.splice(13, 0, l[12] as string); })).toMatchObject({ code: 'E_RECORD_DUPLICATED', record: 13 });
    expect(await tampered((l) => { const fake = [l[12] as string]; editRecord(fake, 0, (r) => { r.data = { other: 1 }; }); l.splice(40, 0, fake[0] as string); })).toMatchObject({ code: 'E_RECORD_INSERTED', record: 12 });
  });

  it('a seal fault comes before a missing blob, a MAC fault before a seal fault, and --prior is checked against the root at its size', async () => {
    const lines = readFileSync(path.join(base.dir, JOURNAL_FILE), 'utf8').slice(0, -1).split('\n');
    const checkpoint = lines.findIndex((l) => (JSON.parse(l) as JournalRecord).type === 'checkpoint');
    const sealAndBlob = path.join(root, 'seal-and-blob');
    await cp(base.dir, sealAndBlob, { recursive: true });
    rmSync(path.join(sealAndBlob, 'blobs'), { recursive: true });
    editLines(sealAndBlob, (l) => {
      editRecord(l, checkpoint, (r) => { r.data.root = Buffer.alloc(32).toString('base64'); });
      rechain(l, base.macKey, checkpoint);
    });
    expect(await verifyRun(sealAndBlob)).toMatchObject({ ok: false, failure: { code: 'E_SEAL_ROOT', record: checkpoint } });
    // The same seal fault without the chain repaired: the chain reports first.
    expect(await tampered((l) => editRecord(l, checkpoint, (r) => { r.data.root = Buffer.alloc(32).toString('base64'); }))).toMatchObject({ code: 'E_RECORD_CHANGED', record: checkpoint });

    const origin = checkpointOrigin(base.installationId, base.runId);
    for (const size of [0, 1, 17, 63, 64]) {
      const prior = `${origin} ${size} ${rootHash(lines.slice(0, size)).toString('base64')}`;
      expect(await tampered(() => undefined, { prior }), `size ${size}`).toMatchObject({ ok: true });
    }
    expect(await tampered(() => undefined, { prior: `${origin} 20 ${rootHash(lines.slice(0, 21)).toString('base64')}` })).toMatchObject({ code: 'E_PRIOR' });
    expect(await tampered(() => undefined, { prior: `${origin} 65 ${rootHash(lines).toString('base64')}` })).toMatchObject({ code: 'E_PRIOR' });
    // A --prior that is not a checkpoint is a usage error, raised only once the journal itself has passed.
    await expect(tampered(() => undefined, { prior: 'not a checkpoint' })).rejects.toThrow(/--prior/);
    expect(await tampered((l) => { l[3] = '{'; }, { prior: 'not a checkpoint' })).toMatchObject({ code: 'E_JSON' });
  });
});

describe('RESTRICTED approvals in one pass', () => {
  /** An approval of block A or B: a signature (granted, whatever it signs), or none (refused, not a signature). */
  type Approval = { block: 'A' | 'B'; signature: string | null; approver: string };
  /** A restricted journal: blocks A and B start (state-changing), then the approvals `middle` gives, then both finish. */
  async function restricted(name: string, middle: (hashes: { a: string; b: string }, sign: (hash: string) => Promise<string>) => Promise<Approval[]>, order: 'A-last' | 'B-last') {
    const approver = await loadInstallation(path.join(root, 'approver', 'id_ed25519'));
    const sign = (hash: string) => signSshsig(Buffer.from(hash, 'utf8'), APPROVAL_NAMESPACE, approver.key.signer);
    const approverKey = approver.key.publicKeyLine.split(' ').slice(0, 2).join(' ');
    const k0 = randomBytes(32);
    const dir = path.join(root, name);
    mkdirSync(dir);
    const envelope = (seq: number, type: string, data: object) => ({ seq, run: 'restricted-run-0001', type, time: '2030-01-01T00:00:00.000Z', mono_ns: String(1000 + seq), boot_id: 'boot', data, prev: '', mac: '' });
    const block = (id: 'A' | 'B', line: number) => stepStartedData({ id: 'steps/s', title: 'S', line: 1 }, { id, line }, `touch ${id}`, sha256Hex(`touch ${id}`), true);
    const lines = [
      canonicalize(envelope(0, 'run.started', runStartedData(dir, createHash('sha256').update(k0).digest('hex'), { profile: 'restricted' }))),
      canonicalize(envelope(1, 'step.started', block('A', 2))),
      canonicalize(envelope(2, 'step.started', block('B', 3))),
    ];
    rechain(lines, k0);
    const hashes = { a: sha256Hex(lines[1] as string), b: sha256Hex(lines[2] as string) };
    const started = (id: 'A' | 'B') => (id === 'A' ? { seq: 1, sha256: hashes.a } : { seq: 2, sha256: hashes.b });
    for (const a of await middle(hashes, sign)) {
      const base = { step: { id: 'steps/s' }, block: { id: a.block }, started: started(a.block), approver: a.approver, namespace: APPROVAL_NAMESPACE, message: started(a.block).sha256, approvers_sha256: '0'.repeat(64) };
      const data: RecordData<'approval'> = a.signature
        ? { ...base, granted: true, principal: a.approver, key: approverKey, fingerprint: fingerprint(parsePublicKeyLine(approverKey).blob), signature: a.signature }
        : { ...base, granted: false, code: 'not-a-signature', reason: 'not an SSH signature', key: null, fingerprint: null, signature: null };
      lines.push(canonicalize(envelope(lines.length, 'approval', data)));
    }
    const finish = (id: 'A' | 'B') => lines.push(canonicalize(envelope(lines.length, 'step.finished', stepFinishedData('steps/s', id, started(id)))));
    if (order === 'A-last') (['B', 'A'] as const).forEach(finish);
    else (['A', 'B'] as const).forEach(finish);
    rechain(lines, k0);
    writeFileSync(path.join(dir, JOURNAL_FILE), `${lines.join('\n')}\n`);
    const result = await verifyRun(dir, { allowUnsealed: true, macKeyHex: k0.toString('hex') });
    return result.ok ? result : result.failure;
  }

  it('reports the earliest block without a valid approval, whichever block finishes first', async () => {
    const approveB = async (h: { b: string }, sign: (hash: string) => Promise<string>): Promise<Approval[]> => [{ block: 'B', signature: await sign(h.b), approver: 'bob' }];
    expect(await restricted('a-unapproved', approveB, 'A-last')).toMatchObject({ code: 'E_APPROVAL', record: 1 });
    expect(await restricted('a-unapproved-2', approveB, 'B-last')).toMatchObject({ code: 'E_APPROVAL', record: 1 });
    // A's approval is signed over B's hash: it names A but does not hold; B's is missing. A still comes first.
    const badA = async (h: { a: string; b: string }, sign: (hash: string) => Promise<string>): Promise<Approval[]> => [{ block: 'A', signature: await sign(h.b), approver: 'bob' }];
    expect(await restricted('a-bad', badA, 'A-last')).toMatchObject({ code: 'E_APPROVAL', record: 3, detail: expect.stringContaining('approval of record 1') });
    const both = async (h: { a: string; b: string }, sign: (hash: string) => Promise<string>): Promise<Approval[]> => [
      { block: 'A', signature: null, approver: 'carol' },
      { block: 'A', signature: await sign(h.a), approver: 'bob' },
      { block: 'B', signature: await sign(h.b), approver: 'bob' },
    ];
    expect(await restricted('both', both, 'A-last')).toMatchObject({ ok: true, records: 8 });
  });
});

describe('fast paths agree with the reference implementations', () => {
  it('the MAC over byte runs cut from a line equals the MAC over the line, and key evolution is SHA-256 of prefix and key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 3 }), (key, parts) => {
        const k = Buffer.from(key);
        const message = Buffer.concat(parts);
        expect(recordMac(k, parts)).toBe(createHmac('sha256', k).update(message).digest('hex'));
        expect(evolveKey(k)).toEqual(createHash('sha256').update('runbook-mac-evolve\0').update(k).digest());
      }),
    );
  });

  it('the canonical-JSON shortcut accepts and refuses exactly what re-serialising does', () => {
    const reference = (text: string) => {
      try {
        return canonicalize(JSON.parse(text)) === text;
      } catch {
        return false;
      }
    };
    const tricky = [
      '{"10":1,"2":2}', '{"2":2,"10":1}', '{"a":"\\ud800"}', '{"a":"\\\\ud800"}', '{"a":"\\udc00x"}', '{"a":"😀"}', '{"\\ue000":1,"😀":2}', '{"😀":2,"\\ue000":1}',
      '{"a":1e400}', '{"a":-0}', '{"a":1.0}', '{"a":1}', '{"a":1e21}', '{"a":1e+21}', '{"b":1,"a":2}', '{"a":{"c":1,"b":2}}', '[{"b":1,"a":2}]', '{"a":"\\u001f"}', '{"a":"\\u001F"}',
      '{"a":"\u2028"}', '{"__proto__":1}', '{"a":[1,{"x":null}]}', '{"toJSON":1}', '"\\ud83d\\ude00"', '"😀"',
    ];
    for (const text of tricky) expect('value' in parseCanonicalLine(text), text).toBe(reference(text));
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect('value' in parseCanonicalLine(text)).toBe(reference(text));
      }),
    );
  });

  it('MerkleTree roots and proofs equal the list functions at every size', () => {
    const leaves = Array.from({ length: 40 }, (_, i) => `leaf ${i}`);
    const tree = new MerkleTree();
    leaves.forEach((leaf) => tree.append(leaf));
    for (let n = 0; n <= leaves.length; n++) {
      expect(tree.root(n), `root ${n}`).toEqual(rootHash(leaves.slice(0, n)));
      for (let m = 1; m <= n; m++) expect(tree.consistencyProof(m, n), `proof ${m} ${n}`).toEqual(consistencyProof(m, n, leaves));
      for (let i = 0; i < n; i += 7) expect(tree.inclusionProof(i, n), `path ${i} ${n}`).toEqual(inclusionProof(i, leaves.slice(0, n)));
    }
    expect(() => tree.root(41)).toThrow(RangeError);
    expect(() => tree.consistencyProof(0, 5)).toThrow(RangeError);
  });
});
