// "Open runbook…": a path typed by the operator, opened by the host (runbook.open).
import { type FormEvent, useState } from 'react';

export function OpenRunbookForm({ disabled, onOpen }: { disabled: boolean; onOpen: (path: string) => Promise<void> }) {
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!path.trim()) return;
    setBusy(true);
    try {
      await onOpen(path.trim());
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="open-form" onSubmit={submit}>
      <input aria-label="Runbook path" placeholder="Open runbook… /path/to/runbook.md" value={path} onChange={(e) => setPath(e.target.value)} />
      <button type="submit" disabled={disabled || busy || !path.trim()}>
        Open
      </button>
    </form>
  );
}
