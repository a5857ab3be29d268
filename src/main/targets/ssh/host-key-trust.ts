// Turns the host-key verdict into a connect/refuse decision, asking the operator about unknown keys only.
// Decisions are remembered for the executor's life, so a reconnect (say after a step rebooted the host)
// neither asks again nor forgets a refusal. Nothing is written to known_hosts: adding keys to the
// operator's files is the operator's call, and the decision is recorded in the results instead.
import { type HostKeySubject, judgeHostKey } from './host-key-policy.js';

export type HostKeyDecision = { accepted: true; note: string } | { accepted: false; error: string };

type Confirm = (question: string, purpose: 'trust-host-key') => Promise<boolean>;

export class HostKeyTrust {
  private readonly decisions = new Map<string, boolean>();

  /** `pause` wraps the question so that connect timeouts do not run while a person reads it. */
  async decide(presented: Buffer, subject: HostKeySubject, confirm: Confirm, pause: <T>(work: () => Promise<T>) => Promise<T>): Promise<HostKeyDecision> {
    const verdict = judgeHostKey(presented, subject);
    if (verdict.kind === 'known') return { accepted: true, note: verdict.note };
    if (verdict.kind === 'refused') return { accepted: false, error: verdict.error };

    const { fingerprint, keyType } = verdict;
    const trusted = `host key ${fingerprint} (${keyType}) for ${subject.display} was unknown; trusted by the operator`;
    const memoKey = `${subject.lookupName} ${fingerprint}`;
    let answer = this.decisions.get(memoKey);
    if (answer === undefined) {
      const where = subject.files.length > 0 ? `not in ${subject.files.join(', ')}` : 'no known_hosts file';
      answer = await pause(() =>
        confirm(`The SSH host key of ${subject.display} is unknown (${where}). Its fingerprint is ${fingerprint} (${keyType}). Trust it and connect?`, 'trust-host-key'),
      );
      this.decisions.set(memoKey, answer);
    }
    if (answer) return { accepted: true, note: trusted };
    return {
      accepted: false,
      error: `host key ${fingerprint} (${keyType}) for ${subject.display} is unknown (not in ${subject.files.join(', ') || 'any known_hosts file'}${subject.pinned ? '' : ', no fingerprint pinned'}) and the operator did not trust it; refusing to connect`,
    };
  }
}
