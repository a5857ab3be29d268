// SSH public keys and signatures in their wire form (RFC 4253, RFC 5656, RFC 8332, RFC 8709 and OpenSSH's
// PROTOCOL.u2f), turned into node:crypto keys so signatures are checked by OpenSSL, not by code here.
// Verification covers every key type `ssh-keygen -Y sign` can produce a signature with, including FIDO
// (sk-) keys, because those are signed through ssh-keygen and still have to verify offline.
import { type KeyObject, createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { SshReader, mpint, mpintToFixed, sshString } from './ssh-wire.js';

export type SshKeyType =
  | 'ssh-ed25519'
  | 'ssh-rsa'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'ecdsa-sha2-nistp521'
  | 'sk-ssh-ed25519@openssh.com'
  | 'sk-ecdsa-sha2-nistp256@openssh.com';

export interface SshPublicKey {
  type: SshKeyType;
  /** The key in SSH wire form: what SSHSIG embeds and allowed_signers lines hold in base64. */
  blob: Buffer;
  key: KeyObject;
  /** FIDO keys only: the relying-party id the key was made for (normally "ssh:"). */
  application?: string;
}

export class SshKeyError extends Error {}

/** OpenSSH refuses RSA keys below this size (SSH_RSA_MINIMUM_MODULUS_SIZE); so does this module. */
export const RSA_MINIMUM_BITS = 1024;

const CURVES = {
  nistp256: { crv: 'P-256', bytes: 32, hash: 'sha256' },
  nistp384: { crv: 'P-384', bytes: 48, hash: 'sha384' },
  nistp521: { crv: 'P-521', bytes: 66, hash: 'sha512' },
} as const;
type CurveName = keyof typeof CURVES;

const b64url = (b: Buffer) => b.toString('base64url');

function unsigned(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  return value.subarray(start);
}

function ecKey(curve: CurveName, point: Buffer): KeyObject {
  const { crv, bytes } = CURVES[curve];
  if (point.length !== 1 + 2 * bytes || point[0] !== 0x04) throw new SshKeyError(`${curve} public point is not an uncompressed point`);
  return createPublicKey({ format: 'jwk', key: { kty: 'EC', crv, x: b64url(point.subarray(1, 1 + bytes)), y: b64url(point.subarray(1 + bytes)) } });
}

function ed25519Key(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new SshKeyError(`Ed25519 public key is ${raw.length} bytes, not 32`);
  return createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) } });
}

/** Parses a public key blob; node:crypto rejects points off the curve and similar nonsense. */
export function parsePublicKeyBlob(blob: Buffer): SshPublicKey {
  try {
    const r = new SshReader(blob);
    const type = r.text('key type');
    let parsed: SshPublicKey;
    switch (type) {
      case 'ssh-ed25519':
        parsed = { type, blob, key: ed25519Key(r.string('Ed25519 key')) };
        break;
      case 'ssh-rsa': {
        const e = r.string('RSA exponent');
        const n = r.string('RSA modulus');
        const key = createPublicKey({ format: 'jwk', key: { kty: 'RSA', e: b64url(unsigned(e)), n: b64url(unsigned(n)) } });
        const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
        if (bits < RSA_MINIMUM_BITS) throw new SshKeyError(`RSA key of ${bits} bits is below the ${RSA_MINIMUM_BITS}-bit minimum`);
        parsed = { type, blob, key };
        break;
      }
      case 'ecdsa-sha2-nistp256':
      case 'ecdsa-sha2-nistp384':
      case 'ecdsa-sha2-nistp521': {
        const curve = type.slice('ecdsa-sha2-'.length) as CurveName;
        if (r.text('curve name') !== curve) throw new SshKeyError(`${type} key names another curve`);
        parsed = { type, blob, key: ecKey(curve, r.string('EC point')) };
        break;
      }
      case 'sk-ssh-ed25519@openssh.com':
        parsed = { type, blob, key: ed25519Key(r.string('Ed25519 key')), application: r.text('application') };
        break;
      case 'sk-ecdsa-sha2-nistp256@openssh.com':
        if (r.text('curve name') !== 'nistp256') throw new SshKeyError(`${type} key names another curve`);
        parsed = { type, blob, key: ecKey('nistp256', r.string('EC point')), application: r.text('application') };
        break;
      default:
        throw new SshKeyError(`unsupported SSH key type ${JSON.stringify(type)}`);
    }
    r.end('public key');
    return parsed;
  } catch (err) {
    if (err instanceof SshKeyError) throw err;
    throw new SshKeyError(`malformed SSH public key: ${(err as Error).message}`);
  }
}

