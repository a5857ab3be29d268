// SQL is read-only only when PostgreSQL's own parse tree (libpg-query) proves it: every statement is a
// SELECT (no INTO, no FOR UPDATE/SHARE, no data-modifying WITH anywhere), SHOW, plain EXPLAIN, or EXPLAIN
// ANALYZE of a statement that is itself read-only; and every function called anywhere is a side-effect-free
// built-in, and every operator (a function too) a built-in one. Anything else, including text that does
// not parse, may change state.
//
// What the text cannot prove: a parse tree does not say which function a name resolves to in the target
// database. `t.col` may be attribute notation for a function col(t) (PostgreSQL calls col(t) when t has no
// column col); a view in FROM may call any function; a cast to a domain runs its CHECK functions; an
// operator with a built-in name may be defined again for other argument types in another schema on the
// search_path; a table's column defaults, RLS policies or index expressions are not visible here either.
// These are not decided here: SQL proven read-only by this verdict is run by the server inside a READ ONLY
// transaction (the backstop), which refuses writes to tables and sequences whatever calls them. The
// verdict only keeps what the text does show — statements, functions, operators — off the read-only path.
import {
  type AstNode,
  OffsetMap,
  lineAt,
  loadSqlGrammar,
  metaCommandsIn,
  parseStatements,
  sqlGrammarReady,
} from '../../targets/postgres/sql-split.js';
import { PLACEHOLDER } from '../substitute.js';
import { BETWEEN_OPERATORS, READ_ONLY_OPERATORS, functionAllowed, functionRefusal } from './sql-functions.js';
import { type Verdict, type VerdictCode, changes, readOnly } from './types.js';

/** Loading the grammar, and whether it is loaded (the synchronous verdict can run), as sql-split has them. */
export { loadSqlGrammar, sqlGrammarReady as sqlGrammarLoaded };

/**
 * $NAME / ${NAME} as sql-values reads them, but never part of $tag$ dollar quoting ($$BEGIN …, $body$)
 * nor of a name holding "$" (a$b): replacing those would break the quoting, not stand for a value.
 */
const DOLLAR = /(?<![A-Za-z0-9_$])\$\{([A-Za-z_][A-Za-z0-9_]*)\}|(?<![A-Za-z0-9_$])\$([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_$])/g;

interface Marked {
  code: string;
  /** Marker identifier → the variable as written, for messages. */
  variables: Map<string, string>;
}

/**
 * Each variable becomes a marker identifier: values are data (a bind parameter or an escaped identifier,
 * never syntax), and an identifier parses wherever either can stand. No newline is added, so lines stay.
 */
function markVariables(code: string): Marked {
  let prefix = 'rbc_var_';
  while (code.toLowerCase().includes(prefix)) prefix += 'x';
  const variables = new Map<string, string>();
  const mark = (written: string) => {
    const marker = `${prefix}${variables.size}`;
    variables.set(marker, written);
    return marker;
  };
  const marked = code.replace(PLACEHOLDER, (m) => mark(m)).replace(DOLLAR, (m) => mark(m));
  return { code: marked, variables };
}

interface Problem {
  code: VerdictCode;
  /** Byte offset in the parsed text (libpg-query's `location`), or null for the statement's own line. */
  location: number | null;
  message: string;
}

const STATEMENT_WORDS: Record<string, string> = {
  InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE', CopyStmt: 'COPY', CallStmt: 'CALL',
  DoStmt: 'DO', VariableSetStmt: 'SET', TransactionStmt: 'transaction control', TruncateStmt: 'TRUNCATE',
  VacuumStmt: 'VACUUM/ANALYZE', LockStmt: 'LOCK', CreateTableAsStmt: 'CREATE TABLE AS', DeclareCursorStmt: 'DECLARE',
  ExecuteStmt: 'EXECUTE', PrepareStmt: 'PREPARE', ListenStmt: 'LISTEN', NotifyStmt: 'NOTIFY',
};

/** "DELETE" for a DeleteStmt, else the statement's first two words as written. */
function statementName(kind: string, text: string): string {
  const known = STATEMENT_WORDS[kind];
  if (known) return known;
  const words = text.trim().split(/\s+/).slice(0, 2).join(' ').replace(/;$/, '').toUpperCase();
  return words || kind.replace(/Stmt$/, '');
}

