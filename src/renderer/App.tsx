import { type FormEvent, useEffect, useState } from 'react';
import type { AppInfo, OpenedRunbook, RunbookApi } from '../shared/api.js';
import { connectApi } from './api/client.js';
import { RunbookView } from './components/RunbookView.js';

export function App() {
  const [api, setApi] = useState<RunbookApi | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [opened, setOpened] = useState<OpenedRunbook>({ runbook: null, error: null });
  const [fatal, setFatal] = useState<string | null>(null);
  const [path, setPath] = useState('');

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const connected = await connectApi();
      const [appInfo, current] = await Promise.all([connected['app.info']({}), connected['runbook.current']({})]);
      if (cancelled) return;
      setApi(connected);
      setInfo(appInfo);
      setOpened(current);
    })().catch((error: unknown) => setFatal(error instanceof Error ? error.message : String(error)));
    return () => {
      cancelled = true;
    };
  }, []);

  const open = async (event: FormEvent) => {
    event.preventDefault();
    if (!api || !path.trim()) return;
    try {
      setOpened(await api['runbook.open']({ path: path.trim() }));
    } catch (error) {
      setFatal(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <div className="app">
      <header className="app-header">
        <span className="app-name">Runbook Console</span>
        {info && <span className="app-version">v{info.version} · {info.host === 'electron' ? 'desktop' : 'browser'}</span>}
        <form className="open-form" onSubmit={open}>
          <input
            aria-label="Runbook path"
            placeholder="path/to/runbook.md"
            value={path}
            onChange={(e) => setPath(e.target.value)}
          />
          <button type="submit" disabled={!api}>
            Open
          </button>
        </form>
      </header>
      {fatal && (
        <div role="alert" className="error">
          {fatal}
        </div>
      )}
      {opened.error && (
        <div role="alert" className="error" data-testid="load-error">
          {opened.error.file}:{opened.error.line}: {opened.error.message}
        </div>
      )}
      {opened.runbook ? (
        <RunbookView runbook={opened.runbook} />
      ) : (
        !fatal && !opened.error && <p className="empty">{api ? 'No runbook open. Enter a path above.' : 'Connecting…'}</p>
      )}
    </div>
  );
}
