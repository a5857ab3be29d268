// A full or failing disk under the real CLI (ENOSPC, EIO injected with RUNBOOK_CONSOLE_TEST_FAULT, read only
// by src/main/audit/fault-injection.ts): the step is stopped — even one that prints forever — and nothing
// after it runs; the message is plain (no stack trace); the failure is in the record, or recorded by
// `runbook recover`; and the run then verifies and exports.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, expectPlain, intact, verify } from './crash-support.js';

/** `runbook run --yes [options]` of `text` in a new directory with `fault` injected; what it says must be plain. */
function runWithFault(text: (root: string) => string, fault: string, what: string, ...options: string[]) {
  const root = mkdtempSync(path.join(tmpdir(), 'enospc-cli-'));
  const rb = path.join(root, 'rb.md');
  writeFileSync(rb, text(root));
  const env = { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') };
  const runDir = path.join(root, 'run');
  const res = cli({ ...env, RUNBOOK_CONSOLE_TEST_FAULT: fault }, 'run', rb, '--yes', ...options, '--journal', runDir);
  expectPlain(res, what);
  return { root, env, runDir, res };
}

/** Afterwards the run verifies sealed, and exports. */
function expectVerifiesAndExports({ root, env, runDir }: { root: string; env: Record<string, string>; runDir: string }) {
  expect(verify(env, runDir).status).toBe(0);
  expect(cli(env, 'export', runDir, '--out', path.join(root, 'bundle')).status).toBe(0);
}

const CHATTY = (root: string) => `- [ ] Chatty\n  \`\`\`bash\n  i=0; while :; do echo "line $i"; i=$((i+1)); done\n  \`\`\`\n- [ ] After\n  \`\`\`bash\n  touch "${root}/after"\n  \`\`\`\n`;
const TWO = (root: string) => `- [ ] First\n  \`\`\`bash\n  echo first\n  \`\`\`\n- [ ] After\n  \`\`\`bash\n  touch "${root}/after"\n  \`\`\`\n`;
const records = (runDir: string) => readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });

describe('ENOSPC and EIO through the CLI', () => {
  it('ENOSPC on the output of a step that prints forever: the step is stopped, recorded, the run sealed, a plain message', () => {
    const run = runWithFault(CHATTY, 'output.write:ENOSPC@40', 'output ENOSPC', '--keep-going');
    const { root, runDir, res } = run;
    expect(res.status, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/└ error( signal SIGTERM)?: its output could not be recorded \(write chatty_1\.out: ENOSPC: no space left on device, write\); the step was stopped/);
    expect(res.stdout).toContain('sealed');
    expect(existsSync(path.join(root, 'after'))).toBe(false);
    const finished = records(runDir).find((r) => r.type === 'step.finished');
    expect(finished?.data.outcome).toMatchObject({ status: 'error', ok: false });
    expect(finished?.data.output.failure).toContain('ENOSPC');
    expect(records(runDir).find((r) => r.type === 'run.finished')?.data.steps[1]).toMatchObject({ status: 'not-run', reason: 'the output of an earlier step could not be recorded' });
    expectVerifiesAndExports(run);
  }, 60_000);

  it('EIO on the journal: the run stops before its next action, says how to recover, and `runbook recover` records the failure', () => {
    // Journal writes: run.started (1), step.started (2), step.finished (3).
    const run = runWithFault(TWO, 'journal.write:EIO@3', 'journal EIO');
    const { root, env, runDir, res } = run;
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/^runbook: the run record could not be written: .*journal\.jsonl: EIO: i\/o error, write; the run stops here .*close it with `runbook recover .*run`$/m);
    expect(existsSync(path.join(root, 'after'))).toBe(false);
    expect(existsSync(path.join(runDir, 'run.lock'))).toBe(false);
    expect(intact(verify(env, runDir, '--allow-unsealed'))).toBe(true);
    const recovered = cli(env, 'recover', runDir);
    expect(recovered.status, recovered.stderr).toBe(0);
    expect(recovered.stdout).toContain('a failed journal write recorded (error record): EIO: i/o error, write');
    expect(records(runDir).map((r) => r.type)).toEqual(['run.started', 'step.started', 'error', 'run.finished', 'checkpoint']);
    expectVerifiesAndExports(run);
  }, 60_000);

  it('ENOSPC while sealing: a plain message, the run verifies unsealed, and recovery seals it', () => {
    // run.started, 2 × (step.started, step.finished), run.finished: the 6th write is the seal.
    const run = runWithFault(TWO, 'journal.write:ENOSPC@6', 'seal ENOSPC');
    const { env, runDir, res } = run;
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/^runbook: the run could not be sealed: .*ENOSPC: no space left on device, write.*runbook recover/m);
    expect(intact(verify(env, runDir, '--allow-unsealed'))).toBe(true);
    expect(cli(env, 'recover', runDir).status).toBe(0);
    expectVerifiesAndExports(run);
  }, 60_000);

  it('EIO flushing an output: the step that had succeeded is failed and says why; nothing after it runs', () => {
    const { root, env, runDir, res } = runWithFault(TWO, 'output.fsync:EIO', 'output fsync EIO');
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/its output could not be recorded \(fsync first_1\.out: EIO: i\/o error, fsync\); it had ended \(succeeded, exit 0\)/);
    expect(existsSync(path.join(root, 'after'))).toBe(false);
    expect(verify(env, runDir).status).toBe(0);
  }, 60_000);
});
