// Signed sign-offs (issue 11, item 5): main records a sign-off only with the signer's SSHSIG (namespace
// runbook-console-signoff) over the message naming the run, the step, the row (role), who, when, and the
// journal's last record. Attacks first — no signature, garbage, a real signature over another message (a
// replay from another run or row), the right message in another namespace, a stale record — then the
// controls: a pasted `ssh-keygen -Y sign` signature, a key file and an ssh-agent key main signs with. Each
// accepted sign-off is recorded with principal, key, signature and message, and stock `ssh-keygen -Y
// verify` accepts it.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import type { RunState } from '../../src/shared/run-api.js';
import { SIGNOFF_NAMESPACE, signoffCommand, signoffMessage } from '../../src/shared/signoff.js';
import { HAVE_SSH_AGENT, HAVE_SSH_KEYGEN, type TestKey, keygenSign, keygenVerify, makeKey, skipReason, startAgent, tempDir, withoutSshAgent } from '../audit/ssh-tools.js';
import { testHandlers } from '../support/handlers.js';
import type { ApiCall } from '../support/run-events.js';
import { sealAnyway } from '../support/run-events.js';

const RUNBOOK = `# Change with a sign-off sheet
- [ ] Do the work
  \`\`\`bash
  echo done
  \`\`\`

## Sign-off
| Role | Name | Date |
| --- | --- | --- |
| Operator | ______ | ______ |
| Reviewer | ______ | ______ |
`;

type Rec = { seq: number; run: string; type: string; data: Record<string, any> };

