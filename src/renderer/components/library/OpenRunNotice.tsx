// When the host still has an unfinished run of this runbook (the operator went back to the runbook, or
// another tab started it), say so and offer to go back to it rather than leave it behind.
import { useEffect, useState } from 'react';
import type { ApiOutput, RunbookApi } from '../../../shared/api.js';
import { openRunOf } from '../../run/open-run.js';

export function OpenRunNotice({ api, sha256, onResume }: { api: RunbookApi; sha256: string; onResume: () => void }) {
  const [open, setOpen] = useState<ApiOutput<'runs.current'>>(null);
  useEffect(() => {
    let gone = false;
    openRunOf(api, sha256).then(
      (current) => !gone && setOpen(current),
      () => {},
    );
    return () => {
      gone = true;
    };
  }, [api, sha256]);
  if (!open) return null;
  return (
    <div className="banner notice-banner" role="status" data-testid="open-run">
      <p>A run of this runbook is still open ({open.status}). Starting a new run seals it; with steps unfinished, only once you confirm each.</p>
      <button type="button" className="primary" onClick={onResume}>
        Back to the open run
      </button>
    </div>
  );
}
