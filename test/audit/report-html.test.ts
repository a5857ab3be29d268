// report.html is evidence read in a browser: it must carry the run's facts, load and run nothing, and show
// hostile text from a run (commands, outputs, notes) as text. report.pdf is that page printed by Chromium.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderReportHtml } from '../../src/main/audit/report/report-html.js';
import { REPORT_FORMAT, type Report, type ReportBlock, type ReportStep } from '../../src/main/audit/report/report-model.js';
import { DEFAULT_CHROMIUM, PdfError, chromiumArgs, renderPdfWithChromium } from '../../src/main/audit/report/report-pdf.js';

const HOSTILE = '</style><script>alert(1)</script>';
const HOSTILE_URL = 'https://evil.example/steal?x=1';
// Terminal controls in step output: title, OSC 52 clipboard write, cursor-up + erase-line, screen clear,
// 8-bit CSI, a bidi override and a bare CR that would overwrite the line.
const HOSTILE_OUTPUT = 'FAILED\rOK \u001b]0;pwned\u0007\u001b]52;c;cm0gLXJmIH4K\u0007\u001b[1A\u001b[2K\u001b[2J\u009b2J \u202eevil\u202c';
/** A control character a browser, a terminal or a PDF viewer would act on or hide; none may reach report.html. */
const LIVE_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
const ROOT = 'zwWArPzh4Db83EaZaJa0CViQ5qi7b2rjUzuAF92zD34=';
const RUN_ID = '693eef2e-2142-4ae4-b195-46f1495114ab';

function block(overrides: Partial<ReportBlock>): ReportBlock {
  return {
    id: 'steps/check#1',
    line: 4,
    action: 'shell',
    lang: 'bash',
    command: 'echo hello',
    commandSha256: 'c'.repeat(64),
    stateChanging: false,
    target: { name: 'db-primary', kind: 'postgres', host: 'db1.internal', port: 5432, database: 'orders', user: 'auditor' },
    ranOn: { endpoint: 'db1.internal:5432', server_version: '16.4' },
    startedAt: '2026-11-24T10:00:01.000Z',
    endedAt: '2026-11-24T10:00:02.500Z',
    durationMs: 1500,
    status: 'succeeded',
    exitCode: 0,
    signal: null,
    error: null,
    verdict: 'pass',
    reasons: [],
    ok: true,
    resultSets: [],
    notes: [],
    readOnly: { code: 'sql-read-only', detail: 'only reads' },
    env: [],
    approvals: [],
    output: null,
    records: { started: 1, finished: 3 },
    ...overrides,
  };
}

/** A step: what people did to it (skip, decisions, sign-offs, notes, fill-ins) empty unless given. */
function step(overrides: Partial<ReportStep> & Pick<ReportStep, 'id' | 'title' | 'status'>): ReportStep {
  return { line: 3, profile: null, reason: null, skip: null, decisions: [], signoffs: [], notes: [], fillIns: [], blocks: [], ...overrides };
}

