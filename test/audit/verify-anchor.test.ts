// Trust comes from an anchor the verifier holds, not from the bundle (issue 11, A). A bundle ships its MAC
// key, so whoever holds one can rewrite a record, recompute every MAC, re-seal with a key of their own and
// re-sign: the result is consistent with itself. Attacks first — that forgery, a forger who keeps the real
// installation key's name, allowed_signers lines that do not name the namespace, an anchor taken from the
// bundle itself — then the controls: an untampered bundle or run verifies (exit 0) with each anchor alone.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { JournalWriter } from '../../src/main/audit/journal-writer.js';
import { BLOB_DIR, CHECKPOINT_FILE, type JournalRecord } from '../../src/main/audit/record.js';
import { CHECKPOINT_NAMESPACE, seal } from '../../src/main/audit/seal.js';
import { keyFileSigner } from '../../src/main/audit/ssh-signers.js';
import { signSshsig } from '../../src/main/audit/sshsig.js';
import { HAVE_SSH_KEYGEN, skipReason } from './ssh-tools.js';
import { runFinishedData, stepFinishedData, stepStartedData } from './record-fixtures.js';
import { type People, type RestrictedRun, auditorSigners, cli, exportSigned, fingerprintOf, forgeBundle, line, people, restrictedRun, runStarted } from './verify-anchor-support.js';
import { loadInstallation } from '../../src/main/audit/installation.js';

/** A STANDARD run (one block), sealed: exported without an operator key, the installation key signs the bundle too. */
async function standardRun(p: People, dir: string): Promise<{ dir: string; ticket: string }> {
  const { writer, macKeyCommitment } = JournalWriter.create(dir, 'standard-run-0001', { keys: p.keys });
  mkdirSync(path.join(dir, BLOB_DIR));
  writer.append('run.started', runStarted(p, dir, macKeyCommitment, { title: 'Look around', profile: 'standard', retention_days: null, options: { host: 'console', approvers_file: null } }));
  const started = writer.append('step.started', stepStartedData({ id: 's1', title: 'Look', line: 2 }, { id: 's1#1', line: 3 }, 'ls', '1'.repeat(64), false));
  writer.append('step.finished', stepFinishedData('s1', 's1#1', { seq: started.seq, sha256: started.hash }));
  writer.append('run.finished', runFinishedData([['s1', 'succeeded']]));
  const sealed = await seal(writer, p.installation, { reason: 'run-end', retentionDays: null });
  writer.close();
  return { dir, ticket: sealed.ticketLine };
}

