// Seal checks: every checkpoint record covers exactly the records before it with the right Merkle root,
// names this installation and run, and carries a valid SSHSIG; the run ends in a final seal; the files
// beside the journal agree with it; and an earlier checkpoint held elsewhere (--prior) is a prefix of it.
import { type Checkpoint, CheckpointFormatError, parseCheckpoint } from './checkpoint.js';
import { installationId } from './installation.js';
import { MerkleAccumulator } from './merkle.js';
import { type Finding, type WarningCode, fail } from './reasons.js';
import type { RecordOf, TypedRecord } from './record.js';
import { CHECKPOINT_NAMESPACE, checkpointOrigin } from './seal.js';
import { fingerprint, parsePublicKeyLine } from './ssh-keys.js';
import { verifySshsig } from './sshsig.js';
import { type Anchors, type PriorCheckpoint, parsePrior, tryParsePrior } from './verify-anchors.js';

export interface SealFiles {
  /** checkpoint.txt beside the journal, if present. */
  checkpoint: string | null;
  signature: string | null;
}

export interface SealCheckOptions {
  allowUnsealed: boolean;
  anchors: Anchors;
  /** An earlier checkpoint: the three-line text (optionally with its SSHSIG appended) or the one-line ticket form `origin size root`. */
  prior: string | null;
  /** The prior checkpoint's SSHSIG given beside it (FILE.sig), if any. */
  priorSignature?: string | null;
}

/** The key that seals the run and what, if anything, the verifier holds that vouches for it. */
export interface SealKey {
  fingerprint: string;
  /** The key blob (SSH wire form). */
  blob: Buffer;
  /** Principals of --allowed-signers lines that name it for runbook-console-checkpoint explicitly. */
  principals: string[] | null;
  /** What vouches for it ("pin SHA256:…", "allowed-signers: installation-…", "prior checkpoint (size 12)"); empty when nothing does. */
  anchoredBy: string[];
}

export interface SealSummary {
  sealed: boolean;
  sealedSize: number | null;
  signer: { fingerprint: string; principals: string[] | null } | null;
  checkpoints: number;
  /** Null when the journal holds no checkpoint (nothing in it is signed). */
  key: SealKey | null;
}
/**
 * Takes the journal's records in order (after the record-level checks) and keeps the Merkle tree as the
 * roots of its perfect subtrees, O(log n) hashes: each checkpoint's root is that of the records before it,
 * which is the tree as it stands when the checkpoint record arrives, so no leaf is ever hashed twice.
 *
 * Every checkpoint must be signed by the installation key run.started records (whose id the origin
 * names): the run has one sealing key, and that is the key an anchor must vouch for. Records come read
 * through their schemas (verify-records.ts), so every field below is there, of its type.
 */
export class SealChecker {
  private readonly tree = new MerkleAccumulator();
  private readonly origin: string;
  /** The installation key run.started records. */
  private readonly recordedKey: Buffer;
  private readonly priorSize: number | null;
  private priorRoot: Buffer | null = null;
  private signer: SealSummary['signer'] = null;
  private sealKey: Buffer | null = null;
  private checkpoints = 0;
  private previousType: string | null = null;
  private finalSeal = -1;
  private lastCheckpoint: RecordOf<'checkpoint'> | null = null;
  readonly warnings: Finding<WarningCode>[] = [];

  /** Starts with the first record; throws a VerifyFailure. */
  constructor(
    first: RecordOf<'run.started'>,
    private readonly files: SealFiles,
    private readonly options: SealCheckOptions,
  ) {
    const { installation } = first.data;
    this.origin = checkpointOrigin(installation.id, first.run);
    let id: string;
    try {
      id = installationId(installation.public_key);
      this.recordedKey = parsePublicKeyLine(installation.public_key).blob;
    } catch (error) {
      fail('E_SEAL_ORIGIN', `run.started records an installation key that cannot be read: ${(error as Error).message}`, { record: 0, line: 1 });
    }
    if (id !== installation.id) fail('E_SEAL_ORIGIN', `run.started names installation ${installation.id}, which is not the id of the key it records`, { record: 0, line: 1 });
    // A --prior that does not parse is reported when its turn comes, in finish().
    this.priorSize = options.prior === null ? null : (tryParsePrior(options.prior)?.size ?? null);
  }

