// While a runbook opens: a progress bar with how much of the file is read and parsed, and the steps found so
// far. The page stays usable meanwhile (main parses in chunks and answers other calls between them).
import type { LoadProgress } from '../../shared/api.js';
import { loadPercent } from '../lib/load-progress.js';

const PHASE: Record<LoadProgress['phase'], string> = {
  reading: 'Reading the file',
  parsing: 'Reading the steps',
  finishing: 'Reading the code blocks',
  done: 'Showing the runbook',
  failed: 'Could not open it',
};

const megabytes = (bytes: number) => (bytes >= 100_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.ceil(bytes / 1000)} KB`);

export function LoadProgressBar({ progress, file }: { progress: LoadProgress | null; file: string | null }) {
  const percent = loadPercent(progress);
  const name = progress?.file ?? file ?? 'the runbook';
  const detail = progress
    ? `${PHASE[progress.phase]}: ${megabytes(progress.done)} of ${megabytes(progress.total)}${progress.steps > 0 ? ` · ${progress.steps.toLocaleString('en')} steps found` : ''}`
    : 'Starting…';
  return (
    <div className="panel load-progress" data-testid="load-progress" data-phase={progress?.phase ?? 'starting'}>
      <p className="load-file">
        Opening <span className="mono file-path">{name}</span>
      </p>
      <progress
        max={100}
        value={percent}
        role="progressbar"
        aria-label="Opening the runbook"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}%: ${detail}`}
      />
      <p className="muted small-text" data-testid="load-progress-detail">
        {detail}
      </p>
    </div>
  );
}
