// OpenSSH's SSHSIG signature format (PROTOCOL.sshsig), so a sealed journal's checkpoint can be checked
// with nothing but `ssh-keygen -Y verify` and an allowed_signers file. Output is byte-for-byte what
// `ssh-keygen -Y sign` writes (SHA-512 message hash, rsa-sha2-512 for RSA, base64 wrapped at 70 columns).
import { createHash } from 'node:crypto';
import { type SignatureCheckOptions, type SshPublicKey, SshKeyError, fingerprint, parsePublicKeyBlob, parsePublicKeyLine, verifySshSignature } from './ssh-keys.js';
import { SshReader, sshString, uint32 } from './ssh-wire.js';

const MAGIC = Buffer.from('SSHSIG', 'ascii');
const VERSION = 1;
const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';
/** ssh-keygen's sshbuf_dtob64 line length. */
const WRAP = 70;

export type SshsigHash = 'sha256' | 'sha512';
/** What ssh-keygen uses and all this module signs with. */
export const SSHSIG_HASH: SshsigHash = 'sha512';

export interface Sshsig {
  /** The signer's public key blob. */
  publicKey: Buffer;
  namespace: string;
  hashAlgorithm: SshsigHash;
  /** SSH signature blob: string algorithm, then the algorithm's fields. */
  signature: Buffer;
}

/** Signs with a key whose signature we assemble ourselves (key file, ssh-agent). */
export interface SshRawSigner {
  /** Public key blob in SSH wire form. */
  readonly publicKey: Buffer;
  /** Returns the SSH signature blob over `data` (rsa-sha2-512 for RSA keys). */
  sign(data: Buffer): Promise<Buffer>;
}

/** Produces a whole armoured SSHSIG itself (ssh-keygen for FIDO keys, which only it can drive). */
export interface SshsigProducer {
  signSshsig(data: Buffer, namespace: string): Promise<string>;
}

export type SshsigSigner = SshRawSigner | SshsigProducer;

export type SshsigErrorCode = 'armour' | 'format' | 'version' | 'namespace' | 'hash-algorithm' | 'key-mismatch' | 'unsupported-key' | 'signature';

export class SshsigError extends Error {
  constructor(
    readonly code: SshsigErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SshsigError';
  }
}

export type SshsigVerification =
  | { ok: true; publicKey: Buffer; fingerprint: string; namespace: string }
  | { ok: false; code: SshsigErrorCode; message: string };

function checkNamespace(namespace: string): void {
  // PROTOCOL.sshsig: the namespace MUST NOT be empty; it is what stops a signature being replayed elsewhere.
  if (namespace === '') throw new SshsigError('namespace', 'SSHSIG namespace must not be empty');
}

/** The message hash the signature actually covers: MAGIC ‖ namespace ‖ reserved ‖ hash algorithm ‖ H(data). */
export function sshsigSignedData(namespace: string, hashAlgorithm: SshsigHash, data: Buffer): Buffer {
  return sshsigSignedDigest(namespace, hashAlgorithm, createHash(hashAlgorithm).update(data).digest());
}

/** The same, given H(data) already (a verifier that hashes a large file a chunk at a time). */
export function sshsigSignedDigest(namespace: string, hashAlgorithm: SshsigHash, digest: Buffer): Buffer {
  return Buffer.concat([MAGIC, sshString(namespace), sshString(''), sshString(hashAlgorithm), sshString(digest)]);
}

export function encodeSshsig(sig: Sshsig): Buffer {
  return Buffer.concat([MAGIC, uint32(VERSION), sshString(sig.publicKey), sshString(sig.namespace), sshString(''), sshString(sig.hashAlgorithm), sshString(sig.signature)]);
}

export function armorSshsig(blob: Buffer): string {
  const b64 = blob.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += WRAP) lines.push(b64.slice(i, i + WRAP));
  return `${BEGIN}\n${lines.join('\n')}\n${END}\n`;
}

/** The blob inside the armour. Strict: exact header and footer, base64 lines only, one optional final newline. */
export function dearmorSshsig(armored: string): Buffer {
  const text = armored.endsWith('\n') ? armored.slice(0, -1) : armored;
  const lines = text.split('\n');
  if (lines[0] !== BEGIN) throw new SshsigError('armour', `signature must start with "${BEGIN}"`);
  if (lines.length < 3 || lines[lines.length - 1] !== END) throw new SshsigError('armour', `signature must end with "${END}"`);
  const body = lines.slice(1, -1);
  const b64 = body.join('');
  if (body.some((l) => l === '' || !/^[A-Za-z0-9+/=]+$/.test(l))) throw new SshsigError('armour', 'signature armour holds something other than base64 lines');
  const blob = Buffer.from(b64, 'base64');
  if (blob.toString('base64') !== b64) throw new SshsigError('armour', 'signature armour is not canonical base64 (altered or truncated)');
  return blob;
}