const nodeType = (node: AstNode): string => Object.keys(node)[0] ?? 'unknown';
const body = (node: AstNode): AstNode => (Object.values(node)[0] ?? {}) as AstNode;
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function stringsOf(list: unknown): string[] {
  return asList(list).map((n) => ((n as { String?: { sval?: string } }).String?.sval ?? ''));
}

/** The explain options hold ANALYZE, not turned off (ANALYZE false / off / 0). */
function explainAnalyzes(explain: AstNode): boolean {
  for (const option of asList(explain.options)) {
    const def = (option as { DefElem?: { defname?: string; arg?: AstNode } }).DefElem;
    if (def?.defname !== 'analyze') continue;
    const arg = def.arg as { String?: { sval?: string }; Boolean?: { boolval?: boolean }; Integer?: { ival?: number } } | undefined;
    if (!arg) return true;
    if (arg.String) return !/^(false|off|no|0)$/i.test(arg.String.sval ?? '');
    if (arg.Boolean) return arg.Boolean.boolval === true;
    if (arg.Integer) return (arg.Integer.ival ?? 0) !== 0;
    return true;
  }
  return false;
}

/** Why an operator (possibly schema-qualified) is not known to be a read-only built-in; null when it is. */
function operatorProblem(name: string[], between: boolean): string | null {
  const op = name[name.length - 1] ?? '';
  const schema = name.length > 1 ? name.slice(0, -1).join('.') : null;
  const written = name.join('.');
  if (schema !== null && schema !== 'pg_catalog') return `the operator ${written} is not a built-in read-only operator (an operator calls a function)`;
  if (between ? BETWEEN_OPERATORS.has(op) : READ_ONLY_OPERATORS.has(op)) return null;
  return `the operator ${written || '(unnamed)'} is not a built-in read-only operator (an operator calls a function, CREATE OPERATOR can name any one)`;
}

/**
 * Walks every node under `node`: function calls must be allowed; a SELECT may not write (INTO) or lock;
 * a WITH may only hold queries; any other statement nested inside is a write.
 */
function walk(node: unknown, found: Problem[], variables: Map<string, string>, insideCte: boolean): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, found, variables, insideCte);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (!/^[A-Z]/.test(key) || value === null || typeof value !== 'object' || Array.isArray(value)) {
      walk(value, found, variables, insideCte);
      continue;
    }
    const fields = value as AstNode;
    const location = typeof fields.location === 'number' ? fields.location : null;
    switch (key) {
      case 'FuncCall': {
        const name = stringsOf(fields.funcname);
        const fn = name[name.length - 1] ?? '';
        const schema = name.length > 1 ? name.slice(0, -1).join('.') : null;
        const variable = variables.get(fn) ?? (schema ? variables.get(schema) : undefined);
        if (variable) found.push({ code: 'sql-function-not-allowed', location, message: `the function called is named by ${variable}; which one runs is not known` });
        else if (schema !== null && schema !== 'pg_catalog') found.push({ code: 'sql-function-not-allowed', location, message: `${name.join('.')} is not a built-in read-only function` });
        else if (!functionAllowed(fn)) {
          const reason = functionRefusal(fn);
          found.push({ code: 'sql-function-not-allowed', location, message: reason ? `${fn} ${reason}` : `${fn} is not on the read-only function list` });
        }
        break;
      }
      case 'A_Expr': {
        const name = stringsOf(fields.name);
        const between = /BETWEEN/.test(String(fields.kind));
        const problem = operatorProblem(name, between);
        if (problem) found.push({ code: 'sql-function-not-allowed', location, message: problem });
        break;
      }
      case 'SortBy': {
        const problem = asList(fields.useOp).length > 0 ? operatorProblem(stringsOf(fields.useOp), false) : null;
        if (problem) found.push({ code: 'sql-function-not-allowed', location, message: `ORDER BY … USING: ${problem}` });
        break;
      }
      case 'SubLink': {
        const problem = asList(fields.operName).length > 0 ? operatorProblem(stringsOf(fields.operName), false) : null;
        if (problem) found.push({ code: 'sql-function-not-allowed', location, message: problem });
        break;
      }
      case 'RangeTableSample': {
        // A sampling method is a handler function; only the built-in ones (and the contrib ones) are known.
        const method = stringsOf(fields.method).join('.');
        if (!['system', 'bernoulli', 'system_rows', 'system_time'].includes(method)) {
          found.push({ code: 'sql-function-not-allowed', location, message: `TABLESAMPLE ${method} is not a known read-only sampling method` });
        }
        break;
      }
      case 'SelectStmt':
        if (fields.intoClause) found.push({ code: 'sql-select-into', location: null, message: 'SELECT … INTO creates a table' });
        if (asList(fields.lockingClause).length > 0) found.push({ code: 'sql-locking', location: null, message: 'SELECT … FOR UPDATE/SHARE locks rows' });
        break;
      case 'CommonTableExpr': {
        const query = fields.ctequery as AstNode | undefined;
        const kind = query ? nodeType(query) : 'unknown';
        if (kind !== 'SelectStmt') {
          found.push({ code: 'sql-modifying-cte', location, message: `WITH ${String(fields.ctename ?? '')} AS (${STATEMENT_WORDS[kind] ?? kind} …) changes data` });
          // Its own problems would only repeat the point.
          continue;
        }
        break;
      }
      default:
        if (/Stmt$/.test(key)) {
          found.push({ code: insideCte ? 'sql-modifying-cte' : 'sql-writes', location: null, message: `${STATEMENT_WORDS[key] ?? key} inside the statement changes state` });
          continue;
        }
    }
    walk(fields, found, variables, insideCte || key === 'CommonTableExpr');
  }
}

