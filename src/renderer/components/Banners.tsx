// Errors (API refusals, run errors, a lost connection) and the run's start-up problems, shown up front.

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

export function ErrorBanners({ errors, onDismiss }: { errors: { id: number; message: string }[]; onDismiss: (id: number) => void }) {
  return <DismissibleBanners items={errors.map((e) => ({ id: e.id, text: e.message }))} className="error-banner" testId="error-banner" onDismiss={onDismiss} />;
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
