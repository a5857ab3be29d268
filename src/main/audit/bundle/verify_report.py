"""report.json and report.html as the journal gives them (E_REPORT). Read last, after verify_signatures.py.

`runbook export` writes both reports with src/main/audit/report/ from the journal, its blobs and who signed the bundle
alone; `runbook verify` builds them again and demands the same bytes. This is that builder again, to be read beside
build-report.ts (ReportAssembler, streaming), report-html.ts and report-segments.ts: same order, same names. Records
come read through their schemas; what JavaScript does its own way is done its way here (String(x) of numbers,
Object.keys order, lengths and cuts in UTF-16 code units). Neither report is held: the parts with an entry per record
or block (events, records, the timeline, each step's blocks) are kept as the SHA-256 and length of their text, and
each file is read once against that; only when such a part differs is the journal read again, to name the entry.
"""
import base64, hashlib, json, os, re
from verify_json import CONTROL, JS_SPACE, SURROGATE, Fail, jcs, js_str, js_trim, parse_json, read
from verify_keys import fingerprint, key_blob, principal_for

FORMAT, EXCERPT_BYTES, EVENT_VALUE_CHARS, SNIPPET = "runbook-console-report/4", 2048, 160, 60
EVENT_TYPES = {"run.ended-early", "run.resumed", "timer", "step.note", "fillin", "decision", "signoff", "approval",
               "trust", "error", "log.recovered", "checkpoint"}  # build-report.ts: the records a report lists as events
REPORT_WARNINGS = ("W_CLOCK_BACKWARDS", "W_RECOVERED", "W_UNSEALED")  # the journal's own, never a verifier's options'
MAC_UNCHECKED = "no verification key for this run was found or given (--mac-key)"

def u16_len(s):  # s.length
    return len(s) if s.isascii() else len(s.encode("utf-16-le", "surrogatepass")) // 2

def units(s, start, end):  # s.slice(start, end), in UTF-16 code units: it may cut a pair in two
    return s.encode("utf-16-le", "surrogatepass")[2 * start:2 * end].decode("utf-16-le", "surrogatepass")

def entries(obj):
    """Object.entries order: the keys that are array indices first, in numeric order, then the others as inserted."""
    index = sorted((k for k in obj if re.fullmatch(r"0|[1-9][0-9]{0,9}", k) and int(k) < 2 ** 32 - 1), key=int)
    return [(k, obj[k]) for k in index + [k for k in obj if k not in set(index)]]

def stringify(v):  # JSON.stringify(v), keys in JavaScript's order
    if isinstance(v, dict):
        return "{" + ",".join(f"{jcs(k)}:{stringify(x)}" for k, x in entries(v)) + "}"
    return "[" + ",".join(map(stringify, v)) + "]" if isinstance(v, list) else jcs(v)

def quote(s):  # JSON.stringify of a string (half a pair as \udxxx), for a message
    return SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(s, ensure_ascii=False))