  /** Record `i` and its line's bytes (the Merkle leaf). */
  record(i: number, record: TypedRecord, leaf: Buffer | string): void {
    if (this.priorSize === i) this.priorRoot = this.tree.root();
    if (record.type === 'checkpoint') this.checkpoint(i, record);
    if (record.type === 'checkpoint' && this.previousType === 'run.finished' && this.finalSeal < 0) this.finalSeal = i;
    this.previousType = record.type;
    this.tree.append(leaf);
  }

  private checkpoint(i: number, record: RecordOf<'checkpoint'>): void {
    this.checkpoints++;
    this.lastCheckpoint = record;
    const at = { record: i, line: i + 1 };
    const d = record.data;
    if (d.size !== i) fail('E_SEAL_SIZE', `checkpoint record ${i} claims to cover ${d.size} records, not the ${i} before it`, at);
    const checkpoint = parseText(d.text, at);
    if (checkpoint.origin !== this.origin) fail('E_SEAL_ORIGIN', `checkpoint record ${i} is for ${checkpoint.origin}, not ${this.origin}`, at);
    if (checkpoint.size !== i) fail('E_SEAL_SIZE', `checkpoint record ${i}: its text covers ${checkpoint.size} records, not ${i}`, at);
    const root = this.tree.root();
    if (!root.equals(checkpoint.rootHash) || d.root !== root.toString('base64')) {
      fail('E_SEAL_ROOT', `checkpoint record ${i}: the Merkle root of records 0–${i - 1} is ${root.toString('base64')}, the checkpoint says ${checkpoint.rootHash.toString('base64')}`, at);
    }
    const blob = checkSignature(d.text, d.signature, d.signer, at);
    // One key seals the run: the installation key run.started records.
    if (!this.recordedKey.equals(blob)) {
      fail('E_SIGNER', `checkpoint record ${i} is signed by ${fingerprint(blob)}, not by the installation key run.started records (${fingerprint(this.recordedKey)})`, at);
    }
    this.sealKey = blob;
    this.signer = { fingerprint: fingerprint(blob), principals: null };
  }

  /** After the last record (`count` records, the last of type `lastType`): the final seal, the files beside the journal, --prior, the anchors. */
  finish(count: number, lastType: string): SealSummary {
    const { files, options } = this;
    if (this.priorSize === count) this.priorRoot = this.tree.root();
    const finalSeal = this.finalSeal;
    const fileCheckpoint = files.checkpoint === null ? null : parseText(files.checkpoint, {});
    if (fileCheckpoint && fileCheckpoint.size > count) {
      fail('E_SEAL_SIZE', `${fileCheckpoint.size} records are sealed but the journal holds ${count}: records were cut from the end`);
    }
    if (finalSeal >= 0 && finalSeal !== count - 1) {
      fail('E_AFTER_SEAL', `${count - 1 - finalSeal} record(s) follow the final seal (record ${finalSeal})`, { record: finalSeal + 1, line: finalSeal + 2 });
    }
    const sealed = finalSeal >= 0;
    const sealedRecord = this.lastCheckpoint;
    if (fileCheckpoint) {
      if (!sealedRecord || sealedRecord.data.text !== files.checkpoint) {
        fail('E_SEAL_SIZE', `checkpoint.txt (size ${fileCheckpoint.size}) is not the journal's last checkpoint${sealedRecord ? ` (size ${sealedRecord.data.size})` : ''}`);
      }
      if (files.signature === null) fail('E_SIGNATURE', 'checkpoint.txt has no checkpoint.txt.sig beside it');
      if (files.signature !== sealedRecord.data.signature) fail('E_SIGNATURE', 'checkpoint.txt.sig is not the signature recorded in the journal');
    }
    if (!sealed) {
      if (!options.allowUnsealed) fail('E_UNSEALED', lastType === 'checkpoint' ? 'the run has checkpoints but never finished and was not sealed at its end' : 'no final seal: the run did not finish, or its seal was removed');
      this.warnings.push({ code: 'W_UNSEALED', record: null, line: null, detail: `the journal's last record is ${lastType} (record ${count - 1})` });
    }
    const prior = options.prior === null ? null : parsePrior(options.prior, options.priorSignature ?? null);
    if (prior) checkPrior(prior, this.origin, count, this.priorRoot);
    const key = this.sealKey ? this.anchor(this.sealKey, prior) : null;
    if (key && this.signer) this.signer.principals = key.principals;
    const sealedSize = sealed ? finalSeal : (sealedRecord?.seq ?? null);
    return { sealed, sealedSize, signer: this.signer, checkpoints: this.checkpoints, key };
  }

