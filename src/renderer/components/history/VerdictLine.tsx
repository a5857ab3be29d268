// A verification's verdict in `runbook verify`'s words, as main decided it (a typed code): for past runs and bundles.
import type { VerifyResult } from '../../../shared/run-api.js';
import { VERDICT_HEADLINE } from '../evidence/VerifyBox.js';


export function VerdictLine({ result }: { result: VerifyResult }) {
  return (
    <div className={`verify-result ${result.verdict === 'failed' ? 'bad' : result.verdict === 'self-anchored' ? 'ok' : 'warn'}`} data-testid="history-verify-result" data-verdict={result.verdict}>
      <strong>{VERDICT_HEADLINE[result.verdict]}</strong>
      {result.code && <span className="mono"> {result.code}</span>}
      <span> {result.meaning ? `${result.meaning}: ` : ''}{result.detail}</span>
      {result.warnings.length > 0 && <span className="muted"> ({result.warnings.map((w) => w.code).join(', ')})</span>}
      <div className="muted small-text mono">{result.auditorCommand}</div>
    </div>
  );
}
