// verify.py, the auditor's standard-library verifier, against a real run recorded by the CLI: the intact
// run passes when anchored (--pin) and is intact but unanchored (exit 3) without (with and without the MAC
// key, and from inside the directory it checks), every tamper case fails with the reason code `runbook
// verify` uses, and its Merkle roots agree with ours for many sizes. Whole bundles, anchors and the parity
// with `runbook verify` on every tamper case: verify-parity.test.ts.
import { spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '../../src/main/audit/canonical.js';
import { rootHash } from '../../src/main/audit/merkle.js';
import { CHECKPOINT_FILE, JOURNAL_FILE, type JournalRecord, sha256Hex } from '../../src/main/audit/record.js';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import { REPO_ROOT } from '../support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/cli/index.js');
const VERIFY_PY = path.join(REPO_ROOT, 'src/main/audit/bundle/verify.py');
const HAVE_PYTHON = spawnSync('python3', ['--version'], { stdio: 'ignore' }).error === undefined;
if (!HAVE_PYTHON) console.warn('skipped: verify.py tests (python3 is not on PATH)');

const RUNBOOK = `# verify.py sample
## Steps
- [ ] Say hello
  \`\`\`bash
  echo "hello from the verify.py test"
  \`\`\`
- [ ] Print a few KB
  \`\`\`bash
  for i in $(seq 1 200); do echo "output line $i of the verify.py test"; done
  \`\`\`
`;

let root: string;
let runDir: string;
let runId: string;
let macKeyHex: string;
/** The installation key's fingerprint: the anchor (--pin) that makes an intact run exit 0. */
let pin: string;

const journalOf = (dir: string) => readFileSync(path.join(dir, JOURNAL_FILE), 'utf8');
const linesOf = (dir: string) => journalOf(dir).slice(0, -1).split('\n');
const writeLines = (dir: string, lines: string[]) => writeFileSync(path.join(dir, JOURNAL_FILE), `${lines.join('\n')}\n`);

function copyRun(name: string): string {
  const dir = path.join(root, 'copies', name);
  cpSync(runDir, dir, { recursive: true });
  return dir;
}

function verifyPy(args: string[], cwd = root): { status: number | null; code: string | null; stdout: string } {
  const res = spawnSync('python3', [VERIFY_PY, ...args], { cwd, encoding: 'utf8' });
  return { status: res.status, code: /^FAIL (E_[A-Z_]+)/m.exec(res.stdout)?.[1] ?? null, stdout: res.stdout + res.stderr };
}

/** The blob holding the long output: the one the blob tamper case edits. */
function outputBlob(dir: string): string {
  const blobs = path.join(dir, 'blobs');
  const name = readdirSync(blobs).find((b) => readFileSync(path.join(blobs, b), 'utf8').startsWith('output line 1 of')) as string;
  return path.join(blobs, name);
}

/** Rewrites one record's JSON and keeps the line canonical, so only the intended check can catch it. */
function editRecord(dir: string, index: number, edit: (record: JournalRecord) => void): void {
  const lines = linesOf(dir);
  const record = JSON.parse(lines.at(index) as string) as JournalRecord;
  edit(record);
  lines[index < 0 ? lines.length + index : index] = canonicalize(record);
  writeLines(dir, lines);
}

function writeSums(dir: string, files: string[]): void {
  const sums = files.map((f) => `${createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')}  ${f}`).join('\n');
  writeFileSync(path.join(dir, 'SHA256SUMS'), `${sums}\n`);
}

