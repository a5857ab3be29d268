// A step as the runbook states it, before any run: read-only.
import { type RefObject, useEffect, useRef, useState } from 'react';
import type { Block, Step } from '../../shared/runbook-model.js';
import { BlockSource, NotRunReason, QueryList, ReadingBadge, showsQueries } from './BlockFacts.js';
import { Markdown } from './Markdown.js';
import { ProfileBadge } from './ProfileBadge.js';
import { StepNotes } from './StepNotes.js';

function BlockView({ block, highlighted }: { block: Block; highlighted: boolean }) {
  return (
    <figure className={`block${highlighted ? ' highlighted' : ''}`} data-testid="block" data-action={block.action} data-block-id={block.id} data-line={block.line} data-highlighted={highlighted || undefined}>
      <figcaption>
        <span className={`badge action-${block.action}`} title={block.reason} data-testid="block-action">
          {block.action}
        </span>
        <ReadingBadge block={block} />
        <span className="block-lang">{block.lang ?? 'no language'}</span>
        {block.name && <span className="block-name">{block.name}</span>}
        {block.target && <span className="block-target">→ {block.target}</span>}
        <span className="block-line">line {block.line}</span>
      </figcaption>
      <NotRunReason block={block} />
      {showsQueries(block) ? (
        <QueryList block={block} />
      ) : (
        <pre tabIndex={0} role="group" aria-label={`Code, line ${block.line}`}>
          <code>{block.code}</code>
        </pre>
      )}
      <BlockSource block={block} />
      {block.optionalVariables && block.optionalVariables.length > 0 && (
        <p className="variables muted small-text" data-testid="block-optional-variables">
          Optional (the code has a default): {block.optionalVariables.join(', ')}
        </p>
      )}
    </figure>
  );
}

/** Whether `ref`'s element is near the viewport (or ever was): what is far below is not built until then. */
function useNearView(ref: RefObject<HTMLElement | null>, eager: boolean): boolean {
  const [near, setNear] = useState(eager);
  useEffect(() => {
    if (near) return;
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') {
      setNear(true);
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        setNear(true);
        observer.disconnect();
      }
    }, { rootMargin: '1500px 0px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, [near, ref]);
  return near || eager;
}

/** About how tall a step's body is (lines of prose and code): its place is kept before it is built. */
const bodyHeight = (step: Step) => Math.min(2000, 18 * (step.body.split('\n').length + step.blocks.reduce((n, b) => n + b.code.split('\n').length + 3, 0)));

/**
 * `highlighted`: the step, or the line in it, a diagnostic took the operator to. `eager`: build the body now;
 * otherwise (fast open) only the title is built until the card nears the viewport — every title is in the page.
 */
export function StepCard({ step, sectionTitles, highlighted = null, eager = true }: { step: Step; sectionTitles?: ReadonlyMap<string, string>; highlighted?: { line: number } | null; eager?: boolean }) {
  const blockAt = highlighted ? step.blocks.find((b) => b.line === highlighted.line) : undefined;
  const mark = highlighted !== null && !blockAt;
  const ref = useRef<HTMLElement | null>(null);
  const near = useNearView(ref, eager || highlighted !== null);
  return (
    <article ref={ref} className={`step kind-${step.kind}${mark ? ' highlighted' : ''}`} data-testid="step" data-step-id={step.id} data-line={step.line} data-highlighted={mark || undefined} data-built={near || undefined}>
      <header className="step-header">
        <span className="step-box" aria-hidden="true">
          {step.kind === 'signoff' ? '✎' : step.kind === 'decision' ? '◇' : step.kind === 'input' ? '✍' : step.checked ? '☑' : '☐'}
        </span>
        <span className="step-title" data-testid="step-title">
          {step.title}
        </span>
        <ProfileBadge profile={step.profile} />
        {step.kind !== 'step' && <span className={`badge kind-badge`}>{step.kind}</span>}
        <span className="step-line">line {step.line}</span>
      </header>
      {near ? <StepBody step={step} sectionTitles={sectionTitles} blockAt={blockAt} /> : <div className="step-pending" style={{ minHeight: bodyHeight(step) }} aria-hidden="true" />}
    </article>
  );
}

function StepBody({ step, sectionTitles, blockAt }: { step: Step; sectionTitles: ReadonlyMap<string, string> | undefined; blockAt: Block | undefined }) {
  return (
    <>
      <Markdown text={step.body} className="step-body" />
      <StepNotes notes={step.notes} />
      {step.checks.length > 0 && (
        <ul className="checks">
          {step.checks.map((c) => (
            <li key={c.line}>
              {c.checked ? '☑' : '☐'} {c.title}
            </li>
          ))}
        </ul>
      )}
      {step.decision && (
        <p className="decision">
          Options:{' '}
          {step.decision.options
            .map((o) => {
              const to = step.decision?.choices.find((c) => c.label === o)?.leadsTo;
              return to ? `${o} → ${sectionTitles?.get(to) ?? to}` : o;
            })
            .join(' / ')}
        </p>
      )}
      {step.signoff && <p className="signoff">Signers: {step.signoff.roles.join(', ') || '—'}</p>}
      {step.fillIns.length > 0 && (
        <p className="fillins">Blanks: {step.fillIns.map((f) => `${f.label || '(unlabelled)'}${f.type === 'text' ? '' : ` (${f.type}${f.unit ? `, ${f.unit}` : ''})`}`).join(', ')}</p>
      )}
      {step.expected.length > 0 && (
        <ul className="expected">
          {step.expected.map((e, i) => (
            <li key={`${i}-${e}`}>Expected: {e}</li>
          ))}
        </ul>
      )}
      {step.variables.length > 0 && <p className="variables">Needs: {step.variables.join(', ')}</p>}
      {step.blocks.map((b) => (
        <BlockView key={b.id} block={b} highlighted={b === blockAt} />
      ))}
    </>
  );
}