function sampleReport(): Report {
  return {
    format: REPORT_FORMAT,
    run: {
      id: RUN_ID,
      profile: 'regulated',
      retentionDays: 365,
      operator: { name: 'alice', osUser: 'alice', hostname: 'ops-laptop' },
      installation: { id: '4e6feb6693407f1b', publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJXM installation' },
      startedAt: '2026-11-24T10:00:00.000Z',
      endedAt: '2026-11-24T10:00:09.000Z',
      outcome: 'failed',
      counts: { succeeded: 1, failed: 1, skipped: 1 },
      endedEarly: null,
    },
    runbook: { path: '/runbooks/failover.md', title: `Failover ${HOSTILE}`, sha256: 'a'.repeat(64), text: '# Failover\n' },
    environment: { tool: { name: 'runbook-console', version: '0.1.0' }, host: { platform: 'linux' }, options: {}, variables: [] },
    seal: { size: 8, root: ROOT, checkpoint: `runbook-console/4e6feb6693407f1b/${RUN_ID}\n8\n${ROOT}\n`, signer: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJXM installation', signerFingerprint: 'SHA256:fp0123456789abcdefXYZ' },
    notDone: [
      { step: 'steps/promote', title: 'Promote the replica', what: 'failed', reason: 'exit code 2', record: null },
      { step: 'steps/announce', title: 'Announce', what: 'skipped (by operator)', reason: 'decided not to', record: 7 },
    ],
    steps: [
      step({
        id: 'steps/check',
        title: 'Check replication lag',
        status: 'succeeded',
        decisions: [{ record: 2, time: '2026-11-24T10:00:03.000Z', decision: 'promote', note: 'lag is fine', by: 'alice' }],
        blocks: [
          block({
            command: `SELECT now() - pg_last_xact_replay_timestamp(); -- ${HOSTILE}`,
            lang: 'sql',
            action: 'sql',
            resultSets: [{ command: 'SELECT 1', columns: ['lag'], rowCount: 1 }],
            notes: [`note with quotes " ' & ${HOSTILE_URL}`],
            output: {
              blob: `blobs/${'b'.repeat(64)}`,
              sha256: 'b'.repeat(64),
              bytes: 5123,
              stdout: { sha256: 'd'.repeat(64), bytes: 5000 },
              stderr: { sha256: 'e'.repeat(64), bytes: 123 },
              excerpt: `lag 00:00:01\n<img src=x onerror=alert(1)>\n\u001b[31mred\u001b[0m\n${HOSTILE_OUTPUT}\n… 1027 bytes not shown …\nend`,
              excerptTruncated: true,
            },
          }),
        ],
      }),
      step({
        id: 'steps/promote',
        title: 'Promote the replica',
        line: 9,
        profile: 'regulated',
        status: 'failed',
        reason: 'exit code 2',
        blocks: [
          block({
            id: 'steps/promote#1',
            command: 'pg_ctl promote -D /var/lib/postgresql/16/main',
            stateChanging: true,
            target: { name: 'db2', kind: 'ssh', host: 'db2.internal', port: 22, user: 'postgres', jump: null },
            ranOn: null,
            status: 'failed',
            exitCode: 2,
            signal: null,
            error: 'pg_ctl: server is not in standby mode',
            verdict: null,
            reasons: ['exit code 2 is not 0'],
            ok: false,
            records: { started: 4, finished: 6 },
            startedAt: '2026-11-24T10:00:04.000Z',
            endedAt: '2026-11-24T10:00:06.000Z',
            readOnly: { code: 'shell-command-not-allowed', detail: 'pg_ctl is not on the read-only list' },
            approvals: [{ record: 5, time: '2026-11-24T10:00:05.000Z', approver: 'bob', granted: true, code: null, reason: null, fingerprint: 'SHA256:bobfp' }],
          }),
        ],
      }),
      step({ id: 'steps/announce', title: 'Announce', line: 15, status: 'skipped', reason: 'decided not to', skip: { record: 7, by: 'operator', code: null, refusal: null, reason: 'decided not to' } }),
    ],
    events: [
      { seq: 2, type: 'decision', time: '2026-11-24T10:00:03.000Z', data: { step: { id: 'steps/check' }, choice: 'promote' } },
      // An approval is shown with the block whose step.started it names (started.seq), recorded while that block was open.
      { seq: 5, type: 'approval', time: '2026-11-24T10:00:05.000Z', data: { step: { id: 'steps/promote' }, block: { id: 'steps/promote#1' }, started: { seq: 4, sha256: 'c'.repeat(64) }, approver: 'bob', granted: true, fingerprint: 'SHA256:bobfp', signature: '-----BEGIN SSH SIGNATURE-----' } },
    ],
    warnings: [{ code: 'W_SIGNER_UNCHECKED', record: 8, detail: `signed by SHA256:fp; hostile ${HOSTILE}` }],
    records: [
      { seq: 0, type: 'run.started', time: '2026-11-24T10:00:00.000Z', data: {} },
      { seq: 7, type: 'step.skipped', time: '2026-11-24T10:00:08.000Z', data: { step: { id: 'steps/announce', title: 'Announce' }, reason: 'decided not to' } },
      { seq: 8, type: 'run.finished', time: '2026-11-24T10:00:09.000Z', data: { ok: false } },
    ],
    verification: {
      journalSha256: 'f'.repeat(64),
      records: 9,
      commands: ['sha256sum -c SHA256SUMS', 'ssh-keygen -Y verify -f allowed_signers -I installation-4e6feb6693407f1b -n runbook-console-checkpoint -s checkpoint.txt.sig < checkpoint.txt', 'python3 verify.py .'],
    },
    generatedAt: '2026-11-24T10:01:00.000Z',
  };
}

/** Every tag's name and attribute names: escaped text holds no raw `<`, so every match is markup we wrote. */
function markup(html: string): { tags: Set<string>; attributes: Set<string> } {
  const tags = new Set<string>();
  const attributes = new Set<string>();
  for (const m of html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    tags.add((m[1] as string).toLowerCase());
    // Quoted values are consumed whole, so `content="width=…"` is one attribute, not two.
    for (const a of (m[2] as string).matchAll(/\s([\w-]+)(?:="[^"]*"|='[^']*'|=[^\s>]*)?/g)) attributes.add((a[1] as string).toLowerCase());
  }
  return { tags, attributes };
}

describe('escapeHtml', () => {
  it('escapes markup, quotes and ampersands, and makes control characters visible', () => {
    expect(escapeHtml(`${HOSTILE}"'&`)).toBe('&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(escapeHtml('a\u001b[0m\u0000\u007f\tb\nc')).toBe('a\u241b[0m\u2400\u2421\tb\nc');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    expect(escapeHtml('\u009b2J\u202e\r\r\n')).toBe('&lt;U+009B&gt;2J&lt;U+202E&gt;\u240d\r\n');
  });
});

describe('renderReportHtml', () => {
  const html = renderReportHtml(sampleReport());

  it('is one self-contained document with a strict CSP and no scripts or external resources', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script/i);
    const { tags, attributes } = markup(html);
    expect([...tags].filter((t) => ['script', 'iframe', 'img', 'link', 'object', 'embed', 'form', 'a', 'base'].includes(t))).toEqual([]);
    const allowed = new Set(['charset', 'class', 'content', 'http-equiv', 'id', 'lang', 'name']);
    expect([...attributes].filter((a) => !allowed.has(a))).toEqual([]);
    expect(html).toMatch(/@media print/);
    // The only URL is the one a user typed, and it sits escaped in text, never in an attribute.
    const urls = [...html.matchAll(/https?:\/\//g)].length;
    expect(urls).toBe(1);
    expect(html).toContain(escapeHtml(HOSTILE_URL));
    const clean = sampleReport();
    (clean.steps[0]?.blocks[0] as ReportBlock).notes = ['no links here'];
    expect(renderReportHtml(clean)).not.toMatch(/https?:\/\//);
  });

  it('shows hostile text from the run as text', () => {
    expect(html).toContain(`Failover ${escapeHtml(HOSTILE)}`);
    expect(html).not.toMatch(LIVE_CONTROL);
    expect(html).toContain('FAILED\u240dOK \u241b]0;pwned\u2407\u241b]52;c;cm0gLXJmIH4K\u2407\u241b[1A\u241b[2K\u241b[2J&lt;U+009B&gt;2J &lt;U+202E&gt;evil&lt;U+202C&gt;');
    expect(html).toContain(`-- ${escapeHtml(HOSTILE)}`);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('\u241b[31mred');
    expect(html).toContain('note with quotes &quot; &#39; &amp; ');
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img');
  });

  it('carries the summary: run, outcome, profile, operator, installation, times, counts and seal', () => {
    for (const fact of [RUN_ID, 'failed', 'regulated', 'alice (alice@ops-laptop)', '4e6feb6693407f1b', '2026-11-24T10:00:00.000Z', '2026-11-24T10:00:09.000Z', 'succeeded 1, failed 1, skipped 1', ROOT, 'SHA256:fp0123456789abcdefXYZ', '/runbooks/failover.md', '365 days']) {
      expect(html, fact).toContain(fact);
    }
    expect(html).toMatch(/<dt>Sealed records<\/dt><dd>8<\/dd>/);
    expect(html).toContain('<code>W_SIGNER_UNCHECKED</code> (record 8)');
    // Not sealed early (endedEarly null, as for every format-1 journal): no such row.
    expect(html).not.toContain('Sealed early');
    expect(html).toContain('<dt>Ended</dt><dd>2026-11-24T10:00:09.000Z</dd><dt>Steps</dt>');
  });

  it('lists the timeline in record order, with events, block starts and ends, skips and the run end', () => {
    const timeline = html.slice(html.indexOf('<section id="timeline">'), html.indexOf('</section>', html.indexOf('<section id="timeline">')));
    const seqs = [...timeline.matchAll(/<td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(timeline).toContain('choice: promote');
    expect(timeline).toContain('Announce: decided not to');
    // A signature is cut from the timeline (report.json keeps it) so a row stays readable.
    expect(timeline).not.toContain('BEGIN SSH SIGNATURE');
  });

  it('shows each block: command, target, who and when, outcome, result sets, notes, approvals and output', () => {
    expect(html).toMatch(/<pre class="command">pg_ctl promote -D \/var\/lib\/postgresql\/16\/main<\/pre>/);
    for (const fact of ['db2.internal', 'postgres', 'orders', 'db1.internal:5432', 'state-changing', 'pg_ctl: server is not in standby mode', 'exit code 2 is not 0', 'SELECT 1', 'granted</span> approver bob, key SHA256:bobfp', 'shell-command-not-allowed</code> — pg_ctl is not on the read-only list', '5123', 'b'.repeat(64), '5000 bytes, SHA-256 ' + 'd'.repeat(64), '1500 ms', 'Promote the replica', 'decided not to']) {
      expect(html, fact).toContain(fact);
    }
    expect(html).toMatch(/<dt>Exit code<\/dt><dd>2<\/dd>/);
    expect(html).toMatch(/<dt>Verdict<\/dt><dd>pass<\/dd>/);
  });

  it('starts with what was not done, and shows who skipped and decided, with the record that says so', () => {
    const top = html.slice(html.indexOf('<section id="not-done">'), html.indexOf('<section id="summary">'));
    expect(top).toContain('<b>Promote the replica</b> <span class="muted">(steps/promote)</span>: failed — <span class="text">exit code 2</span>');
    expect(top).toContain('skipped (by operator) — <span class="text">decided not to</span> <span class="muted">record 7</span>');
    expect(html).toContain('Skipped by <b>operator</b>: <span class="text">decided not to</span> <span class="muted">record 7</span>');
    expect(html).toContain('Decided <b><span class="text">promote</span></b> by alice: <span class="text">lag is fine</span> <span class="muted">record 2, 2026-11-24T10:00:03.000Z</span>');
  });

  it('ends with how to verify, commands escaped', () => {
    const verify = html.slice(html.indexOf('<section id="verify">'));
    expect(verify).toContain('<pre>sha256sum -c SHA256SUMS</pre>');
    expect(verify).toContain('-s checkpoint.txt.sig &lt; checkpoint.txt</pre>');
    expect(verify).toContain('f'.repeat(64));
  });

  it('says so when the run was never sealed', () => {
    const report = sampleReport();
    report.seal = null;
    expect(renderReportHtml(report)).toContain('This run was never sealed.');
  });
});

describe('renderPdfWithChromium', () => {
  it('runs without the sandbox only as root', () => {
    expect(chromiumArgs('r.html', 'r.pdf', '/tmp/p', true)).toContain('--no-sandbox');
    expect(chromiumArgs('r.html', 'r.pdf', '/tmp/p', false)).not.toContain('--no-sandbox');
    expect(chromiumArgs('/a b/r.html', 'r.pdf', '/tmp/p', false).at(-1)).toBe('file:///a%20b/r.html');
  });

  it('says how to get Chromium when it is missing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'report-pdf-'));
    writeFileSync(path.join(dir, 'r.html'), '<!DOCTYPE html><title>t</title>');
    const attempt = renderPdfWithChromium(path.join(dir, 'r.html'), path.join(dir, 'r.pdf'), { chromium: path.join(dir, 'no-chromium') });
    await expect(attempt).rejects.toThrow(PdfError);
    await expect(attempt).rejects.toThrow(/--pdf needs Chromium \(apt-get install chromium\)/);
  });

  const haveChromium = existsSync(DEFAULT_CHROMIUM);
  if (!haveChromium) console.warn(`skipped: PDF rendering (${DEFAULT_CHROMIUM} is missing; apt-get install chromium)`);

  it.skipIf(!haveChromium)('prints the report to a PDF', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'report-pdf-'));
    writeFileSync(path.join(dir, 'report.html'), renderReportHtml(sampleReport()));
    await renderPdfWithChromium(path.join(dir, 'report.html'), path.join(dir, 'report.pdf'));
    const pdf = readFileSync(path.join(dir, 'report.pdf'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(1000);
  }, 20_000);
});

// What people wrote into a run — a note, a decision's note, a skip reason, a sign-off's name, a fill-in's value, a
// variable's name and value, a change of what was recorded (from, to, why), why the run was sealed early — is the
// operator's or anyone's text: markup, a closing script tag, bidi controls and very long text must reach
// report.html as inert text, whole.
describe('hostile text people wrote into the run', () => {
  const SCRIPT = '</script><script>alert(document.domain)</script><!--';
  const BIDI = 'approved \u202egnp.exe\u202c \u2066x\u2069 \u200f';
  const LONG = `${'A'.repeat(200_000)}<b>end</b>`;
  const hostile = (tag: string) => `${tag} ${SCRIPT} ${BIDI} ${HOSTILE} "q" 'a' &amp;`;
  const report = sampleReport();
  const first = report.steps[0] as ReportStep;
  first.notes = [
    { record: 10, time: '2026-11-24T10:00:03.000Z', by: hostile('by'), text: hostile('note'), mark: null, note: null, binding: null, change: null, from: null, to: null, reason: null },
    { record: 11, time: '2026-11-24T10:00:03.000Z', by: 'alice', text: LONG, mark: null, note: null, binding: null, change: null, from: null, to: null, reason: null },
    { record: 12, time: '2026-11-24T10:00:03.000Z', by: 'alice', text: null, mark: 'fail', note: hostile('mark'), binding: null, change: null, from: null, to: null, reason: null },
    { record: 17, time: '2026-11-24T10:00:04.000Z', by: 'alice', text: null, mark: null, note: null, binding: null, change: 'decision', from: hostile('from'), to: hostile('to'), reason: hostile('because') },
  ];
  report.run.endedEarly = { record: 18, time: '2026-11-24T10:00:05.000Z', by: hostile('sealer'), reason: hostile('early'), unfinished: [{ step: hostile('unfinished'), title: hostile('title'), what: 'failed' }] };
  first.decisions = [{ record: 13, time: '2026-11-24T10:00:03.000Z', decision: hostile('decision'), note: hostile('why'), by: 'alice' }];
  first.skip = { record: 14, by: 'operator', code: null, refusal: null, reason: hostile('skip') };
  first.signoffs = [{ record: 15, time: '2026-11-24T10:00:03.000Z', name: hostile('name'), role: 'Reviewer', date: '2026-12-04', principal: 'x', method: 'pasted', accepted: false, fingerprint: null, code: 'bad-signature', reason: hostile('refusal') }];
  first.fillIns = [{ record: 16, time: '2026-11-24T10:00:03.000Z', label: hostile('label'), value: hostile('value') }];
  report.environment.variables = [
    { name: hostile('variable'), secret: true, source: 'option' },
    { name: 'API_TOKEN', secret: true, source: 'operator', value: null },
    { name: 'TARGET_HOST', secret: false, source: 'option', value: hostile('variable value') },
  ];
  report.notDone = [{ step: hostile('step'), title: null, what: 'failed', reason: hostile('reason'), record: null }];
  const page = renderReportHtml(report);

  for (const tag of ['by', 'note', 'mark', 'decision', 'why', 'skip', 'name', 'refusal', 'label', 'value', 'variable', 'variable value', 'step', 'reason', 'from', 'to', 'because', 'sealer', 'early']) {
    it(`shows the ${tag} as text`, () => expect(page).toContain(escapeHtml(hostile(tag))));
  }
  it('opens no script, comment or tag of the run\'s own, and passes no live control character', () => {
    expect(page).not.toMatch(/<script|<!--|<\/script/i);
    expect(page).not.toContain('<b>end</b>');
    expect(page).not.toMatch(LIVE_CONTROL);
    expect(page).toContain('gnp.exe&lt;U+202C&gt;');
    const { tags } = markup(page);
    expect([...tags].filter((t) => !['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'h4', 'h5', 'p', 'section', 'dl', 'dt', 'dd', 'pre', 'ul', 'ol', 'li', 'span', 'code', 'b', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'article', 'div'].includes(t))).toEqual([]);
  });
  it('keeps very long text whole, wrapping it rather than cutting it', () => {
    expect(page).toContain(`<span class="text">${'A'.repeat(200_000)}&lt;b&gt;end&lt;/b&gt;</span>`);
    expect(page).toMatch(/\.text \{ white-space: pre-wrap; overflow-wrap: anywhere; \}/);
  });
  it('says a variable is secret, and shows a value only where the journal holds one (never a secret\'s)', () => {
    expect(page).toContain('<span class="badge warn">secret</span>');
    expect(page).toContain('never a secret\'s');
    const rows = page.slice(page.indexOf('<section id="variables">'), page.indexOf('</section>', page.indexOf('<section id="variables">')));
    expect(rows).toContain(`<td>option</td><td><span class="muted">not recorded</span></td></tr>`); // format 1: no value field
    expect(rows).toContain(`<td>API_TOKEN</td><td><span class="badge warn">secret</span></td><td>operator</td><td><span class="muted">not recorded (secret)</span></td></tr>`);
    expect(rows).toContain(`<td>TARGET_HOST</td><td>no</td><td>option</td><td><code>${escapeHtml(hostile('variable value'))}</code></td></tr>`);
  });
  it('says the run was sealed early, by whom, with how many steps unfinished and why, and shows the change whole', () => {
    expect(page).toContain(`<dt>Sealed early</dt><dd>by ${escapeHtml(hostile('sealer'))}, 1 step(s) unfinished: ${escapeHtml(hostile('early'))} (record 18)</dd>`);
    expect(page).toContain(`<li>alice: changed the decision from <b><span class="text">${escapeHtml(hostile('from'))}</span></b> to <b><span class="text">${escapeHtml(hostile('to'))}</span></b>: <span class="text">${escapeHtml(hostile('because'))}</span> <span class="muted">record 17, `);
  });
});
