// What a code block is, beyond its code, shown the same before and during a run: how its text was read (a
// transcript with its prompts removed, output only, several PromQL queries), the text as written and the
// example output of a transcript, and why a block that is not run is not run (a language nothing here runs).
import type { ReactNode } from 'react';
import type { Block } from '../../shared/runbook-model.js';
import { readingLabel } from '../lib/runbook-facts.js';

export function ReadingBadge({ block }: { block: Block }) {
  const label = readingLabel(block);
  if (!label || !block.reading) return null;
  return (
    <span className={`badge reading reading-${block.reading.kind}`} title={block.reading.reason} data-testid="block-reading" data-kind={block.reading.kind}>
      {label}
    </span>
  );
}

/** Why a block is shown and never run, in the parser's words. */
export function NotRunReason({ block }: { block: Block }) {
  if (block.action !== 'display') return null;
  return (
    <p className="block-not-run" data-testid="block-not-run">
      Not run: {block.reason}
    </p>
  );
}

/** A transcript's text as written and its example output, behind a toggle (what runs is only its commands). */
export function BlockSource({ block }: { block: Block }) {
  const source = block.source ?? block.code;
  const changed = source !== block.code;
  if (!changed && !block.expectedOutput) return null;
  return (
    <details className="block-source" data-testid="block-source" onClick={(e) => e.stopPropagation()}>
      <summary>{changed ? 'As written in the runbook' : 'Example output'}{changed && block.expectedOutput ? ', with its example output' : ''}</summary>
      {block.reading && <p className="muted small-text">{block.reading.reason}</p>}
      {changed && (
        <pre className="block-code" data-testid="block-source-text" tabIndex={0} role="group" aria-label="As written in the runbook">
          <code>{source}</code>
        </pre>
      )}
      {block.expectedOutput && (
        <>
          <p className="small-text">Example output (compared with what it prints, never a check):</p>
          <pre className="block-code" data-testid="block-expected-output" tabIndex={0} role="group" aria-label="Example output">
            <code>{block.expectedOutput}</code>
          </pre>
        </>
      )}
    </details>
  );
}

/** The PromQL queries of a block of several, each on its own (each runs and is recorded on its own). */
export function QueryList({ block, result }: { block: Block; result?: (index: number) => ReactNode }) {
  const queries = block.queries ?? [];
  return (
    <ol className="queries" data-testid="queries">
      {queries.map((q, k) => (
        <li key={k} className="query" data-testid="query" data-index={k}>
          <span className="muted small-text">
            Query {k + 1} of {queries.length}
          </span>
          <pre className="block-code" tabIndex={0} role="group" aria-label={`Query ${k + 1} of ${queries.length}`}>
            <code>{q}</code>
          </pre>
          {result?.(k)}
        </li>
      ))}
    </ol>
  );
}

/** Whether a block is shown as its queries, one by one. */
export const showsQueries = (block: Block) => block.action === 'promql' && (block.queries?.length ?? 0) > 1;
