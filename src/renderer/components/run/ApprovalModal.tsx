// RESTRICTED: a second person approves the block about to run by signing its step.started record's hash
// with their own SSH key (stock ssh-keygen). The operator pastes the signature — or, with a team store, the
// approver answers through it from their machine; the host checks each against the approvers file and
// records every attempt. Nothing runs until a signature holds.
import { type FormEvent, useState } from 'react';
import type { PendingApproval } from '../../../shared/run-api.js';
import type { Block, Step } from '../../../shared/runbook-model.js';
import { useRunActions } from '../../run/useRun.js';
import { CopyButton } from '../CopyButton.js';

export function ApprovalModal({ approval, step, block }: { approval: PendingApproval; step: Step | undefined; block: Block | undefined }) {
  const { act, dispatch } = useRunActions();
  const [approver, setApprover] = useState('');
  const [signature, setSignature] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(approval.lastRefusal);
  const decide = async (input: { decision: 'sign'; approver: string; signature: string } | { decision: 'withdraw' }) => {
    setBusy(true);
    const result = await act((api, runId) => api['runs.approve']({ runId, approvalId: approval.approvalId, ...input }));
    setBusy(false);
    if (!result) return;
    dispatch({ type: 'state', state: result.state });
    if (!result.ok) setRefusal(result.reason);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void decide({ decision: 'sign', approver: approver.trim(), signature });
  };
  return (
    <div className="modal-backdrop">
      <form className="modal approval-modal" role="dialog" aria-modal="true" aria-labelledby="approval-title" data-testid="approval" onSubmit={submit}>
        <h2 id="approval-title" className="panel-title">
          Approval needed: {step?.title ?? approval.stepId}
        </h2>
        <p className="muted">
          RESTRICTED run: a second person approves this block before it runs, by signing record #{approval.record} (what will run, where, as whom).
        </p>
        {block && (
          <pre className="block-code" tabIndex={0} role="group" aria-label="The block to approve">
            <code>{block.code}</code>
          </pre>
        )}
        <p>
          Hash to sign: <code data-testid="approval-hash">{approval.sha256}</code> <CopyButton text={approval.sha256} />
        </p>
        <p className="small-text">
          The approver runs, with their own key: <code data-testid="approval-command">{approval.command}</code> <CopyButton text={approval.command} label="Copy command" />
        </p>
        {approval.storeUntil && (
          <p className="small-text" data-testid="approval-store">
            Also asked through the team store until {new Date(approval.storeUntil).toLocaleTimeString()}: an approver elsewhere answers with <code>runbook approve --store URL</code>, and this closes by itself when a valid approval arrives. With none by then, the block does not run (recorded as timed out).
          </p>
        )}
        <label className="field">
          <span>Approver (their principal in the approvers file)</span>
          <input aria-label="Approver" value={approver} onChange={(e) => setApprover(e.target.value)} required autoFocus autoComplete="off" />
        </label>
        <label className="field">
          <span>Their signature (-----BEGIN SSH SIGNATURE----- …)</span>
          <textarea aria-label="Approval signature" className="mono" rows={7} value={signature} onChange={(e) => setSignature(e.target.value)} required spellCheck={false} />
        </label>
        {refusal && (
          <p role="alert" className="error" data-testid="approval-refusal">
            Not accepted: {refusal}
          </p>
        )}
        <div className="row">
          <button type="submit" className="primary" disabled={busy || !approver.trim() || !signature.trim()}>
            Approve and run
          </button>
          <button type="button" className="danger" disabled={busy} onClick={() => void decide({ decision: 'withdraw' })}>
            Withdraw (the block does not run)
          </button>
        </div>
      </form>
    </div>
  );
}
