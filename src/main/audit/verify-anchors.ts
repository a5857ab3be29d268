// Trust anchors: what the verifier holds, from somewhere other than the run or bundle, that says whose keys
// signed it. A journal, its seal, its report and its bundle are all consistent with themselves whoever made
// them — a bundle even carries the MAC key — so an intact chain proves nothing about who wrote it until an
// anchor ties the keys to people and installations the auditor knows:
//
//   --allowed-signers FILE  OpenSSH allowed_signers. A line counts only for the namespaces it names
//                           explicitly (namespaces="…" listing the exact namespace): a line without a
//                           namespaces option (a git-signing file, say) vouches for nothing here.
//   --prior FILE            an earlier checkpoint of this run held elsewhere (the change ticket's line, an
//                           earlier checkpoint.txt, with its SSHSIG appended or beside it as FILE.sig).
//   --pin SHA256:…          the installation key's fingerprint, noted when the key was made.
import { type AllowedSigner, AllowedSignersError, matchPatternList, parseAllowedSigners, usable } from './allowed-signers.js';
import { type Checkpoint, formatCheckpoint, parseCheckpoint } from './checkpoint.js';
import { VerifyUsageError } from './reasons.js';
import { failure } from './verify-phases.js';

/** OpenSSH's fingerprint form: SHA256: and 43 characters of unpadded base64. */
export const PIN_FORMAT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const SIGNATURE_BEGIN = '-----BEGIN SSH SIGNATURE-----';

export interface AnchorInput {
  /** allowed_signers text. */
  allowedSigners?: string | null;
  /** Fingerprints (SHA256:…) of the installation key. */
  pins?: readonly string[];
}

export class Anchors {
  readonly allowed: AllowedSigner[] | null;
  readonly pins: readonly string[];

  constructor(input: AnchorInput) {
    try {
      this.allowed = input.allowedSigners == null ? null : parseAllowedSigners(input.allowedSigners);
    } catch (error) {
      if (error instanceof AllowedSignersError) throw new VerifyUsageError(`--allowed-signers: ${error.message}`);
      throw error;
    }
    this.pins = [...(input.pins ?? [])];
    for (const pin of this.pins) {
      if (!PIN_FORMAT.test(pin)) throw new VerifyUsageError(`--pin ${JSON.stringify(pin)}: not a key fingerprint (SHA256: and 43 base64 characters, as ssh-keygen -l prints it)`);
    }
  }

  /**
   * The principal fields of every --allowed-signers line that allows `key` in `namespace` by naming that
   * namespace in its namespaces option (a line without one does not count), is valid now, is not a
   * cert-authority line, and — given `principal` — names that principal.
   */
  explicit(key: Buffer, namespace: string, principal?: string, at: Date = new Date()): string[] {
    if (!this.allowed) return [];
    return this.allowed
      .filter((e) => e.namespaces?.includes(namespace) && usable(e, key, namespace, at) && (principal === undefined || matchPatternList(principal, e.principals)))
      .map((e) => e.principals.join(','));
  }

  /**
   * For a signature by someone the run names (an approval, a sign-off): the principals `explicit` gives for
   * `key` as `principal`, or null without --allowed-signers (unanchored). With --allowed-signers that
   * vouches for none of them, fails E_SIGNER at `at`, saying `what` is signed by whom.
   */
  signedAs(what: string, key: Buffer, print: string, namespace: string, principal: string, at: { record: number; line: number }): string[] | null {
    if (!this.allowed) return null;
    const principals = this.explicit(key, namespace, principal);
    if (principals.length === 0) {
      throw failure('E_SIGNER', `${what} is signed by ${print} for ${JSON.stringify(principal)}, which --allowed-signers does not allow in ${namespace}: ${this.whyNot(key, namespace, principal)}`, at);
    }
    return principals;
  }

  /** Why no --allowed-signers line vouches for `key` here, in words (for an E_SIGNER message). */
  whyNot(key: Buffer, namespace: string, principal?: string, at: Date = new Date()): string {
    if (!this.allowed) return 'no --allowed-signers was given';
    const lines = this.allowed.filter((e) => !e.certAuthority && e.publicKey.equals(key));
    if (lines.length === 0) return '--allowed-signers has no line for this key';
    const reasons = lines.map((e) => {
      const where = `--allowed-signers line ${e.line}`;
      if (e.namespaces === null) return `${where} has no namespaces option (it must name ${namespace})`;
      if (!e.namespaces.includes(namespace) || !matchPatternList(namespace, e.namespaces)) return `${where} does not name ${namespace} in its namespaces option`;
      if (e.validBefore !== null && at > e.validBefore) return `${where} expired (valid-before ${e.validBefore.toISOString()})`;
      if (e.validAfter !== null && at < e.validAfter) return `${where} is not valid yet (valid-after ${e.validAfter.toISOString()})`;
      if (principal !== undefined && !matchPatternList(principal, e.principals)) return `${where} names ${e.principals.join(',')}, not ${principal}`;
      return `${where} does not allow it`;
    });
    return reasons.join('; ');
  }
}

/** A checkpoint held elsewhere: origin, size, root, the exact text a signature covers, and that signature if given. */
export interface PriorCheckpoint {
  origin: string;
  size: number;
  /** Base64. */
  root: string;
  /** The checkpoint text (origin, size, root lines and any extension lines, each ending in a newline). */
  text: string;
  signature: string | null;
}

/**
 * Reads a --prior file: the three-line checkpoint (checkpoint.txt), optionally followed by its armoured
 * SSHSIG, or the one-line form `origin size root` a RESTRICTED run prints for the change ticket.
 * `signatureFile` is FILE.sig's text when it exists.
 */
export function parsePrior(prior: string, signatureFile: string | null = null): PriorCheckpoint {
  const at = prior.indexOf(SIGNATURE_BEGIN);
  const body = (at >= 0 ? prior.slice(0, at) : prior).trim();
  const signature = at >= 0 ? prior.slice(at) : signatureFile;
  const oneLine = /^(\S+) (0|[1-9]\d*) ([A-Za-z0-9+/]{43}=)$/.exec(body);
  let checkpoint: Checkpoint;
  try {
    checkpoint = oneLine
      ? parseCheckpoint(formatCheckpoint({ origin: oneLine[1] as string, size: Number(oneLine[2]), rootHash: Buffer.from(oneLine[3] as string, 'base64'), extensions: [] }))
      : parseCheckpoint(`${body}\n`);
  } catch (error) {
    throw new VerifyUsageError(`--prior: not a checkpoint (three lines, or one line "origin size root"): ${(error as Error).message}`);
  }
  return { origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.rootHash.toString('base64'), text: formatCheckpoint(checkpoint), signature };
}

export function tryParsePrior(prior: string): PriorCheckpoint | null {
  try {
    return parsePrior(prior);
  } catch {
    return null;
  }
}
