// OpenSSH allowed_signers files (ssh-keygen(1), ALLOWED SIGNERS): who may sign, with which key, for
// which namespaces and when. The verifier reads the same file an auditor would give `ssh-keygen -Y
// verify`, so both agree on whose signature a seal carries. Certificate authorities are parsed but never
// match: verifying OpenSSH certificates is out of scope, and a CA line must not vouch for a bare key.

export interface AllowedSigner {
  /** 1-based line in the file, for messages. */
  line: number;
  /** Principal patterns (ssh_config PATTERNS: `*`, `?`, `!` negation). */
  principals: string[];
  certAuthority: boolean;
  /** Namespace patterns the key may sign in; null when unrestricted. */
  namespaces: string[] | null;
  validAfter: Date | null;
  validBefore: Date | null;
  keyType: string;
  /** The key blob (SSH wire form). */
  publicKey: Buffer;
  comment: string;
}

export class AllowedSignersError extends Error {}

const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(-cert-v01@openssh\.com)?$/;

export interface AllowedSignerSpec {
  principals: string[];
  /** `type base64 [comment]`. */
  publicKey: string;
  namespaces?: string[];
  validAfter?: Date;
  validBefore?: Date;
}

/** One allowed_signers line (without newline) that ssh-keygen and parseAllowedSigners both read back as given. */
export function formatAllowedSigner(spec: AllowedSignerSpec): string {
  if (spec.principals.length === 0) throw new AllowedSignersError('an allowed signer needs at least one principal');
  for (const p of spec.principals) {
    if (p === '' || /[\s,"]/.test(p) || p.startsWith('#')) throw new AllowedSignersError(`principal ${JSON.stringify(p)} cannot be written (empty, or holds space, comma, quote or a leading #)`);
  }
  const options: string[] = [];
  if (spec.namespaces !== undefined) {
    if (spec.namespaces.length === 0) throw new AllowedSignersError('namespaces, when given, must not be empty');
    for (const n of spec.namespaces) if (n === '' || /[\s,"]/.test(n)) throw new AllowedSignersError(`namespace ${JSON.stringify(n)} cannot be written`);
    options.push(`namespaces="${spec.namespaces.join(',')}"`);
  }
  if (spec.validAfter) options.push(`valid-after="${formatTimestamp(spec.validAfter)}"`);
  if (spec.validBefore) options.push(`valid-before="${formatTimestamp(spec.validBefore)}"`);
  const key = spec.publicKey.trim();
  const [type, b64] = key.split(/\s+/);
  if (!type || !KEY_TYPE.test(type) || !b64) throw new AllowedSignersError(`not an SSH public key: ${JSON.stringify(key)}`);
  return [spec.principals.join(','), ...(options.length ? [options.join(',')] : []), key].join(' ');
}

export function parseAllowedSigners(text: string): AllowedSigner[] {
  const entries: AllowedSigner[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trimStart();
    if (line === '' || line.startsWith('#')) return;
    try {
      entries.push(parseLine(line, i + 1));
    } catch (err) {
      throw new AllowedSignersError(`allowed_signers line ${i + 1}: ${(err as Error).message}`);
    }
  });
  return entries;
}

function parseLine(line: string, lineNo: number): AllowedSigner {
  let rest = line;
  const take = (): string => {
    const token = readToken(rest);
    rest = rest.slice(token.length).trimStart();
    return token;
  };
  let principalsField = take();
  if (principalsField.startsWith('"')) principalsField = unquote(principalsField);
  const principals = principalsField.split(',');
  if (principals.some((p) => p === '')) throw new Error('empty principal');

  // Options are optional; as in ssh-keygen, whatever is not a key type where the key should start is options.
  const options = parseOptions(KEY_TYPE.test(readToken(rest)) ? '' : take());

  const keyType = take();
  if (!KEY_TYPE.test(keyType)) throw new Error(`unknown key type ${JSON.stringify(keyType)}`);
  const b64 = take();
  const publicKey = Buffer.from(b64, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || publicKey.toString('base64') !== b64) throw new Error('public key is not base64');
  if (publicKey.length < 4 || publicKey.subarray(4, 4 + publicKey.readUInt32BE(0)).toString('latin1') !== keyType) {
    throw new Error(`key blob is not a ${keyType} key`);
  }
  return { line: lineNo, principals, ...options, keyType, publicKey, comment: rest.trimEnd() };
}

/** The next whitespace-delimited token; whitespace inside double quotes does not end it. */
function readToken(text: string): string {
  let inQuotes = false;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === ' ' || c === '\t')) break;
  }
  if (inQuotes) throw new Error('unterminated quote');
  return text.slice(0, i);
}

