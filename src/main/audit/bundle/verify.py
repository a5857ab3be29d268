#!/usr/bin/env python3
"""Checks a Runbook Console run record offline, with Python 3's standard library only.

    python3 verify.py [DIR]      DIR: a run directory or evidence bundle (default: this script's own directory)

It checks: SHA256SUMS (when present); that journal.jsonl is LF-terminated canonical JSON, one record per
line; sequence numbers, run id and the prev-hash chain; every MAC (when mac-key.txt is present) and that
key's commitment in run.started; every checkpoint record's size and RFC 9162 Merkle root; that the final
seal follows run.finished and is the last record; that checkpoint.txt is that seal; every blob's hash.
It does NOT check SSH signatures: it prints the `ssh-keygen -Y verify` commands that do.
Exit status: 0 all checks pass, 1 a check failed (the FAIL line names it), 2 usage error.
Failure codes are those of `runbook verify`.
"""
import base64, hashlib, hmac, json, os, re, sys

GENESIS = "0" * 64

def fail(code, detail):
    print(f"FAIL {code}: {detail}")
    sys.exit(1)

def ok(group, detail):
    print(f"ok    {group}: {detail}")

def read(d, name, text=True):
    """A file in DIR, or None when absent. Bytes are decoded here, never in text mode, which would quietly
    turn CR LF into LF and hide exactly the kind of conversion these checks must notice."""
    path = os.path.join(d, name)
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        data = f.read()
    return data.decode("utf-8", "replace") if text else data

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:  # blobs can be large: hash in chunks
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

def merkle_root(leaf_hashes):
    """RFC 9162 section 2.1.1: split at the largest power of two below n; 0x01 prefixes interior nodes."""
    n, k = len(leaf_hashes), 1
    if n <= 1:
        return leaf_hashes[0] if n else hashlib.sha256(b"").digest()
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + merkle_root(leaf_hashes[:k]) + merkle_root(leaf_hashes[k:])).digest()

def canonical(obj):
    # RFC 8785 (JCS) for these records. Exact for strings, integers, booleans and null, and for decimals
    # such as 6.873 (both use the shortest round-trip digits). Limits: a float below 1e-4 or from 1e16 up
    # is spelled differently by Python (5e-05, not 0.00005), so such a record would be refused here though
    # `runbook verify` accepts it; "1.0" passes here though RFC 8785 spells it 1; and keys sort by code
    # point, not UTF-16 unit, which differs only for keys mixing U+E000..U+FFFF with characters above
    # U+FFFF. Journal numbers are counts and millisecond durations, so none of these arise in practice.
    # A mismatch is always a failure, never silently normalised.
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise KeyError(next(k for k in keys if keys.count(k) > 1))
    return dict(pairs)

def reject_constant(name):
    raise ValueError(f"{name} is not JSON")

def check_sums(d):
    sums = read(d, "SHA256SUMS")
    if sums is None:
        return print("-     SHA256SUMS: none here (a run directory, not a bundle)")
    count = 0
    for n, line in enumerate(sums.split("\n"), 1):
        if line == "":
            continue
        m = re.match(r"^([0-9a-f]{64}) [ *](.+)$", line)
        if not m:
            fail("E_BUNDLE", f"SHA256SUMS line {n} is not '<sha256>  <file>'")
        path = os.path.realpath(os.path.join(d, m.group(2)))
        if not path.startswith(os.path.realpath(d) + os.sep):
            fail("E_BUNDLE", f"SHA256SUMS line {n} names a file outside the bundle")
        if not os.path.isfile(path):
            fail("E_BUNDLE", f"{m.group(2)} is listed in SHA256SUMS but missing")
        if sha256_file(path) != m.group(1):
            fail("E_BUNDLE", f"{m.group(2)} does not match SHA256SUMS")
        count += 1
    ok("SHA256SUMS", f"{count} files match")

def read_journal(d):
    """Framing and canonical form. Returns each line's exact bytes (the hash and Merkle inputs) and record."""
    data = read(d, "journal.jsonl", text=False)
    if not data:
        fail("E_EMPTY", "journal.jsonl is empty")
    if not data.endswith(b"\n"):
        fail("E_TORN_TAIL", "journal.jsonl does not end in a newline: the last record is partial")
    lines = data[:-1].split(b"\n")
    records = []
    for i, raw in enumerate(lines):
        if raw.endswith(b"\r"):
            fail("E_CRLF", f"line {i + 1} ends in CR LF (converted by a text tool; fetch the original bytes)")
        try:
            text = raw.decode("utf-8")  # strict: bad bytes are refused, never replaced
            obj = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=reject_constant)
        except KeyError as e:
            fail("E_DUPLICATE_KEY", f"line {i + 1} holds key {e} twice")
        except ValueError as e:
            fail("E_JSON", f"line {i + 1}: {e}")
        if canonical(obj) != text:
            fail("E_NONCANONICAL", f"line {i + 1} is not in canonical (RFC 8785) form")
        fields = {"seq": int, "run": str, "type": str, "time": str, "mono_ns": str, "boot_id": str, "data": dict, "prev": str, "mac": str}
        if not isinstance(obj, dict) or set(obj) != set(fields) or any(type(obj[k]) is not t for k, t in fields.items()):
            fail("E_FIELDS", f"line {i + 1} lacks a record field or has one of the wrong type")
        records.append(obj)
    ok("journal", f"{len(lines)} records, LF line ends, canonical JSON")
    return lines, records

