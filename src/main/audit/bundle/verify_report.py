"""report.json and report.html as the journal gives them: the second part of verify.py, read after it.

`runbook export` writes both reports with src/main/audit/report/ from the journal, its blobs and who signed the
bundle alone, and `runbook verify` builds them again and demands the same bytes (E_REPORT). This is that
builder again: build-report.ts (ReportAssembler, as a verifier streams it), report-html.ts and
report-segments.ts, in their order and with their names, to be read side by side with them. Where the
TypeScript reads a recorded value the JavaScript way (String(x), Number(x), x ?? y, Object.entries,
JSON.stringify, string lengths in UTF-16 code units) it is read that way here, throwing where it throws: a
journal the builder cannot take fails E_REPORT, as no export could have made a report of it.

Neither report is held: the parts with an entry per record or block (events, records, the timeline, each
step's blocks) are kept as the SHA-256 and length of their text, the rest as text, and each file is read once
against that. Only when a hashed part differs is the journal read again, to name the first entry that does.
Imported by verify.py from its own directory; Python 3.9+ standard library only.
"""
import base64, hashlib, json, math, os, re
from verify import CONTROL, JS_SPACE, MISSING, SURROGATE, Fail, fingerprint, get, jcs, js_bool, js_str, key_blob, nn, parse_json, principal_for, read

FORMAT = "runbook-console-report/2"
EXCERPT_BYTES, EVENT_VALUE_CHARS, SNIPPET = 2048, 160, 60
EVENT_TYPES = {"run.paused", "run.resumed", "runbook.reloaded", "step.note", "fillin", "decision", "signoff", "approval", "trust", "error", "log.recovered", "checkpoint"}
REPORT_WARNINGS = ("W_CLOCK_BACKWARDS", "W_RECOVERED", "W_UNSEALED")  # the journal's own, never a verifier's options'
MAC_UNCHECKED = "no verification key for this run was found or given (--mac-key)"

# ---- JavaScript's reading of recorded values -------------------------------------------------------------

def prop(value, key):
    """value.key where the TypeScript writes no `?.`: reading a property of null or undefined throws."""
    if value is None or value is MISSING:
        raise TypeError(f"cannot read properties of {js_str(value)} (reading '{key}')")
    return get(value, key)

def js_num(v):
    """Number(v)."""
    if isinstance(v, (bool, int, float)):
        return int(v) if isinstance(v, bool) else v
    if v is None:
        return 0
    if not isinstance(v, str):
        return js_num(js_str(v)) if isinstance(v, (list, dict)) else math.nan  # an array or object by its String()
    s = re.sub(f"^[{JS_SPACE}]+|[{JS_SPACE}]+$", "", v)
    if re.fullmatch(r"0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+", s):
        return int(s, 0)
    if s == "" or re.fullmatch(r"[+-]?(Infinity|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)", s):
        return float(s or 0)
    return math.nan

def u16(s):
    return s.encode("utf-16-le", "surrogatepass")

def u16_len(s):  # s.length
    return len(s) if s.isascii() else len(u16(s)) // 2

def units(s, start, end):  # s.slice(start, end), in UTF-16 code units: it may cut a pair in two
    return u16(s)[2 * start:2 * end].decode("utf-16-le", "surrogatepass")

def u16_units(s, start, end):
    """s.slice(start, end) for the page: half a pair left alone is written as U+FFFD in UTF-8, as Node writes it."""
    return SURROGATE.sub("\ufffd", units(s, start, end))

def js_keys(obj):
    """Object.keys order: the keys that are array indices first, in numeric order, then the others as inserted."""
    index = sorted((k for k in obj if re.fullmatch(r"0|[1-9][0-9]{0,9}", k) and int(k) < 2 ** 32 - 1), key=int)
    rest = set(index)
    return index + [k for k in obj if k not in rest]

def js_entries(v):  # Object.entries(v)
    if v is None or v is MISSING:
        raise TypeError("cannot convert undefined or null to object")
    if isinstance(v, dict):
        return [(k, v[k]) for k in js_keys(v)]
    if isinstance(v, list):
        return [(str(i), x) for i, x in enumerate(v)]
    return [(str(i), u16_units(v, i, i + 1)) for i in range(u16_len(v))] if isinstance(v, str) else []

def js_iter(v):  # for (const x of v)
    if isinstance(v, (list, str)):
        return list(v)
    raise TypeError(f"{js_str(v)} is not iterable")

def js_map(v, fn):  # v.map(fn): only an array has map
    if not isinstance(v, list):
        raise TypeError(f"{js_str(v)}.map is not a function")
    return [fn(x) for x in v]

def js_join(v, sep):  # v.join(sep)
    return sep.join("" if x is None else js_str(x) for x in js_map(v, lambda x: x))

def some(v, fn):
    """`v.length ? v.map(fn) : ''` of any value: a string or an object with a length throws at .map, as in JavaScript."""
    length = len(v) if isinstance(v, list) else u16_len(v) if isinstance(v, str) else prop(v, "length")
    return js_map(v, fn) if js_bool(length) else None

