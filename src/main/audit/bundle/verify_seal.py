"""The seal (src/main/audit/verify-seal.ts). Read fifth, after verify_keys.py.

Every checkpoint record covers exactly the records before it: its size, its origin (runbook-console/<installation id>/
<run id>) and the RFC 9162 Merkle root of those records, signed (SSHSIG, runbook-console-checkpoint) by the installation
key run.started records. The final seal (the first checkpoint right after run.finished) ends the journal and is
checkpoint.txt; the journal extends --prior. Then what anchors the sealing key: --pin, an --allowed-signers line naming
runbook-console-checkpoint, or --prior (E_SIGNER when anchors are given and none does).
"""
import base64, hashlib, re
from verify_json import Fail, safe
from verify_keys import SigError, fingerprint, key_blob

NS = "runbook-console-checkpoint"

class Merkle:
    """RFC 9162 Merkle tree kept as the roots of its perfect subtrees, largest first (one per set bit of its size):
    appending a leaf or taking the root costs O(log n) hashes, and folding the roots right to left gives the RFC's
    split at the largest power of two below n. Leaves are SHA-256(0x00 ‖ line); 0x01 prefixes interior nodes."""
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
    lines, control = text[:-1].split("\n") if text.endswith("\n") else [], r"[\x00-\x09\x0b-\x1f\x7f]"
    if len(lines) < 3:
        raise ValueError("a checkpoint is origin, size and root lines, each ending in a newline")
    if lines[0] == "" or re.search(control, lines[0]) or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]) \
            or int(lines[1]) >= 2 ** 53:
        raise ValueError("bad origin or tree size line")
    if not re.fullmatch(r"[A-Za-z0-9+/]{43}=", lines[2]) \
            or base64.b64encode(base64.b64decode(lines[2])).decode() != lines[2]:
        raise ValueError("the root is not 32 bytes of canonical base64")
    if any(x == "" or re.search(control, x) for x in lines[3:]):
        raise ValueError("an empty extension line or a control character")
    return lines

def prior(text, signature):
    """A --prior file: checkpoint.txt (its SSHSIG appended, or FILE.sig beside it), or a ticket's `origin size root`."""
    at = text.find("-----BEGIN SSH SIGNATURE-----")
    body = (text[:at] if at >= 0 else text).strip()
    one = re.fullmatch(r"(\S+) (0|[1-9][0-9]*) ([A-Za-z0-9+/]{43}=)", body)
    try:
        lines = parse_checkpoint("\n".join(one.groups()) + "\n" if one else body + "\n")
    except ValueError as e:
        raise ValueError(f"--prior: not a checkpoint (three lines, or one line 'origin size root'): {e}")
    return {"origin": lines[0], "size": int(lines[1]), "root": lines[2], "text": "\n".join(lines) + "\n",
            "signature": text[at:] if at >= 0 else signature}

