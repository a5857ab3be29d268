// How far the opening of a runbook has got, as a share for the progress bar.
import type { LoadProgress } from '../../shared/api.js';

/** The share done, 0–100: reading and parsing go to 95, the rest is assembling the model. */
export function loadPercent(progress: LoadProgress | null): number {
  if (!progress) return 0;
  if (progress.phase === 'done') return 100;
  if (progress.phase === 'finishing') return 95;
  if (progress.total <= 0) return 0;
  return Math.min(95, Math.floor((progress.done / progress.total) * 95));
}
