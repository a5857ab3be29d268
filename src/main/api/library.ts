// The library the console starts from: the sample runbooks shipped with it and the recently opened ones,
// each summarised (title, step count, profile markers) so the operator can choose without opening; and the
// opening of one runbook with progress reports, for the page's progress bar.
import { existsSync, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { LibraryEntry, LoadProgress } from '../../shared/api.js';
import type { Runbook } from '../../shared/runbook-model.js';
import { RunbookError, loadRunbook, loadRunbookSnapshot } from '../runbook/index.js';

/** runbooks/ beside dist/ (the repository, and the packaged app's resources). */
export const SAMPLES_DIR = fileURLToPath(new URL('../../../runbooks/', import.meta.url));

export async function summarise(file: string): Promise<LibraryEntry> {
  const base = { path: file, title: path.basename(file), steps: 0, profiles: { standard: 0, regulated: 0, restricted: 0 }, error: null };
  if (!existsSync(file)) return { ...base, error: 'no longer exists' };
  try {
    const runbook = await loadRunbook(file);
    const profiles = { standard: 0, regulated: 0, restricted: 0 };
    for (const step of runbook.steps) if (step.profile) profiles[step.profile]++;
    return { ...base, title: runbook.title, steps: runbook.steps.length, profiles };
  } catch (error) {
    if (error instanceof RunbookError) return { ...base, error: `${error.line}: ${error.message}` };
    throw error;
  }
}

export async function listLibrary(recent: readonly string[], samplesDir = SAMPLES_DIR): Promise<{ samples: LibraryEntry[]; recent: LibraryEntry[] }> {
  const samples = existsSync(samplesDir)
    ? readdirSync(samplesDir)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => path.join(samplesDir, f))
    : [];
  return { samples: await Promise.all(samples.map(summarise)), recent: await Promise.all(recent.map(summarise)) };
}

/** What `loadWithProgress` reports, before main adds the opening's id. */
export type LoadReport = Omit<LoadProgress, 'loadId'>;

export interface LoadWithProgressOptions {
  /** Least time between two 'parsing' reports (ms); phase changes are reported at once. Default 100. */
  intervalMs?: number;
}

/**
 * Opens a runbook as loadRunbookSnapshot does, telling `report` how far it has got: 'reading' with the file's
 * size, then 'parsing' as the parser goes through the text (its position in characters mapped onto the
 * file's bytes), at most one report per `intervalMs`, then 'finishing' once the text is parsed (the blocks are
 * read and the model assembled). The caller reports 'done' or 'failed'. The parse itself lets other work run
 * between its chunks (parseRunbookAsync): this only yields once first, so 'reading' goes out before it starts.
 */
export async function loadWithProgress(file: string, report: (progress: LoadReport) => void, options: LoadWithProgressOptions = {}): Promise<{ runbook: Runbook; bytes: Uint8Array }> {
  const intervalMs = options.intervalMs ?? 100;
  const now = () => performance.now();
  let total = 0;
  try {
    total = (await stat(file)).size;
  } catch {
    // The loader says what is wrong with the file.
  }
  report({ file, phase: 'reading', done: 0, total, steps: 0 });
  await new Promise((resolve) => setImmediate(resolve));
  let last = now();
  let finishing = false;
  const snapshot = await loadRunbookSnapshot(file, {
    onProgress: (p) => {
      if (finishing) return;
      const done = p.total > 0 ? Math.min(total, Math.round((p.done / p.total) * total)) : total;
      if (p.done >= p.total) {
        finishing = true;
        report({ file, phase: 'finishing', done: total, total, steps: p.steps });
        return;
      }
      const at = now();
      if (at - last < intervalMs) return;
      last = at;
      report({ file, phase: 'parsing', done, total, steps: p.steps });
    },
  });
  return snapshot;
}
