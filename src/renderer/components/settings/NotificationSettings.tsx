// Notifications when a time box is due or a repeating check fails. The desktop app shows them itself;
// in a browser the page asks the browser's permission, on the operator's click only.
import { useState } from 'react';
import type { AppInfo } from '../../../shared/api.js';

export function NotificationSettings({ host }: { host: AppInfo['host'] }) {
  const supported = typeof Notification !== 'undefined';
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  return (
    <section className="panel settings-section" aria-label="Notifications">
      <h2 className="panel-title">Notifications</h2>
      <p className="muted">When a time box is due or a repeating check fails, the run view shows it at the top; a desktop notification says so too.</p>
      {host === 'electron' ? (
        <p>The desktop app shows notifications through the operating system.</p>
      ) : !supported ? (
        <p>This browser has no notifications; the run view's banner is the only signal.</p>
      ) : (
        <div className="row">
          <span data-testid="notification-permission">Browser notifications: {permission}</span>
          {permission === 'default' && (
            <button type="button" className="small" onClick={() => void Notification.requestPermission().then(setPermission)}>
              Allow notifications
            </button>
          )}
        </div>
      )}
    </section>
  );
}
