"""The journal format: what each record type's data holds (records/*.ts, docs/audit.md "Records"). Read third,
after verify_json.py.

The first record must be a run.started naming FORMAT (else E_FORMAT), and each record's data exactly what SCHEMAS
gives for its type: no field missing, extra or of another JSON type, no code outside its list (else E_RECORD_DATA,
naming the record, its type and the field; E_AFTER_SEAL for a record after the final seal). Every later check reads
records that fit. A schema is a dict (a closed object; "key?" may be absent, and is never null unless its spec allows
it), [spec] (an array), a tuple (the values allowed, equal and of the same JSON type), or a check function.
"""
import re
from verify_json import JSON_STRING, UTC_TIME, Fail, jcs, js_str, safe

FORMAT_1, FORMAT_2, FORMAT_3, FORMAT = ("runbook-console-journal/1", "runbook-console-journal/2",
                                      "runbook-console-journal/3", "runbook-console-journal/4")
MAX_INT = 2 ** 53 - 1
FORMATS = (FORMAT_1, FORMAT_2, FORMAT_3, FORMAT)  # format.ts KNOWN_FORMATS
LATER_TYPES = ("run.ended-early", "run.resumed", "timer")  # format.ts laterFormat: the record types format 2 added
APPROVAL_NS, SIGNOFF_NS = "runbook-console-approval", "runbook-console-signoff"

def codes(text):  # a code list, "|"-separated
    return tuple(text.split("|"))

RECORD_TYPES = codes("run.started|run.interrupted|run.finished|run.ended-early|run.resumed|step.started|step.finished|"
                     "step.skipped|step.note|fillin|decision|trust|timer|approval|signoff|checkpoint|log.recovered|"
                     "error|export|verify")  # types.ts

class Misfit(Exception):
    """Data that does not fit its schema: (the field's path, why)."""

def describe(v):
    if isinstance(v, (list, dict)):
        return "an array" if isinstance(v, list) else "an object"
    if v is None or isinstance(v, bool):
        return {None: "null", True: "boolean true", False: "boolean false"}[v]
    if isinstance(v, str):
        return f"a string {JSON_STRING(v[:40] + ('…' if len(v) > 40 else ''))}"
    return f"number {js_str(v)}"

def fits(spec, v, at="data"):
    """Raises Misfit where v does not fit spec."""
    if isinstance(spec, dict):
        names = {k.rstrip("?") for k in spec}
        if type(v) is not dict:
            raise Misfit(at, f"expected object, found {describe(v)}")
        for k in v:  # "__proto__" too: JSON.parse makes it a field like any other
            if k not in names:
                raise Misfit(f"{at}.{k}", "a field this record type does not have in the journal format")
        for k, s in spec.items():
            if k.rstrip("?") in v:
                fits(s, v[k.rstrip("?")], f"{at}.{k.rstrip('?')}")
            elif not k.endswith("?"):
                raise Misfit(f"{at}.{k}", "missing")
    elif isinstance(spec, list):
        if type(v) is not list:
            raise Misfit(at, f"expected array, found {describe(v)}")
        for n, x in enumerate(v):
            fits(spec[0], x, f"{at}[{n}]")
    elif isinstance(spec, tuple):
        if not any(type(v) is type(x) and v == x for x in spec):
            raise Misfit(at, f"expected one of {', '.join(map(jcs, spec))}, found {describe(v)}")
    else:
        spec(v, at)

def kind(what, test):
    def check(v, at):
        if not test(v):
            raise Misfit(at, f"expected {what}, found {describe(v)}")
    return check

def Int(low):  # z.number().int(): a safe integer, not a bool (nor a float: 1e21 is no integer JSON writes)
    what = f"an integer >= {low}" if low > -MAX_INT else "an integer"
    return kind(what, lambda v: type(v) is int and low <= v <= MAX_INT)

def Text(pattern, what):  # ASCII classes only, matched whole
    return kind(what, lambda v: isinstance(v, str) and re.fullmatch(pattern, v) is not None)

