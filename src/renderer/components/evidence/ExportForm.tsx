// Exports the signed evidence bundle (runs.export): where to, and signed with a key file or the ssh-agent.
// An unsealed run is sealed first, once the operator confirmed that in the seal dialog.
import { type FormEvent, useEffect, useState } from 'react';
import type { ApiOutput } from '../../../shared/api.js';
import type { RunState } from '../../../shared/run-api.js';
import { SealDialog, type SealConfirmation } from './SealDialog.js';
import { useRunActions } from '../../run/useRun.js';

export function ExportForm({ state }: { state: RunState }) {
  const { act, api } = useRunActions();
  const [out, setOut] = useState('');
  const [keyFile, setKeyFile] = useState('');
  const [agent, setAgent] = useState(false);
  const [agentKey, setAgentKey] = useState<string | null>(null);
  // The default key from Settings, offered (and still changeable) here.
  useEffect(() => {
    let gone = false;
    api['settings.get']({}).then(
      ({ exportKey }) => {
        if (gone || !exportKey) return;
        if (exportKey.kind === 'file') setKeyFile(exportKey.path);
        else {
          setAgent(true);
          setAgentKey(exportKey.publicKey ?? null);
        }
      },
      () => {},
    );
    return () => {
      gone = true;
    };
  }, [api]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ApiOutput<'runs.export'> | null>(null);
  const [asking, setAsking] = useState(false);
  const exportNow = async (confirmation: SealConfirmation | null) => {
    setBusy(true);
    const input = { out: out.trim(), ...(agent ? { agent: true, ...(agentKey ? { agentKey } : {}) } : keyFile.trim() ? { keyFile: keyFile.trim() } : {}), ...(confirmation ?? {}) };
    const exported = await act((api, runId) => api['runs.export']({ runId, ...input }));
    setResult(exported ?? null);
    setBusy(false);
    if (exported !== undefined) setAsking(false);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Sealing is final: an unsealed run is sealed only once the operator confirmed it.
    if (state.seal) void exportNow(null);
    else setAsking(true);
  };
  return (
    <>
    {/* Outside the form: a dialog is a form of its own. */}
    {asking && <SealDialog state={state} action="export" onConfirm={exportNow} onClose={() => setAsking(false)} />}
    <form className="evidence-box export-form" onSubmit={submit}>
      <label className="field">
        <span>Output directory</span>
        <input aria-label="Export directory" value={out} onChange={(e) => setOut(e.target.value)} placeholder="/path/to/evidence" required />
      </label>
      <label className="field">
        <span>Signing key file</span>
        <input aria-label="Signing key file" value={keyFile} onChange={(e) => setKeyFile(e.target.value)} placeholder="~/.ssh/id_ed25519" disabled={agent} />
      </label>
      <label className="check">
        <input type="checkbox" checked={agent} onChange={(e) => setAgent(e.target.checked)} /> use ssh-agent
        {agent && agentKey && <span className="muted small-text"> (key {agentKey.split(' ').slice(2).join(' ') || agentKey.slice(0, 40)})</span>}
      </label>
      <button type="submit" disabled={busy || !out.trim()}>
        Export signed report{state.seal ? '' : '…'}
      </button>
      {result && (
        <div className="export-result" data-testid="export-result">
          <p>
            Written to <code data-testid="export-out">{result.out}</code>
          </p>
          <p>
            Signed by <code data-testid="export-signer">{result.signer}</code>
          </p>
          <details>
            <summary>{result.files.length} files</summary>
            <ul className="mono small-text">
              {result.files.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          </details>
        </div>
      )}
    </form>
    </>
  );
}