def check_chain(lines, records):
    run, seen = records[0]["run"], {}
    for i, r in enumerate(records):
        if r["run"] != run:
            fail("E_OTHER_RUN", f"record {i} belongs to run {r['run']}, not {run}")
        if r["seq"] != i:  # name the edit that explains the jump
            if r["seq"] in seen:
                dup = lines[seen[r["seq"]]] == lines[i]
                fail("E_RECORD_DUPLICATED" if dup else "E_RECORD_INSERTED", f"records {seen[r['seq']]} and {i} both claim sequence number {r['seq']}")
            if r["seq"] > i and not any(x["seq"] == i for x in records[i + 1:]):
                fail("E_RECORD_DELETED", f"sequence numbers jump from {i - 1} to {r['seq']}: records are missing")
            fail("E_RECORD_REORDERED", f"record {i} holds sequence number {r['seq']}")
        seen[r["seq"]] = i
        expected = GENESIS if i == 0 else hashlib.sha256(lines[i - 1]).hexdigest()
        if r["prev"] != expected:
            fail("E_RECORD_CHANGED", "the first record does not start the chain" if i == 0 else f"record {i - 1} was changed: record {i}'s prev hash does not match it")
    ok("chain", f"sequence 0..{len(records) - 1}, one run, every prev hash matches")

def check_macs(d, records):
    key_hex = (read(d, "mac-key.txt") or "").strip()
    if not key_hex:
        return print("skip  MACs: no mac-key.txt here, so MACs were not checked (W_MAC_UNCHECKED)")
    if not re.fullmatch(r"[0-9a-f]{64}", key_hex):
        fail("E_MAC", "mac-key.txt is not 64 hex digits")
    key = bytes.fromhex(key_hex)
    if hashlib.sha256(key).hexdigest() != records[0]["data"].get("mac_key_sha256"):
        fail("E_MAC", "mac-key.txt is not the key the run committed to in run.started")
    for i, r in enumerate(records):
        unsigned = canonical({k: v for k, v in r.items() if k != "mac"})
        if not hmac.compare_digest(hmac.new(key, unsigned.encode("utf-8"), hashlib.sha256).hexdigest(), r["mac"]):
            fail("E_MAC", f"record {i} ({r['type']}): MAC does not match")
        # Forward security: each record's key is the hash of the one before, so K_0 derives them all.
        key = hashlib.sha256(b"runbook-mac-evolve\0" + key).digest()
    ok("MACs", f"{len(records)} records, key matches the run's commitment")

def check_seals(d, lines, records):
    """Every checkpoint covers exactly the records before it; the final seal is last; checkpoint.txt is it."""
    install = records[0]["data"].get("installation") or {}
    origin = f"runbook-console/{install.get('id')}/{records[0]['run']}"
    key_blob = base64.b64decode((install.get("public_key") or "x AA==").split()[1])
    if hashlib.sha256(key_blob).hexdigest()[:16] != install.get("id"):
        fail("E_SEAL_ORIGIN", "run.started names an installation id that is not the id of the key it records")
    leaves = [hashlib.sha256(b"\x00" + line).digest() for line in lines]
    checkpoints = [i for i, r in enumerate(records) if r["type"] == "checkpoint"]
    for i in checkpoints:
        data = records[i]["data"]
        text = str(data.get("text"))
        parts = text.split("\n")
        if data.get("size") != i or len(parts) < 4 or parts[1] != str(i):
            fail("E_SEAL_SIZE", f"checkpoint record {i} does not cover exactly the {i} records before it")
        if parts[0] != origin:
            fail("E_SEAL_ORIGIN", f"checkpoint record {i} is for {parts[0]}, not {origin}")
        root = base64.b64encode(merkle_root(leaves[:i])).decode()
        if parts[2] != root or data.get("root") != root:
            fail("E_SEAL_ROOT", f"checkpoint record {i}: the Merkle root of records 0..{i - 1} is {root}, the checkpoint says {parts[2]}")
    ok("checkpoints", f"{len(checkpoints)} checkpoint record(s), sizes and Merkle roots match")

    final = [i for i in checkpoints if i > 0 and records[i - 1]["type"] == "run.finished"]
    file_text = read(d, "checkpoint.txt")
    sealed = (file_text or "").split("\n")[1:2]
    if sealed and sealed[0].isdigit() and int(sealed[0]) > len(records):
        fail("E_SEAL_SIZE", f"checkpoint.txt seals {sealed[0]} records but the journal holds {len(records)}: records were cut")
    if final and final[-1] != len(records) - 1:
        fail("E_AFTER_SEAL", f"{len(records) - 1 - final[-1]} record(s) follow the final seal (record {final[-1]})")
    if file_text is not None:
        if not checkpoints or records[checkpoints[-1]]["data"].get("text") != file_text:
            fail("E_SEAL_SIZE", "checkpoint.txt is not the journal's last checkpoint")
        if read(d, "checkpoint.txt.sig") != records[checkpoints[-1]]["data"].get("signature"):
            fail("E_SIGNATURE", "checkpoint.txt.sig is missing or is not the signature recorded in the journal")
    if not final:
        fail("E_UNSEALED", f"no final seal: the last record is {records[-1]['type']} (the run did not finish, or its seal was removed)")
    ok("seal", f"final seal is record {final[-1]}, right after run.finished" + (", checkpoint.txt matches it" if file_text else ""))
    return final[-1], records[final[-1]]["data"]["root"]

