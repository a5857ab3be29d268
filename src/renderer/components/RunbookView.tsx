import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Diagnostic, Runbook, Section, Step } from '../../shared/runbook-model.js';
import { flattenSections, stepAtLine } from '../lib/runbook-facts.js';
import { DiagnosticsList } from './Diagnostics.js';
import { StepCard } from './StepCard.js';
import { StepNotes } from './StepNotes.js';

/** Steps shown at first, and added each time the operator scrolls to the end: a huge runbook stays quick. */
export const STEPS_PER_PAGE = 300;
/** Steps whose bodies are built at once (the first screens); the others' when they near the viewport. */
export const EAGER_STEPS = 10;

type Highlight = { stepId: string; line: number };

interface SectionProps {
  section: Section;
  steps: Map<string, Step>;
  shown: ReadonlySet<string>;
  eager: ReadonlySet<string>;
  docTitle: string;
  titles: ReadonlyMap<string, string>;
  highlight: Highlight | null;
}

function hasShownSteps(section: Section, shown: ReadonlySet<string>): boolean {
  return section.stepIds.some((id) => shown.has(id)) || section.sections.some((s) => hasShownSteps(s, shown));
}

function SectionView({ section, steps, shown, eager, docTitle, titles, highlight }: SectionProps) {
  if (!hasShownSteps(section, shown)) return null;
  // Under the page's h1 (the runbook's title): a ## section is an h2, ### an h3 (no level skipped).
  const Heading = `h${Math.min(Math.max(section.depth, 2), 6)}` as 'h2';
  // The document's own H1 is already the page title.
  const showTitle = !(section.depth <= 1 && section.title === docTitle);
  return (
    <section className="section" data-testid="section" data-section-id={section.id}>
      {showTitle && <Heading className="section-title">{section.title}</Heading>}
      <StepNotes notes={section.notes} />
      {section.stepIds.map((id) => {
        const step = shown.has(id) ? steps.get(id) : undefined;
        return step ? <StepCard key={id} step={step} sectionTitles={titles} highlighted={highlight?.stepId === id ? highlight : null} eager={eager.has(id)} /> : null;
      })}
      {section.sections.map((child) => (
        <SectionView key={child.id} section={child} steps={steps} shown={shown} eager={eager} docTitle={docTitle} titles={titles} highlight={highlight} />
      ))}
    </section>
  );
}

export function RunbookView({ runbook }: { runbook: Runbook }) {
  const steps = useMemo(() => new Map(runbook.steps.map((s) => [s.id, s])), [runbook]);
  const titles = useMemo(() => new Map(flattenSections(runbook.sections).map((s) => [s.id, s.title])), [runbook]);
  const [limit, setLimit] = useState(STEPS_PER_PAGE);
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const shown = useMemo(() => new Set(runbook.steps.slice(0, limit).map((s) => s.id)), [runbook, limit]);
  const eager = useMemo(() => new Set(runbook.steps.slice(0, EAGER_STEPS).map((s) => s.id)), [runbook]);
  const more = runbook.steps.length - shown.size;
  const sentinel = useRef<HTMLDivElement | null>(null);
  const blocks = runbook.steps.flatMap((s) => s.blocks);
  const runnable = blocks.filter((b) => b.action !== 'display').length;

  // More steps as the end of those shown comes into view.
  useEffect(() => {
    const at = sentinel.current;
    if (!at || more <= 0 || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setLimit((n) => n + STEPS_PER_PAGE);
    });
    observer.observe(at);
    return () => observer.disconnect();
  }, [more, limit]);

  const jump = useCallback(
    (d: Diagnostic) => {
      const step = stepAtLine(runbook, d.line);
      if (!step) return;
      const index = runbook.steps.indexOf(step);
      setLimit((n) => Math.max(n, index + 1));
      setHighlight({ stepId: step.id, line: d.line });
    },
    [runbook],
  );

  useEffect(() => {
    if (highlight) document.querySelector('[data-highlighted="true"]')?.scrollIntoView({ block: 'center' });
  }, [highlight]);

  return (
    <main className="runbook">
      <h1 data-testid="runbook-title">{runbook.title}</h1>
      <p className="runbook-meta" data-testid="runbook-meta">
        {runbook.steps.length} steps · {blocks.length} code blocks ({runnable} runnable) · sha256 {runbook.sha256.slice(0, 12)}…
      </p>
      <DiagnosticsList diagnostics={runbook.warnings} onJump={jump} />
      {runbook.sections.map((section) => (
        <SectionView key={section.id} section={section} steps={steps} shown={shown} eager={eager} docTitle={runbook.title} titles={titles} highlight={highlight} />
      ))}
      {more > 0 && (
        <div className="more-steps" ref={sentinel} data-testid="more-steps">
          <span className="muted">
            {shown.size.toLocaleString('en')} of {runbook.steps.length.toLocaleString('en')} steps shown
          </span>
          <button type="button" onClick={() => setLimit((n) => n + STEPS_PER_PAGE)}>
            Show {Math.min(more, STEPS_PER_PAGE)} more
          </button>
        </div>
      )}
    </main>
  );
}
