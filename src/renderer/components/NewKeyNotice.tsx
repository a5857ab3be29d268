// Shown where this installation's key was just made (the run or the settings page whose call made it):
// its fingerprint belongs in the change ticket, kept apart from this machine, for an auditor to pin.
import type { InstallationKeyFacts } from '../../shared/run-api.js';
import { CopyButton } from './CopyButton.js';

export function NewKeyNotice({ facts }: { facts: Pick<InstallationKeyFacts, 'fingerprint' | 'publicKeyFile' | 'verifyCommand'> }) {
  return (
    <div className="key-notice" role="status" data-testid="new-key-notice">
      <p>
        This installation's key was made just now; it seals every run's record. Record its fingerprint in the change ticket, kept apart from this machine:
      </p>
      <p>
        <code data-testid="new-key-fingerprint">{facts.fingerprint}</code> <CopyButton text={facts.fingerprint} label="Copy fingerprint" />
      </p>
      <p className="muted">
        Public key: <code>{facts.publicKeyFile}</code>. An auditor checks a run against it with <code>{facts.verifyCommand}</code>.
      </p>
    </div>
  );
}