def Null(spec):
    return lambda v, at: None if v is None else fits(spec, v, at)

def One(*specs):  # z.union: the first that fits; else the misfit of the variant it came closest to (deepest field)
    def check(v, at):
        misfits = []
        for s in specs:
            try:
                return fits(s, v, at)
            except Misfit as e:
                misfits.append(e)
        raise max(misfits, key=lambda e: (not e.args[1].startswith("a field this"), len(e.args[0])))
    return check

def By(key, variants):  # z.discriminatedUnion: the variant its `key` names (a dict variant holds it as a literal)
    variants = [(k, {key: (k,), **s} if isinstance(s, dict) else s) for k, s in variants.items()]
    def check(v, at):
        if type(v) is not dict:
            raise Misfit(at, f"expected object, found {describe(v)}")
        spec = next((s for k, s in variants if key in v and type(k) is type(v[key]) and k == v[key]), None)
        if spec is None:
            found = describe(v[key]) if key in v else "nothing"
            raise Misfit(f"{at}.{key}", f"expected one of {', '.join(jcs(k) for k, _ in variants)}, found {found}")
        fits(spec, v, at)
    return check

def Map(keys, values):  # z.record: any string keys (STR) or those of a code list, every value ("__proto__" too)
    def check(v, at):
        if type(v) is not dict:
            raise Misfit(at, f"expected record, found {describe(v)}")
        for k, x in v.items():
            if keys is not STR and k not in keys:
                raise Misfit(f"{at}.{k}", "a field this record type does not have in the journal format")
            fits(values, x, f"{at}.{k}")
    return check

def Together(spec, *keys):  # a refine: the keys are all there or none
    def check(v, at):
        fits(spec, v, at)
        if len({k in v for k in keys}) > 1:
            raise Misfit(f"{at}.{keys[0]}", f"{' and '.join(keys)} are given together")
    return check

STR, BOOL = kind("string", lambda v: isinstance(v, str)), kind("boolean", lambda v: isinstance(v, bool))
INT, LINE, SIGNED = Int(0), Int(1), Int(-MAX_INT)
NUM = kind("a number >= 0", lambda v: type(v) in (int, float) and v >= 0)
SHA = Text("[0-9a-f]{64}", "a SHA-256: 64 lowercase hex digits")
HASH = Text("[A-Za-z0-9+/]{43}=", "a 32-byte hash in base64")
BLOB = Text("blobs/[0-9a-f]{64}", "a blob path: blobs/<sha256>")
UTC = Text(UTC_TIME.pattern, "a UTC time such as 2026-01-02T03:04:05.678Z")
KEY = Text("[a-z][a-z0-9@.-]* [A-Za-z0-9+/]+={0,2}", "an SSH public key: type base64")
FP = Text("SHA256:[A-Za-z0-9+/]{43}", "a key fingerprint")
PROFILES, KINDS = codes("standard|regulated|restricted"), codes("local|ssh|postgres|kubernetes|prometheus")
REFUSALS = codes("protected-not-confirmed|approval-refused|value-unsafe|store-lagging")
CAUSES, STATUSES = codes("SIGHUP|SIGTERM|SIGINT|EPIPE|app quit"), codes("succeeded|failed|skipped|cancelled|not-run")
VERDICTS = codes("sql-read-only|sql-writes|sql-function-not-allowed|sql-select-into|sql-locking|sql-modifying-cte|"
                 "sql-explain-analyze-write|sql-parse-error|sql-meta-command|shell-read-only|"
                 "shell-command-not-allowed|shell-arguments-not-read-only|shell-redirect-to-file|"
                 "shell-assignment-not-allowed|shell-dynamic-command|shell-unsupported-syntax|shell-parse-error|"
                 "manifest-applies|promql-query|display|unknown-action|unknown")
