// The console's own Verify (runs.verify), in `runbook verify`'s vocabulary with typed verdicts: the console
// holds only this installation's key — the key that seals the run — so it pins that key: a record re-sealed
// by any other key fails (E_SIGNER) where a bare `runbook verify` says only "intact but unanchored"; a good
// run is "self-anchored" (integrity, said as such), an unsealed one "unanchored", a tampered one "failed"
// with its reason code and text. The auditor command it gives anchors the run with the real CLI (exit 0).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { loadInstallation } from '../../src/main/audit/installation.js';
import { FAILURES } from '../../src/main/audit/reasons.js';
import { ACCESS_FILE, JOURNAL_FILE } from '../../src/main/audit/record.js';
import type { RunState, VerifyResult } from '../../src/shared/run-api.js';
import { HAVE_SSH_KEYGEN, keygenSign, makeKey, skipReason } from '../audit/ssh-tools.js';
import { journalRecords, rewriteJournal } from '../audit/verify-anchor-support.js';
import { testHandlers } from '../support/handlers.js';
import { REPO_ROOT } from '../support/shared.js';
import { sealAnyway } from '../support/run-events.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const RUNBOOK = `# Verify in the console
- [ ] Say hello
  \`\`\`bash
  echo hello
  \`\`\`

## Sign-off
| Role | Name | Date |
| --- | --- | --- |
| Reviewer | ______ | ______ |
`;

async function start() {
  const { root, handlers, keys } = testHandlers({ host: 'browser', version: 'test' });
  const call = (method: string, input: unknown) => dispatch(handlers, method, input) as Promise<any>;
  const file = path.join(root, 'rb.md');
  writeFileSync(file, RUNBOOK);
  await call('runbook.open', { path: file });
  const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
  const keyFile = path.join(root, 'keys', 'installation_ed25519');
  const pin = spawnSync('ssh-keygen', ['-lf', `${keyFile}.pub`], { encoding: 'utf8' }).stdout.split(' ')[1] as string;
  const verify = () => call('runs.verify', { runId: state.runId }) as Promise<VerifyResult>;
  return { root, call, state, keys, keyFile, pin, verify };
}

const cli = (root: string, command: string) => {
  // The auditor command as the console gave it: `runbook verify DIR --pin SHA256:…`, DIR shell-quoted when it needs it.
  const args = command.replace(/^runbook /, '').split(' ');
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') } });
};

