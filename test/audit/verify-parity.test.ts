// verify.py is the same verdict (issue 11, item 7): both verifiers — `runbook verify` and the bundle's
// `python3 verify.py` — run over every case of the tamper suite, without anchors and with the auditor's
// (--allowed-signers, --prior, --pin), and must give the same exit status and the same reason code.
// verify.py must also give the verdict the case expects, print one FAIL line and never a traceback.
//
// Where `runbook verify` lacks a check of the shared spec, the tests it fails are marked `it.fails` in TS_LACKS
// below, naming the check; verify.py lacks none. Once the check is there the marked test passes,
// vitest reports that as a failure, and the mark goes.
// Last, files and directories the verifiers may not read (as another user than root).
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Base, CASES, CLI, HAVE_PYTHON, type TamperCase, VERIFY_PY, type Verdict, type VerifierOutcome, anchorArgs, copyVerifier, makeBase, pool, prepareCase, runVerifier, verdictOf } from './tamper-suite.js';
import { HAVE_SSH_KEYGEN } from './ssh-tools.js';

if (!HAVE_PYTHON) console.warn('skipped: verify.py parity (python3 is not on PATH)');
if (!HAVE_SSH_KEYGEN) console.warn('skipped: verify.py parity (ssh-keygen is not on PATH)');

type Mode = 'bare' | 'anchored';
const MODES: Mode[] = ['bare', 'anchored'];

/**
 * Checks of the shared spec `runbook verify` does not make (yet), by case and mode, each naming what is missing.
 * Empty: on every case below, in both modes, it gives verify.py's verdict.
 */
const TS_LACKS: Record<string, Partial<Record<Mode, string>>> = {};

describe.skipIf(!HAVE_PYTHON || !HAVE_SSH_KEYGEN)('runbook verify and verify.py give the same verdict on every tamper case', () => {
  let base: Base;
  let root: string;
  const results = new Map<string, { py: VerifierOutcome; ts: VerifierOutcome }>();
  const key = (c: TamperCase, mode: Mode) => `${c.name} / ${mode}`;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:node\` first`);
    root = mkdtempSync(path.join(tmpdir(), 'verify-parity-'));
    base = await makeBase(root);
    // No key store for `runbook verify` to find MAC keys in: both verifiers have what the case gives them.
    const emptyKeys = path.join(root, 'no-keys');
    mkdirSync(emptyKeys);
    const env = { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: emptyKeys, RUNBOOK_CONSOLE_RUNS_DIR: path.join(root, 'no-runs') };
    const jobs: (() => Promise<void>)[] = [];
    for (const c of CASES) {
      const dir = prepareCase(base, c);
      for (const mode of MODES) {
        const args = [dir, ...(c.args?.(base, dir) ?? []), ...(mode === 'anchored' ? (c.anchors?.(base, dir) ?? anchorArgs(base)) : [])];
        jobs.push(async () => {
          // One after the other on a case: `runbook verify` of a run directory writes its access log.
          const py = await runVerifier('python3', [VERIFY_PY, ...args], env);
          const ts = await runVerifier(process.execPath, [CLI, 'verify', ...args], env);
          results.set(key(c, mode), { py, ts });
        });
      }
    }
    await pool(jobs, Math.max(2, Math.min(8, cpus().length)));
  }, 600_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  for (const c of CASES) {
    for (const mode of MODES) {
      const expected = c[mode];
      it(`verify.py: ${c.name}, ${mode} → ${expected}`, () => {
        const { py } = results.get(key(c, mode)) as { py: VerifierOutcome };
        const out = py.stdout + py.stderr;
        expect(verdictOf(py), out).toBe(expected);
        expect(out).not.toMatch(/Traceback|^\s+File "/m);
        if (py.status === 1) expect(py.stdout.match(/^FAIL /gm), out).toHaveLength(1);
        if (py.status === 2) expect(py.stderr.trim().split('\n'), out).toHaveLength(1);
        if (c.says && mode === 'anchored') expect(out).toContain(c.says);
      });
      const lacks = TS_LACKS[c.name]?.[mode];
      (lacks ? it.fails : it)(`runbook verify agrees: ${c.name}, ${mode}${lacks ? ` (lacks: ${lacks})` : ''}`, () => {
        const { py, ts } = results.get(key(c, mode)) as { py: VerifierOutcome; ts: VerifierOutcome };
        const said = `runbook verify said:\n${ts.stdout}${ts.stderr}\nverify.py said:\n${py.stdout}${py.stderr}`;
        expect({ verdict: verdictOf(ts) }, said).toEqual({ verdict: verdictOf(py) });
        if (c.says && mode === 'anchored') expect(ts.stdout + ts.stderr, said).toContain(c.says);
      });
    }
  }
});



