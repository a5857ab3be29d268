// RESTRICTED runs: before each state-changing block, a second person signs the hash of its step.started
// record (what will run, where, as whom) with their own SSH key, namespace runbook-console-approval.
// The signed message is the 64 hex digits of that hash, so an approver can make it with stock tools:
//   printf %s HASH | ssh-keygen -Y sign -f KEY -n runbook-console-approval
//
// Who may approve is fixed before the run: the approvers' allowed_signers text is recorded in run.started
// (data.options.approvers: source, sha256, text), together with every key the operator controls in the run
// (data.options.operator_keys). An approval is checked against what was recorded, never the file as it is
// now, and a signature by any of the operator's keys is refused whatever name the approvers list gives it.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { sshKeygenSignCommand } from '../../shared/signoff.js';
import { AllowedSignersError, findPrincipals, isAllowedSigner, matchPatternList, parseAllowedSigners } from './allowed-signers.js';
import { principalFor } from './principal.js';
import { fingerprint, formatPublicKeyLine, parsePublicKeyLine } from './ssh-keys.js';
import { parseSshsig, verifySshsig } from './sshsig.js';
import type { ApprovalRefusalCode, OperatorKeySource } from './records/codes.js';
import type { RecordData } from './records/index.js';
import type { OperatorKeySchema, RecordedApproversSchema } from './records/run.js';
import { APPROVAL_NAMESPACE } from './records/signatures.js';

export { APPROVAL_NAMESPACE, type ApprovalRefusalCode, type OperatorKeySource };

/** What the approver runs to sign the step.started hash with stock OpenSSH. */
export function approvalCommand(startedHash: string): string {
  return sshKeygenSignCommand(startedHash, APPROVAL_NAMESPACE);
}

export type ApprovalCheck = { ok: true; principal: string; fingerprint: string } | { ok: false; reason: string };

/**
 * The signature-and-names check verify uses on a recorded approval (no approvers list: the auditor's
 * allowed_signers decides who counts). While a run goes on, decideApproval applies the recorded policy.
 */
export function checkApproval(startedHash: string, armored: string, approver: string, approvers: string | null, operatorPrincipal: string | null): ApprovalCheck {
  let publicKey: Buffer;
  try {
    publicKey = parseSshsig(armored).publicKey;
  } catch (error) {
    return { ok: false, reason: `not an SSH signature: ${(error as Error).message}` };
  }
  const check = verifySshsig(Buffer.from(startedHash, 'utf8'), armored, APPROVAL_NAMESPACE, publicKey);
  if (!check.ok) return { ok: false, reason: check.message };
  if (approvers !== null) {
    const entries = parseAllowedSigners(approvers);
    if (!isAllowedSigner(entries, approver, publicKey, APPROVAL_NAMESPACE)) {
      return { ok: false, reason: `${fingerprint(publicKey)} is not an allowed approver key for "${approver}"` };
    }
    if (operatorPrincipal !== null && findPrincipals(entries, publicKey, APPROVAL_NAMESPACE).some((p) => p.split(',').includes(operatorPrincipal))) {
      return { ok: false, reason: OWN_STEP };
    }
  }
  if (operatorPrincipal !== null && approver === operatorPrincipal) return { ok: false, reason: OWN_STEP };
  return { ok: true, principal: approver, fingerprint: check.fingerprint };
}

const OWN_STEP = 'the operator cannot approve their own step';

/**
 * The approvers list as fixed when the run started: recorded in run.started as data.options.approvers —
 * where it was read from (a path, for people; the text is what counts), the SHA-256 (hex) of its UTF-8
 * text, the allowed_signers text itself, and the approval namespace.
 */
export type RecordedApprovers = z.infer<typeof RecordedApproversSchema>;

export function recordApprovers(text: string, source: string): RecordedApprovers {
  return { source, sha256: createHash('sha256').update(text, 'utf8').digest('hex'), text, namespace: APPROVAL_NAMESPACE };
}

/** Why an approvers list cannot be used (unreadable lines, nobody who may approve), or null when it can. */
export function approversProblem(text: string, source: string): string | null {
  let entries;
  try {
    entries = parseAllowedSigners(text);
  } catch (error) {
    if (error instanceof AllowedSignersError) return `approvers file ${source}: ${error.message}`;
    throw error;
  }
  const usable = entries.filter((e) => !e.certAuthority && (e.namespaces === null || matchPatternList(APPROVAL_NAMESPACE, e.namespaces)));
  if (usable.length === 0) return `approvers file ${source} names nobody who may approve (a line with a key, and namespaces="${APPROVAL_NAMESPACE}" or no namespaces option)`;
  return null;
}

/** A key the operator controls in the run, `type base64` (no comment), and how (recorded in run.started as data.options.operator_keys). */
export type OperatorKey = z.infer<typeof OperatorKeySchema>;

