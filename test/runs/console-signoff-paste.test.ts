// A sign-off signed offline (issue 11, item 5, for a signer who is not at the operator's machine): main gives
// the exact message and the stock `ssh-keygen -Y sign` command (runs.signoffRequest), the signer's armoured
// SSHSIG is pasted back (runs.record), and main checks it again — the message, the namespace, and that no key
// the operator controls here made it — recording every attempt with a typed refusal code. Real ssh-keygen
// signatures throughout: attacks first (wrong namespace, wrong message, the operator's keys, a stale message,
// no armour at the API boundary), then the positive controls, and the whole run verifies.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { verifyRun } from '../../src/main/audit/verify.js';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import type { RunState, SignoffRequest } from '../../src/shared/run-api.js';
import { SIGNOFF_NAMESPACE, signoffCommand, signoffMessage } from '../../src/shared/signoff.js';
import { HAVE_SSH_AGENT, HAVE_SSH_KEYGEN, type TestKey, keygenSign, keygenVerify, makeKey, skipReason, startAgent, tempDir, withoutSshAgent } from '../audit/ssh-tools.js';
import { testHandlers } from '../support/handlers.js';
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
const ROW = { name: 'Bob Reviewer', role: 'Reviewer', date: '2026-11-24' };
const fp = (key: TestKey) => fingerprint(parsePublicKeyLine(key.publicKeyLine).blob);