def stringify(v):  # JSON.stringify(v), keys in JavaScript's order
    if isinstance(v, dict):
        return "{" + ",".join(f"{jcs(k)}:{stringify(v[k])}" for k in js_keys(v) if v[k] is not MISSING) + "}"
    if isinstance(v, list):
        return "[" + ",".join(stringify(x) for x in v) + "]"
    return "null" if isinstance(v, float) and not math.isfinite(v) else jcs(v)

def quote(s):  # JSON.stringify of a string (half a pair as \udxxx), for a message
    return SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(s, ensure_ascii=False))

def utf8(s):
    return s if isinstance(s, bytes) else s.encode("utf-8")

# ---- report-html.ts --------------------------------------------------------------------------------------

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
SHOWN = re.compile("\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HTML_ESCAPES, HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}, re.compile("[&<>\"']")
PLAIN = re.compile(f"[^{CONTROL}&<>\"']*")  # text escapeHtml leaves as it is

def picture(c):
    """neutralise (src/shared/terminal-text.ts): C0 controls and DEL as control pictures (ESC as ␛), the rest as <U+XXXX>."""
    code = ord(c)
    return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else f"<U+{code:04X}>"

def escape_html(text):
    if not isinstance(text, str):
        raise TypeError(f"text.replace is not a function (escapeHtml of {js_str(text)})")
    if PLAIN.fullmatch(text):
        return text
    text = SHOWN.sub(lambda m: m[0] if m[0] == "\r\n" else picture(m[0]), text)
    return HTML_SPECIAL.sub(lambda m: HTML_ESCAPES[m[0]], text)

def show(v):
    if v is None or v is MISSING or v == "":
        return "\u2014"
    if isinstance(v, str):
        return v
    return js_str(v) if isinstance(v, (bool, int, float)) else stringify(v)

def esc(v):
    return escape_html(show(v))

def facts(rows):
    return "<dl>" + "".join(f"<dt>{escape_html(label)}</dt><dd>{esc(value)}</dd>" for label, value in rows) + "</dl>"

def object_facts(obj):
    entries = js_entries(obj) if js_bool(obj) else []
    return facts(entries) if entries else '<p class="muted">\u2014</p>'

def status_class(status, ok=None):
    if ok is True or status in ("succeeded", "ok"):
        return "good"
    if ok is False or status in ("failed", "error", "refused", "timeout"):
        return "bad"
    return "neutral"

def badge(text, cls):
    return f'<span class="badge {cls}">{escape_html(text)}</span>'

def event_summary(event):
    def value(text):
        return f"{u16_units(text, 0, EVENT_VALUE_CHARS)}\u2026" if u16_len(text) > EVENT_VALUE_CHARS else text
    return "; ".join(f"{k}: {value(show(v))}" for k, v in js_entries(event["data"]) if k not in ("signature", "consistency_proof", "text", "signer"))

def block_started_entry(step_title, block):
    target = block["target"]
    return (block["records"]["started"], block["startedAt"], "block started", f"{step_title} \u2014 block {block['id']} on {show(nn(get(target, 'name'), get(target, 'kind')))}")

def block_finished_entry(step_title, block):
    exit_code = "" if block["exitCode"] is None else f", exit {js_str(block['exitCode'])}"
    return (block["records"]["finished"], nn(block["endedAt"], ""), "block finished", f"{step_title} \u2014 block {block['id']}: {js_str(block.get('status', MISSING))}{exit_code}")

def event_entry(event):
    return (event["seq"], event["time"], event["type"], event_summary(event))

def record_entry(record, runbook_title):
    """The run's start and end and its skipped steps: records, not events, in the model."""
    t = record["type"]
    if t not in ("run.started", "run.finished", "step.skipped"):
        return None
    data = nn(record["data"], {})
    step = nn(get(data, "step"), {})
    detail = (f"{show(nn(get(step, 'title'), get(step, 'id')))}: {show(get(data, 'reason'))}" if t == "step.skipped"
              else f"ok: {show(get(data, 'ok'))}" if t == "run.finished" else f"runbook {runbook_title}")
    return (js_num(record["seq"]), js_str(record["time"]), t, detail)

def timeline_row(e):
    seq, time, what, detail = e
    return f'<tr><td class="num">{js_str(seq)}</td><td class="nowrap">{esc(time)}</td><td class="nowrap">{esc(what)}</td><td>{esc(detail)}</td></tr>'

def summary_section(head):
    run, seal, tool = head["run"], head["seal"], head["environment"]["tool"]
    operator = run["operator"]
    counts = ", ".join(f"{status} {js_str(n)}" for status, n in js_entries(run["counts"]))
    rows = [("Runbook", head["runbook"]["title"]), ("Runbook file", head["runbook"]["path"]), ("Runbook SHA-256", head["runbook"]["sha256"]),
            ("Run id", run["id"]), ("Outcome", run["outcome"]), ("Profile", run["profile"]),
            ("Operator", f"{operator['name']} ({operator['osUser']}@{operator['hostname']})"), ("Installation", run["installation"]["id"]),
            ("Started", run["startedAt"]), ("Ended", run["endedAt"]), ("Steps", counts), ("Records", head["verification"]["records"]),
            ("Retention", None if run["retentionDays"] is None else f"{js_str(run['retentionDays'])} days"),
            ("Tool", f"{show(get(tool, 'name'))} {show(get(tool, 'version'))}")]
    sealed = (facts([("Sealed records", seal["size"]), ("Merkle root", seal["root"]), ("Signer fingerprint", seal["signerFingerprint"]), ("Signer key", seal["signer"])])
              + f"<pre>{escape_html(seal['checkpoint'])}</pre>") if seal else '<p class="bad">This run was never sealed.</p>'
    return f'<section id="summary"><h2>Summary</h2>\n{facts(rows)}\n<h3>Seal</h3>\n{sealed}\n</section>'

def warnings_section(head):
    items = "".join("<li><code>{}</code>{}: {}</li>".format(escape_html(w["code"]), "" if w["record"] is None else f" (record {js_str(w['record'])})",
                                                             escape_html(w["detail"])) for w in head["warnings"])
    return '<section id="warnings"><h2>Warnings</h2>{}</section>'.format(f'<ul class="warnings">{items}</ul>' if items else '<p class="muted">None.</p>')

def approvals_list(approvals):
    """The approval records naming a block's step.started, recorded while it was open."""
    items = "".join("<li>{} record {}: {} \u2014 {} {}</li>".format(esc(e["time"]), js_str(e["seq"]), "granted" if get(e["data"], "granted") is True else "refused",
                                                                esc(get(e["data"], "approver")), esc(nn(get(e["data"], "fingerprint"), get(e["data"], "reason"))))
                    for e in approvals)
    return f"<h5>Approvals</h5><ul>{items}</ul>" if items else ""

def block_section(operator, block, approvals):
    result_sets = "".join('<tr><td>{}</td><td>{}</td><td class="num">{}</td></tr>'.format(esc(r["command"]), esc(js_join(r["columns"], ", ")), esc(r["rowCount"]))
                          for r in block["resultSets"])
    reasons = some(block["reasons"], lambda r: f"<li>{escape_html(r)}</li>")
    notes = some(block["notes"], lambda n: f"<li>{escape_html(n)}</li>")
    lang = f", {esc(block['lang'])}" if js_bool(block["lang"]) else ""
    status = block.get("status", MISSING)  # left out of report.json when the record has none
    state_changing = f" {badge('state-changing', 'warn')}" if block["stateChanging"] else ""
    records = block["records"]
    output = block["output"]
    if output:
        stream = lambda s: None if not js_bool(s) else f"{js_str(get(s, 'bytes'))} bytes, SHA-256 {js_str(get(s, 'sha256'))}"
        shown = "\n".join(["<h5>Output</h5>",
                           facts([("SHA-256", output["sha256"]), ("Bytes", output["bytes"]), ("Blob", output["blob"]), ("stdout", stream(output["stdout"])), ("stderr", stream(output["stderr"]))]),
                           '<p class="muted">Excerpt: the start and end of the output; the whole output is the blob named above.</p>' if output["excerptTruncated"] else "",
                           f'<pre class="output">{escape_html(output["excerpt"])}</pre>'])
    else:
        shown = '<p class="muted">No output was recorded.</p>'
    return "\n".join([
        '<article class="block">',
        f'<h4>Block {esc(block["id"])} <span class="muted">(line {js_str(block["line"])}, {esc(block["action"])}{lang})</span> {badge(status, status_class(status, block["ok"]))}{state_changing}</h4>',
        f'<h5>Command</h5><pre class="command">{escape_html(block["command"])}</pre>',
        f'<p class="hash">SHA-256 {esc(block["commandSha256"])}</p>',
        f'<div class="columns"><div><h5>Target</h5>{object_facts(block["target"])}</div><div><h5>Ran on</h5>{object_facts(block["ranOn"])}</div></div>',
        "<h5>Who and when</h5>",
        facts([("Operator", f"{operator['name']} ({operator['osUser']}@{operator['hostname']})"), ("Started", block["startedAt"]), ("Ended", block["endedAt"]),
               ("Duration", None if block["durationMs"] is None else f"{js_str(block['durationMs'])} ms"),
               ("Records", f"{js_str(records['started'])} (started), {js_str(nn(records['finished'], chr(0x2014)))} (finished)")]),
        approvals_list(approvals),
        "<h5>Outcome</h5>",
        facts([("Status", status), ("Exit code", block["exitCode"]), ("Signal", block["signal"]), ("Verdict", block["verdict"]), ("Error", block["error"])]),
        f"<ul>{''.join(reasons)}</ul>" if reasons is not None else "",
        f"<h5>Result sets</h5><table><thead><tr><th>Command</th><th>Columns</th><th>Rows</th></tr></thead><tbody>{result_sets}</tbody></table>" if result_sets else "",
        f"<h5>Notes</h5><ul>{''.join(notes)}</ul>" if notes is not None else "",
        shown,
        "</article>"])

def step_head(step, index):
    profile = f", profile {esc(step['profile'])}" if js_bool(step["profile"]) else ""
    reason = f" \u2014 {esc(step['reason'])}" if js_bool(step["reason"]) else ""
    return (f'<section class="step">\n<h3>{index + 1}. {esc(step["title"])} {badge(step["status"], status_class(step["status"]))}</h3>\n'
            f'<p class="muted">Step {esc(step["id"])}, runbook line {js_str(step["line"])}{profile}{reason}</p>\n')

def verify_section(head):
    v = head["verification"]
    commands = "".join(f"<li><pre>{escape_html(c)}</pre></li>" for c in v["commands"])
    return ('<section id="verify"><h2>How to verify</h2>\n'
            "<p>Run these in the evidence bundle's directory, offline. <code>VERIFY.md</code> explains what each proves.</p>\n"
            f'<ol class="commands">{commands}</ol>\n'
            f'{facts([("Journal SHA-256", v["journalSha256"]), ("Journal records", v["records"]), ("As of (the last record)", head["generatedAt"])])}\n</section>')

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #1a1a1a; margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ccc; margin-top: 2em; }
h4 { margin: 0 0 0.5em; } h5 { margin: 1em 0 0.3em; font-size: 0.95em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em; margin: 0.3em 0; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
pre { background: #f5f5f5; border: 1px solid #ddd; padding: 0.5em; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; } th { white-space: nowrap; } th, td { border: 1px solid #ddd; padding: 0.2em 0.4em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.num { text-align: right; white-space: nowrap; } .nowrap { white-space: nowrap; } .muted { color: #666; } .hash { font-family: monospace; font-size: 11px; color: #555; }
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
    """reportHtmlPieces: the page in order, as (label, text) and, for a part with an entry per record or block, its Stream."""
    title, run_id, outcome = esc(head["runbook"]["title"]), esc(head["run"]["id"]), head["run"]["outcome"]
    pieces = [("the head and summary", f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
               f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>Run report: {title} ({run_id})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n'
               f'<header><h1>{title}</h1><p>Run {run_id} \u2014 {badge(outcome, status_class(outcome))}</p></header>\n{summary_section(head)}\n'),
              ("the warnings", warnings_section(head) + "\n"),
              ("the timeline", '<section id="timeline"><h2>Timeline</h2>\n<table><thead><tr><th>Record</th><th>Time (UTC)</th><th>What</th><th>Detail</th></tr></thead><tbody>'),
              timeline,
              ("the timeline", '</tbody></table></section>\n<section id="steps"><h2>Steps</h2>\n')]
    if not steps:
        pieces.append(("the steps", '<p class="muted">No steps ran.</p>'))
    for k, (step, blocks) in enumerate(steps):
        label = f"step {k + 1} ({step['id']})"
        pieces += [(label, ("\n" if k else "") + step_head(step, k)), blocks, (label, "\n</section>")]
    return pieces + [("how to verify", f"\n</section>\n{verify_section(head)}\n</body>\n</html>\n")]

# ---- build-report.ts: ReportAssembler, streaming ---------------------------------------------------------

class Found(Exception):
    """Where a stream of the file differs: element index, character in it (-1: the separator before it), the element, byte in the file."""
    def __init__(self, index, at, element, offset):
        super().__init__(index)
        self.index, self.at, self.element, self.offset = index, at, element, offset

class Stream:
    """ElementStream: one array of the report (events, records, the timeline, a step's blocks), its elements' text
    joined by `sep` kept as their SHA-256 and length; `probe` sees each element (to find where a file differs)."""

    def __init__(self, name, sep, probe=None):
        self.name, self.sep, self.probe = name, sep.encode(), probe
        self.hash, self.bytes, self.count = hashlib.sha256(), 0, 0

    def add(self, element):
        data, sep = utf8(element), self.sep if self.count else b""
        if self.probe:
            self.probe(data, self.count, sep)
        self.hash.update(sep + data)
        self.bytes += len(sep) + len(data)
        self.count += 1

class Report:
    """The report a bundle's journal gives, built as the records go by: what later records can still change (the
    run's first record, the steps and their open blocks, the last run.finished and checkpoint) is kept; each
    finished event, record, timeline row and block goes to its Stream."""

    def __init__(self, d, probe=None):
        self.d, self.probe = d, probe  # probe: (stream name, function)
        self.first = self.last = self.finished = self.seal = None
        self.start, self.count, self.hash = {}, 0, hashlib.sha256()
        self.steps, self.blocks, self.open = {}, {}, {}  # steps by id; the newest block by "step block"; open blocks by the seq of their step.started
        self.events, self.records, self.timeline = self.stream("events", ","), self.stream("records", ","), self.stream("timeline", "")

    def stream(self, name, sep):
        return Stream(name, sep, self.probe[1] if self.probe and self.probe[0] == name else None)

    def record(self, r, raw):
        """The next record, verified, with its line (bytes). A record the builder cannot take fails E_REPORT."""
        i = self.count
        try:
            self.take(r, raw)
        except Found:
            raise
        except Exception as e:
            raise Fail("E_REPORT", f"no report can be built from this journal (record {i}): {type(e).__name__}: {e}", i)

    def take(self, r, raw):
        if b'"__proto__"' in raw:  # JavaScript's record has no top-level "__proto__" in data (verify-journal.ts's schema drops it)
            r = dict(r, data={k: v for k, v in r["data"].items() if k != "__proto__"})
            raw_record = jcs(r)
        else:
            raw_record = raw
        if self.count == 0:
            self.first, self.start = r, r["data"]
        self.count += 1
        self.last = r
        self.hash.update(raw + b"\n")
        self.records.add(raw_record)
        d, t = r["data"], r["type"]
        if t == "step.started":
            self.started(r, d)
        elif t == "step.finished":
            self.step_finished(r, d)
        elif t == "step.skipped":
            step = self.step_of(get(d, "step"))["step"]
            step["status"], step["reason"] = nn(get(d, "status"), "skipped"), nn(get(d, "reason"), None)
        elif t == "run.finished":
            self.finished = r
        elif t == "checkpoint":
            self.seal = r
        if t in EVENT_TYPES:
            event = {"seq": r["seq"], "type": t, "time": r["time"], "data": d}
            seq = get(d, "started", "seq")
            if t == "approval" and type(seq) in (int, float) and seq in self.open:
                self.open[seq]["approvals"].append(event)
            self.events.add(jcs(event))
            self.timeline.add(timeline_row(event_entry(event)))
        entry = record_entry(r, js_str(get(self.start, "runbook", "title")))
        if entry:
            self.timeline.add(timeline_row(entry))

    def step_of(self, s):
        key = js_str(prop(s, "id"))
        if key not in self.steps:
            k = len(self.steps)
            step = {"id": key, "title": js_str(nn(get(s, "title"), get(s, "id"))), "line": js_num(nn(get(s, "line"), 0)), "profile": nn(get(s, "profile"), None),
                    "status": "not-run", "reason": None}
            self.steps[key] = {"step": step, "queue": [], "json": self.stream(f"steps[{k}].blocks", ","), "html": self.stream(f"steps[{k}].html", "\n")}
        return self.steps[key]

    def started(self, r, d):
        state = self.step_of(get(d, "step"))
        state["step"]["status"] = "running"
        b = get(d, "block")
        block = {"id": js_str(prop(b, "id")), "line": js_num(prop(b, "line")), "action": js_str(prop(b, "action")), "lang": nn(prop(b, "lang"), None),
                 "command": js_str(get(d, "command")), "commandSha256": js_str(get(d, "command_sha256")), "stateChanging": js_bool(get(d, "state_changing")),
                 "target": nn(get(d, "target"), {}), "ranOn": None, "startedAt": r["time"], "endedAt": None, "durationMs": None, "status": "unfinished",
                 "exitCode": None, "signal": None, "error": None, "verdict": None, "reasons": [], "ok": None, "resultSets": [], "notes": [], "output": None,
                 "records": {"started": r["seq"], "finished": None}}
        block_state = {"block": block, "step": state, "approvals": [], "frozen": False}
        state["queue"].append(block_state)
        self.timeline.add(timeline_row(block_started_entry(state["step"]["title"], block)))
        self.blocks[f"{state['step']['id']} {block['id']}"] = block_state
        self.open[r["seq"]] = block_state

    def step_finished(self, r, d):
        """The first step.finished of a block finishes it; a later one for the same block changes nothing."""
        found = self.blocks.get(f"{js_str(get(d, 'step', 'id'))} {js_str(get(d, 'block', 'id'))}")
        if not found or found["frozen"]:
            return
        o, block = get(d, "outcome"), found["block"]
        result_set = lambda x: {"command": nn(prop(x, "command"), None), "columns": nn(prop(x, "columns"), []), "rowCount": nn(prop(x, "row_count"), None)}
        block.update({"ranOn": nn(get(d, "target"), None), "endedAt": nn(get(d, "ended_at"), r["time"]), "durationMs": nn(get(d, "duration_ms"), None),
                      "status": prop(o, "status"), "exitCode": nn(prop(o, "exit_code"), None), "signal": nn(prop(o, "signal"), None), "error": nn(prop(o, "error"), None),
                      "verdict": nn(prop(o, "verdict"), None), "reasons": nn(prop(o, "reasons"), []), "ok": nn(prop(o, "ok"), None),
                      "resultSets": js_map(nn(prop(o, "result_sets"), []), result_set), "notes": nn(get(d, "notes"), []), "output": self.output_of(d),
                      "records": {"started": block["records"]["started"], "finished": r["seq"]}})
        self.freeze(found)
        self.timeline.add(timeline_row(block_finished_entry(found["step"]["step"]["title"], block)))

    def freeze(self, block_state):
        """A finished block goes to its step's streams once the blocks started before it in that step have."""
        block_state["frozen"] = True
        self.open.pop(block_state["block"]["records"]["started"], None)
        queue = block_state["step"]["queue"]
        while queue and queue[0]["frozen"]:
            self.emit(block_state["step"], queue.pop(0))

    def emit(self, state, block_state):
        state["json"].add(jcs(block_state["block"]))
        state["html"].add(block_section(self.operator(), block_state["block"], block_state["approvals"]))
        block_state["block"] = block_state["approvals"] = None  # only "frozen" is read again: memory grows with the steps, not the blocks

    def operator(self):
        o = get(self.start, "operator")
        return {"name": js_str(get(o, "name")), "osUser": js_str(get(o, "os_user")), "hostname": js_str(get(o, "hostname"))}

    def output_of(self, d):
        o = get(d, "output")
        if not js_bool(o):
            return None
        path = os.path.join(self.d, js_str(get(o, "blob"))) if js_bool(get(o, "blob")) else None
        text, cut = excerpt(path) if path and os.path.exists(path) else ("", False)
        return {"blob": nn(get(o, "blob"), None), "sha256": js_str(get(o, "sha256")), "bytes": js_num(get(o, "bytes")), "stdout": nn(get(o, "stdout"), None),
                "stderr": nn(get(o, "stderr"), None), "excerpt": text, "excerptTruncated": cut}

    def head(self, warnings, bundle_key):
        """Everything but the per-record arrays, once the last record is in."""
        first, start, last, fin = self.first, self.start, self.last, get(self.finished, "data")
        for s in js_iter(nn(get(fin, "steps"), [])):
            state = self.steps.get(js_str(prop(s, "id")))
            if state:
                state["step"]["status"], state["step"]["reason"] = js_str(get(s, "status")), nn(get(s, "reason"), state["step"]["reason"])
        rb, seal, install = get(start, "runbook"), get(self.seal, "data"), get(start, "installation")
        mac = [] if os.path.isfile(os.path.join(self.d, "mac-key.txt")) else [("W_MAC_UNCHECKED", None, MAC_UNCHECKED)]
        return {
            "format": FORMAT,
            "run": {"id": first["run"], "profile": js_str(get(start, "profile")), "retentionDays": nn(get(start, "retention_days"), None), "operator": self.operator(),
                    "installation": {"id": js_str(get(install, "id")), "publicKey": js_str(get(install, "public_key"))}, "startedAt": first["time"],
                    "endedAt": (self.finished or last)["time"], "outcome": ("succeeded" if js_bool(get(fin, "ok")) else "failed") if self.finished else "unfinished",
                    "counts": nn(get(fin, "counts"), {})},
            "runbook": {"path": js_str(get(rb, "path")), "title": js_str(get(rb, "title")), "sha256": js_str(get(rb, "sha256")),
                        "text": read(self.d, js_str(get(rb, "blob"))) if js_bool(get(rb, "blob")) else None},
            "environment": {"tool": nn(get(start, "tool"), {}), "host": nn(get(start, "host"), {}), "options": nn(get(start, "options"), {}), "variables": nn(get(start, "variables"), [])},
            "seal": None if seal is MISSING else {"size": js_num(get(seal, "size")), "root": js_str(get(seal, "root")), "checkpoint": js_str(get(seal, "text")),
                                                 "signer": js_str(get(seal, "signer")), "signerFingerprint": signer_fingerprint(get(seal, "signer"))},
            "warnings": [{"code": c, "record": rec, "detail": detail} for c, rec, detail in mac + [w for code in REPORT_WARNINGS for w in warnings if w[0] == code]],
            "verification": {"journalSha256": self.hash.hexdigest(), "records": self.count, "commands": commands(start, bundle_key)},
            "generatedAt": last["time"],  # as of the journal's last record, never the clock of whoever builds it
        }

    def check(self, warnings, bundle_key):
        """report.json, then report.html, against what the journal gives: E_REPORT naming the first place that differs."""
        try:
            head = self.head(warnings, bundle_key)
            steps = list(self.steps.values())
            for state in steps:  # blocks still open at the end stay unfinished
                for block_state in state["queue"]:
                    self.emit(state, block_state)
                state["queue"] = []
            expected = {"report.json": self.json_segments(head, steps),
                        "report.html": Segments(html_pieces(head, self.timeline, [(s["step"], s["html"]) for s in steps])).done()}
        except (Fail, Found):
            raise
        except Exception as e:
            raise Fail("E_REPORT", f"no report can be built from this journal: {type(e).__name__}: {e}")
        for name in ("report.json", "report.html"):
            difference = compare(os.path.join(self.d, name), expected[name])
            if difference:
                self.failure(name, difference)

    def json_segments(self, head, steps):
        """RFC 8785 sorts the keys: environment, events, format, generatedAt, records, run, runbook, seal, steps, verification, warnings."""
        json = Segments()
        member = lambda before, key: json.raw(f'{before}"{key}":', key).value(head[key], key)
        member("{", "environment")
        json.raw(',"events":[', "events").digest(self.events, "events")
        member("],", "format")
        member(",", "generatedAt")
        json.raw(',"records":[', "records").digest(self.records, "records")
        member("],", "run")
        member(",", "runbook")
        member(",", "seal")
        json.raw(',"steps":[', "steps")
        for k, state in enumerate(steps):  # a step's keys sort "blocks" first: {"blocks":[…],"id":…}
            json.raw(("," if k else "") + '{"blocks":[', f"steps[{k}]").digest(state["json"], f"steps[{k}].blocks").raw("],", f"steps[{k}]").value(state["step"], f"steps[{k}]", 1)
        member("],", "verification")
        member(",", "warnings")
        return json.raw("}", "(the end)").done()

    def failure(self, name, difference):
        """reportFailure (verify-report.ts): the message names the field (report.json) or part of the page (report.html)."""
        is_json, path = name == "report.json", os.path.join(self.d, name)
        says = lambda offset: quote(snippet(path, offset))
        kind = difference[0]
        if kind == "longer":
            raise Fail("E_REPORT", f"{name} goes on after the report the journal gives has ended (at byte {difference[1]}: {says(difference[1])})")
        if kind == "text":
            _, where, offset, expected = difference
            raise Fail("E_REPORT", f"{name} differs from the report the journal gives {'at' if is_json else 'in'} {where}: {name} has {says(offset)}, the journal gives {quote(expected)}")
        _, stream, label, offset = difference
        found = find_in_stream(self.d, path, stream, offset)
        if not found:
            raise Fail("E_REPORT", f"{name} differs from the report the journal gives in {label}")
        element = found.element.decode("utf-8", "replace")
        if is_json:
            where = f"{stream}[{found.index}]" if found.at < 0 else path_at(element, found.at, f"{stream}[{found.index}]")
        else:
            where = f"the timeline, row {found.index + 1}" if stream == "timeline" else f"step {int(re.search('[0-9]+', stream)[0]) + 1}, block {found.index + 1}"
        at = u16_len(element[:found.at])
        gives = f", the journal gives {quote(units(element, at, at + SNIPPET))}" if found.at >= 0 else ""
        raise Fail("E_REPORT", f"{name} differs from the report the journal gives {'at' if is_json else 'in'} {where}: {name} has {says(found.offset)}{gives}")

def excerpt(path, n=EXCERPT_BYTES):
    """The first and last n bytes of an output (all of it up to 2n); a UTF-8 sequence cut in two shows as U+FFFD."""
    with open(path, "rb") as f:
        data = f.read(2 * n + 1)
        if len(data) <= 2 * n:
            return data.decode("utf-8", "replace"), False
        size = os.fstat(f.fileno()).st_size
        f.seek(size - n)
        return f"{data[:n].decode('utf-8', 'replace')}\n\u2026 {size - 2 * n} bytes not shown \u2026\n{f.read(n).decode('utf-8', 'replace')}", True

def signer_fingerprint(signer):
    try:
        return fingerprint(key_blob(js_str(signer)))
    except ValueError:
        return ""

def shell_quote(value):
    """One shell word, as src/shared/shell-quote.ts writes it: bare, or in single quotes, with control characters as $'\\xHH'."""
    if not re.search(f"[{CONTROL}]", value):
        return value if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", value) else "'" + value.replace("'", "'\\''") + "'"
    return "".join("" if p == "" else "$'" + "".join(f"\\x{b:02x}" for b in p.encode()) + "'" if i % 2 else "'" + p.replace("'", "'\\''") + "'"
                   for i, p in enumerate(re.split(f"([{CONTROL}]+)", value)))

def commands(start, bundle_key):
    """verifyInstructions' commands: they name the installation when its key signed the bundle, else the operator."""
    install = get(start, "installation")
    installation = f"installation-{js_str(get(install, 'id'))}"
    line = get(install, "public_key")  # sameKey (verify.ts): the key in `type base64 …`, as Node decodes base64
    m = re.match(f"[^{JS_SPACE}]+ ([A-Za-z0-9+/]+)", re.sub(f"^[{JS_SPACE}]+|[{JS_SPACE}]+$", "", line)) if isinstance(line, str) else None
    b64 = m[1][:len(m[1]) - (len(m[1]) % 4 == 1)] if m else None  # Node ignores a last character that makes no byte
    same = b64 is not None and base64.b64decode(b64 + "=" * (-len(b64) % 4)) == bundle_key
    signer = shell_quote(installation if same else principal_for(nn(get(start, "operator", "name"), "operator")))
    return ["sha256sum -c SHA256SUMS",
            f"ssh-keygen -Y verify -f allowed_signers -I {signer} -n runbook-console-audit -s SHA256SUMS.sig < SHA256SUMS",
            f"ssh-keygen -Y verify -f allowed_signers -I {signer} -n runbook-console-audit -s report.json.sig < report.json",
            f"ssh-keygen -Y verify -f allowed_signers -I {shell_quote(installation)} -n runbook-console-checkpoint -s checkpoint.txt.sig < checkpoint.txt",
            "python3 verify.py ."]

# ---- report-segments.ts and verify-report.ts: the file against what the journal gives --------------------

class Segments:
    """SegmentWriter: fixed text (each piece naming its place) and Streams, in the order of the file."""

    def __init__(self, pieces=()):
        self.segments, self.pieces = [], []
        for piece in pieces:
            if isinstance(piece, Stream):
                self.digest(piece, "the timeline" if piece.name == "timeline" else f"step {int(re.search('[0-9]+', piece.name)[0]) + 1}'s blocks")
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
                start = 0
                for text, at in pieces:
                    if offset < start + len(text):
                        return at(offset - start)
                    start += len(text)
                return pieces[-1][1](len(pieces[-1][0]))
            self.segments.append(("text", "".join(p[0] for p in pieces), where))

def prefix(a, b):
    """How many bytes a and b have in common from the start."""
    k = 0
    while k < len(a) and k < len(b) and a[k] == b[k]:
        k += 1
    return k

def compare(path, segments):
    """The file read once against the segments: the first difference, or None when it is exactly what they describe."""
    with open(path, "rb") as f:
        offset = 0
        for segment in segments:
            if segment[0] == "text":
                _, text, where = segment
                want = text.encode()
                got = f.read(len(want))
                if got != want:
                    k = prefix(got, want)
                    same = want[:k].decode("utf-8", "replace")  # (its length in characters names the place, in UTF-16 units cuts the text)
                    return ("text", where(min(len(same), len(text) - 1)), offset + k, units(text, u16_len(same), u16_len(same) + SNIPPET))
                offset += len(want)
            else:
                _, stream, label = segment
                h, left = hashlib.sha256(), stream.bytes
                while left > 0:
                    chunk = f.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    h.update(chunk)
                    offset, left = offset + len(chunk), left - len(chunk)
                if h.hexdigest() != stream.hash.hexdigest():
                    return ("digest", stream.name, label, offset - stream.bytes)
        return ("longer", offset) if f.read(1) else None

def snippet(path, offset):
    with open(path, "rb") as f:
        f.seek(offset)
        return units(f.read(2 * SNIPPET).decode("utf-8", "replace"), 0, SNIPPET)

def find_in_stream(d, path, stream, offset):
    """Where stream `stream`, which starts at byte `offset` of the file, first differs from the elements the journal
    gives: the journal is read again and fed to a builder that shows that stream's elements one at a time."""
    with open(path, "rb") as f:
        position = [offset]
        def differs(data):  # (character, byte in the file) where the file first differs from data, or None
            f.seek(position[0])
            k = prefix(f.read(len(data)), data)
            at, position[0] = position[0] + k, position[0] + len(data)
            return (len(data[:k].decode("utf-8", "replace")), at) if k < len(data) else None
        def probe(element, index, sep):
            for data, which in ((sep, -1), (element, 0)):
                where = differs(data) if data else None
                if where:
                    raise Found(index, which if which < 0 else where[0], element, where[1])
        builder = Report(d, (stream, probe))
        try:
            with open(os.path.join(d, "journal.jsonl"), "rb") as journal:
                for raw in journal:
                    builder.record(parse_json(raw[:-1].decode("utf-8"))[0], raw[:-1])
        except Found as found:
            return found
    return None

def path_at(text, offset, base=""):
    """The JSON path (base.key[3].other) of the innermost value or member of canonical JSON `text` holding character `offset`."""
    best = [base, -1]
    def string_end(i):
        j = i + 1
        while j < len(text):
            if text[j] == "\\":
                j += 1
            elif text[j] == '"':
                return j + 1
            j += 1
        return len(text)
    def value(i, path, depth):
        start, c = i, text[i] if i < len(text) else ""
        if c in ("{", "["):
            close, i, index = "}" if c == "{" else "]", i + 1, 0
            while i < len(text) and text[i] != close:
                member = i
                if c == "{":
                    end = string_end(i)
                    try:
                        key = json.loads(text[i:end])
                    except ValueError:
                        return len(text)
                    child = f"{path}.{key}" if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", key) else f"{path}[{quote(key)}]"
                    i = end + 1
                else:
                    child = f"{path}[{index}]"
                end = value(i, child, depth + 1)
                if member <= offset < end and depth + 1 > best[1]:
                    best[:] = [child, depth + 1]
                i, index = end, index + 1
                if i < len(text) and text[i] == ",":
                    i += 1
            i += 1
        elif c == '"':
            i = string_end(i)
        else:
            while i < len(text) and text[i] not in ",]}":
                i += 1
        if start <= offset < i and depth > best[1]:
            best[:] = [path, depth]
        return i
    try:
        value(0, base, 0)
    except RecursionError:
        pass
    return best[0] or "(the whole report)"
