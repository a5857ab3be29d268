#!/usr/bin/env python3
"""Checks a Runbook Console run directory or evidence bundle offline: Python 3.9+ standard library, and OpenSSH's ssh-keygen.

    python3 verify.py [DIR] [--allowed-signers FILE] [--prior FILE] [--pin SHA256:...] [--run-id ID]
                            [--allow-unsealed] [--mac-key FILE]

DIR is a run directory or an evidence bundle (default: this script's directory). The verdict is the one
`runbook verify` gives, by the same checks; the first failure of the earliest check in this order is reported:
  bundle     SHA256SUMS lists every file (sorted, once each) and each matches; journal.jsonl, report.json,
             report.json.sig and report.html are there; SHA256SUMS.sig and report.json.sig hold, by one key
  journal    LF line ends, canonical JSON (RFC 8785), the record envelope; sequence numbers, one run (--run-id)
             and the hash chain; every MAC (mac-key.txt or --mac-key) and the key's commitment; monotonic time
  records    the first is a run.started naming the journal format this reads; every record's data is exactly what
             its type holds in that format (SCHEMAS: no field missing, extra or of another type; no unknown code)
  seal       every checkpoint's size, origin, RFC 9162 Merkle root and SSHSIG by the installation key that
             run.started records; the final seal ends the journal and is checkpoint.txt; the journal extends --prior
  approvals  in a RESTRICTED run, every state-changing block that ran has a granted approval signed over its
             step.started line, by none of the operator's keys, for an approver the run's recorded list allows
  sign-offs  every accepted sign-off's message, the record it signs off, its principal and its SSHSIG
  blobs      every output, index, result and runbook blob matches its hash
  report     a bundle's report.json and report.html are, byte for byte, what the journal gives (built again by
             verify_report.py, beside this file: read it second)
Anchors say whose keys these are: --pin (the installation key's fingerprint) and --prior (a checkpoint of this run
held elsewhere) for the seal key; --allowed-signers (OpenSSH allowed_signers; a line counts only for a namespace its
namespaces= option names) for it and for the bundle's, the approvers' and the sign-offs' keys. A key the anchors
given do not vouch for fails E_SIGNER; without anchors, signatures are only checked to hold (-Y check-novalidate).
Exit status: 0 intact and anchored; 1 FAIL with a reason code (those of `runbook verify`); 2 usage error;
3 intact, but nothing anchors some key (the last line says which). The journal is read once, a line at a time.

Reading it: the record's JSON as RFC 8785 and JavaScript read it; keys, signatures (ssh-keygen) and anchors
(allowed_signers); Failures, which orders what is reported; the Verifier, one pass over the journal (chain,
MACs, time, seal and Merkle tree, approvals, sign-offs, blobs, then the anchors); a bundle's files; the
command line; main, which turns the outcome into the exit status.
"""
import argparse, base64, datetime, hashlib, hmac, importlib.util, itertools, json, os, re, shutil, subprocess, sys, tempfile

sys.dont_write_bytecode = True  # a bundle holds only what was exported: no __pycache__ beside this file
sys.modules.setdefault("verify", sys.modules[__name__])  # so that verify_report.py imports this very module

GENESIS, HEX64 = "0" * 64, re.compile("[0-9a-f]{64}")
TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
NS = {k: f"runbook-console-{k}" for k in ("checkpoint", "audit", "approval", "signoff")}
RECORD_TYPES = ("run.started", "run.interrupted", "run.finished", "step.started", "step.finished", "step.skipped", "step.note", "fillin", "decision",
                "trust", "approval", "signoff", "checkpoint", "log.recovered", "error", "export", "verify")  # records/types.ts
FIELDS = {"seq": int, "run": str, "type": str, "time": str, "mono_ns": str, "boot_id": str, "data": dict, "prev": str, "mac": str}
BUNDLE_REQUIRED = ("journal.jsonl", "report.json", "report.json.sig", "report.html")
# The checks, in the order failures are reported (verify-phases.ts); what a check fails with when a record has a shape nobody writes.
EMPTY, CRLF, TORN, PARSE, ORDER, MAC, TIME, RUN, DATA, SEAL, APPROVAL, SIGNOFF, BLOB, REPORT, ANCHOR = range(1, 16)
FALLBACK = {PARSE: "E_JSON", ORDER: "E_FIELDS", MAC: "E_MAC", TIME: "E_FIELDS", RUN: "E_RUN_ID", DATA: "E_RECORD_DATA", SEAL: "E_SEAL_ORIGIN", APPROVAL: "E_APPROVAL",
            SIGNOFF: "E_SIGNOFF", BLOB: "E_BLOB", REPORT: "E_REPORT", ANCHOR: "E_SIGNER"}
MISSING = type("Undefined", (), {"__repr__": lambda self: "undefined"})()  # where JavaScript reads `undefined`
CONTROL = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # JavaScript's \s
SURROGATE, JSON_STRING = re.compile("[\ud800-\udfff]"), json.JSONEncoder(ensure_ascii=False).encode  # a string as JSON.stringify writes it

# ---- Outcomes ---------------------------------------------------------------------------------------------

class Fail(Exception):
    """A failed check: reason code, detail, record; `later` gives them once the pass has read further."""
    def __init__(self, code=None, detail=None, record=None, line=None, later=None):
        super().__init__(code, detail)
        self.code, self.detail, self.record, self.later = code, detail, record, later
        self.line = line if line is not None or record is None else record + 1

class Usage(Exception):
    pass

class SigError(Exception):
    """A signature that does not hold: its reason code (E_SIGNATURE, E_NAMESPACE); other_key: made by another key than named."""
    def __init__(self, code, message, other_key=False):
        super().__init__(message)
        self.code, self.message, self.other_key = code, message, other_key

def safe(text):
    """Journal text is shown, never obeyed: control and bidi characters are escaped."""
    return re.sub(f"[{CONTROL}]", lambda m: f"\\u{ord(m.group()):04x}", str(text))

def read(d, name, text=True):
    """A file in DIR, or None when absent. Decoded here, never in text mode, which would hide CR LF."""
    path = os.path.join(d, name)
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        data = f.read()
    return data.decode("utf-8", "replace") if text else data

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

# ---- The record's JSON, read as the TypeScript verifier reads it ------------------------------------------

def get(value, *keys):
    """value[k1][k2]…, or MISSING where a step is absent or not an object (JavaScript's `a?.b`)."""
    for k in keys:
        value = value.get(k, MISSING) if isinstance(value, dict) else MISSING
    return value

def nn(value, default):  # value ?? default
    return default if value is None or value is MISSING else value

def js_str(v):  # String(v)
    if isinstance(v, str):
        return v
    if v is MISSING or v is None or isinstance(v, bool):
        return {MISSING: "undefined", None: "null", True: "true", False: "false"}[v]
    if isinstance(v, float) and (v != v or abs(v) == float("inf")):
        return "NaN" if v != v else "Infinity" if v > 0 else "-Infinity"
    if isinstance(v, (int, float)):
        return js_number(v)
    return ",".join("" if x is None else js_str(x) for x in v) if isinstance(v, list) else "[object Object]"

def js_bool(v):  # Boolean(v): {} and [] are true
    return v is not MISSING and v is not None and v is not False and v != 0 and v != "" and v == v

def js_number(x):
    """ECMAScript Number::toString (RFC 8785's number form): Python's shortest round-trip digits, placed as ECMAScript places them."""
    if isinstance(x, int) and abs(x) < 2 ** 53:
        return str(x)
    x = float(x)
    if x != x or abs(x) == float("inf"):
        raise ValueError(f"{x} has no JSON form")
    mantissa, _, exponent = repr(x).partition("e")
    if not exponent:
        return "0" if x == 0 else mantissa[:-2] if mantissa.endswith(".0") else mantissa
    sign, digits, e = "-" if x < 0 else "", mantissa.lstrip("-").replace(".", ""), int(exponent)
    if 0 <= e < 21:
        return sign + digits + "0" * (e + 1 - len(digits))
    if -7 < e < 0:
        return sign + "0." + "0" * (-e - 1) + digits
    return f"{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"

def jcs(v):
    """RFC 8785 exactly (numbers as ECMAScript writes them, keys in UTF-16 order, undefined members left out)."""
    if isinstance(v, dict):
        keys = sorted((k for k in v if v[k] is not MISSING), key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(jcs(k) + ":" + jcs(v[k]) for k in keys) + "}"
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, str):
        if SURROGATE.search(v):
            raise ValueError("a string holds a lone UTF-16 surrogate")
        return JSON_STRING(v)
    return {None: "null", True: "true", False: "false"}[v] if v is None or isinstance(v, bool) else js_number(v)

def dumps(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

def parse_json(text):
    """(value, needs jcs?): json.dumps writes what RFC 8785 does but for numbers Python spells (1.0, 1e+16, 5e-07) or
    reads (past 2^53) otherwise, and for keys past U+E000, which sort otherwise in UTF-16. KeyError: a key twice."""
    odd = []
    def real(s):
        f = float(s)
        if repr(f) != s or js_number(f) != s:
            odd.append(s)
        return f
    def integer(s):
        if len(s) > 15:
            odd.append(s)
        return int(s)
    def pairs(items):
        obj = dict(items)
        if len(obj) != len(items):
            seen = set()
            raise KeyError(next(k for k, _ in items if k in seen or seen.add(k)))
        return obj
    def constant(name):
        raise ValueError(f"{name} is not JSON")
    value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_float=real, parse_int=integer)
    return value, bool(odd) or not (text.isascii() or max(text) < "\ue000")