describe.skipIf(skipReason('signed sign-offs', HAVE_SSH_KEYGEN))('signed sign-offs', () => {
  let tmp: ReturnType<typeof tempDir>;
  let bob: TestKey;
  let alice: TestKey;
  withoutSshAgent();

  beforeAll(() => {
    tmp = tempDir('signoff-');
    bob = makeKey(tmp.dir, 'bob', 'ed25519');
    alice = makeKey(tmp.dir, 'alice', 'ed25519');
  });
  afterAll(() => tmp?.remove());

  async function start() {
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    const file = path.join(root, 'rb.md');
    writeFileSync(file, RUNBOOK);
    await call('runbook.open', { path: file });
    const state: RunState = await call('runs.start', { profile: 'regulated', operator: 'Alice', vars: {} });
    const stepId = state.steps.find((s) => s.id.startsWith('sign-off'))?.id as string;
    expect(stepId).toBeTruthy();
    const lines = () => readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8').trim().split('\n');
    const journal = () => lines().map((l) => JSON.parse(l) as Rec);
    const head = async () => ((await call('runs.state', { runId: state.runId })) as RunState).head as { seq: number; sha256: string };
    const record = (input: Record<string, unknown>) => call('runs.record', { runId: state.runId, stepId, kind: 'signoff', ...input });
    return { call, state, stepId, lines, journal, head, record };
  }

  const stockVerify = (principal: string, key: TestKey, data: Record<string, any>) =>
    keygenVerify(tmp.dir, { principal, namespace: SIGNOFF_NAMESPACE, allowedSigners: `${formatAllowedSigner({ principals: [principal], publicKey: key.publicKeyLine, namespaces: [SIGNOFF_NAMESPACE] })}\n`, signature: data.signature, data: Buffer.from(data.message, 'utf8') });

  it('attack: a sign-off without a signature is refused and nothing is recorded', async () => {
    const run = await start();
    const before = run.journal().length;
    await expect(run.record({ name: 'Bob Reviewer', role: 'Reviewer', date: '2026-11-24' })).rejects.toThrow(/a sign-off must be signed with the signer's SSH key/);
    expect(run.journal()).toHaveLength(before);
    const state: RunState = await run.call('runs.state', { runId: run.state.runId });
    expect(state.steps.find((s) => s.id === run.stepId)).toMatchObject({ status: 'pending', signoff: null });
  });

  it('attack: forged signatures are refused and journaled as refused; a stale or unknown row is refused', async () => {
    const run = await start();
    const claim = (head: { seq: number; sha256: string }, over: Partial<{ run: string; role: string; name: string }> = {}) => ({ run: run.state.runId, step: run.stepId, role: 'Reviewer', name: 'Bob Reviewer', date: '2026-11-24', record: head, ...over });
    const pasted = async (signature: string, head?: { seq: number; sha256: string }) => run.record({ name: 'Bob Reviewer', role: 'Reviewer', date: '2026-11-24', signature, record: (head ?? (await run.head())).seq });

    // Garbage.
    await expect(pasted('-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n')).rejects.toThrow(/sign-off refused \(recorded\): not an SSH signature/);
    // A real signature by bob, replayed from another run.
    let head = await run.head();
    await expect(pasted(keygenSign(bob, SIGNOFF_NAMESPACE, Buffer.from(signoffMessage(claim(head, { run: 'another-run' })))), head)).rejects.toThrow(/sign-off refused \(recorded\): the sign-off signature does not hold/);
    // A real signature by bob for another row (Operator), offered for Reviewer.
    head = await run.head();
    await expect(pasted(keygenSign(bob, SIGNOFF_NAMESPACE, Buffer.from(signoffMessage(claim(head, { role: 'Operator' })))), head)).rejects.toThrow(/does not hold/);
    // The right message, signed for approvals instead of sign-offs.
    head = await run.head();
    await expect(pasted(keygenSign(bob, 'runbook-console-approval', Buffer.from(signoffMessage(claim(head)))), head)).rejects.toThrow(/namespace/);
    // A valid signature over an older record: the run has moved on since (not recorded: nothing was offered for now).
    const stale = await run.head();
    const staleSignature = keygenSign(bob, SIGNOFF_NAMESPACE, Buffer.from(signoffMessage(claim(stale))));
    await run.call('runs.record', { runId: run.state.runId, stepId: run.state.steps[0]?.id, kind: 'note', text: 'meanwhile' });
    const count = run.journal().length;
    await expect(pasted(staleSignature, stale)).rejects.toThrow(/signs off record \d+, but the run's last record is now \d+/);
    expect(run.journal()).toHaveLength(count);
    // A row the sheet does not have.
    await expect(run.record({ name: 'Bob Reviewer', role: 'Boss', date: '2026-11-24', keyFile: bob.file })).rejects.toThrow(/has no sign-off row "Boss" \(its rows: Operator, Reviewer\)/);

    const refused = run.journal().filter((r) => r.type === 'signoff');
    expect(refused.map((r) => r.data.accepted)).toEqual([false, false, false, false]);
    const bobFp = fingerprint(parsePublicKeyLine(bob.publicKeyLine).blob);
    expect(refused.map((r) => r.data.fingerprint)).toEqual([null, bobFp, bobFp, bobFp]);
    const state: RunState = await run.call('runs.state', { runId: run.state.runId });
    expect(state.steps.find((s) => s.id === run.stepId)).toMatchObject({ status: 'pending', signoff: null });
  });

  it('control: a signature made elsewhere with ssh-keygen over the shown message is recorded, and stock ssh-keygen verifies it', async () => {
    const run = await start();
    const head = await run.head();
    const message = signoffMessage({ run: run.state.runId, step: run.stepId, role: 'Reviewer', name: 'Bob Reviewer', date: '2026-11-24', record: head });
    // The format, spelled out: what a signer or auditor rebuilds by hand.
    expect(message).toBe(`{"date":"2026-11-24","format":"runbook-console-signoff/v1","name":"Bob Reviewer","record":{"seq":${head.seq},"sha256":"${head.sha256}"},"role":"Reviewer","run":"${run.state.runId}","step":"${run.stepId}"}`);
    expect(signoffCommand(message)).toMatch(/^printf %s '\{"date":.*\}' \| ssh-keygen -Y sign -f THEIR_KEY -n runbook-console-signoff$/);
    const signature = keygenSign(bob, SIGNOFF_NAMESPACE, Buffer.from(message));
    const state: RunState = await run.record({ name: 'Bob Reviewer', role: 'Reviewer', date: '2026-11-24', signature, record: head.seq });
    const bobFp = fingerprint(parsePublicKeyLine(bob.publicKeyLine).blob);
    expect(state.steps.find((s) => s.id === run.stepId)).toMatchObject({ status: 'succeeded', signoff: { name: 'Bob Reviewer', role: 'Reviewer', date: '2026-11-24', fingerprint: bobFp } });

    const records = run.journal();
    const signoff = records.find((r) => r.type === 'signoff') as Rec;
    expect(signoff.data).toEqual({
      step: { id: run.stepId },
      name: 'Bob Reviewer',
      role: 'Reviewer',
      date: '2026-11-24',
      principal: 'Bob-Reviewer',
      accepted: true,
      key: bob.publicKeyLine.split(' ').slice(0, 2).join(' '),
      fingerprint: bobFp,
      namespace: SIGNOFF_NAMESPACE,
      message,
      signs: head,
      method: 'pasted',
      signature,
    });
    // It signs off the record right before it: the line whose hash it names.
    expect(signoff.data.signs.seq).toBe(signoff.seq - 1);
    expect(createHash('sha256').update(run.lines()[signoff.seq - 1] as string).digest('hex')).toBe(signoff.data.signs.sha256);
    expect(stockVerify('Bob-Reviewer', bob, signoff.data).status).toBe(0);
    expect(stockVerify('Bob-Reviewer', alice, signoff.data).status).not.toBe(0); // negative control: not alice's

    await sealAnyway(run.call, run.state.runId);
    expect(await run.call('runs.verify', { runId: run.state.runId })).toMatchObject({ ok: true });
  });

  it('control: main signs with the signer\'s key file; the record verifies with stock ssh-keygen', async () => {
    const run = await start();
    await run.record({ name: 'Alice', role: 'Operator', date: '2026-11-24', keyFile: alice.file });
    const signoff = run.journal().find((r) => r.type === 'signoff') as Rec;
    expect(signoff.data).toMatchObject({ accepted: true, method: 'key-file', principal: 'Alice', fingerprint: fingerprint(parsePublicKeyLine(alice.publicKeyLine).blob) });
    expect(signoff.data.message).toBe(signoffMessage({ run: signoff.run, step: run.stepId, role: 'Operator', name: 'Alice', date: '2026-11-24', record: signoff.data.signs }));
    expect(signoff.data.signs.seq).toBe(signoff.seq - 1);
    expect(stockVerify('Alice', alice, signoff.data).status).toBe(0);
  });

  it.skipIf(!HAVE_SSH_AGENT)('control: main signs through the signer\'s ssh-agent', async () => {
    const agentDir = tempDir('signoff-agent-');
    const agent = await startAgent(agentDir.dir);
    try {
      agent.add(bob.file);
      process.env.SSH_AUTH_SOCK = agent.socket;
      const run = await start();
      await run.record({ name: 'Bob Reviewer', role: 'Reviewer', date: '2026-11-24', agent: true });
      const signoff = run.journal().find((r) => r.type === 'signoff') as Rec;
      expect(signoff.data).toMatchObject({ accepted: true, method: 'ssh-agent', principal: 'Bob-Reviewer' });
      expect(stockVerify('Bob-Reviewer', bob, signoff.data).status).toBe(0);
    } finally {
      delete process.env.SSH_AUTH_SOCK;
      await agent.stop();
      agentDir.remove();
    }
  });
});
