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

/**
 * Why the console refused a sign-off signature (recorded as `code` on the refused `signoff` record):
 * not an SSHSIG at all; made in another namespace (an approval, a git commit…); not over this sign-off's
 * message (another run, row, name, date or record); or by a key the operator controls (the installation
 * key, the export key, a key in the operator's ssh-agent, a key recorded as the operator's), which cannot
 * stand for someone signing elsewhere.
 */
export const SIGNOFF_REFUSAL_CODES = ['not-a-signature', 'wrong-namespace', 'bad-signature', 'operator-key'] as const;
export type SignoffRefusalCode = (typeof SIGNOFF_REFUSAL_CODES)[number];

/**
 * An armoured SSHSIG as `ssh-keygen -Y sign` prints it: the armour lines around base64, give or take the
 * blanks and CR LFs a copy and paste adds (main tidies those, then checks the signature strictly). One
 * quantifier between fixed armour lines, so a long paste without the end line is refused in linear time.
 */
export const ARMORED_SSHSIG = /^\s*-----BEGIN SSH SIGNATURE-----[A-Za-z0-9+/=\s]+-----END SSH SIGNATURE-----\s*$/;

/** A pasted signature as ssh-keygen wrote it: LF line ends, no blanks around lines, one final newline. */
export function tidyArmoredSignature(text: string): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return `${lines.join('\n')}\n`;
}

/** The sign-off's stock signing command. */
export function signoffCommand(message: string): string {
  return sshKeygenSignCommand(message, SIGNOFF_NAMESPACE);
}
