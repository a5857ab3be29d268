// Questions the console asks while a step runs, against a real sshd: a key passphrase typed by the operator
// (used, never recorded), an unknown host key (cancelling the step answers "no" and says so in the record),
// and the run's own rules: no skip of a step that succeeded or of a sealed run, no start on another
// runbook than the page shows, the open run findable again; RESTRICTED refuses postgres without verify-full.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunState } from '../../src/shared/run-api.js';
import { expandHome } from '../../src/main/util/expand-home.js';
import { HAVE_SSH_KEYGEN, makeKey, skipReason } from '../audit/ssh-tools.js';
import { type FakeKubeApi, startKubeApi } from '../fakes/kube-api.js';
import { type SshdHandle, sshdAvailable, startSshd } from '../infra/sshd.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil, sealAnyway } from '../support/run-events.js';

const journal = (state: RunState) =>
  readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

async function openRun(runbook: string, targets: Record<string, unknown>, profile = 'standard') {
  const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
  const [name, first] = Object.entries(targets)[0] as [string, { kind: string }];
  const defaultKey = first.kind === 'postgres' ? 'sql' : first.kind === 'kubernetes' ? 'k8s' : 'shell';
  await call('targets.save', { targets: { targets, defaults: { [defaultKey]: name } } });
  if (profile === 'restricted') {
    writeFileSync(path.join(root, 'approvers'), '');
    await call('settings.save', { approversFile: path.join(root, 'approvers') });
  }
  const file = path.join(root, 'rb.md');
  writeFileSync(file, runbook);
  await call('runbook.open', { path: file });
  const state: RunState = await call('runs.start', { profile, operator: 'Alice', vars: {} });
  return { call, state, root };
}

const RUNBOOK = '# Q\n- [ ] Who\n  ```bash\n  id -un\n  ```\n';

describe.skipIf(!sshdAvailable('console questions'))('console questions over a real sshd', () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    sshd = await startSshd({ agent: false });
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  const target = (extra: Record<string, unknown>) => ({ kind: 'ssh', host: sshd.host, port: sshd.port, user: sshd.user, sshConfig: sshd.emptySshConfig, agent: false, ...extra });

  it('asks for a key passphrase, uses it, and records only that one was given', async () => {
    const { call, state } = await openRun(RUNBOOK, { web: target({ identityFile: sshd.encryptedKey.path, knownHosts: sshd.knownHosts }) });
    await call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'question');
    const asked: RunState = await call('runs.state', { runId: state.runId });
    expect(asked.questions).toEqual([expect.objectContaining({ kind: 'secret', text: `Passphrase for SSH key ${sshd.encryptedKey.path}:` })]);
    const answered = await call('runs.answer', { runId: state.runId, questionId: asked.questions[0]?.questionId, answer: sshd.encryptedKey.passphrase });
    expect(answered.ok).toBe(true);
    expect(answered.state.questions).toEqual([]);
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.status === 'succeeded');
    const text = readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8');
    expect(text).not.toContain(sshd.encryptedKey.passphrase);
    expect(journal(state).find((r) => r.type === 'trust')?.data).toMatchObject({ kind: 'secret', answer: '(given)', text: null, by: 'operator' });
  });

  it('an unknown host key is a yes/no question; cancelling the step answers no, recorded as such', async () => {
    const { call, state } = await openRun(RUNBOOK, { web: target({ identityFile: sshd.userKey.path, knownHosts: path.join(sshd.dir, 'empty_known_hosts') }) });
    writeFileSync(path.join(sshd.dir, 'empty_known_hosts'), '');
    await call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'question');
    const asked: RunState = await call('runs.state', { runId: state.runId });
    expect(asked.questions[0]).toMatchObject({ kind: 'confirm', text: expect.stringContaining(sshd.hostKey.fingerprint) });
    expect(await call('runs.cancel', { runId: state.runId })).toEqual({ cancelled: true });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.status !== 'running');
    const after: RunState = await call('runs.state', { runId: state.runId });
    expect(after.questions).toEqual([]);
    expect(after.steps[0]?.status).not.toBe('succeeded');
    expect(journal(state).find((r) => r.type === 'trust')?.data).toMatchObject({ kind: 'confirm', answer: false, by: 'cancel' });
  });
});

