// Decides what a block sends to the server, before anything is sent: refusals (meta-commands, a shell
// block that is not psql lines, a block that cannot be split safely) need neither a connection nor a
// password prompt.
//   sql without parameters → the whole block in one simple-protocol query: one result set per statement,
//                            and PostgreSQL runs it as one implicit transaction.
//   sql with parameters    → one extended-protocol query per statement, each with the values it uses;
//                            marked atomic so the executor wraps it in BEGIN/COMMIT, keeping the same
//                            all-or-nothing meaning as the unparameterised block.
//   shell                  → each psql -c text as a simple-protocol query on the bound target.
import type { ExecutionRequest } from '../types.js';
import { NOT_PSQL, parsePsqlLines, type PsqlConnectionFlags } from './psql-lines.js';
import { bindStatement, isTransactionControl, lineAndColumn, scanSql, type SqlScan } from './sql-split.js';
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

export type BlockPlan =
  | { ok: true; units: SqlUnit[]; atomic: boolean; notes: string[] }
  | { ok: false; error: string };

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

function wholeBlock(code: string, scan: SqlScan): SqlUnit {
  const n = scan.statements.length;
  return {
    text: code,
    statementCount: n,
    failedStatement: (completed) => {
      const statement = scan.statements[completed];
      return n > 1 && statement ? `statement ${completed + 1} of ${n} (line ${statement.line})` : null;
    },
    locate: (position) => {
      const { line, column } = lineAndColumn(code, offsetOfPosition(code, position));
      return `line ${line}, column ${column}`;
    },
  };
}

function planSql(request: ExecutionRequest, standardConformingStrings: boolean): BlockPlan {
  const code = request.code;
  const scan = scanSql(code, { standardConformingStrings });
  const meta = metaCommandError(scan, '');
  if (meta) return { ok: false, error: meta };
  const params = request.params ?? [];
  if (params.length === 0) {
    if (scan.statements.length === 0) return { ok: true, units: [], atomic: false, notes: ['the block holds no SQL statement'] };
    return { ok: true, units: [wholeBlock(code, scan)], atomic: false, notes: [] };
  }

  const refuse = (why: string): BlockPlan => ({
    ok: false,
    error: `cannot run this block with bind parameters: ${why}`,
  });
  if (scan.problem) return refuse(`it cannot be split into statements safely (${scan.problem})`);
  const n = scan.statements.length;
  const units: SqlUnit[] = [];
  for (const [index, statement] of scan.statements.entries()) {
    const label = `statement ${index + 1} of ${n} (line ${statement.line})`;
    const tooHigh = statement.params.find((p) => p.n > params.length);
    if (tooHigh) return refuse(`${label} uses $${tooHigh.n}, but there ${params.length === 1 ? 'is 1 parameter' : `are ${params.length} parameters`}`);
    if (statement.params.length > 0 && (statement.definesRoutine || statement.keywords[0] === 'prepare')) {
      return refuse(`${label} is a ${statement.definesRoutine ? 'function or procedure definition' : 'PREPARE'} using $${statement.params[0]?.n}, which could be its own argument rather than a bind parameter; put the variable in a separate block`);
    }
    const bound = bindStatement(statement);
    units.push({
      text: bound.text,
      ...(bound.uses.length > 0 ? { values: bound.uses.map((k) => paramText(params[k - 1])) } : {}),
      statementCount: 1,
      failedStatement: () => (n > 1 ? label : null),
      locate: (position) => {
        const { line, column } = lineAndColumn(code, bound.blockOffset(offsetOfPosition(bound.text, position)));
        return `line ${line}, column ${column}`;
      },
    });
  }
  return { ok: true, units, atomic: n > 1 && !scan.statements.some(isTransactionControl), notes: [] };
}

const FLAG_NAMES: Record<keyof PsqlConnectionFlags, string> = { host: '-h', port: '-p', user: '-U', database: '-d' };

function planPsql(request: ExecutionRequest, target: PlanTarget, standardConformingStrings: boolean): BlockPlan {
  const lines = parsePsqlLines(request.code);
  if (!lines.ok) return { ok: false, error: lines.reason };
  const units: SqlUnit[] = [];
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
      const scan = scanSql(command, { standardConformingStrings });
      const meta = metaCommandError(scan, `${where}, `);
      if (meta) return { ok: false, error: `${NOT_PSQL}: ${meta}` };
      if (scan.statements.length === 0) continue;
      units.push({
        text: command,
        statementCount: scan.statements.length,
        failedStatement: (completed) => (scan.statements.length > 1 ? `${where}, statement ${completed + 1}` : where),
        locate: (position) => {
          const { line, column } = lineAndColumn(command, offsetOfPosition(command, position));
          return `line ${line}, column ${column} of its -c text`;
        },
      });
    }
  }
  return { ok: true, units, atomic: false, notes };
}

export function planBlock(request: ExecutionRequest, target: PlanTarget, options: { standardConformingStrings: boolean }): BlockPlan {
  switch (request.action) {
    case 'sql':
      return planSql(request, options.standardConformingStrings);
    case 'shell':
      return planPsql(request, target, options.standardConformingStrings);
    default:
      return { ok: false, error: `a postgres target runs sql blocks and psql lines, not ${request.action} blocks` };
  }
}
