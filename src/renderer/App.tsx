// The console: connects to the host, shows the open runbook with the start form, then the run.
import { Suspense, lazy, useCallback, useEffect, useState } from 'react';
import type { ApiOutput, AppInfo, OpenedRunbook, Preferences, RunbookApi } from '../shared/api.js';
import type { RunState } from '../shared/run-api.js';
import type { Runbook } from '../shared/runbook-model.js';
import { connectApi } from './api/client.js';
import { LoadProgressBar } from './components/LoadProgressBar.js';
import { RunbookView } from './components/RunbookView.js';
import { ThemeToggle } from './components/ThemeToggle.js';
import { LibraryPage } from './components/library/LibraryPage.js';
import { OpenRunbookForm } from './components/library/OpenRunbookForm.js';
import { OpenRunNotice } from './components/library/OpenRunNotice.js';
import { UnfinishedRunsNotice } from './components/library/UnfinishedRunsNotice.js';
import type { PastRun } from '../shared/history-api.js';
import { RunbookSummary } from './components/library/RunbookSummary.js';
import { type StartInput, StartRunForm } from './components/library/StartRunForm.js';
import { RunView } from './components/run/RunView.js';
import { BundleView } from './components/history/BundleView.js';
import { RunHistory } from './components/history/RunHistory.js';
import { StoredRuns } from './components/history/StoredRuns.js';
import { useLoadProgress } from './hooks/useLoadProgress.js';
import { useTheme } from './hooks/useTheme.js';
import { openRunFor, openRunOf } from './run/open-run.js';
import { errorCode, errorMessage } from './lib/error-message.js';
import { SealDialog, type SealConfirmation } from './components/evidence/SealDialog.js';

// Settings (with the YAML editor of targets, a sixth of the script) loads when first opened, not with the page.
const SettingsPage = lazy(() => import('./components/settings/SettingsPage.js').then((m) => ({ default: m.SettingsPage })));

type Page = 'library' | 'runbook' | 'settings' | 'history';

interface OpenRun {
  runbook: Runbook;
  state: RunState;
}

// The run this tab is showing, so a reload comes back to it (the API has no "current run" call).
const RUN_KEY = 'runbook-console-run';

