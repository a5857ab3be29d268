// Errors (API refusals, run errors, a lost connection) and the run's start-up problems, shown up front.

export function ErrorBanners({ errors, onDismiss }: { errors: { id: number; message: string }[]; onDismiss: (id: number) => void }) {
  if (errors.length === 0) return null;
  return (
    <div className="banners">
      {errors.map((e) => (
        <div key={e.id} role="alert" className="banner error-banner" data-testid="error-banner">
          <span>{e.message}</span>
          <button type="button" className="small" aria-label="Dismiss" onClick={() => onDismiss(e.id)}>
            ✕
          </button>
        </div>
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
  if (alerts.length === 0) return null;
  return (
    <div className="banners">
      {alerts.map((a) => (
        <div key={a.id} role="alert" className="banner timer-banner" data-testid="timer-alert">
          <span>{a.text}</span>
          <button type="button" className="small" aria-label="Dismiss" onClick={() => onDismiss(a.id)}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
