// The library: sample runbooks shipped with the console and recently opened ones, each with its title, step
// count and profile markers, and a path field to open any other file. Opening one executes nothing.
import { useEffect, useState } from 'react';
import type { LibraryEntry, RunbookApi } from '../../../shared/api.js';
import { PROFILE_LABEL } from '../../lib/runbook-facts.js';
import { OpenRunbookForm } from './OpenRunbookForm.js';
import { errorMessage } from '../../lib/error-message.js';

type Library = { samples: LibraryEntry[]; recent: LibraryEntry[] };

function Markers({ entry }: { entry: LibraryEntry }) {
  const marked = (Object.keys(entry.profiles) as (keyof LibraryEntry['profiles'])[]).filter((p) => entry.profiles[p] > 0);
  if (marked.length === 0) return <span className="muted">no profile markers</span>;
  return (
    <span className="row" data-testid="library-markers">
      {marked.map((p) => (
        <span key={p} className={`badge profile-${p}`}>
          {entry.profiles[p]} {PROFILE_LABEL[p]}
        </span>
      ))}
    </span>
  );
}

function EntryList({ title, entries, empty, onOpen }: { title: string; entries: LibraryEntry[]; empty: string; onOpen: (path: string) => void }) {
  return (
    <section className="panel library-list" aria-label={title}>
      <h2 className="panel-title">{title}</h2>
      {entries.length === 0 && <p className="muted">{empty}</p>}
      <ul>
        {entries.map((entry) => (
          <li key={entry.path} className="library-entry" data-testid="library-entry">
            <button type="button" className="link" disabled={entry.error !== null} onClick={() => onOpen(entry.path)} title={entry.path}>
              <span className="library-title" data-testid="library-title">
                {entry.title}
              </span>
              <span className="muted" data-testid="library-steps">
                {entry.error ? entry.error : `${entry.steps} steps`}
              </span>
            </button>
            <div className="row small-text">
              <Markers entry={entry} />
              <span className="muted file-path">{entry.path}</span>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function LibraryPage({ api, nativeDialog, onOpen }: { api: RunbookApi; nativeDialog: boolean; onOpen: (path: string) => Promise<void> }) {
  const [library, setLibrary] = useState<Library | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let gone = false;
    api['library.list']({})
      .then((l) => !gone && setLibrary(l))
      .catch((e: unknown) => !gone && setError(errorMessage(e)));
    return () => {
      gone = true;
    };
  }, [api]);
  const open = (path: string) => void onOpen(path);
  return (
    <div className="library-page" data-testid="library-page">
      {/* Each page has one h1 (axe: page-has-heading-one); the panels' titles are h2 under it. */}
      <h1 className="page-title">Runbooks</h1>
      <section className="panel">
        <h2 className="panel-title">Open a runbook</h2>
        <p className="muted">Opening a runbook shows it; nothing runs until you start a run and click Run on a step.</p>
        <div className="row">
          {nativeDialog && (
            <button
              type="button"
              className="primary"
              onClick={() =>
                void api['runbook.pick']({}).then(
                  (picked) => {
                    if (picked.path) void onOpen(picked.path);
                  },
                  (e: unknown) => setError(errorMessage(e)),
                )
              }
            >
              Choose file…
            </button>
          )}
          <OpenRunbookForm disabled={false} onOpen={onOpen} />
        </div>
      </section>
      {error && (
        <div role="alert" className="error">
          The library could not be read: {error}
        </div>
      )}
      {!library && !error && <p className="muted">Reading the library…</p>}
      {library && (
        <div className="library-columns">
          <EntryList title="Recent runbooks" entries={library.recent} empty="None yet: runbooks you open appear here." onOpen={open} />
          <EntryList title="Sample runbooks" entries={library.samples} empty="No samples are installed." onOpen={open} />
        </div>
      )}
    </div>
  );
}
