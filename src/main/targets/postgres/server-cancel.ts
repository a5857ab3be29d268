// Stops the query a backend is running, on the server — closing our socket would not: PostgreSQL notices
// a vanished client only when it next writes to it, so a pg_sleep(300) or a long UPDATE would run on.
//
// We call pg_cancel_backend(pid) from a second, short-lived connection made with the session's own
// settings (TLS, password). pg's alternative, the protocol CancelRequest, goes over a new plain socket:
// the backend's secret key in clear text, and no way to learn whether it worked. A cancel that reaches the
// backend before the query has started is ignored by PostgreSQL, so we repeat it until the query ends,
// and escalate to pg_terminate_backend when it does not (a backend stuck where cancels are held off).
import type pg from 'pg';

export type StopVerdict = { stopped: true; how: string } | { stopped: false; why: string };

/** Waits between cancel attempts: each is a bound on how long the query may take to notice, not a sleep. */
const CANCEL_WAITS_MS = [250, 500, 1000, 2000];
const TERMINATE_WAIT_MS = 5000;

export async function stopBackendQuery(
  openSide: () => Promise<pg.Client>,
  pid: number,
  /** Resolves true once the query has ended, or false when `ms` passed first. */
  finishedWithin: (ms: number) => Promise<boolean>,
): Promise<StopVerdict> {
  let side: pg.Client;
  try {
    side = await openSide();
  } catch (error) {
    if (await finishedWithin(0)) return { stopped: true, how: 'the query ended before a cancel could be sent' };
    return { stopped: false, why: `could not open a second connection to cancel it: ${(error as Error).message}` };
  }
  try {
    for (const [attempt, waitMs] of CANCEL_WAITS_MS.entries()) {
      if (await finishedWithin(0)) break;
      await side.query('SELECT pg_cancel_backend($1)', [pid]);
      if (await finishedWithin(waitMs)) {
        return { stopped: true, how: `cancelled on the server (pg_cancel_backend(${pid})${attempt > 0 ? `, attempt ${attempt + 1}` : ''})` };
      }
    }
    if (await finishedWithin(0)) return { stopped: true, how: `cancelled on the server (pg_cancel_backend(${pid}))` };
    await side.query('SELECT pg_terminate_backend($1)', [pid]);
    if (await finishedWithin(TERMINATE_WAIT_MS)) {
      return { stopped: true, how: `the query ignored cancel requests; its backend was terminated (pg_terminate_backend(${pid}))` };
    }
    return { stopped: false, why: `backend ${pid} did not stop after pg_cancel_backend and pg_terminate_backend` };
  } catch (error) {
    if (await finishedWithin(0)) return { stopped: true, how: `the query ended while it was being cancelled (pid ${pid})` };
    return { stopped: false, why: `the cancel failed: ${(error as Error).message}` };
  } finally {
    side.end().catch(() => undefined);
  }
}
