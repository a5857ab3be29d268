// `runbook run` as an operator runs it, against the local shell (other targets have their own suites).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');

function runbook(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-run-'));
  const file = path.join(dir, 'rb.md');
  writeFileSync(file, text);
  return { dir, file };
}

// Keys and runs go to a temp directory, never the operator's data directory.
const STATE = mkdtempSync(path.join(tmpdir(), 'cli-run-state-'));
const STATE_ENV = { RUNBOOK_CONSOLE_KEY_DIR: path.join(STATE, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(STATE, 'runs') };

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, 'run', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...STATE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

const DEMO = `# Demo
## Steps
- [ ] Say hello
  \`\`\`bash
  echo "hello $WHO"
  \`\`\`
- [ ] Show the ticket
  \`\`\`bash
  echo ticket <TICKET>
  \`\`\`
- [ ] Restricted step 🔴
  \`\`\`bash
  echo restricted-ran
  \`\`\`
- [ ] Fail
  \`\`\`bash
  exit 4
  \`\`\`
- [ ] Never reached
  \`\`\`bash
  echo unreachable
  \`\`\`
`;

describe('runbook run', () => {
  it('refuses to run without a terminal unless --yes is given', () => {
    const { file } = runbook(DEMO);
    const res = run([file]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('refusing to run: there is no terminal to confirm each step on; pass --yes');
  });

  it('names every missing variable before running anything', () => {
    const { file } = runbook(DEMO);
    const res = run([file, '--yes']);
    expect(res.status, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/no value for WHO, <TICKET>/);
    expect(res.stdout).not.toContain('hello');
  });

  it('runs in order, streams output under the step title, skips by profile, stops at the first failure with exit 1', () => {
    const { file, dir } = runbook(DEMO);
    const journal = path.join(dir, 'journal');
    const res = run([file, '--yes', '--var', 'WHO=world', '--var', 'TICKET=CHG-1 && rm -rf /', '--profile', 'regulated', '--operator', 'alice', '--journal', journal]);
    expect(res.status, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/▶ \[1\/5\] Say hello[^\n]*\n[^\n]*\n  │ » read-only \[shell-read-only\]\n  │ hello world\n  └ succeeded exit 0/);
    expect(res.stdout).toContain('  │ ticket CHG-1 && rm -rf /');
    expect(res.stdout).toContain('Restricted step: skipped (profile restricted is above the run\'s profile regulated)');
    expect(res.stdout).toMatch(/└ failed exit 4: exit status 4/);
    expect(res.stdout).not.toContain('unreachable');
    expect(res.stdout).toMatch(/✗ 2 succeeded, 1 skipped, 1 failed, 1 not-run/);
    // Each block's complete output is kept as a blob named by its hash, beside the journal.
    expect(readdirSync(path.join(journal, 'blobs')).filter((f) => /^[0-9a-f]{64}$/.test(f)).length).toBeGreaterThanOrEqual(3);
    expect(readdirSync(journal)).toEqual(expect.arrayContaining(['journal.jsonl', 'checkpoint.txt', 'checkpoint.txt.sig']));
  });

  it('--keep-going and --only; exit 0 only when every run step succeeded', () => {
    const { file } = runbook(DEMO);
    const vars = ['--var', 'WHO=x', '--var', 'TICKET=y'];
    const keepGoing = run([file, '--yes', '--keep-going', ...vars]);
    expect(keepGoing.status, keepGoing.stderr).toBe(1);
    expect(keepGoing.stdout).toContain('unreachable');
    const only = run([file, '--yes', '--only', 'steps/say-hello', '--only', 'steps/never-reached', ...vars]);
    expect(only.status).toBe(0);
    expect(only.stdout).toMatch(/✓ 2 succeeded, 3 skipped/);
    const bad = run([file, '--yes', '--only', 'steps/nope', ...vars]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--only steps/nope: no step has this id');
  });

  it('reports unbound blocks and a bad targets file with file and line', () => {
    const { file, dir } = runbook('- [ ] q\n  ```sql\n  select 1\n  ```\n');
    const unbound = run([file, '--yes']);
    expect(unbound.status).toBe(1);
    expect(unbound.stderr).toMatch(/cannot run:\n  step q: line 2: sql block has no target/);
    const targets = path.join(dir, 'targets.yaml');
    writeFileSync(targets, 'targets:\n  db:\n    kind: postgres\n    host: 127.0.0.1\n    port: seventy\n');
    const bad = run([file, '--yes', '--targets', targets]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^${targets.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: targets\\.db\\.port: `));
  });

  it('a protected target needs --confirm-protected for state-changing steps', () => {
    const { file, dir } = runbook('- [ ] change\n  ```bash\n  mkdir -p marker-dir && echo changed\n  ```\n');
    const targets = path.join(dir, 'targets.yaml');
    writeFileSync(targets, 'targets:\n  prod: { kind: local, protected: true }\ndefaults: { shell: prod }\n');
    const refused = run([file, '--yes', '--targets', targets]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('pass --confirm-protected prod');
    expect(refused.stdout).not.toContain('│ changed');
    const allowed = run([file, '--yes', '--targets', targets, '--confirm-protected', 'prod']);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('│ changed');
  });

  it('a REGULATED run needs a named operator', () => {
    const { file } = runbook(DEMO);
    const res = run([file, '--yes', '--var', 'WHO=x', '--var', 'TICKET=y', '--profile', 'regulated']);
    expect(res.status, res.stderr).toBe(1);
    expect(res.stderr).toContain('profile regulated: the operator must be named (--operator NAME)');
    expect(res.stdout).toBe('');
  });

  it('never overwrites an existing run record', () => {
    const { file, dir } = runbook('- [ ] a\n  ```bash\n  true\n  ```\n');
    const journal = path.join(dir, 'j');
    expect(run([file, '--yes', '--journal', journal]).status).toBe(0);
    const again = run([file, '--yes', '--journal', journal]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds a run's journal/);
  });

  it('masks secret values in what it prints', () => {
    const { file } = runbook('---\nvariables:\n  DB_PASSWORD: { secret: true }\n---\n- [ ] leak\n  ```bash\n  echo "pw is $DB_PASSWORD"\n  ```\n');
    const res = run([file, '--yes', '--var', 'DB_PASSWORD=correct-horse']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('pw is ••••••');
    expect(res.stdout).not.toContain('correct-horse');
  });
});