describe('export with a protected key', () => {
  it('asks for the passphrase in the question dialog and signs with it; the passphrase is nowhere in the bundle', async () => {
    if (skipReason('export with a protected key', HAVE_SSH_KEYGEN)) return;
    const { call, state, root } = await openRun('# R\n- [ ] A\n  ```bash\n  true\n  ```\n', { here: { kind: 'local' } });
    const key = makeKey(root, 'carol', 'ed25519', 'carol-pass-phrase');
    await sealAnyway(call, state.runId);
    const out = path.join(root, 'bundle');
    const exported = call('runs.export', { runId: state.runId, out, keyFile: key.file });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'question');
    const asked: RunState = await call('runs.state', { runId: state.runId });
    expect(asked.questions[0]).toMatchObject({ kind: 'secret', text: `Passphrase for the signing key ${key.file}:` });
    await call('runs.answer', { runId: state.runId, questionId: asked.questions[0]?.questionId, answer: 'carol-pass-phrase' });
    const result = await exported;
    expect(result.signer).toContain('SHA256:');
    const verify = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', 'allowed_signers', '-I', 'Alice', '-n', 'runbook-console-audit', '-s', 'report.json.sig'], { cwd: out, input: readFileSync(path.join(out, 'report.json')), encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(spawnSync('grep', ['-r', 'carol-pass-phrase', out]).status).toBe(1);
  });

  it('expands ~ in paths the operator types', () => {
    expect(expandHome('~/.ssh/id_ed25519', '/home/op')).toBe('/home/op/.ssh/id_ed25519');
    expect(expandHome('~', '/home/op')).toBe('/home/op');
    expect(expandHome('~other/key', '/home/op')).toBe('~other/key');
    expect(expandHome('/abs/key', '/home/op')).toBe('/abs/key');
  });
});

describe('console run rules', () => {
  it('refuses to skip a step that succeeded or anything once sealed; finds the open run; refuses a start on another runbook', async () => {
    const { call, state } = await openRun('# R\n- [ ] A\n  ```bash\n  true\n  ```\n- [ ] B\n  ```bash\n  true\n  ```\n', { here: { kind: 'local' } });
    const [a, b] = state.steps;
    expect(await call('runs.current', {})).toEqual({ runId: state.runId, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), status: 'ready' });
    await call('runs.runStep', { runId: state.runId, stepId: a?.id });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === a?.id && e.status === 'succeeded');
    await expect(call('runs.skip', { runId: state.runId, stepId: a?.id, reason: 'changed my mind' })).rejects.toThrow(/already succeeded/);
    await sealAnyway(call, state.runId);
    await expect(call('runs.skip', { runId: state.runId, stepId: b?.id, reason: 'late' })).rejects.toThrow(/finished/);
    expect(await call('runs.current', {})).toMatchObject({ status: 'finished' });
    await expect(call('runs.start', { profile: 'standard', operator: 'Alice', vars: {}, sha256: '0'.repeat(64) })).rejects.toThrow(/another runbook open/);
  });

  it('RESTRICTED: a step bound to postgres without verify-full does not run', async () => {
    const { call, state } = await openRun('# R\n- [ ] Q\n  ```sql\n  update t set x = 1\n  ```\n', { db: { kind: 'postgres', host: '127.0.0.1', database: 'd', user: 'u', sslmode: 'require' } }, 'restricted');
    expect(state.problems.join('\n')).toMatch(/verify-full/);
    await expect(call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id })).rejects.toThrow(/must use sslmode verify-full/);
  });

  it('seals once when Finish and Export come together, and takes no record after that', async () => {
    const { call, state, root } = await openRun('# R\n- [ ] A\n  ```bash\n  true\n  ```\n', { here: { kind: 'local' } });
    const [finished, exported] = await Promise.all([sealAnyway(call, state.runId), sealAnyway(call, state.runId, { out: path.join(root, 'bundle') }, 'runs.export')]);
    expect(finished.status).toBe('finished');
    expect(exported.files).toContain('journal.jsonl');
    expect(journal(state).filter((r) => r.type === 'run.finished')).toHaveLength(1);
    await expect(call('runs.record', { runId: state.runId, stepId: state.steps[0]?.id, kind: 'note', text: 'late' })).rejects.toThrow(/finished/);
    expect(await call('runs.verify', { runId: state.runId })).toMatchObject({ ok: true });
  });
});

describe('a question its block no longer waits for', () => {
  let kube: FakeKubeApi;
  beforeAll(async () => {
    kube = await startKubeApi();
  });
  afterAll(async () => {
    await kube?.close();
  });

  it('is answered no when the block times out while asking, and recorded as such', async () => {
    const kubeconfig = kube.kubeconfig();
    const manifest = '# K\n- [ ] Apply\n  ```yaml {"timeout":"1s"}\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: timed\n    namespace: default\n  data:\n    a: "1"\n  ```\n';
    const { call, state } = await openRun(manifest, { cluster: { kind: 'kubernetes', kubeconfig, context: 'fake' } });
    await call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.status !== 'running');
    const after: RunState = await call('runs.state', { runId: state.runId });
    expect(after.questions).toEqual([]);
    expect(after.steps[0]?.status).not.toBe('succeeded');
    expect(journal(state).find((r) => r.type === 'trust')?.data).toMatchObject({ kind: 'confirm', answer: false, by: 'step-ended' });
    expect(kube.object('configmaps', 'default', 'timed')).toBeUndefined();
  });
});