/** Parses `type base64 [comment]` (an authorized_keys line without options, or a .pub file). */
export function parsePublicKeyLine(line: string): SshPublicKey & { comment: string } {
  const m = /^\s*(\S+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+(.*?))?\s*$/.exec(line);
  if (!m) throw new SshKeyError('not an SSH public key line ("type base64 [comment]")');
  const blob = Buffer.from(m[2] as string, 'base64');
  if (blob.toString('base64') !== m[2]) throw new SshKeyError('public key is not canonical base64');
  const key = parsePublicKeyBlob(blob);
  if (key.type !== m[1]) throw new SshKeyError(`line says ${m[1]} but the key is ${key.type}`);
  return { ...key, comment: m[3] ?? '' };
}

export function formatPublicKeyLine(blob: Buffer, comment = ''): string {
  const { type } = parsePublicKeyBlob(blob);
  return `${type} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`;
}

/** OpenSSH's default fingerprint: SHA256:<unpadded base64 of SHA-256(blob)>. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export interface SignatureCheckOptions {
  /**
   * FIDO keys: demand the authenticator's user-presence flag (a touch). Off by default because
   * `ssh-keygen -Y verify` does not demand it either (keys made with no-touch-required never set it),
   * and the two verifiers must agree; turn it on where policy wants proof of a touch.
   */
  requireUserPresence?: boolean;
}

export type SignatureCheck = { ok: true; algorithm: string } | { ok: false; reason: string };

const SK_USER_PRESENT = 0x01;

/** RSA signature algorithms SSHSIG accepts; SHA-1 `ssh-rsa` signatures are refused as in ssh-keygen. */
const RSA_ALGORITHMS = { 'rsa-sha2-512': 'sha512', 'rsa-sha2-256': 'sha256' } as const;