describe.skipIf(skipReason('pasted sign-offs', HAVE_SSH_KEYGEN))('a sign-off signed elsewhere and pasted into the console', () => {
  let tmp: ReturnType<typeof tempDir>;
  let bob: TestKey;
  let alice: TestKey;
  withoutSshAgent();

  beforeAll(() => {
    tmp = tempDir('signoff-paste-');
    bob = makeKey(tmp.dir, 'bob', 'ed25519');
    alice = makeKey(tmp.dir, 'alice', 'ed25519');
  });
  afterAll(() => tmp?.remove());

  async function start(settings: { exportKey?: string } = {}) {
    const t = testHandlers({ host: 'browser', version: 'test' });
    const call = (m: string, i: unknown) => dispatch(t.handlers, m, i) as Promise<any>;
    if (settings.exportKey) await call('settings.save', { exportKey: { kind: 'file', path: settings.exportKey } });
    const file = path.join(t.root, 'rb.md');
    writeFileSync(file, RUNBOOK);
    await call('runbook.open', { path: file });
    const state: RunState = await call('runs.start', { profile: 'regulated', operator: 'Alice', vars: {} });
    const stepId = state.steps.find((s) => s.id.startsWith('sign-off'))?.id as string;
    const journal = () => readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
    const signoffs = () => journal().filter((r) => r.type === 'signoff');
    const request = (row = ROW): Promise<SignoffRequest> => call('runs.signoffRequest', { runId: state.runId, stepId, ...row });
    const paste = (signature: string, record: number, row = ROW): Promise<RunState> => call('runs.record', { runId: state.runId, stepId, kind: 'signoff', ...row, signature, record });
    const stepState = async () => ((await call('runs.state', { runId: state.runId })) as RunState).steps.find((s) => s.id === stepId);
    const installation = { file: path.join(t.root, 'keys', 'installation_ed25519'), publicKeyLine: '' };
    installation.publicKeyLine = readFileSync(`${installation.file}.pub`, 'utf8').trim();
    return { ...t, call, state, stepId, journal, signoffs, request, paste, stepState, installation };
  }

  it('main gives the exact message for the run\'s last record and the stock command; a row the sheet lacks, or a step that is no sign-off, is refused', async () => {
    const run = await start();
    const head = ((await run.call('runs.state', { runId: run.state.runId })) as RunState).head as { seq: number; sha256: string };
    const request = await run.request();
    expect(request).toEqual({
      record: head.seq,
      sha256: head.sha256,
      namespace: SIGNOFF_NAMESPACE,
      message: signoffMessage({ run: run.state.runId, step: run.stepId, ...ROW, record: head }),
      command: signoffCommand(request.message),
    });
    expect(request.command).toMatch(/^printf %s '\{"date":"2026-11-24",.*\}' \| ssh-keygen -Y sign -f THEIR_KEY -n runbook-console-signoff$/);
    await expect(run.request({ ...ROW, role: 'Boss' })).rejects.toThrow(/has no sign-off row "Boss" \(its rows: Operator, Reviewer\)/);
    await expect(run.call('runs.signoffRequest', { runId: run.state.runId, stepId: run.state.steps[0]?.id, ...ROW })).rejects.toThrow(/is not a sign-off/);
    expect(run.signoffs()).toHaveLength(0); // asking records nothing
  });

  it('attack: the right message signed in another namespace is refused as wrong-namespace and recorded as refused', async () => {
    const run = await start();
    const request = await run.request();
    await expect(run.paste(keygenSign(bob, 'runbook-console-approval', Buffer.from(request.message)), request.record)).rejects.toThrow(/sign-off refused \(recorded\): .*namespace/);
    expect(run.signoffs().map((r) => [r.data.accepted, r.data.code, r.data.fingerprint])).toEqual([[false, 'wrong-namespace', fp(bob)]]);
    expect(await run.stepState()).toMatchObject({ status: 'pending', signoff: null, signoffRefusal: { code: 'wrong-namespace' } });
  });

  it('attack: a signature over another message (another date, another row) is refused as bad-signature', async () => {
    const run = await start();
    const request = await run.request();
    const otherDate = await run.request({ ...ROW, date: '2026-11-25' });
    await expect(run.paste(keygenSign(bob, SIGNOFF_NAMESPACE, Buffer.from(otherDate.message)), request.record)).rejects.toThrow(/does not hold/);
    const next = await run.request();
    const otherRow = await run.request({ ...ROW, role: 'Operator' });
    await expect(run.paste(keygenSign(bob, SIGNOFF_NAMESPACE, Buffer.from(otherRow.message)), next.record)).rejects.toThrow(/does not hold/);
    expect(run.signoffs().map((r) => [r.data.accepted, r.data.code, r.data.method])).toEqual([
      [false, 'bad-signature', 'pasted'],
      [false, 'bad-signature', 'pasted'],
    ]);
  });

  it('attack: a pasted signature by a key the operator controls is refused as operator-key — the installation key, the export key in Settings', async () => {
    const run = await start({ exportKey: alice.file });
    // The installation key (which seals the run), signing with stock ssh-keygen.
    let request = await run.request();
    const byInstallation = keygenSign({ file: run.installation.file, publicKeyLine: run.installation.publicKeyLine }, SIGNOFF_NAMESPACE, Buffer.from(request.message));
    await expect(run.paste(byInstallation, request.record)).rejects.toThrow(/this installation's key, which seals the run/);
    // The operator's export key from Settings, over a valid message: the signature holds, the key is the operator's.
    request = await run.request();
    await expect(run.paste(keygenSign(alice, SIGNOFF_NAMESPACE, Buffer.from(request.message)), request.record)).rejects.toThrow(/the operator's export key/);
    const refused = run.signoffs();
    expect(refused.map((r) => [r.data.accepted, r.data.code])).toEqual([
      [false, 'operator-key'],
      [false, 'operator-key'],
    ]);
    expect(refused[1]?.data.fingerprint).toBe(fp(alice));
    // Control: the same key signing in person (main signs with the key file) is the operator signing their own row.
    const own = await run.call('runs.record', { runId: run.state.runId, stepId: run.stepId, kind: 'signoff', name: 'Alice', role: 'Operator', date: '2026-11-24', keyFile: alice.file });
    expect(own.steps.find((s: { id: string }) => s.id === run.stepId)).toMatchObject({ status: 'succeeded', signoffRefusal: null });
  });

  it('attack: the installation key is no person\'s key, even when named as the signer\'s key file', async () => {
    const run = await start();
    await expect(run.call('runs.record', { runId: run.state.runId, stepId: run.stepId, kind: 'signoff', ...ROW, keyFile: run.installation.file })).rejects.toThrow(/this installation's key/);
    expect(run.signoffs().map((r) => [r.data.accepted, r.data.code, r.data.method])).toEqual([[false, 'operator-key', 'key-file']]);
  });

  it("attack: the operator's own key signing, in person, another person's row is refused as operator-key (verify would fail it: E_SIGNOFF_OPERATOR_KEY)", async () => {
    const run = await start({ exportKey: alice.file });
    await expect(run.call('runs.record', { runId: run.state.runId, stepId: run.stepId, kind: 'signoff', ...ROW, keyFile: alice.file })).rejects.toThrow(/the operator's key cannot sign off another person's row/);
    expect(run.signoffs().map((r) => [r.data.accepted, r.data.code, r.data.method, r.data.fingerprint])).toEqual([[false, 'operator-key', 'key-file', fp(alice)]]);
    // Control: Bob's own key, used at this machine for Bob's row, is Bob signing.
    const bobs = await run.call('runs.record', { runId: run.state.runId, stepId: run.stepId, kind: 'signoff', ...ROW, keyFile: bob.file });
    expect(bobs.steps.find((s: { id: string }) => s.id === run.stepId)).toMatchObject({ signoffRefusal: null });
    expect(run.signoffs().map((r) => [r.data.accepted, r.data.fingerprint])).toEqual([
      [false, fp(alice)],
      [true, fp(bob)],
    ]);
  });

  it.skipIf(!HAVE_SSH_AGENT)('attack: a pasted signature by a key in the operator\'s ssh-agent is refused as operator-key', async () => {
    const agentDir = tempDir('signoff-paste-agent-');
    const agent = await startAgent(agentDir.dir);
    try {
      agent.add(bob.file);
      process.env.SSH_AUTH_SOCK = agent.socket;
      const run = await start();
      const request = await run.request();
      await expect(run.paste(keygenSign(bob, SIGNOFF_NAMESPACE, Buffer.from(request.message)), request.record)).rejects.toThrow(/ssh-agent of the operator's session/);
      expect(run.signoffs().map((r) => r.data.code)).toEqual(['operator-key']);
    } finally {
      delete process.env.SSH_AUTH_SOCK;
      await agent.stop();
      agentDir.remove();
    }
  });

  it('attack: a message made before the run recorded more is refused unrecorded; text that is no armoured signature is refused at the API boundary', async () => {
    const run = await start();
    const stale = await run.request();
    const signature = keygenSign(bob, SIGNOFF_NAMESPACE, Buffer.from(stale.message));
    await run.call('runs.record', { runId: run.state.runId, stepId: run.state.steps[0]?.id, kind: 'note', text: 'meanwhile' });
    await expect(run.paste(signature, stale.record)).rejects.toThrow(/signs off record \d+, but the run's last record is now \d+/);
    await expect(run.paste('ssh-ed25519 AAAA not a signature', stale.record + 1)).rejects.toThrow(/invalid-input|not an SSH signature: paste the whole output of ssh-keygen -Y sign/);
    expect(run.signoffs()).toHaveLength(0);
  });

  it('control: bob signs the shown message offline with ssh-keygen; the paste (CR LFs and blanks from a mail client included) is recorded and stock ssh-keygen verifies the record; the run verifies', async () => {
    const run = await start();
    const request = await run.request();
    const signature = keygenSign(bob, SIGNOFF_NAMESPACE, Buffer.from(request.message));
    const mangled = `  ${signature.trimEnd().split('\n').join('  \r\n')}\r\n\r\n`;
    const state = await run.paste(mangled, request.record);
    expect(state.steps.find((s) => s.id === run.stepId)).toMatchObject({ status: 'succeeded', signoff: { ...ROW, fingerprint: fp(bob) }, signoffRefusal: null });
    const [record] = run.signoffs();
    expect(record?.data).toMatchObject({ accepted: true, method: 'pasted', principal: 'Bob-Reviewer', message: request.message, signature, signs: { seq: request.record, sha256: request.sha256 } });
    const allowed = `${formatAllowedSigner({ principals: ['Bob-Reviewer'], publicKey: bob.publicKeyLine.split(' ').slice(0, 2).join(' '), namespaces: [SIGNOFF_NAMESPACE] })}\n`;
    expect(keygenVerify(tmp.dir, { principal: 'Bob-Reviewer', namespace: SIGNOFF_NAMESPACE, allowedSigners: allowed, signature: record?.data.signature, data: Buffer.from(record?.data.message) }).status).toBe(0);
    await sealAnyway(run.call, run.state.runId);
    // The auditor's anchors: the installation key's fingerprint and an allowed_signers line for bob's sign-off.
    const pin = fingerprint(parsePublicKeyLine(run.installation.publicKeyLine).blob);
    const verified = await verifyRun(run.state.dir, { keys: run.keys, allowedSigners: allowed, pins: [pin] });
    expect(verified.ok && verified.anchored, JSON.stringify(verified)).toBe(true);
    // Negative control: an allowed_signers line for alice instead does not vouch for bob's sign-off.
    const wrong = `${formatAllowedSigner({ principals: ['Bob-Reviewer'], publicKey: alice.publicKeyLine.split(' ').slice(0, 2).join(' '), namespaces: [SIGNOFF_NAMESPACE] })}\n`;
    expect(await verifyRun(run.state.dir, { keys: run.keys, allowedSigners: wrong, pins: [pin] })).toMatchObject({ ok: false, failure: { code: 'E_SIGNER' } });
    expect(existsSync(path.join(run.state.dir, 'checkpoint.txt'))).toBe(true);
  });

  it('control: refused attempts stay in the record and the run still verifies once a good signature is recorded', async () => {
    const run = await start();
    let request = await run.request();
    await expect(run.paste(keygenSign(bob, 'git', Buffer.from(request.message)), request.record)).rejects.toThrow(/namespace/);
    request = await run.request();
    await run.paste(keygenSign(bob, SIGNOFF_NAMESPACE, Buffer.from(request.message)), request.record);
    expect(run.signoffs().map((r) => r.data.accepted)).toEqual([false, true]);
    await sealAnyway(run.call, run.state.runId);
    expect(await run.call('runs.verify', { runId: run.state.runId })).toMatchObject({ ok: true, verdict: 'self-anchored' });
  });
});
