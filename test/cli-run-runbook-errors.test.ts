// A runbook the parser could not read as written is never run: a front matter that does not close leaves its
// profile unread, and running what was read would run a RESTRICTED runbook as STANDARD (no approvals).
// The attacker's runbook touches a canary file; the same runbook with its front matter closed is the control.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');

function setUp(frontMatterEnd: string) {
  const root = mkdtempSync(path.join(tmpdir(), 'cli-runbook-errors-'));
  const canary = path.join(root, 'canary');
  const file = path.join(root, 'rb.md');
  writeFileSync(file, ['---', 'profile: standard', 'title: Touch', frontMatterEnd, '', '# Touch', '', '- [ ] **Touch the canary**', '  ```bash', `  touch ${canary}`, '  ```', ''].join('\n'));
  const env = { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(root, 'runs') };
  const run = () => spawnSync(process.execPath, [CLI, 'run', file, '--yes'], { encoding: 'utf8', env });
  return { root, canary, file, run };
}

describe('runbook run refuses a runbook with error diagnostics', () => {
  it('an unclosed front matter: refused before anything runs or is recorded, naming the line and the code', () => {
    const { root, canary, file, run } = setUp('');
    const res = run();
    expect(res.status, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toContain(`${file}:1:1:`);
    expect(res.stderr).toContain('[front-matter-unclosed]');
    expect(existsSync(canary)).toBe(false);
    expect(existsSync(path.join(root, 'runs')) ? readdirSync(path.join(root, 'runs')) : []).toEqual([]);
  });

  it('control: the same runbook with its front matter closed runs, and the canary appears', () => {
    const { canary, run } = setUp('---');
    const res = run();
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(existsSync(canary)).toBe(true);
  });
});