/** Checks an SSH signature blob (string algorithm, signature fields) over `data` under `key`. */
export function verifySshSignature(key: SshPublicKey, signature: Buffer, data: Buffer, options: SignatureCheckOptions = {}): SignatureCheck {
  try {
    const r = new SshReader(signature);
    const algorithm = r.text('signature algorithm');
    const bad = (reason: string): SignatureCheck => ({ ok: false, reason });
    switch (key.type) {
      case 'ssh-ed25519': {
        if (algorithm !== key.type) return bad(`an ${key.type} key cannot make a ${algorithm} signature`);
        const sig = r.string('Ed25519 signature');
        r.end('signature');
        return cryptoVerify(null, data, key.key, sig) ? { ok: true, algorithm } : bad('signature does not match');
      }
      case 'ssh-rsa': {
        const hash = RSA_ALGORITHMS[algorithm as keyof typeof RSA_ALGORITHMS];
        if (!hash) return bad(`RSA signature algorithm ${algorithm} is not accepted (rsa-sha2-512 or rsa-sha2-256 only)`);
        let sig = r.string('RSA signature');
        r.end('signature');
        // Some signers drop leading zero bytes; OpenSSH pads them back, so do the same.
        const width = Math.ceil((key.key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
        if (sig.length > width) return bad('RSA signature is longer than the modulus');
        sig = Buffer.concat([Buffer.alloc(width - sig.length), sig]);
        return cryptoVerify(hash, data, key.key, sig) ? { ok: true, algorithm } : bad('signature does not match');
      }
      case 'ecdsa-sha2-nistp256':
      case 'ecdsa-sha2-nistp384':
      case 'ecdsa-sha2-nistp521': {
        if (algorithm !== key.type) return bad(`an ${key.type} key cannot make a ${algorithm} signature`);
        const curve = CURVES[key.type.slice('ecdsa-sha2-'.length) as CurveName];
        const sig = ecdsaSignature(r.string('ECDSA signature'), curve.bytes);
        r.end('signature');
        return cryptoVerify(curve.hash, data, { key: key.key, dsaEncoding: 'ieee-p1363' }, sig) ? { ok: true, algorithm } : bad('signature does not match');
      }
      case 'sk-ssh-ed25519@openssh.com':
      case 'sk-ecdsa-sha2-nistp256@openssh.com': {
        if (algorithm !== key.type) return bad(`an ${key.type} key cannot make a ${algorithm} signature`);
        const inner = r.string('FIDO signature');
        const flags = r.byte('FIDO flags');
        const counter = r.bytes(4, 'FIDO counter');
        r.end('signature');
        if (options.requireUserPresence && !(flags & SK_USER_PRESENT)) return bad('FIDO signature was made without user presence (no touch)');
        // PROTOCOL.u2f: the authenticator signs SHA-256(application) ‖ flags ‖ counter ‖ SHA-256(message).
        const signed = Buffer.concat([
          createHash('sha256').update(key.application ?? '').digest(),
          Buffer.of(flags),
          counter,
          createHash('sha256').update(data).digest(),
        ]);
        const ok =
          key.type === 'sk-ssh-ed25519@openssh.com'
            ? cryptoVerify(null, signed, key.key, inner)
            : cryptoVerify('sha256', signed, { key: key.key, dsaEncoding: 'ieee-p1363' }, ecdsaSignature(inner, CURVES.nistp256.bytes));
        return ok ? { ok: true, algorithm } : bad('signature does not match');
      }
    }
  } catch (err) {
    return { ok: false, reason: `malformed signature: ${(err as Error).message}` };
  }
}

/** ECDSA's SSH form (mpint r, mpint s) as the fixed-width r ‖ s that node:crypto's ieee-p1363 mode takes. */
function ecdsaSignature(blob: Buffer, width: number): Buffer {
  const r = new SshReader(blob);
  const out = Buffer.concat([mpintToFixed(r.string('ECDSA r'), width, 'ECDSA r'), mpintToFixed(r.string('ECDSA s'), width, 'ECDSA s')]);
  r.end('ECDSA signature');
  return out;
}

/** Wraps a raw signature from node:crypto in its SSH form for a key of `type`. */
export function encodeSignature(type: SshKeyType, raw: Buffer, rsaAlgorithm: keyof typeof RSA_ALGORITHMS = 'rsa-sha2-512'): Buffer {
  switch (type) {
    case 'ssh-ed25519':
      return Buffer.concat([sshString(type), sshString(raw)]);
    case 'ssh-rsa':
      return Buffer.concat([sshString(rsaAlgorithm), sshString(raw)]);
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      const half = raw.length / 2;
      return Buffer.concat([sshString(type), sshString(Buffer.concat([mpint(raw.subarray(0, half)), mpint(raw.subarray(half))]))]);
    }
    default:
      throw new SshKeyError(`${type} signatures come from the authenticator whole; they cannot be assembled here`);
  }
}

/** The node:crypto hash a key type signs with (null: the algorithm hashes internally, as Ed25519 does). */
export function signingHash(type: SshKeyType): 'sha256' | 'sha384' | 'sha512' | null {
  switch (type) {
    case 'ssh-ed25519':
      return null;
    case 'ssh-rsa':
      return 'sha512';
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
      return CURVES[type.slice('ecdsa-sha2-'.length) as CurveName].hash;
    default:
      throw new SshKeyError(`${type} keys sign inside their authenticator`);
  }
}
