// A sign-off step: who signs (name), in which row (role), on which date — recorded as a signoff only with the
// signer's SSH signature. Main makes it with their key file or ssh-agent key; or, for a signer who is not at
// this machine, main gives the exact message and the stock `ssh-keygen -Y sign` command, the signer sends
// back the armoured signature, and it is pasted here. The page only asks: main checks every signature (the
// message, the namespace, that no key of the operator's made a pasted one) and records every attempt.
import { type FormEvent, useEffect, useState } from 'react';
import type { RunStepState, SignoffRequest } from '../../../shared/run-api.js';
import type { Step } from '../../../shared/runbook-model.js';
import { useRunActions } from '../../run/useRun.js';
import { CopyButton } from '../CopyButton.js';

const today = () => new Date().toISOString().slice(0, 10);

type Method = 'key-file' | 'agent' | 'paste';

const METHODS: { value: Method; label: string }[] = [
  { value: 'key-file', label: "signer's key file here" },
  { value: 'agent', label: 'ssh-agent here' },
  { value: 'paste', label: 'signed elsewhere (paste the signature)' },
];

export function SignoffForm({ step, state, disabled, operator, head }: { step: Step; state: RunStepState; disabled: boolean; operator: string; head: number | null }) {
  const { act, api } = useRunActions();
  const roles = step.signoff?.roles ?? [];
  const [name, setName] = useState(operator);
  const [role, setRole] = useState(roles[0] ?? '');
  const [date, setDate] = useState(today);
  const [keyFile, setKeyFile] = useState('');
  const [method, setMethod] = useState<Method>('key-file');
  const [request, setRequest] = useState<SignoffRequest | null>(null);
  const [signature, setSignature] = useState('');
  const [busy, setBusy] = useState(false);
  // The export key from Settings is offered first (the operator signing their own row); the signer may change it.
  useEffect(() => {
    let gone = false;
    api['settings.get']({}).then(
      ({ exportKey }) => {
        if (!gone && exportKey?.kind === 'file') setKeyFile((current) => current || exportKey.path);
      },
      () => {},
    );
    return () => {
      gone = true;
    };
  }, [api]);
  // A message is for one name, row and date: changing any of them needs a new one.
  useEffect(() => setRequest(null), [name, role, date, method]);
  const row = { name: name.trim(), role: role.trim(), date: date.trim() };
  const rowComplete = Boolean(row.name && row.role && row.date);
  const stale = request !== null && head !== null && head !== request.record;

  const showMessage = async () => {
    setBusy(true);
    setRequest((await act((api, runId) => api['runs.signoffRequest']({ runId, stepId: step.id, ...row }), step.id)) ?? null);
    setBusy(false);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    if (method === 'paste') {
      if (request) {
        const recorded = await act((api, runId) => api['runs.record']({ runId, stepId: step.id, kind: 'signoff', ...row, signature, record: request.record }), step.id);
        if (recorded) {
          setSignature('');
          setRequest(null);
        }
      }
    } else {
      const signWith = method === 'agent' ? { agent: true } : { keyFile: keyFile.trim() };
      await act((api, runId) => api['runs.record']({ runId, stepId: step.id, kind: 'signoff', ...row, ...signWith }), step.id);
    }
    setBusy(false);
  };
  const canSubmit = !disabled && !busy && rowComplete && (method === 'agent' || (method === 'key-file' && keyFile.trim() !== '') || (method === 'paste' && request !== null && !stale && signature.trim() !== ''));

  return (
    <form className="signoff" onSubmit={submit} data-testid="signoff">
      <div className="row">
        <label className="field">
          <span>Name</span>
          <input aria-label="Sign-off name" value={name} onChange={(e) => setName(e.target.value)} required disabled={disabled} />
        </label>
        <label className="field">
          <span>Role</span>
          {roles.length > 0 ? (
            <select aria-label="Sign-off role" value={role} onChange={(e) => setRole(e.target.value)} disabled={disabled}>
              {roles.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          ) : (
            <input aria-label="Sign-off role" value={role} onChange={(e) => setRole(e.target.value)} required disabled={disabled} />
          )}
        </label>
        <label className="field">
          <span>Date</span>
          <input aria-label="Sign-off date" type="date" value={date} onChange={(e) => setDate(e.target.value)} required disabled={disabled} />
        </label>
        <button type="submit" className="primary" disabled={!canSubmit}>
          Sign off
        </button>
      </div>
      <fieldset className="row signoff-methods" disabled={disabled}>
        <legend className="muted small-text">Signed with</legend>
        {METHODS.map((m) => (
          <label key={m.value} className="check">
            <input type="radio" name={`signoff-method-${step.id}`} value={m.value} checked={method === m.value} onChange={() => setMethod(m.value)} aria-label={`Sign-off method: ${m.label}`} /> {m.label}
          </label>
        ))}
      </fieldset>
      {method === 'key-file' && (
        <div className="row">
          <label className="field">
            <span>Signer's SSH key file</span>
            <input aria-label="Sign-off key file" value={keyFile} onChange={(e) => setKeyFile(e.target.value)} placeholder="~/.ssh/id_ed25519" disabled={disabled} />
          </label>
        </div>
      )}
      {method === 'paste' && (
        <div className="signoff-request" data-testid="signoff-request">
          <p className="muted small-text">
            For a signer who is not at this machine: they sign the exact message below with their own SSH key and send back the signature. It signs off the run as recorded up to now, so
            it holds only while nothing else is recorded.
          </p>
          <div className="row">
            <button type="button" className="small" disabled={disabled || busy || !rowComplete} onClick={() => void showMessage()}>
              {request ? 'Make the message again' : 'Show the message to sign'}
            </button>
          </div>
          {request && (
            <>
              <p className="small-text">
                The signer runs, with their own key (THEIR_KEY): <CopyButton text={request.command} label="Copy command" />
              </p>
              <pre data-testid="signoff-command">{request.command}</pre>
              <p className="small-text">
                The message: exactly these bytes, no newline at the end (signs off record #{request.record}, namespace {request.namespace}):{' '}
                <CopyButton text={request.message} label="Copy message" />
              </p>
              <pre data-testid="signoff-message">{request.message}</pre>
              {stale && (
                <p role="alert" className="error" data-testid="signoff-stale">
                  The run has recorded more since this message was made (its last record is now #{head}): a signature over it would be refused. Make the message again and have it signed anew.
                </p>
              )}
              <label className="field">
                <span>Their signature (-----BEGIN SSH SIGNATURE----- …)</span>
                <textarea aria-label="Sign-off signature" className="mono" rows={7} value={signature} onChange={(e) => setSignature(e.target.value)} spellCheck={false} disabled={disabled} />
              </label>
            </>
          )}
        </div>
      )}
      {state.signoffRefusal && (
        <p role="alert" className="error" data-testid="signoff-refusal" data-code={state.signoffRefusal.code}>
          Last signature not accepted ({state.signoffRefusal.code}, recorded): {state.signoffRefusal.reason}
        </p>
      )}
      {state.signoff && (
        <p className="recorded" data-testid="signoff-recorded" title={state.signoff.fingerprint ? `signed with ${state.signoff.fingerprint}` : undefined}>
          Signed off by <strong>{state.signoff.name}</strong> ({state.signoff.role}) on {state.signoff.date}
        </p>
      )}
    </form>
  );
}
