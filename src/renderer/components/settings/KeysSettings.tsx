// The keys behind the evidence: this installation's seal key (public part), where run MAC keys are kept,
// and which key signs exported reports by default (one ssh-agent offers, or a key file). Nothing secret
// is shown or sent: the agent and key files stay on the host.
import { useEffect, useState } from 'react';
import type { KeysInfo, Preferences, RunbookApi } from '../../../shared/api.js';
import type { ExportKey } from '../../../shared/settings.js';
import { useHostCall } from '../../hooks/useHostCall.js';
import { CopyButton } from '../CopyButton.js';
import { NewKeyNotice } from '../NewKeyNotice.js';

export function KeysSettings({ api, preferences, onSaved }: { api: RunbookApi; preferences: Preferences; onSaved: (p: Preferences) => void }) {
  const [info, setInfo] = useState<KeysInfo | null>(null);
  const { error, call } = useHostCall();
  const [keyFile, setKeyFile] = useState(preferences.exportKey?.kind === 'file' ? preferences.exportKey.path : '');
  const [approvers, setApprovers] = useState(preferences.approversFile ?? '');
  useEffect(() => {
    void call(() => api['keys.info']({})).then((next) => next && setInfo(next));
  }, [api, call]);
  const save = async (change: { exportKey?: ExportKey | null; approversFile?: string | null }) => {
    const next = await call(() => api['settings.save'](change));
    if (next) onSaved(next);
  };
  const choose = (exportKey: ExportKey | null) => save({ exportKey });
  const current = preferences.exportKey;
  return (
    <section className="panel settings-section" aria-label="Keys" data-testid="keys-settings">
      <h2 className="panel-title">Keys</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!info && !error && <p className="muted">Reading keys…</p>}
      {info && (
        <>
          <h3>Installation seal key</h3>
          {info.installation ? (
            <dl className="facts">
              <dt>Installation</dt>
              <dd className="mono" data-testid="installation-id">
                {info.installation.id}
              </dd>
              <dt>Fingerprint</dt>
              <dd className="mono" data-testid="installation-fingerprint">
                {info.installation.fingerprint}
              </dd>
              <dt>Public key</dt>
              <dd className="mono small-text">
                {info.installation.file} <CopyButton text={info.installation.publicKey} label="Copy public key" />
              </dd>
              <dt>Auditors verify with</dt>
              <dd className="mono small-text" data-testid="installation-verify-command">
                {info.installation.verifyCommand} <CopyButton text={info.installation.verifyCommand} label="Copy command" />
              </dd>
            </dl>
          ) : (
            <p role="alert" className="error">
              The installation key could not be read: {info.installationError}
            </p>
          )}
          {info.installation?.created && <NewKeyNotice facts={{ fingerprint: info.installation.fingerprint, publicKeyFile: info.installation.file, verifyCommand: info.installation.verifyCommand }} />}
          <p className="muted small-text">
            Seals every run's journal (checkpoints). The fingerprint is what an auditor pins (<code>--pin</code>): it counts only when they hold it from elsewhere — the change ticket it was
            recorded in when the key was made (<code>runbook key</code> prints it too) — not from this page or an export.
          </p>
          <h3>Run MAC keys</h3>
          <p data-testid="mac-keys">{info.macKeys}</p>
          <h3>Signing exported reports</h3>
          <p className="muted small-text">
            Default for Export signed report: <strong data-testid="export-key-default">{current ? (current.kind === 'agent' ? `ssh-agent${current.publicKey ? ` key ${current.publicKey.split(' ')[2] ?? ''}` : ''}` : current.path) : 'none (choose when exporting)'}</strong>
          </p>
          <h4>ssh-agent</h4>
          {info.agent.error ? (
            <p className="muted">{info.agent.error}</p>
          ) : info.agent.keys.length === 0 ? (
            <p className="muted">The agent at {info.agent.socket} holds no keys usable for signing.</p>
          ) : (
            <ul className="agent-keys">
              {info.agent.keys.map((k) => (
                <li key={k.publicKey} className="row">
                  <span className="mono small-text">
                    {k.type} {k.fingerprint} {k.comment}
                  </span>
                  <button type="button" className="small" aria-pressed={current?.kind === 'agent' && current.publicKey === k.publicKey} onClick={() => choose({ kind: 'agent', publicKey: k.publicKey })}>
                    Use by default
                  </button>
                </li>
              ))}
            </ul>
          )}
          <h4>Key file</h4>
          <div className="row">
            <input aria-label="Default signing key file" value={keyFile} onChange={(e) => setKeyFile(e.target.value)} placeholder="~/.ssh/id_ed25519" />
            <button type="button" className="small" disabled={!keyFile.trim()} onClick={() => choose({ kind: 'file', path: keyFile.trim() })}>
              Use by default
            </button>
            {current && (
              <button type="button" className="small" onClick={() => choose(null)}>
                No default
              </button>
            )}
          </div>
          <h3>Approvers (RESTRICTED runs)</h3>
          <p className="muted small-text">
            An allowed_signers file naming who may approve state-changing steps (principal, then their public key; namespace runbook-console-approval). The operator cannot approve their own steps.
          </p>
          <div className="row">
            <input aria-label="Approvers file" value={approvers} onChange={(e) => setApprovers(e.target.value)} placeholder="/etc/runbook-console/approvers" />
            <button type="button" className="small" onClick={() => void save({ approversFile: approvers.trim() || null })}>
              Save approvers file
            </button>
            {preferences.approversFile && (
              <span className="muted small-text" data-testid="approvers-file">
                in use: {preferences.approversFile}
              </span>
            )}
          </div>
        </>
      )}
    </section>
  );
}
