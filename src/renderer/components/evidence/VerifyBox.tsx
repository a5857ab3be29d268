// Checks the run's record as `runbook verify` does (runs.verify), and says what that proves in its words.
// Main decides the verdict (a typed code): the console holds only this installation's key, which is also
// the key that sealed the run, so its best verdict is "self-anchored" — intact, sealed here — never proof
// for anyone else. The page shows the verdict, the reason code and text, and what an auditor runs.
import { useState } from 'react';
import type { VerifyResult } from '../../../shared/run-api.js';
import { useRunActions } from '../../run/useRun.js';
import { CopyButton } from '../CopyButton.js';

/** A verdict's headline, as `runbook verify` says it (here and for past runs and bundles: VerdictLine). */
export const VERDICT_HEADLINE: Record<VerifyResult['verdict'], string> = {
  'self-anchored': "Intact — sealed by this installation's key",
  unanchored: 'Intact but unanchored',
  failed: 'FAIL',
};

export function VerifyBox() {
  const { act } = useRunActions();
  const [result, setResult] = useState<VerifyResult | null>(null);
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    setBusy(true);
    setResult((await act((api, runId) => api['runs.verify']({ runId }))) ?? null);
    setBusy(false);
  };
  return (
    <div className="evidence-box">
      <button type="button" onClick={verify} disabled={busy}>
        Verify
      </button>
      {result && <VerifyVerdict result={result} />}
    </div>
  );
}

function VerifyVerdict({ result }: { result: VerifyResult }) {
  const failed = result.verdict === 'failed';
  return (
    <div className={`verify-result ${failed ? 'bad' : result.verdict === 'self-anchored' ? 'ok' : 'warn'}`} data-testid="verify-result" data-verdict={result.verdict}>
      <p className="verify-headline">
        <strong data-testid="verify-headline">
          {VERDICT_HEADLINE[result.verdict]}
          {failed && result.code ? ` ${result.code}` : ''}
        </strong>
        {result.record !== null && <span> (record {result.record})</span>}: <span data-testid="verify-detail">{result.detail}</span>
      </p>
      {failed && result.meaning && <p data-testid="verify-meaning">{result.meaning}</p>}
      {result.verdict === 'self-anchored' && result.sealedBy && (
        <p data-testid="verify-anchor">
          Signed by this installation's key <code>{result.sealedBy.fingerprint}</code>, the key this console holds. That shows the record is whole and that nobody without this key
          sealed it again; it does not show who made it, since the key that checks it is the key that signed it. For an auditor it is intact but unanchored until they pin the fingerprint
          they hold from elsewhere (the change ticket).
        </p>
      )}
      {result.verdict === 'unanchored' && <p data-testid="verify-anchor">Nothing in the record is signed yet. Finish and seal signs it with this installation's key {result.installationKey.fingerprint}.</p>}
      {failed && <p>The record does not hold: do not export or hand it over as it is; keep the run directory for investigation.</p>}
      {result.unanchored.length > 0 && (
        <>
          <p>Not vouched for by anything this console holds:</p>
          <ul data-testid="verify-unanchored">
            {result.unanchored.map((u) => (
              <li key={u}>{u}</li>
            ))}
          </ul>
        </>
      )}
      {!failed && (
        <p className="small-text">
          An auditor anchors it with the fingerprint noted in the change ticket (it should be this one):{' '}
          <code className="auditor-command" data-testid="verify-auditor-command">
            {result.auditorCommand}
          </code>{' '}
          <CopyButton text={result.auditorCommand} label="Copy command" />
        </p>
      )}
      {result.warnings.length > 0 && (
        <ul>
          {result.warnings.map((w, i) => (
            <li key={i}>
              <span className="mono">{w.code}</span> {w.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
