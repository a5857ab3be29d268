// decideApproval, the rule every host applies to an offered approval: attacks first (not a signature, the
// right key in the wrong namespace or over another hash, the operator's recorded or live keys, a key the
// list lets sign as the operator by a pattern, a key outside the list), then the granted control.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { APPROVAL_NAMESPACE, type ApprovalPolicy, approvalRecord, approversProblem, decideApproval, operatorKey, recordApprovers } from '../../src/main/audit/approval.js';
import { HAVE_SSH_KEYGEN, type TestKey, keygenSign, makeKey, skipReason, tempDir } from './ssh-tools.js';

describe.skipIf(skipReason('decideApproval', HAVE_SSH_KEYGEN))('decideApproval', () => {
  let tmp: ReturnType<typeof tempDir>;
  let bob: TestKey;
  let carol: TestKey;
  let mallory: TestKey;
  const hash = createHash('sha256').update('a step.started line').digest('hex');

  beforeAll(() => {
    tmp = tempDir('approval-decide-');
    bob = makeKey(tmp.dir, 'bob', 'ed25519');
    carol = makeKey(tmp.dir, 'carol', 'ecdsa');
    mallory = makeKey(tmp.dir, 'mallory', 'ed25519');
  });
  afterAll(() => tmp?.remove());

  const policy = (lines: string[], operatorKeys: ApprovalPolicy['operatorKeys'] = []): ApprovalPolicy => ({ approvers: recordApprovers(`${lines.join('\n')}\n`, 'test'), operator: 'alice', operatorKeys });
  const line = (principals: string[], key: TestKey, namespaces: string[] | undefined = [APPROVAL_NAMESPACE]) => formatAllowedSigner({ principals, publicKey: key.publicKeyLine, ...(namespaces ? { namespaces } : {}) });
  const sign = (key: TestKey, data = hash, namespace: string = APPROVAL_NAMESPACE) => keygenSign(key, namespace, Buffer.from(data));

  it('refuses what is not a signature, a signature for another purpose, and one over another hash', () => {
    const p = policy([line(['bob'], bob)]);
    expect(decideApproval(hash, 'hello', 'bob', p)).toMatchObject({ ok: false, code: 'not-a-signature', key: null });
    expect(decideApproval(hash, sign(bob, hash, 'runbook-console-audit'), 'bob', p)).toMatchObject({ ok: false, code: 'bad-signature', reason: expect.stringMatching(/namespace/) });
    expect(decideApproval(hash, sign(bob, '0'.repeat(64)), 'bob', p)).toMatchObject({ ok: false, code: 'bad-signature', reason: expect.stringMatching(/does not verify/) });
  });

  it('refuses the operator\'s keys, recorded or live, whatever name the list gives them', () => {
    const p = policy([line(['bob'], bob), line(['carol'], carol)], [operatorKey('named', carol.publicKeyLine)]);
    expect(decideApproval(hash, sign(carol), 'carol', p)).toMatchObject({ ok: false, code: 'operator-key', reason: expect.stringMatching(/is the operator's own key, named when the run started/) });
    expect(decideApproval(hash, sign(bob), 'bob', p, [operatorKey('ssh-agent', bob.publicKeyLine)])).toMatchObject({ ok: false, code: 'operator-key', reason: expect.stringMatching(/ssh-agent/) });
  });

  it('refuses a key the list lets sign as the operator, by name or by pattern, and an approver named as the operator', () => {
    expect(decideApproval(hash, sign(bob), 'bob', policy([line(['*'], bob)]))).toMatchObject({ ok: false, code: 'operator-name' });
    expect(decideApproval(hash, sign(bob), 'bob', policy([line(['bob', 'alice'], bob)]))).toMatchObject({ ok: false, code: 'operator-name' });
    expect(decideApproval(hash, sign(bob), 'alice', policy([line(['bob'], bob)]))).toMatchObject({ ok: false, code: 'operator-name' });
    // Control: a pattern that leaves the operator out.
    expect(decideApproval(hash, sign(bob), 'bob', policy([line(['*', '!alice'], bob)]))).toMatchObject({ ok: true });
  });

  it('refuses a key outside the list, or listed for another approver or another namespace', () => {
    expect(decideApproval(hash, sign(mallory), 'bob', policy([line(['bob'], bob)]))).toMatchObject({ ok: false, code: 'not-an-approver' });
    expect(decideApproval(hash, sign(bob), 'carol', policy([line(['bob'], bob), line(['carol'], carol)]))).toMatchObject({ ok: false, code: 'not-an-approver' });
    expect(decideApproval(hash, sign(bob), 'bob', policy([line(['bob'], bob, ['runbook-console-audit']), line(['carol'], carol)]))).toMatchObject({ ok: false, code: 'not-an-approver' });
  });

  it('grants a listed second person\'s valid signature, and records what verify needs', () => {
    const p = policy([line(['bob'], bob, undefined)]);
    const signature = sign(bob);
    const decision = decideApproval(hash, signature, 'bob', p);
    expect(decision).toMatchObject({ ok: true, principal: 'bob', key: bob.publicKeyLine.split(' ').slice(0, 2).join(' '), fingerprint: expect.stringMatching(/^SHA256:/) });
    const base = { step: { id: 's' }, block: { id: 'b' }, started: { seq: 3, sha256: hash }, approver: 'bob' };
    expect(approvalRecord(base, decision, signature, p)).toEqual({ ...base, granted: true, principal: 'bob', key: expect.any(String), fingerprint: expect.any(String), signature, namespace: APPROVAL_NAMESPACE, message: hash, approvers_sha256: p.approvers.sha256 });
  });

  it('an approvers list must parse and name someone who may approve', () => {
    expect(approversProblem('not a line', 'f')).toMatch(/^approvers file f: allowed_signers line 1/);
    expect(approversProblem(`${line(['bob'], bob, ['runbook-console-audit'])}\n`, 'f')).toMatch(/names nobody who may approve/);
    expect(approversProblem(`${line(['bob'], bob, ['runbook-console-*'])}\n`, 'f')).toBeNull();
    expect(approversProblem(`${line(['bob'], bob, undefined)}\n`, 'f')).toBeNull();
  });
});
