// Approvals that mean something (issue 11, item 5), through the CLI: the approvers list is fixed before the
// run and recorded in run.started; swapping the file afterwards changes nothing; the operator's own keys
// (the installation key that seals the run, the keys in their ssh-agent) are refused whatever name the list
// gives them, and the refusal is journaled; a key outside the list is refused. Each attack has its positive
// control: the same run, approved by the real second person, goes through and verifies with stock OpenSSH.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { loadInstallation } from '../../src/main/audit/installation.js';
import { JOURNAL_FILE } from '../../src/main/audit/record.js';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import { shellQuote } from '../../src/shared/shell-quote.js';
import { REPO_ROOT } from '../support/shared.js';
import { HAVE_SSH_AGENT, HAVE_SSH_KEYGEN, type TestKey, keygenVerify, makeKey, skipReason, startAgent, tempDir } from './ssh-tools.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const RUNBOOK = `---
profile: restricted
---
# Restricted change
- [ ] Change something 🔴
  \`\`\`bash
  touch "$MARKER"
  \`\`\`
`;
const NS = 'runbook-console-approval';

type Rec = { seq: number; type: string; data: Record<string, any> };
const journalOf = (dir: string): Rec[] => readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const listed = (principal: string, key: TestKey | string) => formatAllowedSigner({ principals: [principal], publicKey: typeof key === 'string' ? key : key.publicKeyLine, namespaces: [NS] });

