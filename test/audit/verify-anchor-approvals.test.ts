// Approvals as verify checks them (issue 11, C): the approval that counts for a state-changing block must be
// a valid SSHSIG over the hash of its step.started line, in runbook-console-approval, by the key it names,
// which is none of the operator's (run.started's operator_keys, the installation key, the key that signed
// the bundle), by an approver who is not the operator, allowed by the approvers list run.started recorded
// (whose sha256 must match its text) — and, given --allowed-signers, allowed there for that principal in
// runbook-console-approval explicitly. Attacks first (an insider's journal, re-chained with K_0 and sealed
// with the real installation key), then the controls.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPROVAL_NAMESPACE } from '../../src/main/audit/approval.js';
import type { JournalRecord } from '../../src/main/audit/record.js';
import { HAVE_SSH_KEYGEN, skipReason } from './ssh-tools.js';
import { type People, auditorSigners, cli, exportSigned, fingerprintOf, journalRecords, line, people, resignBundle, restrictedRun, rewriteJournal } from './verify-anchor-support.js';
import { writeFileSync } from 'node:fs';

describe.skipIf(skipReason('approval verification tests', HAVE_SSH_KEYGEN))('verify checks each approval on its own', () => {
  let root: string;
  let p: People;
  let env: Record<string, string>;
  let pin: string;
  let n = 0;
  const dir = () => path.join(root, `run-${n++}`);
  const held = (text: string) => {
    const f = path.join(root, `held-${n++}`);
    writeFileSync(f, text);
    return f;
  };
  /** An insider's edit of a run directory: records edited, re-chained with K_0, re-sealed with the real installation key. */
  async function insider(runDir: string, runId: string, edit: (records: JournalRecord[]) => JournalRecord[]): Promise<void> {
    await rewriteJournal(runDir, p.keys.verificationKey(runId) as Buffer, edit(journalRecords(runDir)), p.installation, false);
  }

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'verify-approvals-'));
    p = await people(root);
    env = { RUNBOOK_CONSOLE_KEY_DIR: p.keyDir };
    pin = fingerprintOf(p.installation.key.publicKeyLine);
  }, 60_000);

  describe('attacks', () => {
    it('an approval signed with an operator key recorded in run.started fails, whatever the approvers list says', async () => {
      // The list lets alice's key approve as "dave"; run.started records it as the operator's export key.
      const approvers = `${line('dave', p.alice, [APPROVAL_NAMESPACE])}\n`;
      const run = await restrictedRun(p, dir(), { approver: { name: 'dave', key: p.alice }, approvers });
      const res = cli(env, 'verify', run.dir, '--pin', pin);
      expect(res).toMatchObject({ status: 1, code: 'E_APPROVAL' });
      expect(res.stdout).toContain("the operator's export-key key");
    });

    it('an approval signed with the installation key fails', async () => {
      const approvers = `${line('dave', p.installation.key.publicKeyLine, [APPROVAL_NAMESPACE])}\n`;
      const installationKey = { file: p.installation.key.privateKeyFile, publicKeyLine: p.installation.key.publicKeyLine };
      const run = await restrictedRun(p, dir(), { approver: { name: 'dave', key: installationKey }, approvers, operatorKeys: [p.installation.key.publicKeyLine] });
      const res = cli(env, 'verify', run.dir, '--pin', pin);
      expect(res).toMatchObject({ status: 1, code: 'E_APPROVAL' });
      expect(res.stdout).toContain('the installation key');
    });

    it('an approval signed with the key that signed the bundle fails, though run.started did not name that key', async () => {
      const approvers = `${line('dave', p.alice, [APPROVAL_NAMESPACE])}\n`;
      const run = await restrictedRun(p, dir(), { approver: { name: 'dave', key: p.alice }, approvers, operatorKeys: [p.installation.key.publicKeyLine] });
      // The run directory alone does not know alice's key is the operator's: it holds (and is unanchored).
      expect(cli(env, 'verify', run.dir, '--pin', pin).status).toBe(3);
      // export refuses to sign with a key that granted an approval: the operator signs the bundle with
      // another key, then signs it again by hand with the approving one.
      const bundle = await exportSigned(p, run.dir, dir(), p.mallory);
      await resignBundle(bundle, p.alice);
      const res = cli(env, 'verify', bundle, '--pin', pin);
      expect(res).toMatchObject({ status: 1, code: 'E_APPROVAL' });
      expect(res.stdout).toContain('the key that signed this bundle');
    });

    it('an approval by a key the approvers list does not allow, or in the operator\'s name, fails', async () => {
      const stranger = await restrictedRun(p, dir(), { approver: { name: 'bob', key: p.mallory } });
      const res1 = cli(env, 'verify', stranger.dir, '--pin', pin);
      expect(res1).toMatchObject({ status: 1, code: 'E_APPROVAL' });
      expect(res1.stdout).toContain('the approvers list recorded in run.started does not allow');
      const own = await restrictedRun(p, dir(), { approver: { name: 'alice', key: p.bob }, approvers: `${line('alice', p.bob, [APPROVAL_NAMESPACE])}\n` });
      const res = cli(env, 'verify', own.dir, '--pin', pin);
      expect(res).toMatchObject({ status: 1, code: 'E_APPROVAL' });
      expect(res.stdout).toContain('is the operator');
    });

    it('an approvers list whose text no longer matches its recorded sha256 fails at run.started', async () => {
      const run = await restrictedRun(p, dir());
      await insider(run.dir, run.runId, (records) => {
        const options = (records[0] as JournalRecord).data.options as { approvers: { text: string } };
        options.approvers.text += `${line('mallory', p.mallory, [APPROVAL_NAMESPACE])}\n`;
        return records;
      });
      const res = cli(env, 'verify', run.dir, '--pin', pin);
      expect(res).toMatchObject({ status: 1, code: 'E_APPROVAL' });
      expect(res.stdout).toMatch(/FAIL E_APPROVAL \(record 0, line 1\): run.started's approvers list does not match its recorded sha256/);
    });

    it('an approval whose recorded message, namespace or key was changed fails', async () => {
      // The namespace is the journal format's (the approval namespace, nothing else): another is E_RECORD_DATA.
      const changes: [Record<string, string>, string, RegExp][] = [
        [{ message: '0'.repeat(64) }, 'E_APPROVAL', /its signed message is not the SHA-256 of record 1's line/],
        [{ namespace: 'file' }, 'E_RECORD_DATA', /record 2 \(approval\): data\.namespace: expected "runbook-console-approval", found a string "file"/],
        [{ key: p.mallory.publicKeyLine.split(' ').slice(0, 2).join(' ') }, 'E_APPROVAL', /not by the key it names/],
      ];
      for (const [change, code, why] of changes) {
        const run = await restrictedRun(p, dir());
        await insider(run.dir, run.runId, (records) => records.map((r) => (r.type === 'approval' ? { ...r, data: { ...r.data, ...change } } : r)));
        const res = cli(env, 'verify', run.dir, '--pin', pin);
        expect(res, JSON.stringify(change)).toMatchObject({ status: 1, code });
        expect(res.stdout).toMatch(why);
      }
    });

    it('with --allowed-signers, an approver not in it, or only without a namespaces option, fails E_SIGNER', async () => {
      const run = await restrictedRun(p, dir());
      const withoutBob = held(auditorSigners(p).split('\n').filter((l) => !l.startsWith('bob ')).join('\n'));
      expect(cli(env, 'verify', run.dir, '--allowed-signers', withoutBob)).toMatchObject({ status: 1, code: 'E_SIGNER' });
      const bobAnywhere = held(`${auditorSigners(p)}${line('bob', p.bob)}\n`.replace(/^bob namespaces="runbook-console-approval".*\n/m, ''));
      expect(cli(env, 'verify', run.dir, '--allowed-signers', bobAnywhere)).toMatchObject({ status: 1, code: 'E_SIGNER' });
      const bobAsSomeoneElse = held(auditorSigners(p).replace(/^bob /m, 'robert '));
      expect(cli(env, 'verify', run.dir, '--allowed-signers', bobAsSomeoneElse)).toMatchObject({ status: 1, code: 'E_SIGNER' });
    });
  });

  describe('controls', () => {
    it('a valid approval holds: unanchored with --pin alone (exit 3), anchored and named with --allowed-signers (exit 0)', async () => {
      const run = await restrictedRun(p, dir());
      const pinned = cli(env, 'verify', run.dir, '--pin', pin);
      expect(pinned.status, pinned.stdout).toBe(3);
      expect(pinned.stdout).toContain(`approval   record 2 (of record 1): bob, ${fingerprintOf(p.bob.publicKeyLine)} — NOT ANCHORED`);
      const anchored = cli(env, 'verify', run.dir, '--allowed-signers', held(auditorSigners(p)));
      expect(anchored.status, anchored.stdout).toBe(0);
      expect(anchored.stdout).toContain('— allowed as bob');
    });
  });
});
