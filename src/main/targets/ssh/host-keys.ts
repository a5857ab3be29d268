// OpenSSH known_hosts files: parsing, host matching (plain patterns, wildcards, negation, hashed `|1|`
// entries, the `[host]:port` form) and SHA-256 fingerprints exactly as `ssh-keygen -l` prints them, so an
// operator can compare what we report with what OpenSSH reports for the same key.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type KnownHostMarker = 'cert-authority' | 'revoked' | null;

type HostField =
  | { kind: 'hashed'; salt: Buffer; hash: Buffer }
  | { kind: 'patterns'; patterns: string[] };

export interface KnownHostEntry {
  file: string;
  /** 1-based line number, for messages an operator can act on. */
  line: number;
  marker: KnownHostMarker;
  hosts: HostField;
  keyType: string;
  /** The public key blob in SSH wire format (what the server sends during key exchange). */
  key: Buffer;
}

export interface KnownHostsFile {
  entries: KnownHostEntry[];
  /** "FILE:LINE: reason" for lines that were skipped. */
  problems: string[];
}

/** `SHA256:` + unpadded base64 of the SHA-256 of the key blob: ssh-keygen's format. */
export function fingerprintSha256(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name a key blob starts with (e.g. ssh-ed25519), or null when the blob is malformed. */
export function keyTypeOf(key: Buffer): string | null {
  if (key.length < 4) return null;
  const length = key.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > key.length) return null;
  return key.subarray(4, 4 + length).toString('latin1');
}

/**
 * The name OpenSSH looks a host up by: the bare host on port 22, `[host]:port` elsewhere. Lower-cased,
 * as OpenSSH lower-cases host names before matching.
 */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

function parseHostField(field: string): HostField | string {
  if (field.startsWith('|1|')) {
    const [salt, hash] = field.slice(3).split('|');
    if (!salt || !hash) return 'malformed hashed host name';
    const saltBytes = Buffer.from(salt, 'base64');
    const hashBytes = Buffer.from(hash, 'base64');
    if (saltBytes.length !== 20 || hashBytes.length !== 20) return 'malformed hashed host name';
    return { kind: 'hashed', salt: saltBytes, hash: hashBytes };
  }
  if (field.startsWith('|')) return 'unsupported host name hash';
  const patterns = field.split(',').filter((p) => p.length > 0);
  if (patterns.length === 0) return 'no host names';
  return { kind: 'patterns', patterns: patterns.map((p) => p.toLowerCase()) };
}

export function parseKnownHosts(text: string, file: string): KnownHostsFile {
  const entries: KnownHostEntry[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostMarker = null;
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@cert-authority') marker = 'cert-authority';
      else if (name === '@revoked') marker = 'revoked';
      else {
        problems.push(`${file}:${index + 1}: unknown marker ${name}`);
        return;
      }
    }
    const [hostField, keyType, keyBase64] = fields;
    if (!hostField || !keyType || !keyBase64) {
      problems.push(`${file}:${index + 1}: expected "hosts key-type base64-key"`);
      return;
    }
    const hosts = parseHostField(hostField);
    if (typeof hosts === 'string') {
      problems.push(`${file}:${index + 1}: ${hosts}`);
      return;
    }
    const key = Buffer.from(keyBase64, 'base64');
    // A key whose blob names another algorithm than its line does is corrupt (or tampered with): skip it.
    if (keyTypeOf(key) !== keyType) {
      problems.push(`${file}:${index + 1}: the ${keyType} key does not decode to a ${keyType} key`);
      return;
    }
    entries.push({ file, line: index + 1, marker, hosts, keyType, key });
  });
  return { entries, problems };
}

/** OpenSSH's pattern language for host names: `*` and `?` are wildcards, everything else is literal. */
function wildcardMatch(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(name);
}

export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  const hosts = entry.hosts;
  if (hosts.kind === 'hashed') {
    const digest = createHmac('sha1', hosts.salt).update(name).digest();
    return timingSafeEqual(digest, hosts.hash);
  }
  let matched = false;
  for (const pattern of hosts.patterns) {
    // A negated pattern that matches excludes the host from this line whatever else matches.
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * Reads known_hosts files. A missing file counts as empty (the usual state before a first connection);
 * any other read error is thrown, naming the file: an unreadable file must not turn known hosts into
 * unknown ones that an operator might then trust.
 */
export function loadKnownHosts(files: readonly string[]): KnownHostsFile & { missing: string[] } {
  const entries: KnownHostEntry[] = [];
  const problems: string[] = [];
  const missing: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        missing.push(file);
        continue;
      }
      throw new Error(`cannot read known_hosts file ${file}: ${(error as Error).message}`);
    }
    const parsed = parseKnownHosts(text, file);
    entries.push(...parsed.entries);
    problems.push(...parsed.problems);
  }
  return { entries, problems, missing };
}
