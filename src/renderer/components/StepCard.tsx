// A step as the runbook states it, before any run: read-only.
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

/** `highlighted`: the step, or the line in it, a diagnostic took the operator to. */
export function StepCard({ step, sectionTitles, highlighted = null }: { step: Step; sectionTitles?: ReadonlyMap<string, string>; highlighted?: { line: number } | null }) {
  const blockAt = highlighted ? step.blocks.find((b) => b.line === highlighted.line) : undefined;
  const mark = highlighted !== null && !blockAt;
  return (
    <article className={`step kind-${step.kind}${mark ? ' highlighted' : ''}`} data-testid="step" data-step-id={step.id} data-line={step.line} data-highlighted={mark || undefined}>
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
    </article>
  );
}
