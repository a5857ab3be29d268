// Errors (API refusals, run errors, a lost connection) and the run's start-up problems, shown up front.
// An error is said in plain words with a code; the host's raw text is one click away.
import { plainError } from '../lib/plain-errors.js';

/** One error: plain words, its code, the raw detail behind a <details>, and Dismiss. */
export function ErrorNote({ message, code, testId, onDismiss }: { message: string; code: string | null; testId: string; onDismiss: () => void }) {
  const plain = plainError(message, code);
  return (
    <div role="alert" className="banner error-banner" data-testid={testId} data-code={plain.code}>
      <div className="error-text">
        <span>{plain.text}</span> <code className="error-code">[{plain.code}]</code>
        {plain.raw !== plain.text && (
          <details className="error-detail">
            <summary>Details</summary>
            <pre tabIndex={0} role="group" aria-label="Error details">{plain.raw}</pre>
          </details>
        )}
      </div>
      <button type="button" className="small" aria-label="Dismiss" onClick={onDismiss}>
        ✕
      </button>
    </div>
  );
}

/** Messages that stay until the operator dismisses them. */
function DismissibleBanners({ items, className, testId, onDismiss }: { items: { id: number; text: string }[]; className: string; testId: string; onDismiss: (id: number) => void }) {
  if (items.length === 0) return null;
  return (
    <div className="banners">
      {items.map((item) => (
        <div key={item.id} role="alert" className={`banner ${className}`} data-testid={testId}>
          <span>{item.text}</span>
          <button type="button" className="small" aria-label="Dismiss" onClick={() => onDismiss(item.id)}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}

export function ErrorBanners({ errors, onDismiss }: { errors: { id: number; message: string; code: string | null }[]; onDismiss: (id: number) => void }) {
  if (errors.length === 0) return null;
  return (
    <div className="banners">
      {errors.map((e) => (
        <ErrorNote key={e.id} message={e.message} code={e.code} testId="error-banner" onDismiss={() => onDismiss(e.id)} />
      ))}
    </div>
  );
}

export function ProblemsBanner({ problems }: { problems: string[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="banner problems-banner" data-testid="problems" role="status">
      <strong>
        {problems.length === 1 ? 'One problem blocks' : `${problems.length} problems block`} some steps of this run:
      </strong>
      <ul>
        {problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    </div>
  );
}

export function NoticeBanner({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <div className="banner notice-banner" role="status" data-testid="notice">
      {text}
    </div>
  );
}

/** Time boxes that are over, repeating checks that failed or ended: they stay until dismissed. */
export function TimerAlerts({ alerts, onDismiss }: { alerts: { id: number; text: string }[]; onDismiss: (id: number) => void }) {
  return <DismissibleBanners items={alerts} className="timer-banner" testId="timer-alert" onDismiss={onDismiss} />;
}