def check_blobs(d, records):
    refs = []  # (record, blob path, expected sha256)
    runbook = records[0]["data"].get("runbook") or {}
    if runbook.get("blob"):
        refs.append((0, runbook["blob"], runbook.get("sha256")))
    for i, r in enumerate(records):
        if r["type"] != "step.finished" or not (r["data"].get("output") or {}).get("blob"):
            continue
        out, outcome = r["data"]["output"], r["data"].get("outcome") or {}
        refs.append((i, out["blob"], out.get("sha256")))
        for extra in (out.get("index_blob"), outcome.get("results_blob")):
            if extra:
                refs.append((i, extra, str(extra).split("/")[-1]))
    for i, rel, sha in refs:
        if not re.match(r"^blobs/[0-9a-f]{64}$", str(rel)):
            fail("E_BLOB", f"record {i} names {rel!r}, which is not a blob path")
        if not os.path.isfile(os.path.join(d, rel)):
            fail("E_BLOB", f"record {i}: {rel} is missing")
        actual = sha256_file(os.path.join(d, rel))
        if actual != sha or rel != "blobs/" + actual:
            fail("E_BLOB", f"record {i}: {rel} does not match its hash (it is {actual})")
    ok("blobs", f"{len(refs)} referenced, every hash matches")

def shell_quote(s):
    """Quotes a word for the auditor's shell: plain words bare, else single quotes; control characters as $'\\xHH'."""
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", s):
        return s
    ctl = r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+"
    parts = re.split("(" + ctl + ")", s)
    return "".join(("$'" + "".join("\\x%02x" % b for b in p.encode()) + "'") if re.fullmatch(ctl, p) else "'" + p.replace("'", "'\\''") + "'" for p in parts if p)

def signature_commands(d, records):
    """What this script cannot do: SSHSIG needs OpenSSH (8.1+). allowed_signers: the bundle's, or your own."""
    def principal(namespace, default):
        for line in (read(d, "allowed_signers") or "").split("\n"):
            if f'namespaces="{namespace}"' in line:
                return line.split()[0].split(",")[0]
        return default
    install = shell_quote(principal("runbook-console-checkpoint", "installation-" + str((records[0]["data"].get("installation") or {}).get("id"))))
    operator = shell_quote(principal("runbook-console-audit", "OPERATOR"))
    print("note  signatures are not checked by this script; check them with OpenSSH:")
    print(f"        ssh-keygen -Y verify -f allowed_signers -I {install} -n runbook-console-checkpoint -s checkpoint.txt.sig < checkpoint.txt")
    print(f"        ssh-keygen -Y verify -f allowed_signers -I {operator} -n runbook-console-audit -s report.json.sig < report.json")
    if os.path.exists(os.path.join(d, "SHA256SUMS.sig")):
        print(f"        ssh-keygen -Y verify -f allowed_signers -I {operator} -n runbook-console-audit -s SHA256SUMS.sig < SHA256SUMS")

def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        print(__doc__, file=sys.stderr)
        return 2
    d = argv[1] if len(argv) == 2 else os.path.dirname(os.path.abspath(__file__))
    if not os.path.isfile(os.path.join(d, "journal.jsonl")):
        print(f"{d}: no journal.jsonl here (give a run directory or an evidence bundle)", file=sys.stderr)
        return 2
    check_sums(d)
    lines, records = read_journal(d)
    check_chain(lines, records)
    check_macs(d, records)
    size, root = check_seals(d, lines, records)
    check_blobs(d, records)
    signature_commands(d, records)
    print(f"OK: run {records[0]['run']}, {len(records)} records, sealed at size {size}, root {root}")
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
