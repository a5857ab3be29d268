// The console: connects to the host, shows the open runbook with the start form, then the run.
import { useCallback, useEffect, useState } from 'react';
import type { AppInfo, OpenedRunbook, RunbookApi } from '../shared/api.js';
import type { RunState } from '../shared/run-api.js';
import type { Runbook } from '../shared/runbook-model.js';
import { connectApi } from './api/client.js';
import { RunbookView } from './components/RunbookView.js';
import { ThemeToggle } from './components/ThemeToggle.js';
import { OpenRunbookForm } from './components/library/OpenRunbookForm.js';
import { RunbookSummary } from './components/library/RunbookSummary.js';
import { type StartInput, StartRunForm } from './components/library/StartRunForm.js';
import { RunView } from './components/run/RunView.js';
import { useTheme } from './hooks/useTheme.js';

interface OpenRun {
  runbook: Runbook;
  state: RunState;
}

// The run this tab is showing, so a reload comes back to it (the API has no "current run" call).
const RUN_KEY = 'runbook-console-run';
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function restoreRun(api: RunbookApi, current: OpenedRunbook): Promise<OpenRun | null> {
  try {
    const saved = JSON.parse(sessionStorage.getItem(RUN_KEY) ?? 'null') as { runId: string; sha256: string } | null;
    if (!saved || !current.runbook || current.runbook.sha256 !== saved.sha256) return null;
    return { runbook: current.runbook, state: await api['runs.state']({ runId: saved.runId }) };
  } catch {
    sessionStorage.removeItem(RUN_KEY);
    return null;
  }
}

export function App() {
  const { theme, toggle } = useTheme();
  const [api, setApi] = useState<RunbookApi | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [opened, setOpened] = useState<OpenedRunbook>({ runbook: null, error: null });
  const [run, setRun] = useState<OpenRun | null>(null);
  const [runOpen, setRunOpen] = useState(false);
  const [fatal, setFatal] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const connected = await connectApi();
      const [appInfo, current] = await Promise.all([connected['app.info']({}), connected['runbook.current']({})]);
      const restored = await restoreRun(connected, current);
      if (cancelled) return;
      setApi(connected);
      setInfo(appInfo);
      setOpened(current);
      setRun(restored);
      setRunOpen(restored !== null);
    })().catch((e: unknown) => setFatal(message(e)));
    return () => {
      cancelled = true;
    };
  }, []);

  const open = useCallback(
    async (path: string) => {
      if (!api) return;
      setError(null);
      try {
        setOpened(await api['runbook.open']({ path }));
      } catch (e) {
        setError(message(e));
      }
    },
    [api],
  );

  const start = useCallback(
    async (input: StartInput) => {
      if (!api || !opened.runbook) return;
      setError(null);
      try {
        const state = await api['runs.start'](input);
        sessionStorage.setItem(RUN_KEY, JSON.stringify({ runId: state.runId, sha256: opened.runbook.sha256 }));
        setRun({ runbook: opened.runbook, state });
        setRunOpen(true);
      } catch (e) {
        setError(message(e));
      }
    },
    [api, opened.runbook],
  );

  const leaveRun = useCallback(() => {
    sessionStorage.removeItem(RUN_KEY);
    setRun(null);
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <span className="app-name">Runbook Console</span>
        {info && (
          <span className="app-version">
            v{info.version} · {info.host === 'electron' ? 'desktop' : 'browser'}
          </span>
        )}
        {!run && <OpenRunbookForm disabled={!api} onOpen={open} />}
        <ThemeToggle theme={theme} onToggle={toggle} />
      </header>
      {fatal && (
        <div role="alert" className="error">
          {fatal}
        </div>
      )}
      {error && (
        <div role="alert" className="error" data-testid="app-error">
          {error}
        </div>
      )}
      {opened.error && !run && (
        <div role="alert" className="error" data-testid="load-error">
          {opened.error.file}:{opened.error.line}: {opened.error.message}
        </div>
      )}
      {api && run ? (
        <RunView key={run.state.runId} api={api} runbook={run.runbook} initial={run.state} theme={theme} onNewRun={leaveRun} />
      ) : opened.runbook ? (
        <div className="library">
          <div className="library-side">
            <RunbookSummary runbook={opened.runbook} />
            <StartRunForm key={opened.runbook.sha256} runbook={opened.runbook} runOpen={runOpen} onStart={start} />
          </div>
          <RunbookView runbook={opened.runbook} />
        </div>
      ) : (
        !fatal && !opened.error && <p className="empty">{api ? 'No runbook open. Enter its path above.' : 'Connecting…'}</p>
      )}
    </div>
  );
}
