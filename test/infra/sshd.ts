// A throwaway OpenSSH sshd + ssh-agent for tests. The implementation lives in bench/support/sshd.mjs so
// the benchmark (plain node, no build of test/) shares it; this module adds the skip-with-a-message rule.
import { sshdUnavailableReason } from '../../bench/support/sshd.mjs';

export { startSshd, sshdUnavailableReason } from '../../bench/support/sshd.mjs';
export type { KeyFiles, SshdHandle } from '../../bench/support/sshd.mjs';

/** True when sshd can run here; otherwise warns once, saying why, so the skipped suite is visible. */
export function sshdAvailable(suite: string): boolean {
  const reason = sshdUnavailableReason();
  if (reason) console.warn(`skipped ${suite}: ${reason}`);
  return reason === null;
}