describe.skipIf(skipReason('console verify', HAVE_SSH_KEYGEN))('the console\'s Verify says what the record proves', () => {
  it('before the seal: intact but unanchored (nothing signed yet); after it: self-anchored by this installation\'s key, and the auditor command anchors it (exit 0)', async () => {
    const run = await start();
    const early = await run.verify();
    expect(early).toMatchObject({ ok: true, verdict: 'unanchored', code: null, sealedBy: null, unanchored: [] });
    expect(early.detail).toMatch(/records intact, not sealed yet: nothing in it is signed/);
    expect(early.warnings.map((w) => w.code)).toContain('W_UNSEALED');

    const finished: RunState = await sealAnyway(run.call, run.state.runId);
    expect(finished.installationKey).toMatchObject({ fingerprint: run.pin, publicKeyFile: `${run.keyFile}.pub`, verifyCommand: `runbook verify RUN_DIR --pin ${run.pin}` });
    const sealed = await run.verify();
    expect(sealed).toMatchObject({ ok: true, verdict: 'self-anchored', code: null, meaning: null, sealedBy: { fingerprint: run.pin, thisInstallation: true }, installationKey: { fingerprint: run.pin }, unanchored: [] });
    expect(sealed.detail).toMatch(/^\d+ records intact, sealed at \d+$/);
    expect(sealed.auditorCommand).toBe(`runbook verify ${run.state.dir} --pin ${run.pin}`);
    const auditor = cli(run.root, sealed.auditorCommand);
    expect(auditor.status, auditor.stdout + auditor.stderr).toBe(0);
    // Negative control: the same run without the pin is intact but unanchored for the CLI (exit 3).
    expect(cli(run.root, `runbook verify ${run.state.dir}`).status).toBe(3);
  });

  it('each Verify that reaches a verdict is recorded in the run\'s access log, as `runbook verify RUN_DIR` records it', async () => {
    const run = await start();
    const access = () =>
      readFileSync(path.join(run.state.dir, ACCESS_FILE), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    await run.verify();
    expect(access().map((r) => [r.type, r.data])).toEqual([['verify', { result: 'unanchored', warnings: expect.arrayContaining(['W_UNSEALED']) }]]);
    await sealAnyway(run.call, run.state.runId);
    expect((await run.verify()).verdict).toBe('self-anchored');
    expect(access().map((r) => [r.type, r.data.result])).toEqual([
      ['verify', 'unanchored'],
      ['verify', 'ok'],
    ]);
    // The access log is a chain of its own beside the sealed journal: the run still verifies, with the CLI too.
    expect((await run.verify()).ok).toBe(true);
    const auditor = cli(run.root, `runbook verify ${run.state.dir} --pin ${run.pin}`);
    expect(auditor.status, auditor.stdout + auditor.stderr).toBe(0);
    expect(access()).toHaveLength(4); // three in the console, one by the CLI
  });

  it('a sign-off in the run: still self-anchored for the seal, its signer listed as unanchored, the auditor command asks for --allowed-signers', async () => {
    const run = await start();
    const bob = makeKey(run.root, 'bob', 'ed25519');
    const stepId = run.state.steps.find((s) => s.id.startsWith('sign-off'))?.id as string;
    const row = { name: 'Bob Reviewer', role: 'Reviewer', date: '2026-11-24' };
    const request = await run.call('runs.signoffRequest', { runId: run.state.runId, stepId, ...row });
    await run.call('runs.record', { runId: run.state.runId, stepId, kind: 'signoff', ...row, signature: keygenSign(bob, 'runbook-console-signoff', Buffer.from(request.message)), record: request.record });
    await sealAnyway(run.call, run.state.runId);
    const result = await run.verify();
    expect(result.verdict).toBe('self-anchored');
    expect(result.unanchored).toHaveLength(1);
    expect(result.unanchored[0]).toMatch(/^1 sign-off \(first: record \d+\): give --allowed-signers naming the signers for runbook-console-signoff$/);
    expect(result.auditorCommand).toBe(`runbook verify ${run.state.dir} --pin ${run.pin} --allowed-signers ALLOWED_SIGNERS`);
  });

  it('attack: a record changed after the seal fails with its reason code and the verifier\'s text for it', async () => {
    const run = await start();
    await run.call('runs.record', { runId: run.state.runId, stepId: run.state.steps[0]?.id, kind: 'note', text: 'all good' });
    await sealAnyway(run.call, run.state.runId);
    const file = path.join(run.state.dir, JOURNAL_FILE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('all good', 'all bad!'));
    const result = await run.verify();
    expect(result.ok).toBe(false);
    expect(result.verdict).toBe('failed');
    expect(result.code).toMatch(/^E_(RECORD_CHANGED|MAC)$/);
    expect(result.meaning).toBe(FAILURES[result.code as keyof typeof FAILURES]);
    expect(result.record).toEqual(expect.any(Number));
    expect(result.sealedBy).toBeNull();
  });

  it('attack: the journal rewritten and re-sealed with another key (consistent with itself) fails E_SIGNER in the console, where a bare CLI verify says only intact but unanchored', async () => {
    const run = await start();
    await run.call('runs.record', { runId: run.state.runId, stepId: run.state.steps[0]?.id, kind: 'note', text: 'all good' });
    await sealAnyway(run.call, run.state.runId);
    expect((await run.verify()).verdict).toBe('self-anchored'); // control: before the rewrite
    const forger = await loadInstallation(path.join(run.root, 'forger', 'installation_ed25519'));
    const records = journalRecords(run.state.dir);
    for (const r of records) if (r.type === 'step.note' && r.data.text === 'all good') r.data = { ...r.data, text: 'all bad!' };
    await rewriteJournal(run.state.dir, run.keys.verificationKey(run.state.runId) as Buffer, records, forger, true);
    const bare = cli(run.root, `runbook verify ${run.state.dir}`);
    expect(bare.status, bare.stdout).toBe(3);
    const result = await run.verify();
    expect(result).toMatchObject({ ok: false, verdict: 'failed', code: 'E_SIGNER', meaning: FAILURES.E_SIGNER });
  });
});