describe.skipIf(!HAVE_PYTHON)('verify.py', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:node\` first`);
    root = mkdtempSync(path.join(tmpdir(), 'verify-py-'));
    const env = { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(root, 'runs') };
    writeFileSync(path.join(root, 'rb.md'), RUNBOOK);
    runDir = path.join(root, 'run');
    const res = spawnSync(process.execPath, [CLI, 'run', path.join(root, 'rb.md'), '--yes', '--journal', runDir], { encoding: 'utf8', env });
    if (res.status !== 0) throw new Error(`runbook run failed: ${res.stdout}\n${res.stderr}`);
    runId = (JSON.parse(linesOf(runDir)[0] as string) as JournalRecord).run;
    macKeyHex = readFileSync(path.join(root, 'keys', 'mac', `${runId}.verification`), 'utf8').trim();
    pin = fingerprint(parsePublicKeyLine(readFileSync(path.join(root, 'keys', 'installation_ed25519.pub'), 'utf8')).blob);
  }, 20_000);

  it('passes the intact run and names its run id, record count, sealed size and root', () => {
    const lines = linesOf(runDir);
    const sealedRoot = readFileSync(path.join(runDir, CHECKPOINT_FILE), 'utf8').split('\n')[2];
    // The root verify.py prints is the one our TypeScript Merkle tree gives for the sealed records.
    expect(sealedRoot).toBe(rootHash(lines.slice(0, -1)).toString('base64'));
    const res = verifyPy([runDir, '--pin', pin]);
    expect(res.status, res.stdout).toBe(0);
    expect(res.stdout.trimEnd().split('\n').at(-1)).toBe(`OK: run ${runId} is intact and anchored, ${lines.length} records, sealed at size ${lines.length - 1}, root ${sealedRoot}`);
    expect(res.stdout).toMatch(/^skip {2}MACs: no mac-key.txt/m);
    expect(res.stdout).toMatch(/^ok {4}blobs: 5 referenced/m);
    // The checkpoint's SSHSIG is checked (ssh-keygen -Y check-novalidate), and the key is the one pinned.
    expect(res.stdout).toContain(`sealed by ${pin}, anchored by --pin ${pin}`);
    // Without an anchor the same run is intact, but nothing vouches for the key that sealed it: exit 3.
    const bare = verifyPy([runDir]);
    expect(bare.status, bare.stdout).toBe(3);
    expect(bare.stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^UNANCHORED: run ${runId} is intact .*the key that sealed the run, ${pin.replace(/[+/]/g, '\\$&')}: give --pin`));
  });

  it('checks the directory it is shipped in when given no argument', () => {
    const dir = copyRun('shipped');
    copyFileSync(VERIFY_PY, path.join(dir, 'verify.py'));
    const res = spawnSync('python3', [path.join(dir, 'verify.py'), '--pin', pin], { cwd: root, encoding: 'utf8' });
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain(`OK: run ${runId} is intact and anchored`);
  });

  it('rejects every tamper case with the reason code runbook verify uses', () => {
    const appendAfterSeal = (d: string) => {
      const lines = linesOf(d);
      const last = JSON.parse(lines.at(-1) as string) as JournalRecord;
      lines.push(canonicalize({ ...last, seq: lines.length, prev: sha256Hex(lines.at(-1) as string), type: 'step.note', data: { text: 'late' } }));
      writeLines(d, lines);
    };
    const swap = (d: string, a: number, b: number) => {
      const l = linesOf(d);
      [l[a], l[b]] = [l[b] as string, l[a] as string];
      writeLines(d, l);
    };
    const cases: [string, (dir: string) => void, string][] = [
      ['changed byte in a middle record', (d) => writeFileSync(path.join(d, JOURNAL_FILE), journalOf(d).replace('hello from the verify.py test', 'hello from the verify.py tesT')), 'E_RECORD_CHANGED'],
      ['deleted middle record', (d) => writeLines(d, linesOf(d).filter((_, i) => i !== 2)), 'E_RECORD_DELETED'],
      ['reordered records', (d) => swap(d, 2, 3), 'E_RECORD_REORDERED'],
      ['duplicated record', (d) => { const l = linesOf(d); l.splice(3, 0, l[2] as string); writeLines(d, l); }, 'E_RECORD_DUPLICATED'],
      ['CRLF line endings', (d) => writeFileSync(path.join(d, JOURNAL_FILE), journalOf(d).replace(/\n/g, '\r\n')), 'E_CRLF'],
      ['torn tail', (d) => appendFileSync(path.join(d, JOURNAL_FILE), '{"boot_id":"x","da'), 'E_TORN_TAIL'],
      ['invalid JSON', (d) => { const l = linesOf(d); l[1] = (l[1] as string).slice(0, -1); writeLines(d, l); }, 'E_JSON'],
      ['non-canonical JSON', (d) => { const l = linesOf(d); l[1] = (l[1] as string).replace('{"boot_id"', '{ "boot_id"'); writeLines(d, l); }, 'E_NONCANONICAL'],
      ['duplicate JSON key', (d) => { const l = linesOf(d); l[1] = (l[1] as string).replace('{"boot_id"', '{"boot_id":"a","boot_id"'); writeLines(d, l); }, 'E_DUPLICATE_KEY'],
      ['record of another run', (d) => editRecord(d, 1, (r) => { r.run = '00000000-0000-0000-0000-000000000000'; }), 'E_OTHER_RUN'],
      ['output blob modified', (d) => appendFileSync(outputBlob(d), 'one more line\n'), 'E_BLOB'],
      ['output blob missing', (d) => rmSync(outputBlob(d)), 'E_BLOB'],
      ['last record (the seal) removed', (d) => writeLines(d, linesOf(d).slice(0, -1)), 'E_SEAL_SIZE'],
      ['two records cut from the end', (d) => writeLines(d, linesOf(d).slice(0, -2)), 'E_SEAL_SIZE'],
      ['seal and checkpoint files removed', (d) => { writeLines(d, linesOf(d).slice(0, -1)); rmSync(path.join(d, CHECKPOINT_FILE)); rmSync(path.join(d, `${CHECKPOINT_FILE}.sig`)); }, 'E_UNSEALED'],
      ['record appended after the seal', appendAfterSeal, 'E_AFTER_SEAL'],
      ['sealed root edited', (d) => editRecord(d, -1, (r) => { r.data.root = Buffer.alloc(32).toString('base64'); }), 'E_SEAL_ROOT'],
      ['checkpoint size edited', (d) => editRecord(d, -1, (r) => { r.data.size = 5; }), 'E_SEAL_SIZE'],
      ['checkpoint.txt replaced', (d) => writeFileSync(path.join(d, CHECKPOINT_FILE), readFileSync(path.join(d, CHECKPOINT_FILE), 'utf8').replace(/\n(\d+)\n/, '\n5\n')), 'E_SEAL_SIZE'],
    ];
    const results: Record<string, string | null> = {};
    for (const [name, tamper] of cases) {
      const dir = copyRun(name.replace(/\W+/g, '-'));
      tamper(dir);
      const res = verifyPy([dir]);
      results[name] = res.status === 1 ? res.code : `exit ${res.status}: ${res.stdout}`;
    }
    expect(results).toEqual(Object.fromEntries(cases.map(([name, , code]) => [name, code])));
  });

  it('verifies every MAC with mac-key.txt, and refuses a wrong key or a record changed without the key', () => {
    const withKey = copyRun('mac-right');
    writeFileSync(path.join(withKey, 'mac-key.txt'), `${macKeyHex}\n`);
    const good = verifyPy([withKey, '--pin', pin]);
    expect(good.status, good.stdout).toBe(0);
    expect(good.stdout).toMatch(/^ok {4}MACs: 7 records, key matches/m);

    const wrong = copyRun('mac-wrong');
    writeFileSync(path.join(wrong, 'mac-key.txt'), `${randomBytes(32).toString('hex')}\n`);
    expect(verifyPy([wrong]).code).toBe('E_MAC');

    // Editing the final seal's free text breaks neither the chain (nothing follows it) nor the root (it
    // does not cover itself): only its MAC shows the change, so this passes without the key and fails with it.
    const edited = copyRun('mac-edited');
    editRecord(edited, -1, (r) => { r.data.reason = 'edited'; });
    expect(verifyPy([edited, '--pin', pin]).status).toBe(0);
    writeFileSync(path.join(edited, 'mac-key.txt'), `${macKeyHex}\n`);
    const caught = verifyPy([edited]);
    expect(caught.code, caught.stdout).toBe('E_MAC');
    expect(caught.stdout).toMatch(/record 6 \(checkpoint\): MAC does not match/);
  });

  it('takes a directory with SHA256SUMS for a bundle, and holds it to what a bundle is', () => {
    // A run directory with a SHA256SUMS over its files is no bundle: no SHA256SUMS.sig, no report.
    const bundle = copyRun('bundle');
    const files = [CHECKPOINT_FILE, `${CHECKPOINT_FILE}.sig`, ...readdirSync(path.join(bundle, 'blobs')).map((b) => `blobs/${b}`), JOURNAL_FILE].sort();
    writeSums(bundle, files);
    const unsigned = verifyPy([bundle, '--pin', pin]);
    expect(unsigned.code, unsigned.stdout).toBe('E_BUNDLE');
    expect(unsigned.stdout).toMatch(/SHA256SUMS\.sig is missing/);
    // A file listed, then changed, is caught before anything else.
    writeFileSync(path.join(bundle, 'extra.txt'), 'listed, then changed\n');
    writeSums(bundle, [...files, 'extra.txt'].sort());
    writeFileSync(path.join(bundle, 'extra.txt'), 'changed\n');
    const changed = verifyPy([bundle]);
    expect(changed.code, changed.stdout).toBe('E_BUNDLE');
    expect(changed.stdout).toMatch(/extra\.txt does not match SHA256SUMS/);
  });

  it('computes RFC 9162 Merkle roots that agree with ours for sizes 0 to 33', () => {
    const sizes = Array.from({ length: 34 }, (_, n) => n);
    const script = [
      'import base64, hashlib, sys',
      `sys.path.insert(0, ${JSON.stringify(path.dirname(VERIFY_PY))})`,
      'from verify import merkle_root',
      'for n in range(34):',
      '    leaves = [hashlib.sha256(b"\\x00" + f"leaf {i}".encode()).digest() for i in range(n)]',
      '    print(base64.b64encode(merkle_root(leaves)).decode())',
    ].join('\n');
    const res = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout.trimEnd().split('\n')).toEqual(sizes.map((n) => rootHash(Array.from({ length: n }, (_, i) => `leaf ${i}`)).toString('base64')));
  });

  it('exits 2 on usage errors, with one line and no traceback', () => {
    for (const args of [[path.join(root, 'no-such-dir')], [runDir, runDir], [runDir, '--frobnicate'], [runDir, '--pin', 'SHA256:short'], [runDir, '--prior', path.join(root, 'no-such-ticket')], [runDir, '--allowed-signers', path.join(runDir, JOURNAL_FILE)]]) {
      const res = verifyPy(args);
      expect(res.status, res.stdout).toBe(2);
      expect(res.stdout.trim().split('\n'), res.stdout).toHaveLength(1);
      expect(res.stdout).not.toMatch(/Traceback/);
    }
    const help = verifyPy(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--allowed-signers FILE.*--pin SHA256/s);
  });
});
