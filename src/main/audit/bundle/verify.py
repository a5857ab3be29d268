#!/usr/bin/env python3
"""Checks a Runbook Console run directory or evidence bundle offline: Python 3.9+'s standard library and ssh-keygen.

    python3 verify.py [DIR] [--allowed-signers FILE] [--prior FILE] [--pin SHA256:...] [--run-id ID]
                            [--allow-unsealed] [--mac-key FILE]

DIR is a run directory or an evidence bundle (default: this script's directory). The verdict is `runbook verify`'s,
by the same checks; the first failure of the earliest check in this order is reported:
  bundle     SHA256SUMS lists every file (sorted, once each) and each matches; SHA256SUMS.sig and report.json.sig
             hold, by one key
  journal    LF line ends; canonical JSON (RFC 8785) nested at most 64 deep; the record envelope; sequence numbers,
             one run (--run-id) and the hash chain; every MAC (mac-key.txt or --mac-key); monotonic time
  records    the first is a run.started naming the journal format this reads; every record's data fits its type
  seal       every checkpoint's size, origin, Merkle root and SSHSIG by the installation key run.started records;
             the final seal ends the journal and is checkpoint.txt; the journal extends --prior
  approvals  in a RESTRICTED run, every state-changing block that ran has a granted approval of its step.started
             line, by none of the operator's keys, for an approver the run's recorded list allows
  sign-offs  every accepted sign-off's message, the record it signs off, principal and SSHSIG; no key of the
             operator's signs it, but the operator's own row
  blobs      every output, index, result and runbook blob matches its hash
  report     a bundle's report.json and report.html are, byte for byte, what the journal gives
Anchors say whose keys these are: --pin (the installation key's fingerprint) and --prior (a checkpoint of this run
held elsewhere) for the sealing key; --allowed-signers (a line counts only for a namespace its namespaces= option
names) for it and the bundle's, approvers' and sign-offs' keys. A key the anchors given do not vouch for fails
E_SIGNER; without anchors, signatures are only checked to hold (ssh-keygen -Y check-novalidate).
Exit status: 0 intact and anchored; 1 FAIL with a reason code (those of `runbook verify`); 2 usage error, or a part
of this verifier missing; 3 intact, but nothing anchors some key (the last line says which).

Read this file first (the pass over the journal, a bundle's files, the command line), then the parts beside it:
verify_json.py (a line's JSON), verify_records.py (the journal format), verify_keys.py (SSH keys, signatures,
allowed_signers), verify_seal.py (checkpoints), verify_signatures.py (approvals, sign-offs), verify_report.py.
"""
import argparse, hashlib, hmac, itertools, os, re, sys, tempfile

sys.dont_write_bytecode = True  # a bundle holds only what was exported: no __pycache__ beside this file
HERE = os.path.dirname(os.path.abspath(__file__))
PARTS = {"verify_json": "each line's JSON", "verify_records": "every record against the journal format",
         "verify_keys": "keys and signatures", "verify_seal": "the seal", "verify_signatures": "approvals, sign-offs",
         "verify_report": "a bundle's report.json and report.html"}  # verify-instructions.ts VERIFIER_FILES
for _part, _what in PARTS.items():
    _path = os.path.join(HERE, _part + ".py")
    if not os.path.isfile(_path):
        print(f"verify.py: {_path} is missing: it ships beside verify.py and checks {_what}", file=sys.stderr)
        sys.exit(2)
sys.path.insert(0, HERE)
try:
    from verify_json import UTC_TIME, Fail, canonical_form, js_time, read, safe, utf16
    from verify_records import RECORD_TYPES, RecordData
    from verify_keys import AllowedSigners, SigError, Signatures, fingerprint
    from verify_seal import Seal, prior
    from verify_signatures import Approvals, Signed, check_signoff
    from verify_report import Report
except Exception as _e:  # a part that cannot be read: one line, never a traceback
    print(f"verify.py: a part of this verifier cannot be loaded: {type(_e).__name__}: {_e}", file=sys.stderr)
    sys.exit(2)

