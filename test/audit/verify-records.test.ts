// The record-data check of `runbook verify` (issue 11, item 9): a record whose data does not fit its type in
// the journal format fails E_RECORD_DATA, naming the record, its type and the field; a journal in a format the
// verifier does not read fails E_FORMAT. Attacks by an insider holding K_0 and the installation key: records
// edited after the sign-offs (nothing signs them), re-chained, re-MACed and re-sealed, so that only the
// schema can catch them — and, beside them, the same rewrite with data that fits, which verifies.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/main/audit/record.js';
import { HAVE_SSH_KEYGEN, skipReason } from './ssh-tools.js';
import { type People, auditorSigners, cli, fingerprintOf, journalRecords, people, restrictedRun, rewriteJournal } from './verify-anchor-support.js';

describe.skipIf(skipReason('record-data verification tests', HAVE_SSH_KEYGEN))('verify reads every record through its schema', () => {
  let root: string;
  let p: People;
  let env: Record<string, string>;
  let anchors: string[];
  let n = 0;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'verify-records-'));
    p = await people(root);
    env = { RUNBOOK_CONSOLE_KEY_DIR: p.keyDir };
    // The auditor's anchors: every key that signs the run (seal, approval, sign-off) is vouched for.
    const signers = path.join(root, 'auditor_allowed_signers');
    writeFileSync(signers, auditorSigners(p));
    anchors = ['--pin', fingerprintOf(p.installation.key.publicKeyLine), '--allowed-signers', signers];
  }, 60_000);

  /** A sealed RESTRICTED run (approval, sign-off), rewritten by an insider: edited, re-chained with K_0, re-sealed with the real key. */
  async function insider(edit: (records: JournalRecord[]) => JournalRecord[]): Promise<string> {
    const run = await restrictedRun(p, path.join(root, `run-${n++}`));
    await rewriteJournal(run.dir, p.keys.verificationKey(run.runId) as Buffer, edit(journalRecords(run.dir)), p.installation, false);
    return run.dir;
  }

  const at = (type: string, records: JournalRecord[]) => records.findIndex((r) => r.type === type);
  /** run.finished's data changed by `change` (it follows the sign-off: no signature covers it, only the seal). */
  const atEnd = (change: (data: Record<string, unknown>) => Record<string, unknown>) => (records: JournalRecord[]) =>
    records.map((r) => (r.type === 'run.finished' ? { ...r, data: change({ ...r.data }) } : r));
  /** A record inserted before run.finished (after the sign-off), made like the one before it. */
  const inserted = (type: JournalRecord['type'], data: Record<string, unknown>) => (records: JournalRecord[]) => {
    const end = at('run.finished', records);
    return [...records.slice(0, end), { ...(records[end] as JournalRecord), type, data }, ...records.slice(end)];
  };
  const skipped = (refusal: string) => ({ step: { id: 'steps/later', title: 'Later', line: 9, profile: null }, reason: 'refused before it ran', by: 'refused', status: 'failed', refusal });

  const verify = (dir: string) => cli(env, 'verify', dir, ...anchors);

  describe('attacks: the record is one no writer of the format could write', () => {
    const cases: [string, (records: JournalRecord[]) => JournalRecord[], RegExp][] = [
      ['a field of the wrong type', atEnd((d) => ({ ...d, ok: 'yes' })), /FAIL E_RECORD_DATA \(record 5, line 6\): record 5 \(run\.finished\): data\.ok: expected boolean, found a string "yes"/],
      ['a required field missing', atEnd(({ counts: _counts, ...d }) => d), /FAIL E_RECORD_DATA \(record 5, line 6\): record 5 \(run\.finished\): data\.counts: missing \(expected record\)/],
      ['a refusal code not in the format', inserted('step.skipped', skipped('operator-said-so')), /FAIL E_RECORD_DATA \(record 5, line 6\): record 5 \(step\.skipped\): data\.refusal: expected one of "protected-not-confirmed", "approval-refused", "value-unsafe", "store-lagging", found a string "operator-said-so"/],
      ['a field the format does not define', atEnd((d) => ({ ...d, approved_by: 'cfo' })), /FAIL E_RECORD_DATA \(record 5, line 6\): record 5 \(run\.finished\): data\.approved_by: a field this record type does not have/],
      // JSON.parse makes "__proto__" an own key; a copy of the record made on the way would lose it.
      ['a field named "__proto__"', atEnd((d) => Object.defineProperty(d, '__proto__', { value: { approved_by: 'cfo' }, enumerable: true, writable: true, configurable: true })), /record 5 \(run\.finished\): data\.__proto__: a field this record type does not have/],
      ['a field the format does not define, deep inside', atEnd((d) => ({ ...d, steps: (d.steps as object[]).map((s) => ({ ...s, signed_by: 'cfo' })) })), /record 5 \(run\.finished\): data\.steps\[0\]\.signed_by: a field this record type does not have/],
    ];
    for (const [name, edit, message] of cases) {
      it(`${name} → E_RECORD_DATA, naming the record, its type and the field`, async () => {
        const res = verify(await insider(edit));
        expect(res, res.stdout + res.stderr).toMatchObject({ status: 1, code: 'E_RECORD_DATA' });
        expect(res.stdout).toMatch(message);
      });
    }

    it('a journal in a format this verifier does not read → E_FORMAT, before anything it would misread', async () => {
      const res = verify(await insider((records) => records.map((r, i) => (i === 0 ? { ...r, data: { ...r.data, format: 'runbook-console-journal/5' } } : r))));
      expect(res).toMatchObject({ status: 1, code: 'E_FORMAT' });
      expect(res.stdout).toContain('the journal is in format "runbook-console-journal/5"; this verifier reads runbook-console-journal/1, runbook-console-journal/2, runbook-console-journal/3, runbook-console-journal/4: use a verifier that reads it');
      const none = verify(await insider((records) => records.map((r, i) => (i === 0 ? { ...r, data: (({ format: _f, ...d }) => d)(r.data) } : r))));
      expect(none).toMatchObject({ status: 1, code: 'E_FORMAT' });
      expect(none.stdout).toContain('run.started names no journal format');
    });

    it('a record that does not fit, after the final seal: what is reported is that it is there (E_AFTER_SEAL)', async () => {
      const res = verify(await insider((records) => [...records, { ...(records.at(-1) as JournalRecord), type: 'step.note', data: { text: 'late' } }]));
      expect(res).toMatchObject({ status: 1, code: 'E_AFTER_SEAL' });
    });
  });

  describe('controls: the same rewrites with data that fits verify', () => {
    it('no edit, a refusal code of the format, a reason changed: intact and anchored (exit 0)', async () => {
      for (const edit of [(r: JournalRecord[]) => r, inserted('step.skipped', skipped('value-unsafe')), atEnd((d) => ({ ...d, steps: (d.steps as object[]).map((s) => ({ ...s, reason: 'all good' })) }))]) {
        const res = verify(await insider(edit));
        expect(res.status, res.stdout + res.stderr).toBe(0);
      }
    });
  });
});
