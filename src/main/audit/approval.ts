// RESTRICTED runs: before each state-changing block, a second person signs the hash of its step.started
// record (what will run, where, as whom) with their own SSH key, namespace runbook-console-approval.
// The signed message is the 64 hex digits of that hash, so an approver can make it with stock tools:
//   printf %s HASH | ssh-keygen -Y sign -f KEY -n runbook-console-approval
import { findPrincipals, isAllowedSigner, parseAllowedSigners } from './allowed-signers.js';
import { fingerprint } from './ssh-keys.js';
import { parseSshsig, verifySshsig } from './sshsig.js';

export const APPROVAL_NAMESPACE = 'runbook-console-approval';

export type ApprovalCheck = { ok: true; principal: string; fingerprint: string } | { ok: false; reason: string };

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
      return { ok: false, reason: 'the operator cannot approve their own step' };
    }
  }
  if (operatorPrincipal !== null && approver === operatorPrincipal) return { ok: false, reason: 'the operator cannot approve their own step' };
  return { ok: true, principal: approver, fingerprint: check.fingerprint };
}
