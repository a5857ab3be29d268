// Journal format 2 (records/format.ts: run.ended-early, step.note's change) and report format 4, from a real
// console run: the operator takes back a skip, changes a mark and a decision (each a step.note change with the
// reason), and seals with steps unfinished (run.ended-early), with hostile text in what they wrote — markup, U+2028,
// an astral character where the timeline's cut at 160 UTF-16 units halves it, 2000 characters. The bundle exported
// verifies in both verifiers (`runbook verify`, `python3 verify.py`), each rebuilding report.json and report.html
// byte for byte, the "Sealed early" row and the change notes included: that is the control. Then insider rewrites
// (re-chained, re-MACed and re-sealed with the installation key, the bundle re-summed): the same records — or
// what else format 2 added: a timer, a run.resumed, a variable's value — in a journal whose run.started says
// format 1, a run.ended-early or change no format-2 writer could write, a lone surrogate — each refused alike by
// both, naming the record — and a format-1 journal without them, which still verifies: old runs stay verifiable.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { JOURNAL_FILE, type JournalRecord } from '../../src/main/audit/record.js';
import { escapeHtml } from '../../src/main/audit/report/report-html.js';
import { REPORT_FORMAT } from '../../src/main/audit/report/report-model.js';
import { fingerprint, parsePublicKeyLine } from '../../src/main/audit/ssh-keys.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';
import { HAVE_SSH_KEYGEN } from './ssh-tools.js';
import { type Base, CLI, HAVE_PYTHON, ODD, VERIFY_PY, type VerifierOutcome, editReport, forge, linesOf, reexport, resum, runVerifier, verdictOf } from './tamper-suite.js';
import { rotateRunbook } from '../support/runbook-fixtures.js';

if (!HAVE_PYTHON) console.warn('skipped: journal format 2 in both verifiers (python3 is not on PATH)');
if (!HAVE_SSH_KEYGEN) console.warn('skipped: journal format 2 in both verifiers (ssh-keygen is not on PATH)');

const FORMAT_1 = 'runbook-console-journal/1';

// The decision's options come from the runbook's text, so the change's `from` and `to` carry markup too.
const RUNBOOK = rotateRunbook('echo "chain broken" >&2; exit 3', `- [ ] Decision: Blue <&> "edge" or Green 'core'
- [ ] Restart the proxy
  \`\`\`bash
  echo restarted
  \`\`\`
`);

/** At most 2000 characters (the API's limit), trimmed; an astral character straddles the timeline's cut at 160 units. */
const hostile = (what: string) => {
  const text = `${'r'.repeat(159)}😀 ${what}: </dd><script>alert(1)</script> & "q" 'a' line\u2028separator\u2029para ${ODD} end`;
  return `${text}${'z'.repeat(2000 - text.length)}`;
};
const SEAL_REASON = hostile('sealed');
const SKIP_BACK = hostile('skip taken back');
const MARK_CHANGE = hostile('mark changed');
const DECISION_CHANGE = hostile('decision changed');

/** What each verifier said of one directory. */
interface Both {
  py: VerifierOutcome;
  ts: VerifierOutcome;
}

