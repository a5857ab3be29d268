// Sign-offs as verify checks them (issue 11, C): each accepted `signoff` record's message is signoffMessage()
// of its run, step, row, signer, date and the record right before it (signs.seq = seq − 1, signs.sha256 =
// that line's hash); its SSHSIG verifies over that message, in runbook-console-signoff, by the key it names;
// its principal is principalFor(name); given --allowed-signers the key must be allowed there for that
// principal in runbook-console-signoff explicitly. Attacks are an insider's journal (re-chained with K_0,
// re-sealed with the real installation key); then the controls.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/main/audit/record.js';
import { SIGNOFF_NAMESPACE, signoffMessage } from '../../src/main/audit/signoff.js';
import { keyFileSigner } from '../../src/main/audit/ssh-signers.js';
import { signSshsig } from '../../src/main/audit/sshsig.js';
import { HAVE_SSH_KEYGEN, skipReason } from './ssh-tools.js';
import { type People, auditorSigners, cli, exportSigned, fingerprintOf, journalRecords, keyOnly, people, restrictedRun, rewriteJournal } from './verify-anchor-support.js';
import { noteData } from './record-fixtures.js';
import { principalFor } from '../../src/main/audit/principal.js';

describe.skipIf(skipReason('sign-off verification tests', HAVE_SSH_KEYGEN))('verify checks each sign-off on its own', () => {
  let root: string;
  let p: People;
  let env: Record<string, string>;
  let pin: string;
  let auditor: string;
  let n = 0;
  const dir = () => path.join(root, `run-${n++}`);

  async function tampered(edit: (signoff: Record<string, any>, records: JournalRecord[]) => void | Promise<void>): Promise<string> {
    const run = await restrictedRun(p, dir());
    const records = journalRecords(run.dir);
    const signoff = records.find((r) => r.type === 'signoff') as JournalRecord;
    await edit(signoff.data, records);
    await rewriteJournal(run.dir, p.keys.verificationKey(run.runId) as Buffer, records, p.installation, false);
    return run.dir;
  }
  const signWith = async (file: string, message: string) => signSshsig(Buffer.from(message, 'utf8'), SIGNOFF_NAMESPACE, await keyFileSigner(file));

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'verify-signoff-'));
    p = await people(root);
    env = { RUNBOOK_CONSOLE_KEY_DIR: p.keyDir };
    pin = fingerprintOf(p.installation.key.publicKeyLine);
    auditor = path.join(root, 'auditor_allowed_signers');
    writeFileSync(auditor, auditorSigners(p));
  }, 60_000);

  describe('attacks', () => {
    it('a sign-off whose signature was swapped for one over another message fails', async () => {
      const runDir = await tampered(async (d) => {
        // Carol's real key, her real signature — over the same row with another date.
        d.signature = await signWith(p.carol.file, (d.message as string).replace('2026-01-02', '2026-01-03'));
      });
      const res = cli(env, 'verify', runDir, '--pin', pin);
      expect(res).toMatchObject({ status: 1, code: 'E_SIGNOFF' });
      expect(res.stdout).toMatch(/FAIL E_SIGNOFF \(record 4, line 5\): record 4: the sign-off does not hold: signature does not verify/);
    });

    it('a sign-off signature by another key than the one it names fails', async () => {
      const runDir = await tampered(async (d) => {
        d.signature = await signWith(p.mallory.file, d.message as string);
      });
      const res = cli(env, 'verify', runDir, '--pin', pin);
      expect(res).toMatchObject({ status: 1, code: 'E_SIGNOFF' });
      expect(res.stdout).toContain('not by the key it names');
    });

    it('a sign-off moved to another record, renamed, or with its message not matching its fields fails', async () => {
      const cases: [string, (d: Record<string, any>, records: JournalRecord[]) => void, RegExp][] = [
        ['signs an older record', (d) => { d.signs = { ...d.signs, seq: 1 }; }, /signs off record 1, not the record before it/],
        ['signs another hash', (d) => { d.signs = { ...d.signs, sha256: 'a'.repeat(64) }; }, /not the SHA-256 of record 3's line/],
        ['renamed', (d) => { d.name = 'Dave'; }, /its message is not the sign-off message/],
        ['principal', (d) => { d.principal = 'Carol'; }, /its principal "Carol" is not "Carol-Q"/],
                // An insider slips a record in before the sign-off: what it signs is then not the record before it.
        ['moved', (_d, records) => {
          const i = records.findIndex((r) => r.type === 'signoff');
          records.splice(i, 0, { ...(records[i] as JournalRecord), type: 'step.note', data: noteData('slipped in') });
        }, /signs off record 3, not the record before it \(4\)/],
      ];
      for (const [name, edit, why] of cases) {
        const res = cli(env, 'verify', await tampered(edit), '--pin', pin);
        expect(res, name).toMatchObject({ status: 1, code: 'E_SIGNOFF' });
        expect(res.stdout, name).toMatch(why);
      }
      // The namespace is the journal format's (the sign-off namespace, nothing else): another is E_RECORD_DATA.
      const other = cli(env, 'verify', await tampered((d) => { d.namespace = 'file'; }), '--pin', pin);
      expect(other).toMatchObject({ status: 1, code: 'E_RECORD_DATA' });
      expect(other.stdout).toMatch(/\(signoff\): data\.namespace: expected "runbook-console-signoff", found a string "file"/);
    });

    it('a sign-off by a key the auditor does not allow for that name fails E_SIGNER; without --allowed-signers it is unanchored', async () => {
      // Mallory signs as "Carol Q" with her own key, consistently: message, key, signature all hers.
      const runDir = await tampered(async (d) => {
        d.key = keyOnly(p.mallory.publicKeyLine);
        d.fingerprint = fingerprintOf(p.mallory.publicKeyLine);
        d.signature = await signWith(p.mallory.file, d.message as string);
      });
      const alone = cli(env, 'verify', runDir, '--pin', pin);
      expect(alone.status, alone.stdout).toBe(3);
      expect(alone.stdout).toContain(`sign-off   record 4 (of record 3): Carol-Q, ${fingerprintOf(p.mallory.publicKeyLine)} — NOT ANCHORED`);
      const res = cli(env, 'verify', runDir, '--allowed-signers', auditor);
      expect(res).toMatchObject({ status: 1, code: 'E_SIGNER' });
      expect(res.stdout).toContain('runbook-console-signoff');
    });
  });

  describe('a sign-off is a second person\'s: no key of the operator\'s signs one, but the operator\'s own row (a run directory: the keys run.started records)', () => {
    /** The sign-off signed again by `key` (its row renamed with `row`), its message and fields made to match. */
    const resigned = (key: { publicKeyLine: string; sign: (message: string) => Promise<string> }, row: Record<string, string> = {}) =>
      tampered(async (d, records) => {
        Object.assign(d, row);
        d.principal = principalFor(d.name as string);
        d.message = signoffMessage({ run: (records[0] as JournalRecord).run, step: d.step.id, role: d.role, name: d.name, date: d.date, record: d.signs });
        d.key = keyOnly(key.publicKeyLine);
        d.fingerprint = fingerprintOf(key.publicKeyLine);
        d.signature = await key.sign(d.message as string);
      });
    const byFile = (k: { file: string; publicKeyLine: string }) => ({ publicKeyLine: k.publicKeyLine, sign: (m: string) => signWith(k.file, m) });
    const installation = () => ({ publicKeyLine: p.installation.key.publicKeyLine, sign: (m: string) => signSshsig(Buffer.from(m, 'utf8'), SIGNOFF_NAMESPACE, p.installation.key.signer) });

    it('attack: Carol Q.\'s row signed by the installation key fails E_SIGNOFF_OPERATOR_KEY, anchored or not', async () => {
      const runDir = await resigned(installation());
      for (const anchors of [['--pin', pin], ['--allowed-signers', auditor]]) {
        const res = cli(env, 'verify', runDir, ...anchors);
        expect(res, res.stdout).toMatchObject({ status: 1, code: 'E_SIGNOFF_OPERATOR_KEY' });
        expect(res.stdout).toMatch(/FAIL E_SIGNOFF_OPERATOR_KEY \(record 4, line 5\): record 4: the sign-off is signed with the installation key, which seals the run \(SHA256:\S+\): it is no person's key/);
      }
    });

    it('attack: the operator\'s own row signed by the installation key fails too', async () => {
      const res = cli(env, 'verify', await resigned(installation(), { name: 'alice', role: 'Operator' }), '--pin', pin);
      expect(res, res.stdout).toMatchObject({ status: 1, code: 'E_SIGNOFF_OPERATOR_KEY' });
    });

    it('attack: Carol Q.\'s row signed by the operator\'s export key (recorded in run.started) fails', async () => {
      const res = cli(env, 'verify', await resigned(byFile(p.alice)), '--pin', pin);
      expect(res, res.stdout).toMatchObject({ status: 1, code: 'E_SIGNOFF_OPERATOR_KEY' });
      expect(res.stdout).toContain(`signed with the operator's export-key key (${fingerprintOf(p.alice.publicKeyLine)}): the operator ("alice") cannot sign off for "Carol-Q"`);
    });

    it('attack: the operator\'s own row by the operator\'s key, recorded as pasted, fails', async () => {
      const res = cli(env, 'verify', await resigned(byFile(p.alice), { name: 'alice', role: 'Operator', method: 'pasted' }), '--pin', pin);
      expect(res, res.stdout).toMatchObject({ status: 1, code: 'E_SIGNOFF_OPERATOR_KEY' });
      expect(res.stdout).toContain("a pasted signature stands for someone not at the operator's machine");
    });

    it('control: the operator\'s own row by the operator\'s key, signed here (key-file), holds; so does Carol Q.\'s pasted by her own key', async () => {
      for (const [key, row] of [[byFile(p.alice), { name: 'alice', role: 'Operator' }], [byFile(p.carol), { method: 'pasted' }]] as const) {
        const res = cli(env, 'verify', await resigned(key, row), '--pin', pin);
        expect(res.status, res.stdout).toBe(3);
        expect(res.stdout).toMatch(/^INTACT BUT UNANCHORED/m);
      }
    });
  });

  describe('controls', () => {
    it('the message verify rebuilds is the one signed, and a valid sign-off is anchored and named with --allowed-signers', async () => {
      const run = await restrictedRun(p, dir());
      const records = journalRecords(run.dir);
      const signoff = records.find((r) => r.type === 'signoff') as JournalRecord;
      const d = signoff.data as Record<string, any>;
      expect(d.message).toBe(signoffMessage({ run: run.runId, step: d.step.id, role: d.role, name: d.name, date: d.date, record: d.signs }));
      const res = cli(env, 'verify', run.dir, '--allowed-signers', auditor);
      expect(res.status, res.stdout).toBe(0);
      expect(res.stdout).toContain(`sign-off   record 4 (of record 3): Carol-Q, ${fingerprintOf(p.carol.publicKeyLine)} — allowed as Carol-Q`);
      const bundle = await exportSigned(p, run.dir, dir(), p.alice);
      expect(cli(env, 'verify', bundle, '--allowed-signers', auditor).status).toBe(0);
    });
  });
});
