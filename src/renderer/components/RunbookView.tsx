import type { Runbook, Section, Step } from '../../shared/runbook-model.js';
import { flattenSections } from '../lib/runbook-facts.js';
import { StepCard } from './StepCard.js';
import { StepNotes } from './StepNotes.js';

function hasSteps(section: Section): boolean {
  return section.stepIds.length > 0 || section.sections.some(hasSteps);
}

function SectionView({ section, steps, docTitle, titles }: { section: Section; steps: Map<string, Step>; docTitle: string; titles: ReadonlyMap<string, string> }) {
  if (!hasSteps(section)) return null;
  const Heading = `h${Math.min(Math.max(section.depth, 1) + 1, 6)}` as 'h2';
  // The document's own H1 is already the page title.
  const showTitle = !(section.depth <= 1 && section.title === docTitle);
  return (
    <section className="section" data-testid="section" data-section-id={section.id}>
      {showTitle && <Heading className="section-title">{section.title}</Heading>}
      <StepNotes notes={section.notes} />
      {section.stepIds.map((id) => {
        const step = steps.get(id);
        return step ? <StepCard key={id} step={step} sectionTitles={titles} /> : null;
      })}
      {section.sections.map((child) => (
        <SectionView key={child.id} section={child} steps={steps} docTitle={docTitle} titles={titles} />
      ))}
    </section>
  );
}

export function RunbookView({ runbook }: { runbook: Runbook }) {
  const steps = new Map(runbook.steps.map((s) => [s.id, s]));
  const titles = new Map(flattenSections(runbook.sections).map((s) => [s.id, s.title]));
  const blocks = runbook.steps.flatMap((s) => s.blocks);
  const runnable = blocks.filter((b) => b.action !== 'display').length;
  return (
    <main className="runbook">
      <h1 data-testid="runbook-title">{runbook.title}</h1>
      <p className="runbook-meta" data-testid="runbook-meta">
        {runbook.steps.length} steps · {blocks.length} code blocks ({runnable} runnable) · sha256 {runbook.sha256.slice(0, 12)}…
      </p>
      {runbook.warnings.length > 0 && (
        <ul className="warnings" data-testid="warnings">
          {runbook.warnings.map((w) => (
            <li key={`${w.line}:${w.message}`}>
              line {w.line}: {w.message}
            </li>
          ))}
        </ul>
      )}
      {runbook.sections.map((section) => (
        <SectionView key={section.id} section={section} steps={steps} docTitle={runbook.title} titles={titles} />
      ))}
    </main>
  );
}
