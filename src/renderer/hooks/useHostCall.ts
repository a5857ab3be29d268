// One call to the host from a settings section: its answer, or undefined with the error kept to show.
import { useCallback, useState } from 'react';
import { errorMessage } from '../lib/error-message.js';

export function useHostCall() {
  const [error, setError] = useState<string | null>(null);
  const call = useCallback(async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      const answer = await work();
      setError(null);
      return answer;
    } catch (e) {
      setError(errorMessage(e));
      return undefined;
    }
  }, []);
  return { error, setError, call };
}
