// The console's runs and the team store: which store a run ships to (the settings' store, else the host's
// --store or $RUNBOOK_STORE_URL), with what password source (a named secret, or $RUNBOOK_STORE_PASSWORD), how
// long an approval request through it stays open, and what the page is told of shipping. The engine's own
// assembly (session/assemble.ts) does the shipping; this only says where to.
import type { StoreShippingState } from '../../shared/run-api.js';
import type { StoreSettings } from '../../shared/settings.js';
import type { StoreShipping } from '../session/assemble.js';
import { StoreApprovalChannel } from '../store/approval-channel.js';
import { DEFAULT_APPROVAL_WAIT_S } from '../store/approvals.js';
import type pg from 'pg';
import type { StoreShipper } from '../store/ship.js';
import { STORE_URL_ENV, parseStoreUrl } from '../store/url.js';

export interface ConsoleStore {
  shipping: StoreShipping;
  /** How long an approval request through the store stays open (ms). */
  approvalWaitMs: number;
}

/** Where the console's store comes from, if any. */
export function storeSource(settings: StoreSettings | undefined, hostUrl: string | null | undefined): 'settings' | 'environment' | null {
  return settings ? 'settings' : (hostUrl ?? process.env[STORE_URL_ENV]) ? 'environment' : null;
}

/** The store a new run ships to; a URL that cannot be read is said, naming where it came from. */
export function consoleStore(settings: StoreSettings | undefined, hostUrl: string | null | undefined): ConsoleStore | null {
  const url = settings?.url ?? hostUrl ?? process.env[STORE_URL_ENV] ?? null;
  if (!url) return null;
  let endpoint;
  try {
    endpoint = parseStoreUrl(url);
  } catch (error) {
    throw new Error(`the team store ${settings ? 'in settings' : `(--store or $${STORE_URL_ENV})`}: ${(error as Error).message}`);
  }
  return {
    shipping: { endpoint, gate: settings?.gate, ...(settings?.passwordSecret ? { passwordSecret: settings.passwordSecret } : {}) },
    approvalWaitMs: (settings?.approvalTimeoutSeconds ?? DEFAULT_APPROVAL_WAIT_S) * 1000,
  };
}

/** The approvals channel of one run: its own connection to the store, made when a request is asked. */
export function approvalChannel(runId: string, store: ConsoleStore, secret: ((name: string) => Promise<string | null>) | undefined): StoreApprovalChannel {
  const { endpoint, passwordSecret } = store.shipping;
  return new StoreApprovalChannel({
    runId,
    connect: async () => {
      const { connectStore } = await import('../store/connect.js');
      return connectStore(endpoint, { purpose: 'approvals', ...(passwordSecret && secret ? { passwordSecret, secret } : {}) });
    },
  });
}

/** What the page shows of a run's shipping. */
export function shippingState(shipper: StoreShipper, shown: string, gate: boolean): StoreShippingState {
  return { shown, gate, ...shipper.status() };
}

/** How long the end of a run waits for the store to take what is left: less when it is known to be away. */
export function closeWaitMs(shipper: StoreShipper): number {
  return shipper.status().problem ? 3_000 : 15_000;
}

/** One connection to the console's store for `use` (store/connect.ts withStoreConnection), its password from the named secret. */
export async function withStoreClient<T>(store: ConsoleStore, secret: ((name: string) => Promise<string | null>) | undefined, purpose: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const { endpoint, passwordSecret } = store.shipping;
  const { withStoreConnection } = await import('../store/connect.js');
  return withStoreConnection(endpoint, { purpose, ...(passwordSecret && secret ? { passwordSecret, secret } : {}) }, use);
}
