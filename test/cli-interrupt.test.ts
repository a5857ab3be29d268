// No orphans, no torn runs: SIGHUP, SIGTERM, SIGINT and a closed stdout stop the running step's whole
// process group, journal the interruption, and leave a sealed run that verifies.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint, parsePublicKeyLine } from '../src/main/audit/ssh-keys.js';
import { running } from './support/process.js';
import { REPO_ROOT } from './support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const STATE = mkdtempSync(path.join(tmpdir(), 'cli-interrupt-state-'));
const STATE_ENV = { RUNBOOK_CONSOLE_KEY_DIR: path.join(STATE, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(STATE, 'runs') };

function setUp(): { dir: string; file: string; pidFile: string; canary: string; journal: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-interrupt-'));
  const pidFile = path.join(dir, 'pids');
  const canary = path.join(dir, 'canary');
  const file = path.join(dir, 'rb.md');
  // The step starts a background child in its group, reports both pids, then ticks until stopped. The
  // child would write the canary if it outlived the run.
  writeFileSync(
    file,
    `# Interrupt me\n\n- [ ] Long step\n  \`\`\`bash\n  (sleep 30; touch '${canary}') &\n  echo "$$ $!" > '${pidFile}'\n  echo started\n  while true; do echo tick; sleep 0.1; done\n  \`\`\`\n- [ ] Never reached\n  \`\`\`bash\n  echo unreachable\n  \`\`\`\n`,
  );
  return { dir, file, pidFile, canary, journal: path.join(dir, 'run') };
}

function start(file: string, journal: string): ChildProcess {
  return spawn(process.execPath, [CLI, 'run', file, '--yes', '--journal', journal], { cwd: REPO_ROOT, env: { ...process.env, ...STATE_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves once the step says it started (its output is the synchronisation, not a sleep). */
function startedSignal(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('started')) resolve();
    });
    child.once('exit', () => reject(new Error(`exited before the step started: ${seen}`)));
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

function journalTypes(journal: string): string[] {
  return readFileSync(path.join(journal, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
}

function assertCleanEnd(setup: ReturnType<typeof setUp>, cause: string): void {
  const [shellPid, childPid] = readFileSync(setup.pidFile, 'utf8').trim().split(' ').map(Number);
  expect(running(shellPid as number), 'the step\'s shell outlived the run').toBe(false);
  expect(running(childPid as number), 'a background child of the step outlived the run').toBe(false);
  const types = journalTypes(setup.journal);
  expect(types).toContain('run.interrupted');
  expect(types.at(-2)).toBe('run.finished');
  expect(types.at(-1)).toBe('checkpoint');
  const finished = readFileSync(path.join(setup.journal, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> }).find((r) => r.type === 'run.finished');
  expect(finished?.data.interrupted).toBe(cause);
  // Anchored to this installation's key (--pin), the sealed run verifies: exit 0 (without an anchor, 3).
  const pin = fingerprint(parsePublicKeyLine(readFileSync(path.join(STATE_ENV.RUNBOOK_CONSOLE_KEY_DIR, 'installation_ed25519.pub'), 'utf8').trim()).blob);
  const verify = spawnSync(process.execPath, [CLI, 'verify', setup.journal, '--pin', pin], { env: { ...process.env, ...STATE_ENV }, encoding: 'utf8' });
  expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  expect(existsSync(setup.canary)).toBe(false);
}

describe('runbook run, interrupted', () => {
  for (const [signal, code] of [['SIGHUP', 129], ['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`${signal}: stops the step's process group, journals it, seals a run that verifies (exit ${code})`, async () => {
      const setup = setUp();
      const child = start(setup.file, setup.journal);
      await startedSignal(child);
      const done = exited(child);
      child.kill(signal);
      expect(await done).toBe(code);
      assertCleanEnd(setup, signal);
      expect(journalTypes(setup.journal).filter((t) => t === 'step.started')).toHaveLength(1); // the next step never ran
    });
  }

  it('a closed stdout (EPIPE) ends the run the same way instead of killing the CLI', async () => {
    const setup = setUp();
    const child = start(setup.file, setup.journal);
    await startedSignal(child);
    const done = exited(child);
    child.stdout?.destroy(); // the reader of a pipe went away (`runbook run … | head -1`)
    expect(await done).toBe(141);
    assertCleanEnd(setup, 'EPIPE');
  });

  it('a second Ctrl+C does not tear the run: it still ends sealed', async () => {
    const setup = setUp();
    const child = start(setup.file, setup.journal);
    await startedSignal(child);
    const done = exited(child);
    child.kill('SIGINT');
    child.kill('SIGINT');
    expect(await done).toBe(130);
    assertCleanEnd(setup, 'SIGINT');
  });
});
