// Sign-offs: every accepted `signoff` record must hold on its own (docs/audit.md, "Sign-offs"): its message
// is signoffMessage() of the run, step, role, name, date and the record it signs off; that record is the one
// right before it (signs.seq = seq − 1, signs.sha256 = the SHA-256 of that line); its namespace is
// runbook-console-signoff; its SSHSIG verifies over the message by the key the record names; its principal
// is principalFor(name). With --allowed-signers the key must be allowed for that principal in
// runbook-console-signoff explicitly (E_SIGNER otherwise); without, the sign-off is unanchored.
// Refused sign-offs (accepted: false) are records of an attempt and are not checked. Records come read
// through their schemas (verify-records.ts): every field below is there, of its type, and the namespace is
// the format's. One record at a time: only the previous line's hash is needed.
import { principalFor } from './principal.js';
import type { TypedRecord } from './record.js';
import { SIGNOFF_NAMESPACE, signoffMessage } from './signoff.js';
import { fingerprint, parsePublicKeyLine } from './ssh-keys.js';
import { parseSshsig, verifySshsig } from './sshsig.js';
import type { Anchors } from './verify-anchors.js';
import { SignatureList } from './verify-approvals.js';
import { failure } from './verify-phases.js';

export class SignoffChecker {
  readonly checked = new SignatureList();
  /** Sign-off records without a signature: none in this journal format (a sign-off is recorded only signed). */
  readonly unsigned = 0;

  constructor(private readonly anchors: Anchors) {}

  /** Record `i`; `previousHash` is the SHA-256 (hex) of line i − 1 (null for the first). Throws the failure. */
  record(i: number, record: TypedRecord, previousHash: string | null): void {
    if (record.type !== 'signoff') return;
    const d = record.data;
    if (!d.accepted) return;
    const at = { record: i, line: i + 1 };
    const bad = (why: string) => failure('E_SIGNOFF', `record ${i}: the sign-off does not hold: ${why}`, at);
    const { signs } = d;
    if (signs.seq !== i - 1) throw bad(`it signs off record ${signs.seq}, not the record before it (${i - 1})`);
    if (signs.sha256 !== previousHash) throw bad(`the hash it signs off is not the SHA-256 of record ${i - 1}'s line`);
    let message: string;
    try {
      message = signoffMessage({ run: record.run, step: d.step.id, role: d.role, name: d.name, date: d.date, record: signs });
    } catch (error) {
      throw bad((error as Error).message);
    }
    if (d.message !== message) throw bad('its message is not the sign-off message of its run, step, row, signer, date and record');
    const principal = principalFor(d.name);
    if (d.principal !== principal) throw bad(`its principal ${JSON.stringify(d.principal)} is not ${JSON.stringify(principal)} (the name as a principal)`);
    let key: Buffer;
    let signedBy: Buffer;
    try {
      key = parsePublicKeyLine(d.key).blob;
      signedBy = parseSshsig(d.signature).publicKey;
    } catch (error) {
      throw bad((error as Error).message);
    }
    if (!signedBy.equals(key)) throw bad(`the signature was made by ${fingerprint(signedBy)}, not by the key it names (${fingerprint(key)})`);
    const check = verifySshsig(Buffer.from(message, 'utf8'), d.signature, SIGNOFF_NAMESPACE, key);
    if (!check.ok) throw bad(check.message);
    const print = fingerprint(key);
    const anchoredAs = this.anchors.signedAs(`record ${i}: the sign-off`, key, print, SIGNOFF_NAMESPACE, principal, at);
    this.checked.add({ record: i, signs: signs.seq, principal, fingerprint: print, anchoredAs });
  }
}