ID, REF, AGAIN = {"id": STR}, {"seq": INT, "sha256": SHA}, {"seq": INT, "why": STR}
DIGEST = {"bytes": INT, "sha256": SHA}
STEP = {"id": STR, "title": STR, "line": LINE, "profile": Null(PROFILES)}
OPTIONS = {"approvers_file": Null(STR),
           "approvers?": {"source": STR, "sha256": SHA, "text": STR, "namespace": (APPROVAL_NS,)},
           "operator_keys?": [{"source": codes("installation|export-key|named|ssh-agent"), "key": KEY,
                               "fingerprint": FP}]}
CLI = {"only": [STR], "keep_going": BOOL, "yes": BOOL, "targets_file": Null(STR), "confirm_protected": [STR], **OPTIONS}
BOUND_BY = codes("fence attribute|front matter|targets file defaults|built-in default|operator choice")
TARGET = {"name": STR, "bound_by": BOUND_BY, "protected": BOOL}
TARGETS = {
    "local": {"shell": STR, "cwd": Null(STR), "host": STR},
    "ssh": {"host": STR, "port": Null(INT), "user": Null(STR), "fingerprint_pinned": Null(STR),
            "known_hosts": Null(One(STR, [STR])), "jump": Null(STR)},
    "postgres": {"host": STR, "port": INT, "database": STR, "user": STR,
                 "sslmode": codes("disable|prefer|require|verify-ca|verify-full"), "password_from": Null(STR)},
    "kubernetes": {"kubeconfig": Null(STR), "context": Null(STR), "namespace": Null(STR)},
    "prometheus": {"url": STR}}
OUTCOME = {"status": codes("succeeded|failed|cancelled|timed-out|error"), "exit_code": Null(SIGNED),
           "signal": Null(STR), "error": Null(STR), "verdict": Null(codes("pass|fail|warn")), "reasons": [STR],
           "ok": BOOL, "refusal": Null(REFUSALS), "results_blob": Null(BLOB),
           "result_sets": [{"command": Null(STR), "columns": [STR], "row_count": Null(SIGNED)}]}
OUTPUT = {"blob": Null(BLOB), "bytes": INT, "sha256": SHA, "index_blob": Null(BLOB), "stdout": DIGEST, "stderr": DIGEST,
          "info": DIGEST, "failure_code?": codes("open|write|fsync|blobs"), "failure?": STR}
SKIP, NOTE = {"step": STEP, "reason": STR}, {"step": ID, "by": STR}
SIGNED_BY = {"key": KEY, "fingerprint": FP, "signature": STR}
REFUSED_BY = {**{k: Null(s) for k, s in SIGNED_BY.items()}, "reason": STR}
APPROVING = {"step": ID, "block": ID, "started": REF}
CHECKED = {"namespace": (APPROVAL_NS,), "message": SHA, "approvers_sha256": SHA}
SIGNING = {"step": ID, "name": STR, "role": STR, "date": STR, "principal": STR, "signs": REF,
           "namespace": (SIGNOFF_NS,), "message": STR, "method": codes("key-file|ssh-agent|pasted")}
