// verify.py, the auditor's standard-library verifier, against a real run recorded by the CLI: the intact
// run passes when anchored (--pin) and is intact but unanchored (exit 3) without (with and without the MAC
// key, and from inside the directory it checks), every tamper case fails with the reason code `runbook
// verify` uses, and its Merkle roots agree with ours for many sizes. verify.py imports its parts (export.ts
// VERIFIER_FILES) from its own directory, never caches them beside it, and exits 2 without any of them; its
// report part builds report.json and report.html as the TypeScript builder does for records of any shape. Whole bundles,
// anchors and the parity with `runbook verify` on every tamper case: verify-parity.test.ts.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '../../src/main/audit/canonical.js';
import { rootHash } from '../../src/main/audit/merkle.js';
import { principalFor } from '../../src/main/audit/principal.js';
import { CHECKPOINT_FILE, JOURNAL_FILE, type JournalRecord, sha256Hex } from '../../src/main/audit/record.js';
import { buildReport } from '../../src/main/audit/report/build-report.js';
import { renderReportHtml } from '../../src/main/audit/report/report-html.js';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import type { VerifySummary } from '../../src/main/audit/verify.js';
import { verifyInstructions } from '../../src/main/audit/verify-instructions.js';
import { CLI, HAVE_PYTHON, ODD, VERIFY_PY, copyVerifier } from './tamper-suite.js';
import { dataIssue } from '../../src/main/audit/records/index.js';
import { VERIFIER_FILES } from '../../src/main/audit/export.js';

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
let env: NodeJS.ProcessEnv;
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

/**
 * An output blob a report cuts (more than 2 × 2048 bytes) inside a UTF-8 sequence at both cuts, holding bytes that are
 * not UTF-8 and terminal controls: what the builders decode as U+FFFD and make inert must come out the same.
 */
function oddBlob(dir: string): { rel: string; sha256: string; bytes: number } {
  const head = Buffer.from(`${ODD}\n`);
  const bytes = Buffer.concat([head, Buffer.alloc(2047 - head.length, 'a'), Buffer.from('€\xff\xfe'), Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf]), Buffer.alloc(3000, 'b'), Buffer.from('€'), Buffer.alloc(2046, 'c')]);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(path.join(dir, 'blobs', sha256), bytes);
  return { rel: `blobs/${sha256}`, sha256, bytes: bytes.length };
}

/**
 * Records the format allows but a console seldom writes, inserted after the sign-offs (so they still hold) and
 * before the run's end: hostile text in every string the report shows, an astral character where a cut at 160
 * UTF-16 units splits it, numbers JavaScript writes its own way (fractions, negatives), nulls wherever allowed,
 * empty lists, blocks finished out of order and one never finished. Every record fits its kind's schema
 * (records/): a record that does not is refused before any report is built, by both verifiers.
 */
