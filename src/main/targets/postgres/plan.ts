// Decides what a block sends to the server, before anything is sent: refusals (meta-commands, a shell
// block that is not psql lines, a block that cannot be split safely) need neither a connection nor a
// password prompt. Statement bounds and $n come from PostgreSQL's own grammar (sql-split.ts).
//   sql without parameters → the whole block in one simple-protocol query: one result set per statement,
//                            and PostgreSQL runs it as one implicit transaction.
//   sql with parameters    → one extended-protocol query per statement, each with the values it uses
//                            (renumbered $1…$k); one atomic group, which the executor wraps in
//                            BEGIN/COMMIT, keeping the all-or-nothing meaning of the unparameterised block.
//   shell                  → each psql -c text on the bound target: as one simple-protocol query, or,
//                            when it holds $n of the block's parameters, statement by statement as above
//                            (its own atomic group). The block's parameters are numbered across its -c texts.
// A block is cut only where the server's grammar ends statements, and only when that cannot depend on the
// server's standard_conforming_strings (no plain '…' with a backslash; sql-values writes those as E'…').
import type { ExecutionRequest } from '../types.js';
import { NOT_PSQL, parsePsqlLines, type PsqlConnectionFlags } from './psql-lines.js';
import { type SqlScan, bindStatement, isSettingDependentString, isTransactionControl, lineAndColumn, lineAt, loadSqlGrammar, splitSql } from './sql-split.js';
import { paramText } from './values.js';

export interface SqlUnit {
  text: string;
  /** Extended protocol with these values; absent for the simple protocol. */
  values?: (string | null)[];
  /** For messages: which statement failed, given how many result sets the unit returned before the error. */
  failedStatement(completed: number): string | null;
  /** The server's 1-based character position in `text`, as words ("line 3, column 7"). */
  locate(position: number): string | null;
  /** Statements in the unit (an error after the first means earlier ones shared its implicit transaction). */
  statementCount: number;
}

/** Units that run one after another; an atomic group is wrapped in BEGIN … COMMIT when no transaction is open. */
export interface UnitGroup {
  units: SqlUnit[];
  atomic: boolean;
  /** Said in the result's notes when the group was wrapped. */
  atomicNote: string;
}

export type BlockPlan = { ok: true; groups: UnitGroup[]; notes: string[] } | { ok: false; error: string };

export interface PlanTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  endpoint: string;
}

