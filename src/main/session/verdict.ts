// Whether a block may change state on its target, proven by real parsers rather than guessed:
// PostgreSQL's grammar (libpg-query) for SQL, mvdan/sh's bash grammar (mvdan-sh, read by shell-ast.ts)
// for shell. Protected-target confirmations and RESTRICTED approvals are skipped only for blocks proven
// read-only; anything a parser cannot prove — text that does not parse, syntax not modelled, a function
// or command not on the lists — counts as changing state.
import type { Action } from '../../shared/runbook-model.js';
import { shellVerdict } from './verdict/shell.js';
import { loadSqlGrammar, sqlGrammarLoaded, sqlVerdictSync } from './verdict/sql.js';
import { type Verdict, changes, readOnly } from './verdict/types.js';

export { type Verdict, type VerdictCode, VERDICT_CODES } from './verdict/types.js';
/** The allow-lists, for documentation and tests: side-effect-free SQL functions, read-only commands. */
export { READ_ONLY_FUNCTIONS, READ_ONLY_FUNCTION_PREFIXES } from './verdict/sql-functions.js';
export { READ_ONLY_COMMANDS } from './verdict/shell-commands.js';

export interface VerdictBlock {
  action: Action;
  code: string;
  /** The block's run variables (Block.variables): a plain $NAME of one is passed to bash as one word. */
  variables?: readonly string[];
}

/** Verdicts already proven, so that a synchronous caller can use them (bounded: oldest dropped first). */
const proven = new Map<string, Verdict>();
const MAX_PROVEN = 2000;
const key = (block: VerdictBlock) => `${block.action}\u0000${block.code}\u0000${(block.variables ?? []).join(' ')}`;

function remember(block: VerdictBlock, verdict: Verdict): Verdict {
  if (proven.size >= MAX_PROVEN) proven.delete(proven.keys().next().value as string);
  proven.set(key(block), verdict);
  return verdict;
}

/** Loads the parsers' grammars (once); verdictOf does this itself. */
export async function loadVerdictParsers(): Promise<void> {
  await loadSqlGrammar();
}

function sqlReadOnly(code: string): { readOnly: boolean; detail: string } {
  const verdict = sqlVerdictSync(code);
  return { readOnly: !verdict.changesState, detail: verdict.detail };
}

/** Verdicts that need no parser. */
function fixedVerdict(action: string): Verdict | null {
  switch (action) {
    case 'display':
      return readOnly('display', 'shown, never run');
    case 'promql':
      return readOnly('promql-query', 'a Prometheus query only reads');
    case 'k8s-manifest':
      return changes('manifest-applies', 'the manifest is applied to the cluster');
    case 'sql':
    case 'shell':
      return null;
    default:
      return changes('unknown-action', `action "${action}" is not known to be read-only`);
  }
}

/** The verdict on a block, as written (placeholders stand for values, which are data). */
export async function verdictOf(block: VerdictBlock): Promise<Verdict> {
  const fixed = fixedVerdict(block.action);
  if (fixed) return fixed;
  try {
    if (block.action === 'sql') {
      await loadSqlGrammar();
      return remember(block, sqlVerdictSync(block.code));
    }
    return remember(block, await shellVerdictOf(block));
  } catch (error) {
    // Text the analysis cannot cope with (e.g. nesting deeper than the stack) is not proven anything.
    const why = `could not be analysed (${(error as Error).message}); not proven read-only`;
    return changes(block.action === 'sql' ? 'sql-parse-error' : 'shell-unsupported-syntax', why);
  }
}

/**
 * A shell block's verdict. The SQL grammar (libpg-query's WASM) is loaded only for a block that has SQL to
 * judge (`psql -c`): judged first without it, a block that asks for it is judged again once it is loaded.
 */
async function shellVerdictOf(block: VerdictBlock): Promise<Verdict> {
  const variables = new Set(block.variables ?? []);
  if (!sqlGrammarLoaded()) {
    let needsSql = false;
    const verdict = shellVerdict(block.code, () => {
      needsSql = true;
      return { readOnly: false, detail: 'the SQL grammar is not loaded' };
    }, variables);
    if (!needsSql) return verdict;
    await loadSqlGrammar();
  }
  return shellVerdict(block.code, sqlReadOnly, variables);
}

/**
 * The verdict without waiting: SQL is judged at once when the grammar is loaded; shell only when verdictOf
 * has judged the same block before (its verdict is worked out there, never on this synchronous path).
 * Otherwise "unknown", which counts as changing state.
 */
export function verdictOfSync(block: VerdictBlock): Verdict {
  const fixed = fixedVerdict(block.action);
  if (fixed) return fixed;
  const known = proven.get(key(block));
  if (known) return known;
  if (block.action === 'sql' && sqlGrammarLoaded()) return remember(block, sqlVerdictSync(block.code));
  return changes('unknown', `no proven verdict yet (${block.action} is judged asynchronously); counted as changing state`);
}
