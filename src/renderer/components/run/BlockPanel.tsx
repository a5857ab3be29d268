// One code block in a run: what it does, where it runs (the bound target), its code, then its output and result.
import type { RunStepState } from '../../../shared/run-api.js';
import type { Block } from '../../../shared/runbook-model.js';
import type { BlockStatus } from '../../run/run-view-state.js';
import { useRunActions } from '../../run/useRun.js';
import { BlockSource, NotRunReason, QueryList, ReadingBadge, showsQueries } from '../BlockFacts.js';
import { BlockResult, QueryResult } from './BlockResult.js';
import { BlockTerminal } from './BlockTerminal.js';
import { DownloadOutput } from './DownloadOutput.js';

export interface BlockPanelProps {
  stepId: string;
  block: Block;
  target: RunStepState['targets'][string] | undefined;
  /** Targets this block may run on instead (same kind of action). */
  choices: string[];
  /** The host's parser verdict: proven read-only, or may change state (with its reason code). */
  verdict?: RunStepState['verdicts'][string] | undefined;
  canRebind: boolean;
  onBind: (target: string) => void;
  status: BlockStatus | undefined;
}

/** The target picker: the bound target, or another one of the right kind (recorded when changed). */
function TargetPicker({ block, target, choices, onBind }: Pick<BlockPanelProps, 'block' | 'target' | 'choices' | 'onBind'>) {
  return (
    <label className="block-target" onClick={(e) => e.stopPropagation()}>
      <span className="muted">→</span>{' '}
      <select aria-label={`Target for line ${block.line}`} data-testid="target-picker" value={target?.name ?? ''} onChange={(e) => e.target.value && onBind(e.target.value)}>
        {!target && <option value="">not bound: choose a target</option>}
        {choices.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>{' '}
      {target && (
        <span className="muted" data-testid="block-target">
          ({target.kind}, {target.endpoint})
        </span>
      )}
    </label>
  );
}

export function BlockPanel({ stepId, block, target, choices, verdict, canRebind, onBind, status }: BlockPanelProps) {
  const { api, runId } = useRunActions();
  const pick = canRebind && block.action !== 'display' && (choices.length > 1 || (!target && choices.length > 0));
  // A block of several PromQL queries shows each with its own result (the executor answers one result set per query, in order).
  const queries = showsQueries(block);
  return (
    <figure className="block" data-testid="block" data-action={block.action} data-block-id={block.id}>
      <figcaption>
        <span className={`badge action-${block.action}`} title={block.reason} data-testid="block-action">
          {block.action}
        </span>
        <ReadingBadge block={block} />
        <span className="block-lang">{block.lang ?? 'no language'}</span>
        {block.name && <span className="block-name">{block.name}</span>}
        {pick ? (
          <TargetPicker block={block} target={target} choices={choices} onBind={onBind} />
        ) : target ? (
          <span className="block-target" data-testid="block-target" title={`${target.kind} target`}>
            → {target.name} <span className="muted">({target.kind}, {target.endpoint})</span>
          </span>
        ) : (
          block.action !== 'display' && <span className="block-target muted">not bound</span>
        )}
        {verdict && (
          <span className={`badge verdict ${verdict.changesState ? 'verdict-changes' : 'verdict-read-only'}`} title={`${verdict.code}: ${verdict.detail}`} data-testid="block-verdict" data-code={verdict.code}>
            {verdict.changesState ? 'may change state' : 'read-only'}
          </span>
        )}
        <span className="block-line">line {block.line}</span>
      </figcaption>
      <NotRunReason block={block} />
      {queries ? (
        <QueryList block={block} result={status?.end ? (k) => <QueryResult end={status.end as NonNullable<typeof status.end>} index={k} count={block.queries?.length ?? 0} /> : undefined} />
      ) : (
        <pre className="block-code" tabIndex={0} role="group" aria-label={`Code, line ${block.line}`}>
          <code>{block.code}</code>
        </pre>
      )}
      <BlockSource block={block} />
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
          <BlockResult end={status.end} expected={block.expected} perQuery={queries} />
          {status.end && <DownloadOutput api={api} runId={runId} stepId={stepId} blockId={block.id} />}
        </>
      )}
    </figure>
  );
}
