// The run the host still has open, when it is an unfinished run of the runbook this page shows: a page
// that lost track of it (a reload, "Back to the runbook", another tab) can go back to it.
import type { ApiOutput, RunbookApi } from '../../shared/api.js';

export async function openRunOf(api: RunbookApi, sha256: string): Promise<ApiOutput<'runs.current'>> {
  return openRunFor(await api['runs.current']({}), sha256);
}

/** The host's open run (runs.current's answer) when it is an unfinished run of this runbook. */
export function openRunFor(current: ApiOutput<'runs.current'>, sha256: string): ApiOutput<'runs.current'> {
  return current && current.status !== 'finished' && current.sha256 === sha256 ? current : null;
}
