// One writer per run, through the real CLI: while `runbook run` holds a run directory, a second
// `runbook run`, an export and a recovery of it are refused at once, naming the holder, and write nothing
// (no bundle, no checkpoint, no record, no access log). A run killed with -9 leaves a stale lock that is
// detected, and the run is then recovered or exported. Attacks first; the positive controls after them.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';
import { intact, verify } from './crash-support.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
// The step waits until stopped, and ends by itself once the CLI that runs it is gone (no orphan after kill -9).
const LONG = '- [ ] long\n  ```bash\n  echo started; exec tail -f /dev/null --pid=$PPID\n  ```\n- [ ] after\n  ```bash\n  echo after\n  ```\n';
const SHORT = '- [ ] quick\n  ```bash\n  echo quick\n  ```\n';

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function setup(): { root: string; env: Record<string, string>; runDir: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'run-lock-cli-'));
  writeFileSync(path.join(root, 'long.md'), LONG);
  writeFileSync(path.join(root, 'short.md'), SHORT);
  return { root, env: { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') }, runDir: path.join(root, 'run') };
}

const cli = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

/** `runbook run` of the long runbook, resolved once its first block has printed (it then sleeps). */
async function liveRun(env: Record<string, string>, rb: string, runDir: string): Promise<{ child: ChildProcessWithoutNullStreams; exit: Promise<{ code: number | null; signal: string | null }> }> {
  const child = spawn(process.execPath, [CLI, 'run', rb, '--yes', '--journal', runDir], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('│ started')) resolve();
    });
    void exit.then(() => reject(new Error(`the run ended before its step started:\n${out}`)));
  });
  return { child, exit };
}

