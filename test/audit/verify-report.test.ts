// Verify checks everything a bundle ships (issue 11, B): SHA256SUMS lists every file once and each matches
// (a file present but unlisted, listed but missing, a symbolic link fail E_BUNDLE); SHA256SUMS.sig and
// report.json.sig are the export signer's SSHSIGs; and report.json and report.html are built again from
// the journal with the project's report builder and must be the same bytes — a report that says anything
// the journal does not fails E_REPORT naming the first differing field, even re-signed by the operator.
// Attacks first, then the controls (including: the rebuild reads the journal once and holds no records).
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '../../src/main/audit/canonical.js';
import { inspectRun, type VerifyStats, verifyRun } from '../../src/main/audit/verify.js';
import { buildReport } from '../../src/main/audit/report/build-report.js';
import { pathAt } from '../../src/main/audit/report/report-segments.js';
import { HAVE_SSH_KEYGEN, skipReason } from './ssh-tools.js';
import { type People, auditorSigners, cli, editReport, exportSigned, people, resignBundle, restrictedRun } from './verify-anchor-support.js';

describe.skipIf(skipReason('bundle and report tests', HAVE_SSH_KEYGEN))('verify checks everything a bundle ships', () => {
  let root: string;
  let p: People;
  let env: Record<string, string>;
  let bundle: string;
  let runDir: string;
  let auditor: string;
  let n = 0;
  const copy = () => {
    const dir = path.join(root, `copy-${n++}`);
    cpSync(bundle, dir, { recursive: true });
    return dir;
  };
  const verify = (dir: string) => cli(env, 'verify', dir, '--allowed-signers', auditor);

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'verify-report-'));
    p = await people(root);
    env = { RUNBOOK_CONSOLE_KEY_DIR: p.keyDir };
    runDir = (await restrictedRun(p, path.join(root, 'run'))).dir;
    bundle = await exportSigned(p, runDir, path.join(root, 'bundle'), p.alice);
    auditor = path.join(root, 'auditor_allowed_signers');
    writeFileSync(auditor, auditorSigners(p));
  }, 60_000);

  describe('attacks: the report says what the journal does not, re-signed by the operator', () => {
    const cases: [string, (report: any) => void, string][] = [
      ['a step status', (r) => { r.steps[0].status = 'skipped'; }, 'steps[0].status'],
      ['an exit code', (r) => { r.steps[0].blocks[0].exitCode = 1; }, 'steps[0].blocks[0].exitCode'],
      ['an approval', (r) => { r.events.find((e: any) => e.type === 'approval').data.approver = 'carol'; }, 'events[0].data.approver'],
      ['a sign-off', (r) => { r.events.find((e: any) => e.type === 'signoff').data.name = 'Someone Else'; }, 'events[1].data.name'],
      ['the outcome', (r) => { r.run.outcome = 'failed'; }, 'run.outcome'],
      ['a record', (r) => { r.records[3].data.outcome.exit_code = 7; }, 'records[3].data.outcome.exit_code'],
      ['a warning added', (r) => { r.warnings.push({ code: 'W_NOTHING', record: null, detail: 'x' }); }, 'warnings'],
      ['an event dropped', (r) => { r.events = r.events.filter((e: any) => e.type !== 'approval'); }, 'events[0]'],
    ];
    for (const [name, edit, field] of cases) {
      it(`${name} → E_REPORT at ${field}`, async () => {
        const dir = copy();
        editReport(dir, edit);
        await resignBundle(dir, p.alice);
        const res = verify(dir);
        expect(res, res.stdout).toMatchObject({ status: 1, code: 'E_REPORT' });
        expect(res.stdout).toContain(`report.json differs from the report the journal gives at ${field}`);
      });
    }

    it('report.html edited and re-signed → E_REPORT naming the part of the page', async () => {
      const dir = copy();
      const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
      writeFileSync(path.join(dir, 'report.html'), html.replace('<dt>Exit code</dt><dd>0</dd>', '<dt>Exit code</dt><dd>1</dd>'));
      await resignBundle(dir, p.alice);
      const res = verify(dir);
      expect(res).toMatchObject({ status: 1, code: 'E_REPORT' });
      expect(res.stdout).toContain('report.html differs from the report the journal gives in step 1, block 1');
    });

    it('a report from an older format is not taken for this journal\'s', async () => {
      const dir = copy();
      editReport(dir, (r) => { r.format = 'runbook-console-report/1'; });
      await resignBundle(dir, p.alice);
      expect(verify(dir)).toMatchObject({ status: 1, code: 'E_REPORT' });
    });
  });

  describe('attacks: SHA256SUMS and the signatures', () => {
    it('an extra file, a missing file, a symbolic link, a file listed twice or out of order → E_BUNDLE', async () => {
      const extra = copy();
      writeFileSync(path.join(extra, 'notes.txt'), 'not listed\n');
      expect(verify(extra).stdout).toContain('FAIL E_BUNDLE: notes.txt is in the bundle but not listed in SHA256SUMS');
      const extraBlob = copy();
      writeFileSync(path.join(extraBlob, 'blobs', 'f'.repeat(64)), 'x');
      expect(verify(extraBlob)).toMatchObject({ status: 1, code: 'E_BUNDLE' });
      const missing = copy();
      rmSync(path.join(missing, 'VERIFY.md'));
      expect(verify(missing).stdout).toContain('FAIL E_BUNDLE: VERIFY.md is listed in SHA256SUMS but missing');
      // Re-signed by the operator, an unlisted or missing required file still fails.
      const dropped = copy();
      rmSync(path.join(dropped, 'report.html'));
      await resignBundle(dropped, p.alice);
      expect(verify(dropped).stdout).toContain('FAIL E_BUNDLE: report.html is missing from the bundle');
      const link = copy();
      symlinkSync('/etc/hostname', path.join(link, 'link'));
      expect(verify(link).stdout).toMatch(/FAIL E_BUNDLE: link is a symbolic link/);
      const sums = readFileSync(path.join(bundle, 'SHA256SUMS'), 'utf8').trimEnd().split('\n');
      const twice = copy();
      writeFileSync(path.join(twice, 'SHA256SUMS'), `${[sums[0], ...sums].join('\n')}\n`);
      expect(verify(twice).stdout).toMatch(/FAIL E_BUNDLE: SHA256SUMS lists \S+ twice/);
      const reordered = copy();
      writeFileSync(path.join(reordered, 'SHA256SUMS'), `${[...sums].reverse().join('\n')}\n`);
      expect(verify(reordered).stdout).toMatch(/FAIL E_BUNDLE: SHA256SUMS line 2 .* is out of order/);
      const sigless = copy();
      rmSync(path.join(sigless, 'SHA256SUMS.sig'));
      expect(verify(sigless).stdout).toContain('FAIL E_BUNDLE: SHA256SUMS.sig is missing');
    });

    it('SHA256SUMS.sig and report.json.sig by different keys → E_SIGNATURE; a bundle re-signed by another key → E_SIGNER against the anchors, exit 3 without', async () => {
      const split = copy();
      await resignBundle(split, p.alice);
      const { keyFileSigner } = await import('../../src/main/audit/ssh-signers.js');
      const { signSshsig } = await import('../../src/main/audit/sshsig.js');
      writeFileSync(path.join(split, 'SHA256SUMS.sig'), await signSshsig(readFileSync(path.join(split, 'SHA256SUMS')), 'runbook-console-audit', await keyFileSigner(p.mallory.file)));
      expect(verify(split)).toMatchObject({ status: 1, code: 'E_SIGNATURE' });
      const mallory = copy();
      await resignBundle(mallory, p.mallory);
      expect(verify(mallory)).toMatchObject({ status: 1, code: 'E_SIGNER' });
      expect(cli(env, 'verify', mallory).status).toBe(3);
    });
  });

  describe('controls', () => {
    it('the exported bundle verifies, and so does one re-signed by the operator without edits', async () => {
      const res = verify(bundle);
      expect(res.status, res.stdout).toBe(0);
      const resigned = copy();
      await resignBundle(resigned, p.alice);
      expect(verify(resigned).status).toBe(0);
    });

    it('the report is the export\'s: canonical JSON of buildReport over the journal, and nothing in it comes from the clock', async () => {
      const { records, lines, summary } = await inspectRun(runDir, { keys: p.keys });
      const report = buildReport(runDir, records, lines, summary, []);
      expect(report.generatedAt).toBe(records.at(-1)?.time);
      expect(report.warnings.map((w) => w.code)).not.toContain('W_SIGNER_UNCHECKED');
      const shipped = JSON.parse(readFileSync(path.join(bundle, 'report.json'), 'utf8'));
      expect(canonicalize({ ...report, verification: { ...report.verification, commands: shipped.verification.commands } })).toBe(readFileSync(path.join(bundle, 'report.json'), 'utf8'));
    });

    it('rebuilding the report reads the journal once (no records held, no second pass) when it matches', async () => {
      const stats: VerifyStats = { journalOpens: 0, journalBytesRead: 0, lines: 0, merkleHashes: 0, maxPendingBytes: 0 };
      const result = await verifyRun(bundle, { allowedSigners: auditorSigners(p), stats });
      expect(result).toMatchObject({ ok: true, anchored: true, kind: 'bundle' });
      expect(stats.journalOpens).toBe(1);
    });

    it('pathAt names the innermost field at an offset of canonical JSON', () => {
      const json = canonicalize({ a: [1, { b: 'x', 'c d': [true] }], e: null });
      expect(pathAt(json, json.indexOf('"x"'), 'r')).toBe('r.a[1].b');
      expect(pathAt(json, json.indexOf('true'), 'r')).toBe('r.a[1]["c d"][0]');
      expect(pathAt(json, json.indexOf('null'), 'r')).toBe('r.e');
    });
  });
});