class Seal:
    """The checkpoints as they come (the Merkle tree of the records so far), then the end of the journal."""
    def __init__(self, first, opts, sigs):
        install = first["data"]["installation"]
        self.opts, self.sigs, self.origin = opts, sigs, f"runbook-console/{install['id']}/{first['run']}"
        self.tree, self.checkpoints, self.final, self.last, self.anchors = Merkle(), 0, -1, None, []
        self.recorded = self.key = self.prior_root = None  # the key run.started records; the key that sealed the run
        if install["public_key"]:
            try:
                self.recorded = key_blob(install["public_key"])
            except ValueError as e:
                raise Fail("E_SEAL_ORIGIN", f"run.started records an installation key that cannot be read: {e}", 0)
            if hashlib.sha256(self.recorded).hexdigest()[:16] != install["id"]:
                raise Fail("E_SEAL_ORIGIN", f"run.started names installation {safe(install['id'])}, which is not the "
                                            "id of the key it records", 0)

    def record(self, i, raw, r, previous):
        """Record i (`previous`: the type of the one before): a checkpoint's root is the tree's as it stands now."""
        if self.opts["prior"] and self.opts["prior"]["size"] == i:
            self.prior_root = self.tree.root()
        if r["type"] == "checkpoint":
            self.checkpoint(i, r["data"])
            if self.final < 0 and previous == "run.finished":
                self.final = i
        self.tree.append(hashlib.sha256(b"\x00" + raw).digest())

    def checkpoint(self, i, data):
        self.checkpoints, self.last = self.checkpoints + 1, data
        if data["size"] != i:
            raise Fail("E_SEAL_SIZE", f"checkpoint record {i} claims to cover {data['size']} records, not the {i} "
                                      "before it", i)
        try:
            origin, size, root = parse_checkpoint(data["text"])[:3]
        except ValueError as e:
            raise Fail("E_SEAL_ORIGIN", f"checkpoint text is malformed: {e}", i)
        if origin != self.origin:
            raise Fail("E_SEAL_ORIGIN", f"checkpoint record {i} is for {safe(origin)}, not {safe(self.origin)}", i)
        if int(size) != i:
            raise Fail("E_SEAL_SIZE", f"checkpoint record {i}: its text covers {size} records, not {i}", i)
        tree_root = base64.b64encode(self.tree.root()).decode()
        if root != tree_root or data["root"] != tree_root:
            raise Fail("E_SEAL_ROOT", f"checkpoint record {i}: the Merkle root of records 0..{i - 1} is {tree_root}, "
                                      f"the checkpoint says {root}", i)
        try:
            blob = self.sigs.check(data["text"].encode("utf-8"), data["signature"], NS, key_blob(data["signer"]))
        except ValueError as e:
            raise Fail("E_SIGNATURE", f"checkpoint record {i}: the key it names is unusable: {e}", i)
        except SigError as e:
            raise Fail(e.code, f"checkpoint record {i}: {e.message}", i)
        expected = self.recorded or self.key  # one key seals the run
        if expected and blob != expected:
            whose = "the installation key run.started records" if self.recorded else "the run's first checkpoint's key"
            raise Fail("E_SIGNER", f"checkpoint record {i} is signed by {fingerprint(blob)}, not by {whose} "
                                   f"({fingerprint(expected)})", i)
        self.key = blob

    def finish(self, n, last, file_text, signature, warnings):
        """After record n - 1 (of type `last`), given checkpoint.txt and its .sig (None: absent); the summary line."""
        prior = self.opts["prior"]
        if prior and prior["size"] == n:
            self.prior_root = self.tree.root()
        if file_text is not None:
            try:
                sealed = int(parse_checkpoint(file_text)[1])
            except ValueError as e:
                raise Fail("E_SEAL_ORIGIN", f"checkpoint.txt is malformed: {e}")
            if sealed > n:
                raise Fail("E_SEAL_SIZE", f"checkpoint.txt seals {sealed} records but the journal holds {n}: records "
                                          "were cut from the end")
        if 0 <= self.final != n - 1:
            raise Fail("E_AFTER_SEAL", f"{n - 1 - self.final} record(s) follow the final seal (record {self.final})",
                       self.final + 1)
        if file_text is not None and (self.last is None or self.last["text"] != file_text):
            raise Fail("E_SEAL_SIZE", "checkpoint.txt is not the journal's last checkpoint")
        if file_text is not None and signature != self.last["signature"]:
            raise Fail("E_SIGNATURE", "checkpoint.txt.sig is missing or is not the signature recorded in the journal")
        if self.final < 0 and not self.opts["allow_unsealed"]:
            raise Fail("E_UNSEALED", f"no final seal: the last record is {last} (the run did not finish, or its seal "
                                     "was removed)")
        if self.final < 0:
            warnings.append(("W_UNSEALED", None, f"the journal's last record is {last} (record {n - 1})"))
        if prior and prior["origin"] != self.origin:
            raise Fail("E_PRIOR", f"the prior checkpoint is for {safe(prior['origin'])}, not {safe(self.origin)}")
        if prior and prior["size"] > n:
            raise Fail("E_PRIOR", f"the prior checkpoint covers {prior['size']} records; the journal holds only {n}")
        ours = prior and base64.b64encode(self.prior_root).decode()
        if prior and ours != prior["root"]:
            raise Fail("E_PRIOR", f"the first {prior['size']} records have root {ours}; the prior checkpoint says "
                                  f"{prior['root']}: they were rewritten after it was taken", max(prior["size"] - 1, 0))
        self.anchors = self.anchor(prior) if self.key else []
        final = f"; final seal is record {self.final}" if self.final >= 0 else ""
        anchored = "anchored by " + "; ".join(self.anchors) if self.anchors else "NOT ANCHORED"
        sealed_by = f"; sealed by {fingerprint(self.key)}, {anchored}" if self.key else ""
        return f"ok    seal: {self.checkpoints} checkpoint(s) hold{final}{sealed_by}"

    def anchor(self, prior):
        """What vouches for the sealing key; E_SIGNER when anchors are given and none does."""
        blob, signers, pins = self.key, self.opts["signers"], self.opts["pins"]
        fp, anchored = fingerprint(blob), []
        if fp in pins:
            anchored.append(f"--pin {fp}")
        principals, why_not = signers.vouch(blob, NS) if signers else ([], None)
        if principals:
            anchored.append(f"--allowed-signers ({'; '.join(principals)})")
        if prior and prior["signature"] is not None:
            try:
                self.sigs.check(prior["text"].encode("utf-8"), prior["signature"], NS, blob)
            except SigError as e:
                if e.other_key:
                    raise Fail("E_PRIOR", f"the prior checkpoint is not signed by the key that seals this journal "
                                          f"({fp}): {e.message}")
                raise Fail(e.code, f"the prior checkpoint's signature: {e.message}")
            anchored.append(f"--prior (a checkpoint of {prior['size']} records signed by this key)")
        elif prior and prior["size"] >= 1 and self.recorded:
            anchored.append(f"--prior (a checkpoint of {prior['size']} records, which cover run.started and the key it "
                            "records)")
        if not anchored and (pins or signers or prior):
            unsigned = prior and f"--prior covers {prior['size']} records, unsigned" + \
                ("" if self.recorded else ", and run.started records no installation key")
            pinned = pins and f"--pin {', '.join(pins)} is another key"
            why = "; ".join(w for w in (pinned, why_not, unsigned) if w)
            raise Fail("E_SIGNER", f"the run is sealed by {fp}, which no anchor given vouches for: {why}")
        return anchored
