// One code block in a run: what it does, where it runs (the bound target), its code, then its output and result.
import type { RunStepState } from '../../../shared/run-api.js';
import type { Block } from '../../../shared/runbook-model.js';
import type { BlockStatus } from '../../run/run-view-state.js';
import { BlockResult } from './BlockResult.js';
import { BlockTerminal } from './BlockTerminal.js';

export function BlockPanel({ block, target, status }: { block: Block; target: RunStepState['targets'][string] | undefined; status: BlockStatus | undefined }) {
  return (
    <figure className="block" data-testid="block" data-action={block.action} data-block-id={block.id}>
      <figcaption>
        <span className={`badge action-${block.action}`} title={block.reason} data-testid="block-action">
          {block.action}
        </span>
        <span className="block-lang">{block.lang ?? 'no language'}</span>
        {block.name && <span className="block-name">{block.name}</span>}
        {target ? (
          <span className="block-target" data-testid="block-target" title={`${target.kind} target`}>
            → {target.name} <span className="muted">({target.kind}, {target.endpoint})</span>
          </span>
        ) : (
          block.action !== 'display' && <span className="block-target muted">not bound</span>
        )}
        <span className="block-line">line {block.line}</span>
      </figcaption>
      <pre className="block-code">
        <code>{block.code}</code>
      </pre>
      {!status && block.expected.length > 0 && (
        <ul className="expected">
          {block.expected.map((e, i) => (
            <li key={i}>Expected: {e}</li>
          ))}
        </ul>
      )}
      {status && (
        <>
          <BlockTerminal blockId={block.id} />
          <BlockResult end={status.end} expected={block.expected} />
        </>
      )}
    </figure>
  );
}
