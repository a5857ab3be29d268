// Step output through `runbook run` as an operator runs it (the built CLI): the record keeps the exact
// bytes the step wrote — NUL, CR, invalid UTF-8, a character cut between two writes, a last line without a
// newline — as a blob an auditor can sha256sum, matching the journaled hash; the terminal shows them inert;
// standard output gets one write per chunk, not one per line; and a terminal (pipe) that reads slowly makes
// the run wait for it instead of queueing the output in memory, losing nothing.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const HOOK = path.join(REPO_ROOT, 'test/cli/count-stdout-writes.mjs');
const STATE = mkdtempSync(path.join(tmpdir(), 'run-output-'));
const ENV = { RUNBOOK_CONSOLE_KEY_DIR: path.join(STATE, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(STATE, 'runs') };
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const octal = (b: Buffer) => [...b].map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');

let n = 0;

interface Ran {
  status: number | null;
  stdout: Buffer;
  stderr: string;
  journal: string;
  writes: { writes: number; mostQueued: number };
}

/**
 * `runbook run --yes` of a runbook of bash steps, stdout a pipe (read as fast as it comes, or by `slowly`:
 * one chunk per timer turn) or a file. Counts stdout writes with test/cli/count-stdout-writes.mjs.
 */
async function runSteps(steps: string[], options: { stdout?: 'pipe' | 'file'; slowly?: boolean } = {}): Promise<Ran> {
  const base = path.join(STATE, `case-${++n}`);
  const runbook = `# Output\n\n${steps.map((code, i) => `- [ ] **Step ${i + 1}**\n  \`\`\`bash\n${code.split('\n').map((l) => `  ${l}`).join('\n')}\n  \`\`\`\n`).join('\n')}`;
  writeFileSync(`${base}.md`, runbook);
  const journal = `${base}.run`;
  const outFile = `${base}.stdout`;
  const fd = options.stdout === 'file' ? openSync(outFile, 'w') : null;
  const child = spawn(process.execPath, ['--import', HOOK, CLI, 'run', `${base}.md`, '--yes', '--journal', journal], {
    env: { ...process.env, ...ENV, STDOUT_WRITES: `${base}.writes` },
    stdio: ['ignore', fd ?? 'pipe', 'pipe'],
  });
  if (fd !== null) closeSync(fd);
  const out: Buffer[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (child.stdout) {
    if (options.slowly) {
      // A slow terminal: one read per timer turn.
      child.stdout.pause();
      const take = () => {
        const chunk = child.stdout?.read() as Buffer | null;
        if (chunk) out.push(chunk);
        if (!child.stdout?.readableEnded) setTimeout(take, 1);
      };
      child.stdout.on('readable', () => undefined);
      setTimeout(take, 1);
    } else child.stdout.on('data', (d: Buffer) => out.push(d));
  }
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const stdout = fd !== null ? readFileSync(outFile) : Buffer.concat(out);
  return { status, stdout, stderr, journal, writes: JSON.parse(readFileSync(`${base}.writes`, 'utf8')) };
}

/** Each step.finished record's output: what the journal says, and the blob it names as an auditor reads it. */
function recordedOutputs(journal: string): { sha256: string; bytes: number; stdout: { sha256: string; bytes: number }; stderr: { sha256: string; bytes: number }; blob: Buffer }[] {
  return readFileSync(path.join(journal, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .filter((r) => r.type === 'step.finished')
    .map((r) => ({ ...r.data.output, blob: readFileSync(path.join(journal, r.data.output.blob)) }));
}

describe('runbook run: step output', () => {
  it('keeps the exact bytes as a blob whose sha256 is the journaled one, and shows them inert on the terminal', async () => {
    const stdout = Buffer.concat([
      Buffer.from('plain\nnul\0byte\ncarriage\rreturn\r\n\x1b[2Jclear?\n'),
      Buffer.from([0xff, 0xfe, 0x0a]),
      Buffer.from('euro '),
      Buffer.from([0xe2, 0x82]),
    ]);
    const rest = Buffer.from([0xac, ...Buffer.from('\nlast line without newline')]);
    const stderr = Buffer.from([0x65, 0x00, 0xff, 0x0d]);
    const res = await runSteps([`printf '${octal(stdout)}'\nsleep 0.1\nprintf '${octal(rest)}'`, `printf '${octal(stderr)}' >&2`]);
    expect(res.status, res.stderr).toBe(0);
    const [first, second] = recordedOutputs(res.journal);
    const expected = Buffer.concat([stdout, rest]);
    expect(first?.blob).toEqual(expected);
    expect(first?.sha256).toBe(sha256(expected));
    expect(first?.stdout).toEqual({ bytes: expected.length, sha256: sha256(expected) });
    expect(second?.blob).toEqual(stderr);
    expect(second?.stderr).toEqual({ bytes: stderr.length, sha256: sha256(stderr) });
    const shown = res.stdout.toString('utf8');
    expect(shown).toContain('  │ nul␀byte\n  │ carriage␍return\r\n  │ ␛[2Jclear?\n  │ \uFFFD\uFFFD\n  │ euro €\n  │ last line without newline\n');
    expect(shown).toContain('  │ ! e␀\uFFFD␍\n');
    expect(shown).not.toContain('\x1b[2J');
  });

  for (const stdout of ['pipe', 'file'] as const) {
    it(`writes 100,000 lines to standard output (a ${stdout}) in a few writes, not one per line`, async () => {
      const res = await runSteps(['seq 1 100000'], { stdout });
      expect(res.status, res.stderr).toBe(0);
      const shown = res.stdout.toString('utf8');
      expect(shown).toContain(`  │ 1\n  │ 2\n`);
      expect(shown).toContain(`  │ 99999\n  │ 100000\n  └ succeeded`);
      expect(shown.match(/^ {2}│ \d+$/gm)).toHaveLength(100_000);
      // The run's own lines (title, block header, end, seal) are a few dozen writes; the output's, a few more.
      expect(res.writes.writes).toBeLessThan(1000);
    });
  }

  it('stops and seals on SIGTERM even while nobody reads its standard output (a pager left open)', async () => {
    const base = path.join(STATE, `case-${++n}`);
    writeFileSync(`${base}.md`, '# Endless\n\n- [ ] **Prints for ever**\n  ```bash\n  yes\n  ```\n');
    const journal = `${base}.run`;
    const child = spawn(process.execPath, [CLI, 'run', `${base}.md`, '--yes', '--journal', journal], { env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    // Standard output is never read: the pipe fills, and the run waits for it (backpressure).
    child.stdout.pause();
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    // The step is running once its step.started record is on disk (observed, not timed).
    const journalFile = path.join(journal, 'journal.jsonl');
    for (;;) {
      let text = '';
      try {
        text = readFileSync(journalFile, 'utf8');
      } catch {
        // Not created yet.
      }
      if (text.includes('"type":"step.started"')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    const records = readFileSync(journalFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => r.type)).toContain('run.interrupted');
    expect(records.find((r) => r.type === 'step.finished')?.data.outcome.status).toBe('cancelled');
    // The seal (checkpoint.txt: origin, size, root) covers every record before the final checkpoint record.
    const [, size] = readFileSync(path.join(journal, 'checkpoint.txt'), 'utf8').split('\n');
    expect(records.at(-1)?.type).toBe('checkpoint');
    expect(Number(size)).toBe(records.length - 1);
  });

  it('waits for a terminal that reads slowly instead of queueing the output, and loses nothing', async () => {
    const lines = 200_000;
    const res = await runSteps([`seq 1 ${lines}`], { slowly: true });
    expect(res.status, res.stderr).toBe(0);
    // What process.stdout ever held that the reader had not taken: a chunk or two, not the output (MBs).
    expect(res.writes.mostQueued).toBeLessThan(512 * 1024);
    const shown = res.stdout.toString('utf8');
    expect(shown.match(/^ {2}│ \d+$/gm)).toHaveLength(lines);
    const [recorded] = recordedOutputs(res.journal);
    const expected = Buffer.from(`${Array.from({ length: lines }, (_, i) => i + 1).join('\n')}\n`);
    expect(recorded?.sha256).toBe(sha256(expected));
    expect(recorded?.blob.equals(expected)).toBe(true);
  });
});