/** Problems of one statement (`text`: as written, for naming it), in the order they stand. */
function judgeStatement(node: AstNode, text: string, variables: Map<string, string>): Problem[] {
  const kind = nodeType(node);
  const fields = body(node);
  const found: Problem[] = [];
  switch (kind) {
    case 'SelectStmt':
      walk(node, found, variables, false);
      return found;
    case 'VariableShowStmt':
      return found;
    case 'ExplainStmt': {
      const query = (fields.query ?? {}) as AstNode;
      if (explainAnalyzes(fields)) {
        const inner = judgeStatement(query, '', variables);
        // EXPLAIN ANALYZE runs the statement: it is exactly as read-only as the statement.
        if (inner.some((p) => p.code === 'sql-writes')) {
          return [{ code: 'sql-explain-analyze-write', location: null, message: `EXPLAIN ANALYZE runs the ${statementName(nodeType(query), '')} it explains` }];
        }
        return inner;
      }
      // A plain EXPLAIN only plans; planning may still evaluate functions, so those must be allowed.
      walk(body(query), found, variables, false);
      return found.filter((p) => p.code === 'sql-function-not-allowed');
    }
    default:
      return [{ code: 'sql-writes', location: null, message: `${statementName(kind, text)} is not a read-only statement` }];
  }
}

/** The verdict on SQL; the grammar must be loaded (`loadSqlGrammar`). */
export function sqlVerdictSync(code: string): Verdict {
  const marked = markVariables(code);
  // One lexer pass and one parse: the meta-commands are read from the same tokens the statements were.
  const parsed = parseStatements(marked.code);
  const meta = metaCommandsIn(marked.code, parsed.tokens)[0];
  if (meta) {
    return changes('sql-meta-command', `line ${meta.line}: ${meta.command} is a psql meta-command; whether it changes state is not known (and it is not run here)`);
  }
  if (!parsed.ok) return changes('sql-parse-error', `line ${parsed.error.line}: does not parse: ${parsed.error.message}`);
  if (parsed.statements.length === 0) return readOnly('sql-read-only', 'no statements');
  const offsets = new OffsetMap(marked.code);
  for (const statement of parsed.statements) {
    const first = judgeStatement(statement.node, statement.text, marked.variables)[0];
    if (!first) continue;
    const line = first.location === null ? statement.line : lineAt(marked.code, offsets.fromBytes(first.location));
    return changes(first.code, `line ${line}: ${first.message}`);
  }
  const kinds = [...new Set(parsed.statements.map((s) => statementName(s.kind, s.text).split(' ')[0]))];
  return readOnly('sql-read-only', `${parsed.statements.length} statement${parsed.statements.length === 1 ? '' : 's'} (${kinds.join(', ')}), all read-only`);
}