GENESIS, HEX64, AUDIT_NS = "0" * 64, re.compile("[0-9a-f]{64}"), "runbook-console-audit"
FIELDS = {"seq": int, "run": str, "type": str, "time": str, "mono_ns": str, "boot_id": str, "data": dict, "prev": str,
          "mac": str}
# The checks in the order failures are reported (verify-phases.ts), and what each fails with if something unforeseen
# goes wrong inside it: never a traceback.
EMPTY, CRLF, TORN, PARSE, ORDER, MAC, TIME, RUN, DATA, SEAL, APPROVAL, SIGNOFF, BLOB, REPORT, ANCHOR = range(1, 16)
FALLBACK = {PARSE: "E_JSON", ORDER: "E_FIELDS", MAC: "E_MAC", TIME: "E_FIELDS", RUN: "E_RUN_ID", DATA: "E_RECORD_DATA",
            SEAL: "E_SEAL_ORIGIN", APPROVAL: "E_APPROVAL", SIGNOFF: "E_SIGNOFF", BLOB: "E_BLOB", REPORT: "E_REPORT",
            ANCHOR: "E_SIGNER"}

class Usage(Exception):
    pass

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

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
        """fn(*args) as part of `check` while that can still matter; what it raises is that check's failure."""
        if self.open(check) or (key is not None and check == self.check):
            try:
                return fn(*args)
            except Fail as e:
                self.note(check, e, key)
            except Exception as e:
                self.note(check, Fail(FALLBACK[check], f"unreadable data ({type(e).__name__}: {safe(e)})"), key)
        return None