// Files and directories the verifier may not read: a one-line reason, never a traceback, and the same verdict.
// Needs another user than root's to be refused anything (setpriv to nobody), and tools that user can run.
const SYSTEM_PYTHON = '/usr/bin/python3';
const SYSTEM_NODE = '/usr/bin/node';
const AS_NOBODY = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv') && existsSync(SYSTEM_PYTHON) && existsSync(SYSTEM_NODE);
describe.skipIf(!AS_NOBODY || !HAVE_SSH_KEYGEN)('unreadable files and directories (run as nobody)', () => {
  let root: string;
  let pin: string;
  const unreadable: { name: string; path: (dir: string) => string; mode: number; expected: Verdict; lacks?: string }[] = [
    // A missing journal.jsonl is a usage error (exit 2); one that cannot be read is too.
    { name: 'journal.jsonl unreadable', path: (d) => path.join(d, 'journal.jsonl'), mode: 0o000, expected: 2 },
    { name: 'blobs/ unreadable', path: (d) => path.join(d, 'blobs'), mode: 0o000, expected: 'E_BLOB' },
    { name: 'the directory itself unreadable', path: (d) => d, mode: 0o000, expected: 2 },
  ];
  const outcomes = new Map<string, { py: VerifierOutcome; ts: VerifierOutcome }>();
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'verify-unreadable-'));
    const base = await makeBase(path.join(root, 'base'));
    pin = base.pin;
    chmodSync(root, 0o755);
    const script = path.join(root, 'verify.py');
    copyVerifier(root);
    for (const u of unreadable) {
      const dir = path.join(root, u.name.replace(/\W+/g, '-'));
      cpSync(base.runDir, dir, { recursive: true });
      spawnSync('chmod', ['-R', 'a+rX', dir]);
      chmodSync(u.path(dir), u.mode);
      const nobody = (cmd: string, args: string[]) => runVerifier('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', cmd, ...args], { ...process.env, HOME: root, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'no-keys') });
      outcomes.set(u.name, { py: await nobody(SYSTEM_PYTHON, [script, dir, '--pin', pin]), ts: await nobody(SYSTEM_NODE, [CLI, 'verify', dir, '--pin', pin]) });
    }
  }, 120_000);

  for (const u of unreadable) {
    it(`verify.py: ${u.name} → ${u.expected}`, () => {
      const { py } = outcomes.get(u.name) as { py: VerifierOutcome };
      const out = py.stdout + py.stderr;
      expect(verdictOf(py), out).toBe(u.expected);
      expect(out).not.toMatch(/Traceback|^\s+File "/m);
      if (py.status === 2) expect(py.stderr.trim().split('\n'), out).toHaveLength(1);
    });
    (u.lacks ? it.fails : it)(`runbook verify agrees: ${u.name}${u.lacks ? ` (lacks: ${u.lacks})` : ''}`, () => {
      const { py, ts } = outcomes.get(u.name) as { py: VerifierOutcome; ts: VerifierOutcome };
      expect(verdictOf(ts), `runbook verify said:\n${ts.stdout}${ts.stderr}`).toBe(verdictOf(py));
    });
  }
});
