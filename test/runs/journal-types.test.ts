// The console's journal records are typed by record kind (RunJournal.record takes RecordData<T>, the data the
// format's schema for T defines): a wrong shape is a compile error, checked by `tsc -p tsconfig.test.json`
// through the @ts-expect-error lines below (an unused one is itself an error). The one untyped door left,
// note(), takes only run.interrupted (its cause arrives as a signal's name) and checks it at run time.
import { describe, expect, it } from 'vitest';
import type { RunJournal } from '../../src/main/session/run-journal.js';

/** Never called: it only has to compile (or, where marked, not). */
export function recordsTyped(journal: RunJournal): void {
  journal.record('decision', { step: { id: 's' }, decision: 'GO', note: null, by: 'Alice' });
  journal.record('step.note', { step: { id: 's' }, text: 'override: …', by: 'Alice' });
  // @ts-expect-error a decision record has no "verdict" field
  journal.record('decision', { step: { id: 's' }, decision: 'GO', note: null, by: 'Alice', verdict: 'pass' });
  // @ts-expect-error a fillin record's value is a string
  journal.record('fillin', { step: { id: 's' }, label: 'Rows', value: 42 });
  // @ts-expect-error a step.note is a binding, a mark or a text: a mark without its note is none of them
  journal.record('step.note', { step: { id: 's' }, mark: 'pass', by: 'Alice' });
  // @ts-expect-error the trust record's answer is yes/no or that something was typed or given, never the text
  journal.record('trust', { question: 'q', kind: 'secret', text: null, answer: 'hunter2', by: 'operator' });
  // @ts-expect-error note() is only for run.interrupted now: the rest goes through the typed record()
  journal.note('decision', { step: { id: 's' }, decision: 'GO', note: null, by: 'Alice' });
  journal.note('run.interrupted', { cause: 'SIGTERM', by: 'host shutdown', step: null });
}

describe('journal records from the console', () => {
  it('are typed by record kind (the checks are the compile-time ones above)', () => {
    expect(typeof recordsTyped).toBe('function');
  });
});