def canonical_form(text):
    """The value of a canonical JSON text; else ValueError(code, why)."""
    try:
        value, exact = parse_json(text)
    except KeyError as e:
        raise ValueError("E_DUPLICATE_KEY", f"holds key {safe(e.args[0])!r} twice")
    except RecursionError:
        raise ValueError("E_JSON", "JSON nested too deeply")
    except ValueError as e:
        raise ValueError("E_JSON", safe(e))
    try:
        ok = (jcs(value) if exact else dumps(value)) == text
    except RecursionError:
        raise ValueError("E_JSON", "JSON nested too deeply")
    except ValueError as e:
        raise ValueError("E_NONCANONICAL", safe(e))
    if not ok:
        raise ValueError("E_NONCANONICAL", "is not in canonical (RFC 8785) form")
    return value

# ---- Merkle tree, checkpoints, keys, signatures, allowed_signers ---------------------------------------

class Merkle:
    """RFC 9162 Merkle tree kept as the roots of its perfect subtrees, largest first (one per set bit of its size):
    appending a leaf or taking the root costs O(log n) hashes, and folding the roots right to left gives the
    RFC's split at the largest power of two below n. Leaves are SHA-256(0x00 ‖ line); 0x01 prefixes interior nodes."""

    def __init__(self):
        self.peaks = []  # (height, hash)

    def append(self, leaf_hash):
        height, h = 0, leaf_hash
        while self.peaks and self.peaks[-1][0] == height:
            h = hashlib.sha256(b"\x01" + self.peaks.pop()[1] + h).digest()
            height += 1
        self.peaks.append((height, h))

    def root(self):
        h = self.peaks[-1][1] if self.peaks else hashlib.sha256(b"").digest()
        for _, left in reversed(self.peaks[:-1]):
            h = hashlib.sha256(b"\x01" + left + h).digest()
        return h

def parse_checkpoint(text):
    """C2SP tlog-checkpoint text → its lines (origin, size, root, extensions); strict, as its bytes are signed."""
    lines = text[:-1].split("\n") if text.endswith("\n") else []
    if len(lines) < 3:
        raise ValueError("a checkpoint is origin, size and root lines, each ending in a newline")
    if lines[0] == "" or re.search(r"[\x00-\x09\x0b-\x1f\x7f]", lines[0]) or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]) or int(lines[1]) >= 2 ** 53:
        raise ValueError("bad origin or tree size line")
    if not re.fullmatch(r"[A-Za-z0-9+/]{43}=", lines[2]) or base64.b64encode(base64.b64decode(lines[2])).decode() != lines[2]:
        raise ValueError("the root is not 32 bytes of canonical base64")
    if any(x == "" or re.search(r"[\x00-\x09\x0b-\x1f\x7f]", x) for x in lines[3:]):
        raise ValueError("an empty extension line or a control character")
    return lines

def key_blob(line):
    """The key blob of a `type base64 [comment]` line whose blob names that type; ValueError otherwise."""
    parts = line.split() if isinstance(line, str) else []
    if len(parts) < 2 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", parts[1]):
        raise ValueError("not an SSH public key line")
    blob = base64.b64decode(parts[1])
    if blob[4:4 + int.from_bytes(blob[:4], "big")] != parts[0].encode():
        raise ValueError(f"the key blob is not a {parts[0]} key")
    return blob

def fingerprint(blob):
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")

def principal_for(name):
    """A name as an allowed_signers principal (src/main/audit/principal.ts)."""
    p = re.sub(f"[{JS_SPACE},\"*?!{CONTROL}]+", "-", re.sub(f"^[{JS_SPACE}]+|[{JS_SPACE}]+$", "", name))
    return re.sub(r"^#", "", p) or "operator"

