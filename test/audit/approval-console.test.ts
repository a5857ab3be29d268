// Approvals in the console (issue 11, item 5): the approvers file named in Settings is read once when the
// run starts and recorded in run.started; rewriting it (or pointing Settings elsewhere) afterwards changes
// nothing. The key Settings names for signing exports is the operator's: it cannot approve, whatever name
// the approvers list gives it. Each attack has its positive control.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';
import { HAVE_SSH_KEYGEN, type TestKey, keygenSign, makeKey, skipReason, tempDir, withoutSshAgent } from './ssh-tools.js';

const NS = 'runbook-console-approval';
const RUNBOOK = (mark: string) => `# Restricted change
- [ ] Change the thing
  \`\`\`bash
  touch ${mark}
  \`\`\`
`;
const listed = (principal: string, key: TestKey) => formatAllowedSigner({ principals: [principal], publicKey: key.publicKeyLine, namespaces: [NS] });

describe.skipIf(skipReason('console approval policy', HAVE_SSH_KEYGEN))('console approvals fixed before the run', () => {
  let tmp: ReturnType<typeof tempDir>;
  let bob: TestKey;
  let mallory: TestKey;
  let carol: TestKey;
  withoutSshAgent();

  beforeAll(() => {
    tmp = tempDir('approval-console-');
    bob = makeKey(tmp.dir, 'bob', 'ed25519');
    mallory = makeKey(tmp.dir, 'mallory', 'ed25519');
    carol = makeKey(tmp.dir, 'carol', 'ed25519');
  });
  afterAll(() => tmp?.remove());

  async function startRestricted(approversText: string, settings: Record<string, unknown> = {}) {
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    const mark = path.join(root, 'mark');
    const file = path.join(root, 'r.md');
    writeFileSync(file, RUNBOOK(mark));
    const approvers = path.join(root, 'approvers');
    writeFileSync(approvers, approversText);
    await call('settings.save', { approversFile: approvers, ...settings });
    await call('runbook.open', { path: file });
    const state: RunState = await call('runs.start', { profile: 'restricted', operator: 'Alice', vars: {} });
    expect(state.problems).toEqual([]);
    const journal = () => readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const request = async () => {
      await call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
      await eventsUntil(call, state.runId, -1, (e) => e.type === 'approval');
      const pending = ((await call('runs.state', { runId: state.runId })) as RunState).approvals[0];
      if (!pending) throw new Error('an approval request expected');
      return pending;
    };
    return { root, call, state, mark, approvers, journal, request };
  }

  it('attack: rewriting the approvers file and Settings after the run started changes nothing; control: the recorded approver still can', async () => {
    const original = `${listed('bob', bob)}\n`;
    const run = await startRestricted(original);
    // After start: the file now lists mallory as bob, and Settings names another file listing mallory too.
    writeFileSync(run.approvers, `${listed('bob', mallory)}\n`);
    const other = path.join(run.root, 'other-approvers');
    writeFileSync(other, `${listed('bob', mallory)}\n`);
    await run.call('settings.save', { approversFile: other });

    const [started] = run.journal();
    expect(started.data.options.approvers).toEqual({ source: run.approvers, sha256: createHash('sha256').update(original).digest('hex'), text: original, namespace: NS });

    const request = await run.request();
    const sign = (key: TestKey) => keygenSign(key, NS, Buffer.from(request.sha256));
    const forged = await run.call('runs.approve', { runId: run.state.runId, approvalId: request.approvalId, decision: 'sign', approver: 'bob', signature: sign(mallory) });
    expect(forged).toMatchObject({ ok: false, reason: expect.stringMatching(/not an allowed approver key for "bob" in the approvers list recorded when the run started/) });
    expect(existsSync(run.mark)).toBe(false);

    const granted = await run.call('runs.approve', { runId: run.state.runId, approvalId: request.approvalId, decision: 'sign', approver: 'bob', signature: sign(bob) });
    expect(granted).toMatchObject({ ok: true });
    await eventsUntil(run.call, run.state.runId, -1, (e) => e.type === 'step' && e.status === 'succeeded');
    expect(existsSync(run.mark)).toBe(true);
    expect(run.journal().filter((r) => r.type === 'approval').map((r) => [r.data.granted, r.data.code ?? null])).toEqual([
      [false, 'not-an-approver'],
      [true, null],
    ]);
    await run.call('runs.finish', { runId: run.state.runId });
    expect(await run.call('runs.verify', { runId: run.state.runId })).toMatchObject({ ok: true });
  });

  it('attack: the export key from Settings, listed as an approver, is the operator\'s and cannot approve; control: another listed approver can', async () => {
    const run = await startRestricted(`${listed('carol', carol)}\n${listed('bob', bob)}\n`, { exportKey: { kind: 'file', path: carol.file } });
    const [started] = run.journal();
    expect(started.data.options.operator_keys.map((k: { source: string }) => k.source)).toEqual(['installation', 'export-key']);
    expect(started.data.options.operator_keys[1].key).toBe(carol.publicKeyLine.split(' ').slice(0, 2).join(' '));

    const request = await run.request();
    const sign = (key: TestKey) => keygenSign(key, NS, Buffer.from(request.sha256));
    const own = await run.call('runs.approve', { runId: run.state.runId, approvalId: request.approvalId, decision: 'sign', approver: 'carol', signature: sign(carol) });
    expect(own).toMatchObject({ ok: false, reason: expect.stringMatching(/^the operator cannot approve their own step \(the signing key SHA256:\S+ is the operator's export key/) });
    expect(existsSync(run.mark)).toBe(false);
    const granted = await run.call('runs.approve', { runId: run.state.runId, approvalId: request.approvalId, decision: 'sign', approver: 'bob', signature: sign(bob) });
    expect(granted).toMatchObject({ ok: true });
    await eventsUntil(run.call, run.state.runId, -1, (e) => e.type === 'step' && e.status === 'succeeded');
    expect(existsSync(run.mark)).toBe(true);
    const approvals = run.journal().filter((r) => r.type === 'approval').map((r) => r.data);
    expect(approvals[0]).toMatchObject({ granted: false, code: 'operator-key', approver: 'carol' });
    expect(approvals[1]).toMatchObject({ granted: true, principal: 'bob', namespace: NS, message: request.sha256 });
    await run.call('runs.cancel', { runId: run.state.runId });
  });
});
