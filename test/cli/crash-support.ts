// Helpers for the kill -9 tests: the built CLI crashed at an exact point (RUNBOOK_CONSOLE_TEST_CRASH, read
// only by src/main/audit/fault-injection.ts), fixed-seed choices of points, and what must hold afterwards.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import { REPO_ROOT } from '../support/shared.js';

export const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');

export const STEPS = 4;
export const RUNBOOK = `# Crash points\n${Array.from({ length: STEPS }, (_, i) => `- [ ] step ${i}\n  \`\`\`bash\n  echo "output of step ${i}"\n  \`\`\`\n`).join('')}`;
/** run.started, step.started + step.finished per step, run.finished, the final checkpoint. */
export const FULL_RUN_RECORDS = 1 + 2 * STEPS + 2;

export interface Cli {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cli(env: Record<string, string>, ...args: string[]): Cli {
  const res = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, RUNBOOK_CONSOLE_TEST_CRASH: '', RUNBOOK_CONSOLE_TEST_FAULT: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { status: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr };
}

/** `--pin` with this installation's key (made by the first run): what anchors a verification to it. */
export function pin(env: Record<string, string>): string[] {
  const file = path.join(env.RUNBOOK_CONSOLE_KEY_DIR as string, 'installation_ed25519.pub');
  if (!existsSync(file)) return [];
  return ['--pin', fingerprint(parsePublicKeyLine(readFileSync(file, 'utf8').trim()).blob)];
}

/** `runbook verify DIR`, anchored to the installation key. */
export function verify(env: Record<string, string>, dir: string, ...args: string[]): Cli {
  return cli(env, 'verify', dir, ...pin(env), ...args);
}

/** Intact: exit 0, or (a run with no seal yet, so nothing signed to anchor) exit 3, intact but unanchored. */
export function intact(res: Cli): boolean {
  return res.status === 0 || (res.status === 3 && /^INTACT BUT UNANCHORED/m.test(res.stdout));
}

/** Deterministic choices (mulberry32). */
export function seeded(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export interface Scenario {
  root: string;
  env: Record<string, string>;
  runDir: string;
  runbook: string;
}

export function scenario(prefix: string): Scenario {
  const root = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const runbook = path.join(root, 'rb.md');
  writeFileSync(runbook, RUNBOOK);
  return { root, env: { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') }, runDir: path.join(root, 'run'), runbook };
}

/** A copy of a scenario (run directory and key store together, so each copy has its own MAC key chain). */
export function copyScenario(from: Scenario, prefix: string): Scenario {
  const to = scenario(prefix);
  cpSync(path.join(from.root, 'keys'), path.join(to.root, 'keys'), { recursive: true });
  cpSync(from.runDir, to.runDir, { recursive: true });
  return to;
}

export function runCrashed(s: Scenario, point: string): Cli {
  const res = cli({ ...s.env, RUNBOOK_CONSOLE_TEST_CRASH: point }, 'run', s.runbook, '--yes', '--journal', s.runDir);
  expect(res.signal, `${point}: the run was not killed there\n${res.stdout}\n${res.stderr}`).toBe('SIGKILL');
  return res;
}

export function journalOf(runDir: string): { whole: string[]; tornBytes: number } {
  const file = path.join(runDir, 'journal.jsonl');
  if (!existsSync(file)) return { whole: [], tornBytes: 0 };
  const text = readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  return { whole: text.slice(0, end).split('\n').filter(Boolean), tornBytes: Buffer.byteLength(text.slice(end)) };
}

export function expectPlain(res: Cli, what: string): void {
  expect(`${res.stdout}\n${res.stderr}`, `${what}: a stack trace`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

export function failureCode(res: Cli): string | null {
  return /^FAIL (E_[A-Z_]+)/m.exec(res.stdout)?.[1] ?? null;
}

/** What a crash must leave: a run that verifies (unsealed allowed; a torn tail only after recovery), exports, and then verifies sealed. */
export function expectRecoverable(s: Scenario, what: string, options: { via: 'export' | 'recover'; out?: string }): void {
  const { tornBytes, whole } = journalOf(s.runDir);
  expect(whole.length, `${what}: no complete record`).toBeGreaterThan(0);
  const unsealed = verify(s.env, s.runDir, '--allow-unsealed');
  expectPlain(unsealed, what);
  if (tornBytes > 0) expect(failureCode(unsealed), `${what}: ${unsealed.stdout}`).toBe('E_TORN_TAIL');
  else expect(intact(unsealed), `${what}: verify --allow-unsealed\n${unsealed.stdout}${unsealed.stderr}`).toBe(true);
  if (options.via === 'recover') {
    const recovered = cli(s.env, 'recover', s.runDir);
    expectPlain(recovered, what);
    expect(recovered.status, `${what}: recover\n${recovered.stdout}${recovered.stderr}`).toBe(0);
    const sealed = verify(s.env, s.runDir);
    expect(sealed.status, `${what}: verify after recover\n${sealed.stdout}`).toBe(0);
    if (tornBytes > 0) expect(sealed.stdout).toContain('W_RECOVERED');
  }
  const out = options.out ?? path.join(s.root, 'bundle');
  const exported = cli(s.env, 'export', s.runDir, '--out', out);
  expectPlain(exported, what);
  expect(exported.status, `${what}: export\n${exported.stdout}${exported.stderr}`).toBe(0);
  const bundle = verify(s.env, out);
  expect(bundle.status, `${what}: verify the bundle\n${bundle.stdout}`).toBe(0);
  const sealed = verify(s.env, s.runDir);
  expect(sealed.status, `${what}: verify the run after export\n${sealed.stdout}`).toBe(0);
  expect(existsSync(path.join(s.runDir, 'run.lock')), `${what}: lock left behind`).toBe(false);
  // No staging directory of an export is left beside the bundle.
  expect(readdirSync(path.dirname(out)).filter((n) => n.includes('.export-')), what).toEqual([]);
}
