"""SSH keys, signatures and allowed_signers. Read fourth, after verify_records.py.

Keys are `type base64` lines (key_blob, fingerprint as ssh-keygen -l prints it); a signature is an armoured SSHSIG
(PROTOCOL.sshsig) checked by OpenSSH's own ssh-keygen -Y check-novalidate (Signatures: it holds over the bytes, in the
namespace, by the key named — whose key that is, is the anchors' to say); AllowedSigners reads an OpenSSH
allowed_signers file as src/main/audit/allowed-signers.ts does: the auditor's anchors, and the approvers list a
RESTRICTED run records. principal_for turns a name into an allowed_signers principal (src/main/audit/principal.ts).
"""
import base64, datetime, hashlib, os, re, shutil, subprocess
from verify_json import CONTROL, JS_SPACE, js_trim, safe

def key_blob(line):
    """The key blob of a `type base64 [comment]` line whose blob names that type; ValueError otherwise."""
    parts = line.split()
    if len(parts) < 2 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", parts[1]):
        raise ValueError("not an SSH public key line")
    blob = base64.b64decode(parts[1])
    if blob[4:4 + int.from_bytes(blob[:4], "big")] != parts[0].encode():
        raise ValueError(f"the key blob is not a {parts[0]} key")
    return blob

def fingerprint(blob):
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")

def principal_for(name):
    """A name as an allowed_signers principal: trimmed, spaces, commas and pattern characters as "-"."""
    p = re.sub(f"[{JS_SPACE},\"*?!{CONTROL}]+", "-", js_trim(name))
    return re.sub(r"^#", "", p) or "operator"

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
    """OpenSSH allowed_signers (ssh-keygen(1)): principals, [options,] key type and key, one line each."""
    KEY_TYPE = re.compile(r"(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|"
                          r"sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(-cert-v01@openssh\.com)?")

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
                known = ("cert-authority", "namespaces", "valid-after", "valid-before")
                if name in options or name not in known or (name == "cert-authority") == bool(eq):
                    raise ValueError(f"bad option {option!r}")
                if eq and not re.fullmatch(r'"[^"]*"', value):
                    raise ValueError(f"badly quoted {value!r}")
                options[name] = value[1:-1] if eq else True
        if "" in principals or len(tokens) < 2 or not self.KEY_TYPE.fullmatch(tokens[0]):
            raise ValueError("expected principals, [options,] a key type and its key")
        when = {k: self.timestamp(options[k]) for k in ("valid-after", "valid-before") if k in options}
        namespaces = options["namespaces"].split(",") if "namespaces" in options else None
        return {"principals": principals, "ca": "cert-authority" in options, "namespaces": namespaces,
                "after": when.get("valid-after"), "before": when.get("valid-before"),
                "key": key_blob(f"{tokens[0]} {tokens[1]}")}

    @staticmethod
    def timestamp(text):
        """YYYYMMDD[HHMM[SS]][Z]: UTC with Z, else local time, as ssh-keygen reads it."""
        m = re.fullmatch(r"([0-9]{8})(?:([0-9]{4})([0-9]{2})?)?(Z?)", text)
        if not m:
            raise ValueError(f"bad timestamp {text!r} (YYYYMMDD[HHMM[SS]][Z])")
        t = datetime.datetime.strptime(m[1] + (m[2] or "0000") + (m[3] or "00"), "%Y%m%d%H%M%S")
        return t.replace(tzinfo=datetime.timezone.utc) if m[4] else t.astimezone()

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
        named = [e for e in self.entries if not e["ca"] and e["key"] == blob and e["namespaces"] is not None
                 and namespace in e["namespaces"] and match_list(namespace, e["namespaces"])
                 and (principal is None or match_list(principal, e["principals"]))]
        principals = [",".join(e["principals"]) for e in named if self.valid(e, now)]
        for e in [] if principals else named:
            if e["before"] is not None and now > e["before"]:
                return [], f"its line in --allowed-signers expired on {e['before'].isoformat()} (valid-before)"
            if e["after"] is not None and now < e["after"]:
                return [], f"its line in --allowed-signers is not valid until {e['after'].isoformat()} (valid-after)"
        why_not = f'--allowed-signers has no line naming it with namespaces="{namespace}"'
        return principals, None if principals else why_not

class SigError(Exception):
    """A signature that does not hold: its reason code (E_SIGNATURE, E_NAMESPACE); other_key: made by another key."""

    def __init__(self, code, message, other_key=False):
        super().__init__(message)
        self.code, self.message, self.other_key = code, message, other_key

def parse_sshsig(armored):
    """(public key blob, namespace) of an armoured SSHSIG; ValueError when it is none."""
    lines = (armored[:-1] if armored.endswith("\n") else armored).split("\n")
    if len(lines) < 3 or lines[0] != "-----BEGIN SSH SIGNATURE-----" or lines[-1] != "-----END SSH SIGNATURE-----":
        raise ValueError("not an armoured SSH signature")
    body = "".join(lines[1:-1])
    if any(not re.fullmatch(r"[A-Za-z0-9+/=]+", x) for x in lines[1:-1]) \
            or base64.b64encode(base64.b64decode(body)).decode() != body:
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
    """SSHSIG checks through ssh-keygen -Y check-novalidate (without it on PATH, only their form is checked)."""

    def __init__(self, scratch):
        self.scratch, self.keygen = scratch, shutil.which("ssh-keygen")

    def check(self, data, armored, namespace, key=None):
        """The signer's key blob, when `armored` is an SSHSIG over `data` (bytes, or a file read to its end) in
        `namespace` (by `key`); raises SigError."""
        if not isinstance(armored, str):
            raise SigError("E_SIGNATURE", "there is no signature")
        try:
            blob, ns = parse_sshsig(armored)
        except ValueError as e:
            raise SigError("E_SIGNATURE", f"not an SSH signature: {e}")
        if ns != namespace:
            raise SigError("E_NAMESPACE", f"the signature is for namespace {ns!r}, not {namespace!r}")
        if key is not None and blob != key:
            raise SigError("E_SIGNATURE", f"the signature was made by {fingerprint(blob)}, not by {fingerprint(key)}",
                           other_key=True)
        if self.keygen:
            sig = os.path.join(self.scratch, "sig")
            with open(sig, "w", encoding="utf-8") as f:
                f.write(armored)
            given = {"input": data} if isinstance(data, bytes) else {"stdin": data}
            command = [self.keygen, "-Y", "check-novalidate", "-n", namespace, "-s", sig]
            res = subprocess.run(command, capture_output=True, **given)
            if res.returncode != 0:
                said = (res.stderr or res.stdout).decode("utf-8", "replace").strip().split("\n")[-1]
                raise SigError("E_SIGNATURE", f"the signature does not verify (ssh-keygen: {safe(said)})")
        return blob
