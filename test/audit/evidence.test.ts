// End to end through the CLI: a run's record verifies; every tamper case is rejected with its reason code;
// an insider re-seal with the real keys passes alone and is caught with --prior; the exported bundle
// verifies with sha256sum -c, ssh-keygen -Y verify and python3 verify.py, and a tampered one does not.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '../../src/main/audit/canonical.js';
import { CHECKPOINT_FILE, JOURNAL_FILE, type JournalRecord } from '../../src/main/audit/record.js';
import { CHECKPOINT_NAMESPACE } from '../../src/main/audit/seal.js';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import { signSshsig } from '../../src/main/audit/sshsig.js';
import { REPO_ROOT } from '../support/shared.js';
import { insiderRewrite } from './insider.js';
import { HAVE_SSH_AGENT, HAVE_SSH_KEYGEN, makeKey, skipReason, startAgent } from './ssh-tools.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const HAVE_PYTHON = spawnSync('python3', ['--version'], { stdio: 'ignore' }).error === undefined;

const RUNBOOK = `# Evidence sample
## Steps
- [ ] Say hello
  \`\`\`bash
  echo "hello from the evidence test"
  \`\`\`
- [ ] Count to three
  \`\`\`bash
  seq 1 3
  \`\`\`
- [ ] Confirm the change window is open
- [ ] Print the date
  \`\`\`bash
  date -u +%Y
  \`\`\`
`;

let root: string;
let env: Record<string, string>;
let runDir: string;
let otherRunDir: string;
let ticketLine: string;

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

function record(dir: string, name: string): string {
  const res = cli('run', path.join(root, 'rb.md'), '--yes', '--operator', 'alice', '--journal', path.join(dir, name));
  if (res.status !== 0) throw new Error(`runbook run failed: ${res.stdout}\n${res.stderr}`);
  return path.join(dir, name);
}

function copyRun(name: string): string {
  const dir = path.join(root, 'copies', name);
  cpSync(runDir, dir, { recursive: true });
  return dir;
}

const journalOf = (dir: string) => readFileSync(path.join(dir, JOURNAL_FILE), 'utf8');
const linesOf = (dir: string) => journalOf(dir).trimEnd().split('\n');
const writeLines = (dir: string, lines: string[]) => writeFileSync(path.join(dir, JOURNAL_FILE), `${lines.join('\n')}\n`);

/** `--pin` with the installation key's fingerprint (made by the first run): an anchor the auditor holds. */
function pin(): string[] {
  const line = readFileSync(path.join(env.RUNBOOK_CONSOLE_KEY_DIR as string, 'installation_ed25519.pub'), 'utf8').trim();
  return ['--pin', fingerprint(parsePublicKeyLine(line).blob)];
}

function verifyCode(dir: string, ...args: string[]): { status: number | null; code: string | null; stdout: string } {
  const res = cli('verify', dir, ...args);
  return { status: res.status, code: /^FAIL (E_[A-Z_]+)/m.exec(res.stdout)?.[1] ?? null, stdout: res.stdout + res.stderr };
}

