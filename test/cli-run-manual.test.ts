// `runbook run` and steps a person does, without a terminal (--yes): manual steps are left to the plan
// (skipped: nothing to run), a decision stops the run unless --decide answered it, and a --decide choice is
// journaled and moves the run to the section it leads to. (On a terminal each is asked for: test/cli/manual-prompts.test.ts.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const STATE = mkdtempSync(path.join(tmpdir(), 'cli-manual-state-'));
const STATE_ENV = { RUNBOOK_CONSOLE_KEY_DIR: path.join(STATE, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(STATE, 'runs') };

const PLAYBOOK = `# Switch-over

## Prepare

1. Tell the channel the switch-over starts.

- [ ] Show the current route
  \`\`\`bash
  echo current-route
  \`\`\`

## Go / No-Go

Decide GO / NO-GO with the lead.

- GO → continue with [Switch](#switch)
- NO-GO → [Back out](#back-out)

## Switch

- [ ] Switch the traffic
  \`\`\`bash
  echo switched-traffic
  \`\`\`

## Back out

- [ ] Restore the old route
  \`\`\`bash
  echo restored-route
  \`\`\`
`;

function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-manual-'));
  const file = path.join(dir, 'playbook.md');
  writeFileSync(file, PLAYBOOK);
  const journal = path.join(dir, 'journal');
  const run = (args: string[]) => spawnSync(process.execPath, [CLI, 'run', file, '--yes', '--journal', journal, '--operator', 'alice', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...STATE_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  const records = () =>
    readFileSync(path.join(journal, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });
  return { run, records };
}

describe('runbook run --yes and steps done by hand', () => {
  it('skips the manual step, runs the code, and stops at the decision nobody answered: exit 1, nothing after it runs', () => {
    const { run, records } = setup();
    const res = run([]);
    expect(res.status, res.stderr).toBe(1);
    expect(res.stdout).toContain('Tell the channel the switch-over starts.: skipped (manual step: nothing to run)');
    expect(res.stdout).toContain('current-route');
    expect(res.stdout).not.toContain('switched-traffic');
    expect(res.stdout).not.toContain('restored-route');
    expect(res.stderr).toMatch(/run stopped at step go-no-go\/\S+: decision step go-no-go\/\S+ needs a person to choose \(GO \/ NO-GO\): run it on a terminal without --yes, or pass --decide go-no-go\/\S+=CHOICE/);
    const stopped = records().find((r) => r.type === 'step.skipped' && r.data.by === 'refused');
    expect(stopped?.data).toMatchObject({ status: 'not-run', refusal: null });
    expect(records().find((r) => r.type === 'run.finished')?.data.ok).toBe(false);
  });

  it('--decide answers it: the choice is journaled and the run goes where it leads (NO-GO passes the switch by)', () => {
    const { run, records } = setup();
    const decision = 'go-no-go/decide-go-no-go-with-the-lead';
    const res = run(['--decide', `${decision}=no-go`]);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/◇ \[3\/5\] Decide GO \/ NO-GO with the lead\.  \(line 14, go-no-go\/decide-go-no-go-with-the-lead, decision\)\n  ✓ decision: NO-GO\n/);
    expect(res.stdout).toContain('Switch the traffic: skipped (decision "NO-GO" at "Decide GO / NO-GO with the lead." leads to "Back out")');
    expect(res.stdout).not.toContain('switched-traffic');
    expect(res.stdout).toContain('restored-route');
    expect(records().filter((r) => r.type === 'decision').map((r) => r.data)).toEqual([{ step: { id: decision }, decision: 'NO-GO', note: 'given with --decide', by: 'alice' }]);
  });

  it('a --decide that names no decision, or a choice it does not offer, is a usage error before anything runs', () => {
    const { run } = setup();
    const res = run(['--decide', 'go-no-go/decide-go-no-go-with-the-lead=MAYBE']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('offers "GO", "NO-GO"');
    expect(res.stdout).not.toContain('current-route');
  });
});
