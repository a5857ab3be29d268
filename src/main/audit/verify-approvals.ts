// RESTRICTED runs: every state-changing block that ran must have a granted approval whose signature (by
// someone other than the operator) covers the hash of that block's step.started record.
//
// Checked in one pass: a state-changing step.started stays open until the first step.finished of its block;
// the first granted approval of its hash in between is the one that counts. Only open blocks are kept.
//
// The approval that counts must hold on its own (docs/audit.md, "Approvals"): namespace
// runbook-console-approval; its message is the hash of the step.started line it names (and names that
// record's seq); its SSHSIG verifies over the message by the key the record names; that key is none of the
// operator's (run.started's options.operator_keys, the installation key, the key that signed the export);
// its principal is the approver and not the operator; the approvers list recorded in run.started (whose
// sha256 must be the hash of its text) allows that key for that principal, and not for the operator. Whose
// key it is, is the auditor's --allowed-signers' to say: with one, the key must be allowed for that
// principal in runbook-console-approval explicitly (E_SIGNER otherwise); without, the approval is unanchored.
// Records come read through their schemas (verify-records.ts): every field below is there, of its type.
import { createHash } from 'node:crypto';
import { type AllowedSigner, isAllowedSigner, parseAllowedSigners } from './allowed-signers.js';
import { APPROVAL_NAMESPACE } from './approval.js';
import { principalFor } from './principal.js';
import type { RecordOf, TypedRecord } from './record.js';
import { fingerprint, parsePublicKeyLine } from './ssh-keys.js';
import { parseSshsig, verifySshsig } from './sshsig.js';
import type { Anchors } from './verify-anchors.js';
import { failure } from './verify-phases.js';

type Granted = Extract<RecordOf<'approval'>['data'], { granted: true }>;

interface OpenBlock {
  index: number;
  blockId: string;
  hash: string;
  approval: { data: Granted; seq: number; time: string } | null;
}

/** A signature the verifier checked (an approval, a sign-off): who signed what, and what vouches for the key. */
export interface CheckedSignature {
  /** The approval or sign-off record. */
  record: number;
  /** The record it approves or signs off. */
  signs: number;
  principal: string;
  fingerprint: string;
  /** Principals of the --allowed-signers lines that allow the key; null without --allowed-signers (unanchored). */
  anchoredAs: string[] | null;
}

/** Checked signatures of one kind: the first ones in full, then only counted (the summary stays small for a huge journal). */
export class SignatureList {
  static readonly KEPT = 1000;
  readonly items: CheckedSignature[] = [];
  total = 0;
  unanchored = 0;
  firstUnanchored: number | null = null;

  add(item: CheckedSignature): void {
    this.total++;
    if (item.anchoredAs === null) {
      this.unanchored++;
      this.firstUnanchored ??= item.record;
    }
    if (this.items.length < SignatureList.KEPT) this.items.push(item);
  }
}

export interface ApprovalContext {
  anchors: Anchors;
  /** The key that signed the bundle (SHA256SUMS.sig, report.json.sig): the operator's too. */
  exportKey: Buffer | null;
}

export const keyBase64 = (blob: Buffer) => blob.toString('base64');
type Finished = RecordOf<'step.finished'>['data'];

/** The keys the operator controls in a run (operatorKeysOf). */
export interface OperatorKeys {
  /** Base64 blob → what it is. */
  keys: Map<string, string>;
  /** The installation key (base64 blob), no person's; null when run.started's cannot be read (the seal check's to report). */
  installation: string | null;
}

/**
 * The keys the operator controls in the run, by base64 blob, each with what it is: those run.started records
 * (options.operator_keys; one that cannot be read goes to `unreadable`), the installation key, and the key that
 * signed the bundle. None of them can approve a step, nor sign off a row but the operator's own.
 */
export function operatorKeysOf(start: RecordOf<'run.started'>['data'], exportKey: Buffer | null, unreadable: (key: string) => void): OperatorKeys {
  const keys = new Map<string, string>();
  for (const k of start.options.operator_keys ?? []) {
    try {
      keys.set(keyBase64(parsePublicKeyLine(k.key).blob), `the operator's ${k.source} key`);
    } catch {
      unreadable(k.key);
    }
  }
  let installation: string | null = null;
  try {
    installation = keyBase64(parsePublicKeyLine(start.installation.public_key).blob);
    keys.set(installation, 'the installation key, which seals the run');
  } catch {
    // An unreadable installation key is the seal check's to report.
  }
  if (exportKey) keys.set(keyBase64(exportKey), 'the key that signed this bundle');
  return { keys, installation };
}

export class ApprovalChecker {
  private readonly active: boolean;
  private readonly operator: string;
  /** The operator's keys (base64 blob → what it is). */
  private readonly operatorKeys: Map<string, string>;
  private readonly approvers: { sha256: string; entries: AllowedSigner[] } | null = null;
  /** Open blocks by block id (a step.finished ends all of its block's) and by step.started hash (what an approval names). */
  private readonly byBlock = new Map<string, OpenBlock[]>();
  private readonly byHash = new Map<string, OpenBlock[]>();
  /** The failure of the earliest step.started, as a loop over them in order would report first. */
  private first: { index: number; error: unknown } | null = null;
  readonly checked = new SignatureList();

