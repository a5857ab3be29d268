// How far the runbook being opened has got, while the page waits for it: a long poll on runbook.progress
// (main throttles its reports to a few a second), running only while `loading` is true.
import { useEffect, useState } from 'react';
import type { LoadProgress, RunbookApi } from '../../shared/api.js';

const WAIT_MS = 10_000;
const RETRY_MS = 1_000;

export function useLoadProgress(api: RunbookApi | null, loading: boolean): LoadProgress | null {
  const [progress, setProgress] = useState<LoadProgress | null>(null);
  useEffect(() => {
    if (!api || !loading) {
      setProgress(null);
      return;
    }
    let stopped = false;
    let after = -1;
    void (async () => {
      while (!stopped) {
        try {
          const answer = await api['runbook.progress']({ after, waitMs: WAIT_MS });
          if (stopped) return;
          after = answer.seq;
          setProgress(answer.progress);
          // The model is being finished (or the load ended): nothing more to wait for. And no call of ours is
          // left to be answered while the host sends the runbook, tens of MB for a large one on the same
          // connection (`runbook serve` drops a connection when an answer queues behind too much).
          if (answer.progress && answer.progress.phase !== 'reading' && answer.progress.phase !== 'parsing') return;
        } catch {
          // The open call reports what went wrong; the bar just waits to be told more.
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    })();
    return () => {
      stopped = true;
    };
  }, [api, loading]);
  return progress;
}