SCHEMAS = {
    "run.started": {
        "format": FORMATS, "runbook": {"path": Null(STR), "sha256": SHA, "title": STR, "blob": BLOB, "bytes": INT},
        "profile": PROFILES, "operator": {"name": STR, "os_user": STR, "hostname": STR},
        "tool": {"name": STR, "version": STR}, "host": {"platform": STR, "arch": STR, "node": STR},
        "installation": {"id": STR, "public_key": STR}, "retention_days": Null(INT), "mac_key_sha256": SHA,
        "options": By("host", {"cli": CLI, "console": OPTIONS}),
        "variables": [{"name": STR, "secret": BOOL, "value?": Null(STR),
                       "source": codes("option|front matter|target env|operator|unknown")}],
        "store?": {"url": STR, "gate": BOOL}},
    "run.interrupted": {"cause": CAUSES, "by": codes("signal|stdout closed|host shutdown"), "step?": Null(STR)},
    "run.finished": One(
        {"ok": BOOL, "counts": Map(STATUSES, INT), "steps": [{"id": STR, "status": STATUSES, "reason": Null(STR)}],
         "interrupted?": CAUSES, "recorded_again?": AGAIN},
        {"ok": (False,), "interrupted": (True,), "closed_by": codes("export|recover"), "steps": [()],
         "unfinished": [{"seq": INT, "step": STR, "block": STR}],
         "orphaned_outputs": [{"file": STR, "blob": BLOB, "sha256": SHA, "bytes": INT}], "recorded_again?": AGAIN,
         "stale_lock": Null({"pid": SIGNED, "host": STR, "started": STR,
                             "purpose": codes("run|export|recover|access")})}),
    "step.started": {
        "step": STEP,
        "block": {"id": STR, "line": LINE, "action": codes("shell|sql|k8s-manifest|promql|display"), "lang": Null(STR)},
        "target": By("kind", {k: {**TARGET, **t} for k, t in TARGETS.items()}), "command": STR, "command_sha256": SHA,
        "env": [STR], "bind_params": INT, "state_changing": BOOL, "verdict": {"code": VERDICTS, "detail": STR}},
    "step.finished": {
        "step": ID, "block": ID, "started": Null(REF), "notes": [STR], "started_at": UTC, "ended_at": UTC,
        "duration_ms": NUM, "outcome": OUTCOME,
        "target": {"name": STR, "kind": KINDS, "endpoint": STR, "details?": Map(STR, STR)},
        "output": Together(OUTPUT, "failure_code", "failure")},
    "step.skipped": By("by", {"plan": {**SKIP, "code": codes("not-selected|above-profile|manual-step|for-a-person")},
                              "operator": SKIP, "refused": {**SKIP, "status": STATUSES, "refusal": Null(REFUSALS)},
                              "decision": {**SKIP, "decision": {"step": STR, "choice": STR}}}),
    "step.note": One({**NOTE, "binding": {"block": STR, "target": STR, "kind": KINDS, "endpoint": STR}},
                     {**NOTE, "mark": codes("pass|fail"), "note": Null(STR)}, {**NOTE, "text": STR},
                     {**NOTE, "change": codes("decision|mark|skip"), "from": STR, "to": STR, "reason": STR}),
    "timer": {"step": ID, "kind": codes("timebox|repeat"), "event": codes("started|stopped|due|run|remind"),
              "text": STR, "runs": INT, "by": STR},
    "run.resumed": {"by": STR, "unfinished": [{"seq": INT, "step": STR, "block": STR}], "stale_lock": Null(
        {"pid": SIGNED, "host": STR, "started": STR, "purpose": codes("run|export|recover|access")})},
    "run.ended-early": {"by": STR, "reason": Null(STR), "unfinished": [{"step": STR, "title": STR, "what": codes(
        "not-run|failed|cancelled|running|decision-pending|signoff-missing|not-done")}]},
    "fillin": {"step": ID, "label": STR, "value": STR},
    "decision": {"step": ID, "decision": STR, "note": Null(STR), "by": STR},
    "trust": {"question": STR, "kind": codes("confirm|type-name|secret|text"), "text": Null(STR),
              "answer": (True, False, "(typed)", "(given)"), "by": codes("operator|cancel|step-ended|replaced")},
    "approval": By("granted", {
        True: {**APPROVING, "store_login?": STR, "approver": STR, "principal": STR, **SIGNED_BY, **CHECKED},
        False: By("code", {**{c: {**APPROVING, "store_login?": STR, "granted": (False,), "approver": STR, **REFUSED_BY,
                                  **CHECKED} for c in
                              codes("not-a-signature|bad-signature|operator-key|operator-name|not-an-approver")},
                           **{c: {**APPROVING, "granted": (False,), "approver": (None,), "reason": STR}
                              for c in codes("withdrawn|timed-out")}})}),
    "signoff": By("accepted", {
        True: {**SIGNING, **SIGNED_BY},
        False: {**SIGNING, "code": codes("not-a-signature|wrong-namespace|bad-signature|operator-key"), **REFUSED_BY}}),
    "checkpoint": {"origin": STR, "size": INT, "root": HASH, "text": STR, "signature": STR, "signer": STR,
                   "previous": Null({"size": INT, "root": HASH}), "consistency_proof": [HASH],
                   "reason": codes("run-end|periodic|export|shutdown|recover"), "retention_days": Null(INT)},
    "log.recovered": {"offset": INT, "bytes": INT, "sha256": SHA, "file": STR},
    "error": {"cause": ("journal-write-failed",), "note_id": STR, "seq": INT, "record_type": RECORD_TYPES,
              "code": Null(STR), "message": STR, "at": UTC},
    "export": {"out": STR, "files": INT, "report_sha256": SHA, "signer": FP, "principal": STR,
               "closed_interrupted": BOOL},
    "verify": {"result": codes("ok|unanchored"), "warnings": [
        codes("W_CLOCK_BACKWARDS|W_RECOVERED|W_MAC_UNCHECKED|W_UNSEALED|W_SIGNER_UNCHECKED|W_UNANCHORED")]},
}