describe.skipIf(!HAVE_PYTHON || !HAVE_SSH_KEYGEN)('journal format 2: sealed early and changes of what was recorded, in both verifiers', () => {
  let root: string;
  let bundle: string;
  let runDir: string;
  let pin: string;
  let env: NodeJS.ProcessEnv;
  /** Enough of a tamper-suite Base for forge and re-export: the installation key seals and signs (an unsigned STANDARD export). */
  let base: Base;
  let n = 0;
  let lonely: { error: string; linesBefore: number; linesAfter: number; sealed: boolean };

  const both = async (dir: string, ...args: string[]): Promise<Both> => ({
    py: await runVerifier('python3', [VERIFY_PY, dir, ...args], env),
    ts: await runVerifier(process.execPath, [CLI, 'verify', dir, ...args], env),
  });
  const said = (o: Both) => `runbook verify said:\n${o.ts.stdout}${o.ts.stderr}\nverify.py said:\n${o.py.stdout}${o.py.stderr}`;
  const failLine = (o: VerifierOutcome) => /^FAIL .*$/m.exec(o.stdout)?.[0] ?? '';
  const copy = () => {
    const dir = path.join(root, 'cases', String(n++));
    cpSync(bundle, dir, { recursive: true });
    return dir;
  };
  const records = (dir: string) => linesOf(dir).map((l) => JSON.parse(l) as JournalRecord);
  /** An insider's rewrite of the records, re-chained, re-MACed and re-sealed; the bundle re-summed (its report left as it was). */
  const rewrite = (edit: (r: JournalRecord[]) => JournalRecord[]) => {
    const dir = copy();
    forge(base, dir, { edit });
    resum(dir, base.keys.installation);
    return dir;
  };
  /** The same, with report.json and report.html built again from the rewritten journal by the project's builder. */
  const reexported = (edit: (r: JournalRecord[]) => JournalRecord[]) => {
    const dir = copy();
    forge(base, dir, { edit });
    reexport(dir, base.keys.installation);
    return dir;
  };
  /** run.started saying format 1 (its variables without the values format 2 added); the other records left as they are. */
  const toFormat1 = (r: JournalRecord[]) =>
    r.map((x, i) => (i === 0 ? { ...x, data: { ...x.data, format: FORMAT_1, variables: (x.data.variables as Record<string, unknown>[]).map(({ value: _value, ...v }) => v) } } : x));
  const isChange = (x: JournalRecord) => x.type === 'step.note' && 'change' in x.data;
  const decisionSkip = (x: JournalRecord) => x.type === 'step.skipped' && x.data.by === 'decision';
  const withoutFormat2 = (r: JournalRecord[]) => r.filter((x) => x.type !== 'run.ended-early' && !isChange(x) && !decisionSkip(x));
  /** A record of `type` inserted just before run.finished. */
  const inserted = (type: string, data: Record<string, unknown>) => (r: JournalRecord[]) => {
    const at = r.findLastIndex((x) => x.type === 'run.finished');
    return [...r.slice(0, at), { ...(r[at] as JournalRecord), type: type as JournalRecord['type'], data }, ...r.slice(at)];
  };
  /** The run.ended-early record's data changed in place (a deep copy) by `fn`. */
  const early = (fn: (d: any) => void) => (r: JournalRecord[]) =>
    r.map((x) => {
      if (x.type !== 'run.ended-early') return x;
      const data = structuredClone(x.data);
      fn(data);
      return { ...x, data };
    });
  /** The first change note's data changed in place by `fn`. */
  const firstChange = (fn: (d: any) => void) => (r: JournalRecord[]) => {
    const at = r.findIndex(isChange);
    return r.map((x, i) => {
      if (i !== at) return x;
      const data = structuredClone(x.data);
      fn(data);
      return { ...x, data };
    });
  };
  const seqOf = (dir: string, test: (x: JournalRecord) => boolean) => records(dir).findIndex(test);

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'journal-format-2-'));
    const { root: consoleRoot, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    const file = path.join(consoleRoot, 'rotate.md');
    writeFileSync(file, RUNBOOK);
    await call('runbook.open', { path: file });
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    const runId = state.runId;
    runDir = state.dir;
    const id = (pattern: RegExp) => state.steps.find((s) => pattern.test(s.id))?.id as string;
    const [copyStep, chain, tell, decide] = [id(/copy-the-new/), id(/check-the-chain/), id(/tell-the-channel/), id(/decision/)];
    const runStep = async (stepId: string) => {
      await call('runs.runStep', { runId, stepId });
      await eventsUntil(call, runId, -1, (e) => e.type === 'step' && e.stepId === stepId && ['succeeded', 'failed'].includes(e.status));
    };
    // A skip taken back, then the step run after all (change: skip).
    await call('runs.skip', { runId, stepId: copyStep, reason: 'copied yesterday' });
    await call('runs.override', { runId, stepId: copyStep, reason: SKIP_BACK });
    await runStep(copyStep);
    await runStep(chain);
    // A mark changed (change: mark), and a decision changed (change: decision, from and to as the runbook writes them).
    await call('runs.record', { runId, stepId: tell, kind: 'mark', verdict: 'pass' });
    await call('runs.record', { runId, stepId: tell, kind: 'mark', verdict: 'fail', change: MARK_CHANGE });
    await call('runs.record', { runId, stepId: decide, kind: 'decision', decision: 'Blue <&> "edge"' });
    await call('runs.record', { runId, stepId: decide, kind: 'decision', decision: "Green 'core'", change: DECISION_CHANGE });

    const { unfinished } = (await call('runs.state', { runId })) as RunState;
    const journalLines = () => readFileSync(path.join(runDir, JOURNAL_FILE), 'utf8').trimEnd().split('\n').length;
    // A lone surrogate is not Unicode text: JCS (and so the journal) cannot hold one. The seal that would write it is
    // refused, nothing is written, and the run still seals once given a reason that is text.
    const linesBefore = journalLines();
    let error = '';
    try {
      await call('runs.finish', { runId, unfinished: unfinished.map((u) => u.stepId), reason: `half a pair \ud800 here` });
    } catch (e) {
      error = String((e as Error).message);
    }
    lonely = { error, linesBefore, linesAfter: journalLines(), sealed: Boolean(((await call('runs.state', { runId })) as RunState).seal) };

    const sealed: RunState = await call('runs.finish', { runId, unfinished: unfinished.map((u) => u.stepId), reason: SEAL_REASON });
    if (!sealed.seal) throw new Error('the run was not sealed');
    bundle = path.join(root, 'bundle');
    await call('runs.export', { runId, out: bundle });

    const keyDir = path.join(consoleRoot, 'keys');
    const installationFile = path.join(keyDir, 'installation_ed25519');
    const installation = { file: installationFile, publicKeyLine: readFileSync(`${installationFile}.pub`, 'utf8').trim() };
    pin = fingerprint(parsePublicKeyLine(installation.publicKeyLine).blob);
    base = { root, keys: { installation } } as unknown as Base;
    // No key store for `runbook verify` to find MAC keys in: both verifiers have what the bundle gives them.
    mkdirSync(path.join(root, 'no-keys'));
    env = { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'no-keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(root, 'no-runs') };
  }, 120_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  describe('control: the console wrote format 2, and the bundle verifies in both', () => {
    it('the journal is format 2 and holds a change of each kind and run.ended-early just before run.finished, as the console wrote them', () => {
      const r = records(bundle);
      expect(r[0]?.data.format).toBe('runbook-console-journal/4');
      expect(r.filter(isChange).map((x) => [x.data.change, x.data.from, x.data.to, x.data.reason, x.data.by])).toEqual([
        ['skip', 'skipped', 'pending', SKIP_BACK, 'Alice'],
        ['mark', 'pass', 'fail', MARK_CHANGE, 'Alice'],
        ['decision', 'Blue <&> "edge"', "Green 'core'", DECISION_CHANGE, 'Alice'],
      ]);
      const at = r.findIndex((x) => x.type === 'run.ended-early');
      expect(r[at + 1]?.type).toBe('run.finished');
      expect(r[at]?.data).toEqual({
        by: 'Alice',
        reason: SEAL_REASON,
        unfinished: [
          { step: expect.stringMatching(/check-the-chain/), title: 'Check the chain', what: 'failed' },
          { step: expect.stringMatching(/tell-the-channel/), title: 'Tell the channel by hand', what: 'failed' },
          { step: expect.stringMatching(/restart-the-proxy/), title: 'Restart the proxy', what: 'not-run' },
        ],
      });
    });

    it('a seal reason holding a lone surrogate is refused before anything is written; the run seals with one that is text', () => {
      expect(lonely.error).toMatch(/lone UTF-16 surrogate/);
      expect(lonely.linesAfter).toBe(lonely.linesBefore);
      expect(lonely.sealed).toBe(false);
    });

    it('both verifiers pass the exported bundle, each having rebuilt report.json and report.html byte for byte: exit 3 bare, 0 with --pin', async () => {
      const bare = await both(bundle);
      expect({ ts: verdictOf(bare.ts), py: verdictOf(bare.py) }, said(bare)).toEqual({ ts: 3, py: 3 });
      const pinned = await both(bundle, '--pin', pin);
      expect({ ts: verdictOf(pinned.ts), py: verdictOf(pinned.py) }, said(pinned)).toEqual({ ts: 0, py: 0 });
      expect(pinned.py.stdout).toMatch(/^ok {4}records: in format runbook-console-journal\/4, every record's data fits its type$/m);
      expect(pinned.py.stdout).toMatch(/^ok {4}report\.json, report\.html: byte for byte the reports the journal gives$/m);
      expect(pinned.py.stdout + pinned.py.stderr).not.toMatch(/Traceback/);
    });

    it('report.json says who sealed early, why and what was unfinished, and each change with its reason', () => {
      const report = JSON.parse(readFileSync(path.join(bundle, 'report.json'), 'utf8'));
      const r = records(bundle);
      const at = r.findIndex((x) => x.type === 'run.ended-early');
      expect(report.format).toBe(REPORT_FORMAT);
      expect(report.run.endedEarly).toEqual({ record: at, time: r[at]?.time, ...r[at]?.data });
      const notes = report.steps.flatMap((s: { notes: { change: string | null }[] }) => s.notes).filter((x: { change: string | null }) => x.change !== null);
      expect(notes.map((x: Record<string, unknown>) => [x.change, x.from, x.to, x.reason, x.text, x.mark, x.binding])).toEqual([
        ['skip', 'skipped', 'pending', SKIP_BACK, null, null, null],
        ['mark', 'pass', 'fail', MARK_CHANGE, null, null, null],
        ['decision', 'Blue <&> "edge"', "Green 'core'", DECISION_CHANGE, null, null, null],
      ]);
      // The other notes say they are no change.
      const others = report.steps.flatMap((s: { notes: Record<string, unknown>[] }) => s.notes).filter((x: Record<string, unknown>) => x.change === null);
      expect(others.length).toBeGreaterThan(0);
      for (const x of others) expect([x.from, x.to, x.reason]).toEqual([null, null, null]);
      expect(report.events.filter((e: { type: string }) => e.type === 'run.ended-early').map((e: { seq: number }) => e.seq)).toEqual([at]);
    });

    it('report.html shows the "Sealed early" row and each change, escaped, with no live control', () => {
      const html = readFileSync(path.join(bundle, 'report.html'), 'utf8');
      const at = seqOf(bundle, (x) => x.type === 'run.ended-early');
      expect(html).toContain(`<dt>Ended</dt>`);
      expect(html).toContain(`<dt>Sealed early</dt><dd>by Alice, 3 step(s) unfinished: ${escapeHtml(SEAL_REASON)} (record ${at})</dd><dt>Steps</dt>`);
      const change = (what: string, from: string, to: string, reason: string) =>
        `<li>Alice: changed the ${what} from <b><span class="text">${escapeHtml(from)}</span></b> to <b><span class="text">${escapeHtml(to)}</span></b>: <span class="text">${escapeHtml(reason)}</span> <span class="muted">record `;
      expect(html).toContain(change('skip', 'skipped', 'pending', SKIP_BACK));
      expect(html).toContain(change('mark', 'pass', 'fail', MARK_CHANGE));
      expect(html).toContain(change('decision', 'Blue <&> "edge"', "Green 'core'", DECISION_CHANGE));
      // The timeline lists the early end as an event; its reason cut at 160 UTF-16 units, half the pair shown as U+FFFD.
      expect(html).toMatch(new RegExp(`<td class="nowrap">run\\.ended-early</td><td>by: Alice; reason: r{159}\uFFFD…; unfinished: `));
      expect(html).not.toContain('<script>');
      expect(liveControls(html)).toEqual([]);
      expect(html).toContain('line\u2028separator\u2029para'); // line and paragraph separators are text in HTML: kept as written
    });

    it('the report check sees the new parts: the "Sealed early" row or a change note edited in report.html, or endedEarly in report.json, fail E_REPORT in both', async () => {
      const cases: [string, (dir: string) => void, string][] = [
        ['the row dropped', (d) => editFile(d, 'report.html', (h) => h.replace(/<dt>Sealed early<\/dt><dd>[\s\S]*?<\/dd>/, '')), 'in the head and summary'],
        ['the row says fewer steps', (d) => editFile(d, 'report.html', (h) => h.replace('3 step(s) unfinished', '1 step(s) unfinished')), 'in the head and summary'],
        ['a change note reads as a plain decision', (d) => editFile(d, 'report.html', (h) => h.replace(/changed the decision from <b>[\s\S]*?<\/b> to /, 'decided ')), 'report.html differs'],
        // report.json edited as JSON and signed again (report.json.sig), as the signer of the bundle could.
        ['endedEarly dropped from report.json', (d) => editReport(base, d, (r) => { r.run.endedEarly = null; }, base.keys.installation), 'run.endedEarly'],
        ['an unfinished step dropped from endedEarly', (d) => editReport(base, d, (r) => { r.run.endedEarly.unfinished.pop(); }, base.keys.installation), 'run.endedEarly.unfinished'],
        ["a change's reason rewritten in report.json", (d) => editReport(base, d, (r) => { r.steps.flatMap((s: { notes: { change: string | null; reason: string | null }[] }) => s.notes).find((x: { change: string | null }) => x.change === 'mark').reason = 'nothing to see here'; }, base.keys.installation), '.reason'],
        ['a change note made a plain note in report.json', (d) => editReport(base, d, (r) => { const x = r.steps.flatMap((s: { notes: Record<string, unknown>[] }) => s.notes).find((y: Record<string, unknown>) => y.change === 'decision'); Object.assign(x, { text: 'decided', change: null, from: null, to: null, reason: null }); }, base.keys.installation), '.notes'],
      ];
      for (const [name, edit, where] of cases) {
        const dir = copy();
        edit(dir);
        if (!name.includes('report.json')) resum(dir, base.keys.installation);
        const o = await both(dir, '--pin', pin);
        expect({ case: name, ts: verdictOf(o.ts), py: verdictOf(o.py) }, said(o)).toEqual({ case: name, ts: 'E_REPORT', py: 'E_REPORT' });
        expect(o.ts.stdout, name).toContain(where);
        expect(o.py.stdout, name).toContain(where);
      }
    });
  });

  describe('attacks: format-2 records in a journal that says format 1 → E_RECORD_DATA in both, naming the record', () => {
    const cases: [string, (r: JournalRecord[]) => JournalRecord[], string, string][] = [
      ['run.ended-early', (r) => toFormat1(r.filter((x) => !isChange(x))), 'run.ended-early', 'a record type format 1 does not have (format 2 added it), and the journal is in runbook-console-journal/1'],
      ['a step.note change (the first one reported)', (r) => toFormat1(r.filter((x) => x.type !== 'run.ended-early')), 'step.note', 'change: a field format 1 does not have (format 2 added it), and the journal is in runbook-console-journal/1'],
      ['both (the first in the journal reported: a change)', toFormat1, 'step.note', 'change: a field format 1 does not have'],
      // What else format 2 added, beside the two this run holds: a step's timer, a resumed run.
      ['a timer record', (r) => toFormat1(inserted('timer', { step: { id: 'prepare/restart-the-proxy' }, kind: 'repeat', event: 'started', text: 'every 2 minutes', runs: 0, by: 'Alice' })(withoutFormat2(r))), 'timer', 'a record type format 1 does not have (format 2 added it)'],
      ['a run.resumed record', (r) => toFormat1(inserted('run.resumed', { by: 'Alice', unfinished: [], stale_lock: null })(withoutFormat2(r))), 'run.resumed', 'a record type format 1 does not have (format 2 added it)'],
      ['a skip by a decision', (r) => toFormat1(inserted('step.skipped', { step: { id: 'prepare/restart-the-proxy', title: 'Restart the proxy', line: 3, profile: null }, reason: 'decision "NO-GO" leads elsewhere', by: 'decision', decision: { step: 'prepare/go', choice: 'NO-GO' } })(withoutFormat2(r))), 'step.skipped', 'by "decision": a skip format 1 does not have (format 2 added it)'],
    ];
    for (const [name, edit, type, why] of cases) {
      it(`${name} → E_RECORD_DATA`, async () => {
        const dir = rewrite(edit);
        const at = seqOf(dir, (x) => x.type === type && (type !== 'step.note' || 'change' in x.data) && (type !== 'step.skipped' || x.data.by === 'decision'));
        expect(at).toBeGreaterThan(0);
        for (const args of [[], ['--pin', pin]]) {
          const o = await both(dir, ...args);
          expect({ ts: verdictOf(o.ts), py: verdictOf(o.py) }, said(o)).toEqual({ ts: 'E_RECORD_DATA', py: 'E_RECORD_DATA' });
          for (const line of [failLine(o.ts), failLine(o.py)]) expect(line).toContain(`record ${at} (${type}): ${why}`);
        }
      });
    }

    it('control: the same journal without them, in format 1, verifies in both (old runs stay verifiable); its report says nothing of an early end', async () => {
      const dir = reexported((r) => toFormat1(withoutFormat2(r)));
      expect(records(dir)[0]?.data.format).toBe(FORMAT_1);
      const bare = await both(dir);
      expect({ ts: verdictOf(bare.ts), py: verdictOf(bare.py) }, said(bare)).toEqual({ ts: 3, py: 3 });
      const pinned = await both(dir, '--pin', pin);
      expect({ ts: verdictOf(pinned.ts), py: verdictOf(pinned.py) }, said(pinned)).toEqual({ ts: 0, py: 0 });
      expect(pinned.py.stdout).toMatch(/^ok {4}records: in format runbook-console-journal\/1, /m);
      expect(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')).run.endedEarly).toBeNull();
      expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).not.toContain('Sealed early');
    });

    it('a variable\'s value in run.started (format 2) in a journal that says format 1 → E_RECORD_DATA at record 0 in both', async () => {
      const dir = rewrite((r) => toFormat1(withoutFormat2(r)).map((x, i) => (i === 0 ? { ...x, data: { ...x.data, variables: [{ name: 'CERT', secret: false, source: 'option', value: 'new.pem' }] } } : x)));
      const o = await both(dir, '--pin', pin);
      expect({ ts: verdictOf(o.ts), py: verdictOf(o.py) }, said(o)).toEqual({ ts: 'E_RECORD_DATA', py: 'E_RECORD_DATA' });
      for (const line of [failLine(o.ts), failLine(o.py)]) expect(line).toContain('record 0 (run.started): variables[].value: a field format 1 does not have (format 2 added it)');
    });

    it('control: a timer and a run.resumed (format 2) in this journal, hostile text in them, re-exported: both verify, having built the same reports', async () => {
      const dir = reexported((r) =>
        inserted('run.resumed', { by: ODD, unfinished: [{ seq: 3, step: `s ${ODD}`, block: `${'b'.repeat(159)}😀` }], stale_lock: { pid: -1, host: ODD, started: '2026-12-04T00:00:00.000Z', purpose: 'run' } })(
          inserted('timer', { step: { id: `prepare/${ODD}` }, kind: 'timebox', event: 'due', text: `${'t'.repeat(159)}😀${ODD}`, runs: 2 ** 53 - 1, by: 'host' })(r),
        ),
      );
      const o = await both(dir, '--pin', pin);
      expect({ ts: verdictOf(o.ts), py: verdictOf(o.py) }, said(o)).toEqual({ ts: 0, py: 0 });
    });

    it('control: the same journal in format 2 with both removed verifies too (neither record is required)', async () => {
      const dir = reexported(withoutFormat2);
      const pinned = await both(dir, '--pin', pin);
      expect({ ts: verdictOf(pinned.ts), py: verdictOf(pinned.py) }, said(pinned)).toEqual({ ts: 0, py: 0 });
    });
  });

  describe('attacks: a run.ended-early or change no format-2 writer could write → E_RECORD_DATA in both, naming the record and field', () => {
    const cases: [string, (r: JournalRecord[]) => JournalRecord[], string, string][] = [
      ['run.ended-early: an unknown unfinished[].what code', early((d) => { d.unfinished[1].what = 'forgotten'; }), 'run.ended-early', 'data.unfinished[1].what'],
      ['run.ended-early: a field the format does not define', early((d) => { d.approved_by = 'cfo'; }), 'run.ended-early', 'data.approved_by'],
      ['run.ended-early: a field the format does not define, in unfinished[]', early((d) => { d.unfinished[0].waived = true; }), 'run.ended-early', 'data.unfinished[0].waived'],
      ['run.ended-early: the reason key missing (null is how none is said)', early((d) => { delete d.reason; }), 'run.ended-early', 'data.reason'],
      ['run.ended-early: an unfinished step without its title', early((d) => { delete d.unfinished[2].title; }), 'run.ended-early', 'data.unfinished[2].title'],
      ['run.ended-early: unfinished not a list', early((d) => { d.unfinished = d.unfinished[0]; }), 'run.ended-early', 'data.unfinished'],
      ['run.ended-early: by null', early((d) => { d.by = null; }), 'run.ended-early', 'data.by'],
      ['step.note change: an unknown change code', firstChange((d) => { d.change = 'signoff'; }), 'step.note', ''],
      ['step.note change: the reason null (a change always says why)', firstChange((d) => { d.reason = null; }), 'step.note', ''],
      ['step.note change: from missing', firstChange((d) => { delete d.from; }), 'step.note', ''],
      ['step.note change: a field the format does not define', firstChange((d) => { d.approved_by = 'cfo'; }), 'step.note', ''],
      ['step.note change and text at once', firstChange((d) => { d.text = 'also a note'; }), 'step.note', ''],
    ];
    for (const [name, edit, type, field] of cases) {
      it(`${name} → E_RECORD_DATA`, async () => {
        const dir = rewrite(edit);
        const at = seqOf(dir, (x) => x.type === type && (type !== 'step.note' || 'change' in x.data) && (type !== 'step.skipped' || x.data.by === 'decision'));
        const o = await both(dir, '--pin', pin);
        expect({ ts: verdictOf(o.ts), py: verdictOf(o.py) }, said(o)).toEqual({ ts: 'E_RECORD_DATA', py: 'E_RECORD_DATA' });
        for (const line of [failLine(o.ts), failLine(o.py)]) expect(line).toContain(`record ${at} (${type}): ${field}`);
      });
    }

    it('control: run.ended-early with no reason (STANDARD) and no step listed, and changes with empty from and to, re-exported: both verify; the row says "no reason given"', async () => {
      const dir = reexported((r) => firstChange((d) => { d.from = ''; d.to = ''; })(early((d) => { d.reason = null; d.unfinished = []; })(r)));
      const o = await both(dir, '--pin', pin);
      expect({ ts: verdictOf(o.ts), py: verdictOf(o.py) }, said(o)).toEqual({ ts: 0, py: 0 });
      const at = seqOf(dir, (x) => x.type === 'run.ended-early');
      expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain(`<dt>Sealed early</dt><dd>by Alice, 0 step(s) unfinished: no reason given (record ${at})</dd>`);
    });

    it('control: hostile text of every kind in by, reason, from, to, titles and step ids (markup, controls, U+2028, astral characters at the cuts, 100 000 characters), re-exported: both build the same reports', async () => {
      const long = `${ODD}${'\u2028'.repeat(3)}${'😀'.repeat(20)}${'y'.repeat(100_000)}`;
      const dir = reexported((r) => {
        let k = 0;
        const changed = r.map((x) => (isChange(x) ? { ...x, data: { ...x.data, by: `${ODD}${k}`, from: k === 0 ? '' : `${'f'.repeat(159)}😀${ODD}`, to: `${ODD}\u2028${'t'.repeat(k++ * 200)}`, reason: long } } : x));
        return early((d) => {
          d.by = `${'b'.repeat(158)}😀😀${ODD}`;
          d.reason = long;
          d.unfinished = [...d.unfinished, { step: `work/${ODD}`, title: `😀${ODD}\u2028`, what: 'decision-pending' }, { step: 'x'.repeat(300), title: '', what: 'signoff-missing' }, { step: 'nd', title: 'nd', what: 'not-done' }, { step: 'r', title: 'r', what: 'running' }, { step: 'c', title: 'c', what: 'cancelled' }];
        })(changed);
      });
      for (const args of [[], ['--pin', pin]]) {
        const o = await both(dir, ...args);
        expect({ ts: verdictOf(o.ts), py: verdictOf(o.py) }, said(o)).toEqual({ ts: args.length ? 0 : 3, py: args.length ? 0 : 3 });
      }
      const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
      expect(html).toContain(`<dt>Sealed early</dt><dd>by ${escapeHtml(`${'b'.repeat(158)}😀😀${ODD}`)}, 8 step(s) unfinished: ${escapeHtml(long)} (record `);
      expect(liveControls(html)).toEqual([]);
    });
  });

  describe('attacks: a lone surrogate in a run.ended-early reason or a change reason (no writer can write one) → refused alike by both', () => {
    // The line itself edited (escaped, as JSON.stringify would write half a pair; or as the UTF-8-like bytes of one),
    // and nothing re-chained: a line that is not canonical text is refused before the chain is read.
    const cases: [string, (line: string) => Buffer, string][] = [
      ['escaped \\ud800 in the reason', (l) => Buffer.from(l.replace(/"reason":"/, '"reason":"\\ud800')), 'E_NONCANONICAL'],
      ['escaped \\udc00 after a complete pair', (l) => Buffer.from(l.replace(/"reason":"/, '"reason":"\\ud83d\\ude00\\udc00')), 'E_NONCANONICAL'],
      ['the surrogate as (invalid) UTF-8 bytes ED A0 80', (l) => { const [a, b] = l.split(/(?<="reason":")/) as [string, string]; return Buffer.concat([Buffer.from(a), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(b)]); }, 'E_JSON'],
    ];
    for (const [name, edit, code] of cases) {
      for (const type of ['run.ended-early', 'step.note'] as const) {
        it(`${type}: ${name} → ${code}`, async () => {
          const dir = copy();
          const lines = readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').trimEnd().split('\n');
          const at = lines.findIndex((l) => (JSON.parse(l) as JournalRecord).type === type && l.includes('"reason":"'));
          const parts = lines.map((l, i) => (i === at ? edit(l) : Buffer.from(l)));
          writeFileSync(path.join(dir, JOURNAL_FILE), Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')])));
          resum(dir, base.keys.installation);
          const o = await both(dir, '--pin', pin);
          expect({ ts: verdictOf(o.ts), py: verdictOf(o.py) }, said(o)).toEqual({ ts: code, py: code });
          for (const line of [failLine(o.ts), failLine(o.py)]) expect(line).toMatch(new RegExp(`\\(record ${at}, line ${at + 1}\\)`));
        });
      }
    }
  });
});

/** Controls a browser would act on or hide, each with what is around it (CR LF is a line end, kept as recorded). */
function liveControls(html: string): string[] {
  return [...html.replace(/\r\n/g, '\n').matchAll(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g)].map((m) => JSON.stringify(html.slice(Math.max(0, (m.index ?? 0) - 30), (m.index ?? 0) + 10)));
}

function editFile(dir: string, name: string, edit: (text: string) => string): void {
  const file = path.join(dir, name);
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the ${name} edit changed nothing`);
  writeFileSync(file, after);
}
