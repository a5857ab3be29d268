// The host-key decision, kept pure so every branch can be tested without a server:
//   revoked key or changed key (known_hosts holds other keys for the host, or the pin differs) → refused,
//   always, no question; a key that matches known_hosts or the pin → accepted; anything else → unknown,
//   which only the operator can turn into "trusted".
import { type KnownHostEntry, entryMatchesHost, fingerprintSha256, keyTypeOf } from './host-keys.js';

export interface HostKeySubject {
  /** What known_hosts is searched for: `host` or `[host]:port` (or a HostKeyAlias). */
  lookupName: string;
  /** How messages name the host: `host:port`. */
  display: string;
  /** Entries of every known_hosts file consulted (not yet filtered by host). */
  entries: readonly KnownHostEntry[];
  /** Files consulted, for messages. */
  files: readonly string[];
  /** Pinned fingerprint (`SHA256:…`), if the target has one. */
  pinned?: string | undefined;
}

export type HostKeyVerdict =
  | { kind: 'known'; note: string }
  | { kind: 'unknown'; fingerprint: string; keyType: string }
  | { kind: 'refused'; error: string };

function describe(key: Buffer): string {
  return `${fingerprintSha256(key)} (${keyTypeOf(key) ?? 'unknown type'})`;
}

/** Entries that speak for this host: its plain keys and revocations (CA lines need certificates, which we do not use). */
export function entriesForHost(entries: readonly KnownHostEntry[], lookupName: string): KnownHostEntry[] {
  return entries.filter((e) => e.marker !== 'cert-authority' && entryMatchesHost(e, lookupName));
}

export function judgeHostKey(presented: Buffer, subject: HostKeySubject): HostKeyVerdict {
  const fingerprint = fingerprintSha256(presented);
  const keyType = keyTypeOf(presented) ?? 'unknown type';
  const forHost = entriesForHost(subject.entries, subject.lookupName);

  const revoked = subject.entries.find((e) => e.marker === 'revoked' && e.key.equals(presented));
  if (revoked) {
    return { kind: 'refused', error: `host key ${fingerprint} (${keyType}) of ${subject.display} is marked @revoked in ${revoked.file}:${revoked.line}; refusing to connect` };
  }
  if (subject.pinned !== undefined && subject.pinned.replace(/=$/, '') !== fingerprint) {
    return {
      kind: 'refused',
      error: `host key of ${subject.display} does not match the pinned fingerprint: the server presented ${fingerprint} (${keyType}), the target pins ${subject.pinned}; refusing to connect (a man-in-the-middle, or a reinstalled host: check before changing the pin)`,
    };
  }
  const plain = forHost.filter((e) => e.marker === null);
  const match = plain.find((e) => e.key.equals(presented));
  if (match) {
    return { kind: 'known', note: `host key ${fingerprint} (${keyType}) of ${subject.display} matched ${match.file}:${match.line}` };
  }
  if (plain.length > 0) {
    // Any other key on record for this host, even of another type, means the host's identity changed as far
    // as we can tell (we ask for the recorded types first, so a genuine server presents one of those).
    const [first] = plain;
    const more = plain.length > 1 ? ` (and ${plain.length - 1} more)` : '';
    return {
      kind: 'refused',
      error: `host key of ${subject.display} has CHANGED: the server presented ${fingerprint} (${keyType}), but ${first!.file}:${first!.line} records ${describe(first!.key)}${more}; refusing to connect (a man-in-the-middle, or a reinstalled host: check, then update ${first!.file})`,
    };
  }
  if (subject.pinned !== undefined) {
    return { kind: 'known', note: `host key ${fingerprint} (${keyType}) of ${subject.display} matched the pinned fingerprint` };
  }
  return { kind: 'unknown', fingerprint, keyType };
}

/** ssh2's names for the host-key algorithms a known_hosts key type can be presented with. */
const ALGORITHMS_FOR_KEY_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ssh-dss': ['ssh-dss'],
};

/** ssh2's default preference order (ssh-dss left out, as OpenSSH does by default). */
const DEFAULT_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/**
 * Host-key algorithms with the types already recorded for this host first, as OpenSSH orders them: a server
 * with several host keys then presents the one we can check instead of one we would have to ask about.
 * Undefined (ssh2's defaults) when nothing is recorded.
 */
export function hostKeyAlgorithms(recordedTypes: Iterable<string>): string[] | undefined {
  const preferred: string[] = [];
  for (const type of recordedTypes) {
    for (const algorithm of ALGORITHMS_FOR_KEY_TYPE[type] ?? []) if (!preferred.includes(algorithm)) preferred.push(algorithm);
  }
  if (preferred.length === 0) return undefined;
  return [...preferred, ...DEFAULT_ALGORITHMS.filter((a) => !preferred.includes(a))];
}
