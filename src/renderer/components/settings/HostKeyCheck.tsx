// An ssh target's host key, decided explicitly: the console connects, shows the key's fingerprint and how
// it compares with known_hosts and the pinned fingerprint, and pins it only when the operator says so.
import { useState } from 'react';
import type { ApiOutput, RunbookApi } from '../../../shared/api.js';
import { errorMessage } from '../../lib/error-message.js';

type Probe = ApiOutput<'targets.hostKey'>;

export function HostKeyCheck({ api, name, pinned, onTrust }: { api: RunbookApi; name: string; pinned: string | undefined; onTrust: (fingerprint: string) => Promise<void> }) {
  const [probe, setProbe] = useState<Probe | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const check = async () => {
    setBusy(true);
    setError(null);
    try {
      setProbe(await api['targets.hostKey']({ name }));
    } catch (e) {
      setProbe(null);
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const trust = async (fingerprint: string) => {
    setBusy(true);
    try {
      await onTrust(fingerprint);
      setProbe(await api['targets.hostKey']({ name }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="host-key" data-testid="host-key">
      <div className="row">
        {pinned ? (
          <span className="mono small-text" data-testid="host-key-pinned">
            pinned {pinned}
          </span>
        ) : (
          <span className="muted small-text">no pinned fingerprint</span>
        )}
        <button type="button" className="small" onClick={check} disabled={busy}>
          {busy ? 'Checking…' : 'Check host key'}
        </button>
      </div>
      {error && (
        <p role="alert" className="error small-text">
          {error}
        </p>
      )}
      {probe && (
        <div className={`host-key-result status-${probe.status}`} data-testid="host-key-result" data-status={probe.status}>
          <p>
            <strong>{probe.status === 'known' ? 'Known key' : probe.status === 'unknown' ? 'Unknown key' : 'Refused'}</strong> {probe.keyType}{' '}
            <code data-testid="host-key-fingerprint">{probe.fingerprint}</code> at {probe.endpoint}
          </p>
          <p className="muted small-text">{probe.detail}</p>
          {probe.status === 'unknown' && (
            <button type="button" className="small go" onClick={() => trust(probe.fingerprint)} disabled={busy}>
              Trust and pin {probe.fingerprint}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
