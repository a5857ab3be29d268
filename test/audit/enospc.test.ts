// A full or failing disk (ENOSPC, EIO) injected into a step's output files and into the journal, through a
// real session and the local executor: the step is stopped (even one that prints forever), nothing after
// it runs, the failure is recorded where the journal can still take it (step.finished, else an `error`
// record at recovery), the message is plain, and the run verifies — sealed, or after recovery.
import * as fs from 'node:fs';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInstallation } from '../../src/main/audit/installation.js';
import { type JournalIo, JournalWriteError } from '../../src/main/audit/journal-writer.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { JOURNAL_FILE, type JournalRecord } from '../../src/main/audit/record.js';
import { recoverRun } from '../../src/main/audit/recovery.js';
import { acquireRunLock } from '../../src/main/audit/run-lock.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { blockVerdicts } from '../../src/main/session/assemble.js';
import { targetSet } from '../../src/main/session/binding.js';
import { ExecutorPool } from '../../src/main/session/executor-pool.js';
import type { OutputIo } from '../../src/main/session/output.js';
import { planRun } from '../../src/main/session/plan.js';
import { RunJournal, currentOperator } from '../../src/main/session/run-journal.js';
import { RunSession } from '../../src/main/session/runner.js';
import { resolveVariables } from '../../src/main/session/variables.js';
import { createLocalExecutor } from '../../src/main/targets/local/executor.js';
import { parseLines } from './journal-support.js';

const errno = (code: 'ENOSPC' | 'EIO', call: string) => Object.assign(new Error(`${code}: ${code === 'ENOSPC' ? 'no space left on device' : 'i/o error'}, ${call}`), { code, syscall: call });

async function session(text: (root: string) => string, options: { journalIo?: JournalIo; outputIo?: OutputIo } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'enospc-'));
  const dir = path.join(root, 'run');
  const keys = new FileMacKeyStore(path.join(root, 'keys'));
  const installation = await loadInstallation(path.join(root, 'keys', 'installation_ed25519'));
  const source = text(root);
  const runbook = parseRunbook(source, { file: path.join(root, 'rb.md') });
  const plan = planRun(runbook, targetSet(runbook, null), { profile: 'standard' });
  const variables = await resolveVariables(runbook, [], { given: new Map() });
  const journal = RunJournal.start(
    dir,
    { runId: 'run-enospc-0001', runbook, runbookBytes: Buffer.from(source), profile: 'standard', operator: currentOperator('alice'), tool: { name: 'runbook-console', version: 'test' }, options: { host: 'console', approvers_file: null }, variables: [] },
    keys,
    installation,
    { retentionDays: null, ...(options.journalIo ? { io: options.journalIo } : {}) },
  );
  const ctx = { baseDir: root, env: process.env, ask: async () => null, confirm: async () => false };
  const pool = new ExecutorPool(ctx, (name, target, c) => createLocalExecutor(name, target as never, c));
  // --keep-going: an output that cannot be recorded stops the run all the same.
  const run = new RunSession({ runbook, profile: 'standard', verdicts: await blockVerdicts(runbook), plan, variables, executors: pool, outputDir: path.join(dir, 'output'), keepGoing: true, confirmProtected: async () => true, recorder: journal, ...(options.outputIo ? { outputIo: options.outputIo } : {}) });
  return { root, dir, keys, installation, journal, session: run, pool };
}

/** Output writes succeed `ok` times, then one writes half and the next fails: a disk filling up mid-write. */
function fillingDisk(ok: number, code: 'ENOSPC' | 'EIO' = 'ENOSPC'): OutputIo & { calls: number } {
  const io = {
    calls: 0,
    openSync: (file: string, flags: number, mode: number) => fs.openSync(file, flags, mode),
    writeSync: (fd: number, b: Uint8Array, o: number, l: number) => {
      io.calls++;
      if (io.calls <= ok) return fs.writeSync(fd, b, o, l);
      if (io.calls === ok + 1 && l > 1) return fs.writeSync(fd, b, o, l >> 1);
      throw errno(code, 'write');
    },
    fsyncSync: (fd: number) => fs.fsyncSync(fd),
  };
  return io;
}

