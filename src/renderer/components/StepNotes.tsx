// Callouts and examples of a step or a section (Note, Warning, GitHub alerts, "Before"/"After"): shown with
// what they stand by, never as steps. Their text is markdown rendered as text nodes only (Markdown.tsx).
import type { Note } from '../../shared/runbook-model.js';
import { Markdown } from './Markdown.js';

export function StepNotes({ notes }: { notes: readonly Note[] }) {
  if (notes.length === 0) return null;
  return (
    <div className="callouts" data-testid="notes">
      {notes.map((note) => (
        <aside key={`${note.line}-${note.label}`} className={`callout callout-${note.kind}`} data-testid="note" data-kind={note.kind}>
          <span className="callout-label">{note.label.replace(/^\[!(\w+)\]$/, '$1')}</span>
          <Markdown text={note.text} className="callout-text" />
        </aside>
      ))}
    </div>
  );
}
