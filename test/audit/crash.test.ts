// kill -9 a real `runbook run` at many points: every record it acknowledged is on disk, a torn tail is set
// aside on reopen, and the journal then verifies (RECOVERED when a partial record was cut).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalWriter } from '../../src/main/audit/journal-writer.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { JOURNAL_FILE } from '../../src/main/audit/record.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import { REPO_ROOT } from '../support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const STEPS = 25;
const RUNBOOK = `# Crash target\n${Array.from({ length: STEPS }, (_, i) => `- [ ] step ${i}\n  \`\`\`bash\n  echo "line ${i}"; printf '%0.s-' {1..2000}\n  \`\`\`\n`).join('')}`;

/** Runs the CLI and SIGKILLs it when `when` says so; resolves with how many blocks it announced as started. */
function runAndKill(dir: string, env: Record<string, string>, when: { afterBlocks: number } | { afterMs: number }): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'run', path.join(dir, 'rb.md'), '--yes', '--journal', path.join(dir, 'run')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let announced = 0;
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      // "┌" is printed only after the block's step.started record was written and fsync'd.
      announced = (text.match(/ {2}┌ /g) ?? []).length;
      if ('afterBlocks' in when && announced >= when.afterBlocks) child.kill('SIGKILL');
    });
    if ('afterMs' in when) setTimeout(() => child.kill('SIGKILL'), when.afterMs);
    child.on('exit', () => resolve(announced));
  });
}

describe('crash safety', () => {
  it('after kill -9 at any point, acknowledged records are present and the journal recovers and verifies', async () => {
    const points: ({ afterBlocks: number } | { afterMs: number })[] = [];
    for (let i = 0; i < 6; i++) points.push({ afterBlocks: 1 + Math.floor(Math.random() * (STEPS - 1)) });
    for (let i = 0; i < 6; i++) points.push({ afterMs: 150 + Math.floor(Math.random() * 600) });
    let recovered = 0;
    for (const point of points) {
      const dir = mkdtempSync(path.join(tmpdir(), 'crash-'));
      writeFileSync(path.join(dir, 'rb.md'), RUNBOOK);
      const env = { RUNBOOK_CONSOLE_KEY_DIR: path.join(dir, 'keys') };
      const announced = await runAndKill(dir, env, point);
      const runDir = path.join(dir, 'run');
      let journal: string;
      try {
        journal = readFileSync(path.join(runDir, JOURNAL_FILE), 'utf8');
      } catch {
        expect(announced, `${JSON.stringify(point)}: no journal, yet blocks were announced`).toBe(0);
        continue;
      }
      const whole = journal.slice(0, journal.lastIndexOf('\n') + 1);
      const started = (whole.match(/"type":"step\.started"/g) ?? []).length;
      expect(started, JSON.stringify(point)).toBeGreaterThanOrEqual(announced);
      if (whole === '') continue; // killed before the first record: nothing was acknowledged
      const keys = new FileMacKeyStore(path.join(dir, 'keys', 'mac'));
      const finished = journal.includes('"type":"run.finished"');
      if (!finished) {
        const { writer, recovery } = JournalWriter.reopen(runDir, { keys });
        writer.close();
        if (recovery) recovered++;
      }
      const result = await verifyRun(runDir, { allowUnsealed: true, keys });
      expect(result, JSON.stringify(point)).toMatchObject({ ok: true });
      if (result.ok) expect(readFileSync(path.join(runDir, JOURNAL_FILE), 'utf8').startsWith(whole)).toBe(true);
    }
    // Not every kill lands inside a write; the count is reported, not required.
    console.info(`crash test: ${points.length} kills, ${recovered} torn tails recovered`);
  }, 120_000);

  it('a shutdown (SIGTERM) stops the running block for real, records its end and seals the run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sigterm-'));
    writeFileSync(path.join(dir, 'rb.md'), '- [ ] long\n  ```bash\n  echo started; sleep 300\n  ```\n- [ ] never\n  ```bash\n  echo never\n  ```\n');
    const env = { RUNBOOK_CONSOLE_KEY_DIR: path.join(dir, 'keys') };
    const child = spawn(process.execPath, [CLI, 'run', path.join(dir, 'rb.md'), '--yes', '--journal', path.join(dir, 'run')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdout.on('data', (chunk: Buffer) => {
      const before = out;
      out += chunk.toString('utf8');
      if (!before.includes('│ started') && out.includes('│ started')) child.kill('SIGTERM');
    });
    expect(await exit).toBe(143); // 128 + SIGTERM, like a shell
    const keys = new FileMacKeyStore(path.join(dir, 'keys', 'mac'));
    const result = await verifyRun(path.join(dir, 'run'), { keys });
    expect(result).toMatchObject({ ok: true, outcome: 'failed' });
    const journal = readFileSync(path.join(dir, 'run', JOURNAL_FILE), 'utf8');
    expect(journal).toMatch(/"status":"cancelled"/);
    expect(journal).not.toContain('echo never"');
  }, 60_000);
});