const oddRecords = (blob: { rel: string; sha256: string; bytes: number }) => (records: JournalRecord[]): JournalRecord[] => {
  const end = records.findLastIndex((r) => r.type === 'run.finished');
  const at = (r: JournalRecord) => ({ ...r, data: r.data as Record<string, unknown> });
  const step = { id: 'odd/step', title: `Odd ${ODD}`, line: 12, profile: null };
  const make = (type: JournalRecord['type'], data: Record<string, unknown>) => at({ ...(records[end] as JournalRecord), type, data });
  const sha = (c: string) => c.repeat(64);
  const digest = { bytes: 1, sha256: sha('a') };
  const started = (block: string, line: number, action: string, lang: string | null, command: string, target: Record<string, unknown>) =>
    make('step.started', { step, block: { id: block, line, action, lang }, target, command, command_sha256: sha('b'), env: [ODD], bind_params: 0, state_changing: false, verdict: { code: 'unknown', detail: ODD } });
  const finished = (block: string, outcome: Record<string, unknown>, more: Record<string, unknown>) =>
    make('step.finished', { step: { id: 'odd/step' }, block: { id: block }, started: null, target: { name: 'local', kind: 'local', endpoint: ODD }, notes: [], started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:00:01.500Z', duration_ms: 1500, output: { blob: null, bytes: 0, sha256: sha('c'), index_blob: null, stdout: digest, stderr: digest, info: digest }, ...more, outcome: { exit_code: null, signal: null, error: null, verdict: null, reasons: [], refusal: null, result_sets: [], results_blob: null, ...outcome } });
  const inserted = [
    started('odd/step#1', 1, 'shell', '', ODD, { name: `t😀${ODD}`, bound_by: 'operator choice', protected: false, kind: 'local', shell: ODD, cwd: null, host: ODD }),
    started('odd/step#2', 3, 'sql', 'sql', 'SELECT 1', { name: 't😀x', bound_by: 'front matter', protected: true, kind: 'postgres', host: ODD, port: 5432, database: ODD, user: ODD, sslmode: 'verify-full', password_from: null }),
    make('approval', { step: { id: 'odd/step' }, block: { id: 'odd/step#2' }, started: { seq: end + 1, sha256: sha('0') }, approver: null, granted: false, code: 'withdrawn', reason: ODD }),
    finished(
      'odd/step#2',
      { status: 'timed-out', exit_code: -1, signal: 'SIGTERM', error: ODD, verdict: 'warn', reasons: ['r <1>', ODD], ok: false, result_sets: [{ command: 'SELECT 1', columns: ['a', ODD, ''], row_count: 2 }, { command: null, columns: [], row_count: null }] },
      { target: { name: `t😀${ODD}`, kind: 'postgres', endpoint: ODD, details: { [ODD]: ODD, '10': 'ten', '9': 'nine' } }, notes: [ODD, 'n2'], duration_ms: 12.5, output: { blob: blob.rel, bytes: blob.bytes, sha256: blob.sha256, index_blob: null, stdout: digest, stderr: { bytes: 0, sha256: sha('d') }, info: digest, failure_code: 'fsync', failure: ODD } },
    ),
    finished('odd/step#1', { status: 'succeeded', exit_code: 0, ok: true }, {}),
    started('odd/step#3', 1e6, 'promql', ODD, '', { name: '', bound_by: 'built-in default', protected: false, kind: 'prometheus', url: ODD }),
    make('step.skipped', { step: { id: 'odd/skipped', title: `😀😀 ${ODD}`, line: 1, profile: 'restricted' }, reason: ODD, by: 'operator' }),
    make('decision', { step: { id: 'odd/step' }, decision: `${'x'.repeat(159)}😀tail`, note: `${'w'.repeat(158)}😀v${ODD}`, by: ODD }),
    make('decision', { step: { id: 'odd/step' }, decision: 'y'.repeat(160), note: null, by: 'z'.repeat(161) }),
    make('fillin', { step: { id: 'odd/step' }, label: ODD, value: '' }),
    make('trust', { question: ODD, kind: 'secret', text: null, answer: '(given)', by: 'operator' }),
    make('step.note', { step: { id: 'odd/step' }, by: ODD, mark: 'fail', note: null }),
  ];
  const finishedRun = records[end] as JournalRecord;
  const data = finishedRun.data as { counts: Record<string, number>; steps: unknown[] };
  const rewritten = { ...finishedRun, data: { ...data, steps: [...data.steps, { id: 'odd/step', status: 'cancelled', reason: ODD }, { id: 'odd/skipped', status: 'skipped', reason: null }] } };
  return [...records.slice(0, end), ...inserted, rewritten, ...records.slice(end + 1)];
};

/** verify_report.py's Report fed a journal's records, then checked against the report files beside it: "same", or the FAIL. */
const REBUILD = [
  'import sys',
  'sys.dont_write_bytecode = True',
  `sys.path.insert(0, ${JSON.stringify(path.dirname(VERIFY_PY))})`,
  'from verify_json import Fail, parse_json',
  'from verify_report import Report',
  'report = Report(sys.argv[1])',
  'with open(sys.argv[1] + "/journal.jsonl", "rb") as f:',
  '    for raw in f:',
  '        report.record(parse_json(raw[:-1].decode())[0], raw[:-1])',
  'try:',
  '    report.check([], None)',
  '    print("same")',
  'except Fail as f:',
  '    print("FAIL", f.code, f.detail)',
].join('\n');

describe.skipIf(!HAVE_PYTHON)('verify.py', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:node\` first`);
    root = mkdtempSync(path.join(tmpdir(), 'verify-py-'));
    env = { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(root, 'runs') };
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
    copyVerifier(dir);
    const res = spawnSync('python3', [path.join(dir, 'verify.py'), '--pin', pin], { cwd: root, encoding: 'utf8' });
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain(`OK: run ${runId} is intact and anchored`);
  });

  it('checks a bundle from inside it with its parts beside it (each one needed), and leaves nothing there', () => {
    const bundle = path.join(root, 'bundle');
    const exported = spawnSync(process.execPath, [CLI, 'export', runDir, '--out', bundle], { encoding: 'utf8', env });
    expect(exported.status, exported.stdout + exported.stderr).toBe(0);
    expect(readFileSync(path.join(bundle, 'SHA256SUMS'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}verify_report\.py$/m);
    // As an auditor runs it, with bytecode caching on (PYTHONDONTWRITEBYTECODE unset): a __pycache__ would be a file SHA256SUMS does not list.
    const { PYTHONDONTWRITEBYTECODE: _unset, ...caching } = process.env;
    for (let i = 0; i < 2; i++) {
      const res = spawnSync('python3', ['verify.py', '--pin', pin], { cwd: bundle, encoding: 'utf8', env: caching });
      expect(res.status, res.stdout + res.stderr).toBe(0);
      expect(res.stdout).toMatch(/^ok {4}report\.json, report\.html: byte for byte/m);
    }
    expect(readdirSync(bundle)).not.toContain('__pycache__');
    // Every part ships in the bundle, listed in SHA256SUMS like any file.
    for (const file of VERIFIER_FILES) expect(readFileSync(path.join(bundle, 'SHA256SUMS'), 'utf8')).toMatch(new RegExp(`^[0-9a-f]{64} {2}${file.replace('.', '\\.')}$`, 'm'));
    // verify.py without any one of its parts beside it checks nothing, a bundle or a run directory: one line naming the part, exit 2, never a pass.
    for (const part of VERIFIER_FILES.filter((f) => f !== 'verify.py')) {
      const alone = path.join(root, `verify-py-without-${part}`);
      mkdirSync(alone);
      copyVerifier(alone, part);
      for (const target of [bundle, runDir]) {
        const res = spawnSync('python3', [path.join(alone, 'verify.py'), target, '--pin', pin], { encoding: 'utf8' });
        expect(res.status, res.stdout + res.stderr).toBe(2);
        expect(res.stdout).toBe('');
        expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^verify\\.py: ${path.join(alone, part).replace(/[.+]/g, '\\$&')} is missing: it ships beside verify\\.py and checks `))]);
      }
      if (part === 'verify_report.py') expect(spawnSync('python3', [path.join(alone, 'verify.py'), bundle], { encoding: 'utf8' }).stderr.trim()).toBe(`verify.py: ${path.join(alone, part)} is missing: it ships beside verify.py and checks a bundle's report.json and report.html`);
      // Beside it again, the same copy checks the bundle.
      copyFileSync(path.join(path.dirname(VERIFY_PY), part), path.join(alone, part));
      expect(spawnSync('python3', [path.join(alone, 'verify.py'), bundle, '--pin', pin], { encoding: 'utf8' }).status).toBe(0);
      expect(readdirSync(alone)).not.toContain('__pycache__');
    }
  });

  it('builds report.json and report.html as the TypeScript builder does, for every shape the record format allows', () => {
    // Only the two builders, no verifier check in between: shapes a console seldom writes are reported all the same.
    const dir = copyRun('builders');
    const blob = oddBlob(dir);
    const lines = oddRecords(blob)(linesOf(dir).map((l) => JSON.parse(l) as JournalRecord)).map((r, seq) => canonicalize({ ...r, seq }));
    writeLines(dir, lines);
    const records = lines.map((l) => JSON.parse(l) as JournalRecord); // as an export reads them: from the journal's lines
    for (const r of records) expect(dataIssue(r.type, r.data), `record ${r.seq} (${r.type})`).toBeNull();
    const start = records[0]?.data as { operator: { name: string }; installation: { id: string } };
    const { commands } = verifyInstructions({ principal: principalFor(start.operator.name), installationPrincipal: `installation-${start.installation.id}`, runId, pdf: false, signedReport: true });
    const report = buildReport(dir, records, lines, { warnings: [], macChecked: false } as unknown as VerifySummary, commands);
    writeFileSync(path.join(dir, 'report.json'), canonicalize(report));
    writeFileSync(path.join(dir, 'report.html'), renderReportHtml(report));
    const rebuild = () => spawnSync('python3', ['-c', REBUILD, dir], { encoding: 'utf8' });
    const same = rebuild();
    expect(same.stdout + same.stderr).toBe('same\n');
    // The comparison can fail: one space added to the page is found, and named.
    writeFileSync(path.join(dir, 'report.html'), renderReportHtml(report).replace(/(<section id="timeline">[\s\S]*?&lt;\/script&gt;)/, '$1 '));
    expect(rebuild().stdout).toMatch(/^FAIL E_REPORT report\.html differs from the report the journal gives in the timeline, row \d+: /);
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

    // Editing the final seal's reason (to another code of the format) breaks neither the chain (nothing follows it)
    // nor the root (it does not cover itself): only its MAC shows the change, so this passes without the key and fails with it.
    const edited = copyRun('mac-edited');
    editRecord(edited, -1, (r) => { r.data.reason = r.data.reason === 'shutdown' ? 'recover' : 'shutdown'; });
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
      'sys.dont_write_bytecode = True',
      `sys.path.insert(0, ${JSON.stringify(path.dirname(VERIFY_PY))})`,
      'from verify_seal import Merkle',
      'for n in range(34):',
      '    tree = Merkle()',
      '    for i in range(n):',
      '        tree.append(hashlib.sha256(b"\\x00" + f"leaf {i}".encode()).digest())',
      '    print(base64.b64encode(tree.root()).decode())',
    ].join('\n');
    const res = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout.trimEnd().split('\n')).toEqual(sizes.map((n) => rootHash(Array.from({ length: n }, (_, i) => `leaf ${i}`)).toString('base64')));
  });

  it('exits 2 on usage errors, with one line and no traceback', () => {
    const ticket = path.join(root, 'ticket');
    writeFileSync(ticket, `${readFileSync(path.join(runDir, CHECKPOINT_FILE), 'utf8').trimEnd().split('\n').join(' ')}\n`);
    expect(verifyPy([runDir, '--prior', ticket]).status).toBe(0); // the ticket line holds, and anchors the seal: given twice, it is the repetition that is refused
    for (const args of [[path.join(root, 'no-such-dir')], [runDir, runDir], [runDir, '--frobnicate'], [runDir, '--allow'], [runDir, '--pin'], [runDir, '--pin', 'SHA256:short'], [runDir, '--prior', path.join(root, 'no-such-ticket')], [runDir, '--prior', ticket, '--prior', ticket], [runDir, '--allowed-signers', path.join(runDir, JOURNAL_FILE)]]) {
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
