"""Approvals and sign-offs, the second person's signatures (verify-approvals.ts, verify-signoffs.ts). Read sixth,
after verify_seal.py.

The operator's keys are those run.started records (options.operator_keys), the installation key that seals the run and
the key that signed the bundle. Approvals: in a RESTRICTED run every state-changing block that ran needs the first
granted approval recorded before its block finished, signed (runbook-console-approval) over the SHA-256 of its
step.started line and naming that record, by none of the operator's keys, for an approver who is not the operator and
whom the approvers list run.started records allows that key (and not the operator): else E_APPROVAL. Sign-offs: each
accepted one signs off the record right before it, its message is the sign-off message of its run, step, row, name,
date and that record, its principal is its name's, and its SSHSIG holds by the key it names: else E_SIGNOFF. That key is
not the installation key (no person's), nor another of the operator's but for the operator's own row, signed here and
not pasted: else E_SIGNOFF_OPERATOR_KEY. With --allowed-signers each key must be allowed there for its principal in its
namespace (E_SIGNER); else it is unanchored.
"""
import hashlib, json
from verify_json import Fail, js_time, safe
from verify_keys import AllowedSigners, SigError, fingerprint, key_blob, principal_for
from verify_records import APPROVAL_NS, SIGNOFF_NS

class Signed:
    """The signatures that hold, anchored or not: counted, the first thousand of each kind named in `notes`."""
    def __init__(self, signers, notes):
        self.signers, self.notes, self.counts = signers, notes, {"approval": [0, 0], "sign-off": [0, 0]}

    def add(self, what, record, signs, principal, blob, namespace):
        allowed_as, why_not = self.signers.vouch(blob, namespace, principal) if self.signers else (None, None)
        if why_not:
            raise Fail("E_SIGNER", f"record {record}: the {what} of record {signs} is signed by {fingerprint(blob)} "
                                   f"for {safe(principal)!r}, which --allowed-signers does not allow in {namespace}: "
                                   f"{why_not}", record)
        count = self.counts[what]
        count[0], count[1] = count[0] + 1, count[1] + (not allowed_as)
        if count[0] <= 1000:
            anchored = "allowed as " + safe("; ".join(allowed_as)) if allowed_as else "NOT ANCHORED"
            who = f"{safe(principal)}, {fingerprint(blob)}, {anchored}"
            self.notes.append(f"      {what} record {record} (of record {signs}): {who}")

