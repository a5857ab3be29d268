// Progress of a run: done/total per section and overall, steps hidden by the profile left out.
import type { RunState, RunStepState } from '../../shared/run-api.js';
import type { Runbook, Section } from '../../shared/runbook-model.js';

/** Done means settled for good: succeeded, skipped with a reason, or a manual step marked passed. */
export function isDone(step: RunStepState): boolean {
  return step.status === 'succeeded' || step.status === 'skipped' || (step.status === 'pending' && step.mark === 'pass');
}

export interface SectionProgress {
  section: Section;
  /** Nesting below the top level, for indenting. */
  level: number;
  done: number;
  total: number;
  failed: number;
}

export interface RunProgress {
  sections: SectionProgress[];
  done: number;
  total: number;
}

export function runProgress(runbook: Runbook, state: RunState): RunProgress {
  const byId = new Map(state.steps.map((s) => [s.id, s]));
  const sections: SectionProgress[] = [];
  let done = 0;
  let total = 0;
  const walk = (section: Section, level: number) => {
    const steps = section.stepIds.map((id) => byId.get(id)).filter((s): s is RunStepState => s !== undefined && !s.hidden);
    const entry: SectionProgress = { section, level, done: steps.filter(isDone).length, total: steps.length, failed: steps.filter((s) => s.status === 'failed').length };
    const at = sections.length;
    section.sections.forEach((child) => walk(child, level + 1));
    // A section is listed when it or a section below it has a step to show.
    if (entry.total > 0 || sections.length > at) sections.splice(at, 0, entry);
    done += entry.done;
    total += entry.total;
  };
  runbook.sections.forEach((s) => walk(s, 0));
  return { sections, done, total };
}

/** The ids of the steps the run view shows, in document order. */
export function visibleStepIds(runbook: Runbook, state: RunState): string[] {
  const hidden = new Set(state.steps.filter((s) => s.hidden).map((s) => s.id));
  return runbook.steps.map((s) => s.id).filter((id) => !hidden.has(id));
}
