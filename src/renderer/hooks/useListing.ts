// A list the page reads from the host on mount and on Refresh, and the verification of its runs on demand:
// one verdict per run id ('busy' while it is checked), an error in words for either.
import { useCallback, useEffect, useState } from 'react';
import type { VerifyResult } from '../../shared/run-api.js';
import { errorMessage } from '../lib/error-message.js';

export function useListing<T>(read: () => Promise<T>, verifyRun: (runId: string) => Promise<VerifyResult>) {
  const [listing, setListing] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verdicts, setVerdicts] = useState<Record<string, VerifyResult | 'busy'>>({});
  const load = useCallback(async () => {
    try {
      setListing(await read());
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [read]);
  useEffect(() => {
    void load();
  }, [load]);
  const verify = async (runId: string) => {
    setVerdicts((v) => ({ ...v, [runId]: 'busy' }));
    try {
      const result = await verifyRun(runId);
      setVerdicts((v) => ({ ...v, [runId]: result }));
    } catch (e) {
      setError(errorMessage(e));
      setVerdicts((v) => Object.fromEntries(Object.entries(v).filter(([k]) => k !== runId)));
    }
  };
  return { listing, error, verdicts, load, verify };
}
