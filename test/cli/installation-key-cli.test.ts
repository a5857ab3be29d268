// The installation key's fingerprint, printed at key creation for the operator's ticket (issue 11, item 3):
// the command that makes the key prints, once, on stderr, its fingerprint (as `ssh-keygen -lf` prints it),
// its public key file and the exact `runbook verify … --pin` command; no later command prints it again;
// `runbook key` shows it on demand. The printed pin anchors a run (exit 0); another fingerprint does not.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_SSH_KEYGEN, makeKey, skipReason } from '../audit/ssh-tools.js';
import { REPO_ROOT } from '../support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const RUNBOOK = '# Key check\n\n- [ ] say hello\n  ```bash\n  echo hello\n  ```\n';
const NOTICE = "runbook: created this installation's key";

interface Printed {
  fingerprint: string;
  publicKeyFile: string;
  command: string;
}

/** The notice's facts; fails unless the notice is there exactly once. */
function notice(stderr: string): Printed {
  expect(stderr.split(NOTICE).length - 1, stderr).toBe(1);
  const fingerprint = /^ {2}fingerprint {2}(SHA256:\S+)$/m.exec(stderr)?.[1];
  const publicKeyFile = /^ {2}public key {3}(.+)$/m.exec(stderr)?.[1];
  const command = /^ {2}(runbook verify .*)$/m.exec(stderr)?.[1];
  expect(fingerprint && publicKeyFile && command, stderr).toBeTruthy();
  return { fingerprint: fingerprint as string, publicKeyFile: publicKeyFile as string, command: command as string };
}

/** `ssh-keygen -lf FILE`'s fingerprint: the reference. */
function keygenFingerprint(file: string): string {
  const res = spawnSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' });
  expect(res.status, res.stderr).toBe(0);
  return res.stdout.split(' ')[1] as string;
}

