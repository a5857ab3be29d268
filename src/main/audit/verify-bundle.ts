// An evidence bundle is checked for everything it ships, before its journal:
//
// * SHA256SUMS lists every file (SHA256SUMS and SHA256SUMS.sig aside) once, in the order export writes it
//   (ascending by UTF-16 code units, as JavaScript sorts), as `<sha256>  <path>` lines; every file listed is
//   a regular file that matches; a file present but not listed, a symbolic link, or a file listed but
//   missing fails (E_BUNDLE). journal.jsonl, report.json, report.json.sig and report.html must be there.
//   Checked with per-line state only: listed paths strictly ascend, so none is listed twice, and once every
//   listed file is found the bundle holds no other file exactly when it holds as many files as are listed.
// * SHA256SUMS.sig and report.json.sig are SSHSIGs (namespace runbook-console-audit) by one key, the key
//   that signed the export. Whose key that is is the anchors' to say (verify.ts).
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { open, opendir } from 'node:fs/promises';
import path from 'node:path';
import { hashFile } from './blobs.js';
import { fail } from './reasons.js';
import { JOURNAL_FILE } from './record.js';
import { fingerprint, parsePublicKeyBlob, verifySshSignature } from './ssh-keys.js';
import { type Sshsig, SshsigError, parseSshsig, sshsigSignedDigest } from './sshsig.js';

export const SUMS_FILE = 'SHA256SUMS';
export const SUMS_SIG_FILE = `${SUMS_FILE}.sig`;
export const REPORT_JSON = 'report.json';
export const REPORT_HTML = 'report.html';
export const REPORT_SIG = 'report.json.sig';
/** Namespace of the operator's signatures on a bundle (export.ts signs with it). */
export const BUNDLE_NAMESPACE = 'runbook-console-audit';
/** Files every bundle holds (SHA256SUMS.sig besides, which SHA256SUMS cannot list). */
export const BUNDLE_REQUIRED = [JOURNAL_FILE, REPORT_JSON, REPORT_SIG, REPORT_HTML] as const;

const SUMS_LINE = /^([0-9a-f]{64}) [ *](.+)$/;

/** Whether `name` is a plain relative path inside the bundle (no empty, `.` or `..` part, no backslash or control character). */
function plainPath(name: string): boolean {
  if (/[\\\u0000-\u001f\u007f]/.test(name) || name.startsWith('/')) return false;
  return name.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** Calls `onLine` with each line of `file` (without its LF), reading a chunk at a time; returns the bytes after the last LF. */
async function eachLine(file: string, onLine: (line: string, n: number) => Promise<void>): Promise<string> {
  const handle = await open(file, 'r');
  try {
    let pending = '';
    let n = 0;
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const chunk = Buffer.alloc(1 << 16);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      pending += decoder.decode(chunk.subarray(0, bytesRead), { stream: true });
      let end = pending.indexOf('\n');
      while (end >= 0) {
        await onLine(pending.slice(0, end), ++n);
        pending = pending.slice(end + 1);
        end = pending.indexOf('\n');
      }
    }
    return pending + decoder.decode();
  } finally {
    await handle.close();
  }
}

/** Every regular file under `dir` (relative, `/`-separated), a directory at a time; anything else fails E_BUNDLE. */
async function walk(dir: string, prefix: string, onFile: (name: string) => void): Promise<void> {
  for await (const entry of await opendir(path.join(dir, prefix))) {
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory()) await walk(dir, `${name}/`, onFile);
    else if (entry.isFile()) onFile(name);
    else fail('E_BUNDLE', `${name} is ${entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}: a bundle holds only files`);
  }
}

const shipped = (name: string) => name !== SUMS_FILE && name !== SUMS_SIG_FILE;