describe.skipIf(skipReason('anchor tests', HAVE_SSH_KEYGEN))('trust comes from an anchor, not from the bundle', () => {
  let root: string;
  let p: People;
  let env: Record<string, string>;
  let restricted: RestrictedRun;
  let bundle: string;
  let standard: { dir: string; ticket: string };
  let standardBundle: string;
  let pin: string;
  let auditor: string;
  const file = (name: string, text: string) => {
    const f = path.join(root, 'held', name);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, text);
    return f;
  };

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'verify-anchor-'));
    p = await people(root);
    env = { RUNBOOK_CONSOLE_KEY_DIR: p.keyDir };
    restricted = await restrictedRun(p, path.join(root, 'restricted'));
    bundle = await exportSigned(p, restricted.dir, path.join(root, 'bundle'), p.alice);
    standard = await standardRun(p, path.join(root, 'standard'));
    standardBundle = await exportSigned(p, standard.dir, path.join(root, 'standard-bundle'));
    pin = fingerprintOf(p.installation.key.publicKeyLine);
    auditor = file('auditor_allowed_signers', auditorSigners(p));
  }, 60_000);

  describe('attacks', () => {
    it('a bundle forged and re-sealed with another key is intact but unanchored alone (exit 3), and fails against the real anchors', async () => {
      const forger = { installation: await loadInstallation(path.join(root, 'forger', 'installation_ed25519')), operator: p.mallory };
      const forged = path.join(root, 'forged');
      const failed = (records: JournalRecord[]) => records.map((r) => (r.type === 'step.finished' ? { ...r, data: { ...r.data, outcome: { ...(r.data.outcome as object), status: 'failed', exit_code: 1, ok: false } } } : r));
      await forgeBundle(standardBundle, forged, failed, forger);
      const alone = cli(env, 'verify', forged);
      expect(alone.status, alone.stdout + alone.stderr).toBe(3);
      expect(alone.stdout).toMatch(/^INTACT BUT UNANCHORED: bundle of run/);
      expect(alone.stdout).toContain(`sealed by  ${fingerprintOf(forger.installation.key.publicKeyLine)} — NOT ANCHORED`);
      expect(alone.stdout).toMatch(/blocks run \(1 failed\)/);
      expect(cli(env, 'verify', forged, '--allowed-signers', auditor)).toMatchObject({ status: 1, code: 'E_SIGNER' });
      expect(cli(env, 'verify', forged, '--pin', pin)).toMatchObject({ status: 1, code: 'E_SIGNER' });
      expect(cli(env, 'verify', forged, '--prior', file('ticket', `${standard.ticket}\n`))).toMatchObject({ status: 1, code: 'E_PRIOR' });
      // Control: the same forging pipeline with the real keys and no edit yields a bundle that verifies, so
      // what fails above is the anchor, not the pipeline.
      const remade = path.join(root, 'remade');
      await forgeBundle(standardBundle, remade, (records) => records, { installation: p.installation, operator: p.installation.key.privateKeyFile });
      const control = cli(env, 'verify', remade, '--pin', pin);
      expect(control.status, control.stdout).toBe(0);
    });

    it('in a RESTRICTED bundle the same forgery also breaks the second person\'s signatures, which cover everything before them', async () => {
      const forger = { installation: await loadInstallation(path.join(root, 'forger-r', 'installation_ed25519')), operator: p.mallory };
      const forged = path.join(root, 'forged-restricted');
      await forgeBundle(bundle, forged, (records) => records, forger);
      const res = cli(env, 'verify', forged);
      expect(res).toMatchObject({ status: 1, code: 'E_APPROVAL' });
    });

    it('a forger who keeps run.started naming the real installation key fails even without anchors', async () => {
      const forger = { installation: await loadInstallation(path.join(root, 'forger2', 'installation_ed25519')), operator: p.mallory };
      const forged = path.join(root, 'forged-quiet');
      await forgeBundle(standardBundle, forged, (records) => records, forger, false);
      const res = cli(env, 'verify', forged);
      expect(res).toMatchObject({ status: 1, code: 'E_SIGNER' });
      expect(res.stdout).toMatch(/not by the installation key run.started records/);
    });

    it('allowed_signers lines without a namespaces option, or naming another namespace, anchor nothing', () => {
      const installation = p.installation.key.publicKeyLine;
      const noNamespaces = file('no-namespaces', `${line(`installation-${p.installation.id}`, installation)}\n`);
      const res = cli(env, 'verify', standardBundle, '--allowed-signers', noNamespaces);
      expect(res).toMatchObject({ status: 1, code: 'E_SIGNER' });
      expect(res.stdout).toContain('--allowed-signers line 1 has no namespaces option (it must name runbook-console-checkpoint)');
      expect(cli(env, 'verify', standard.dir, '--allowed-signers', noNamespaces)).toMatchObject({ status: 1, code: 'E_SIGNER' });
      expect(cli(env, 'verify', standardBundle, '--allowed-signers', file('other-ns', `${line('i', installation, ['runbook-console-audit'])}\n`))).toMatchObject({ status: 1, code: 'E_SIGNER' });
      expect(cli(env, 'verify', standardBundle, '--allowed-signers', file('pattern-ns', `${line('i', installation, ['runbook-console-*'])}\n`))).toMatchObject({ status: 1, code: 'E_SIGNER' });
      // Control: the same key with the namespace named.
      expect(cli(env, 'verify', standardBundle, '--allowed-signers', file('exact-ns', `${line('i', installation, [CHECKPOINT_NAMESPACE])}\n`)).status).toBe(0);
    });

    it('an approver or sign-off line without namespaces does not anchor an approval or a sign-off either', () => {
      const loose = file('loose', auditorSigners(p).replace(/ namespaces="runbook-console-approval"/, ''));
      expect(cli(env, 'verify', bundle, '--allowed-signers', loose)).toMatchObject({ status: 1, code: 'E_SIGNER' });
      const looseSignoff = file('loose-signoff', auditorSigners(p).replace(/ namespaces="runbook-console-signoff"/, ''));
      expect(cli(env, 'verify', bundle, '--allowed-signers', looseSignoff)).toMatchObject({ status: 1, code: 'E_SIGNER' });
    });

    it('a prior checkpoint signed by another key, or not signed over its text, does not anchor', async () => {
      const text = readFileSync(path.join(standard.dir, CHECKPOINT_FILE), 'utf8');
      const mallory = await keyFileSigner(p.mallory.file);
      const other = file('prior-mallory', text);
      writeFileSync(`${other}.sig`, await signSshsig(Buffer.from(text), CHECKPOINT_NAMESPACE, mallory));
      expect(cli(env, 'verify', standard.dir, '--prior', other)).toMatchObject({ status: 1, code: 'E_PRIOR' });
      const wrong = file('prior-wrong-text', text);
      writeFileSync(`${wrong}.sig`, await signSshsig(Buffer.from(`${text}x`), CHECKPOINT_NAMESPACE, p.installation.key.signer));
      expect(cli(env, 'verify', standard.dir, '--prior', wrong)).toMatchObject({ status: 1, code: 'E_SIGNATURE' });
    });

    it('an anchor read from inside the bundle or run, or one that cannot be read, is a usage error (exit 2)', () => {
      const inside = cli(env, 'verify', bundle, '--allowed-signers', path.join(bundle, 'allowed_signers'));
      expect(inside.status).toBe(2);
      expect(inside.stderr).toMatch(/must come from somewhere else/);
      expect(cli(env, 'verify', standard.dir, '--prior', path.join(standard.dir, CHECKPOINT_FILE)).status).toBe(2);
      expect(cli(env, 'verify', bundle, '--pin', 'SHA256:short').status).toBe(2);
      expect(cli(env, 'verify', bundle, '--pin', pin.replace('SHA256:', 'MD5:')).status).toBe(2);
      expect(cli(env, 'verify', bundle, '--allowed-signers', file('garbage', 'alice not-a-key AAAA\n')).status).toBe(2);
      expect(cli(env, 'verify', bundle, '--prior', file('not-a-checkpoint', 'hello\n')).status).toBe(2);
    });
  });

  describe('controls', () => {
    it('an untampered bundle signed by the installation key verifies with each anchor alone, and is unanchored without one', () => {
      const none = cli(env, 'verify', standardBundle);
      expect(none.status, none.stdout).toBe(3);
      expect(none.stdout).toContain('WARNING W_SIGNER_UNCHECKED');
      expect(cli(env, 'verify', standardBundle, '--pin', pin).status).toBe(0);
      expect(cli(env, 'verify', standardBundle, '--prior', file('standard-ticket', `${standard.ticket}\n`)).status).toBe(0);
      const held = file('checkpoint.txt', readFileSync(path.join(standard.dir, CHECKPOINT_FILE), 'utf8'));
      copyFileSync(path.join(standard.dir, `${CHECKPOINT_FILE}.sig`), `${held}.sig`);
      expect(cli(env, 'verify', standardBundle, '--prior', held).status).toBe(0);
      const appended = file('checkpoint-with-sig', `${readFileSync(held, 'utf8')}${readFileSync(`${held}.sig`, 'utf8')}`);
      expect(cli(env, 'verify', standardBundle, '--prior', appended).status).toBe(0);
      const ok = cli(env, 'verify', standardBundle, '--allowed-signers', file('installation-only', `${line('the-installation', p.installation.key.publicKeyLine, [CHECKPOINT_NAMESPACE])}\n`));
      expect(ok.status, ok.stdout).toBe(0);
      expect(ok.stdout).toMatch(/^OK: bundle of run standard-run-0001 is intact and anchored/);
      expect(ok.stdout).toContain('anchored by --allowed-signers (the-installation)');
    });

    it('a run directory verifies with each anchor alone', () => {
      expect(cli(env, 'verify', standard.dir).status).toBe(3);
      expect(cli(env, 'verify', standard.dir, '--pin', pin).status).toBe(0);
      expect(cli(env, 'verify', standard.dir, '--prior', file('standard-ticket-2', standard.ticket)).status).toBe(0);
      expect(cli(env, 'verify', standard.dir, '--allowed-signers', auditor).status).toBe(0);
    });

    it('an operator-signed RESTRICTED bundle is anchored only when every signer is, and says who signed what', () => {
      const pinned = cli(env, 'verify', bundle, '--pin', pin);
      expect(pinned.status, pinned.stdout).toBe(3);
      expect(pinned.stdout).toMatch(/W_UNANCHORED: the key that signed the bundle/);
      expect(pinned.stdout).toMatch(/W_UNANCHORED: 1 approval \(first: record 2\)/);
      expect(pinned.stdout).toMatch(/W_UNANCHORED: 1 sign-off \(first: record 4\)/);
      const full = cli(env, 'verify', bundle, '--allowed-signers', auditor);
      expect(full.status, full.stdout).toBe(0);
      expect(full.stdout).toContain(`approval   record 2 (of record 1): bob, ${fingerprintOf(p.bob.publicKeyLine)} — allowed as bob`);
      expect(full.stdout).toContain(`sign-off   record 4 (of record 3): Carol-Q, ${fingerprintOf(p.carol.publicKeyLine)} — allowed as Carol-Q`);
      expect(full.stdout).toContain(`bundle by  ${fingerprintOf(p.alice.publicKeyLine)} — anchored by --allowed-signers (alice)`);
      const json = JSON.parse(cli(env, 'verify', bundle, '--allowed-signers', auditor, '--pin', pin, '--json').stdout);
      expect(json).toMatchObject({ ok: true, anchored: true, exit: 0, trust: { approvals: { total: 1, unanchored: 0, items: [{ principal: 'bob', anchoredAs: ['bob'] }] }, signoffs: { total: 1, items: [{ principal: 'Carol-Q' }] } } });
    });
  });
});