describe.skipIf(skipReason('evidence tests', HAVE_SSH_KEYGEN))('run record, verify and export', () => {
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'evidence-'));
    env = { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(root, 'runs') };
    writeFileSync(path.join(root, 'rb.md'), RUNBOOK);
    runDir = record(root, 'run');
    otherRunDir = record(root, 'other-run');
    const last = JSON.parse(linesOf(runDir).at(-1) as string) as JournalRecord;
    ticketLine = `${String(last.data.origin)} ${String(last.data.size)} ${String(last.data.root)}`;
  }, 60_000);

  it('a fresh run verifies, with a summary, and the verification is recorded in the access log', () => {
    // Without an anchor it is intact but unanchored (exit 3): anyone holding its keys could have made it.
    const bare = cli('verify', runDir);
    expect(bare.status).toBe(3);
    expect(bare.stdout).toMatch(/^INTACT BUT UNANCHORED: run directory of run [0-9a-f-]{36}/);
    expect(bare.stdout).toContain('WARNING W_SIGNER_UNCHECKED');
    const res = cli('verify', runDir, ...pin());
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^OK: run directory of run [0-9a-f-]{36} is intact and anchored/);
    expect(res.stdout).toMatch(/records +\d+ \(MACs checked\)/);
    expect(res.stdout).toMatch(/steps +3 blocks run \(0 failed\), 1 steps skipped/);
    expect(res.stdout).toMatch(/outcome +succeeded/);
    expect(res.stdout).not.toContain('W_SIGNER_UNCHECKED');
    expect(readFileSync(path.join(runDir, 'access.jsonl'), 'utf8')).toMatch(/"type":"verify"/);
    expect(cli('verify', runDir, '--prior', writeTemp('ticket', `${ticketLine}\n`)).status).toBe(0);
  });

  function writeTemp(name: string, text: string): string {
    const file = path.join(root, `${name}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, text);
    return file;
  }

  it('every tamper case is rejected with its reason code', async () => {
    const cases: [string, (dir: string) => void | Promise<void>, string, string[]?][] = [
      ['changed byte', (d) => writeFileSync(path.join(d, JOURNAL_FILE), journalOf(d).replace('hello from the evidence test', 'hello from the evidence tesT')), 'E_RECORD_CHANGED'],
      ['deleted record', (d) => writeLines(d, linesOf(d).filter((_, i) => i !== 2)), 'E_RECORD_DELETED'],
      ['reordered records', (d) => { const l = linesOf(d); [l[2], l[3]] = [l[3] as string, l[2] as string]; writeLines(d, l); }, 'E_RECORD_REORDERED'],
      ['duplicated record', (d) => { const l = linesOf(d); l.splice(3, 0, l[2] as string); writeLines(d, l); }, 'E_RECORD_DUPLICATED'],
      ['inserted record', (d) => { const l = linesOf(d); l.splice(2, 0, (l[1] as string).replace('hello from', 'hullo from')); writeLines(d, l); }, 'E_RECORD_INSERTED'],
      ['record from another run', (d) => { const l = linesOf(d); l[3] = linesOf(otherRunDir)[3] as string; writeLines(d, l); }, 'E_OTHER_RUN'],
      ['truncated tail', (d) => writeLines(d, linesOf(d).slice(0, -2)), 'E_SEAL_SIZE'],
      ['no seal at all', (d) => { writeLines(d, linesOf(d).slice(0, -1)); rmSync(path.join(d, CHECKPOINT_FILE)); rmSync(path.join(d, `${CHECKPOINT_FILE}.sig`)); }, 'E_UNSEALED'],
      ['torn tail', (d) => appendFileSync(path.join(d, JOURNAL_FILE), '{"boot_id":"x","da'), 'E_TORN_TAIL'],
      ['records after the seal', async (d) => insiderRewrite(env.RUNBOOK_CONSOLE_KEY_DIR as string, d, (r) => [...r, { ...(r.at(-1) as JournalRecord), type: 'step.note', data: { text: 'late' } }]), 'E_AFTER_SEAL'],
      ['non-canonical JSON', (d) => { const l = linesOf(d); l[1] = (l[1] as string).replace('{"boot_id"', '{ "boot_id"'); writeLines(d, l); }, 'E_NONCANONICAL'],
      ['duplicate JSON keys', (d) => { const l = linesOf(d); l[1] = (l[1] as string).replace('{"boot_id"', '{"boot_id":"a","boot_id"'); writeLines(d, l); }, 'E_DUPLICATE_KEY'],
      ['CRLF line endings', (d) => writeFileSync(path.join(d, JOURNAL_FILE), journalOf(d).replace(/\n/g, '\r\n')), 'E_CRLF'],
      ['MAC mismatch (rewritten without the key)', (d) => { const l = linesOf(d); const r = JSON.parse(l.at(-1) as string); r.data.reason = 'edited'; l[l.length - 1] = canonicalize(r); writeLines(d, l); }, 'E_MAC'],
      ['monotonic time going backwards', async (d) => insiderRewrite(env.RUNBOOK_CONSOLE_KEY_DIR as string, d, (r) => r.map((x, i) => (i === 3 ? { ...x, mono_ns: '1' } : x))), 'E_MONOTONIC'],
      ['blob mismatch', (d) => { const blobs = path.join(d, 'blobs'); const f = readdirSync(blobs).find((b) => readFileSync(path.join(blobs, b), 'utf8').includes('hello from')) as string; writeFileSync(path.join(blobs, f), 'hello from somewhere else\n'); }, 'E_BLOB'],
      ['bad signature', async (d) => insiderRewrite(env.RUNBOOK_CONSOLE_KEY_DIR as string, d, (r) => r, (t, k) => signSshsig(Buffer.from(`${t}!`), CHECKPOINT_NAMESPACE, k)), 'E_SIGNATURE'],
      ['wrong namespace', async (d) => insiderRewrite(env.RUNBOOK_CONSOLE_KEY_DIR as string, d, (r) => r, (t, k) => signSshsig(Buffer.from(t), 'file', k)), 'E_NAMESPACE'],
      ['signer not allowed', () => undefined, 'E_SIGNER', ['--allowed-signers', '/dev/null']],
      ['wrong run id', () => undefined, 'E_RUN_ID', ['--run-id', '00000000-0000-0000-0000-000000000000']],
      ['prior checkpoint inconsistent', async (d) => insiderRewrite(env.RUNBOOK_CONSOLE_KEY_DIR as string, d, (r) => r.map((x) => (x.type === 'step.started' ? { ...x, data: { ...x.data, command: 'echo innocent' } } : x))), 'E_PRIOR', ['--prior', 'TICKET']],
    ];
    const results: Record<string, string | null> = {};
    for (const [name, tamper, , args = []] of cases) {
      const dir = copyRun(name.replace(/\W+/g, '-'));
      await tamper(dir);
      const resolved = args.map((a) => (a === 'TICKET' ? writeTemp('ticket', `${ticketLine}\n`) : a));
      const res = verifyCode(dir, ...resolved);
      results[name] = res.status === 1 ? res.code : `exit ${res.status}: ${res.stdout}`;
    }
    expect(results).toEqual(Object.fromEntries(cases.map(([name, , code]) => [name, code])));
  }, 60_000);

  it('the CRLF failure carries a hint; --allow-unsealed accepts an interrupted run with a warning', () => {
    const crlf = copyRun('crlf-hint');
    writeFileSync(path.join(crlf, JOURNAL_FILE), journalOf(crlf).replace(/\n/g, '\r\n'));
    expect(verifyCode(crlf).stdout).toMatch(/dos2unix/);
    const unsealed = copyRun('unsealed-allowed');
    writeLines(unsealed, linesOf(unsealed).slice(0, -1));
    rmSync(path.join(unsealed, CHECKPOINT_FILE));
    rmSync(path.join(unsealed, `${CHECKPOINT_FILE}.sig`));
    // The final seal was this short run's only checkpoint: nothing left in it is signed, so nothing anchors it (exit 3).
    const res = cli('verify', unsealed, '--allow-unsealed', ...pin());
    expect(res.status).toBe(3);
    expect(res.stdout).toContain('WARNING W_UNSEALED');
    expect(res.stdout).toContain('nothing in this journal is signed');
  });

  it('an insider re-seal with the real keys passes on its own and is caught only with --prior', async () => {
    const dir = copyRun('insider');
    await insiderRewrite(env.RUNBOOK_CONSOLE_KEY_DIR as string, dir, (r) => r.map((x) => (x.type === 'step.started' ? { ...x, data: { ...x.data, command: 'echo innocent' } } : x)));
    expect(cli('verify', dir).status).toBe(3);
    // The insider holds the installation key itself: the pin vouches for it, so only a commitment held elsewhere catches the rewrite.
    expect(cli('verify', dir, ...pin()).status).toBe(0);
    expect(verifyCode(dir, '--prior', writeTemp('ticket', ticketLine)).code).toBe('E_PRIOR');
  });

  it('usage errors exit 2', () => {
    expect(cli('verify', path.join(root, 'no-such-dir')).status).toBe(2);
    expect(cli('verify', runDir, '--prior', path.join(root, 'no-such-file')).status).toBe(2);
  });

  describe('evidence bundle', () => {
    let bundle: string;
    let operatorKey: { file: string; publicKeyLine: string };

    /** What an auditor holds from elsewhere: the installation key (checkpoints) and alice's (the bundle), each for its namespace. */
    const auditorSigners = () => {
      const installation = readFileSync(path.join(env.RUNBOOK_CONSOLE_KEY_DIR as string, 'installation_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
      const alice = operatorKey.publicKeyLine.split(' ').slice(0, 2).join(' ');
      return writeTemp('auditor-allowed-signers', `installation namespaces="runbook-console-checkpoint" ${installation}\nalice namespaces="runbook-console-audit" ${alice}\n`);
    };

    beforeAll(() => {
      operatorKey = makeKey(root, 'alice_ed25519', 'ed25519');
      bundle = path.join(root, 'bundle');
      const res = cli('export', runDir, '--out', bundle, '--key', operatorKey.file);
      if (res.status !== 0) throw new Error(`export failed: ${res.stdout}\n${res.stderr}`);
    }, 60_000);

    it('holds every file the auditor needs', () => {
      expect(readdirSync(bundle).sort()).toEqual(
        ['SHA256SUMS', 'SHA256SUMS.sig', 'VERIFY.md', 'allowed_signers', 'blobs', 'checkpoint.txt', 'checkpoint.txt.sig', 'journal.jsonl', 'mac-key.txt', 'report.html', 'report.json', 'report.json.sig', 'verify.py', 'verify_json.py', 'verify_keys.py', 'verify_records.py', 'verify_report.py', 'verify_seal.py', 'verify_signatures.py'].sort(),
      );
      const report = JSON.parse(readFileSync(path.join(bundle, 'report.json'), 'utf8'));
      expect(report.run.operator.name).toBe('alice');
      expect(report.steps.map((s: { status: string }) => s.status)).toEqual(['succeeded', 'succeeded', 'skipped', 'succeeded']);
      // Who skipped the manual step and why, from its step.skipped record, and at the top: what was not done.
      const manual = report.steps[2];
      expect(manual.skip).toEqual({ record: expect.any(Number), by: 'plan', code: 'manual-step', refusal: null, reason: 'manual step: nothing to run' });
      expect(report.notDone).toEqual([{ step: manual.id, title: 'Confirm the change window is open', what: 'skipped (by plan: manual-step)', reason: 'manual step: nothing to run', record: manual.skip.record }]);
      expect(report.steps[0].blocks[0].readOnly).toEqual({ code: 'shell-read-only', detail: 'runs only read-only commands: echo' });
      expect(report.steps[0].blocks[0].command).toBe('echo "hello from the evidence test"');
      expect(report.runbook.text).toBe(RUNBOOK);
      expect(readFileSync(path.join(runDir, 'access.jsonl'), 'utf8')).toMatch(/"type":"export"/);
    });

    it('verifies with stock tools: sha256sum -c, ssh-keygen -Y verify, python3 verify.py, and runbook verify', () => {
      expect(spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: bundle }).status).toBe(0);
      const keygen = (principal: string, namespace: string, file: string) =>
        spawnSync('ssh-keygen', ['-Y', 'verify', '-f', 'allowed_signers', '-I', principal, '-n', namespace, '-s', `${file}.sig`], { cwd: bundle, input: readFileSync(path.join(bundle, file)), encoding: 'utf8' });
      expect(keygen('alice', 'runbook-console-audit', 'report.json').status).toBe(0);
      expect(keygen('alice', 'runbook-console-audit', 'SHA256SUMS').status).toBe(0);
      const installation = readFileSync(path.join(bundle, 'allowed_signers'), 'utf8').match(/^(installation-[0-9a-f]{16}) /m)?.[1] as string;
      expect(keygen(installation, 'runbook-console-checkpoint', 'checkpoint.txt').status).toBe(0);
      expect(keygen('alice', 'runbook-console-checkpoint', 'checkpoint.txt').status).not.toBe(0);
      if (HAVE_PYTHON) {
        // Like runbook verify: intact but unanchored alone (exit 3), verified against the auditor's keys (exit 0).
        const py = spawnSync('python3', ['verify.py', '.'], { cwd: bundle, encoding: 'utf8' });
        expect(py.status, py.stdout + py.stderr).toBe(3);
        const anchored = spawnSync('python3', ['verify.py', '.', '--allowed-signers', auditorSigners()], { cwd: bundle, encoding: 'utf8' });
        expect(anchored.status, anchored.stdout + anchored.stderr).toBe(0);
      }
      // The bundle's own allowed_signers is no anchor (exit 2); the auditor's copy of the same keys is.
      expect(cli('verify', bundle, '--allowed-signers', path.join(bundle, 'allowed_signers')).status).toBe(2);
      expect(cli('verify', bundle).status).toBe(3);
      const ours = cli('verify', bundle, '--allowed-signers', auditorSigners());
      expect(ours.status, ours.stdout).toBe(0);
      expect(ours.stdout).toMatch(/^OK: bundle of run .* is intact and anchored/);
    });

    it('a tampered bundle fails every check', () => {
      const tampered = path.join(root, 'bundle-tampered');
      cpSync(bundle, tampered, { recursive: true });
      writeFileSync(path.join(tampered, 'report.json'), readFileSync(path.join(tampered, 'report.json'), 'utf8').replace('"alice"', '"mallory"'));
      expect(spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: tampered, stdio: 'ignore' }).status).not.toBe(0);
      const keygen = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', 'allowed_signers', '-I', 'alice', '-n', 'runbook-console-audit', '-s', 'report.json.sig'], { cwd: tampered, input: readFileSync(path.join(tampered, 'report.json')) });
      expect(keygen.status).not.toBe(0);
      if (HAVE_PYTHON) expect(spawnSync('python3', ['verify.py', '.'], { cwd: tampered, stdio: 'ignore' }).status).toBe(1);
      expect(verifyCode(tampered).code).toBe('E_BUNDLE');
    });

    it('the operator can sign through ssh-agent with an RSA key (rsa-sha2-512), and stock ssh-keygen accepts it', async () => {
      if (skipReason('export through ssh-agent', HAVE_SSH_AGENT)) return;
      const agentDir = mkdtempSync(path.join(tmpdir(), 'export-agent-'));
      const rsa = makeKey(agentDir, 'alice_rsa', 'rsa');
      const agent = await startAgent(agentDir);
      try {
        agent.add(rsa.file);
        const out = path.join(root, 'bundle-agent');
        const res = spawnSync(process.execPath, [CLI, 'export', otherRunDir, '--out', out, '--agent'], { encoding: 'utf8', env: { ...process.env, ...env, SSH_AUTH_SOCK: agent.socket } });
        expect(res.status, res.stderr).toBe(0);
        const sig = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', 'allowed_signers', '-I', 'alice', '-n', 'runbook-console-audit', '-s', 'report.json.sig'], { cwd: out, input: readFileSync(path.join(out, 'report.json')) });
        expect(sig.status).toBe(0);
        expect(readFileSync(path.join(out, 'allowed_signers'), 'utf8')).toContain(rsa.publicKeyLine.split(' ')[1]);
      } finally {
        await agent.stop();
      }
    });

    it('a whole valid bundle of another run is rejected under --run-id', () => {
      const other = path.join(root, 'other-bundle');
      expect(cli('export', otherRunDir, '--out', other, '--key', operatorKey.file).status).toBe(0);
      const runId = JSON.parse(linesOf(runDir)[0] as string).run as string;
      expect(cli('verify', other, '--allowed-signers', auditorSigners()).status).toBe(0);
      expect(verifyCode(other, '--run-id', runId).code).toBe('E_RUN_ID');
    });
  });

  it('export refuses a non-empty output directory', () => {
    expect(existsSync(runDir)).toBe(true);
    const res = cli('export', runDir, '--out', root);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/not empty/);
  });
});