# ---- report-html.ts ---------------------------------------------------------------------------------------------

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
SHOWN = re.compile("\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HTML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
PLAIN = re.compile(f"[^{CONTROL}&<>\"']*")  # text escapeHtml leaves as it is

def picture(c):
    """neutralise (terminal-text.ts): C0 controls and DEL as control pictures (ESC as ␛), the rest as <U+XXXX>."""
    return chr(0x2400 + ord(c)) if c < " " else "\u2421" if c == "\x7f" else f"<U+{ord(c):04X}>"

def escape_html(text):
    if PLAIN.fullmatch(text):
        return text
    text = SHOWN.sub(lambda m: m[0] if m[0] == "\r\n" else picture(m[0]), text)
    return re.sub("[&<>\"']", lambda m: HTML_ESCAPES[m[0]], text)

def show(v):
    if v is None or v == "":
        return "\u2014"
    return v if isinstance(v, str) else js_str(v) if isinstance(v, (bool, int, float)) else stringify(v)

def esc(v):
    return escape_html(show(v))

def facts(rows):
    return "<dl>" + "".join(f"<dt>{escape_html(label)}</dt><dd>{esc(value)}</dd>" for label, value in rows) + "</dl>"

def object_facts(obj):
    return facts(entries(obj)) if obj else '<p class="muted">\u2014</p>'

def status_class(status, ok=None):
    if ok is True or status in ("succeeded", "ok"):
        return "good"
    return "bad" if ok is False or status in ("failed", "error", "refused", "timeout") else "neutral"

def badge(text, cls):
    return f'<span class="badge {cls}">{escape_html(text)}</span>'

def row(seq, time, what, detail):  # timelineRow
    return (f'<tr><td class="num">{seq}</td><td class="nowrap">{esc(time)}</td><td class="nowrap">{esc(what)}</td>'
            f'<td>{esc(detail)}</td></tr>')

def event_row(event):
    def cut(text):  # a cut that halves a pair leaves U+FFFD, as Node writes half a pair in UTF-8
        short = u16_len(text) <= EVENT_VALUE_CHARS
        return text if short else SURROGATE.sub("\ufffd", units(text, 0, EVENT_VALUE_CHARS)) + "\u2026"
    hidden = ("signature", "consistency_proof", "text", "signer")
    summary = "; ".join(f"{k}: {cut(show(v))}" for k, v in entries(event["data"]) if k not in hidden)
    return row(event["seq"], event["time"], event["type"], summary)

def ended_early_row(early):
    """The summary's line for a run sealed with steps unfinished (none otherwise)."""
    if not early:
        return []
    reason = "no reason given" if early["reason"] is None else early["reason"]
    return [("Sealed early", f"by {early['by']}, {len(early['unfinished'])} step(s) unfinished: {reason} "
                             f"(record {early['record']})")]

def summary_section(head):
    run, seal, tool, runbook = head["run"], head["seal"], head["environment"]["tool"], head["runbook"]
    operator = run["operator"]
    rows = [("Runbook", runbook["title"]), ("Runbook file", runbook["path"]), ("Runbook SHA-256", runbook["sha256"]),
            ("Run id", run["id"]), ("Outcome", run["outcome"]), ("Profile", run["profile"]),
            ("Operator", f"{operator['name']} ({operator['osUser']}@{operator['hostname']})"),
            ("Installation", run["installation"]["id"]), ("Started", run["startedAt"]), ("Ended", run["endedAt"]),
            *ended_early_row(run["endedEarly"]),
            ("Steps", ", ".join(f"{status} {js_str(n)}" for status, n in entries(run["counts"]))),
            ("Records", head["verification"]["records"]),
            ("Retention", None if run["retentionDays"] is None else f"{js_str(run['retentionDays'])} days"),
            *store_row(run.get("store")),
            ("Tool", f"{show(tool['name'])} {show(tool['version'])}")]
    sealed = '<p class="bad">This run was never sealed.</p>' if not seal else facts([
        ("Sealed records", seal["size"]), ("Merkle root", seal["root"]),
        ("Signer fingerprint", seal["signerFingerprint"]), ("Signer key", seal["signer"]),
    ]) + f"<pre>{escape_html(seal['checkpoint'])}</pre>"
    return f'<section id="summary"><h2>Summary</h2>\n{facts(rows)}\n<h3>Seal</h3>\n{sealed}\n</section>'

def warnings_section(head):
    def item(w):
        record = "" if w["record"] is None else f" (record {w['record']})"
        return f"<li><code>{escape_html(w['code'])}</code>{record}: {escape_html(w['detail'])}</li>"
    items = "".join(map(item, head["warnings"]))
    body = f'<ul class="warnings">{items}</ul>' if items else '<p class="muted">None.</p>'
    return f'<section id="warnings"><h2>Warnings</h2>{body}</section>'

def when(r):
    return f'<span class="muted">record {r["record"]}, {esc(r["time"])}</span>'

def text(v):
    return f'<span class="text">{esc(v)}</span>'

def store_row(store):
    """report-html.ts storeRow: the team store row, only for a run that shipped to one."""
    if not store:
        return []
    waited = "waited until it held every record" if store["gate"] else "did not wait for it (store gate off)"
    return [("Team store", f"{store['url']}; state-changing steps {waited}")]

def approvals_list(block):
    """The approval records naming a block's step.started, recorded while it was open."""
    def item(a):
        refused = {"withdrawn": "withdrawn", "timed-out": "timed out"}.get(a["code"], "refused")
        what = badge("granted", "good") if a["granted"] else badge(refused, "bad")
        key = f", key {esc(a['fingerprint'])}" if a["fingerprint"] else ""
        code = f", code <code>{esc(a['code'])}</code>: {text(a['reason'])}" if a["code"] else ""
        return f"<li>{what} approver {esc(a['approver'])}{key}{code} {when(a)}</li>"
    return f"<h5>Approvals</h5><ul>{''.join(map(item, block['approvals']))}</ul>" if block["approvals"] else ""

def block_section(operator, block):
    result_sets = "".join(f'<tr><td>{esc(r["command"])}</td><td>{esc(", ".join(r["columns"]))}</td><td class="num">'
                          f'{esc(r["rowCount"])}</td></tr>' for r in block["resultSets"])
    lang = f", {esc(block['lang'])}" if block["lang"] else ""
    state_changing = f" {badge('state-changing', 'warn')}" if block["stateChanging"] else ""
    records, output, ms, status = block["records"], block["output"], block["durationMs"], block["status"]
    shown = '<p class="muted">No output was recorded.</p>'
    if output:
        stream = lambda s: f"{js_str(s['bytes'])} bytes, SHA-256 {s['sha256']}"
        shown = "\n".join([
            "<h5>Output</h5>",
            facts([("SHA-256", output["sha256"]), ("Bytes", output["bytes"]), ("Blob", output["blob"]),
                   ("stdout", stream(output["stdout"])), ("stderr", stream(output["stderr"]))]),
            '<p class="muted">Excerpt: the start and end of the output; the whole output is the blob named above.</p>'
            if output["excerptTruncated"] else "",
            f'<pre class="output">{escape_html(output["excerpt"])}</pre>'])
    items = lambda xs: "".join(f"<li>{escape_html(x)}</li>" for x in xs)
    finished = "\u2014" if records["finished"] is None else records["finished"]
    return "\n".join([
        '<article class="block">',
        f'<h4>Block {esc(block["id"])} <span class="muted">(line {block["line"]}, {esc(block["action"])}{lang})</span> '
        f'{badge(status, status_class(status, block["ok"]))}{state_changing}</h4>',
        f'<p class="muted">Read-only check: <code>{esc(block["readOnly"]["code"])}</code> \u2014 '
        f'{esc(block["readOnly"]["detail"])}</p>',
        f'<h5>Command</h5><pre class="command">{escape_html(block["command"])}</pre>',
        f'<p class="hash">SHA-256 {esc(block["commandSha256"])}</p>',
        f'<div class="columns"><div><h5>Target</h5>{object_facts(block["target"])}</div><div><h5>Ran on</h5>'
        f'{object_facts(block["ranOn"])}</div></div>',
        "<h5>Who and when</h5>",
        facts([("Operator", f"{operator['name']} ({operator['osUser']}@{operator['hostname']})"),
               ("Started", block["startedAt"]), ("Ended", block["endedAt"]),
               ("Duration", None if ms is None else f"{js_str(ms)} ms"),
               ("Records", f"{records['started']} (started), {finished} (finished)"),
               ("Environment variables given (names only)", ", ".join(block["env"]))]),
        approvals_list(block),
        "<h5>Outcome</h5>",
        facts([("Status", status), ("Exit code", block["exitCode"]), ("Signal", block["signal"]),
               ("Verdict", block["verdict"]), ("Error", block["error"])]),
        f"<ul>{items(block['reasons'])}</ul>" if block["reasons"] else "",
        "<h5>Result sets</h5><table><thead><tr><th>Command</th><th>Columns</th><th>Rows</th></tr></thead><tbody>"
        f"{result_sets}</tbody></table>" if result_sets else "",
        f"<h5>Notes</h5><ul>{items(block['notes'])}</ul>" if block["notes"] else "",
        shown,
        "</article>"])

def step_head(step, k):
    """A step's heading and what people did to it: its skip, decisions, sign-offs, notes and fill-ins."""
    profile = f", profile {esc(step['profile'])}" if step["profile"] else ""
    reason = f" \u2014 {esc(step['reason'])}" if step["reason"] else ""
    status = badge(step["status"], status_class(step["status"]))
    line = "no heading recorded" if step["line"] is None else f"runbook line {step['line']}"
    skip, skipped = step["skip"], ""
    if skip:
        code = f" (<code>{esc(skip['code'])}</code>)" if skip["code"] else ""
        refusal = f" (refusal <code>{esc(skip['refusal'])}</code>)" if skip["by"] == "refused" else ""
        skipped = (f'<p class="skip">Skipped by <b>{esc(skip["by"])}</b>{code}{refusal}: {text(skip["reason"])} '
                   f'<span class="muted">record {skip["record"]}</span></p>\n')
    def signoff(s):
        verdict = badge("signed", "good") if s["accepted"] else \
            f"{badge('refused', 'bad')} code <code>{esc(s['code'])}</code>: {text(s['reason'])}"
        return (f"<li>{verdict} {esc(s['role'])}: {esc(s['name'])}, dated {esc(s['date'])} \u2014 principal "
                f"{esc(s['principal'])}, key {esc(s['fingerprint'])}, method {esc(s['method'])} {when(s)}</li>")
    def note(n):
        b = n["binding"]
        what = f"marked {esc(n['mark'])}" + ("" if n["note"] is None else f": {text(n['note'])}")
        if b:
            what = (f"bound block {esc(b['block'])} to target {esc(b['target'])} ({esc(b['kind'])}, "
                    f"{esc(b['endpoint'])})")
        if n["change"] is not None and not b:
            what = (f"changed the {esc(n['change'])} from <b>{text(n['from'])}</b> to <b>{text(n['to'])}</b>: "
                    f"{text(n['reason'])}")
        if n["text"] is not None:
            what = text(n["text"])
        return f"<li>{esc(n['by'])}: {what} {when(n)}</li>"
    parts = [("Decisions", [f"<li>Decided <b>{text(d['decision'])}</b> by {esc(d['by'])}"
                            f"{'' if d['note'] is None else ': ' + text(d['note'])} {when(d)}</li>"
                            for d in step["decisions"]]),
             ("Sign-offs", list(map(signoff, step["signoffs"]))), ("Notes", list(map(note, step["notes"]))),
             ("Fill-ins (values as journaled)",
              [f"<li>{esc(f['label'])}: {text(f['value'])} {when(f)}</li>" for f in step["fillIns"]])]
    lists = "".join(f"<h4>{title}</h4><ul>{''.join(items)}</ul>\n" for title, items in parts if items)
    title = step["id"] if step["title"] is None else step["title"]
    return (f'<section class="step">\n<h3>{k + 1}. {esc(title)} {status}</h3>\n'
            f'<p class="muted">Step {esc(step["id"])}, {line}{profile}{reason}</p>\n{skipped}{lists}')

def not_done_section(items):
    def item(n):
        reason = "" if n["reason"] is None else f" \u2014 {text(n['reason'])}"
        record = "" if n["record"] is None else f' <span class="muted">record {n["record"]}</span>'
        title = n["step"] if n["title"] is None else n["title"]
        return (f'<li><b>{esc(title)}</b> <span class="muted">({esc(n["step"])})</span>: {esc(n["what"])}{reason}'
                f'{record}</li>')
    rows = "".join(map(item, items))
    body = f'<ul class="not-done">{rows}</ul>' if rows else \
        '<p class="muted">Every step the journal names succeeded.</p>'
    return f'<section id="not-done"><h2>What was not done</h2>{body}</section>'

def variables_section(head):
    def shown(v):  # (format 2) the value the run started with
        if "value" not in v:
            return '<span class="muted">not recorded</span>'
        secret = '<span class="muted">not recorded (secret)</span>'
        return secret if v["value"] is None else f"<code>{esc(v['value'])}</code>"
    rows = "".join(f"<tr><td>{esc(v['name'])}</td><td>{badge('secret', 'warn') if v['secret'] is True else 'no'}</td>"
                   f"<td>{esc(v['source'])}</td><td>{shown(v)}</td></tr>" for v in head["environment"]["variables"])
    head_row = "<tr><th>Name</th><th>Secret</th><th>Source</th><th>Value</th></tr>"
    table = f"<table><thead>{head_row}</thead><tbody>{rows}</tbody></table>" if rows else '<p class="muted">None.</p>'
    return (f'<section id="variables"><h2>Variables</h2>\n<p class="muted">{VARIABLES_TEXT}</p>\n{table}\n</section>')

VARIABLES_TEXT = ("The journal records each variable's name, whether it is secret, where its value came from and "
                  "(journal format 2) the value the run started with: never a secret's, nor one holding a secret known "
                  "then. Values given during the run are shown with their steps as journaled (a secret's masked); a "
                  "block lists the names of the environment variables it got.")

def verify_section(head):
    v = head["verification"]
    commands = "".join(f"<li><pre>{escape_html(c)}</pre></li>" for c in v["commands"])
    about = facts([("Journal SHA-256", v["journalSha256"]), ("Journal records", v["records"]),
                   ("As of (the last record)", head["generatedAt"])])
    return ('<section id="verify"><h2>How to verify</h2>\n<p>Run these in the evidence bundle\'s directory, offline. '
            f'<code>VERIFY.md</code> explains what each proves.</p>\n<ol class="commands">{commands}</ol>\n'
            f'{about}\n</section>')

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #1a1a1a; margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ccc; margin-top: 2em; }
h4 { margin: 0 0 0.5em; } h5 { margin: 1em 0 0.3em; font-size: 0.95em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em; margin: 0.3em 0; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
pre { background: #f5f5f5; border: 1px solid #ddd; padding: 0.5em; white-space: pre-wrap; overflow-wrap: anywhere; \
font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; } th { white-space: nowrap; } \
th, td { border: 1px solid #ddd; padding: 0.2em 0.4em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.num { text-align: right; white-space: nowrap; } .nowrap { white-space: nowrap; } .muted { color: #666; } \
.hash { font-family: monospace; font-size: 11px; color: #555; }
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
"""

def html_pieces(head, timeline, steps):
    """reportHtmlPieces: the page in order, as (label, text) and, for a part with an entry per record or block, its
    Stream."""
    title, run_id, outcome = esc(head["runbook"]["title"]), esc(head["run"]["id"]), head["run"]["outcome"]
    pieces = [("the head and summary", '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
               f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
               '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
               f'<title>Run report: {title} ({run_id})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n'
               f'<header><h1>{title}</h1><p>Run {run_id} \u2014 {badge(outcome, status_class(outcome))}</p></header>\n'
               f'{not_done_section(head["notDone"])}\n{summary_section(head)}\n{variables_section(head)}\n'),
              ("the warnings", warnings_section(head) + "\n"),
              ("the timeline", '<section id="timeline"><h2>Timeline</h2>\n<table><thead><tr><th>Record</th>'
                               '<th>Time (UTC)</th><th>What</th><th>Detail</th></tr></thead><tbody>'),
              timeline, ("the timeline", '</tbody></table></section>\n<section id="steps"><h2>Steps</h2>\n')]
    if not steps:
        pieces.append(("the steps", '<p class="muted">No steps ran.</p>'))
    for k, (step, blocks) in enumerate(steps):
        label = f"step {k + 1} ({step['id']})"
        pieces += [(label, ("\n" if k else "") + step_head(step, k)), blocks, (label, "\n</section>")]
    return pieces + [("how to verify", f"\n</section>\n{verify_section(head)}\n</body>\n</html>\n")]

# ---- build-report.ts: ReportAssembler, streaming ----------------------------------------------------------------

class Stream:
    """ElementStream: one array of the report (events, records, the timeline, a step's blocks), its elements' text
    joined by `sep` kept as their SHA-256 and length; `probe` sees each element (to find where a file differs)."""
    def __init__(self, name, sep, probe=None):
        self.name, self.sep, self.probe = name, sep.encode(), probe
        self.hash, self.bytes, self.count = hashlib.sha256(), 0, 0

    def add(self, element):
        data, sep = element if isinstance(element, bytes) else element.encode(), self.sep if self.count else b""
        if self.probe:
            self.probe(data, self.count, sep)
        self.hash.update(sep + data)
        self.bytes, self.count = self.bytes + len(sep) + len(data), self.count + 1

class Report:
    """The report a bundle's journal gives, built as the records go by: what later records can still change (the run's
    first record, the steps and their open blocks, the last run.finished and checkpoint) is kept; each finished event,
    record, timeline row and block goes to its Stream."""
    def __init__(self, d, probe=None):
        self.d, self.probe = d, probe  # probe: (stream name, function)
        self.first = self.start = self.last = self.finished = self.seal = self.ended_early = None
        self.count, self.hash = 0, hashlib.sha256()
        self.steps, self.blocks, self.open = {}, {}, {}  # by id; the newest by "step block"; open ones by their seq
        self.events, self.records = self.stream("events", ","), self.stream("records", ",")
        self.timeline = self.stream("timeline", "")

    def stream(self, name, sep):
        return Stream(name, sep, self.probe[1] if self.probe and self.probe[0] == name else None)

    def record(self, r, raw):
        """The next record, verified, with its line (bytes)."""
        if self.count == 0:
            self.first, self.start = r, r["data"]
        self.count += 1
        self.last, d, t = r, r["data"], r["type"]
        self.hash.update(raw + b"\n")
        self.records.add(raw)
        if t == "step.started":
            self.started(r, d)
        elif t == "step.finished":
            self.step_finished(r, d)
        elif t == "step.skipped":
            step = self.step_of(d["step"])["step"]
            step["status"], step["reason"] = d["status"] if d["by"] == "refused" else "skipped", d["reason"]
            step["skip"] = {"record": r["seq"], "by": d["by"], "code": d.get("code"), "refusal": d.get("refusal"),
                            "reason": d["reason"]}
        elif t in PEOPLE:  # a person's records, kept with their step
            key, fields = PEOPLE[t]
            kept = {"record": r["seq"], "time": r["time"], **{f: d.get(f) for f in fields}}
            self.step_of(d["step"])["step"][key].append(kept)
        elif t == "run.finished":
            self.finished = r
        elif t == "checkpoint":
            self.seal = d
        elif t == "run.ended-early":
            self.ended_early = {"record": r["seq"], "time": r["time"], **d}
        if t in EVENT_TYPES:
            event = {"seq": r["seq"], "type": t, "time": r["time"], "data": d}
            if t == "approval" and d["started"]["seq"] in self.open:
                self.open[d["started"]["seq"]]["block"]["approvals"].append(
                    {"record": r["seq"], "time": r["time"], **{f: d.get(f) for f in ("approver", "granted", "code",
                                                                                      "reason", "fingerprint")}})
            self.events.add(jcs(event))
            self.timeline.add(event_row(event))
        if t in ("run.started", "run.finished", "step.skipped"):  # records, not events, in the model
            detail = f"{show(d['step']['title'])}: {show(d['reason'])}" if t == "step.skipped" else \
                f"ok: {show(d['ok'])}" if t == "run.finished" else f"runbook {self.start['runbook']['title']}"
            self.timeline.add(row(r["seq"], r["time"], t, detail))

    def step_of(self, s):
        """The step a record names: by its heading (step.started, step.skipped), or by id alone."""
        heading = {k: s.get(k) for k in ("title", "line", "profile")}
        if s["id"] in self.steps and "title" in s and self.steps[s["id"]]["step"]["title"] is None:
            self.steps[s["id"]]["step"].update(heading)
        if s["id"] not in self.steps:
            k = len(self.steps)
            step = {"id": s["id"], **heading, "status": "pending", "reason": None, "skip": None, "decisions": [],
                    "signoffs": [], "notes": [], "fillIns": []}
            self.steps[s["id"]] = {"step": step, "queue": [], "json": self.stream(f"steps[{k}].blocks", ","),
                                   "html": self.stream(f"steps[{k}].html", "\n")}
        return self.steps[s["id"]]

    def started(self, r, d):
        state, b = self.step_of(d["step"]), d["block"]
        state["step"]["status"] = "running"
        block = {"id": b["id"], "line": b["line"], "action": b["action"], "lang": b["lang"], "command": d["command"],
                 "commandSha256": d["command_sha256"], "stateChanging": d["state_changing"], "target": d["target"],
                 "ranOn": None, "startedAt": r["time"], "endedAt": None, "durationMs": None, "status": "unfinished",
                 "exitCode": None, "signal": None, "error": None, "verdict": None, "reasons": [], "ok": None,
                 "resultSets": [], "notes": [], "output": None, "records": {"started": r["seq"], "finished": None},
                 "readOnly": d["verdict"], "env": d["env"], "approvals": []}
        opened = {"block": block, "step": state, "frozen": False}
        self.blocks[f"{state['step']['id']} {b['id']}"] = self.open[r["seq"]] = opened
        state["queue"].append(opened)
        what = f"{state['step']['title']} \u2014 block {b['id']} on {show(d['target']['name'])}"
        self.timeline.add(row(r["seq"], r["time"], "block started", what))

    def step_finished(self, r, d):
        """The first step.finished of a block finishes it; a later one for the same block changes nothing."""
        opened = self.blocks.get(f"{d['step']['id']} {d['block']['id']}")
        if not opened or opened["frozen"]:
            return
        o, block, out = d["outcome"], opened["block"], d["output"]
        blob = os.path.join(self.d, out["blob"]) if out["blob"] else None
        text, cut = excerpt(blob) if blob and os.path.exists(blob) else ("", False)
        block.update({"ranOn": d["target"], "endedAt": d["ended_at"], "durationMs": d["duration_ms"],
                      "status": o["status"], "exitCode": o["exit_code"], "signal": o["signal"], "error": o["error"],
                      "verdict": o["verdict"], "reasons": o["reasons"], "ok": o["ok"], "notes": d["notes"],
                      "resultSets": [{"command": x["command"], "columns": x["columns"], "rowCount": x["row_count"]}
                                     for x in o["result_sets"]],
                      "output": {**{k: out[k] for k in ("blob", "sha256", "bytes", "stdout", "stderr")},
                                 "excerpt": text, "excerptTruncated": cut},
                      "records": {"started": block["records"]["started"], "finished": r["seq"]}})
        opened["frozen"] = True  # it goes to its step's streams once the blocks started before it in that step have
        self.open.pop(block["records"]["started"], None)
        queue = opened["step"]["queue"]
        while queue and queue[0]["frozen"]:
            self.emit(opened["step"], queue.pop(0))
        exit_code = "" if block["exitCode"] is None else f", exit {js_str(block['exitCode'])}"
        what = f"{opened['step']['step']['title']} \u2014 block {block['id']}: {block['status']}{exit_code}"
        self.timeline.add(row(r["seq"], d["ended_at"], "block finished", what))

    def emit(self, state, opened):
        state["json"].add(jcs(opened["block"]))
        state["html"].add(block_section(self.operator(), opened["block"]))
        opened["block"] = None  # only "frozen" is read again: memory grows with the steps

    def operator(self):
        o = self.start["operator"]
        return {"name": o["name"], "osUser": o["os_user"], "hostname": o["hostname"]}

    def head(self, warnings, bundle_key):
        """Everything but the per-record arrays, once the last record is in."""
        first, start, last, seal = self.first, self.start, self.last, self.seal
        fin = self.finished and self.finished["data"]
        for s in fin["steps"] if fin else []:  # also of steps no other record names
            step = self.step_of({"id": s["id"]})["step"]
            step["status"], step["reason"] = s["status"], step["reason"] if s["reason"] is None else s["reason"]
        rb, install = start["runbook"], start["installation"]
        mac = [] if os.path.isfile(os.path.join(self.d, "mac-key.txt")) else [("W_MAC_UNCHECKED", None, MAC_UNCHECKED)]
        own = [w for code in REPORT_WARNINGS for w in warnings if w[0] == code]
        return {
            "format": FORMAT,
            "run": {"id": first["run"], "profile": start["profile"], "retentionDays": start["retention_days"],
                    "operator": self.operator(),
                    "installation": {"id": install["id"], "publicKey": install["public_key"]},
                    "startedAt": first["time"], "endedAt": (self.finished or last)["time"],
                    "outcome": ("succeeded" if fin["ok"] else "failed") if fin else "unfinished",
                    "counts": fin.get("counts", {}) if fin else {}, "endedEarly": self.ended_early,
                    **({"store": {"url": start["store"]["url"], "gate": start["store"]["gate"]}} if "store" in start else {})},
            "runbook": {"path": js_str(rb["path"]), "title": rb["title"], "sha256": rb["sha256"],
                        "text": read(os.path.join(self.d, rb["blob"]))},
            "environment": {k: start[k] for k in ("tool", "host", "options", "variables")},
            "notDone": [n for state in self.steps.values() for n in not_done(state["step"])],
            "seal": seal and {"size": seal["size"], "root": seal["root"], "checkpoint": seal["text"],
                              "signer": seal["signer"], "signerFingerprint": signer_fingerprint(seal["signer"])},
            "warnings": [{"code": c, "record": rec, "detail": detail} for c, rec, detail in mac + own],
            "verification": {"journalSha256": self.hash.hexdigest(), "records": self.count,
                             "commands": commands(start, bundle_key)},
            "generatedAt": last["time"],  # as of the journal's last record, never the clock of whoever builds it
        }

    def check(self, warnings, bundle_key):
        """report.json, then report.html, against what the journal gives: E_REPORT naming where it first differs."""
        head, steps = self.head(warnings, bundle_key), list(self.steps.values())
        for state in steps:  # blocks still open at the end stay unfinished
            while state["queue"]:
                self.emit(state, state["queue"].pop(0))
        # RFC 8785 sorts the keys: environment, events, format, generatedAt, records, run, runbook, seal, steps, ...
        json_ = Segments()
        member = lambda before, key: json_.raw(f'{before}"{key}":', key).value(head[key], key)
        member("{", "environment")
        json_.raw(',"events":[', "events").digest(self.events, "events")
        member("],", "format")
        member(",", "generatedAt")
        member(",", "notDone")
        json_.raw(',"records":[', "records").digest(self.records, "records")
        for before, key in (("],", "run"), (",", "runbook"), (",", "seal")):
            member(before, key)
        json_.raw(',"steps":[', "steps")
        for k, state in enumerate(steps):  # a step's keys sort "blocks" first: {"blocks":[…],"id":…}
            json_.raw(("," if k else "") + '{"blocks":[', f"steps[{k}]").digest(state["json"], f"steps[{k}].blocks")
            json_.raw("],", f"steps[{k}]").value(state["step"], f"steps[{k}]", 1)
        member("],", "verification")
        member(",", "warnings")
        html = Segments(html_pieces(head, self.timeline, [(s["step"], s["html"]) for s in steps]))
        self.compare("report.json", json_.raw("}", "(the end)").done())
        self.compare("report.html", html.done())

    def compare(self, name, segments):
        """compareReport: the file read once against the segments; reportFailure: E_REPORT naming where it differs."""
        path, is_json = os.path.join(self.d, name), name == "report.json"
        differs, offset = f"{name} differs from the report the journal gives {'at' if is_json else 'in'}", 0
        says = lambda at: quote(snippet(path, at))
        with open(path, "rb") as f:
            for kind, what, where in segments:
                if kind == "text":
                    want = what.encode()
                    got = f.read(len(want))
                    if got != want:
                        k = prefix(got, want)
                        same = want[:k].decode("utf-8", "replace")  # in characters it names the place, in UTF-16 cuts
                        gives = quote(units(what, u16_len(same), u16_len(same) + SNIPPET))
                        raise Fail("E_REPORT", f"{differs} {where(min(len(same), len(what) - 1))}: {name} has "
                                               f"{says(offset + k)}, the journal gives {gives}")
                    offset += len(want)
                    continue
                h, left = hashlib.sha256(), what.bytes
                while left > 0:
                    chunk = f.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    h.update(chunk)
                    offset, left = offset + len(chunk), left - len(chunk)
                if h.hexdigest() != what.hash.hexdigest():
                    found = self.find(path, what.name, offset - what.bytes)
                    if not found:
                        raise Fail("E_REPORT", f"{name} differs from the report the journal gives in {where}")
                    index, at, element, byte = found
                    element = element.decode("utf-8", "replace")
                    if is_json:
                        place = f"{what.name}[{index}]" if at < 0 else path_at(element, at, f"{what.name}[{index}]")
                    else:
                        place = f"the timeline, row {index + 1}" if what.name == "timeline" else \
                            f"step {int(re.search('[0-9]+', what.name)[0]) + 1}, block {index + 1}"
                    cut = u16_len(element[:at])
                    gives = "" if at < 0 else f", the journal gives {quote(units(element, cut, cut + SNIPPET))}"
                    raise Fail("E_REPORT", f"{differs} {place}: {name} has {says(byte)}{gives}")
            if f.read(1):
                raise Fail("E_REPORT", f"{name} goes on after the report the journal gives has ended (at byte "
                                       f"{offset}: {says(offset)})")

    def find(self, path, stream, offset):
        """findInStream: where stream `stream`, from byte `offset` of the file, first differs from the elements the
        journal gives, as (index, character in the element or -1 for the separator before it, element, byte in the
        file). The journal is read again and fed to a builder that shows that stream's elements one at a time."""
        class Found(Exception):
            pass
        with open(path, "rb") as f:
            def probe(element, index, sep):
                nonlocal offset
                for data, which in ((sep, -1), (element, 0)):
                    f.seek(offset)
                    k, offset = prefix(f.read(len(data)), data), offset + len(data)
                    if k < len(data):
                        at = which if which < 0 else len(data[:k].decode("utf-8", "replace"))
                        raise Found(index, at, element, offset - len(data) + k)
            builder = Report(self.d, (stream, probe))
            try:
                with open(os.path.join(self.d, "journal.jsonl"), "rb") as journal:
                    for raw in journal:
                        builder.record(parse_json(raw[:-1].decode("utf-8"))[0], raw[:-1])
            except Found as found:
                return found.args
        return None

PEOPLE = {"decision": ("decisions", ("decision", "note", "by")),
          "signoff": ("signoffs", ("name", "role", "date", "principal", "method", "accepted", "fingerprint", "code",
                                   "reason")),
          "step.note": ("notes", ("by", "text", "mark", "note", "binding", "change", "from", "to", "reason")),
          "fillin": ("fillIns", ("label", "value"))}

def not_done(step):
    """notDone (build-report.ts): a step's end if not succeeded, with who skipped it; sign-off rows refused, never
    accepted."""
    out, skip, status = [], step["skip"], step["status"]
    item = lambda what, reason, record: out.append({"step": step["id"], "title": step["title"], "what": what,
                                                    "reason": reason, "record": record})
    if status != "succeeded":
        end = "not run" if status == "not-run" else status if status in ("failed", "cancelled", "skipped") else \
            "no end recorded"
        by = "" if not skip else f" (refused{': ' + skip['refusal'] if skip['refusal'] else ''})" \
            if skip["by"] == "refused" else f" (by {skip['by']}{': ' + skip['code'] if skip['code'] else ''})"
        item(end + by, step["reason"], skip and skip["record"])
    accepted = {s["role"] for s in step["signoffs"] if s["accepted"]}
    refused = {s["role"]: s for s in step["signoffs"] if not s["accepted"] and s["role"] not in accepted}
    for s in refused.values():
        item(f"sign-off refused ({s['role']})", f"{s['name']}: {s['code']}: {s['reason']}", s["record"])
    return out

def excerpt(path, n=EXCERPT_BYTES):
    """The first and last n bytes of an output (all of it up to 2n); a UTF-8 sequence cut in two shows as U+FFFD."""
    with open(path, "rb") as f:
        data = f.read(2 * n + 1)
        if len(data) <= 2 * n:
            return data.decode("utf-8", "replace"), False
        size = os.fstat(f.fileno()).st_size
        f.seek(size - n)
        tail = f.read(n).decode("utf-8", "replace")
        return f"{data[:n].decode('utf-8', 'replace')}\n\u2026 {size - 2 * n} bytes not shown \u2026\n{tail}", True

def signer_fingerprint(signer):
    try:
        return fingerprint(key_blob(signer))
    except ValueError:
        return ""

def shell_quote(value):
    """One shell word, as shared/shell-quote.ts writes it: bare, or in single quotes, control characters as $'\\xHH'."""
    if not re.search(f"[{CONTROL}]", value):
        return value if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", value) else "'" + value.replace("'", "'\\''") + "'"
    return "".join("" if p == "" else "$'" + "".join(f"\\x{b:02x}" for b in p.encode()) + "'" if i % 2
                   else "'" + p.replace("'", "'\\''") + "'" for i, p in enumerate(re.split(f"([{CONTROL}]+)", value)))

def commands(start, bundle_key):
    """verifyInstructions' commands: they name the installation when its key signed the bundle, else the operator."""
    installation = f"installation-{start['installation']['id']}"
    # sameKey (verify.ts): the key as Node decodes base64
    m = re.match(f"[^{JS_SPACE}]+ ([A-Za-z0-9+/]+)", js_trim(start["installation"]["public_key"]))
    b64 = m[1][:len(m[1]) - (len(m[1]) % 4 == 1)] if m else None  # Node ignores a last character that makes no byte
    same = b64 is not None and base64.b64decode(b64 + "=" * (-len(b64) % 4)) == bundle_key
    signer = shell_quote(installation if same else principal_for(start["operator"]["name"]))
    audit = f"ssh-keygen -Y verify -f allowed_signers -I {signer} -n runbook-console-audit -s"
    return ["sha256sum -c SHA256SUMS", f"{audit} SHA256SUMS.sig < SHA256SUMS", f"{audit} report.json.sig < report.json",
            f"ssh-keygen -Y verify -f allowed_signers -I {shell_quote(installation)} -n runbook-console-checkpoint "
            "-s checkpoint.txt.sig < checkpoint.txt", "python3 verify.py ."]

# ---- report-segments.ts and verify-report.ts ---------------------------------------------------------------------

class Segments:
    """SegmentWriter: fixed text (each piece naming its place) and Streams, in the order of the file."""
    def __init__(self, pieces=()):
        self.segments, self.pieces = [], []
        for piece in pieces:
            if isinstance(piece, Stream):
                k = re.search("[0-9]+", piece.name)
                self.digest(piece, "the timeline" if piece.name == "timeline" else f"step {int(k[0]) + 1}'s blocks")
            else:
                self.raw(piece[1], piece[0])

    def raw(self, text, label):
        if text:
            self.pieces.append((text, lambda offset: label))
        return self

    def value(self, value, path, cut=0):
        """A value in RFC 8785 form at JSON path `path`, less its first `cut` characters."""
        text = jcs(value)
        self.pieces.append((text[cut:], lambda offset: path_at(text, offset + cut, path)))
        return self

    def digest(self, stream, label):
        self.flush()
        self.segments.append(("digest", stream, label))
        return self

    def done(self):
        self.flush()
        return self.segments

    def flush(self):
        if self.pieces:
            pieces, self.pieces = self.pieces, []
            def where(offset):
                for text, at in pieces:
                    if offset < len(text):
                        return at(offset)
                    offset -= len(text)
                return pieces[-1][1](len(pieces[-1][0]))
            self.segments.append(("text", "".join(p[0] for p in pieces), where))

def prefix(a, b):
    """How many bytes a and b have in common from the start."""
    k = 0
    while k < len(a) and k < len(b) and a[k] == b[k]:
        k += 1
    return k

def snippet(path, offset):
    with open(path, "rb") as f:
        f.seek(offset)
        return units(f.read(2 * SNIPPET).decode("utf-8", "replace"), 0, SNIPPET)

def path_at(text, offset, base=""):
    """pathAt: the JSON path (base.key[3].other) of the innermost value or member of canonical JSON `text` that holds
    character `offset`; a key's characters belong to its member, a comma or closing bracket between them to the
    parent."""
    def walk(value, path, at):  # `value` is written from character `at` on
        if isinstance(value, (dict, list)):
            at += 1
            for key, child in value.items() if isinstance(value, dict) else enumerate(value):
                start = at
                if isinstance(value, dict):
                    at += len(jcs(key)) + 1
                    plain = re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", key)
                    inner = f"{path}.{key}" if plain else f"{path}[{quote(key)}]"
                else:
                    inner = f"{path}[{key}]"
                end = at + len(jcs(child))
                if start <= offset < end:
                    return walk(child, inner, at)
                at = end + 1
        return path
    return walk(json.loads(text), base, 0) or "(the whole report)"