def js_time(text):
    """Date.parse of a journal time, as V8 reads it (a day up to 31 rolls over, 24:00 is the next midnight); None for NaN."""
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3})Z", text if isinstance(text, str) else "")
    y, mo, d, h, mi, s, ms = map(int, m.groups()) if m else (0,) * 7
    if not m or not (1 <= mo <= 12 and 1 <= d <= 31 and mi < 60 and s < 60 and (h < 24 or h == 24 and mi == s == ms == 0)) or y == 0:
        return None
    return datetime.datetime(y, mo, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(days=d - 1, hours=h, minutes=mi, seconds=s, milliseconds=ms)

def match_list(subject, patterns):
    """ssh's match_pattern_list: a matching negated pattern rules the subject out, else any match lets it in."""
    hit = False
    for p in patterns:
        neg = p.startswith("!")
        if re.fullmatch(re.escape(p[neg:]).replace(r"\*", ".*").replace(r"\?", "."), subject, re.S):
            if neg:
                return False
            hit = True
    return hit

class AllowedSigners:
    """OpenSSH allowed_signers (ssh-keygen(1)), read as src/main/audit/allowed-signers.ts reads it."""
    KEY_TYPE = re.compile(r"(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(-cert-v01@openssh\.com)?")

    def __init__(self, text):
        self.entries = []
        for n, raw in enumerate(text.split("\n"), 1):
            line = (raw[:-1] if raw.endswith("\r") else raw).lstrip()
            try:
                if line and not line.startswith("#"):
                    self.entries.append(self.entry(line))
            except ValueError as e:
                raise ValueError(f"allowed_signers line {n}: {e}")

    def entry(self, line):
        if line.count('"') % 2:
            raise ValueError("unterminated quote")
        tokens = re.findall(r'(?:[^ \t"]|"[^"]*")+', line)
        principals, options = (tokens[0][1:-1] if tokens[0].startswith('"') else tokens[0]).split(","), {}
        del tokens[0]
        if tokens and not self.KEY_TYPE.fullmatch(tokens[0]):
            for option in re.findall(r'(?:[^,"]|"[^"]*")+', tokens.pop(0)):
                name, eq, value = option.partition("=")
                name = name.lower()
                if name in options or name not in ("cert-authority", "namespaces", "valid-after", "valid-before") or (name == "cert-authority") == bool(eq):
                    raise ValueError(f"bad option {option!r}")
                if eq and not re.fullmatch(r'"[^"]*"', value):
                    raise ValueError(f"badly quoted {value!r}")
                options[name] = value[1:-1] if eq else True
        if "" in principals or len(tokens) < 2 or not self.KEY_TYPE.fullmatch(tokens[0]):
            raise ValueError("expected principals, [options,] a key type and its key")
        when = {k: self.timestamp(options[k]) for k in ("valid-after", "valid-before") if k in options}
        return {"principals": principals, "ca": "cert-authority" in options, "namespaces": options["namespaces"].split(",") if "namespaces" in options else None,
                "after": when.get("valid-after"), "before": when.get("valid-before"), "key": key_blob(f"{tokens[0]} {tokens[1]}")}

    @staticmethod
    def timestamp(text):
        """YYYYMMDD[HHMM[SS]][Z]: UTC with Z, else local time, as ssh-keygen reads it."""
        m = re.fullmatch(r"([0-9]{8})(?:([0-9]{4})([0-9]{2})?)?(Z?)", text)
        if not m:
            raise ValueError(f"bad timestamp {text!r} (YYYYMMDD[HHMM[SS]][Z])")
        t = datetime.datetime.strptime(m.group(1) + (m.group(2) or "0000") + (m.group(3) or "00"), "%Y%m%d%H%M%S")
        return t.replace(tzinfo=datetime.timezone.utc) if m.group(4) else t.astimezone()

    @staticmethod
    def valid(e, at):
        return (e["after"] is None or at >= e["after"]) and (e["before"] is None or at <= e["before"])

    def allows(self, principal, blob, namespace, at):
        """`ssh-keygen -Y verify -I principal` at time `at`: some line names the principal and allows the key."""
        return any(match_list(principal, e["principals"]) and not e["ca"] and e["key"] == blob and self.valid(e, at)
                   and (e["namespaces"] is None or match_list(namespace, e["namespaces"])) for e in self.entries)

    def vouch(self, blob, namespace, principal=None):
        """(principals, why not): the lines that name the namespace outright for the key (and principal) and hold
        now — only these anchor it — or, when there are none, why (an expired or not yet valid line says when)."""
        now = datetime.datetime.now(datetime.timezone.utc)
        named = [e for e in self.entries if not e["ca"] and e["key"] == blob and e["namespaces"] is not None and namespace in e["namespaces"]
                 and match_list(namespace, e["namespaces"]) and (principal is None or match_list(principal, e["principals"]))]
        principals = [",".join(e["principals"]) for e in named if self.valid(e, now)]
        for e in [] if principals else named:
            if e["before"] is not None and now > e["before"]:
                return [], f"its line in --allowed-signers expired on {e['before'].isoformat()} (valid-before)"
            if e["after"] is not None and now < e["after"]:
                return [], f"its line in --allowed-signers is not valid until {e['after'].isoformat()} (valid-after)"
        return principals, None if principals else f'--allowed-signers has no line naming it with namespaces="{namespace}"'

def parse_sshsig(armored):
    """(public key blob, namespace) of an armoured SSHSIG (PROTOCOL.sshsig); ValueError when it is none."""
    lines = (armored[:-1] if armored.endswith("\n") else armored).split("\n")
    if len(lines) < 3 or lines[0] != "-----BEGIN SSH SIGNATURE-----" or lines[-1] != "-----END SSH SIGNATURE-----":
        raise ValueError("not an armoured SSH signature")
    body = "".join(lines[1:-1])
    if any(not re.fullmatch(r"[A-Za-z0-9+/=]+", x) for x in lines[1:-1]) or base64.b64encode(base64.b64decode(body)).decode() != body:
        raise ValueError("the armour is not canonical base64")
    blob, fields, at = base64.b64decode(body), [], 10
    if blob[:6] != b"SSHSIG" or blob[6:10] != b"\0\0\0\1":
        raise ValueError("not an SSHSIG version 1 blob")
    while at + 4 <= len(blob) and len(fields) < 5:
        size = int.from_bytes(blob[at:at + 4], "big")
        fields.append(blob[at + 4:at + 4 + size])
        at += 4 + size
    if len(fields) != 5 or at != len(blob) or fields[3] not in (b"sha256", b"sha512"):
        raise ValueError("malformed SSHSIG blob")
    return fields[0], fields[1].decode("utf-8", "replace")

class Signatures:
    """SSHSIG checks through ssh-keygen -Y check-novalidate; whose key it is, is the anchors' to say."""

    def __init__(self, scratch):
        self.scratch, self.keygen = scratch, shutil.which("ssh-keygen")

    def check(self, data, armored, namespace, key=None):
        """The signer's key blob, when `armored` is an SSHSIG over `data` (bytes, or a file read to its end) in `namespace`
        (by `key`); raises SigError."""
        if not isinstance(armored, str):
            raise SigError("E_SIGNATURE", "there is no signature")
        try:
            blob, ns = parse_sshsig(armored)
        except ValueError as e:
            raise SigError("E_SIGNATURE", f"not an SSH signature: {e}")
        if ns != namespace:
            raise SigError("E_NAMESPACE", f"the signature is for namespace {ns!r}, not {namespace!r}")
        if key is not None and blob != key:
            raise SigError("E_SIGNATURE", f"the signature was made by {fingerprint(blob)}, not by {fingerprint(key)}", other_key=True)
        if self.keygen:
            sig = os.path.join(self.scratch, "sig")
            with open(sig, "w", encoding="utf-8") as f:
                f.write(armored)
            given = {"input": data} if isinstance(data, bytes) else {"stdin": data}
            res = subprocess.run([self.keygen, "-Y", "check-novalidate", "-n", namespace, "-s", sig], capture_output=True, **given)
            if res.returncode != 0:
                said = (res.stderr or res.stdout).decode("utf-8", "replace").strip().split("\n")[-1]
                raise SigError("E_SIGNATURE", f"the signature does not verify (ssh-keygen: {safe(said)})")
        return blob

# ---- The journal format: what each record type's data holds (src/main/audit/records/*.ts) --------------------

FORMAT, MAX_INT = "runbook-console-journal/1", 2 ** 53 - 1

class Misfit(Exception):
    """Data that does not fit its schema: (the field's path, why)."""

def describe(v):
    if v is None or isinstance(v, (bool, list, dict)):
        return {None: "null", True: "boolean true", False: "boolean false"}[v] if not isinstance(v, (list, dict)) else "an array" if isinstance(v, list) else "an object"
    return f"a string {JSON_STRING(v[:40] + ('…' if len(v) > 40 else ''))}" if isinstance(v, str) else f"number {js_str(v)}"

def fits(spec, v, at="data"):
    """Raises Misfit where v does not fit spec. A dict is a closed object ("key?": may be absent, never null unless its spec
    allows it), [spec] an array, a tuple the values allowed (codes, literals: equal and of the same JSON type), else a check."""
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
    return kind(f"an integer >= {low}" if low > -MAX_INT else "an integer", lambda v: type(v) is int and low <= v <= MAX_INT)

def Text(pattern, what):  # ASCII classes only, matched whole
    return kind(what, lambda v: isinstance(v, str) and re.fullmatch(pattern, v) is not None)

def Null(spec):
    return lambda v, at: None if v is None else fits(spec, v, at)

def One(*specs):  # z.union: the first that fits; else the misfit of the variant it came closest to (a field of it, deepest)
    def check(v, at):
        misfits = []
        for s in specs:
            try:
                return fits(s, v, at)
            except Misfit as e:
                misfits.append(e)
        raise max(misfits, key=lambda e: (not e.args[1].startswith("a field this"), len(e.args[0])))
    return check

def By(key, variants):  # z.discriminatedUnion: the variant its `key` names (a dict variant holds that key as a literal)
    variants = [(k, {key: (k,), **s} if isinstance(s, dict) else s) for k, s in variants.items()]
    def check(v, at):
        if type(v) is not dict:
            raise Misfit(at, f"expected object, found {describe(v)}")
        d = v.get(key, MISSING)
        spec = next((s for k, s in variants if type(k) is type(d) and k == d), None)
        if spec is None:
            raise Misfit(f"{at}.{key}", f"expected one of {', '.join(jcs(k) for k, _ in variants)}, found {'nothing' if d is MISSING else describe(d)}")
        fits(spec, v, at)
    return check

def Map(keys, values):  # z.record: string keys (STR) or those of a code list, every value (a "__proto__" one too)
    def check(v, at):
        if type(v) is not dict:
            raise Misfit(at, f"expected record, found {describe(v)}")
        for k, x in v.items():
            if not (isinstance(keys, tuple) and k in keys or keys is STR):
                raise Misfit(f"{at}.{k}", "a field this record type does not have in the journal format")
            fits(values, x, f"{at}.{k}")
    return check

def Together(spec, *keys):  # a refine: the keys are all there or none
    def check(v, at):
        fits(spec, v, at)
        if len({k in v for k in keys}) > 1:
            raise Misfit(f"{at}.{keys[0]}", f"{' and '.join(keys)} are given together")
    return check

STR, BOOL, INT, LINE, SIGNED = kind("string", lambda v: isinstance(v, str)), kind("boolean", lambda v: isinstance(v, bool)), Int(0), Int(1), Int(-MAX_INT)
NUM = kind("a number >= 0", lambda v: type(v) in (int, float) and v >= 0)
SHA, HASH = Text("[0-9a-f]{64}", "a SHA-256: 64 lowercase hex digits"), Text("[A-Za-z0-9+/]{43}=", "a 32-byte hash in base64")
BLOB_PATH, UTC = Text("blobs/[0-9a-f]{64}", "a blob path: blobs/<sha256>"), Text(TIME_RE.pattern, "a UTC time such as 2026-01-02T03:04:05.678Z")
KEY, FP = Text("[a-z][a-z0-9@.-]* [A-Za-z0-9+/]+={0,2}", "an SSH public key: type base64"), Text("SHA256:[A-Za-z0-9+/]{43}", "a key fingerprint")
PROFILES, KINDS, REFUSALS = ("standard", "regulated", "restricted"), ("local", "ssh", "postgres", "kubernetes", "prometheus"), ("protected-not-confirmed", "approval-refused", "value-unsafe")
CAUSES, STATUSES = ("SIGHUP", "SIGTERM", "SIGINT", "EPIPE", "app quit"), ("succeeded", "failed", "skipped", "cancelled", "not-run")
VERDICTS = tuple(f"sql-{c}" for c in "read-only writes function-not-allowed select-into locking modifying-cte explain-analyze-write parse-error meta-command".split()) + \
    tuple(f"shell-{c}" for c in "read-only command-not-allowed arguments-not-read-only redirect-to-file assignment-not-allowed dynamic-command unsupported-syntax parse-error".split()) + \
    ("manifest-applies", "promql-query", "display", "unknown-action", "unknown")
ID, REF, DIGEST, AGAIN = {"id": STR}, {"seq": INT, "sha256": SHA}, {"bytes": INT, "sha256": SHA}, {"seq": INT, "why": STR}
STEP = {"id": STR, "title": STR, "line": LINE, "profile": Null(PROFILES)}
OPTIONS = {"approvers_file": Null(STR), "approvers?": {"source": STR, "sha256": SHA, "text": STR, "namespace": (NS["approval"],)},
           "operator_keys?": [{"source": ("installation", "export-key", "named", "ssh-agent"), "key": KEY, "fingerprint": FP}]}
TARGET = {"name": STR, "bound_by": ("fence attribute", "front matter", "targets file defaults", "built-in default", "operator choice"), "protected": BOOL}
SKIP, NOTE, SIGNED_BY = {"step": STEP, "reason": STR}, {"step": ID, "by": STR}, {"key": KEY, "fingerprint": FP, "signature": STR}
APPROVING, CHECKED = {"step": ID, "block": ID, "started": REF}, {"namespace": (NS["approval"],), "message": SHA, "approvers_sha256": SHA}
SIGNING = {"step": ID, "name": STR, "role": STR, "date": STR, "principal": STR, "signs": REF, "namespace": (NS["signoff"],), "message": STR, "method": ("key-file", "ssh-agent", "pasted")}
REFUSED_BY = {**{k: Null(s) for k, s in SIGNED_BY.items()}, "reason": STR}
SCHEMAS = {
    "run.started": {"format": (FORMAT,), "runbook": {"path": Null(STR), "sha256": SHA, "title": STR, "blob": BLOB_PATH, "bytes": INT}, "profile": PROFILES,
                    "operator": {"name": STR, "os_user": STR, "hostname": STR}, "tool": {"name": STR, "version": STR}, "host": {"platform": STR, "arch": STR, "node": STR},
                    "installation": {"id": STR, "public_key": STR}, "retention_days": Null(INT), "mac_key_sha256": SHA,
                    "options": By("host", {"cli": {"only": [STR], "keep_going": BOOL, "yes": BOOL, "targets_file": Null(STR), "confirm_protected": [STR], **OPTIONS}, "console": OPTIONS}),
                    "variables": [{"name": STR, "secret": BOOL, "source": ("option", "front matter", "target env", "operator", "unknown")}]},
    "run.interrupted": {"cause": CAUSES, "by": ("signal", "stdout closed", "host shutdown"), "step?": Null(STR)},
    "run.finished": One({"ok": BOOL, "counts": Map(STATUSES, INT), "steps": [{"id": STR, "status": STATUSES, "reason": Null(STR)}], "interrupted?": CAUSES, "recorded_again?": AGAIN},
                        {"ok": (False,), "interrupted": (True,), "closed_by": ("export", "recover"), "steps": [()], "unfinished": [{"seq": INT, "step": STR, "block": STR}],
                         "orphaned_outputs": [{"file": STR, "blob": BLOB_PATH, "sha256": SHA, "bytes": INT}], "recorded_again?": AGAIN,
                         "stale_lock": Null({"pid": SIGNED, "host": STR, "started": STR, "purpose": ("run", "export", "recover", "access")})}),
    "step.started": {"step": STEP, "block": {"id": STR, "line": LINE, "action": ("shell", "sql", "k8s-manifest", "promql", "display"), "lang": Null(STR)},
                     "target": By("kind", {k: {**TARGET, **fields} for k, fields in {
                         "local": {"shell": STR, "cwd": Null(STR), "host": STR},
                         "ssh": {"host": STR, "port": Null(INT), "user": Null(STR), "fingerprint_pinned": Null(STR), "known_hosts": Null(One(STR, [STR])), "jump": Null(STR)},
                         "postgres": {"host": STR, "port": INT, "database": STR, "user": STR, "sslmode": ("disable", "prefer", "require", "verify-ca", "verify-full"), "password_from": Null(STR)},
                         "kubernetes": {"kubeconfig": Null(STR), "context": Null(STR), "namespace": Null(STR)}, "prometheus": {"url": STR}}.items()}),
                     "command": STR, "command_sha256": SHA, "env": [STR], "bind_params": INT, "state_changing": BOOL, "verdict": {"code": VERDICTS, "detail": STR}},
    "step.finished": {"step": ID, "block": ID, "started": Null(REF), "notes": [STR], "started_at": UTC, "ended_at": UTC, "duration_ms": NUM,
                      "outcome": {"status": ("succeeded", "failed", "cancelled", "timed-out", "error"), "exit_code": Null(SIGNED), "signal": Null(STR), "error": Null(STR),
                                  "verdict": Null(("pass", "fail", "warn")), "reasons": [STR], "ok": BOOL, "refusal": Null(REFUSALS), "results_blob": Null(BLOB_PATH),
                                  "result_sets": [{"command": Null(STR), "columns": [STR], "row_count": Null(SIGNED)}]},
                      "target": {"name": STR, "kind": KINDS, "endpoint": STR, "details?": Map(STR, STR)},
                      "output": Together({"blob": Null(BLOB_PATH), "bytes": INT, "sha256": SHA, "index_blob": Null(BLOB_PATH), "stdout": DIGEST, "stderr": DIGEST, "info": DIGEST,
                                          "failure_code?": ("open", "write", "fsync", "blobs"), "failure?": STR}, "failure_code", "failure")},
    "step.skipped": By("by", {"plan": {**SKIP, "code": ("not-selected", "above-profile", "manual-step", "for-a-person")}, "operator": SKIP,
                              "refused": {**SKIP, "status": STATUSES, "refusal": Null(REFUSALS)}}),
    "step.note": One({**NOTE, "binding": {"block": STR, "target": STR, "kind": KINDS, "endpoint": STR}}, {**NOTE, "mark": ("pass", "fail"), "note": Null(STR)}, {**NOTE, "text": STR}),
    "fillin": {"step": ID, "label": STR, "value": STR},
    "decision": {"step": ID, "decision": STR, "note": Null(STR), "by": STR},
    "trust": {"question": STR, "kind": ("confirm", "type-name", "secret", "text"), "text": Null(STR), "answer": (True, False, "(typed)", "(given)"), "by": ("operator", "cancel", "step-ended", "replaced")},
    "approval": By("granted", {True: {**APPROVING, "approver": STR, "principal": STR, **SIGNED_BY, **CHECKED}, False: By("code", {
        **{c: {**APPROVING, "granted": (False,), "approver": STR, **REFUSED_BY, **CHECKED} for c in ("not-a-signature", "bad-signature", "operator-key", "operator-name", "not-an-approver")},
        "withdrawn": {**APPROVING, "granted": (False,), "approver": (None,), "reason": STR}})}),
    "signoff": By("accepted", {True: {**SIGNING, **SIGNED_BY}, False: {**SIGNING, "code": ("not-a-signature", "wrong-namespace", "bad-signature", "operator-key"), **REFUSED_BY}}),
    "checkpoint": {"origin": STR, "size": INT, "root": HASH, "text": STR, "signature": STR, "signer": STR, "previous": Null({"size": INT, "root": HASH}),
                   "consistency_proof": [HASH], "reason": ("run-end", "periodic", "export", "shutdown", "recover"), "retention_days": Null(INT)},
    "log.recovered": {"offset": INT, "bytes": INT, "sha256": SHA, "file": STR},
    "error": {"cause": ("journal-write-failed",), "note_id": STR, "seq": INT, "record_type": RECORD_TYPES, "code": Null(STR), "message": STR, "at": UTC},
    "export": {"out": STR, "files": INT, "report_sha256": SHA, "signer": FP, "principal": STR, "closed_interrupted": BOOL},
    "verify": {"result": ("ok", "unanchored"), "warnings": [("W_CLOCK_BACKWARDS", "W_RECOVERED", "W_MAC_UNCHECKED", "W_UNSEALED", "W_SIGNER_UNCHECKED", "W_UNANCHORED")]},
}

# ---- The journal pass ------------------------------------------------------------------------------------

class Failures:
    """The first failure of the earliest check that fails; `key` orders failures within one check (approvals)."""

    def __init__(self):
        self.check, self.failure, self.key = 99, None, None

    def open(self, check):
        return check < self.check

    def note(self, check, failure, key=None):
        if check < self.check or (check == self.check and key is not None and self.key is not None and key < self.key):
            self.check, self.failure, self.key = check, failure, key

    def run(self, check, fn, *args, key=None):
        """Runs fn as part of check while it can still matter; what it raises is that check's failure."""
        if self.open(check) or (key is not None and check == self.check):
            try:
                fn(*args)
            except Fail as e:
                self.note(check, e, key)
            except Exception as e:  # a record of a shape nobody writes: still a one-line failure
                self.note(check, Fail(FALLBACK[check], f"unreadable data ({type(e).__name__}: {safe(e)})"), key)

    def result(self):
        return self.failure.later() if self.failure is not None and self.failure.later else self.failure

def line_at(path, n):
    """Line n of a file, read again (only to tell a duplicated record from an inserted one)."""
    with open(path, "rb") as f:
        return next(itertools.islice(f, n, None)).rstrip(b"\n")

class Verifier:
    """One pass over journal.jsonl, keeping what the lines after need: the previous line, the MAC key, the Merkle
    tree's subtree roots, the blocks awaiting an approval, and (a bundle) the report being built again."""

    def __init__(self, d, opts, sigs, bundle_key, report):
        self.d, self.opts, self.sigs, self.bundle_key, self.report = d, opts, sigs, bundle_key, report
        self.path = os.path.join(d, "journal.jsonl")
        self.failures, self.count, self.warnings, self.notes = Failures(), 0, [], []
        self.first = self.prev = self.displaced = self.key = self.recorded_key = self.seal_key = self.last_checkpoint = self.prior_root = None
        self.tree, self.checkpoints, self.final, self.macs, self.blobs = Merkle(), 0, -1, False, 0
        self.open_blocks, self.restricted, self.seal_anchor, self.bundle_anchor = {}, False, [], []
        self.data_prev = self.data_seal = None  # the record check's: the type before, the final seal
        self.signed = {"approval": [0, 0], "sign-off": [0, 0]}  # checked, of which not anchored

    def run(self):
        if os.path.getsize(self.path) == 0:
            raise Fail("E_EMPTY", "journal.jsonl is empty")
        with open(self.path, "rb") as f:
            for line in f:  # a buffer at a time, whatever the journal's length
                if not line.endswith(b"\n"):
                    self.failures.note(TORN, Fail("E_TORN_TAIL", f"journal.jsonl: {len(line)} bytes after the last complete record", line=self.count + 1))
                    break
                self.line(line[:-1])
                if not self.failures.open(CRLF):
                    break
        self.finish()

    def line(self, raw):
        i, F = self.count, self.failures
        self.count += 1
        if raw.endswith(b"\r"):
            return F.note(CRLF, Fail("E_CRLF", f"journal.jsonl: line {i + 1} ends in CR LF (converted by a text tool: undo it with dos2unix, or fetch the original bytes)", line=i + 1))
        if not F.open(PARSE):
            return
        try:
            r = canonical_form(raw.decode("utf-8"))  # strict: bad bytes are refused, never replaced
        except UnicodeDecodeError:
            return F.note(PARSE, Fail("E_JSON", f"line {i + 1}: not valid UTF-8", i))
        except ValueError as e:
            return F.note(PARSE, Fail(e.args[0], f"line {i + 1}: {e.args[1]}", i))
        if not (isinstance(r, dict) and set(r) == set(FIELDS) and all(type(r[k]) is t for k, t in FIELDS.items()) and 0 <= r["seq"] < 2 ** 53
                and r["run"] and r["boot_id"] and r["type"] in RECORD_TYPES and TIME_RE.fullmatch(r["time"]) and re.fullmatch("[0-9]+", r["mono_ns"])
                and HEX64.fullmatch(r["prev"]) and HEX64.fullmatch(r["mac"])):
            return F.note(PARSE, Fail("E_FIELDS", f"line {i + 1} lacks a record field or has one of the wrong form", i))
        if self.displaced and self.displaced[0] == r["seq"] and self.displaced[1] < 0:
            self.displaced[1] = i
        if i == 0:
            self.first = r
            self.start()
        if not F.open(ORDER):
            return
        h = hashlib.sha256(raw).hexdigest()
        F.run(ORDER, self.check_order, i, raw, r)
        F.run(MAC, self.check_mac, i, raw, r)
        F.run(TIME, self.check_time, i, r)
        F.run(DATA, self.check_data, i, r)
        if i == 0 and F.open(DATA):
            self.begin()
        F.run(SEAL, self.seal_record, i, raw, r)
        F.run(APPROVAL, self.approval_record, i, r, h, key=i)  # blocks still open may fail before one that already did
        F.run(SIGNOFF, self.check_signoff, i, r)
        F.run(BLOB, self.blob_refs, i, r)
        if self.report:
            F.run(REPORT, self.report.record, r, raw)
        self.prev = (raw, r, h)

    def start(self):
        """Record 0: what the later checks begin with."""
        F, data = self.failures, self.first["data"]
        key_hex = self.opts["mac_key"] or (read(self.d, "mac-key.txt") or "").strip()
        if key_hex and not HEX64.fullmatch(key_hex):
            F.note(MAC, Fail("E_MAC", "mac-key.txt is not 64 hex digits"))
        elif key_hex:
            self.key = bytes.fromhex(key_hex)
            if hashlib.sha256(self.key).hexdigest() != data.get("mac_key_sha256"):
                F.note(RUN, Fail("E_MAC", "the verification key given is not the one the run committed to in run.started", 0))
        if self.opts["run_id"] is not None and self.first["run"] != self.opts["run_id"]:
            F.note(RUN, Fail("E_RUN_ID", f"this is run {safe(self.first['run'])}, not {safe(self.opts['run_id'])}", 0))

    def begin(self):
        """Record 0, in the format and of its type: what the seal, approval and blob checks begin with."""
        F, data = self.failures, self.first["data"]
        F.run(SEAL, self.installation)
        F.run(APPROVAL, self.approval_start)
        F.run(BLOB, self.blob, 0, data["runbook"]["blob"], data["runbook"]["sha256"])

    # The journal: sequence and chain, MACs, time.
    def check_order(self, i, raw, r):
        if r["run"] != self.first["run"]:
            raise Fail("E_OTHER_RUN", f"record {i} belongs to run {safe(r['run'])}, not {safe(self.first['run'])}", i)
        seq = r["seq"]
        if seq < i:  # every record before this one holds its own number, so seq is record seq's
            if (self.prev[0] if seq == i - 1 else line_at(self.path, seq)) == raw:
                raise Fail("E_RECORD_DUPLICATED", f"record {i} repeats record {seq}", i)
            at = i if r["prev"] == self.prev[2] else seq  # chained on from the line before: slipped in after the original
            raise Fail("E_RECORD_INSERTED", f"records {seq} and {i} both claim sequence number {seq}", at)
        if seq > i:  # moved, if number i turns up later; else records are missing
            moved = self.displaced = [i, -1]
            raise Fail(later=lambda: Fail("E_RECORD_REORDERED", f"record {i} holds sequence number {seq}; number {i} comes later, at line {moved[1] + 1}", i)
                       if moved[1] >= 0 else Fail("E_RECORD_DELETED", f"sequence numbers jump from {i - 1} to {seq}: {seq - i} record(s) missing before line {i + 1}", i))
        if r["prev"] != (GENESIS if i == 0 else self.prev[2]):
            raise Fail("E_RECORD_CHANGED", "the first record does not start the chain" if i == 0 else f"record {i - 1} was changed: record {i}'s prev hash does not match it", max(i - 1, 0))

    def check_mac(self, i, raw, r):
        """mac_i = HMAC-SHA256(K_i, the line without "mac"), K_{i+1} = SHA-256("runbook-mac-evolve\\0" ‖ K_i). Keys are sorted
        and what follows the top-level "mac" is strings and a number, so the last ,"mac":"…" of the line is that one."""
        if self.key is None:
            return
        field = b',"mac":"' + r["mac"].encode() + b'"'
        at = raw.rfind(field)
        mac = hmac.new(self.key, raw[:at] + raw[at + len(field):], hashlib.sha256).hexdigest()
        self.key, self.macs = hashlib.sha256(b"runbook-mac-evolve\0" + self.key).digest(), True
        if not hmac.compare_digest(mac, r["mac"]):
            raise Fail("E_MAC", f"record {i} ({r['type']}): MAC does not match", i)

    def check_time(self, i, r):
        a = self.prev[1] if self.prev else None
        if a and a["boot_id"] == r["boot_id"] and int(r["mono_ns"]) < int(a["mono_ns"]):
            raise Fail("E_MONOTONIC", f"record {i}: monotonic time {r['mono_ns']} ns is before record {i - 1}'s {a['mono_ns']} ns on the same boot", i)
        t0, t1 = (a or r)["time"], r["time"]  # as strings in the same order as in time, but for days past 28 and 24:00
        if (t1 < t0 or max(t0[8:10], t1[8:10]) > "28" or "T24" in t0 + t1) and js_time(t1) and js_time(t0) and js_time(t1) < js_time(t0):
            self.warnings.append(("W_CLOCK_BACKWARDS", i, f"record {i}: wall clock {r['time']} is before record {i - 1}'s {a['time']}"))
        if r["type"] == "log.recovered":
            d = r["data"]
            self.warnings.append(("W_RECOVERED", i, f"record {i}: {js_str(get(d, 'bytes'))} torn bytes at offset {js_str(get(d, 'offset'))} set aside in {js_str(get(d, 'file'))}"))

    def check_data(self, i, r):
        """The journal's format, then record i's data against its type's schema (verify-records.ts); what comes after reads
        records that fit. A misfit after the final seal (the first checkpoint right after run.finished) is E_AFTER_SEAL."""
        t, sealed, fmt = r["type"], self.data_seal, r["data"].get("format", MISSING)
        if t == "checkpoint" and self.data_prev == "run.finished" and sealed is None:
            self.data_seal = i
        self.data_prev = t
        if i == 0 and (t != "run.started" or fmt != FORMAT):
            raise Fail("E_FORMAT", "record 0: " + (f"the first record is {t}, not run.started, which names the journal's format" if t != "run.started" else
                       "run.started names no journal format (data.format): it was written before formats were named" if fmt is MISSING else
                       f"the journal is in format {safe(jcs(fmt))}; this verifier reads {FORMAT}: use a verifier that reads it"), 0)
        try:
            fits(SCHEMAS[t], r["data"])
        except Misfit as e:
            if sealed is not None:
                raise Fail("E_AFTER_SEAL", f"record {i} ({t}) follows the final seal (record {sealed})", i)
            raise Fail("E_RECORD_DATA", f"record {i} ({t}): {safe(e.args[0])}: {safe(e.args[1])}", i)

    # The seal: checkpoints as they come, the final seal and --prior at the end, then what anchors its key.
    def installation(self):
        install = get(self.first["data"], "installation")
        self.origin = f"runbook-console/{js_str(nn(get(install, 'id'), '?'))}/{self.first['run']}"
        if js_bool(get(install, "public_key")):
            try:
                self.recorded_key = key_blob(js_str(get(install, "public_key")))
            except ValueError as e:
                raise Fail("E_SEAL_ORIGIN", f"run.started records an installation key that cannot be read: {e}", 0)
            if hashlib.sha256(self.recorded_key).hexdigest()[:16] != get(install, "id"):
                raise Fail("E_SEAL_ORIGIN", f"run.started names installation {safe(js_str(get(install, 'id')))}, which is not the id of the key it records", 0)

    def seal_record(self, i, raw, r):
        """A checkpoint covers exactly the records before it: its root is the tree's as it stands now."""
        if self.opts["prior"] and self.opts["prior"]["size"] == i:
            self.prior_root = self.tree.root()
        if r["type"] == "checkpoint":
            self.checkpoint(i, r["data"])
            if self.final < 0 and self.prev and self.prev[1]["type"] == "run.finished":
                self.final = i
        self.tree.append(hashlib.sha256(b"\x00" + raw).digest())

    def checkpoint(self, i, data):
        self.checkpoints += 1
        self.last_checkpoint = data
        size = data.get("size")
        if type(size) is not int or size != i:
            raise Fail("E_SEAL_SIZE", f"checkpoint record {i} claims to cover {js_str(size)} records, not the {i} before it", i)
        try:
            origin, text_size, root = parse_checkpoint(js_str(get(data, "text")))[:3]
        except ValueError as e:
            raise Fail("E_SEAL_ORIGIN", f"checkpoint text is malformed: {e}", i)
        if origin != self.origin:
            raise Fail("E_SEAL_ORIGIN", f"checkpoint record {i} is for {safe(origin)}, not {safe(self.origin)}", i)
        if int(text_size) != i:
            raise Fail("E_SEAL_SIZE", f"checkpoint record {i}: its text covers {text_size} records, not {i}", i)
        tree_root = base64.b64encode(self.tree.root()).decode()
        if root != tree_root or data.get("root") != tree_root:
            raise Fail("E_SEAL_ROOT", f"checkpoint record {i}: the Merkle root of records 0..{i - 1} is {tree_root}, the checkpoint says {root}", i)
        if not isinstance(data.get("signature"), str) or not isinstance(data.get("signer"), str):
            raise Fail("E_SIGNATURE", f"checkpoint record {i} has no signature", i)
        try:
            blob = self.sigs.check(data["text"].encode("utf-8"), data["signature"], NS["checkpoint"], key_blob(data["signer"]))
        except ValueError as e:
            raise Fail("E_SIGNATURE", f"checkpoint record {i}: the key it names is unusable: {e}", i)
        except SigError as e:
            raise Fail(e.code, f"checkpoint record {i}: {e.message}", i)
        expected = self.recorded_key or self.seal_key  # one key seals the run
        if expected and blob != expected:
            whose = "the installation key run.started records" if self.recorded_key else "the key of the run's first checkpoint"
            raise Fail("E_SIGNER", f"checkpoint record {i} is signed by {fingerprint(blob)}, not by {whose} ({fingerprint(expected)})", i)
        self.seal_key = blob

    def finish_seal(self):
        n, last, prior = self.count, self.prev[1]["type"], self.opts["prior"]
        if prior and prior["size"] == n:
            self.prior_root = self.tree.root()
        file_text = read(self.d, "checkpoint.txt")
        if file_text is not None:
            try:
                sealed = int(parse_checkpoint(file_text)[1])
            except ValueError as e:
                raise Fail("E_SEAL_ORIGIN", f"checkpoint.txt is malformed: {e}")
            if sealed > n:
                raise Fail("E_SEAL_SIZE", f"checkpoint.txt seals {sealed} records but the journal holds {n}: records were cut from the end")
        if 0 <= self.final != n - 1:
            raise Fail("E_AFTER_SEAL", f"{n - 1 - self.final} record(s) follow the final seal (record {self.final})", self.final + 1)
        if file_text is not None:
            if self.last_checkpoint is None or self.last_checkpoint.get("text") != file_text:
                raise Fail("E_SEAL_SIZE", "checkpoint.txt is not the journal's last checkpoint")
            signature = read(self.d, "checkpoint.txt.sig")
            if signature is None or signature != self.last_checkpoint.get("signature"):
                raise Fail("E_SIGNATURE", "checkpoint.txt.sig is missing or is not the signature recorded in the journal")
        if self.final < 0:
            if not self.opts["allow_unsealed"]:
                raise Fail("E_UNSEALED", f"no final seal: the last record is {last} (the run did not finish, or its seal was removed)")
            self.warnings.append(("W_UNSEALED", None, f"the journal's last record is {last} (record {n - 1})"))
        if prior:
            if prior["origin"] != self.origin:
                raise Fail("E_PRIOR", f"the prior checkpoint is for {safe(prior['origin'])}, not {safe(self.origin)}")
            if prior["size"] > n:
                raise Fail("E_PRIOR", f"the prior checkpoint covers {prior['size']} records; the journal holds only {n}")
            ours = base64.b64encode(self.prior_root).decode()
            if ours != prior["root"]:
                raise Fail("E_PRIOR", f"the first {prior['size']} records have root {ours}; the prior checkpoint says {prior['root']}: they were rewritten after it was taken", max(prior["size"] - 1, 0))
        self.seal_anchor = self.anchor_seal(prior) if self.seal_key else []
        fp = fingerprint(self.seal_key) if self.seal_key else None
        self.notes.append(f"ok    seal: {self.checkpoints} checkpoint(s) hold" + (f"; final seal is record {self.final}" if self.final >= 0 else "") +
                          (f"; sealed by {fp}, {'anchored by ' + '; '.join(self.seal_anchor) if self.seal_anchor else 'NOT ANCHORED'}" if fp else ""))

    def anchor_seal(self, prior):
        """What vouches for the seal key; E_SIGNER when anchors are given and none does (verify-seal.ts)."""
        blob, signers, pins = self.seal_key, self.opts["signers"], self.opts["pins"]
        fp, anchored = fingerprint(blob), []
        if fp in pins:
            anchored.append(f"--pin {fp}")
        principals, why_not = signers.vouch(blob, NS["checkpoint"]) if signers else ([], None)
        if principals:
            anchored.append(f"--allowed-signers ({'; '.join(principals)})")
        if prior and prior["signature"] is not None:
            try:
                self.sigs.check(prior["text"].encode("utf-8"), prior["signature"], NS["checkpoint"], blob)
            except SigError as e:
                if e.other_key:
                    raise Fail("E_PRIOR", f"the prior checkpoint is not signed by the key that seals this journal ({fp}): {e.message}")
                raise Fail(e.code, f"the prior checkpoint's signature: {e.message}")
            anchored.append(f"--prior (a checkpoint of {prior['size']} records signed by this key)")
        elif prior and prior["size"] >= 1 and self.recorded_key:
            anchored.append(f"--prior (a checkpoint of {prior['size']} records, which cover run.started and the key it records)")
        if not anchored and (pins or signers or prior):
            why = [f"--pin {', '.join(pins)} is another key" if pins else None, why_not,
                   f"--prior covers {prior['size']} records, unsigned" + ("" if self.recorded_key else ", and run.started records no installation key") if prior else None]
            raise Fail("E_SIGNER", f"the run is sealed by {fp}, which no anchor given vouches for: {'; '.join(w for w in why if w)}")
        return anchored

    # Approvals: in a RESTRICTED run, the first granted approval of each state-changing block (verify-approvals.ts).
    def approval_start(self):
        data = self.first["data"]
        self.restricted, self.operator, self.approvers, self.own_keys = data["profile"] == "restricted", principal_for(data["operator"]["name"]), None, {}
        recorded = data["options"].get("approvers")
        if recorded is not None:
            if hashlib.sha256(recorded["text"].encode("utf-8", "surrogatepass")).hexdigest() != recorded["sha256"]:
                raise Fail("E_APPROVAL", "run.started's approvers list does not match its recorded sha256", 0)
            try:
                self.approvers = (recorded["sha256"], AllowedSigners(recorded["text"]))
            except ValueError as e:
                raise Fail("E_APPROVAL", f"run.started's approvers list cannot be read: {e}", 0)
        for k in data["options"].get("operator_keys", []):
            try:
                self.own_keys[key_blob(k["key"])] = f"the operator's {k['source']} key"
            except ValueError:
                raise Fail("E_APPROVAL", f"run.started records an operator key that cannot be read: {safe(k['key'])}", 0)
        if self.recorded_key:
            self.own_keys[self.recorded_key] = "the installation key, which seals the run"
        if self.bundle_key:
            self.own_keys[self.bundle_key] = "the key that signed this bundle"

    def approval_record(self, i, r, h):
        if not self.restricted:
            return
        d, t = r["data"], r["type"]
        if t == "step.started" and d["state_changing"]:
            self.open_blocks.setdefault(d["block"]["id"], []).append({"index": i, "block": d["block"]["id"], "hash": h, "approval": None})
        elif t == "approval" and d["granted"]:
            for block in (b for bs in self.open_blocks.values() for b in bs if b["hash"] == d["started"]["sha256"] and b["approval"] is None):
                block["approval"] = (d, r["seq"], r["time"])
        elif t == "step.finished":
            for block in self.open_blocks.pop(d["block"]["id"], []):
                self.failures.run(APPROVAL, self.judge, block, d, key=block["index"])

    def judge(self, block, finished):
        """The first granted approval of a state-changing block that ran holds on its own (records read through their schemas)."""
        i = block["index"]
        if finished is not None and finished["outcome"]["refusal"] == "approval-refused":
            return  # refused: it did not run
        if block["approval"] is None:
            raise Fail("E_APPROVAL", f"record {i}: block {safe(block['block'])} changed state without an approval of its step.started record", i)
        d, seq, time = block["approval"]
        def bad(why):
            return Fail("E_APPROVAL", f"record {seq}: approval of record {i} does not hold: {why}", seq)
        if d["message"] != block["hash"]:
            raise bad(f"its signed message is not the SHA-256 of record {i}'s line")
        if d["started"]["seq"] != i:
            raise bad(f"it names record {d['started']['seq']}, not record {i} whose hash it carries")
        try:
            blob = self.sigs.check(block["hash"].encode(), d["signature"], NS["approval"], key_blob(d["key"]))
        except ValueError as e:
            raise bad(f"the key it names cannot be read: {e}")
        except SigError as e:
            raise bad(e.message)
        fp, principal = fingerprint(blob), d["principal"]
        if blob in self.own_keys:
            raise bad(f"it is signed with {self.own_keys[blob]} ({fp}): the operator cannot approve their own step")
        if principal == "":
            raise bad("it names no principal")
        if d["approver"] != principal:
            raise bad(f"its principal {safe(principal)!r} is not its approver {safe(d['approver'])!r}")
        if principal == self.operator:
            raise bad(f"the approver {safe(principal)!r} is the operator")
        if self.approvers:
            (sha, listed), at = self.approvers, js_time(time)
            if d["approvers_sha256"] != sha:
                raise bad("it was checked against another approvers list than the one run.started records")
            if not listed.allows(principal, blob, NS["approval"], at):
                raise bad(f"the approvers list recorded in run.started does not allow {fp} for {safe(principal)!r}")
            if listed.allows(self.operator, blob, NS["approval"], at):
                raise bad(f"the approvers list recorded in run.started also allows {fp} for the operator")
        self.anchor(seq, i, principal, blob, NS["approval"], "approval")

    def anchor(self, record, signs, principal, blob, namespace, what):
        """Counts a signature that holds, anchored or not; E_SIGNER when --allowed-signers is given and does not allow the key."""
        allowed_as, why_not = self.opts["signers"].vouch(blob, namespace, principal) if self.opts["signers"] else (None, None)
        if why_not:
            raise Fail("E_SIGNER", f"record {record}: the {what} of record {signs} is signed by {fingerprint(blob)} for {safe(principal)!r}, "
                                   f"which --allowed-signers does not allow in {namespace}: {why_not}", record)
        count = self.signed[what]
        count[0], count[1] = count[0] + 1, count[1] + (not allowed_as)
        if count[0] <= 1000:  # the first thousand by name, the rest counted
            self.notes.append(f"      {what} record {record} (of record {signs}): {safe(principal)}, {fingerprint(blob)}, {'allowed as ' + safe('; '.join(allowed_as)) if allowed_as else 'NOT ANCHORED'}")

    def check_signoff(self, i, r):
        """An accepted sign-off holds on its own (verify-signoffs.ts; its fields are there, of their types, in its namespace)."""
        d = r["data"]
        if r["type"] != "signoff" or not d["accepted"]:
            return
        def bad(why):
            return Fail("E_SIGNOFF", f"record {i}: the sign-off does not hold: {why}", i)
        signs = d["signs"]
        if signs["seq"] != i - 1:
            raise bad(f"it signs off record {signs['seq']}, not the record before it ({i - 1})")
        if signs["sha256"] != (self.prev[2] if self.prev else None):
            raise bad(f"the hash it signs off is not the SHA-256 of record {i - 1}'s line")
        claim = {"date": d["date"], "format": "runbook-console-signoff/v1", "name": d["name"], "record": {"seq": signs["seq"], "sha256": signs["sha256"]},
                 "role": d["role"], "run": r["run"], "step": d["step"]["id"]}
        message = json.dumps(claim, separators=(",", ":"), ensure_ascii=False)
        if d["message"] != message:
            raise bad("its message is not the sign-off message of its run, step, row, signer, date and record")
        principal = principal_for(d["name"])
        if d["principal"] != principal:
            raise bad(f"its principal {safe(d['principal'])!r} is not {safe(principal)!r} (the name as a principal)")
        try:
            blob = self.sigs.check(message.encode("utf-8"), d["signature"], NS["signoff"], key_blob(d["key"]))
        except (ValueError, SigError) as e:
            raise bad(safe(getattr(e, "message", e)))
        self.anchor(i, i - 1, principal, blob, NS["signoff"], "sign-off")

    def blob_refs(self, i, r):
        out = get(r["data"], "output")
        if r["type"] != "step.finished" or not js_bool(get(out, "blob")):
            return
        self.blob(i, out["blob"], get(out, "sha256"))
        for extra in (get(out, "index_blob"), get(r["data"], "outcome", "results_blob")):
            if js_bool(extra):
                self.blob(i, extra, js_str(extra).split("/")[-1])

    def blob(self, i, rel, sha):
        self.blobs += 1
        if not isinstance(rel, str) or not re.fullmatch(r"blobs/[0-9a-f]{64}", rel):
            raise Fail("E_BLOB", f"record {i} names blob {safe(js_str(rel))!r}, which is not a blob path", i)
        if not os.path.isfile(os.path.join(self.d, rel)):
            raise Fail("E_BLOB", f"record {i}: {rel} is missing", i)
        actual = sha256_file(os.path.join(self.d, rel))
        if actual != sha or rel != "blobs/" + actual:
            raise Fail("E_BLOB", f"record {i}: {rel} does not match its hash (it is {actual})", i)

    def finish(self):
        """The checks that need the whole journal; then each check that passed, in order, or the failure."""
        F, n = self.failures, self.count
        if n == 0 and F.failure is None:
            raise Fail("E_EMPTY", "journal.jsonl holds no complete record")
        if self.first is not None and self.prev is not None:
            F.run(SEAL, self.finish_seal)
            for block in (b for bs in self.open_blocks.values() for b in bs):
                F.run(APPROVAL, self.judge, block, None, key=block["index"])
            if self.report and F.failure is None:
                F.run(REPORT, self.report.check, self.warnings, self.bundle_key)
            if self.bundle_key and F.failure is None:
                F.run(ANCHOR, self.anchor_bundle)
        passed = {
            PARSE: f"ok    journal: {n} records, LF line ends, canonical JSON",
            ORDER: f"ok    chain: sequence 0..{n - 1}, one run, every prev hash matches",
            MAC: f"ok    MACs: {n} records, key matches the run's commitment" if self.macs else "skip  MACs: no mac-key.txt here, so MACs were not checked (W_MAC_UNCHECKED)",
            TIME: "ok    time: monotonic time never goes back within a boot",
            DATA: f"ok    records: in format {FORMAT}, every record's data fits its type",
            APPROVAL: f"ok    approvals: every state-changing block that ran has one ({self.signed['approval'][0]})" if self.restricted else None,
            SIGNOFF: f"ok    sign-offs: {self.signed['sign-off'][0]} signed",
            BLOB: f"ok    blobs: {self.blobs} referenced, every hash matches",
            REPORT: "ok    report.json, report.html: byte for byte the reports the journal gives" if self.report else None,
        }
        for check in sorted(passed):
            if check < F.check and passed[check]:
                print(passed[check])
        if F.failure is not None:
            raise F.result()
        for line in self.notes:
            print(line)

    def anchor_bundle(self):
        """The bundle's signer: the anchored seal key, or named by --allowed-signers for runbook-console-audit."""
        blob, fp, signers = self.bundle_key, fingerprint(self.bundle_key), self.opts["signers"]
        anchored = ["the installation key, anchored"] if blob == self.seal_key and self.seal_anchor else []
        principals, why_not = signers.vouch(blob, NS["audit"]) if signers else ([], None)
        anchored += [f"--allowed-signers ({'; '.join(principals)})"] if principals else []
        if not anchored and signers:
            raise Fail("E_SIGNER", f"the bundle (SHA256SUMS.sig, report.json.sig) is signed by {fp}, which --allowed-signers does not allow in {NS['audit']}: {why_not}")
        self.bundle_anchor = anchored
        self.notes.append(f"      bundle signed by {fp}, {'anchored by ' + safe('; '.join(anchored)) if anchored else 'NOT ANCHORED'}")

    def unanchored(self):
        """What nothing the verifier holds vouches for (exit 3), in words."""
        out = []
        if not self.seal_key:
            out.append("nothing in this journal is signed: it holds no checkpoint")
        elif not self.seal_anchor:
            out.append(f"the key that sealed the run, {fingerprint(self.seal_key)}: give --pin, --allowed-signers or --prior")
        if self.bundle_key and not self.bundle_anchor:
            out.append(f"the key that signed the bundle, {fingerprint(self.bundle_key)}: give --allowed-signers naming it for {NS['audit']}")
        for what, ns in (("approval", "approval"), ("sign-off", "signoff")):
            if self.signed[what][1]:
                out.append(f"{self.signed[what][1]} {what}(s): give --allowed-signers naming the signers for {NS[ns]}")
        if not self.sigs.keygen:
            out.append("every signature: ssh-keygen (OpenSSH 8.2 or later) is not on PATH, so none was checked")
        return out

# ---- A bundle, the command line, the exit status ----------------------------------------------------------

def check_bundle(d, sigs):
    """SHA256SUMS, the files and the two signatures (verify-bundle.ts); returns the key that signed the bundle."""
    previous, listed, required = None, set(), set(BUNDLE_REQUIRED)
    sums = read(d, "SHA256SUMS")
    for n, line in enumerate(sums.split("\n")[:-1], 1):
        m = re.fullmatch(r"([0-9a-f]{64}) [ *](.+)", line)
        if not m:
            raise Fail("E_BUNDLE", f"SHA256SUMS line {n} is not '<sha256>  <file>'")
        name, path = m.group(2), os.path.join(d, m.group(2))
        if re.search(r"[\\\x00-\x1f\x7f]", name) or name.startswith("/") or any(p in ("", ".", "..") for p in name.split("/")):
            raise Fail("E_BUNDLE", f"SHA256SUMS line {n} names {safe(name)!r}, which is not a plain path inside the bundle")
        if name in ("SHA256SUMS", "SHA256SUMS.sig"):
            raise Fail("E_BUNDLE", f"SHA256SUMS line {n} lists {name}, which it cannot cover")
        if previous is not None and not previous.encode("utf-16-be", "surrogatepass") < name.encode("utf-16-be", "surrogatepass"):
            raise Fail("E_BUNDLE", f"SHA256SUMS lists {safe(name)} twice" if previous == name else f"SHA256SUMS line {n} ({safe(name)}) is out of order: export lists files sorted")
        if not os.path.lexists(path):
            raise Fail("E_BUNDLE", f"{safe(name)} is listed in SHA256SUMS but missing")
        if os.path.islink(path) or not os.path.isfile(path):
            raise Fail("E_BUNDLE", f"{safe(name)} is listed in SHA256SUMS but is not a regular file")
        if sha256_file(path) != m.group(1):
            raise Fail("E_BUNDLE", f"{safe(name)} does not match SHA256SUMS")
        previous = name
        listed.add(name)
        required.discard(name)
    if sums and not sums.endswith("\n"):
        raise Fail("E_BUNDLE", "SHA256SUMS does not end with a newline")
    sig = os.path.join(d, "SHA256SUMS.sig")
    if os.path.islink(sig) or not os.path.isfile(sig):
        raise Fail("E_BUNDLE", "SHA256SUMS.sig is missing: nothing says who vouches for SHA256SUMS")
    for name in BUNDLE_REQUIRED:
        if name in required:
            raise Fail("E_BUNDLE", f"{name} is {'not listed in SHA256SUMS' if os.path.exists(os.path.join(d, name)) else 'missing from the bundle'}")
    def walk(rel):  # every file is listed; nothing is a link, a device or a socket
        for entry in sorted(os.scandir(os.path.join(d, rel)), key=lambda e: e.name):
            name = rel + entry.name
            if entry.is_dir(follow_symlinks=False):
                walk(name + "/")
            elif not entry.is_file(follow_symlinks=False):
                raise Fail("E_BUNDLE", f"{safe(name)} is not a regular file: a bundle holds only files")
            elif name not in listed and name not in ("SHA256SUMS", "SHA256SUMS.sig"):
                raise Fail("E_BUNDLE", f"{safe(name)} is in the bundle but not listed in SHA256SUMS")
    walk("")
    print(f"ok    SHA256SUMS: {len(listed)} files match, none unlisted")
    keys = []
    for name in ("SHA256SUMS", "report.json"):
        try:
            with open(os.path.join(d, name), "rb") as f:  # report.json holds every record: streamed, never held
                keys.append(sigs.check(f, read(d, name + ".sig"), NS["audit"]))
        except SigError as e:
            raise Fail(e.code, f"{name}.sig: {e.message}")
    if keys[0] != keys[1]:
        raise Fail("E_SIGNATURE", f"report.json.sig is signed by {fingerprint(keys[1])} and SHA256SUMS.sig by {fingerprint(keys[0])}: one export signs both")
    print(f"ok    SHA256SUMS.sig, report.json.sig: both by {fingerprint(keys[0])}")
    return keys[0]

class Arguments(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2: as runbook verify words a usage error
        raise Usage(message)

def options(argv):
    """The command line, as `runbook verify` takes it (src/cli/commands/verify.ts); a Usage error says what is wrong."""
    parser = Arguments(add_help=False, allow_abbrev=False)
    parser.add_argument("dir", nargs="?")
    for name in ("--allowed-signers", "--run-id", "--mac-key"):
        parser.add_argument(name)
    parser.add_argument("--prior", action="append", default=[])
    parser.add_argument("--pin", dest="pins", action="append", default=[])
    parser.add_argument("--allow-unsealed", action="store_true")
    opts = vars(parser.parse_args(argv))
    d = opts["dir"] = opts["dir"] or os.path.dirname(os.path.abspath(__file__))
    if not os.path.isdir(d):
        raise Usage(f"{d}: not a run directory or bundle")
    if not os.path.isfile(os.path.join(d, "journal.jsonl")):
        raise Usage(f"{d}: no journal.jsonl here (give a run directory or an evidence bundle)")
    def text(option, file):
        """An anchor's file: from somewhere else than what it is meant to check."""
        if option != "--mac-key" and os.path.exists(file) and not os.path.relpath(os.path.realpath(file), os.path.realpath(d)).startswith(".."):
            raise Usage(f"{option} {file} is inside {d}: a trust anchor must come from somewhere else, not from what it is meant to check")
        try:
            with open(file, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError as e:
            raise Usage(f"{option} {file}: {'no such file' if isinstance(e, FileNotFoundError) else e.strerror or e}")
    try:
        opts["signers"] = AllowedSigners(text("--allowed-signers", opts["allowed_signers"])) if opts["allowed_signers"] is not None else None
    except ValueError as e:
        raise Usage(f"--allowed-signers: {e}")
    for pin in opts["pins"]:
        if not re.fullmatch(r"SHA256:[A-Za-z0-9+/]{43}", pin):
            raise Usage(f"--pin {pin!r}: not a key fingerprint (SHA256: and 43 base64 characters, as ssh-keygen -l prints it)")
    priors = [text("--prior", file) for file in opts["prior"]]
    if len(priors) > 1:
        raise Usage(f"--prior is given {len(priors)} times: give the one checkpoint you hold (the latest)")
    opts["prior"] = prior(priors[0], text("--prior", opts["prior"][0] + ".sig") if os.path.exists(opts["prior"][0] + ".sig") else None) if priors else None
    if opts["mac_key"] is not None:
        opts["mac_key"] = text("--mac-key", opts["mac_key"]).strip()
        if not HEX64.fullmatch(opts["mac_key"]):
            raise Usage("--mac-key: the MAC verification key must be 64 hex digits")
    return opts

def prior(text, signature):
    """A --prior file: checkpoint.txt (its SSHSIG appended, or FILE.sig beside it), or the ticket's `origin size root`."""
    at = text.find("-----BEGIN SSH SIGNATURE-----")
    body = (text[:at] if at >= 0 else text).strip()
    one = re.fullmatch(r"(\S+) (0|[1-9][0-9]*) ([A-Za-z0-9+/]{43}=)", body)
    try:
        lines = parse_checkpoint("\n".join(one.groups()) + "\n" if one else body + "\n")
    except ValueError as e:
        raise Usage(f"--prior: not a checkpoint (three lines, or one line 'origin size root'): {e}")
    return {"origin": lines[0], "size": int(lines[1]), "root": lines[2], "text": "\n".join(lines) + "\n", "signature": text[at:] if at >= 0 else signature}

def report_builder(d):
    """verify_report.py, from this file's own directory: it builds a bundle's report.json and report.html again."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verify_report.py")
    if not os.path.isfile(path):
        raise Usage(f"{path} is missing: it ships beside verify.py and checks a bundle's report.json and report.html")
    spec = importlib.util.spec_from_file_location("verify_report", path)
    module = sys.modules["verify_report"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Report(d)

def main(argv):
    try:
        sys.stdout.reconfigure(errors="backslashreplace")
        if any(a in ("-h", "--help") for a in argv[1:]):
            return print(__doc__) or 0
        opts = options(argv[1:])
        d = opts["dir"]
        with tempfile.TemporaryDirectory(prefix="verify-py-") as scratch:
            sigs = Signatures(scratch)
            if not sigs.keygen:
                print("skip  signatures: ssh-keygen (OpenSSH 8.2 or later) is not on PATH, so none is checked")
            if os.path.isfile(os.path.join(d, "SHA256SUMS")):
                report = report_builder(d)  # first: without it nothing is checked
                journal = Verifier(d, opts, sigs, check_bundle(d, sigs), report)
            else:
                print("-     SHA256SUMS: none here (a run directory, not a bundle)")
                journal = Verifier(d, opts, sigs, None, None)
            journal.run()
        for code, _, detail in journal.warnings:
            print(f"WARNING {code}: {safe(detail)}")
        first, final, missing = journal.first, journal.final, journal.unanchored()
        sealed = f"sealed at size {final}, root {journal.last_checkpoint['root']}" if final >= 0 else "not sealed"
        if missing:
            print(f"UNANCHORED: run {safe(first['run'])} is intact ({journal.count} records, {sealed}), but nothing you gave vouches for " + "; ".join(missing))
            return 3
        print(f"OK: run {safe(first['run'])} is intact and anchored, {journal.count} records, {sealed}")
        return 0
    except Fail as f:
        where = f" (record {f.record}, line {f.line})" if f.record is not None else f" (line {f.line})" if f.line is not None else ""
        print(f"FAIL {f.code}{where}: {safe(f.detail)}")
        return 1
    except Usage as u:
        print(f"verify.py: {safe(u)}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"verify.py: {safe(getattr(e, 'filename', '') or '')}: {safe(e.strerror or e)}", file=sys.stderr)
        return 2
    except Exception as e:  # never a traceback
        print(f"verify.py: cannot check this directory: {type(e).__name__}: {safe(e)}", file=sys.stderr)
        return 1

if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