/** SHA256SUMS against the files (see the head of this file); throws E_BUNDLE. */
export async function checkBundleFiles(dir: string): Promise<{ files: number }> {
  let previous: string | null = null;
  let listed = 0;
  const required = new Set<string>(BUNDLE_REQUIRED);
  const tail = await eachLine(path.join(dir, SUMS_FILE), async (line, n) => {
    const m = SUMS_LINE.exec(line);
    if (!m) fail('E_BUNDLE', `${SUMS_FILE} line ${n} is not "<sha256>  <file>"`);
    const [, sha, name] = m as unknown as [string, string, string];
    if (!plainPath(name)) fail('E_BUNDLE', `${SUMS_FILE} line ${n} names ${JSON.stringify(name)}, which is not a plain path inside the bundle`);
    if (!shipped(name)) fail('E_BUNDLE', `${SUMS_FILE} line ${n} lists ${name}, which it cannot cover`);
    if (previous !== null && !(previous < name)) {
      fail('E_BUNDLE', previous === name ? `${SUMS_FILE} lists ${name} twice` : `${SUMS_FILE} line ${n} (${name}) is out of order: export lists files sorted`);
    }
    previous = name;
    const file = path.join(dir, name);
    let stat;
    try {
      stat = lstatSync(file);
    } catch {
      fail('E_BUNDLE', `${name} is listed in ${SUMS_FILE} but missing`);
    }
    if (!stat.isFile()) fail('E_BUNDLE', `${name} is listed in ${SUMS_FILE} but is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}`);
    if ((await hashFile(file)).sha256 !== sha) fail('E_BUNDLE', `${name} does not match ${SUMS_FILE}`);
    required.delete(name);
    listed++;
  });
  if (tail !== '') fail('E_BUNDLE', `${SUMS_FILE} does not end with a newline`);
  const sig = path.join(dir, SUMS_SIG_FILE);
  if (!existsSync(sig) || !lstatSync(sig).isFile()) fail('E_BUNDLE', `${SUMS_SIG_FILE} is missing: nothing says who vouches for ${SUMS_FILE}`);
  for (const name of BUNDLE_REQUIRED) if (required.has(name)) fail('E_BUNDLE', `${name} is ${existsSync(path.join(dir, name)) ? `not listed in ${SUMS_FILE}` : 'missing from the bundle'}`);
  let present = 0;
  await walk(dir, '', (name) => {
    if (shipped(name)) present++;
  });
  if (present !== listed) {
    // Only on the way to a failure: name a file that is not listed.
    const names = new Set<string>();
    await eachLine(path.join(dir, SUMS_FILE), async (line) => {
      names.add((SUMS_LINE.exec(line) as RegExpExecArray)[2] as string);
    });
    let unlisted: string | null = null;
    await walk(dir, '', (name) => {
      if (shipped(name) && !names.has(name) && unlisted === null) unlisted = name;
    });
    fail('E_BUNDLE', `${unlisted ?? 'a file'} is in the bundle but not listed in ${SUMS_FILE}`);
  }
  return { files: listed };
}

/** The key that signed the bundle. */
export interface BundleSigner {
  key: Buffer;
  fingerprint: string;
}

function readSignature(file: string, what: string): Sshsig & { armored: string } {
  const armored = readFileSync(file, 'utf8');
  try {
    return { ...parseSshsig(armored), armored };
  } catch (error) {
    if (error instanceof SshsigError) fail('E_SIGNATURE', `${what}: ${error.message}`);
    throw error;
  }
}

/** Verifies an SSHSIG whose message is given by its hash (as the signature's hash algorithm computes it). */
function verifyDigest(sig: Sshsig, digest: Buffer, namespace: string, what: string): void {
  if (sig.namespace !== namespace) fail('E_NAMESPACE', `${what} is for namespace ${JSON.stringify(sig.namespace)}, not ${JSON.stringify(namespace)}`);
  let key;
  try {
    key = parsePublicKeyBlob(sig.publicKey);
  } catch (error) {
    fail('E_SIGNATURE', `${what}: its key is unusable: ${(error as Error).message}`);
  }
  const check = verifySshSignature(key, sig.signature, sshsigSignedDigest(namespace, sig.hashAlgorithm, digest));
  if (!check.ok) fail('E_SIGNATURE', `${what} does not verify: ${check.reason}`);
}

async function fileDigest(file: string, algorithm: string): Promise<Buffer> {
  const hash = createHash(algorithm);
  const handle = await open(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest();
}

/** SHA256SUMS.sig over SHA256SUMS and report.json.sig over report.json: valid SSHSIGs (namespace runbook-console-audit) by one key. */
export async function checkBundleSignatures(dir: string): Promise<BundleSigner> {
  // SHA256SUMS grows with the blobs and report.json with the journal: each is hashed a chunk at a time.
  const sums = readSignature(path.join(dir, SUMS_SIG_FILE), SUMS_SIG_FILE);
  verifyDigest(sums, await fileDigest(path.join(dir, SUMS_FILE), sums.hashAlgorithm), BUNDLE_NAMESPACE, SUMS_SIG_FILE);
  const report = readSignature(path.join(dir, REPORT_SIG), REPORT_SIG);
  verifyDigest(report, await fileDigest(path.join(dir, REPORT_JSON), report.hashAlgorithm), BUNDLE_NAMESPACE, REPORT_SIG);
  if (!report.publicKey.equals(sums.publicKey)) {
    fail('E_SIGNATURE', `${REPORT_SIG} is signed by ${fingerprint(report.publicKey)} and ${SUMS_SIG_FILE} by ${fingerprint(sums.publicKey)}: one export signs both`);
  }
  return { key: sums.publicKey, fingerprint: fingerprint(sums.publicKey) };
}