describe.skipIf(skipReason('installation key fingerprint', HAVE_SSH_KEYGEN))('the installation key fingerprint, printed once when the key is made', () => {
  let root: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'installation-key-cli-'));
    writeFileSync(path.join(root, 'rb.md'), RUNBOOK);
    env = { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  let printed: Printed;

  it('the first run makes the key and prints its fingerprint, public key file and verify --pin command once, on stderr', () => {
    const first = cli('run', 'rb.md', '--yes', '--journal', path.join(root, 'run1'));
    expect(first.status, first.stdout + first.stderr).toBe(0);
    printed = notice(first.stderr);
    expect(first.stdout).not.toContain(NOTICE); // stdout stays the run's own output
    expect(first.stderr).toMatch(/Record the fingerprint in the change ticket/);
    expect(printed.publicKeyFile).toBe(path.join(root, 'keys', 'installation_ed25519.pub'));
    // The same fingerprint stock OpenSSH computes from the public key file.
    expect(printed.fingerprint).toBe(keygenFingerprint(printed.publicKeyFile));
    expect(printed.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(printed.command).toBe(`runbook verify RUN_DIR --pin ${printed.fingerprint}`);
  });

  it('a second run prints nothing of the kind', () => {
    const second = cli('run', 'rb.md', '--yes', '--journal', path.join(root, 'run2'));
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(second.stderr).not.toContain(NOTICE);
    expect(second.stderr).not.toContain('SHA256:');
  });

  it('control: the printed --pin anchors the first run (exit 0); attack: another key\'s fingerprint does not (E_SIGNER), and no pin is exit 3', () => {
    const args = printed.command.split(' ').slice(2); // RUN_DIR --pin SHA256:…
    const anchored = cli('verify', ...args.map((a) => (a === 'RUN_DIR' ? path.join(root, 'run1') : a)));
    expect(anchored.status, anchored.stdout + anchored.stderr).toBe(0);
    expect(anchored.stdout).toMatch(/^OK: run directory of run .* is intact and anchored/);
    const other = makeKey(root, 'other', 'ed25519');
    const wrong = cli('verify', path.join(root, 'run1'), '--pin', keygenFingerprint(`${other.file}.pub`));
    expect(wrong.status, wrong.stdout + wrong.stderr).toBe(1);
    expect(wrong.stdout).toMatch(/^FAIL E_SIGNER/);
    const bare = cli('verify', path.join(root, 'run1'));
    expect(bare.status, bare.stdout + bare.stderr).toBe(3);
  });

  it('an unsealed run (killed before its seal) is intact but unanchored (exit 3) even with the right --pin: nothing signed anchors it; once recovered and sealed, the pin anchors it', async () => {
    // The step waits until its CLI is gone (no orphan after kill -9).
    writeFileSync(path.join(root, 'long.md'), '- [ ] long\n  ```bash\n  echo started; exec tail -f /dev/null --pid=$PPID\n  ```\n');
    const runDir = path.join(root, 'unsealed');
    const child = spawn(process.execPath, [CLI, 'run', 'long.md', '--yes', '--journal', runDir], { cwd: root, env: { ...process.env, ...env } });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('│ started')) resolve();
      });
      child.once('exit', () => reject(new Error(`the run ended before its step started: ${out}`)));
    });
    child.kill('SIGKILL');
    await exited;
    const unsealed = cli('verify', runDir, '--allow-unsealed', '--pin', printed.fingerprint);
    expect(unsealed.status, unsealed.stdout + unsealed.stderr).toBe(3);
    expect(unsealed.stdout).toMatch(/^INTACT BUT UNANCHORED/);
    expect(unsealed.stdout).toContain('Nothing in it is signed (no checkpoint), so no anchor can vouch for it');
    const recovered = cli('recover', runDir);
    expect(recovered.status, recovered.stdout + recovered.stderr).toBe(0);
    expect(recovered.stderr).not.toContain(NOTICE);
    expect(cli('verify', runDir, '--pin', printed.fingerprint).status).toBe(0);
  });

  it('`runbook key` shows it again on stdout (and --json), printing no creation notice', () => {
    const shown = cli('key');
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toContain(`fingerprint   ${printed.fingerprint}\n`);
    expect(shown.stdout).toContain(`public key    ${printed.publicKeyFile}\n`);
    expect(shown.stdout).toContain(`verify with   ${printed.command}\n`);
    const json = JSON.parse(cli('key', '--json').stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ fingerprint: printed.fingerprint, publicKeyFile: printed.publicKeyFile, verifyCommand: printed.command, created: false });
    expect(json.publicKey).toBe(readFileSync(printed.publicKeyFile, 'utf8').trim());
  });

  it('`runbook key` on a machine with no key yet makes it and announces it once; the first run after it announces nothing', () => {
    const fresh = { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys-fresh') };
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...fresh } });
    const made = run('key');
    expect(made.status, made.stderr).toBe(0);
    const facts = notice(made.stderr);
    expect(facts.fingerprint).toBe(keygenFingerprint(path.join(fresh.RUNBOOK_CONSOLE_KEY_DIR, 'installation_ed25519.pub')));
    expect(made.stdout).toContain(`fingerprint   ${facts.fingerprint}\n`);
    const after = run('run', 'rb.md', '--yes', '--journal', path.join(root, 'run3'));
    expect(after.status, after.stdout + after.stderr).toBe(0);
    expect(after.stderr).not.toContain(NOTICE);
  });

  it('two commands racing to make the key: exactly one announces it, both use the same key', async () => {
    const raced = { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys-race') };
    const once = () =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'key', '--json'], { cwd: root, env: { ...process.env, ...raced } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const results = await Promise.all([once(), once(), once()]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(results.filter((r) => r.stderr.includes(NOTICE))).toHaveLength(1);
    const prints = new Set(results.map((r) => (JSON.parse(r.stdout) as { fingerprint: string }).fingerprint));
    expect(prints.size).toBe(1);
    expect([...prints][0]).toBe(keygenFingerprint(path.join(raced.RUNBOOK_CONSOLE_KEY_DIR, 'installation_ed25519.pub')));
  });
});
