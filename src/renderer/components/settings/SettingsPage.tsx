// Settings: operator identity, targets (host keys decided explicitly), keys, the team store, secrets, notifications.
import { useEffect, useState } from 'react';
import type { AppInfo, Preferences, RunbookApi } from '../../../shared/api.js';
import { KeysSettings } from './KeysSettings.js';
import { NotificationSettings } from './NotificationSettings.js';
import { OperatorSettings } from './OperatorSettings.js';
import { SecretsSettings } from './SecretsSettings.js';
import { TargetsSettings } from './TargetsSettings.js';
import { TeamStoreSettings } from './TeamStoreSettings.js';
import { errorMessage } from '../../lib/error-message.js';

export function SettingsPage({ api, host, onPreferences }: { api: RunbookApi; host: AppInfo['host']; onPreferences: (p: Preferences) => void }) {
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api['settings.get']({}).then(setPreferences, (e: unknown) => setError(errorMessage(e)));
  }, [api]);
  const saved = (p: Preferences) => {
    setPreferences(p);
    onPreferences(p);
  };
  return (
    <div className="settings-page" data-testid="settings-page">
      <h1 className="page-title">Settings</h1>
      {error && (
        <p role="alert" className="error">
          The settings could not be read: {error}
        </p>
      )}
      {preferences && (
        <>
          <OperatorSettings api={api} preferences={preferences} onSaved={saved} />
          <TargetsSettings api={api} />
          <KeysSettings api={api} preferences={preferences} onSaved={saved} />
          <TeamStoreSettings api={api} preferences={preferences} onSaved={saved} />
          <SecretsSettings api={api} />
          <NotificationSettings host={host} />
        </>
      )}
    </div>
  );
}
