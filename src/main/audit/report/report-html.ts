// report.html: a rendering of report.json for people. It is evidence too, so it is one self-contained file
// that loads nothing and runs nothing: no scripts, no external resources, a CSP that forbids both should
// a hostile string ever get past the escaping, and every value taken from the run passes through escapeHtml.
import { neutralise } from '../../../shared/terminal-text.js';
import type { Report, ReportBlock, ReportEvent, ReportNotDone, ReportStep } from './report-model.js';

// The CSP is the second line of defence: even unescaped markup could not fetch or execute anything.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text as HTML character data or a quoted attribute value. Control characters first become visible and
 * inert (neutralise: ESC → ␛, C1 and bidi controls → <U+XXXX>, a stray CR → ␍; tab and newlines stay):
 * HTML treats most as parse errors, bidi overrides would reorder what an auditor reads, and a terminal
 * escape sequence in an output would otherwise be invisible in the very record meant to show it.
 */
export function escapeHtml(text: string): string {
  return neutralise(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** Any recorded value as text: records hold JSON, so objects and arrays are shown as compact JSON. */
function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const esc = (value: unknown) => escapeHtml(show(value));

/** A definition list of label → value; the labels are ours, the values are escaped. */
function facts(rows: [string, unknown][]): string {
  return `<dl>${rows.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${esc(value)}</dd>`).join('')}</dl>`;
}

/** A recorded object (target, ran-on details) with every key shown, in the order recorded. */
function objectFacts(object: Record<string, unknown> | null): string {
  if (!object || Object.keys(object).length === 0) return '<p class="muted">—</p>';
  return facts(Object.entries(object));
}

// Class names come from this fixed map, never from recorded text.
function statusClass(status: string | null, ok: boolean | null = null): string {
  if (ok === true || status === 'succeeded' || status === 'ok') return 'good';
  if (ok === false || status === 'failed' || status === 'error' || status === 'refused' || status === 'timeout') return 'bad';
  return 'neutral';
}

const badge = (text: string, cls: string) => `<span class="badge ${cls}">${escapeHtml(text)}</span>`;

// Event data is free-form; long values (signatures, checkpoint texts) are cut here and kept whole in report.json.
const EVENT_VALUE_CHARS = 160;
const HIDDEN_EVENT_KEYS = new Set(['signature', 'consistency_proof', 'text', 'signer']);

function eventSummary(event: ReportEvent): string {
  return Object.entries(event.data)
    .filter(([key]) => !HIDDEN_EVENT_KEYS.has(key))
    .map(([key, value]) => {
      const text = show(value);
      return `${key}: ${text.length > EVENT_VALUE_CHARS ? `${text.slice(0, EVENT_VALUE_CHARS)}…` : text}`;
    })
    .join('; ');
}

export interface TimelineEntry {
  seq: number;
  time: string;
  what: string;
  detail: string;
}

/** The parts of a report the page's head, summary, warnings and "how to verify" need (no per-record arrays). */
export type ReportHead = Omit<Report, 'steps' | 'events' | 'records'>;
/** A step without its blocks (its heading). */
export type ReportStepHead = Omit<ReportStep, 'blocks'>;

export function blockStartedEntry(stepTitle: string, block: ReportBlock): TimelineEntry {
  return { seq: block.records.started, time: block.startedAt, what: 'block started', detail: `${stepTitle} — block ${block.id} on ${show(block.target.name ?? block.target.kind)}` };
}

export function blockFinishedEntry(stepTitle: string, block: ReportBlock): TimelineEntry {
  return { seq: block.records.finished as number, time: block.endedAt ?? '', what: 'block finished', detail: `${stepTitle} — block ${block.id}: ${block.status}${block.exitCode === null ? '' : `, exit ${block.exitCode}`}` };
}

export function eventEntry(event: ReportEvent): TimelineEntry {
  return { seq: event.seq, time: event.time, what: event.type, detail: eventSummary(event) };
}

/** Skipped steps and the run's own start and end are not events in the model; the full records carry them. */
export function recordEntry(record: Record<string, unknown>, runbookTitle: string): TimelineEntry | null {
  const type = record.type;
  if (type !== 'run.started' && type !== 'run.finished' && type !== 'step.skipped') return null;
  const data = (record.data ?? {}) as Record<string, unknown>;
  const step = (data.step ?? {}) as Record<string, unknown>;
  const detail = type === 'step.skipped' ? `${show(step.title ?? step.id)}: ${show(data.reason)}` : type === 'run.finished' ? `ok: ${show(data.ok)}` : `runbook ${runbookTitle}`;
  return { seq: Number(record.seq), time: String(record.time), what: type, detail };
}

/** Events and block starts/ends, plus the run's skipped steps and its start and end, in record order. */
function timeline(report: Report): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const step of report.steps) {
    for (const block of step.blocks) {
      entries.push(blockStartedEntry(step.title as string, block));
      if (block.records.finished !== null) entries.push(blockFinishedEntry(step.title as string, block));
    }
  }
  for (const event of report.events) entries.push(eventEntry(event));
  for (const record of report.records) {
    const entry = recordEntry(record, report.runbook.title);
    if (entry) entries.push(entry);
  }
  return entries.sort((a, b) => a.seq - b.seq);
}

/** The summary's line for a run sealed with steps unfinished (none otherwise). */
function endedEarlyRow(early: ReportHead['run']['endedEarly']): [string, unknown][] {
  if (!early) return [];
  return [['Sealed early', `by ${early.by}, ${early.unfinished.length} step(s) unfinished: ${early.reason ?? 'no reason given'} (record ${early.record})`]];
}

function summarySection(report: ReportHead): string {
  const { run, seal } = report;
  const counts = Object.entries(run.counts).map(([status, n]) => `${status} ${n}`).join(', ');
  const tool = report.environment.tool;
  return `<section id="summary"><h2>Summary</h2>
${facts([
  ['Runbook', report.runbook.title],
  ['Runbook file', report.runbook.path],
  ['Runbook SHA-256', report.runbook.sha256],
  ['Run id', run.id],
  ['Outcome', run.outcome],
  ['Profile', run.profile],
  ['Operator', `${run.operator.name} (${run.operator.osUser}@${run.operator.hostname})`],
  ['Installation', run.installation.id],
  ['Started', run.startedAt],
  ['Ended', run.endedAt],
  ...endedEarlyRow(run.endedEarly),
  ['Steps', counts],
  ['Records', report.verification.records],
  ['Retention', run.retentionDays === null ? null : `${run.retentionDays} days`],
  ...storeRow(run.store),
  ['Tool', `${show(tool.name)} ${show(tool.version)}`],
])}
<h3>Seal</h3>
${
  seal
    ? `${facts([
        ['Sealed records', seal.size],
        ['Merkle root', seal.root],
        ['Signer fingerprint', seal.signerFingerprint],
        ['Signer key', seal.signer],
      ])}<pre>${escapeHtml(seal.checkpoint)}</pre>`
    : '<p class="bad">This run was never sealed.</p>'
}
</section>`;
}

function warningsSection(report: ReportHead): string {
  const items = report.warnings.map((w) => `<li><code>${escapeHtml(w.code)}</code>${w.record === null ? '' : ` (record ${w.record})`}: ${escapeHtml(w.detail)}</li>`);
  return `<section id="warnings"><h2>Warnings</h2>${items.length ? `<ul class="warnings">${items.join('')}</ul>` : '<p class="muted">None.</p>'}</section>`;
}

export function timelineRow(e: TimelineEntry): string {
  return `<tr><td class="num">${e.seq}</td><td class="nowrap">${esc(e.time)}</td><td class="nowrap">${esc(e.what)}</td><td>${esc(e.detail)}</td></tr>`;
}

/** The team store row, only for a run that shipped to one (journal format 4). */
function storeRow(store: Report['run']['store']): [string, unknown][] {
  if (!store) return [];
  return [['Team store', `${store.url}; state-changing steps ${store.gate ? 'waited until it held every record' : 'did not wait for it (store gate off)'}`]];
}

/** Who, from which record and when: `record 12, 2026-…Z` (the record's seq and time as journaled). */
const when = (r: { record: number; time: string }) => `<span class="muted">record ${r.record}, ${esc(r.time)}</span>`;

/** The approvals of a block (the approval records naming its step.started, recorded while it was open). */
function approvalsList(block: ReportBlock): string {
  if (block.approvals.length === 0) return '';
  const items = block.approvals.map((a) => {
    const what = a.granted ? badge('granted', 'good') : badge(a.code === 'withdrawn' ? 'withdrawn' : a.code === 'timed-out' ? 'timed out' : 'refused', 'bad');
    const key = a.fingerprint ? `, key ${esc(a.fingerprint)}` : '';
    return `<li>${what} approver ${esc(a.approver)}${key}${a.code ? `, code <code>${esc(a.code)}</code>: <span class="text">${esc(a.reason)}</span>` : ''} ${when(a)}</li>`;
  });
  return `<h5>Approvals</h5><ul>${items.join('')}</ul>`;
}

export function blockSection(operator: Report['run']['operator'], block: ReportBlock): string {
  const resultSets = block.resultSets.map((r) => `<tr><td>${esc(r.command)}</td><td>${esc(r.columns.join(', '))}</td><td class="num">${esc(r.rowCount)}</td></tr>`);
  const output = block.output;
  return `<article class="block">
<h4>Block ${esc(block.id)} <span class="muted">(line ${block.line}, ${esc(block.action)}${block.lang ? `, ${esc(block.lang)}` : ''})</span> ${badge(block.status, statusClass(block.status, block.ok))}${block.stateChanging ? ` ${badge('state-changing', 'warn')}` : ''}</h4>
<p class="muted">Read-only check: <code>${esc(block.readOnly.code)}</code> — ${esc(block.readOnly.detail)}</p>
<h5>Command</h5><pre class="command">${escapeHtml(block.command)}</pre>
<p class="hash">SHA-256 ${esc(block.commandSha256)}</p>
<div class="columns"><div><h5>Target</h5>${objectFacts(block.target)}</div><div><h5>Ran on</h5>${objectFacts(block.ranOn)}</div></div>
<h5>Who and when</h5>
${facts([
  ['Operator', `${operator.name} (${operator.osUser}@${operator.hostname})`],
  ['Started', block.startedAt],
  ['Ended', block.endedAt],
  ['Duration', block.durationMs === null ? null : `${block.durationMs} ms`],
  ['Records', `${block.records.started} (started), ${block.records.finished ?? '—'} (finished)`],
  ['Environment variables given (names only)', block.env.join(', ')],
])}
${approvalsList(block)}
<h5>Outcome</h5>
${facts([
  ['Status', block.status],
  ['Exit code', block.exitCode],
  ['Signal', block.signal],
  ['Verdict', block.verdict],
  ['Error', block.error],
])}
${block.reasons.length ? `<ul>${block.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : ''}
${resultSets.length ? `<h5>Result sets</h5><table><thead><tr><th>Command</th><th>Columns</th><th>Rows</th></tr></thead><tbody>${resultSets.join('')}</tbody></table>` : ''}
${block.notes.length ? `<h5>Notes</h5><ul>${block.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
${
  output
    ? `<h5>Output</h5>
${facts([
  ['SHA-256', output.sha256],
  ['Bytes', output.bytes],
  ['Blob', output.blob],
  ['stdout', output.stdout ? `${output.stdout.bytes} bytes, SHA-256 ${output.stdout.sha256}` : null],
  ['stderr', output.stderr ? `${output.stderr.bytes} bytes, SHA-256 ${output.stderr.sha256}` : null],
])}
${output.excerptTruncated ? '<p class="muted">Excerpt: the start and end of the output; the whole output is the blob named above.</p>' : ''}
<pre class="output">${escapeHtml(output.excerpt)}</pre>`
    : '<p class="muted">No output was recorded.</p>'
}
</article>`;
}

const list = (title: string, items: string[]) => (items.length ? `<h4>${title}</h4><ul>${items.join('')}</ul>\n` : '');
const text = (value: unknown) => `<span class="text">${esc(value)}</span>`;

/** A step's heading and what people did to it: its skip, decisions, sign-offs, notes and fill-ins, each from its record. */
function stepHead(step: ReportStepHead, index: number): string {
  const line = step.line === null ? 'no heading recorded' : `runbook line ${step.line}`;
  const skip = step.skip;
  const skipped = skip
    ? `<p class="skip">Skipped by <b>${esc(skip.by)}</b>${skip.code ? ` (<code>${esc(skip.code)}</code>)` : ''}${skip.by === 'refused' ? ` (refusal <code>${esc(skip.refusal)}</code>)` : ''}: ${text(skip.reason)} <span class="muted">record ${skip.record}</span></p>\n`
    : '';
  const decisions = step.decisions.map((d) => `<li>Decided <b>${text(d.decision)}</b> by ${esc(d.by)}${d.note === null ? '' : `: ${text(d.note)}`} ${when(d)}</li>`);
  const signoffs = step.signoffs.map((s) => {
    const verdict = s.accepted ? badge('signed', 'good') : `${badge('refused', 'bad')} code <code>${esc(s.code)}</code>: ${text(s.reason)}`;
    return `<li>${verdict} ${esc(s.role)}: ${esc(s.name)}, dated ${esc(s.date)} — principal ${esc(s.principal)}, key ${esc(s.fingerprint)}, method ${esc(s.method)} ${when(s)}</li>`;
  });
  const notes = step.notes.map((n) => {
    const b = n.binding;
    const changed = `changed the ${esc(n.change)} from <b>${text(n.from)}</b> to <b>${text(n.to)}</b>: ${text(n.reason)}`;
    const what = n.text !== null ? text(n.text) : b ? `bound block ${esc(b.block)} to target ${esc(b.target)} (${esc(b.kind)}, ${esc(b.endpoint)})` : n.change !== null ? changed : `marked ${esc(n.mark)}${n.note === null ? '' : `: ${text(n.note)}`}`;
    return `<li>${esc(n.by)}: ${what} ${when(n)}</li>`;
  });
  const fillIns = step.fillIns.map((f) => `<li>${esc(f.label)}: ${text(f.value)} ${when(f)}</li>`);
  return `<section class="step">
<h3>${index + 1}. ${esc(step.title ?? step.id)} ${badge(step.status, statusClass(step.status))}</h3>
<p class="muted">Step ${esc(step.id)}, ${line}${step.profile ? `, profile ${esc(step.profile)}` : ''}${step.reason ? ` — ${esc(step.reason)}` : ''}</p>
${skipped}${list('Decisions', decisions)}${list('Sign-offs', signoffs)}${list('Notes', notes)}${list('Fill-ins (values as journaled)', fillIns)}`;
}

/** The top of the report: what was not done, each naming its step and the record that says so. */
function notDoneSection(items: readonly ReportNotDone[]): string {
  const rows = items.map((n) => `<li><b>${esc(n.title ?? n.step)}</b> <span class="muted">(${esc(n.step)})</span>: ${esc(n.what)}${n.reason === null ? '' : ` — ${text(n.reason)}`}${n.record === null ? '' : ` <span class="muted">record ${n.record}</span>`}</li>`);
  return `<section id="not-done"><h2>What was not done</h2>${rows.length ? `<ul class="not-done">${rows.join('')}</ul>` : '<p class="muted">Every step the journal names succeeded.</p>'}</section>`;
}

/** The run's variables as run.started records them: name, secret or not, source, and (format 2) the value it started with. */
function variablesSection(report: ReportHead): string {
  const rows = report.environment.variables.map((v) => {
    const { name, secret, source } = (v ?? {}) as { name?: unknown; secret?: unknown; source?: unknown };
    const value = (v ?? {}) as { value?: unknown };
    const shown = !('value' in value) ? '<span class="muted">not recorded</span>' : value.value === null ? '<span class="muted">not recorded (secret)</span>' : `<code>${esc(value.value)}</code>`;
    return `<tr><td>${esc(name)}</td><td>${secret === true ? badge('secret', 'warn') : 'no'}</td><td>${esc(source)}</td><td>${shown}</td></tr>`;
  });
  return `<section id="variables"><h2>Variables</h2>
<p class="muted">The journal records each variable's name, whether it is secret, where its value came from and (journal format 2) the value the run started with: never a secret's, nor one holding a secret known then. Values given during the run are shown with their steps as journaled (a secret's masked); a block lists the names of the environment variables it got.</p>
${rows.length ? `<table><thead><tr><th>Name</th><th>Secret</th><th>Source</th><th>Value</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p class="muted">None.</p>'}
</section>`;
}

function verifySection(report: ReportHead): string {
  const { verification } = report;
  return `<section id="verify"><h2>How to verify</h2>
<p>Run these in the evidence bundle's directory, offline. <code>VERIFY.md</code> explains what each proves.</p>
<ol class="commands">${verification.commands.map((c) => `<li><pre>${escapeHtml(c)}</pre></li>`).join('')}</ol>
${facts([
  ['Journal SHA-256', verification.journalSha256],
  ['Journal records', verification.records],
  ['As of (the last record)', report.generatedAt],
])}
</section>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #1a1a1a; margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ccc; margin-top: 2em; }
h4 { margin: 0 0 0.5em; } h5 { margin: 1em 0 0.3em; font-size: 0.95em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em; margin: 0.3em 0; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
pre { background: #f5f5f5; border: 1px solid #ddd; padding: 0.5em; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; } th { white-space: nowrap; } th, td { border: 1px solid #ddd; padding: 0.2em 0.4em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.num { text-align: right; white-space: nowrap; } .nowrap { white-space: nowrap; } .muted { color: #666; } .hash { font-family: monospace; font-size: 11px; color: #555; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; } .skip { font-weight: 600; }
.block { border: 1px solid #ccc; border-radius: 4px; padding: 0.8em; margin: 0.8em 0; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.badge { font-size: 0.75em; padding: 0.1em 0.5em; border-radius: 3px; border: 1px solid; vertical-align: middle; }
.good { color: #135e13; } .bad { color: #a11; } .warn { color: #8a5a00; } .neutral { color: #444; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; } h3, h4, h5 { break-after: avoid; }
  .block, tr, dl { break-inside: avoid; }
  pre { break-inside: auto; }
}
`;

/** A labelled piece of the page: `label` names the part of the page it is, for a verifier's message. */
export type HtmlPiece<T> = { label: string; text: string } | T;

/**
 * The page in order: fixed text (labelled) and, where a part has one entry per record or per block, what
 * the caller gives for it (`timeline`: the rows, in record order; each step's `blocks`: its blocks' sections
 * joined by a newline). renderReportHtml gives the text; a verifier gives the hash of the text it expects.
 */
export function reportHtmlPieces<T>(report: ReportHead, timelineRows: T, steps: readonly { step: ReportStepHead; blocks: T }[]): HtmlPiece<T>[] {
  const pieces: HtmlPiece<T>[] = [
    {
      label: 'the head and summary',
      text: `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Run report: ${esc(report.runbook.title)} (${esc(report.run.id)})</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(report.runbook.title)}</h1><p>Run ${esc(report.run.id)} — ${badge(report.run.outcome, statusClass(report.run.outcome))}</p></header>
${notDoneSection(report.notDone)}
${summarySection(report)}
${variablesSection(report)}
`,
    },
    { label: 'the warnings', text: `${warningsSection(report)}\n` },
    { label: 'the timeline', text: '<section id="timeline"><h2>Timeline</h2>\n<table><thead><tr><th>Record</th><th>Time (UTC)</th><th>What</th><th>Detail</th></tr></thead><tbody>' },
    timelineRows,
    { label: 'the timeline', text: '</tbody></table></section>\n<section id="steps"><h2>Steps</h2>\n' },
  ];
  if (steps.length === 0) pieces.push({ label: 'the steps', text: '<p class="muted">No steps ran.</p>' });
  steps.forEach(({ step, blocks }, k) => {
    pieces.push({ label: `step ${k + 1} (${step.id})`, text: `${k > 0 ? '\n' : ''}${stepHead(step, k)}` }, blocks, { label: `step ${k + 1} (${step.id})`, text: '\n</section>' });
  });
  pieces.push({ label: 'how to verify', text: `\n</section>\n${verifySection(report)}\n</body>\n</html>\n` });
  return pieces;
}

export function renderReportHtml(report: Report): string {
  const rows = timeline(report).map(timelineRow).join('');
  const steps = report.steps.map((step) => ({ step, blocks: step.blocks.map((b) => blockSection(report.run.operator, b)).join('\n') }));
  return reportHtmlPieces(report, rows, steps)
    .map((p) => (typeof p === 'string' ? p : p.text))
    .join('');
}