describe.skipIf(skipReason('approval policy tests', HAVE_SSH_KEYGEN))('approvals fixed before the run', () => {
  let tmp: ReturnType<typeof tempDir>;
  let root: string;
  let keyDir: string;
  let bob: TestKey;
  let mallory: TestKey;
  let alice: TestKey;
  let installationKey: TestKey;

  beforeAll(async () => {
    tmp = tempDir('approval-policy-');
    root = tmp.dir;
    keyDir = path.join(root, 'keys');
    writeFileSync(path.join(root, 'rb.md'), RUNBOOK);
    bob = makeKey(root, 'bob', 'ed25519');
    mallory = makeKey(root, 'mallory', 'ed25519');
    alice = makeKey(root, 'alice', 'ed25519');
    // The installation key the CLI seals with (RUNBOOK_CONSOLE_KEY_DIR/installation_ed25519): the operator has it.
    const installation = await loadInstallation(path.join(keyDir, 'installation_ed25519'));
    installationKey = { file: installation.key.privateKeyFile, publicKeyLine: installation.key.publicKeyLine };
  });
  afterAll(() => tmp?.remove());

  const cli = (name: string, approvers: string, approver: string, command: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []) => {
    const base = { ...process.env };
    delete base.SSH_AUTH_SOCK;
    const res = spawnSync(process.execPath, [CLI, 'run', path.join(root, 'rb.md'), '--yes', '--operator', 'alice', '--journal', path.join(root, name), '--var', `MARKER=${path.join(root, `${name}.marker`)}`, '--approvers', approvers, '--approver', approver, '--approval-command', command, ...extra], {
      encoding: 'utf8',
      env: { ...base, RUNBOOK_CONSOLE_KEY_DIR: keyDir, ...env },
    });
    return { ...res, dir: path.join(root, name), marker: path.join(root, `${name}.marker`) };
  };
  const signWith = (key: TestKey) => `ssh-keygen -q -Y sign -f ${shellQuote(key.file)} -n ${NS}`;
  const approvalsOf = (dir: string) => journalOf(dir).filter((r) => r.type === 'approval');

  it('attack: the approvers file swapped after the run started has no effect; the recorded list decides', () => {
    const file = path.join(root, 'approvers-swapped');
    const original = `${listed('bob', bob)}\n`;
    writeFileSync(file, original);
    const forged = path.join(root, 'approvers-forged');
    writeFileSync(forged, `${listed('bob', mallory)}\n`);
    // The "approval command" swaps the file in place, then signs with the key the swapped file lists.
    const res = cli('swapped', file, 'bob', `cp ${shellQuote(forged)} ${shellQuote(file)} && ${signWith(mallory)}`);
    expect(res.status, res.stdout + res.stderr).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(`${listed('bob', mallory)}\n`); // the swap happened
    expect(res.stdout).toMatch(/not approved: SHA256:\S+ is not an allowed approver key for "bob" in the approvers list recorded when the run started/);
    expect(existsSync(res.marker)).toBe(false);

    const [started] = journalOf(res.dir);
    expect(started?.data.options.approvers).toEqual({ source: file, sha256: sha256(original), text: original, namespace: NS });
    expect(approvalsOf(res.dir).map((r) => [r.data.granted, r.data.code, r.data.fingerprint])).toEqual([[false, 'not-an-approver', fingerprint(parsePublicKeyLine(mallory.publicKeyLine).blob)]]);
    expect(approvalsOf(res.dir)[0]?.data.approvers_sha256).toBe(sha256(original));
  });

  it('control: the same swap, approved by the listed second person, goes through', () => {
    const file = path.join(root, 'approvers-swapped-ok');
    writeFileSync(file, `${listed('bob', bob)}\n`);
    const res = cli('swapped-ok', file, 'bob', `printf '# emptied\\n' > ${shellQuote(file)} && ${signWith(bob)}`);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('# emptied\n');
    expect(existsSync(res.marker)).toBe(true);
  });

  it('attack: the operator lists the installation key under another name and approves with it: refused and journaled', () => {
    const file = path.join(root, 'approvers-installation');
    writeFileSync(file, `${listed('bob', installationKey)}\n`);
    const res = cli('own-installation', file, 'bob', signWith(installationKey));
    expect(res.status, res.stdout + res.stderr).toBe(1);
    expect(res.stdout).toMatch(/not approved: the operator cannot approve their own step \(the signing key SHA256:\S+ is this installation's key, which seals the run\)/);
    expect(existsSync(res.marker)).toBe(false);
    const [started] = journalOf(res.dir);
    const installationFp = fingerprint(parsePublicKeyLine(installationKey.publicKeyLine).blob);
    expect(started?.data.options.operator_keys).toEqual([{ source: 'installation', key: installationKey.publicKeyLine.split(' ').slice(0, 2).join(' '), fingerprint: installationFp }]);
    const [approval] = approvalsOf(res.dir);
    expect(approval?.data).toMatchObject({ granted: false, code: 'operator-key', approver: 'bob', fingerprint: installationFp, namespace: NS });
    expect(approval?.data.signature).toMatch(/^-----BEGIN SSH SIGNATURE-----/);
  });

  it.skipIf(!HAVE_SSH_AGENT)('attack: a key in the operator\'s ssh-agent cannot approve, whatever name the list gives it; control: without it, the same key can', async () => {
    const file = path.join(root, 'approvers-agent');
    writeFileSync(file, `${listed('bob', bob)}\n`);
    const agentDir = tempDir('approval-agent-');
    const agent = await startAgent(agentDir.dir);
    try {
      agent.add(bob.file);
      const res = cli('own-agent', file, 'bob', signWith(bob), { SSH_AUTH_SOCK: agent.socket });
      expect(res.status, res.stdout + res.stderr).toBe(1);
      expect(res.stdout).toMatch(/not approved: the operator cannot approve their own step \(the signing key is in the ssh-agent of the operator's session: SHA256:/);
      expect(existsSync(res.marker)).toBe(false);
      const [started] = journalOf(res.dir);
      expect(started?.data.options.operator_keys.map((k: { source: string }) => k.source)).toEqual(['installation', 'ssh-agent']);
      expect(approvalsOf(res.dir).map((r) => [r.data.granted, r.data.code])).toEqual([[false, 'operator-key']]);
    } finally {
      await agent.stop();
      agentDir.remove();
    }
    const control = cli('own-agent-control', file, 'bob', signWith(bob));
    expect(control.status, control.stdout + control.stderr).toBe(0);
    expect(existsSync(control.marker)).toBe(true);
  });

  it('attack: a key the operator names with --operator-key (listed as bob) cannot approve; it is recorded in run.started', () => {
    const file = path.join(root, 'approvers-named');
    writeFileSync(file, `${listed('bob', bob)}\n`);
    const res = cli('own-named', file, 'bob', signWith(bob), {}, ['--operator-key', bob.file]);
    expect(res.status, res.stdout + res.stderr).toBe(1);
    expect(existsSync(res.marker)).toBe(false);
    const [started] = journalOf(res.dir);
    expect(started?.data.options.operator_keys.map((k: { source: string }) => k.source)).toEqual(['installation', 'named']);
    expect(approvalsOf(res.dir).map((r) => [r.data.granted, r.data.code])).toEqual([[false, 'operator-key']]);
    const unreadable = cli('own-named-bad', file, 'bob', signWith(bob), {}, ['--operator-key', path.join(root, 'no-such-key')]);
    expect(unreadable.status).toBe(2);
    expect(unreadable.stderr).toMatch(/--operator-key .*no-such-key: no SSH public key/);
  });

  it('attack: the export cannot be signed with the key that approved a step; control: the operator\'s own key signs it', () => {
    const file = path.join(root, 'approvers-export');
    writeFileSync(file, `${listed('bob', bob)}\n`);
    const res = cli('export-approver', file, 'bob', signWith(bob));
    expect(res.status, res.stdout + res.stderr).toBe(0);
    const exportWith = (key: TestKey, out: string) =>
      spawnSync(process.execPath, [CLI, 'export', res.dir, '--out', path.join(root, out), '--key', key.file], { encoding: 'utf8', env: { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: keyDir } });
    const forged = exportWith(bob, 'export-by-approver');
    expect(forged.status, forged.stdout + forged.stderr).toBe(1);
    expect(forged.stderr).toMatch(/granted the approval in record \d+: the operator and the approver must be different people/);
    expect(existsSync(path.join(root, 'export-by-approver'))).toBe(false);
    const own = exportWith(alice, 'export-by-operator');
    expect(own.status, own.stdout + own.stderr).toBe(0);
  });

  it('attack: the operator approving under their own name, with a key listed for it, is refused', () => {
    const file = path.join(root, 'approvers-self');
    writeFileSync(file, `${listed('alice', alice)}\n${listed('bob', bob)}\n`);
    const res = cli('own-name', file, 'alice', signWith(alice));
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/not approved: the operator cannot approve their own step\n/);
    expect(approvalsOf(res.dir).map((r) => [r.data.granted, r.data.code])).toEqual([[false, 'operator-name']]);
    expect(existsSync(res.marker)).toBe(false);
  });

  it('attack: a key not in the approvers list is refused, whatever approver it claims to be', () => {
    const file = path.join(root, 'approvers-outsider');
    writeFileSync(file, `${listed('bob', bob)}\n`);
    const res = cli('outsider', file, 'bob', signWith(mallory));
    expect(res.status).toBe(1);
    expect(approvalsOf(res.dir).map((r) => [r.data.granted, r.data.code])).toEqual([[false, 'not-an-approver']]);
    expect(existsSync(res.marker)).toBe(false);
  });

  it('a valid second-person approval is recorded with principal, key, namespace, message and signature; stock ssh-keygen verifies it', () => {
    const file = path.join(root, 'approvers-valid');
    const text = `${listed('bob', bob)}\n`;
    writeFileSync(file, text);
    const res = cli('valid', file, 'bob', signWith(bob));
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(existsSync(res.marker)).toBe(true);
    const records = journalOf(res.dir);
    const started = records.find((r) => r.type === 'step.started');
    const lines = readFileSync(path.join(res.dir, JOURNAL_FILE), 'utf8').trim().split('\n');
    const startedHash = createHash('sha256').update(lines[started?.seq as number] as string).digest('hex');
    const [approval] = records.filter((r) => r.type === 'approval');
    expect(approval?.data).toMatchObject({
      granted: true,
      approver: 'bob',
      principal: 'bob',
      key: bob.publicKeyLine.split(' ').slice(0, 2).join(' '),
      fingerprint: fingerprint(parsePublicKeyLine(bob.publicKeyLine).blob),
      namespace: NS,
      message: startedHash,
      started: { seq: started?.seq, sha256: startedHash },
      approvers_sha256: sha256(text),
    });
    // What an auditor does with nothing but OpenSSH: the recorded message, signature and an allowed_signers.
    const stock = keygenVerify(root, { principal: 'bob', namespace: NS, allowedSigners: text, signature: approval?.data.signature, data: Buffer.from(approval?.data.message) });
    expect(stock.status, stock.stderr).toBe(0);
    // And a signature over anything else does not pass the same check (negative control for the stock verify).
    const other = keygenVerify(root, { principal: 'bob', namespace: NS, allowedSigners: text, signature: approval?.data.signature, data: Buffer.from('0'.repeat(64)) });
    expect(other.status).not.toBe(0);
    // verify: intact but unanchored alone (exit 3); against the auditor's keys (the installation's, bob's) verified, bob named.
    const bare = spawnSync(process.execPath, [CLI, 'verify', res.dir], { encoding: 'utf8', env: { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: keyDir } });
    expect(bare.status, bare.stdout + bare.stderr).toBe(3);
    const auditor = path.join(root, 'auditor-allowed-signers');
    writeFileSync(auditor, `${formatAllowedSigner({ principals: ['installation'], publicKey: installationKey.publicKeyLine, namespaces: ['runbook-console-checkpoint'] })}\n${listed('bob', bob)}\n`);
    const verify = spawnSync(process.execPath, [CLI, 'verify', res.dir, '--allowed-signers', auditor], { encoding: 'utf8', env: { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: keyDir } });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/approval +record \d+ \(of record \d+\): bob, SHA256:\S+ — allowed as bob/);
  });

  it('refuses to start with an approvers file that names nobody who may approve', () => {
    const file = path.join(root, 'approvers-nobody');
    writeFileSync(file, `${formatAllowedSigner({ principals: ['bob'], publicKey: bob.publicKeyLine, namespaces: ['runbook-console-audit'] })}\n`);
    const res = cli('nobody', file, 'bob', signWith(bob));
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/names nobody who may approve/);
    expect(existsSync(path.join(res.dir, JOURNAL_FILE))).toBe(false);
  });
});