/** JavaScript string offset of the server's 1-based position, which counts characters, not UTF-16 units. */
export function offsetOfPosition(text: string, position: number): number {
  let offset = 0;
  for (let chars = 1; chars < position && offset < text.length; chars++) {
    offset += (text.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
  }
  return offset;
}

function metaCommandError(scan: SqlScan, where: string): string | null {
  const meta = scan.metaCommands[0];
  if (!meta) return null;
  return `${where}line ${meta.line}: ${meta.command} is a psql meta-command, not SQL; the server cannot run it (bind the block to a shell target to run it with psql)`;
}

const WHOLE_BLOCK_NOTE = 'ran the statements in one transaction (BEGIN … COMMIT), as PostgreSQL runs a multi-statement block without parameters';

/** The text as one simple-protocol query; `label`/`where` word its messages. */
function wholeText(code: string, scan: SqlScan, label: (index: number, line: number) => string | null, where: string): SqlUnit {
  return {
    text: code,
    statementCount: scan.statements.length,
    failedStatement: (completed) => {
      const statement = scan.statements[completed];
      return label(completed, statement?.line ?? 1);
    },
    locate: (position) => {
      const { line, column } = lineAndColumn(code, offsetOfPosition(code, position));
      return `line ${line}, column ${column}${where}`;
    },
  };
}

/**
 * The statements of a text holding $n of the block's parameters, one unit each with the values it uses.
 * `params` are the block's; `label` words a statement for messages.
 */
function parameterised(
  code: string,
  scan: SqlScan,
  params: unknown[],
  label: (index: number, line: number) => string | null,
  where: string,
): { ok: true; units: SqlUnit[]; transactionControl: boolean } | { ok: false; why: string } {
  // Cutting a block sends each piece alone, so the pieces must be the server's statements exactly.
  if (scan.problem) return { ok: false, why: `it does not parse (line ${scan.problem.line}: ${scan.problem.message}), so it cannot be split into statements safely` };
  // The grammar reads '…' with standard_conforming_strings on; a server (or an earlier SET) may have it off,
  // and then a backslash in '…' would move where the server ends the string. E'…' reads the same either way.
  const odd = scan.tokens?.find(isSettingDependentString);
  if (odd) {
    return { ok: false, why: `the '…' string with a backslash at line ${lineAt(code, odd.start)} means something else when the server's standard_conforming_strings is off, so where it ends is not certain (write it as E'…')` };
  }
  const units: SqlUnit[] = [];
  for (const [index, statement] of scan.statements.entries()) {
    const name = label(index, statement.line) ?? `the statement (line ${statement.line})`;
    const tooHigh = statement.params.find((p) => p.n > params.length);
    if (tooHigh) return { ok: false, why: `${name} uses $${tooHigh.n}, but there ${params.length === 1 ? 'is 1 parameter' : `are ${params.length} parameters`}` };
    const routine = statement.kind === 'CreateFunctionStmt';
    if (statement.params.length > 0 && (routine || statement.kind === 'PrepareStmt')) {
      return { ok: false, why: `${name} is a ${routine ? 'function or procedure definition' : 'PREPARE'} using $${statement.params[0]?.n}, which could be its own argument rather than a bind parameter; put the variable in a separate block` };
    }
    const bound = bindStatement(statement);
    units.push({
      text: bound.text,
      ...(bound.uses.length > 0 ? { values: bound.uses.map((k) => paramText(params[k - 1])) } : {}),
      statementCount: 1,
      failedStatement: () => label(index, statement.line),
      locate: (position) => {
        const { line, column } = lineAndColumn(code, bound.blockOffset(offsetOfPosition(bound.text, position)));
        return `line ${line}, column ${column}${where}`;
      },
    });
  }
  return { ok: true, units, transactionControl: scan.statements.some(isTransactionControl) };
}

function planSql(request: ExecutionRequest): BlockPlan {
  const code = request.code;
  const scan = splitSql(code);
  const meta = metaCommandError(scan, '');
  if (meta) return { ok: false, error: meta };
  const params = request.params ?? [];
  const n = scan.statements.length;
  const label = (index: number, line: number) => (n > 1 ? `statement ${index + 1} of ${n} (line ${line})` : null);
  if (n === 0) return { ok: true, groups: [], notes: ['the block holds no SQL statement'] };
  if (params.length === 0) return { ok: true, groups: [{ units: [wholeText(code, scan, label, '')], atomic: false, atomicNote: '' }], notes: [] };

  const split = parameterised(code, scan, params, label, '');
  if (!split.ok) return { ok: false, error: `cannot run this block with bind parameters: ${split.why}` };
  return { ok: true, groups: [{ units: split.units, atomic: n > 1 && !split.transactionControl, atomicNote: WHOLE_BLOCK_NOTE }], notes: [] };
}

const FLAG_NAMES: Record<keyof PsqlConnectionFlags, string> = { host: '-h', port: '-p', user: '-U', database: '-d' };

function planPsql(request: ExecutionRequest, target: PlanTarget): BlockPlan {
  const lines = parsePsqlLines(request.code);
  if (!lines.ok) return { ok: false, error: lines.reason };
  const params = request.params ?? [];
  const groups: UnitGroup[] = [];
  const notes: string[] = [];
  for (const invocation of lines.invocations) {
    const differing = (Object.keys(FLAG_NAMES) as (keyof PsqlConnectionFlags)[])
      .filter((key) => invocation.flags[key] !== undefined && invocation.flags[key] !== String(target[key]))
      .map((key) => `${FLAG_NAMES[key]} ${invocation.flags[key]}`);
    if (differing.length > 0) {
      notes.push(`psql line ${invocation.line} names ${differing.join(', ')}; it ran on the bound target ${target.endpoint} instead`);
    }
    for (const [index, command] of invocation.commands.entries()) {
      const where = `psql line ${invocation.line}${invocation.commands.length > 1 ? ` (-c #${index + 1})` : ''}`;
      const scan = splitSql(command);
      const meta = metaCommandError(scan, `${where}, `);
      if (meta) return { ok: false, error: `${NOT_PSQL}: ${meta}` };
      const n = scan.statements.length;
      if (n === 0) continue;
      const label = (i: number) => (n > 1 ? `${where}, statement ${i + 1}` : where);
      if (params.length === 0 || scan.statements.every((s) => s.params.length === 0)) {
        groups.push({ units: [wholeText(command, scan, label, ' of its -c text')], atomic: false, atomicNote: '' });
        continue;
      }
      const split = parameterised(command, scan, params, label, ' of its -c text');
      if (!split.ok) return { ok: false, error: `cannot run ${where} with bind parameters: ${split.why}` };
      groups.push({
        units: split.units,
        atomic: n > 1 && !split.transactionControl,
        atomicNote: `${where}: ran its statements in one transaction (BEGIN … COMMIT), as psql runs a -c text`,
      });
    }
  }
  return { ok: true, groups, notes };
}

/** What the block sends; loads PostgreSQL's grammar on first use. */
export async function planBlock(request: ExecutionRequest, target: PlanTarget): Promise<BlockPlan> {
  await loadSqlGrammar();
  switch (request.action) {
    case 'sql':
      return planSql(request);
    case 'shell':
      return planPsql(request, target);
    default:
      return { ok: false, error: `a postgres target runs sql blocks and psql lines, not ${request.action} blocks` };
  }
}
