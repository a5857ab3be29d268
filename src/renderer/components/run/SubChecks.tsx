// A step's sub-checks; ticking one (or clearing it) goes into the record as a note on the step.
import { useState } from 'react';
import type { Step } from '../../../shared/runbook-model.js';
import { useRunActions } from '../../run/useRun.js';

export function SubChecks({ step, disabled }: { step: Step; disabled: boolean }) {
  const { act } = useRunActions();
  const [ticked, setTicked] = useState<Record<number, boolean>>(() => Object.fromEntries(step.checks.map((c) => [c.line, c.checked])));
  if (step.checks.length === 0) return null;
  const toggle = async (line: number, title: string, value: boolean) => {
    setTicked((t) => ({ ...t, [line]: value }));
    const done = await act((api, runId) => api['runs.record']({ runId, stepId: step.id, kind: 'note', text: `${value ? 'checked' : 'unchecked'}: ${title}` }), step.id);
    if (done === undefined) setTicked((t) => ({ ...t, [line]: !value }));
  };
  return (
    <ul className="checks" data-testid="checks">
      {step.checks.map((c) => (
        <li key={c.line}>
          <label>
            <input type="checkbox" checked={ticked[c.line] ?? false} disabled={disabled} onChange={(e) => void toggle(c.line, c.title, e.target.checked)} /> {c.title}
          </label>
        </li>
      ))}
    </ul>
  );
}
