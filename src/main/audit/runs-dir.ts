// Where runs are kept when no directory is given: <data dir>/runs/<run id>, or $RUNBOOK_CONSOLE_RUNS_DIR.
import path from 'node:path';
import envPaths from 'env-paths';

export function defaultRunsDir(env: Record<string, string | undefined> = process.env): string {
  return env.RUNBOOK_CONSOLE_RUNS_DIR ?? path.join(envPaths('runbook-console', { suffix: '' }).data, 'runs');
}