  /**
   * What vouches for the sealing key: a --pin of its fingerprint; an --allowed-signers line naming it for
   * runbook-console-checkpoint explicitly; a --prior the journal extends — signed by this key, or unsigned
   * but covering run.started (which records this key). Given anchors that do not vouch for it: E_SIGNER.
   */
  private anchor(blob: Buffer, prior: PriorCheckpoint | null): SealKey {
    const { anchors } = this.options;
    const print = fingerprint(blob);
    const anchoredBy: string[] = [];
    if (anchors.pins.includes(print)) anchoredBy.push(`--pin ${print}`);
    const principals = anchors.allowed ? anchors.explicit(blob, CHECKPOINT_NAMESPACE) : null;
    if (principals?.length) anchoredBy.push(`--allowed-signers (${principals.join('; ')})`);
    if (prior) {
      if (prior.signature !== null) {
        const check = verifySshsig(Buffer.from(prior.text, 'utf8'), prior.signature, CHECKPOINT_NAMESPACE, blob);
        if (!check.ok) {
          if (check.code === 'key-mismatch') fail('E_PRIOR', `the prior checkpoint is not signed by the key that seals this journal (${print}): ${check.message}`);
          if (check.code === 'namespace') fail('E_NAMESPACE', `the prior checkpoint's signature: ${check.message}`);
          fail('E_SIGNATURE', `the prior checkpoint's signature: ${check.message}`);
        }
        anchoredBy.push(`--prior (a checkpoint of ${prior.size} records signed by this key)`);
      } else if (prior.size >= 1) anchoredBy.push(`--prior (a checkpoint of ${prior.size} records, which cover run.started and the key it records)`);
    }
    // A prior that names no key (unsigned, and covering no run.started that records one) vouches for nothing and against nothing.
    const priorNamesKey = prior !== null && (prior.signature !== null || prior.size >= 1);
    const given = anchors.pins.length > 0 || anchors.allowed !== null || priorNamesKey;
    if (anchoredBy.length === 0) {
      if (given) {
        const why = [
          anchors.pins.length ? `--pin ${anchors.pins.join(', ')} is another key` : null,
          anchors.allowed ? (anchors.allowed.some((e) => e.publicKey.equals(blob)) ? anchors.whyNot(blob, CHECKPOINT_NAMESPACE) : `--allowed-signers has no line naming it with namespaces="${CHECKPOINT_NAMESPACE}"`) : null,
        ].filter(Boolean);
        fail('E_SIGNER', `the run is sealed by ${print}, which no anchor given vouches for: ${why.join('; ')}`);
      }
      this.warnings.push({ code: 'W_SIGNER_UNCHECKED', record: null, line: null, detail: `sealed by ${print}; give --pin, --allowed-signers or --prior to say whose key that is` });
    }
    return { fingerprint: print, blob, principals, anchoredBy };
  }
}

function parseText(text: string, at: { record?: number; line?: number }): Checkpoint {
  try {
    return parseCheckpoint(text);
  } catch (error) {
    if (error instanceof CheckpointFormatError) fail('E_SEAL_ORIGIN', `checkpoint text is malformed: ${error.message}`, at);
    throw error;
  }
}

/** The key blob of a checkpoint signature that verifies against the key the record names. */
function checkSignature(text: string, signature: string, signerLine: string, at: { record: number; line: number }): Buffer {
  const check = verifySshsig(Buffer.from(text, 'utf8'), signature, CHECKPOINT_NAMESPACE, signerLine);
  if (!check.ok) {
    if (check.code === 'namespace') fail('E_NAMESPACE', `checkpoint record ${at.record}: ${check.message}`, at);
    fail('E_SIGNATURE', `checkpoint record ${at.record}: ${check.message}`, at);
  }
  return check.publicKey;
}

/** `rootAtSize`: the root of the first `size` records, taken as the pass went by (null when the journal is shorter). */
function checkPrior(checkpoint: PriorCheckpoint, origin: string, count: number, rootAtSize: Buffer | null): void {
  if (checkpoint.origin !== origin) fail('E_PRIOR', `the prior checkpoint is for ${checkpoint.origin}, not ${origin}`);
  if (checkpoint.size > count) fail('E_PRIOR', `the prior checkpoint covers ${checkpoint.size} records; the journal holds only ${count}`);
  const root = (rootAtSize as Buffer).toString('base64');
  if (root !== checkpoint.root) {
    fail('E_PRIOR', `the first ${checkpoint.size} records have root ${root}; the prior checkpoint says ${checkpoint.root}: they were rewritten after it was taken`, { record: checkpoint.size > 0 ? checkpoint.size - 1 : 0 });
  }
}
