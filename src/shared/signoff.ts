// Signed sign-offs: the signer's SSH key signs (SSHSIG, namespace runbook-console-signoff) a message that
// names the run, the sign-off step and row (role), who signs and when, and the journal record it signs off
// (its number and the SHA-256 of its line: through the hash chain, everything recorded up to it).
// Pure (no Node): the console shows the message and the stock command; main checks what comes back.
import { shellQuote } from './shell-quote.js';

export const SIGNOFF_NAMESPACE = 'runbook-console-signoff';
/** Names the message format; a new format gets a new tag. */
export const SIGNOFF_FORMAT = 'runbook-console-signoff/v1';

export interface SignoffClaim {
  /** The run id. */
  run: string;
  /** The sign-off step's id. */
  step: string;
  /** The row signed: the role as the runbook's sign-off sheet names it. */
  role: string;
  name: string;
  date: string;
  /** The journal record signed off: its seq and the SHA-256 (hex) of its line. */
  record: { seq: number; sha256: string };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The exact text a sign-off's signature covers: one line of JSON, keys in this (sorted) order, no
 * whitespace — the RFC 8785 canonical form of these string and integer values. No trailing newline.
 */
export function signoffMessage(claim: SignoffClaim): string {
  for (const [field, value] of Object.entries({ run: claim.run, step: claim.step, role: claim.role, name: claim.name, date: claim.date })) {
    if (LONE_SURROGATE.test(value)) throw new Error(`sign-off ${field} is not well-formed Unicode`);
  }
  if (!Number.isSafeInteger(claim.record.seq) || claim.record.seq < 0) throw new Error('sign-off record number must be a non-negative integer');
  if (!/^[0-9a-f]{64}$/.test(claim.record.sha256)) throw new Error('sign-off record hash must be 64 lowercase hex digits');
  return JSON.stringify({
    date: claim.date,
    format: SIGNOFF_FORMAT,
    name: claim.name,
    record: { seq: claim.record.seq, sha256: claim.record.sha256 },
    role: claim.role,
    run: claim.run,
    step: claim.step,
  });
}

/**
 * What a signer runs with stock OpenSSH to sign `message` in `namespace` (the armoured signature is printed
 * on stdout). Both are quoted for the signer's shell, whatever they hold.
 */
export function sshKeygenSignCommand(message: string, namespace: string): string {
  return `printf %s ${shellQuote(message)} | ssh-keygen -Y sign -f THEIR_KEY -n ${shellQuote(namespace)}`;
}

/** The sign-off's stock signing command. */
export function signoffCommand(message: string): string {
  return sshKeygenSignCommand(message, SIGNOFF_NAMESPACE);
}
