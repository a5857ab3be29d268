// `runbook parse --json` and `runbook run` on transcripts and languages (issue 12, items 1 and 6), through
// the built CLI (dist/: `npm run build:node`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunbookSchema } from '../src/shared/runbook-model.js';
import { REPO_ROOT } from './support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const STATE = mkdtempSync(path.join(tmpdir(), 'cli-transcripts-state-'));
const STATE_ENV = { RUNBOOK_CONSOLE_KEY_DIR: path.join(STATE, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(STATE, 'runs') };

function runbookFile(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-transcripts-'));
  const file = path.join(dir, 'rb.md');
  writeFileSync(file, text);
  return { dir, file };
}

const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...STATE_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });

describe('runbook parse --json', () => {
  it('gives a transcript\'s code as exactly what runs, with the block as written, its output and how it was read', () => {
    const out = execFileSync(process.execPath, [CLI, 'parse', 'test/fixtures/blocks/transcripts.md', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    const model = RunbookSchema.parse(JSON.parse(out));
    const b = model.steps.find((s) => s.title === 'Check the web service')?.blocks[0];
    expect(b).toMatchObject({
      action: 'shell',
      code: 'systemctl is-active web\ncurl -fsS http://localhost:8080/healthz \\\n    --max-time 5',
      source: '$ systemctl is-active web\nactive\n$ curl -fsS http://localhost:8080/healthz \\\n    --max-time 5\n{"status":"ok"}',
      expectedOutput: 'active\n{"status":"ok"}',
      reading: { kind: 'transcript' },
      queries: [],
      optionalVariables: [],
    });
    // Every block carries the new fields.
    for (const block of model.steps.flatMap((s) => s.blocks)) expect(Object.keys(block)).toEqual(expect.arrayContaining(['source', 'reading', 'expectedOutput', 'queries', 'optionalVariables']));
  });

  it('the outline names transcripts and query lists', () => {
    const transcripts = execFileSync(process.execPath, [CLI, 'parse', 'test/fixtures/blocks/transcripts.md'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(transcripts).toContain('{shell transcript}');
    const languages = execFileSync(process.execPath, [CLI, 'parse', 'test/fixtures/blocks/languages.md'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(languages).toContain('{promql ×3}');
    expect(languages).toMatch(/One query over several lines .*\{promql\}/);
  });
});

describe('runbook run', () => {
  it('runs a transcript\'s commands only and says how its output compares with the example', () => {
    const { dir, file } = runbookFile('# T\n\n## Greet\n\n```console\n$ echo hello\nhello\ntouch from-output.txt\n```\n');
    const res = cli(['run', file, '--yes', '--journal', path.join(dir, 'run')], dir);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('│ hello');
    expect(res.stdout).toContain("│ the runbook's example output: differs (an example for comparison, not a check)");
    expect(existsSync(path.join(dir, 'from-output.txt'))).toBe(false);
  });

  it('refuses to start when bash reads a transcript differently, naming the file line; nothing runs', () => {
    const { dir, file } = runbookFile('# T\n\n## Braces\n\n```console\n$ echo { a\ntouch pwned.txt\necho }\n```\n');
    const res = cli(['run', file, '--yes', '--journal', path.join(dir, 'run')], dir);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('step braces: line 5: transcript: the command at line 6 is complete on line 6, so line 7 is output, not part of it; the block is not run');
    expect(existsSync(path.join(dir, 'pwned.txt'))).toBe(false);
  });

  it('a block for another database is never run; positive control: the shell block beside it runs', () => {
    const { dir, file } = runbookFile('# T\n\n## Count\n\n```mysql\nSELECT 1;\n```\n\n## Shell\n\n```bash\necho ran-shell\n```\n');
    const res = cli(['run', file, '--yes', '--journal', path.join(dir, 'run')], dir);
    expect(res.status, res.stderr).toBe(0);
    // Shown, so nothing of the step runs: the run skips it.
    expect(res.stdout).toMatch(/\[1\/2\] Count: skipped/);
    expect(res.stdout).not.toMatch(/on .* block line 7/);
    expect(res.stdout).toContain('│ ran-shell');
  });
});