class RecordData:
    """verify-records.ts: the format (record 0 names it), then record i's data against its type's schema."""
    def __init__(self):
        self.previous = self.final_seal = None  # the type before; the final seal (a checkpoint after run.finished)
        self.format = None  # the format record 0 names

    def check(self, i, r):
        t, data, sealed = r["type"], r["data"], self.final_seal
        if t == "checkpoint" and self.previous == "run.finished" and sealed is None:
            self.final_seal = i
        self.previous = t
        if i == 0 and t != "run.started":
            raise Fail("E_FORMAT", f"record 0: the first record is {t}, not run.started, which names the journal's "
                                   "format", 0)
        if i == 0 and "format" not in data:
            raise Fail("E_FORMAT", "record 0: run.started names no journal format (data.format): it was written before "
                                   "formats were named", 0)
        if i == 0 and data["format"] not in FORMATS:
            raise Fail("E_FORMAT", f"record 0: the journal is in format {safe(jcs(data['format']))}; this verifier "
                                   f"reads {', '.join(FORMATS)}: use a verifier that reads it", 0)
        if i == 0:
            self.format = data["format"]
        try:
            fits(SCHEMAS[t], data)
            refusal = data["outcome"].get("refusal") if t == "step.finished" else data.get("refusal") if t == "step.skipped" else None
            later = 'refusal "store-lagging": a code format %s does not have (format 3 added it)' % (1 if self.format == FORMAT_1 else 2) \
                if self.format in (FORMAT_1, FORMAT_2) and refusal == "store-lagging" else None
            n = self.format[-1]
            later = later or ('approval code "timed-out": a code format %s does not have (format 4 added it)' % n
                              if self.format != FORMAT and t == "approval" and data.get("code") == "timed-out" else
                              "store: a field format %s does not have (format 4 added it)" % n
                              if self.format != FORMAT and t == "run.started" and "store" in data else
                              "store_login: a field format %s does not have (format 4 added it)" % n
                              if self.format != FORMAT and t == "approval" and "store_login" in data else None)
            later = later or (None if self.format != FORMAT_1 else \
                "a record type format 1 does not have (format 2 added it)" if t in LATER_TYPES else \
                "change: a field format 1 does not have (format 2 added it)" if t == "step.note" and "change" in data \
                else 'by "decision": a skip format 1 does not have (format 2 added it)' \
                if t == "step.skipped" and data.get("by") == "decision" \
                else "variables[].value: a field format 1 does not have (format 2 added it)" \
                if t == "run.started" and any("value" in v for v in data["variables"]) else None)
            if later:
                raise Fail("E_RECORD_DATA", f"record {i} ({t}): {later}, and the journal is in {self.format}", i)
        except Misfit as e:
            if sealed is not None:
                raise Fail("E_AFTER_SEAL", f"record {i} ({t}) follows the final seal (record {sealed})", i)
            raise Fail("E_RECORD_DATA", f"record {i} ({t}): {safe(e.args[0])}: {safe(e.args[1])}", i)