const records = (dir: string) => parseLines(readFileSync(path.join(dir, JOURNAL_FILE)));
const finishedOf = (dir: string) => records(dir).filter((r) => r.type === 'step.finished').map((r) => r.data as { outcome: { status: string; error: string; ok: boolean }; output: { blob: string | null; bytes: number; failure?: string } });

const PRINTS_FOREVER = (root: string) => `# Disk fills up
- [ ] Chatty
  \`\`\`bash
  i=0; while :; do echo "line $i"; i=$((i+1)); done
  \`\`\`
- [ ] After
  \`\`\`bash
  touch "${root}/after"
  \`\`\`
`;

describe('ENOSPC and EIO', () => {
  it('ENOSPC on a step\'s output file stops the step (one that would print forever), records it, and nothing after it runs', async () => {
    const io = fillingDisk(6);
    const { root, dir, keys, journal, session: run, pool } = await session(PRINTS_FOREVER, { outputIo: io });
    const summary = await run.run();
    await pool.closeAll();
    expect(summary.steps.map((s) => s.status)).toEqual(['failed', 'not-run']);
    expect(summary.steps[0]?.reason).toMatch(/its output could not be recorded \(write chatty_1\.out: ENOSPC: no space left on device, write\); the step was stopped/);
    expect(summary.steps[1]?.reason).toBe('the output of an earlier step could not be recorded');
    expect(existsSync(path.join(root, 'after'))).toBe(false);
    await journal.finish(summary);
    const [finished] = finishedOf(dir);
    expect(finished?.outcome).toMatchObject({ status: 'error', ok: false });
    expect(finished?.output.failure).toContain('ENOSPC');
    // The record covers exactly what reached the disk, half a write included: its blob verifies.
    expect(statSync(path.join(dir, finished?.output.blob as string)).size).toBe(finished?.output.bytes);
    expect(finished?.output.bytes).toBeGreaterThan(0);
    expect(await verifyRun(dir, { keys })).toMatchObject({ ok: true, outcome: 'failed' });
  });

  it('EIO when the output is flushed fails a step that had succeeded, and says so', async () => {
    const io: OutputIo = { openSync: fs.openSync, writeSync: fs.writeSync, fsyncSync: () => { throw errno('EIO', 'fsync'); } };
    const { dir, keys, journal, session: run, pool } = await session(() => '- [ ] Quiet\n  ```bash\n  echo hello\n  ```\n', { outputIo: io });
    const summary = await run.run();
    await pool.closeAll();
    expect(summary.steps[0]).toMatchObject({ status: 'failed' });
    expect(summary.steps[0]?.reason).toMatch(/fsync quiet_1\.out: EIO: i\/o error, fsync\); it had ended \(succeeded, exit 0\)/);
    await journal.finish(summary);
    expect(finishedOf(dir)[0]?.output.failure).toContain('EIO');
    expect(await verifyRun(dir, { keys })).toMatchObject({ ok: true });
  });

  it('an output file that cannot be opened: the block does not run at all', async () => {
    const io: OutputIo = { openSync: () => { throw errno('EIO', 'open'); }, writeSync: fs.writeSync, fsyncSync: fs.fsyncSync };
    const { root, dir, keys, journal, session: run, pool } = await session((r) => `- [ ] Writes\n  \`\`\`bash\n  touch "${r}/ran"\n  \`\`\`\n`, { outputIo: io });
    const summary = await run.run();
    await pool.closeAll();
    expect(existsSync(path.join(root, 'ran'))).toBe(false);
    expect(summary.steps[0]?.reason).toMatch(/open writes_1\.out: EIO: i\/o error, open\); nothing ran/);
    await journal.finish(summary);
    expect(finishedOf(dir)[0]).toMatchObject({ outcome: { status: 'error' }, output: { blob: null } });
    expect(await verifyRun(dir, { keys })).toMatchObject({ ok: true });
  });

  it('EIO on the journal (half a record written) stops the run before its next action; recovery records the failure and seals', async () => {
    // Journal writes: run.started (1), step.started (2), step.finished (3: half, then EIO).
    let calls = 0;
    const io: JournalIo = {
      writeSync: (fd, b, o, l) => {
        calls++;
        if (calls < 3) return fs.writeSync(fd, b, o, l);
        if (calls === 3) return fs.writeSync(fd, b, o, l >> 1);
        throw errno('EIO', 'write');
      },
      fsyncSync: (fd) => fs.fsyncSync(fd),
    };
    const { root, dir, keys, installation, journal, session: run, pool } = await session(PRINTS_FOREVER_THEN_NOT(), { journalIo: io });
    await expect(run.run()).rejects.toThrow(/journal\.jsonl: EIO: i\/o error, write; the run stops here/);
    await pool.closeAll();
    journal.abandon();
    expect(existsSync(path.join(root, 'after'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(dir, `${JOURNAL_FILE}.write-failed`), 'utf8'))).toMatchObject({ seq: 2, type: 'step.finished', code: 'EIO' });
    expect(existsSync(path.join(dir, 'run.lock'))).toBe(false);
    expect(await verifyRun(dir, { keys, allowUnsealed: true })).toMatchObject({ ok: false, failure: { code: 'E_TORN_TAIL' } });

    const { lock } = acquireRunLock(dir, { purpose: 'recover', takeStale: true });
    const recovered = await recoverRun(dir, { keys, installation, lock, closedBy: 'recover' });
    lock.release();
    expect(recovered).toMatchObject({ closed: true, tornTail: { bytes: expect.any(Number) }, writeFailure: { code: 'EIO' } });
    const types = records(dir).map((r) => r.type);
    expect(types).toEqual(['run.started', 'step.started', 'log.recovered', 'error', 'run.finished', 'checkpoint']);
    const error = records(dir).find((r) => r.type === 'error') as JournalRecord;
    expect(error.data).toMatchObject({ cause: 'journal-write-failed', record_type: 'step.finished', code: 'EIO' });
    expect(readdirSync(dir).filter((n) => n.endsWith('.write-failed'))).toEqual([]);
    const verified = await verifyRun(dir, { keys });
    expect(verified).toMatchObject({ ok: true, outcome: 'failed' });
  });

  it('ENOSPC while sealing: the run verifies unsealed, and recovery seals it', async () => {
    const io: JournalIo = {
      writeSync: (fd, b, o, l) => {
        if (Buffer.from(b).toString('utf8').includes('"type":"checkpoint"')) throw errno('ENOSPC', 'write');
        return fs.writeSync(fd, b, o, l);
      },
      fsyncSync: (fd) => fs.fsyncSync(fd),
    };
    const { dir, keys, installation, journal, session: run, pool } = await session(() => '- [ ] One\n  ```bash\n  echo one\n  ```\n', { journalIo: io });
    const summary = await run.run();
    await pool.closeAll();
    await expect(journal.finish(summary)).rejects.toThrow(/ENOSPC: no space left on device/);
    expect(existsSync(path.join(dir, 'run.lock'))).toBe(false);
    expect(await verifyRun(dir, { keys, allowUnsealed: true })).toMatchObject({ ok: true, warnings: expect.arrayContaining([expect.objectContaining({ code: 'W_UNSEALED' })]) });
    const { lock } = acquireRunLock(dir, { purpose: 'recover', takeStale: true });
    const recovered = await recoverRun(dir, { keys, installation, lock, closedBy: 'recover' });
    lock.release();
    // run.finished was written before the seal failed: it is recorded again after the failure, then sealed.
    expect(recovered).toMatchObject({ closed: false, endRecordedAgain: true, writeFailure: { type: 'checkpoint', code: 'ENOSPC' } });
    const after = records(dir);
    expect(after.map((r) => r.type)).toEqual(['run.started', 'step.started', 'step.finished', 'run.finished', 'error', 'run.finished', 'checkpoint']);
    expect(after[5]?.data).toMatchObject({ ...after[3]?.data, recorded_again: { seq: 3 } });
    expect(await verifyRun(dir, { keys })).toMatchObject({ ok: true, outcome: 'succeeded' });
  });

  it('a journal write failure is not retried: every later record is refused', async () => {
    const io: JournalIo = { writeSync: () => { throw errno('ENOSPC', 'write'); }, fsyncSync: fs.fsyncSync };
    await expect(session(() => '- [ ] One\n  ```bash\n  echo one\n  ```\n', { journalIo: io })).rejects.toThrow(JournalWriteError);
  });
});

function PRINTS_FOREVER_THEN_NOT(): (root: string) => string {
  return (root) => `- [ ] First\n  \`\`\`bash\n  echo first\n  \`\`\`\n- [ ] After\n  \`\`\`bash\n  touch "${root}/after"\n  \`\`\`\n`;
}
