// Sign-offs: every accepted `signoff` record must hold on its own (docs/audit.md, "Sign-offs"): its message
// is signoffMessage() of the run, step, role, name, date and the record it signs off; that record is the one
// right before it (signs.seq = seq − 1, signs.sha256 = the SHA-256 of that line); its namespace is
// runbook-console-signoff; its SSHSIG verifies over the message by the key the record names; its principal
// is principalFor(name). Else E_SIGNOFF.
//
// And it is a second person's signature: its key is not the installation key, which is no person's (however it
// was offered), nor another of the operator's keys (operatorKeysOf: those run.started records, the key that signed
// the bundle) — unless the row is the operator's own, signed here with a key file or the ssh-agent (a pasted
// signature stands for someone not at the operator's machine). Else E_SIGNOFF_OPERATOR_KEY. The console refuses
// such a sign-off when it is offered (console-signoffs.ts); this is the same rule, read from the journal.
//
// With --allowed-signers the key must be allowed for that principal in runbook-console-signoff explicitly
// (E_SIGNER otherwise); without, the sign-off is unanchored. Refused sign-offs (accepted: false) are records of
// an attempt and are not checked. Records come read through their schemas (verify-records.ts): every field
// below is there, of its type, and the namespace is the format's. One record at a time: only the previous
// line's hash is needed.
import { principalFor } from './principal.js';
import type { RecordOf, TypedRecord } from './record.js';
import { SIGNOFF_NAMESPACE, signoffMessage } from './signoff.js';
import { fingerprint, parsePublicKeyLine } from './ssh-keys.js';
import { parseSshsig, verifySshsig } from './sshsig.js';
import type { Anchors } from './verify-anchors.js';
import { SignatureList, keyBase64, operatorKeysOf } from './verify-approvals.js';
import { failure } from './verify-phases.js';

export class SignoffChecker {
  readonly checked = new SignatureList();
  private readonly operator: string;
  /** The operator's keys (base64 blob → what it is); one run.started records unreadably is the approval check's to report. */
  private readonly operatorKeys: Map<string, string>;
  /** The installation key (base64 blob): no person's, whatever else it is. */
  private readonly installation: string | null;

  /** Starts with run.started; `exportKey` is the key that signed the bundle (the operator's too). */
  constructor(
    first: RecordOf<'run.started'>,
    exportKey: Buffer | null,
    private readonly anchors: Anchors,
  ) {
    this.operator = principalFor(first.data.operator.name);
    const own = operatorKeysOf(first.data, exportKey, () => {});
    this.operatorKeys = own.keys;
    this.installation = own.installation;
  }

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
    const blob = keyBase64(key);
    const own = this.operatorKeys.get(blob);
    let why: string | null = null;
    if (blob === this.installation) why = "it is no person's key";
    else if (own && d.method === 'pasted') why = "a pasted signature stands for someone not at the operator's machine";
    else if (own && principal !== this.operator) why = `the operator (${JSON.stringify(this.operator)}) cannot sign off for ${JSON.stringify(principal)}`;
    if (why) throw failure('E_SIGNOFF_OPERATOR_KEY', `record ${i}: the sign-off is signed with ${own} (${print}): ${why}`, at);
    const anchoredAs = this.anchors.signedAs(`record ${i}: the sign-off`, key, print, SIGNOFF_NAMESPACE, principal, at);
    this.checked.add({ record: i, signs: signs.seq, principal, fingerprint: print, anchoredAs });
  }
}
