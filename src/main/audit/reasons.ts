// Stable reason codes of `runbook verify`. Scripts and auditors match on these; never rename one.
export const FAILURES = {
  E_EMPTY: 'the journal holds no records',
  E_CRLF: 'lines end in CR LF (the file was converted by a text tool: convert it back with `dos2unix` or fetch the original bytes)',
  E_TORN_TAIL: 'the journal ends in a partial record (a crash during a write that was never recovered)',
  E_JSON: 'a line is not valid JSON',
  E_DUPLICATE_KEY: 'a record holds the same key twice',
  E_NONCANONICAL: 'a record is not in canonical JSON form (RFC 8785: sorted keys, no insignificant whitespace)',
  E_FIELDS: 'a record lacks a field every record has, or has it in the wrong type',
  E_FORMAT: 'the journal is not in a format this verifier reads: its first record is not a run.started naming a known journal format',
  E_RECORD_DATA: 'a record\'s data does not fit its type in the journal format: a field missing, of the wrong type, not defined for it, or a code not in its list',
  E_OTHER_RUN: 'a record belongs to another run',
  E_RUN_ID: 'the run is not the one asked for with --run-id',
  E_RECORD_CHANGED: 'a record was changed (the next record\'s prev hash does not match it)',
  E_RECORD_DELETED: 'records are missing (sequence numbers jump)',
  E_RECORD_INSERTED: 'a record was inserted (its sequence number is taken by another record)',
  E_RECORD_REORDERED: 'records are out of order',
  E_RECORD_DUPLICATED: 'a record appears twice',
  E_MAC: 'a record\'s MAC does not match (changed with no access to the MAC key of its time)',
  E_MONOTONIC: 'monotonic time goes backwards within one boot',
  E_BLOB: 'an output blob is missing or does not match its hash',
  E_UNSEALED: 'the run was never sealed (no signed checkpoint); use --allow-unsealed for an interrupted run',
  E_SEAL_SIZE: 'the seal covers a different number of records than the journal holds (truncated or extended)',
  E_AFTER_SEAL: 'records follow the final seal',
  E_SEAL_ROOT: 'the sealed Merkle root does not match the records',
  E_SEAL_ORIGIN: 'the checkpoint names another installation or run',
  E_SIGNATURE: 'a signature is missing, malformed or does not verify',
  E_NAMESPACE: 'a signature was made for another purpose (wrong SSHSIG namespace)',
  E_SIGNER: 'the signing key is not an allowed signer',
  E_PRIOR: 'the journal is not an extension of the --prior checkpoint (it was rewritten after that checkpoint was taken)',
  E_APPROVAL: 'a state-changing block of a RESTRICTED run ran without a valid second-person approval of its step.started record',
  E_BUNDLE: 'the evidence bundle is incomplete, holds a file SHA256SUMS does not list, or its files do not match SHA256SUMS',
  E_REPORT: 'report.json or report.html says something the journal does not: it differs from the report the journal and its blobs give',
  E_SIGNOFF: 'an accepted sign-off does not hold: its signed message, the record it signs off, its principal or its SSH signature',
  E_SIGNOFF_OPERATOR_KEY: "an accepted sign-off is signed with a key of the operator's: the installation key (no person's), or another for someone else's row or pasted",
  E_STORE_DIFFERS: "the run differs from the team store's copy of it: a record rewritten or re-sealed on one side, or records the other lacks",
  E_STORE_EDITED: 'a record in the team store no longer matches the hash the store computed when it arrived: it was changed in the database',
} as const;

export const WARNINGS = {
  W_CLOCK_BACKWARDS: 'the wall clock stepped backwards between records (monotonic time did not)',
  W_RECOVERED: 'the journal was recovered after a crash; the torn partial record was set aside',
  W_MAC_UNCHECKED: 'MACs were not checked: no verification key was available',
  W_UNSEALED: 'the run was not sealed (accepted with --allow-unsealed)',
  W_SIGNER_UNCHECKED: 'the checkpoint signature verifies against the key it names, but no trust anchor (--allowed-signers, --prior, --pin) was given to say whose key that is',
  W_UNANCHORED: 'a signature verifies against the key it names, but nothing the verifier holds says whose key that is (give --allowed-signers)',
} as const;

/**
 * Exit codes of `runbook verify`. 0: intact, and every signature in it is anchored by something the
 * verifier holds (--allowed-signers, --prior, --pin); 1: a check failed (a reason code says which);
 * 2: usage error; 3: intact, but unanchored — consistent with itself, which anyone holding its keys can make.
 */
export const EXIT = { verified: 0, failed: 1, usage: 2, unanchored: 3 } as const;

export type FailureCode = keyof typeof FAILURES;
export type WarningCode = keyof typeof WARNINGS;

export interface Finding<C extends string> {
  code: C;
  /** The first record concerned (sequence position in the file, 0-based), when there is one. */
  record: number | null;
  /** 1-based line in the file, when there is one. */
  line: number | null;
  detail: string;
}

export class VerifyFailure extends Error {
  constructor(readonly finding: Finding<FailureCode>) {
    super(`${finding.code}: ${finding.detail}`);
  }
}

/** A verification that cannot start or finish because of what it was given (exit 2), not because of the run. */
export class VerifyUsageError extends Error {}

export function fail(code: FailureCode, detail: string, at: { record?: number; line?: number } = {}): never {
  throw new VerifyFailure({ code, record: at.record ?? null, line: at.line ?? null, detail });
}