/** Splits on commas outside double quotes. */
function splitOptions(field: string): string[] {
  const parts = [''];
  let inQuotes = false;
  for (const c of field) {
    if (c === '"') inQuotes = !inQuotes;
    if (c === ',' && !inQuotes) parts.push('');
    else parts[parts.length - 1] += c;
  }
  return parts;
}

function unquote(token: string): string {
  if (!/^"[^"]*"$/.test(token)) throw new Error(`badly quoted ${JSON.stringify(token)}`);
  return token.slice(1, -1);
}

function parseOptions(field: string): Pick<AllowedSigner, 'certAuthority' | 'namespaces' | 'validAfter' | 'validBefore'> {
  const out: Pick<AllowedSigner, 'certAuthority' | 'namespaces' | 'validAfter' | 'validBefore'> = { certAuthority: false, namespaces: null, validAfter: null, validBefore: null };
  if (field === '') return out;
  const seen = new Set<string>();
  for (const option of splitOptions(field)) {
    const m = /^([A-Za-z-]+)(?:=(.*))?$/s.exec(option);
    const name = m?.[1]?.toLowerCase();
    if (!m || !name) throw new Error(`bad option ${JSON.stringify(option)}`);
    if (seen.has(name)) throw new Error(`option ${name} given twice`);
    seen.add(name);
    const value = m[2];
    if (name === 'cert-authority' && value === undefined) out.certAuthority = true;
    else if (name === 'namespaces' && value !== undefined) out.namespaces = unquote(value).split(',');
    else if (name === 'valid-after' && value !== undefined) out.validAfter = parseTimestamp(unquote(value));
    else if (name === 'valid-before' && value !== undefined) out.validBefore = parseTimestamp(unquote(value));
    else throw new Error(`unknown option ${JSON.stringify(option)}`);
  }
  return out;
}

/** YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]; local time unless suffixed Z, as ssh-keygen reads it. */
export function parseTimestamp(text: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z?)$/.exec(text);
  if (!m) throw new Error(`bad timestamp ${JSON.stringify(text)} (YYYYMMDD[HHMM[SS]][Z])`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const date = m[7] ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : new Date(y, mo - 1, d, h, mi, s);
  const back = m[7] ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()] : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()];
  if (back.join() !== [y, mo, d, h, mi, s].join()) throw new Error(`timestamp ${JSON.stringify(text)} is not a real date`);
  return date;
}

function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-T:]/g, '')}Z`;
}

/** ssh's match_pattern_list: any negated pattern that matches rules the subject out; else any positive match. */
export function matchPatternList(subject: string, patterns: readonly string[]): boolean {
  let positive = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (globMatch(subject, negated ? pattern.slice(1) : pattern)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

function globMatch(subject: string, pattern: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(subject);
}

/** Whether this line allows this key in `namespace` at `at` (principals aside): no CA line, its namespaces (if any) match, within its validity. */
export function usable(entry: AllowedSigner, publicKey: Buffer, namespace: string, at: Date): boolean {
  if (entry.certAuthority || !entry.publicKey.equals(publicKey)) return false;
  if (entry.namespaces && !matchPatternList(namespace, entry.namespaces)) return false;
  if (entry.validAfter && at < entry.validAfter) return false;
  if (entry.validBefore && at > entry.validBefore) return false;
  return true;
}

/** Like `ssh-keygen -Y find-principals`: the principal fields of every line that allows this key here and now. */
export function findPrincipals(entries: readonly AllowedSigner[], publicKey: Buffer, namespace: string, at: Date = new Date()): string[] {
  return entries.filter((e) => usable(e, publicKey, namespace, at)).map((e) => e.principals.join(','));
}

/** Like `ssh-keygen -Y verify -I principal`'s check: some line names this principal and allows this key. */
export function isAllowedSigner(entries: readonly AllowedSigner[], principal: string, publicKey: Buffer, namespace: string, at: Date = new Date()): boolean {
  return entries.some((e) => matchPatternList(principal, e.principals) && usable(e, publicKey, namespace, at));
}
