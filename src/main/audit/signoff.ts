// Signed sign-offs (see src/shared/signoff.ts for the message): main accepts a sign-off only with an SSHSIG,
// namespace runbook-console-signoff, that verifies over the exact message for this run, step, row, signer,
// date and journal record. Who the key belongs to is the auditor's allowed_signers' to say; the record keeps
// the principal claimed, the key, the signature and the message, so `ssh-keygen -Y verify` can check it.
import { SIGNOFF_NAMESPACE, type SignoffClaim, type SignoffRefusalCode, signoffMessage } from '../../shared/signoff.js';
import { principalFor } from './principal.js';
import { fingerprint, formatPublicKeyLine } from './ssh-keys.js';
import { parseSshsig, verifySshsig } from './sshsig.js';
import type { SignoffMethod } from './records/codes.js';
import type { RecordData } from './records/index.js';

export { SIGNOFF_NAMESPACE, type SignoffMethod, signoffMessage };

export type SignoffCheck = { ok: true; key: string; fingerprint: string } | { ok: false; code: SignoffRefusalCode; reason: string; key: string | null; fingerprint: string | null };

/** Whether `armored` is a valid SSHSIG over `message` in the sign-off namespace, and by which key. */
export function checkSignoff(message: string, armored: string): SignoffCheck {
  let publicKey: Buffer;
  let key: string;
  let print: string;
  try {
    publicKey = parseSshsig(armored).publicKey;
    key = formatPublicKeyLine(publicKey);
    print = fingerprint(publicKey);
  } catch (error) {
    return { ok: false, code: 'not-a-signature', reason: `not an SSH signature: ${(error as Error).message}`, key: null, fingerprint: null };
  }
  const check = verifySshsig(Buffer.from(message, 'utf8'), armored, SIGNOFF_NAMESPACE, publicKey);
  if (!check.ok) return { ok: false, code: check.code === 'namespace' ? 'wrong-namespace' : 'bad-signature', reason: `the sign-off signature does not hold: ${check.message}`, key, fingerprint: print };
  return { ok: true, key, fingerprint: print };
}

/** The journal data of a `signoff` record, accepted or refused (with its code); `method`: how the signature reached main. */
export function signoffRecord(claim: SignoffClaim, check: SignoffCheck, signature: string, method: SignoffMethod): RecordData<'signoff'> {
  const base = {
    step: { id: claim.step },
    name: claim.name,
    role: claim.role,
    date: claim.date,
    principal: principalFor(claim.name),
    signs: { seq: claim.record.seq, sha256: claim.record.sha256 },
    namespace: SIGNOFF_NAMESPACE as typeof SIGNOFF_NAMESPACE,
    message: signoffMessage(claim),
    method,
  };
  if (check.ok) return { ...base, accepted: true, key: check.key, fingerprint: check.fingerprint, signature };
  return { ...base, accepted: false, code: check.code, reason: check.reason, key: check.key, fingerprint: check.fingerprint, signature: check.key === null ? null : signature };
}
