// The library the console starts from: the sample runbooks shipped with it and the recently opened ones,
// each summarised (title, step count, profile markers) so the operator can choose without opening.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { packagePath } from '../util/package-root.js';
import type { LibraryEntry } from '../../shared/api.js';
import { RunbookError, loadRunbook } from '../runbook/index.js';

/** runbooks/ beside dist/ (the repository, and the packaged app's resources). */
export const SAMPLES_DIR = `${packagePath('runbooks')}${path.sep}`;

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
