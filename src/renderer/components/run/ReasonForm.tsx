// A short text the operator must give (a skip's reason, a note): submit stays off until there is one.
import { type FormEvent, useState } from 'react';

export function ReasonForm({ label, submitLabel, onSubmit, onClose }: { label: string; submitLabel: string; onSubmit: (text: string) => Promise<boolean>; onClose: () => void }) {
  const [text, setText] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (await onSubmit(text.trim())) onClose();
  };
  return (
    <form className="reason-form" onSubmit={submit}>
      <textarea aria-label={label} placeholder={label} value={text} rows={2} onChange={(e) => setText(e.target.value)} required autoFocus />
      <div className="row">
        <button type="submit" disabled={!text.trim()}>
          {submitLabel}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
