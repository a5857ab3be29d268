// The built `runbook` command, run as a user runs it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunbookSchema } from '../src/shared/runbook-model.js';
import { REPO_ROOT } from './support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

describe('runbook parse', () => {
  it('--json prints the model, every step reachable from top-level steps', () => {
    const out = execFileSync(process.execPath, [CLI, 'parse', 'runbooks/payments-db-maintenance.md', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    const model = RunbookSchema.parse(JSON.parse(out));
    expect(model.title).toBe('Payments Database Maintenance Window');
    expect(model.file).toBe('runbooks/payments-db-maintenance.md');
    const ids = new Set(model.steps.map((s) => s.id));
    const walk = (sections: typeof model.sections): string[] => sections.flatMap((s) => [...s.stepIds, ...walk(s.sections)]);
    expect(new Set(walk(model.sections))).toEqual(ids);
    expect(model.steps.map((s) => s.profile)).toContain('restricted');
    expect(model.steps.some((s) => s.kind === 'signoff')).toBe(true);
    expect(model.steps.some((s) => s.kind === 'decision')).toBe(true);
  });

  it('prints a readable summary by default', () => {
    const res = run('parse', 'runbooks/local-health-check.md');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('Workstation Health Check');
    expect(res.stdout).toMatch(/steps: 9 \(8 step, 1 signoff\)/);
    expect(res.stdout).toMatch(/code blocks: 8 \(8 shell\)/);
    expect(res.stdout).toContain('[ ] Confirm you are on the right machine  (line 8)  {shell}');
    const payments = run('parse', 'runbooks/payments-db-maintenance.md');
    expect(payments.stdout).toMatch(/^profiles: 10 standard, 3 regulated, 2 restricted$/m);
    expect(payments.stdout).toMatch(/^steps: 15 \(12 step, 2 decision, 1 signoff\)$/m);
  });

  it.each([
    ['binary', Buffer.from('# t\n\u0000\n'), /^(.*)bin\.md:2:1: error: binary file: it holds a NUL byte, not markdown text \[file-binary\]\n$/],
    ['invalid UTF-8', Buffer.from([0x23, 0x20, 0xff, 0x0a]), /latin\.md:1:3: error: invalid UTF-8 \(byte 0xff at offset 2\); save the runbook as UTF-8 \[file-invalid-utf8\]\n$/],
    ['bad front matter', Buffer.from('---\nprofile: top-secret\n---\n# x\n'), /front\.md:2:10: error: front matter field "profile": .* \[front-matter-field\]\n$/],
  ])('%s input exits 1 with FILE:LINE:COLUMN: error: message [code] and no stack trace', (_kind, bytes, expected) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'));
    const name = _kind === 'binary' ? 'bin.md' : _kind === 'invalid UTF-8' ? 'latin.md' : 'front.md';
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    const res = run('parse', file);
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(expected);
    expect(res.stderr.startsWith(file)).toBe(true);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unreadable or missing file exits 1 naming it', () => {
    const missing = run('parse', 'no/such/runbook.md');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('no/such/runbook.md:1:1: error: cannot read: no such file [file-unreadable]\n');
    if (process.getuid?.() !== 0) {
      const dir = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'));
      const file = path.join(dir, 'secret.md');
      writeFileSync(file, '# x\n');
      chmodSync(file, 0o000);
      expect(run('parse', file).stderr).toBe(`${file}:1:1: error: cannot read: permission denied [file-unreadable]\n`);
    }
  });

  it.skipIf(process.platform === 'win32')('a FIFO is refused at once (exit 1), not waited on', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'));
    const fifo = path.join(dir, 'pipe.md');
    execFileSync('mkfifo', [fifo]);
    const res = spawnSync(process.execPath, [CLI, 'parse', fifo], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(`${fifo}:1:1: error: is a FIFO (named pipe), not a runbook file [file-not-regular]\n`);
  });

  it('--json lists diagnostics with code, severity, file, line, column and message; the summary prints them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runbook-cli-'));
    const file = path.join(dir, 'near.md');
    writeFileSync(file, '\n---\nprofile: restricted\nweight: 2\n---\n# Keys\n\n- [ ] Rotate\n');
    const json = run('parse', file, '--json');
    expect(json.status).toBe(0);
    const model = RunbookSchema.parse(JSON.parse(json.stdout));
    expect(model.warnings).toEqual([
      { code: 'front-matter-misplaced', severity: 'error', file, line: 2, column: 1, message: expect.stringMatching(/must start on line 1/) },
    ]);
    expect(model.steps.map((s) => s.title)).toEqual(['Rotate']);
    expect(run('parse', file).stdout).toContain(`${file}:2:1: error: front matter must start on line 1`);
  });

  it('unknown commands and options fail with usage help, exit 2', () => {
    const res = run('frobnicate');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
