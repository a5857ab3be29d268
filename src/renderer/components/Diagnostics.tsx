// What the parser says about the runbook, as `runbook parse` prints it: FILE:LINE:COLUMN, severity, message
// and code. Errors mean something written is not read; a run of such a runbook is refused (runbook-error),
// so the start form is held back too. Each diagnostic takes the operator to its line.
import type { Diagnostic } from '../../shared/runbook-model.js';
import { plural } from '../lib/words.js';

export function diagnosticCounts(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return { errors, warnings: diagnostics.length - errors };
}

export function DiagnosticsList({ diagnostics, onJump }: { diagnostics: readonly Diagnostic[]; onJump?: (diagnostic: Diagnostic) => void }) {
  if (diagnostics.length === 0) return null;
  const { errors, warnings } = diagnosticCounts(diagnostics);
  const counts = [errors ? plural(errors, 'error') : null, warnings ? plural(warnings, 'warning') : null].filter(Boolean).join(' and ');
  return (
    <section className={`diagnostics${errors ? ' has-errors' : ''}`} data-testid="diagnostics" aria-label="What the parser found">
      <h2 className="diagnostics-title">
        The parser found {counts}
        {errors > 0 && <span className="diagnostics-note">: a run of this runbook is refused until the errors are fixed</span>}
      </h2>
      <ul>
        {diagnostics.map((d, i) => (
          <li key={`${i}-${d.line}:${d.column}-${d.code}`} className={`diagnostic severity-${d.severity}`} data-testid="diagnostic" data-code={d.code} data-severity={d.severity} data-line={d.line}>
            <button type="button" className="diagnostic-place mono" onClick={() => onJump?.(d)} title={`Go to line ${d.line}`} data-testid="diagnostic-place">
              {d.file}:{d.line}:{d.column}
            </button>
            <span className={`badge severity-badge severity-${d.severity}`}>{d.severity}</span>
            <span className="diagnostic-message">{d.message}</span>
            <span className="diagnostic-code mono">[{d.code}]</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