export function decodeSshsig(blob: Buffer): Sshsig {
  try {
    const r = new SshReader(blob);
    if (!r.bytes(MAGIC.length, 'magic').equals(MAGIC)) throw new SshsigError('format', 'not an SSHSIG blob (bad magic)');
    const version = r.uint32('version');
    if (version !== VERSION) throw new SshsigError('version', `SSHSIG version ${version} is not supported (only ${VERSION})`);
    const publicKey = Buffer.from(r.string('public key'));
    const namespace = r.text('namespace');
    r.string('reserved');
    const hashAlgorithm = r.text('hash algorithm');
    if (hashAlgorithm !== 'sha256' && hashAlgorithm !== 'sha512') throw new SshsigError('hash-algorithm', `SSHSIG hash algorithm ${JSON.stringify(hashAlgorithm)} is not sha256 or sha512`);
    const signature = Buffer.from(r.string('signature'));
    r.end('SSHSIG blob');
    return { publicKey, namespace, hashAlgorithm, signature };
  } catch (err) {
    if (err instanceof SshsigError) throw err;
    throw new SshsigError('format', `malformed SSHSIG blob: ${(err as Error).message}`);
  }
}

export function parseSshsig(armored: string): Sshsig {
  return decodeSshsig(dearmorSshsig(armored));
}

function isRawSigner(signer: SshsigSigner): signer is SshRawSigner {
  return 'publicKey' in signer && typeof (signer as SshRawSigner).sign === 'function';
}

/**
 * Signs `data` under `namespace`. Every signature is verified before it is returned: an agent that
 * ignored the SHA-512 flag, or an ssh-keygen that signed something else, fails here rather than
 * leaving a seal nobody can verify.
 */
export async function signSshsig(data: Buffer, namespace: string, signer: SshsigSigner): Promise<string> {
  checkNamespace(namespace);
  let armored: string;
  let publicKey: Buffer;
  if (isRawSigner(signer)) {
    publicKey = signer.publicKey;
    const signature = await signer.sign(sshsigSignedData(namespace, SSHSIG_HASH, data));
    armored = armorSshsig(encodeSshsig({ publicKey, namespace, hashAlgorithm: SSHSIG_HASH, signature }));
  } else {
    armored = await signer.signSshsig(data, namespace);
    publicKey = parseSshsig(armored).publicKey;
  }
  const check = verifySshsig(data, armored, namespace, publicKey);
  if (!check.ok) throw new SshsigError(check.code, `the signer produced a signature that does not verify: ${check.message}`);
  return armored;
}

/**
 * Verifies an armoured SSHSIG over `data` in `namespace` by `publicKey` (a `type base64 [comment]` line
 * or a key blob). Never throws for a bad signature; says why instead.
 */
export function verifySshsig(data: Buffer, armored: string, namespace: string, publicKey: string | Buffer, options: SignatureCheckOptions = {}): SshsigVerification {
  const fail = (code: SshsigErrorCode, message: string): SshsigVerification => ({ ok: false, code, message });
  let expected: SshPublicKey;
  try {
    expected = typeof publicKey === 'string' ? parsePublicKeyLine(publicKey) : parsePublicKeyBlob(publicKey);
  } catch (err) {
    return fail('unsupported-key', `the expected public key is unusable: ${(err as Error).message}`);
  }
  let sig: Sshsig;
  try {
    checkNamespace(namespace);
    sig = parseSshsig(armored);
  } catch (err) {
    if (err instanceof SshsigError) return fail(err.code, err.message);
    throw err;
  }
  if (sig.namespace !== namespace) return fail('namespace', `signature is for namespace ${JSON.stringify(sig.namespace)}, not ${JSON.stringify(namespace)}`);
  if (!sig.publicKey.equals(expected.blob)) {
    return fail('key-mismatch', `signature was made by ${describeKey(sig.publicKey)}, not the expected ${fingerprint(expected.blob)}`);
  }
  const check = verifySshSignature(expected, sig.signature, sshsigSignedData(sig.namespace, sig.hashAlgorithm, data), options);
  if (!check.ok) return fail('signature', `signature does not verify: ${check.reason}`);
  return { ok: true, publicKey: expected.blob, fingerprint: fingerprint(expected.blob), namespace };
}

function describeKey(blob: Buffer): string {
  try {
    return `${parsePublicKeyBlob(blob).type} ${fingerprint(blob)}`;
  } catch (err) {
    if (err instanceof SshKeyError) return `an unusable key (${err.message})`;
    throw err;
  }
}
