// RESTRICTED runs in the console: a state-changing block waits for a second person's SSH signature over
// its step.started record; a wrong signer or the operator's own key is refused and recorded, the request
// stays open, and the block runs only once an allowed approver's signature holds. Withdrawing refuses it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import type { RunState } from '../../src/shared/run-api.js';
import { HAVE_SSH_AGENT, HAVE_SSH_KEYGEN, type TestKey, keygenSign, makeKey, skipReason, startAgent } from '../audit/ssh-tools.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil, sealAnyway } from '../support/run-events.js';

const RUNBOOK = (mark: string) => `# Restricted change
- [ ] Change the thing
  \`\`\`bash
  touch ${mark}
  \`\`\`
- [ ] Change another thing
  \`\`\`bash
  touch ${mark}.2
  \`\`\`
`;

describe('RESTRICTED runs in the console', () => {
  let keysDir: string;
  let bob: TestKey;
  let mallory: TestKey;
  let alice: TestKey;
  let approvers: string;

  beforeAll(() => {
    if (!HAVE_SSH_KEYGEN) return;
    keysDir = mkdtempSync(path.join(tmpdir(), 'console-approvals-'));
    bob = makeKey(keysDir, 'bob', 'ed25519');
    mallory = makeKey(keysDir, 'mallory', 'ed25519');
    alice = makeKey(keysDir, 'alice', 'ed25519');
    approvers = path.join(keysDir, 'approvers');
    const line = (principal: string, key: TestKey) => formatAllowedSigner({ principals: [principal], publicKey: key.publicKeyLine, namespaces: ['runbook-console-approval'] });
    writeFileSync(approvers, `${line('bob', bob)}\n${line('Alice', alice)}\n`);
  });
  afterAll(() => {
    if (keysDir) rmSync(keysDir, { recursive: true, force: true });
  });

  it('names the missing approvers file up front and runs nothing', async () => {
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    const file = path.join(root, 'r.md');
    writeFileSync(file, RUNBOOK(path.join(root, 'mark')));
    await call('runbook.open', { path: file });
    const state: RunState = await call('runs.start', { profile: 'restricted', operator: 'Alice', vars: {} });
    expect(state.problems.join('\n')).toMatch(/approvers' allowed_signers file in Settings/);
    await expect(call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id })).rejects.toThrow(/approval/);
    expect(existsSync(path.join(root, 'mark'))).toBe(false);
  });

  it('runs a block only after an allowed second person signed its record; refusals are recorded; verify checks it', async () => {
    if (skipReason('console approvals', HAVE_SSH_KEYGEN)) return;
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    const mark = path.join(root, 'mark');
    const file = path.join(root, 'r.md');
    writeFileSync(file, RUNBOOK(mark));
    expect(await call('settings.save', { approversFile: approvers })).toMatchObject({ approversFile: approvers });
    await call('runbook.open', { path: file });
    const state: RunState = await call('runs.start', { profile: 'restricted', operator: 'Alice', vars: {} });
    expect(state.problems).toEqual([]);
    const [first, second] = state.steps;
    if (!first || !second) throw new Error('two steps expected');

    await call('runs.runStep', { runId: state.runId, stepId: first.id });
    let seen = (await eventsUntil(call, state.runId, -1, (e) => e.type === 'approval')).next;
    let pending: RunState = await call('runs.state', { runId: state.runId });
    const request = pending.approvals[0];
    if (!request) throw new Error('an approval request expected');
    expect(request).toMatchObject({ stepId: first.id, namespace: 'runbook-console-approval' });
    expect(request.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(request.command).toContain(`printf %s ${request.sha256} | ssh-keygen -Y sign`);
    expect(existsSync(mark)).toBe(false); // waiting: nothing ran

    const sign = (key: TestKey) => keygenSign(key, 'runbook-console-approval', Buffer.from(request.sha256));
    const wrong = await call('runs.approve', { runId: state.runId, approvalId: request.approvalId, decision: 'sign', approver: 'bob', signature: sign(mallory) });
    expect(wrong).toMatchObject({ ok: false, reason: expect.stringMatching(/not an allowed approver key for "bob"/) });
    const own = await call('runs.approve', { runId: state.runId, approvalId: request.approvalId, decision: 'sign', approver: 'Alice', signature: sign(alice) });
    expect(own).toMatchObject({ ok: false, reason: 'the operator cannot approve their own step' });
    expect(own.state.approvals).toHaveLength(1); // still open
    expect(existsSync(mark)).toBe(false);

    const granted = await call('runs.approve', { runId: state.runId, approvalId: request.approvalId, decision: 'sign', approver: 'bob', signature: sign(bob) });
    expect(granted).toMatchObject({ ok: true, reason: null });
    seen = (await eventsUntil(call, state.runId, seen, (e) => e.type === 'step' && e.stepId === first.id && e.status === 'succeeded')).next;
    expect(existsSync(mark)).toBe(true);

    // The second block: withdrawn, so it does not run.
    await call('runs.runStep', { runId: state.runId, stepId: second.id });
    await eventsUntil(call, state.runId, seen, (e) => e.type === 'approval');
    pending = await call('runs.state', { runId: state.runId });
    const withdrawn = await call('runs.approve', { runId: state.runId, approvalId: pending.approvals[0]?.approvalId, decision: 'withdraw' });
    expect(withdrawn.ok).toBe(true);
    await eventsUntil(call, state.runId, seen, (e) => e.type === 'step' && e.stepId === second.id && e.status !== 'running');
    expect(existsSync(`${mark}.2`)).toBe(false);

    const journal = readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const approvals = journal.filter((r) => r.type === 'approval').map((r) => [r.data.approver, r.data.granted, r.data.reason ?? null]);
    expect(approvals).toEqual([
      ['bob', false, expect.stringMatching(/not an allowed approver key/)],
      ['Alice', false, 'the operator cannot approve their own step'],
      ['bob', true, null],
      [null, false, 'withdrawn by the operator'],
    ]);
    const finished = journal.filter((r) => r.type === 'step.finished').map((r) => r.data.outcome.status);
    expect(finished).toEqual(['succeeded', 'error']);
    await sealAnyway(call, state.runId);
    expect(await call('runs.verify', { runId: state.runId })).toMatchObject({ ok: true });
  });

  it('a key held by the ssh-agent of the session running the console cannot approve, whatever name it is listed under', async () => {
    if (skipReason('console approvals with ssh-agent', HAVE_SSH_AGENT)) return;
    const agentDir = mkdtempSync(path.join(tmpdir(), 'approvals-agent-'));
    const agent = await startAgent(agentDir);
    const before = process.env.SSH_AUTH_SOCK;
    try {
      agent.add(bob.file);
      process.env.SSH_AUTH_SOCK = agent.socket;
      const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
      const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
      const mark = path.join(root, 'mark');
      const file = path.join(root, 'r.md');
      writeFileSync(file, RUNBOOK(mark));
      await call('settings.save', { approversFile: approvers });
      await call('runbook.open', { path: file });
      const state: RunState = await call('runs.start', { profile: 'restricted', operator: 'Night Shift', vars: {} });
      await call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
      await eventsUntil(call, state.runId, -1, (e) => e.type === 'approval');
      const request = ((await call('runs.state', { runId: state.runId })) as RunState).approvals[0];
      if (!request) throw new Error('an approval request expected');
      const signed = await call('runs.approve', { runId: state.runId, approvalId: request.approvalId, decision: 'sign', approver: 'bob', signature: keygenSign(bob, 'runbook-console-approval', Buffer.from(request.sha256)) });
      expect(signed).toMatchObject({ ok: false, reason: expect.stringMatching(/cannot approve their own step \(the signing key is in the ssh-agent/) });
      expect(existsSync(mark)).toBe(false);
      await call('runs.cancel', { runId: state.runId });
    } finally {
      if (before === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = before;
      await agent.stop();
      rmSync(agentDir, { recursive: true, force: true });
    }
  });
});