class Approvals:
    """The operator's keys (`own`: blob → what it is) and principal; the blocks awaiting their approval (by block id),
    each judged when its block finishes, or at the end."""
    def __init__(self, start, bundle_key, sigs, signed):
        self.restricted, self.operator = start["profile"] == "restricted", principal_for(start["operator"]["name"])
        self.sigs, self.signed, self.approvers, self.open, self.own, self.installation\
            = sigs, signed, None, {}, {}, None
        recorded = start["options"].get("approvers")
        if recorded is not None:
            if hashlib.sha256(recorded["text"].encode("utf-8", "surrogatepass")).hexdigest() != recorded["sha256"]:
                raise Fail("E_APPROVAL", "run.started's approvers list does not match its recorded sha256", 0)
            try:
                self.approvers = (recorded["sha256"], AllowedSigners(recorded["text"]))
            except ValueError as e:
                raise Fail("E_APPROVAL", f"run.started's approvers list cannot be read: {e}", 0)
        for k in start["options"].get("operator_keys", []):
            try:
                self.own[key_blob(k["key"])] = f"the operator's {k['source']} key"
            except ValueError:
                raise Fail("E_APPROVAL", f"run.started records an operator key that cannot be read: {safe(k['key'])}",
                           0)
        try:
            self.installation = key_blob(start["installation"]["public_key"])
            self.own[self.installation] = "the installation key, which seals the run"
        except ValueError:
            pass  # the seal check's to report
        if bundle_key:
            self.own[bundle_key] = "the key that signed this bundle"

    def record(self, i, r, h, judge):
        """Record i (h: its line's SHA-256); `judge(block, finished)` judges a block as part of the approval check."""
        d, t = r["data"], r["type"]
        if not self.restricted:
            return
        if t == "step.started" and d["state_changing"]:
            block = {"index": i, "block": d["block"]["id"], "hash": h, "approval": None}
            self.open.setdefault(block["block"], []).append(block)
        elif t == "approval" and d["granted"]:
            for block in (b for bs in self.open.values() for b in bs):
                if block["hash"] == d["started"]["sha256"] and not block["approval"]:
                    block["approval"] = (d, r["seq"], r["time"])
        elif t == "step.finished":
            for block in self.open.pop(d["block"]["id"], []):
                judge(block, d)

    def judge(self, block, finished):
        """The first granted approval of a state-changing block that ran holds on its own."""
        i = block["index"]
        if finished is not None and finished["outcome"]["refusal"] == "approval-refused":
            return  # refused: it did not run
        if block["approval"] is None:
            raise Fail("E_APPROVAL", f"record {i}: block {safe(block['block'])} changed state without an approval of "
                                     "its step.started record", i)
        d, seq, time = block["approval"]

        def bad(why):
            return Fail("E_APPROVAL", f"record {seq}: approval of record {i} does not hold: {why}", seq)
        if d["message"] != block["hash"]:
            raise bad(f"its signed message is not the SHA-256 of record {i}'s line")
        if d["started"]["seq"] != i:
            raise bad(f"it names record {d['started']['seq']}, not record {i} whose hash it carries")
        try:
            blob = self.sigs.check(block["hash"].encode(), d["signature"], APPROVAL_NS, key_blob(d["key"]))
        except ValueError as e:
            raise bad(f"the key it names cannot be read: {e}")
        except SigError as e:
            raise bad(e.message)
        fp, principal = fingerprint(blob), d["principal"]
        if blob in self.own:
            raise bad(f"it is signed with {self.own[blob]} ({fp}): the operator cannot approve their own step")
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
            if not listed.allows(principal, blob, APPROVAL_NS, at):
                raise bad(f"the approvers list recorded in run.started does not allow {fp} for {safe(principal)!r}")
            if listed.allows(self.operator, blob, APPROVAL_NS, at):
                raise bad(f"the approvers list recorded in run.started also allows {fp} for the operator")
        self.signed.add("approval", seq, i, principal, blob, APPROVAL_NS)

def check_signoff(i, r, previous_hash, approvals):
    """An accepted sign-off holds on its own, and is no key of the operator's standing in for someone else."""
    d = r["data"]
    if r["type"] != "signoff" or not d["accepted"]:
        return

    def bad(why):
        return Fail("E_SIGNOFF", f"record {i}: the sign-off does not hold: {why}", i)
    signs = d["signs"]
    if signs["seq"] != i - 1:
        raise bad(f"it signs off record {signs['seq']}, not the record before it ({i - 1})")
    if signs["sha256"] != previous_hash:
        raise bad(f"the hash it signs off is not the SHA-256 of record {i - 1}'s line")
    claim = {"date": d["date"], "format": "runbook-console-signoff/v1", "name": d["name"], "record": signs,
             "role": d["role"], "run": r["run"], "step": d["step"]["id"]}
    message = json.dumps(claim, separators=(",", ":"), ensure_ascii=False)
    if d["message"] != message:
        raise bad("its message is not the sign-off message of its run, step, row, signer, date and record")
    principal = principal_for(d["name"])
    if d["principal"] != principal:
        raise bad(f"its principal {safe(d['principal'])!r} is not {safe(principal)!r} (the name as a principal)")
    try:
        blob = approvals.sigs.check(message.encode("utf-8"), d["signature"], SIGNOFF_NS, key_blob(d["key"]))
    except (ValueError, SigError) as e:
        raise bad(safe(getattr(e, "message", e)))
    own = approvals.own.get(blob)
    if blob == approvals.installation:
        why = "it is no person's key"
    elif own and d["method"] == "pasted":
        why = "a pasted signature stands for someone not at the operator's machine"
    elif own and principal != approvals.operator:
        why = f"the operator ({safe(approvals.operator)!r}) cannot sign off for {safe(principal)!r}"
    else:
        why = None
    if why:
        raise Fail("E_SIGNOFF_OPERATOR_KEY", f"record {i}: the sign-off is signed with {own} ({fingerprint(blob)}): "
                                             f"{why}", i)
    approvals.signed.add("sign-off", i, i - 1, principal, blob, SIGNOFF_NS)