  /** Starts with run.started; throws E_APPROVAL when the approvers list it records does not hold. */
  constructor(
    first: RecordOf<'run.started'>,
    private readonly context: ApprovalContext,
  ) {
    const start = first.data;
    this.active = start.profile === 'restricted';
    this.operator = principalFor(start.operator.name);
    const at = { record: 0, line: 1 };
    const recorded = start.options.approvers;
    if (recorded !== undefined) {
      const actual = createHash('sha256').update(recorded.text, 'utf8').digest('hex');
      if (actual !== recorded.sha256) throw failure('E_APPROVAL', `run.started's approvers list does not match its recorded sha256 (${recorded.sha256.slice(0, 16)}…; the text hashes to ${actual.slice(0, 16)}…)`, at);
      try {
        this.approvers = { sha256: recorded.sha256, entries: parseAllowedSigners(recorded.text) };
      } catch (error) {
        throw failure('E_APPROVAL', `run.started's approvers list cannot be read: ${(error as Error).message}`, at);
      }
    }
    this.operatorKeys = operatorKeysOf(start, context.exportKey, (key) => {
      throw failure('E_APPROVAL', `run.started records an operator key that cannot be read: ${JSON.stringify(key)}`, at);
    }).keys;
  }

  /** Record `i`, with the SHA-256 (hex) of its line. */
  record(i: number, record: TypedRecord, hash: string): void {
    if (!this.active) return;
    if (record.type === 'step.started' && record.data.state_changing) {
      const open: OpenBlock = { index: i, blockId: record.data.block.id, hash, approval: null };
      push(this.byBlock, open.blockId, open);
      push(this.byHash, hash, open);
    } else if (record.type === 'approval' && record.data.granted) {
      const data = record.data;
      for (const open of this.byHash.get(data.started.sha256) ?? []) open.approval ??= { data, seq: record.seq, time: record.time };
    } else if (record.type === 'step.finished') {
      const ended = this.byBlock.get(record.data.block.id);
      if (!ended) return;
      this.byBlock.delete(record.data.block.id);
      for (const open of ended) this.close(open, record.data);
    }
  }

  /** After the last record: blocks that never finished are judged too; throws the failure to report. */
  finish(): void {
    for (const blocks of this.byBlock.values()) for (const open of blocks) this.close(open, undefined);
    this.byBlock.clear();
    if (this.first) throw this.first.error;
  }

  private close(open: OpenBlock, finished: Finished | undefined): void {
    const list = this.byHash.get(open.hash);
    if (list) {
      list.splice(list.indexOf(open), 1);
      if (list.length === 0) this.byHash.delete(open.hash);
    }
    if (this.first && this.first.index < open.index) return;
    try {
      this.judge(open, finished);
    } catch (error) {
      this.first = { index: open.index, error };
    }
  }

  private judge(open: OpenBlock, finished: Finished | undefined): void {
    // A block refused its approval did not run (the refusal code says so).
    if (finished?.outcome.refusal === 'approval-refused') return;
    const i = open.index;
    const approval = open.approval;
    if (!approval) throw failure('E_APPROVAL', `record ${i}: block ${open.blockId} changed state without an approval of its step.started record`, { record: i, line: i + 1 });
    const d = approval.data;
    const at = { record: approval.seq, line: approval.seq + 1 };
    const bad = (why: string) => failure('E_APPROVAL', `record ${approval.seq}: approval of record ${i} does not hold: ${why}`, at);
    // The namespace is the format's (the schema holds it to runbook-console-approval); the message and record are checked here.
    if (d.message !== open.hash) throw bad(`its signed message is not the SHA-256 of record ${i}'s line`);
    if (d.started.seq !== i) throw bad(`it names record ${d.started.seq}, not record ${i} whose hash it carries`);
    let signature;
    try {
      signature = parseSshsig(d.signature);
    } catch (error) {
      throw bad(`not an SSH signature: ${(error as Error).message}`);
    }
    let key: Buffer;
    try {
      key = parsePublicKeyLine(d.key).blob;
    } catch (error) {
      throw bad(`the key it names cannot be read: ${(error as Error).message}`);
    }
    if (!signature.publicKey.equals(key)) throw bad(`the signature was made by ${fingerprint(signature.publicKey)}, not by the key it names (${fingerprint(key)})`);
    const check = verifySshsig(Buffer.from(open.hash, 'utf8'), d.signature, APPROVAL_NAMESPACE, key);
    if (!check.ok) throw bad(check.message);
    const print = fingerprint(key);
    const own = this.operatorKeys.get(keyBase64(key));
    if (own) throw bad(`it is signed with ${own} (${print}): the operator cannot approve their own step`);
    const principal = d.principal;
    if (principal === '') throw bad('it names no principal');
    if (d.approver !== principal) throw bad(`its principal ${JSON.stringify(principal)} is not its approver ${JSON.stringify(d.approver)}`);
    if (principal === this.operator) throw bad(`the approver ${JSON.stringify(principal)} is the operator`);
    if (this.approvers) {
      if (d.approvers_sha256 !== this.approvers.sha256) throw bad('it was checked against another approvers list than the one run.started records');
      const when = new Date(approval.time);
      if (!isAllowedSigner(this.approvers.entries, principal, key, APPROVAL_NAMESPACE, when)) throw bad(`the approvers list recorded in run.started does not allow ${print} for ${JSON.stringify(principal)}`);
      if (isAllowedSigner(this.approvers.entries, this.operator, key, APPROVAL_NAMESPACE, when)) throw bad(`the approvers list recorded in run.started also allows ${print} for the operator`);
    }
    const anchoredAs = this.context.anchors.signedAs(`record ${approval.seq}: the approval of record ${i}`, key, print, APPROVAL_NAMESPACE, principal, at);
    this.checked.add({ record: approval.seq, signs: i, principal, fingerprint: print, anchoredAs });
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