/** Every file under `dir` with its size and hash: what "nothing was written" is checked against. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full, `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = `${statSync(full).size} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`;
    }
  };
  walk(dir, '');
  return out;
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('one writer per run (CLI)', () => {
  it('refuses a second run, an export and a recovery of a live run at once, naming the holder; nothing is written', async () => {
    const { root, env, runDir } = setup();
    const { child, exit } = await liveRun(env, path.join(root, 'long.md'), runDir);
    const before = snapshot(runDir);
    const rootBefore = readdirSync(root).sort();
    const holder = new RegExp(`pid ${child.pid} on host ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(runbook run\\)`);

    const second = cli(env, 'run', path.join(root, 'short.md'), '--yes', '--journal', runDir);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(holder);
    expect(second.stderr).toContain('nothing was written');
    expect(second.stdout).not.toContain('quick');
    noStackTrace(second.stderr);

    const out = path.join(root, 'bundle');
    const exported = cli(env, 'export', runDir, '--out', out);
    expect(exported.status).toBe(1);
    expect(exported.stderr).toMatch(holder);
    expect(exported.stderr).toContain('nothing was written');
    noStackTrace(exported.stderr);
    expect(existsSync(out)).toBe(false);

    const recovered = cli(env, 'recover', runDir);
    expect(recovered.status).toBe(1);
    expect(recovered.stderr).toMatch(holder);
    noStackTrace(recovered.stderr);

    // Nothing anywhere: no bundle (or its staging directory), no checkpoint, no record, no access log.
    expect(snapshot(runDir)).toEqual(before);
    expect(readdirSync(root).sort()).toEqual(rootBefore);
    expect(Object.keys(before)).not.toContain('checkpoint.txt');
    expect(Object.keys(before)).not.toContain('access.jsonl');

    // Positive control: once the run has ended (sealed on SIGTERM) and released the lock, the export works.
    child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 143, signal: null });
    expect(existsSync(path.join(runDir, 'run.lock'))).toBe(false);
    const after = cli(env, 'export', runDir, '--out', out);
    expect(after.status, after.stderr).toBe(0);
    expect(verify(env, out).status).toBe(0);
    expect(verify(env, runDir).status).toBe(0);
  }, 60_000);

  it.each([
    ['SIGINT', 130],
    ['SIGHUP', 129],
    ['EPIPE', 141],
  ] as const)('%s: the run is sealed and its lock released (exit %i); the next writer gets the directory', async (cause, code) => {
    const { root, env, runDir } = setup();
    writeFileSync(path.join(root, 'ticking.md'), '- [ ] ticking\n  ```bash\n  echo started; while :; do echo tick; sleep 0.05; done\n  ```\n');
    const { child, exit } = await liveRun(env, path.join(root, 'ticking.md'), runDir);
    expect(existsSync(path.join(runDir, 'run.lock'))).toBe(true);
    if (cause === 'EPIPE') child.stdout.destroy();
    else child.kill(cause);
    expect(await exit).toEqual({ code, signal: null });
    expect(existsSync(path.join(runDir, 'run.lock'))).toBe(false);
    expect(verify(env, runDir).status).toBe(0);
    expect(cli(env, 'export', runDir, '--out', path.join(root, 'bundle')).status).toBe(0);
  }, 60_000);

  it('after kill -9 the stale lock is detected: a new run is refused, the run verifies unsealed, exports, and then verifies sealed', async () => {
    const { root, env, runDir } = setup();
    const { child, exit } = await liveRun(env, path.join(root, 'long.md'), runDir);
    child.kill('SIGKILL');
    expect(await exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(JSON.parse(readFileSync(path.join(runDir, 'run.lock'), 'utf8'))).toMatchObject({ pid: child.pid, purpose: 'run' });

    const again = cli(env, 'run', path.join(root, 'short.md'), '--yes', '--journal', runDir);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`left open by pid ${child.pid} on host ${hostname()}`);
    expect(again.stderr).toContain('no longer running');
    expect(again.stderr).toContain('runbook recover');
    noStackTrace(again.stderr);

    expect(verify(env, runDir).status).toBe(1); // E_UNSEALED
    const unsealed = verify(env, runDir, '--allow-unsealed');
    expect(intact(unsealed), unsealed.stdout).toBe(true);
    expect(unsealed.stdout).toContain('W_UNSEALED');

    const out = path.join(root, 'bundle');
    const exported = cli(env, 'export', runDir, '--out', out);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stderr).toContain(`took over the lock left by pid ${child.pid}`);
    expect(exported.stdout).toContain('was interrupted; its end was recorded and sealed before export');
    expect(existsSync(path.join(runDir, 'run.lock'))).toBe(false);
    expect(verify(env, out).status).toBe(0);
    const sealed = verify(env, runDir);
    expect(sealed.status, sealed.stdout).toBe(0);
    // The block that was running when the process died is named in the record of the run's end.
    const finished = readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)).find((r) => r.type === 'run.finished');
    expect(finished.data).toMatchObject({ ok: false, interrupted: true, closed_by: 'export', stale_lock: { pid: child.pid }, unfinished: [{ step: expect.any(String) }] });
    expect(finished.data.orphaned_outputs.map((o: { file: string }) => o.file)).toEqual(expect.arrayContaining([expect.stringMatching(/\.out$/)]));
  }, 60_000);

  it('`runbook recover` closes a killed run: it then verifies sealed, without --allow-unsealed, and exports', async () => {
    const { root, env, runDir } = setup();
    const { child, exit } = await liveRun(env, path.join(root, 'long.md'), runDir);
    child.kill('SIGKILL');
    await exit;
    const recovered = cli(env, 'recover', runDir);
    expect(recovered.status, recovered.stderr).toBe(0);
    expect(recovered.stdout).toContain(`took over the lock left by pid ${child.pid}`);
    expect(recovered.stdout).toContain('its end is recorded as interrupted');
    expect(recovered.stdout).toMatch(/sealed \d+ records/);
    const verified = verify(env, runDir);
    expect(verified.status, verified.stdout).toBe(0);
    expect(verified.stdout).not.toContain('W_UNSEALED');
    // Recovering again changes nothing.
    const before = readFileSync(path.join(runDir, 'journal.jsonl'));
    const twice = cli(env, 'recover', runDir);
    expect(twice.status).toBe(0);
    expect(twice.stdout).toContain('already closed and sealed');
    expect(readFileSync(path.join(runDir, 'journal.jsonl')).equals(before)).toBe(true);
    const out = path.join(root, 'bundle');
    expect(cli(env, 'export', runDir, '--out', out).status).toBe(0);
    expect(verify(env, out).status).toBe(0);
  }, 60_000);
});
