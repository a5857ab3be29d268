// Sign-off signatures the console checks before recording them (the message is src/shared/signoff.ts's):
// an SSHSIG in the sign-off namespace over this sign-off's exact message, and — for a signature pasted from
// elsewhere, which stands for someone who is not at this machine — by none of the keys the operator
// controls here. The installation key is never a person's, so it cannot sign off a row however it is used.
// Each refusal has a typed code (recorded on the refused `signoff` record, shown by the page).
import type { OperatorKey } from '../audit/approval.js';
import { type SignoffCheck, checkSignoff } from '../audit/signoff.js';

/**
 * Whether `armored` signs `message` as a sign-off (checkSignoff: not-a-signature, wrong-namespace,
 * bad-signature), and is by none of `refusedKeys` (keys the operator controls: a sign-off by one of them is
 * not the signer's; operator-key). `rowOf` says whose row it signs, for the refusal's words. Never throws
 * for a bad signature.
 */
export function decideSignoff(message: string, armored: string, refusedKeys: readonly OperatorKey[], rowOf: 'operator' | 'another' = 'operator'): SignoffCheck {
  const check = checkSignoff(message, armored);
  if (!check.ok) return check;
  const own = refusedKeys.find((k) => k.key === check.key);
  if (own) return { ok: false, code: 'operator-key', reason: ownKeyReason(own, rowOf), key: check.key, fingerprint: check.fingerprint };
  return check;
}

function ownKeyReason(own: OperatorKey, rowOf: 'operator' | 'another'): string {
  const what = {
    installation: "this installation's key, which seals the run: it is no person's key",
    'export-key': "the operator's export key (Settings → Keys)",
    named: "a key recorded as the operator's when the run started",
    'ssh-agent': "a key in the ssh-agent of the operator's session",
  }[own.source];
  const why =
    own.source === 'installation'
      ? ''
      : rowOf === 'another'
        ? "; the operator's key cannot sign off another person's row"
        : '; a pasted signature stands for someone signing elsewhere (to sign your own row, use your key file or ssh-agent here)';
  return `the signing key ${own.fingerprint} is ${what}${why}`;
}
