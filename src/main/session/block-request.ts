// What one block sends to its target once the run's values are known. Values are data, never code: a
// parser decides where each placeholder stands (shell-values.ts for shell, PostgreSQL's own grammar for
// SQL); where it cannot prove the value stays data, the block is refused, with every problem listed.
import type { Block } from '../../shared/runbook-model.js';
import type { TargetKind } from '../../shared/targets.js';
import { prepareArgv, prepareShell } from './shell-values.js';
import { sourceLineOfCode } from '../runbook/classify.js';
import { splitPromql } from '../runbook/promql.js';
import { substituteChecked } from './substitute.js';
import { bareName } from './variables.js';
import type { Verdict } from './verdict.js';

/** SQL's value preparation (pg, PostgreSQL's grammar), loaded for the first block that has SQL. */
const sqlValues = () => import('./sql-values.js');

/** One place a value cannot be used safely. `line` is the runbook file's line. */
export interface ValueProblem {
  variable: string;
  line: number;
  code: string;
  message: string;
}

export type BlockRequest =
  | { ok: true; code: string; env: Record<string, string>; params: string[] }
  | { ok: false; problems: ValueProblem[] };

/** The block's own lines start on the line after its opening fence; a transcript's commands keep their lines. */
const fileLine = (block: Block, line: number) => block.line + sourceLineOfCode(block, line);

/** The value of one of the block's variables ("<NAME>" falls back to "NAME"), if the run has one. */
const valueOf = (values: ReadonlyMap<string, string>, name: string) => values.get(name) ?? values.get(bareName(name));

/** One problem per variable of the block that has a value, at the block's first line. */
function eachValued(block: Block, values: ReadonlyMap<string, string>, code: string, message: (value: string) => string | null): ValueProblem[] {
  return block.variables.flatMap((variable) => {
    const value = valueOf(values, variable);
    const text = value === undefined ? null : message(value);
    return text === null ? [] : [{ variable, line: fileLine(block, 1), code, message: text }];
  });
}

/**
 * Prepares a block for a target of `kind`. Shell on bash targets (local, ssh): values only in the
 * environment. Shell on a kubernetes target: kubectl lines run without a shell, values are whole argv
 * words; on a postgres target, psql -c texts are SQL like any sql block. SQL: bind parameters or escaped
 * identifiers. Manifests and PromQL are text for an API that parses them itself: values as they are.
 */
export async function prepareBlockRequest(block: Block, kind: TargetKind, values: ReadonlyMap<string, string>, verdict?: Verdict): Promise<BlockRequest> {
  switch (block.action) {
    case 'shell': {
      // A block proven read-only was judged with each value as one plain argument; a value that reads as an
      // option (`--log-file=/x` to kubectl) would change what the command does, so it is refused there.
      if (verdict && !verdict.changesState) {
        const flags = eachValued(block, values, 'flag', (value) => (value.startsWith('-') ? 'the value starts with "-" and would be read as an option by a command this block was proven read-only with' : null));
        if (flags.length > 0) return { ok: false, problems: flags };
      }
      // bash on local and ssh targets; psql lines on a postgres target (their SQL goes through the grammar);
      // kubectl lines on a kubernetes target, run without a shell.
      const prepared = kind === 'local' || kind === 'ssh' ? await prepareShell(block.code, values) : kind === 'postgres' ? await (await sqlValues()).preparePsql(block.code, values) : await prepareArgv(block.code, values);
      if (prepared.problems.length > 0) return { ok: false, problems: prepared.problems.map((p) => ({ ...p, line: fileLine(block, p.line) })) };
      return { ok: true, code: prepared.code, env: 'env' in prepared ? prepared.env : {}, params: 'params' in prepared ? prepared.params : [] };
    }
    case 'sql': {
      const prepared = await (await sqlValues()).prepareSql(block.code, values);
      // prepareSql also refuses every value of a block calling a function that runs SQL text (query_to_xml, dblink).
      if (prepared.problems.length > 0) return { ok: false, problems: prepared.problems.map((p) => ({ ...p, line: fileLine(block, p.line) })) };
      return { ok: true, code: prepared.code, env: {}, params: prepared.params };
    }
    default: {
      // PromQL never holds `${`, so its ${NAME:-x} defaults apply; a manifest may carry a script's own.
      const promql = block.action === 'promql';
      const prepared = substituteChecked(block.code, values, { defaults: promql });
      if (prepared.problems.length > 0) return { ok: false, problems: prepared.problems.map((p) => ({ ...p, line: fileLine(block, p.line) })) };
      // A value must not change how the block splits into queries (one with a newline could start another).
      if (promql && splitPromql(prepared.code).length !== splitPromql(block.code).length) {
        const message = 'with the values in place the block splits into a different number of PromQL queries; a value must not hold a line break or end an expression';
        const named = [...block.variables, ...(block.optionalVariables ?? [])].filter((v) => valueOf(values, v) !== undefined);
        return { ok: false, problems: named.map((variable) => ({ variable, line: fileLine(block, 1), code: 'not-provable', message })) };
      }
      return { ok: true, code: prepared.code, env: {}, params: [] };
    }
  }
}

/** Prepared requests of a run by block and target kind: values and code are fixed, so each is prepared once. */
export type BlockRequests = Map<string, BlockRequest>;

/** The request from `cache` (prepared before the run started), else prepared now and remembered. */
export async function cachedBlockRequest(cache: BlockRequests, block: Block, kind: TargetKind, values: ReadonlyMap<string, string>, verdict?: Verdict): Promise<BlockRequest> {
  const key = `${kind} ${block.id}`;
  let request = cache.get(key);
  if (!request) {
    request = await prepareBlockRequest(block, kind, values, verdict);
    cache.set(key, request);
  }
  return request;
}

/** "FILE:LINE: step ID: variable NAME: message", the form every refusal of a value is listed in. */
export function describeValueProblem(file: string, stepId: string, problem: ValueProblem): string {
  return `${file}:${problem.line}: step ${stepId}: variable ${problem.variable}: ${problem.message} [${problem.code}]`;
}
