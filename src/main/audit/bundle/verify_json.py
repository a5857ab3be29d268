"""A journal line's JSON, read as `runbook verify` (JavaScript) reads it. Read second, after verify.py.

canonical_form reads a line strictly: E_JSON when it is not JSON or nests arrays and objects deeper than MAX_DEPTH
(checked before parsing, so no parser's own limit decides), E_DUPLICATE_KEY for a key twice, E_NONCANONICAL when it
is not the RFC 8785 form of what it holds. js_number, jcs, js_trim and js_time write and read values as JavaScript
does. Fail (the one way every check reports), safe, UTC_TIME and read are here because every other part builds on them.
"""
import datetime, json, os, re

MAX_DEPTH = 64  # no record of the format nests more than 6 deep
CONTROL = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # JavaScript's \s
SURROGATE = re.compile("[\ud800-\udfff]")
UTC_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3})Z")  # as journaled
JSON_STRING = json.JSONEncoder(ensure_ascii=False).encode  # a string as JSON.stringify writes it

class Fail(Exception):
    """A failed check: reason code, detail, record (and line); `later` gives them once the pass has read on."""
    def __init__(self, code=None, detail=None, record=None, line=None, later=None):
        super().__init__(code, detail)
        self.code, self.detail, self.record, self.later = code, detail, record, later
        self.line = line if line is not None or record is None else record + 1

def safe(text):
    """Journal text is shown, never obeyed: control and bidi characters are escaped."""
    return re.sub(f"[{CONTROL}]", lambda m: f"\\u{ord(m[0]):04x}", str(text))

def read(path):
    """A file as text (invalid UTF-8 as U+FFFD, as Node reads it), or None when there is none."""
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")

def utf16(s):  # JavaScript compares strings by UTF-16 code units
    return s.encode("utf-16-be", "surrogatepass")

def js_trim(s):  # s.trim()
    return re.sub(f"^[{JS_SPACE}]+|[{JS_SPACE}]+$", "", s)

def js_number(x):
    """ECMAScript Number::toString: Python's shortest round-trip digits, placed as ECMAScript places them."""
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

def js_str(v):
    """String(v) of a JSON scalar."""
    if isinstance(v, str):
        return v
    return {None: "null", True: "true", False: "false"}[v] if v is None or isinstance(v, bool) else js_number(v)

def jcs(v):
    """RFC 8785: numbers as ECMAScript writes them, keys sorted by UTF-16 code units, no lone surrogate."""
    if isinstance(v, dict):
        keys = sorted(v, key=utf16)
        return "{" + ",".join(f"{jcs(k)}:{jcs(v[k])}" for k in keys) + "}"
    if isinstance(v, list):
        return "[" + ",".join(map(jcs, v)) + "]"
    if isinstance(v, str) and SURROGATE.search(v):
        raise ValueError("a string holds a lone UTF-16 surrogate")
    return JSON_STRING(v) if isinstance(v, str) else js_str(v)

def too_deep(text):
    """Whether arrays and objects nest deeper than MAX_DEPTH in `text` (a bracket inside a string does not count)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    level = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{\]}]', text):
        level += {"[": 1, "{": 1, "]": -1, "}": -1}.get(m[0], 0)
        if level > MAX_DEPTH:
            return True
    return False

def parse_json(text):
    """(value, needs jcs?): json.dumps writes what RFC 8785 does but for numbers Python spells (1.0, 1e+16, 5e-07)
    or reads (past 2^53) otherwise, and keys past U+E000, which sort otherwise in UTF-16. KeyError: a key twice."""
    odd = []

    def real(s):
        if repr(float(s)) != s or js_number(float(s)) != s:
            odd.append(s)
        return float(s)

    def integer(s):
        if len(s) > 15:
            odd.append(s)
        return int(s)

    def pairs(items):
        seen = set()
        for k, _ in items:
            if k in seen:
                raise KeyError(k)
            seen.add(k)
        return dict(items)

    def constant(name):
        raise ValueError(f"{name} is not JSON")
    value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_float=real, parse_int=integer)
    return value, bool(odd) or not (text.isascii() or max(text) < "\ue000")

def canonical_form(text):
    """The value of a canonical JSON text; else ValueError(code, why)."""
    if too_deep(text):
        raise ValueError("E_JSON", f"nested deeper than {MAX_DEPTH} levels (no record is)")
    try:
        value, exact = parse_json(text)
    except KeyError as e:
        raise ValueError("E_DUPLICATE_KEY", f"holds key {safe(e.args[0])!r} twice")
    except ValueError as e:
        raise ValueError("E_JSON", safe(e))
    try:  # json.dumps is JCS for all but what parse_json found odd, and much faster
        same = (jcs(value) if exact else json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)) \
            == text
    except ValueError as e:
        raise ValueError("E_NONCANONICAL", safe(e))
    if not same:
        raise ValueError("E_NONCANONICAL", "is not in canonical (RFC 8785) form")
    return value

def js_time(text):
    """Date.parse of a journal time as V8 reads it (a day up to 31 rolls over, 24:00 is the next midnight), or None."""
    m = UTC_TIME.fullmatch(text)
    y, mo, d, h, mi, s, ms = map(int, m.groups()) if m else (0,) * 7
    if y == 0 or not (1 <= mo <= 12 and 1 <= d <= 31 and mi < 60 and s < 60) or (h, mi, s, ms) > (24, 0, 0, 0):
        return None
    start = datetime.datetime(y, mo, 1, tzinfo=datetime.timezone.utc)
    return start + datetime.timedelta(days=d - 1, hours=h, minutes=mi, seconds=s, milliseconds=ms)
