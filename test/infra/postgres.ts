// A throwaway PostgreSQL cluster for tests. The implementation lives in bench/support/postgres.mjs so the
// benchmark (plain node, no build of test/) shares it; this module adds the skip-with-a-message rule.
import { postgresUnavailableReason } from '../../bench/support/postgres.mjs';

export { postgresBinDir, postgresUnavailableReason, startPostgres } from '../../bench/support/postgres.mjs';
export type { PostgresHandle } from '../../bench/support/postgres.mjs';

/** True when a cluster can be started here; otherwise warns, saying why, so the skipped suite is visible. */
export function postgresAvailable(suite: string): boolean {
  const reason = postgresUnavailableReason();
  if (reason) console.warn(`skipped ${suite}: ${reason}`);
  return reason === null;
}
