// The run the host still has open, when it is an unfinished run of the runbook this page shows: a page
// that lost track of it (a reload, "Back to the runbook", another tab) can go back to it.
import type { ApiOutput, RunbookApi } from '../../shared/api.js';

export async function openRunOf(api: RunbookApi, sha256: string): Promise<ApiOutput<'runs.current'>> {
  const current = await api['runs.current']({});
  return current && current.status !== 'finished' && current.sha256 === sha256 ? current : null;
}
