// The run record through a real session and the local executor: write-ahead step records with the exact
// command (secrets masked), outputs as blobs, a seal that verifies, and no action after a failed write.
import * as fs from 'node:fs';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInstallation } from '../../src/main/audit/installation.js';
import { JournalWriteError } from '../../src/main/audit/journal-writer.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { JOURNAL_FILE } from '../../src/main/audit/record.js';
import { RunJournal, currentOperator } from '../../src/main/session/run-journal.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { blockVerdicts as verdictsFor } from '../../src/main/session/assemble.js';
import { targetSet } from '../../src/main/session/binding.js';
import { ExecutorPool } from '../../src/main/session/executor-pool.js';
import { planRun } from '../../src/main/session/plan.js';
import { RunSession } from '../../src/main/session/runner.js';
import { resolveVariables } from '../../src/main/session/variables.js';
import { createLocalExecutor } from '../../src/main/targets/local/executor.js';
import { parseLines } from '../audit/journal-support.js';

async function recordedRun(text: string, options: { failOnWrite?: number; sealEvery?: number } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'run-journal-'));
  const dir = path.join(root, 'run');
  const keys = new FileMacKeyStore(path.join(root, 'keys'));
  const installation = await loadInstallation(path.join(root, 'keys', 'installation_ed25519'));
  const runbook = parseRunbook(text, { file: path.join(root, 'rb.md') });
  const plan = planRun(runbook, targetSet(runbook, null), { profile: 'restricted' });
  const requests = plan.steps.flatMap((p) => p.blocks.flatMap(({ block }) => block.variables.map((name) => ({ name, targetEnv: [] }))));
  const variables = await resolveVariables(runbook, requests, { given: new Map([['ROOT', root], ['DB_PASSWORD', 's3cret-value']]) });
  let writes = 0;
  const io = {
    writeSync: (fd: number, b: Uint8Array, o: number, l: number) => {
      if (options.failOnWrite !== undefined && ++writes >= options.failOnWrite) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      return fs.writeSync(fd, b, o, l);
    },
    fsyncSync: (fd: number) => fs.fsyncSync(fd),
  };
  const journal = RunJournal.start(
    dir,
    { runId: 'run-test-0001', runbook, runbookBytes: Buffer.from(text), profile: 'standard', operator: currentOperator('alice'), tool: { name: 'runbook-console', version: 'test' }, options: { host: 'console', approvers_file: null }, variables: [] },
    keys,
    installation,
    { retentionDays: null, io, ...(options.sealEvery ? { sealEvery: options.sealEvery } : {}) },
  );
  const ctx = { baseDir: root, env: process.env, ask: async () => null, confirm: async () => false };
  const pool = new ExecutorPool(ctx, (name, target, c) => createLocalExecutor(name, target as never, c));
  const session = new RunSession({ runbook, profile: 'standard', verdicts: await verdictsFor(runbook), plan, variables, executors: pool, outputDir: path.join(dir, 'output'), keepGoing: false, confirmProtected: async () => true, recorder: journal });
  return { root, dir, keys, journal, session, pool };
}

const TEXT = `---
variables:
  DB_PASSWORD: { secret: true }
---
# Two steps
- [ ] First
  \`\`\`bash
  touch "$ROOT/first"; echo "pw=$DB_PASSWORD"
  \`\`\`
- [ ] Manual check
- [ ] Second
  \`\`\`bash
  touch "$ROOT/second"
  \`\`\`
`;

describe('run journal', () => {
  it('records each block before it runs, outputs as blobs, and seals a run that verifies', async () => {
    const { dir, keys, journal, session, pool } = await recordedRun(TEXT, { sealEvery: 3 });
    const summary = await session.run();
    await pool.closeAll();
    await journal.finish(summary);
    const records = parseLines(readFileSync(path.join(dir, JOURNAL_FILE)));
    expect(records.map((r) => r.type)).toEqual([
      'run.started',
      'step.started',
      'step.finished',
      'checkpoint', // periodic, every 3 records
      'step.skipped',
      'step.started',
      'step.finished',
      'checkpoint',
      'run.finished',
      'checkpoint',
    ]);
    const started = records[1]?.data as { command: string; target: { kind: string }; env: string[] };
    expect(started.command).toBe('touch "$ROOT/first"; echo "pw=$DB_PASSWORD"');
    expect(started.target.kind).toBe('local');
    const finished = records[2]?.data as { output: { blob: string; sha256: string }; outcome: { exit_code: number } };
    expect(finished.outcome.exit_code).toBe(0);
    const output = readFileSync(path.join(dir, finished.output.blob), 'utf8');
    expect(output).toBe('pw=••••••\n');
    expect(readFileSync(path.join(dir, JOURNAL_FILE), 'utf8')).not.toContain('s3cret-value');
    const result = await verifyRun(dir, { keys });
    expect(result).toMatchObject({ ok: true, records: 10, sealedSize: 9, outcome: 'succeeded', macChecked: true });
  });

  it('fails closed: after a failed journal write nothing more runs', async () => {
    // Writes: run.started (1), step.started (2), step.finished (3), step.skipped (4), step.started of Second (5).
    const { root, session, pool } = await recordedRun(TEXT, { failOnWrite: 5 });
    await expect(session.run()).rejects.toThrow(JournalWriteError);
    await pool.closeAll();
    expect(existsSync(path.join(root, 'first'))).toBe(true);
    expect(existsSync(path.join(root, 'second'))).toBe(false);
  });
});
