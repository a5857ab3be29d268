// Verification is one streaming pass over the journal, yet it reports the failure a check-by-check
// verifier would: the framing of every line before any record's chain, every chain link before any MAC,
// every MAC before the time checks, then the run binding, the records' data (the journal format), the
// seals, the approvals, the sign-offs, the blobs,
// a bundle's report against the journal, and last whether the anchors vouch for the bundle's signer. So the
// pass keeps the first failure of the earliest check that failed. Once a check has failed, the checks after
// it stop (nothing they find can be reported any more) and the checks before it go on to the end of the
// file, where one of them may still fail and take precedence.
import { type FailureCode, VerifyFailure } from './reasons.js';

export const CHECK = {
  empty: 1,
  crlf: 2,
  tornTail: 3,
  parse: 4,
  order: 5,
  mac: 6,
  time: 7,
  run: 8,
  data: 9,
  seal: 10,
  approval: 11,
  signoff: 12,
  blob: 13,
  report: 14,
  anchor: 15,
} as const;
export type Check = (typeof CHECK)[keyof typeof CHECK];

/** A failure whose exact form is known only later in the pass (a record out of place: moved, or missing?). */
export class PendingFailure {
  constructor(readonly resolve: () => unknown) {}
}

export class FirstFailure {
  private check = Number.POSITIVE_INFINITY;
  private error: unknown = null;

  /** Whether a failure of `check` could still be the one reported. */
  open(check: Check): boolean {
    return check < this.check;
  }

  get failed(): boolean {
    return this.check !== Number.POSITIVE_INFINITY;
  }

  /** Nothing found later can take precedence (CR LF line ends are the first thing reported). */
  get settled(): boolean {
    return this.check <= CHECK.crlf;
  }

  /** Records what `check` threw (a VerifyFailure, or any other error, thrown in its turn) unless an earlier check failed. */
  note(check: Check, error: unknown): void {
    if (check < this.check) {
      this.check = check;
      this.error = error;
    }
  }

  /** Runs `fn` as part of `check` while that check can still matter, noting whatever it throws. */
  run(check: Check, fn: () => void): void {
    if (!this.open(check)) return;
    try {
      fn();
    } catch (error) {
      this.note(check, error);
    }
  }

  /** `fn`'s result as part of `check`, or null when the check can no longer matter or `fn` threw (noted). */
  attempt<T>(check: Check, fn: () => T): T | null {
    if (!this.open(check)) return null;
    try {
      return fn();
    } catch (error) {
      this.note(check, error);
      return null;
    }
  }

  /** Throws the failure to report, if any. */
  throwIfFailed(): void {
    if (!this.failed) return;
    throw this.error instanceof PendingFailure ? this.error.resolve() : this.error;
  }
}

/** The VerifyFailure `fail` would throw, to be noted rather than thrown. */
export function failure(code: FailureCode, detail: string, at: { record?: number; line?: number } = {}): VerifyFailure {
  return new VerifyFailure({ code, record: at.record ?? null, line: at.line ?? null, detail });
}