/** The run to show again: this tab's run (kept across a reload), else the host's open run of the same runbook. */
async function restoreRun(api: RunbookApi, current: OpenedRunbook, hostRun: ApiOutput<'runs.current'>): Promise<OpenRun | null> {
  if (!current.runbook) return null;
  try {
    const saved = JSON.parse(sessionStorage.getItem(RUN_KEY) ?? 'null') as { runId: string; sha256: string } | null;
    // This tab's run, else the host's open run of the same runbook (another tab, or a page that lost track).
    const runId = saved ? (saved.sha256 === current.runbook.sha256 ? saved.runId : null) : (openRunFor(hostRun, current.runbook.sha256)?.runId ?? null);
    if (!runId) return null;
    return { runbook: current.runbook, state: await api['runs.state']({ runId }) };
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
  const [page, setPage] = useState<Page>('library');
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  /** The open run another run would replace, with steps unfinished: its seal is confirmed first (SealDialog). */
  const [replacing, setReplacing] = useState<{ state: RunState; go: (confirmation: SealConfirmation) => Promise<void> } | null>(null);
  /** What is being opened (a path; '' for the runbook the host opens at start-up), or null. */
  const [loading, setLoading] = useState<string | null>(null);
  /** The host's open runbook (and run) is known: the pages can show. */
  const [ready, setReady] = useState(false);
  const progress = useLoadProgress(api, loading !== null);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const connected = await connectApi();
      // Asked together (FIRST_CALLS: `runbook serve` has them on the wire before this script has loaded).
      const currentRunbook = connected['runbook.current']({});
      currentRunbook.catch(() => undefined); // awaited below, after the two before it
      const hostRun = connected['runs.current']({}).catch(() => null); // no run to go back to: the page still opens
      const [appInfo, prefs] = await Promise.all([connected['app.info']({}), connected['settings.get']({})]);
      if (cancelled) return;
      // The page is usable (theme, settings) and shows progress while the host opens a large runbook.
      setApi(connected);
      setInfo(appInfo);
      setPreferences(prefs);
      setLoading('');
      const current = await currentRunbook;
      const restored = await restoreRun(connected, current, await hostRun);
      if (cancelled) return;
      setLoading(null);
      setOpened(current);
      setPage((p) => (p === 'settings' ? p : current.runbook ? 'runbook' : 'library'));
      setRun(restored);
      setRunOpen(restored !== null);
      setReady(true);
    })().catch((e: unknown) => {
      setLoading(null);
      setFatal(errorMessage(e));
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const open = useCallback(
    async (path: string) => {
      if (!api) return;
      setError(null);
      setLoading(path);
      try {
        const next = await api['runbook.open']({ path });
        setOpened(next);
        if (!next.error) setPage('runbook');
      } catch (e) {
        setError(errorMessage(e));
      } finally {
        setLoading(null);
      }
    },
    [api],
  );

  /**
   * Runs `call`; when main says the open run it would replace has steps unfinished (seal-unconfirmed or
   * seal-needs-reason), shows that run's SealDialog and, once confirmed, runs `call` again with the confirmation.
   */
  const replacingOpenRun = useCallback(
    async (call: (replace?: SealConfirmation) => Promise<void>) => {
      if (!api) return;
      try {
        await call();
      } catch (e) {
        const code = errorCode(e);
        const open = code === 'seal-unconfirmed' || code === 'seal-needs-reason' ? await api['runs.current']({}).catch(() => null) : null;
        if (!open) throw e;
        const state = await api['runs.state']({ runId: open.runId });
        setReplacing({
          state,
          go: async (confirmation) => {
            try {
              await call(confirmation);
              setReplacing(null);
            } catch (again) {
              setReplacing(null);
              setError(errorMessage(again));
            }
          },
        });
      }
    },
    [api],
  );

  const start = useCallback(
    async (input: StartInput) => {
      if (!api || !opened.runbook) return;
      setError(null);
      const runbook = opened.runbook;
      try {
        await replacingOpenRun(async (replace) => {
          const state = await api['runs.start']({ ...input, sha256: runbook.sha256, ...(replace ? { replace } : {}) });
          sessionStorage.setItem(RUN_KEY, JSON.stringify({ runId: state.runId, sha256: runbook.sha256 }));
          setRun({ runbook, state });
          setRunOpen(true);
        });
      } catch (e) {
        setError(errorMessage(e));
      }
    },
    [api, opened.runbook, replacingOpenRun],
  );

  const leaveRun = useCallback(() => {
    sessionStorage.removeItem(RUN_KEY);
    setRun(null);
    setPage('runbook');
  }, []);

  /** Back to the run the host still has open (left with "Back to the runbook"). */
  const resumeRun = useCallback(async () => {
    if (!api || !opened.runbook) return;
    try {
      const open = await openRunOf(api, opened.runbook.sha256);
      if (!open) return;
      const state = await api['runs.state']({ runId: open.runId });
      sessionStorage.setItem(RUN_KEY, JSON.stringify({ runId: state.runId, sha256: opened.runbook.sha256 }));
      setRun({ runbook: opened.runbook, state });
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api, opened.runbook]);

  /** An unfinished past run (after a restart) goes on: its journal continues, its runbook becomes the open one. */
  const resumePast = useCallback(
    async (past: PastRun) => {
      if (!api) return;
      setError(null);
      try {
        await replacingOpenRun(async (replace) => {
          const state = await api['runs.resume']({ runId: past.runId, operator: preferences?.operator || past.operator, ...(replace ? { replace } : {}) });
          const current = await api['runbook.current']({});
          if (!current.runbook) return;
          sessionStorage.setItem(RUN_KEY, JSON.stringify({ runId: state.runId, sha256: current.runbook.sha256 }));
          setOpened(current);
          setRun({ runbook: current.runbook, state });
          setRunOpen(true);
          setPage('runbook');
        });
      } catch (e) {
        setError(errorMessage(e));
      }
    },
    [api, preferences, replacingOpenRun],
  );

  const showRun = useCallback(() => setPage('runbook'), []);

  const nav = (target: Page, label: string) => (
    <button type="button" className="nav" aria-pressed={page === target} onClick={() => setPage(target)}>
      {label}
    </button>
  );

  return (
    <div className="app">
      <header className="app-header">
        <span className="app-name">Runbook Console</span>
        {info && (
          <span className="app-version">
            v{info.version} · {info.host === 'electron' ? 'desktop' : 'browser'}
          </span>
        )}
        {api && (
          <nav className="app-nav" aria-label="Pages">
            {!run && nav('library', 'Library')}
            {run ? nav('runbook', 'Run') : opened.runbook && nav('runbook', 'Runbook')}
            {nav('history', 'History')}
            {nav('settings', 'Settings')}
          </nav>
        )}
        {!run && page === 'runbook' && <OpenRunbookForm disabled={!api} onOpen={open} />}
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
      {loading !== null && progress && progress.phase !== 'done' && progress.phase !== 'failed' && page !== 'settings' && page !== 'history' && <LoadProgressBar progress={progress} file={loading || null} />}
      {opened.error && !run && page !== 'settings' && page !== 'history' && (
        <div role="alert" className="error" data-testid="load-error" data-code={opened.error.code}>
          {opened.error.file}:{opened.error.line}
          {opened.error.column !== undefined && `:${opened.error.column}`}: {opened.error.code ? 'error: ' : ''}
          {opened.error.message}
          {opened.error.code && <span className="mono"> [{opened.error.code}]</span>}
        </div>
      )}
      {/* The run view stays mounted under Settings, so its output, timers and event loop carry on. */}
      {api && run && (
        <div hidden={page === 'settings' || page === 'history'}>
          <RunView key={run.state.runId} api={api} runbook={run.runbook} initial={run.state} theme={theme} active={page !== 'settings' && page !== 'history'} onAttention={showRun} onNewRun={leaveRun} />
        </div>
      )}
      {api && page === 'history' && (
        <div className="history-page" data-testid="history-page">
          <h1 className="page-title">History</h1>
          <RunHistory api={api} onResume={run ? undefined : (past) => void resumePast(past)} />
          <StoredRuns api={api} />
          <BundleView api={api} />
        </div>
      )}
      {api && info && page === 'settings' && (
          <Suspense fallback={<p className="muted">Loading settings…</p>}>
            <SettingsPage api={api} host={info.host} onPreferences={setPreferences} />
          </Suspense>
        )}
      {api && ready && !run && page === 'library' && (
        <main>
          <UnfinishedRunsNotice api={api} onResume={(past) => void resumePast(past)} />
          <LibraryPage api={api} nativeDialog={info?.host === 'electron'} onOpen={open} />
        </main>
      )}
      {!run && page === 'runbook' && opened.runbook && (
        <div className="library">
          <aside className="library-side" aria-label="Run this runbook">
            <RunbookSummary runbook={opened.runbook} />
            {api && <OpenRunNotice api={api} sha256={opened.runbook.sha256} onResume={resumeRun} />}
            {api && !runOpen && <UnfinishedRunsNotice api={api} onResume={(past) => void resumePast(past)} />}
            <StartRunForm key={opened.runbook.sha256} runbook={opened.runbook} runOpen={runOpen} defaultOperator={preferences?.operator ?? ''} onStart={start} />
          </aside>
          <RunbookView runbook={opened.runbook} />
        </div>
      )}
      {!api && !fatal && <p className="empty">Connecting…</p>}
      {api && !ready && !fatal && !progress && page !== 'settings' && page !== 'history' && <p className="empty">Opening…</p>}
      {replacing && <SealDialog state={replacing.state} action="replace" onConfirm={replacing.go} onClose={() => setReplacing(null)} />}
    </div>
  );
}