export function operatorKey(source: OperatorKeySource, publicKey: string | Buffer): OperatorKey {
  const blob = typeof publicKey === 'string' ? parsePublicKeyLine(publicKey).blob : publicKey;
  return { source, key: formatPublicKeyLine(blob), fingerprint: fingerprint(blob) };
}

/** What an approval is checked against: everything here is what run.started recorded. */
export interface ApprovalPolicy {
  approvers: RecordedApprovers;
  /** The operator's name as recorded (data.operator.name). */
  operator: string;
  operatorKeys: readonly OperatorKey[];
}

export type ApprovalDecision =
  | { ok: true; principal: string; key: string; fingerprint: string }
  | { ok: false; code: ApprovalRefusalCode; reason: string; key: string | null; fingerprint: string | null };

function ownKeyReason(own: OperatorKey): string {
  switch (own.source) {
    case 'installation':
      return `${OWN_STEP} (the signing key ${own.fingerprint} is this installation's key, which seals the run)`;
    case 'export-key':
      return `${OWN_STEP} (the signing key ${own.fingerprint} is the operator's export key, which signs the run's evidence)`;
    case 'named':
      return `${OWN_STEP} (the signing key ${own.fingerprint} is the operator's own key, named when the run started)`;
    case 'ssh-agent':
      return `${OWN_STEP} (the signing key is in the ssh-agent of the operator's session: ${own.fingerprint})`;
  }
}

/**
 * Decides one approval: a valid SSHSIG over the step.started hash, by a key the recorded approvers list
 * allows for `approver`, that is none of the operator's keys (those recorded, and `liveOperatorKeys` the
 * operator's session holds now), by someone who is not the operator. Every refusal says why.
 */
export function decideApproval(startedHash: string, armored: string, approver: string, policy: ApprovalPolicy, liveOperatorKeys: readonly OperatorKey[] = [], at: Date = new Date()): ApprovalDecision {
  let publicKey: Buffer;
  try {
    publicKey = parseSshsig(armored).publicKey;
  } catch (error) {
    return { ok: false, code: 'not-a-signature', reason: `not an SSH signature: ${(error as Error).message}`, key: null, fingerprint: null };
  }
  let key: string;
  let print: string;
  try {
    key = formatPublicKeyLine(publicKey);
    print = fingerprint(publicKey);
  } catch (error) {
    return { ok: false, code: 'bad-signature', reason: `the signature's key is unusable: ${(error as Error).message}`, key: null, fingerprint: null };
  }
  const refuse = (code: ApprovalRefusalCode, reason: string): ApprovalDecision => ({ ok: false, code, reason, key, fingerprint: print });
  const check = verifySshsig(Buffer.from(startedHash, 'utf8'), armored, APPROVAL_NAMESPACE, publicKey);
  if (!check.ok) return refuse('bad-signature', check.message);
  // The operator's own keys first: whatever name the approvers list gives such a key, it is the operator's.
  const own = [...policy.operatorKeys, ...liveOperatorKeys].find((k) => k.key === key);
  if (own) return refuse('operator-key', ownKeyReason(own));
  const operatorPrincipal = principalFor(policy.operator);
  if (approver === operatorPrincipal) return refuse('operator-name', OWN_STEP);
  const entries = parseAllowedSigners(policy.approvers.text);
  if (!isAllowedSigner(entries, approver, publicKey, APPROVAL_NAMESPACE, at)) {
    return refuse('not-an-approver', `${print} is not an allowed approver key for "${approver}" in the approvers list recorded when the run started (sha256 ${policy.approvers.sha256.slice(0, 16)}…)`);
  }
  // A key the list also lets sign as the operator (by name or by a pattern such as *) is the operator's too.
  if (isAllowedSigner(entries, operatorPrincipal, publicKey, APPROVAL_NAMESPACE, at)) return refuse('operator-name', OWN_STEP);
  return { ok: true, principal: approver, key, fingerprint: print };
}

/** The journal data of an `approval` record for a decision on the signature `approver` offered (granted or refused). */
export function approvalRecord(
  base: { step: { id: string }; block: { id: string }; started: { seq: number; sha256: string }; approver: string },
  decision: ApprovalDecision,
  signature: string,
  policy: ApprovalPolicy,
  /** The team store login that delivered the signature, when it came through the store. */
  storeLogin: string | null = null,
): RecordData<'approval'> {
  const common = { namespace: APPROVAL_NAMESPACE, message: base.started.sha256, approvers_sha256: policy.approvers.sha256, ...(storeLogin !== null ? { store_login: storeLogin } : {}) };
  if (decision.ok) return { ...base, granted: true, principal: decision.principal, key: decision.key, fingerprint: decision.fingerprint, signature, ...common };
  return { ...base, granted: false, code: decision.code, reason: decision.reason, key: decision.key, fingerprint: decision.fingerprint, signature: decision.key === null ? null : signature, ...common };
}