class Verifier:
    """One pass over journal.jsonl, keeping what the lines after need: the previous line, the MAC key, the seal's
    Merkle tree, the blocks awaiting an approval, and (a bundle) the report being built again."""
    def __init__(self, d, opts, sigs, bundle_key, report):
        self.d, self.opts, self.sigs, self.bundle_key, self.report = d, opts, sigs, bundle_key, report
        self.path, self.failures, self.count = os.path.join(d, "journal.jsonl"), Failures(), 0
        self.warnings, self.notes = [], []
        self.first = self.prev = self.displaced = self.key = self.seal = self.approvals = None
        self.records, self.signed = RecordData(), Signed(opts["signers"], self.notes)
        self.macs, self.blobs, self.bundle_anchor = False, 0, []

    def run(self):
        if os.path.getsize(self.path) == 0:
            raise Fail("E_EMPTY", "journal.jsonl is empty")
        with open(self.path, "rb") as f:
            for line in f:  # a buffer at a time, whatever the journal's length
                if not line.endswith(b"\n"):
                    torn = f"journal.jsonl: {len(line)} bytes after the last complete record"
                    self.failures.note(TORN, Fail("E_TORN_TAIL", torn, line=self.count + 1))
                    break
                self.line(line[:-1])
                if not self.failures.open(CRLF):
                    break
        self.finish()

    def line(self, raw):
        i, F = self.count, self.failures
        self.count += 1
        if raw.endswith(b"\r"):
            return F.note(CRLF, Fail("E_CRLF", f"journal.jsonl: line {i + 1} ends in CR LF (converted by a text tool: "
                                               "undo it with dos2unix, or fetch the original bytes)", line=i + 1))
        if not F.open(PARSE):
            return
        try:
            r = canonical_form(raw.decode("utf-8"))  # strict: bad bytes are refused, never replaced
        except UnicodeDecodeError:
            return F.note(PARSE, Fail("E_JSON", f"line {i + 1}: not valid UTF-8", i))
        except ValueError as e:
            return F.note(PARSE, Fail(e.args[0], f"line {i + 1}: {e.args[1]}", i))
        if not (isinstance(r, dict) and set(r) == set(FIELDS) and all(type(r[k]) is t for k, t in FIELDS.items())
                and 0 <= r["seq"] < 2 ** 53 and r["run"] and r["boot_id"] and r["type"] in RECORD_TYPES
                and UTC_TIME.fullmatch(r["time"]) and re.fullmatch("[0-9]+", r["mono_ns"])
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
        F.run(DATA, self.check_data, i, r)  # the checks after it read records that fit their schemas
        if i == 0 and F.open(DATA):  # a run.started of the format: what the seal, approvals and blobs start from
            self.seal = F.run(SEAL, Seal, r, self.opts, self.sigs)
            self.approvals = F.run(APPROVAL, Approvals, r["data"], self.bundle_key, self.sigs, self.signed)
            F.run(BLOB, self.blob, 0, r["data"]["runbook"]["blob"], r["data"]["runbook"]["sha256"])
        if self.seal:
            F.run(SEAL, self.seal.record, i, raw, r, self.prev and self.prev[1]["type"])
        if self.approvals:  # an open block may fail before one that already did: key=i
            F.run(APPROVAL, self.approvals.record, i, r, h, self.judge, key=i)
            F.run(SIGNOFF, check_signoff, i, r, self.prev and self.prev[2], self.approvals)
        F.run(BLOB, self.blob_refs, i, r)
        if self.report:
            F.run(REPORT, self.report.record, r, raw)
        self.prev = (raw, r, h)

    def start(self):
        """Record 0: the MAC key and --run-id."""
        F, key_hex = self.failures, self.opts["mac_key"] or (read(os.path.join(self.d, "mac-key.txt")) or "").strip()
        if key_hex and not HEX64.fullmatch(key_hex):
            F.note(MAC, Fail("E_MAC", "mac-key.txt is not 64 hex digits"))
        elif key_hex:
            self.key = bytes.fromhex(key_hex)
            if hashlib.sha256(self.key).hexdigest() != self.first["data"].get("mac_key_sha256"):
                F.note(RUN, Fail("E_MAC", "the verification key given is not the one the run committed to in "
                                          "run.started", 0))
        if self.opts["run_id"] is not None and self.first["run"] != self.opts["run_id"]:
            F.note(RUN, Fail("E_RUN_ID", f"this is run {safe(self.first['run'])}, not {safe(self.opts['run_id'])}", 0))

    def check_order(self, i, raw, r):
        """Run binding, sequence numbers and the prev chain, named as the kind of edit that explains them."""
        if r["run"] != self.first["run"]:
            raise Fail("E_OTHER_RUN", f"record {i} belongs to run {safe(r['run'])}, not {safe(self.first['run'])}", i)
        seq = r["seq"]
        if seq < i:  # every record before this one holds its own number, so seq is record seq's
            if (self.prev[0] if seq == i - 1 else line_at(self.path, seq)) == raw:
                raise Fail("E_RECORD_DUPLICATED", f"record {i} repeats record {seq}", i)
            at = i if r["prev"] == self.prev[2] else seq  # chained on from the line before: slipped in after the first
            raise Fail("E_RECORD_INSERTED", f"records {seq} and {i} both claim sequence number {seq}", at)
        if seq > i:  # moved, if number i turns up later; else records are missing
            moved = self.displaced = [i, -1]

            def resolved():
                if moved[1] >= 0:
                    return Fail("E_RECORD_REORDERED", f"record {i} holds sequence number {seq}; number {i} comes "
                                                      f"later, at line {moved[1] + 1}", i)
                return Fail("E_RECORD_DELETED", f"sequence numbers jump from {i - 1} to {seq}: {seq - i} record(s) "
                                                f"missing before line {i + 1}", i)
            raise Fail(later=resolved)
        if r["prev"] != (GENESIS if i == 0 else self.prev[2]):
            raise Fail("E_RECORD_CHANGED", "the first record does not start the chain" if i == 0 else
                       f"record {i - 1} was changed: record {i}'s prev hash does not match it", max(i - 1, 0))

    def check_mac(self, i, raw, r):
        """mac_i = HMAC-SHA256(K_i, the line without "mac"), K_{i+1} = SHA-256("runbook-mac-evolve\\0" ‖ K_i).
        Keys are sorted and what follows the top-level "mac" is strings and a number: the last ,"mac":"…" is it."""
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
            raise Fail("E_MONOTONIC", f"record {i}: monotonic time {r['mono_ns']} ns is before record {i - 1}'s "
                                      f"{a['mono_ns']} ns on the same boot", i)
        t0, t1 = (a or r)["time"], r["time"]  # as strings in the same order as in time, but for days past 28 and 24:00
        if (t1 < t0 or max(t0[8:10], t1[8:10]) > "28" or "T24" in t0 + t1) and js_time(t1) and js_time(t0) \
                and js_time(t1) < js_time(t0):
            self.warnings.append(("W_CLOCK_BACKWARDS", i, f"record {i}: wall clock {t1} is before record {i - 1}'s "
                                                          f"{t0}"))

    def check_data(self, i, r):
        self.records.check(i, r)
        if r["type"] == "log.recovered":
            d = r["data"]
            torn = f"record {i}: {d['bytes']} torn bytes at offset {d['offset']} set aside in {d['file']}"
            self.warnings.append(("W_RECOVERED", i, torn))

    def judge(self, block, finished):
        self.failures.run(APPROVAL, self.approvals.judge, block, finished, key=block["index"])

    def blob_refs(self, i, r):
        """The blobs a step.finished names: output, its chunk index, result sets (each named by its SHA-256)."""
        out = r["data"]["output"] if r["type"] == "step.finished" else None
        if out and out["blob"]:
            self.blob(i, out["blob"], out["sha256"])
            for extra in (out["index_blob"], r["data"]["outcome"]["results_blob"]):
                if extra:
                    self.blob(i, extra, extra[len("blobs/"):])

    def blob(self, i, rel, sha):
        self.blobs += 1
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
        if self.seal and self.prev:
            files = (read(os.path.join(self.d, "checkpoint.txt")), read(os.path.join(self.d, "checkpoint.txt.sig")))
            self.notes.append(F.run(SEAL, self.seal.finish, n, self.prev[1]["type"], *files, self.warnings) or "")
        for block in [b for bs in self.approvals.open.values() for b in bs] if self.approvals else []:
            self.judge(block, None)  # blocks that never finished
        if self.report and F.failure is None:
            F.run(REPORT, self.report.check, self.warnings, self.bundle_key)
        if self.bundle_key and F.failure is None:
            F.run(ANCHOR, self.anchor_bundle)
        approvals, signoffs = self.signed.counts["approval"][0], self.signed.counts["sign-off"][0]
        passed = [f"ok    journal: {n} records, LF line ends, canonical JSON",
                  f"ok    chain: sequence 0..{n - 1}, one run, every prev hash matches",
                  f"ok    MACs: {n} records, key matches the run's commitment" if self.macs else
                  "skip  MACs: no mac-key.txt here, so MACs were not checked (W_MAC_UNCHECKED)",
                  "ok    time: monotonic time never goes back within a boot", None,
                  f"ok    records: in format {self.records.format}, every record's data fits its type", None,
                  f"ok    approvals: every state-changing block that ran has one ({approvals})"
                  if self.approvals and self.approvals.restricted else None,
                  f"ok    sign-offs: {signoffs} signed", f"ok    blobs: {self.blobs} referenced, every hash matches",
                  self.report and "ok    report.json, report.html: byte for byte the reports the journal gives"]
        for check, line in enumerate(passed, PARSE):
            if check < F.check and line:
                print(line)
        if F.failure is not None:
            raise F.failure.later() if F.failure.later else F.failure
        for line in self.notes:
            print(line)

    def anchor_bundle(self):
        """The bundle's signer: the anchored sealing key, or named by --allowed-signers for runbook-console-audit."""
        blob, signers = self.bundle_key, self.opts["signers"]
        anchored = ["the installation key, anchored"] if self.seal.key == blob and self.seal.anchors else []
        principals, why_not = signers.vouch(blob, AUDIT_NS) if signers else ([], None)
        anchored += [f"--allowed-signers ({'; '.join(principals)})"] if principals else []
        if not anchored and signers:
            raise Fail("E_SIGNER", f"the bundle (SHA256SUMS.sig, report.json.sig) is signed by {fingerprint(blob)}, "
                                   f"which --allowed-signers does not allow in {AUDIT_NS}: {why_not}")
        self.bundle_anchor = anchored
        by = "anchored by " + safe("; ".join(anchored)) if anchored else "NOT ANCHORED"
        self.notes.append(f"      bundle signed by {fingerprint(blob)}, {by}")

    def unanchored(self):
        """What nothing the verifier holds vouches for (exit 3), in words."""
        out = []
        if not self.seal.key:
            out.append("nothing in this journal is signed: it holds no checkpoint")
        elif not self.seal.anchors:
            out.append(f"the key that sealed the run, {fingerprint(self.seal.key)}: give --pin, --allowed-signers or "
                       "--prior")
        if self.bundle_key and not self.bundle_anchor:
            out.append(f"the key that signed the bundle, {fingerprint(self.bundle_key)}: give --allowed-signers naming "
                       f"it for {AUDIT_NS}")
        for what, ns in (("approval", "approval"), ("sign-off", "signoff")):
            if self.signed.counts[what][1]:
                out.append(f"{self.signed.counts[what][1]} {what}(s): give --allowed-signers naming the signers for "
                           f"runbook-console-{ns}")
        if not self.sigs.keygen:
            out.append("every signature: ssh-keygen (OpenSSH 8.2 or later) is not on PATH, so none was checked")
        return out

def line_at(path, n):
    """Line n of a file, read again (only to tell a duplicated record from an inserted one)."""
    with open(path, "rb") as f:
        return next(itertools.islice(f, n, None)).rstrip(b"\n")

def check_bundle(d, sigs):
    """SHA256SUMS, the files and the two signatures (verify-bundle.ts); returns the key that signed the bundle."""
    previous, listed, sums = None, set(), read(os.path.join(d, "SHA256SUMS"))
    for n, line in enumerate(sums.split("\n")[:-1], 1):
        m = re.fullmatch(r"([0-9a-f]{64}) [ *](.+)", line)
        if not m:
            raise Fail("E_BUNDLE", f"SHA256SUMS line {n} is not '<sha256>  <file>'")
        name, path = m[2], os.path.join(d, m[2])
        if re.search(r"[\\\x00-\x1f\x7f]", name) or name.startswith("/") or {"", ".", ".."} & set(name.split("/")):
            raise Fail("E_BUNDLE", f"SHA256SUMS line {n} names {safe(name)!r}, which is not a plain path inside the "
                                   "bundle")
        if name in ("SHA256SUMS", "SHA256SUMS.sig"):
            raise Fail("E_BUNDLE", f"SHA256SUMS line {n} lists {name}, which it cannot cover")
        if previous == name:
            raise Fail("E_BUNDLE", f"SHA256SUMS lists {safe(name)} twice")
        if previous is not None and not utf16(previous) < utf16(name):
            raise Fail("E_BUNDLE", f"SHA256SUMS line {n} ({safe(name)}) is out of order: export lists files sorted")
        if not os.path.lexists(path):
            raise Fail("E_BUNDLE", f"{safe(name)} is listed in SHA256SUMS but missing")
        if os.path.islink(path) or not os.path.isfile(path):
            raise Fail("E_BUNDLE", f"{safe(name)} is listed in SHA256SUMS but is not a regular file")
        if sha256_file(path) != m[1]:
            raise Fail("E_BUNDLE", f"{safe(name)} does not match SHA256SUMS")
        previous = name
        listed.add(name)
    if sums and not sums.endswith("\n"):
        raise Fail("E_BUNDLE", "SHA256SUMS does not end with a newline")
    if os.path.islink(os.path.join(d, "SHA256SUMS.sig")) or not os.path.isfile(os.path.join(d, "SHA256SUMS.sig")):
        raise Fail("E_BUNDLE", "SHA256SUMS.sig is missing: nothing says who vouches for SHA256SUMS")
    for name in ("journal.jsonl", "report.json", "report.json.sig", "report.html"):
        if name not in listed:
            there = os.path.exists(os.path.join(d, name))
            raise Fail("E_BUNDLE", f"{name} is {'not listed in SHA256SUMS' if there else 'missing from the bundle'}")
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
                keys.append(sigs.check(f, read(os.path.join(d, name + ".sig")), AUDIT_NS))
        except SigError as e:
            raise Fail(e.code, f"{name}.sig: {e.message}")
    if keys[0] != keys[1]:
        raise Fail("E_SIGNATURE", f"report.json.sig is signed by {fingerprint(keys[1])} and SHA256SUMS.sig by "
                                  f"{fingerprint(keys[0])}: one export signs both")
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
    d = opts["dir"] = opts["dir"] or HERE
    if not os.path.isdir(d):
        raise Usage(f"{d}: not a run directory or bundle")
    if not os.path.isfile(os.path.join(d, "journal.jsonl")):
        raise Usage(f"{d}: no journal.jsonl here (give a run directory or an evidence bundle)")

    def text(option, file):  # an anchor's file: from somewhere else than what it is meant to check
        inside = not os.path.relpath(os.path.realpath(file), os.path.realpath(d)).startswith("..")
        if option != "--mac-key" and os.path.exists(file) and inside:
            raise Usage(f"{option} {file} is inside {d}: a trust anchor must come from somewhere else, not from what "
                        "it is meant to check")
        try:
            with open(file, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError as e:
            raise Usage(f"{option} {file}: {'no such file' if isinstance(e, FileNotFoundError) else e.strerror or e}")
    try:
        signers = opts["allowed_signers"]
        opts["signers"] = AllowedSigners(text("--allowed-signers", signers)) if signers is not None else None
    except ValueError as e:
        raise Usage(f"--allowed-signers: {e}")
    for pin in opts["pins"]:
        if not re.fullmatch(r"SHA256:[A-Za-z0-9+/]{43}", pin):
            raise Usage(f"--pin {pin!r}: not a key fingerprint (SHA256: and 43 base64 characters, as ssh-keygen -l "
                        "prints it)")
    priors = [text("--prior", file) for file in opts["prior"]]
    if len(priors) > 1:
        raise Usage(f"--prior is given {len(priors)} times: give the one checkpoint you hold (the latest)")
    try:
        sig = opts["prior"][0] + ".sig" if priors else ""
        opts["prior"] = prior(priors[0], text("--prior", sig) if os.path.exists(sig) else None) if priors else None
    except ValueError as e:
        raise Usage(e)
    if opts["mac_key"] is not None:
        opts["mac_key"] = text("--mac-key", opts["mac_key"]).strip()
        if not HEX64.fullmatch(opts["mac_key"]):
            raise Usage("--mac-key: the MAC verification key must be 64 hex digits")
    return opts

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
                journal = Verifier(d, opts, sigs, check_bundle(d, sigs), Report(d))
            else:
                print("-     SHA256SUMS: none here (a run directory, not a bundle)")
                journal = Verifier(d, opts, sigs, None, None)
            journal.run()
        for code, _, detail in journal.warnings:
            print(f"WARNING {code}: {safe(detail)}")
        run, seal, missing = safe(journal.first["run"]), journal.seal, journal.unanchored()
        sealed = f"sealed at size {seal.final}, root {seal.last['root']}" if seal.final >= 0 else "not sealed"
        if missing:
            print(f"UNANCHORED: run {run} is intact ({journal.count} records, {sealed}), but nothing you gave vouches "
                  f"for {'; '.join(missing)}")
            return 3
        print(f"OK: run {run} is intact and anchored, {journal.count} records, {sealed}")
        return 0
    except Fail as f:
        where = f" (record {f.record}, line {f.line})" if f.record is not None else \
            f" (line {f.line})" if f.line is not None else ""
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
