// Variable values in SQL are data, never code. PostgreSQL's own grammar (libpg-query) decides where each
// variable stands: each is first replaced by a unique marker identifier, the block is lexed and parsed,
// and only then is each marker given its value —
//   a literal (a bare placeholder in an expression, or inside a string constant of any spelling) → a bind
//     parameter $n whose value is the constant's text with the values put in;
//   an identifier (a bare or "quoted" name the placeholder fills entirely) → pg's escapeIdentifier;
//   a comment → left as written, no value used;
//   anywhere else → a problem, and the block is refused.
// The rewritten block is parsed again and must give exactly the parse tree expected (locations aside);
// otherwise it is refused too. A text calling a function that runs SQL text it is given (query_to_xml,
// dblink …) takes no values at all. Every problem of the block is listed.
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import {
  type AstNode,
  OffsetMap,
  type SqlSyntaxError,
  type SqlToken,
  cutAtSemicolons,
  isComment,
  isSettingDependentString,
  lineAt,
  loadSqlGrammar,
  parseStatements,
  scanTokens,
} from '../targets/postgres/sql-split.js';
import { parsePsqlLines, type PsqlConnectionFlags } from '../targets/postgres/psql-lines.js';
import { logicalLines } from '../runbook/shell-lexer.js';
import { parse as parseShellWords } from 'shell-quote';
import { posixShellWord } from '../../shared/shell-quote.js';

export interface SqlValueProblem {
  variable: string;
  /** 1-based line within the block. */
  line: number;
  code: SqlValueProblemCode;
  message: string;
}

export type SqlValueProblemCode =
  /** Inside a DO block or a function/procedure body (quoted or BEGIN ATOMIC). */
  | 'in-function-body'
  /** A value inside PREPARE … AS: a $n there would be the prepared statement's own parameter. */
  | 'in-prepare'
  /** Where the grammar wants a keyword, an operator or punctuation, or inside such a token. */
  | 'in-keyword'
  /** Part of a larger name, or of a "quoted identifier" it does not fill. */
  | 'partial-identifier'
  /** Right after a backslash in E'…' or U&'…': the escape would eat the value's start. */
  | 'in-escape'
  /** A string the grammar takes as part of the statement (COPY file name, COMMENT text, SET value, B'…' …). */
  | 'not-bindable'
  /** The value cannot be a name: empty, over 63 bytes (the server would truncate it) or holding NUL. */
  | 'not-an-identifier'
  /** The name of a function to call. */
  | 'function-name'
  /** The block already has $n of its own; added parameters would be confused with them. */
  | 'positional-parameter'
  /** The block does not parse. */
  | 'parse-error'
  /** The rewritten block did not parse to the expected tree. */
  | 'not-provable'
  /** psql lines: the value stands somewhere a psql line cannot take it. */
  | 'not-psql'
  /** The text calls a function that runs SQL text it is given (query_to_xml, dblink …): every value is refused. */
  | 'evaluated-block'
  /** A shell expansion with an operator (${NAME:-x}, ${#NAME} …), which SQL has no meaning for. */
  | 'parameter-expansion';

export interface PreparedSql {
  code: string;
  params: string[];
  problems: SqlValueProblem[];
}

export interface PrepareSqlOptions {
  /** Number of the first bind parameter (for texts that share one parameter list, as a block's psql -c lines). */
  firstParam?: number;
}

const DOLLAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_$])/g;
const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*)>/g;
/** ${NAME with an operator or a prefix: ${NAME:-x}, ${NAME%x}, ${#NAME}, ${!NAME}, ${NAME[0]} … (not ${NAME}). */
const SHELL_FORM = /\$\{(?:[#!]([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*)(?=[^A-Za-z0-9_}]))/g;
/** The server truncates longer names (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_BYTES = 63;

interface Found {
  /** The key the value was found under: "<NAME>" or "NAME". */
  variable: string;
  value: string;
  /** Offsets in the block. */
  start: number;
  end: number;
  line: number;
}

interface Occurrence extends Found {
  marker: string;
  /** Offsets of the marker in the marked text. */
  mStart: number;
  mEnd: number;
}

/** The variables that have a value, in order. `$tag$` (dollar quote) and `$1` are SQL, not variables. */
function findOccurrences(code: string, values: ReadonlyMap<string, string>): Found[] {
  const found: Found[] = [];
  for (const m of code.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    const variable = values.has(`<${name}>`) ? `<${name}>` : values.has(name) ? name : null;
    if (variable === null) continue;
    found.push({ variable, value: values.get(variable) as string, start: m.index, end: m.index + m[0].length, line: lineAt(code, m.index) });
  }
  for (const m of code.matchAll(DOLLAR)) {
    const variable = (m[1] ?? m[2]) as string;
    const value = values.get(variable);
    if (value === undefined) continue;
    found.push({ variable, value, start: m.index, end: m.index + m[0].length, line: lineAt(code, m.index) });
  }
  found.sort((a, b) => a.start - b.start);
  return found.filter((o, i) => i === 0 || o.start >= (found[i - 1] as { end: number }).end);
}

/** A marker prefix that occurs nowhere in the text: lower case, as the lexer folds unquoted names. */
function markerPrefix(code: string): string {
  const lower = code.toLowerCase();
  for (;;) {
    const prefix = `rbv${Math.random().toString(36).slice(2, 10).replace(/[^a-z0-9]/g, '')}`;
    if (prefix.length >= 9 && !lower.includes(prefix)) return prefix;
  }
}

interface Marked {
  /** The text with each occurrence replaced by its own marker. Markers hold no newline, so lines stay. */
  marked: string;
  occurrences: Occurrence[];
  /** Begins every marker: a text holds a marker when it holds this. */
  prefix: string;
  /** Every marker (global, for replace); group 1 is the occurrence's index. */
  markers: RegExp;
}

function markOccurrences(code: string, found: readonly Found[]): Marked {
  const prefix = markerPrefix(code);
  const occurrences: Occurrence[] = [];
  let marked = '';
  let at = 0;
  for (const [i, o] of found.entries()) {
    marked += code.slice(at, o.start);
    const marker = `${prefix}_${i}_`;
    occurrences.push({ ...o, marker, mStart: marked.length, mEnd: marked.length + marker.length });
    marked += marker;
    at = o.end;
  }
  marked += code.slice(at);
  return { marked, occurrences, prefix, markers: new RegExp(`${prefix}_(\\d+)_`, 'g') };
}

/** Every variable of the block refused for one reason. */
function refuseEvery(code: string, found: readonly Found[], codeName: SqlValueProblemCode, message: string): PreparedSql {
  return { code, params: [], problems: found.map((o) => ({ variable: o.variable, line: o.line, code: codeName, message })) };
}

type Path = (string | number)[];

/** What a replacement changes in the parse tree, by path from the statement's node. */
type Effect = { path: Path; kind: 'param'; n: number } | { path: Path; kind: 'string'; value: string };

interface Replacement {
  /** Offsets in the marked text. */
  mStart: number;
  mEnd: number;
  /** Its text, given its parameter number (numbers are given once every decision is made). */
  text: (n: number) => string;
  effects: (n: number) => Effect[];
  occurrences: Occurrence[];
  /** The bind parameter's value, for literals. */
  param: string | null;
  statement: number;
}

interface Recorded {
  path: Path;
  /** Inside a DO block or function body. */
  inBody: boolean;
  inPrepare: boolean;
  context: string;
}

interface ConstRecord extends Recorded {
  inner: Record<string, unknown>;
  cast: { typeLocation: number; castLocation: number; typmodLocations: number[] } | null;
}

interface StringRecord extends Recorded {
  value: string;
  /** The field holding it, e.g. "relname", "sval", "defname". */
  key: string | number | undefined;
}

interface StatementIndex {
  consts: Map<number, ConstRecord>;
  columnRefs: Map<number, Recorded & { field: string }>;
  strings: StringRecord[];
}

const isNodeType = (key: string) => /^[A-Z]/.test(key);

/** Indexes a statement's tree: constants and column references by offset, every string with where it is. */
function indexStatement(node: AstNode, offsetOf: (location: number) => number): StatementIndex {
  const index: StatementIndex = { consts: new Map(), columnRefs: new Map(), strings: [] };
  const visit = (value: unknown, path: Path, types: string[], inBody: boolean, inPrepare: boolean): void => {
    if (typeof value === 'string') {
      index.strings.push({ value, path, inBody, inPrepare, context: types.at(-1) ?? 'statement', key: path.at(-1) });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, [...path, i], types, inBody, inPrepare));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    const wrapper = keys.length === 1 && isNodeType(keys[0] as string) ? (keys[0] as string) : null;
    if (wrapper) {
      const inner = object[wrapper] as Record<string, unknown>;
      const context = { path, inBody, inPrepare, context: types.at(-1) ?? 'statement' };
      if (wrapper === 'A_Const' && typeof inner.location === 'number') {
        index.consts.set(offsetOf(inner.location), { ...context, inner, cast: null });
      } else if (wrapper === 'ColumnRef' && typeof inner.location === 'number') {
        const fields = inner.fields as AstNode[] | undefined;
        const only = fields?.length === 1 ? (fields[0]?.String as { sval?: string } | undefined)?.sval : undefined;
        if (only !== undefined) index.columnRefs.set(offsetOf(inner.location), { ...context, field: only });
      } else if (wrapper === 'TypeCast') {
        const arg = (inner.arg as AstNode | undefined)?.A_Const as { location?: number } | undefined;
        const typeName = inner.typeName as { location?: number; typmods?: AstNode[] } | undefined;
        if (arg && typeof arg.location === 'number' && typeName && typeof typeName.location === 'number') {
          const typmodLocations = (typeName.typmods ?? [])
            .map((t) => (t.A_Const as { location?: number } | undefined)?.location ?? -1)
            .filter((l) => l >= 0)
            .map(offsetOf);
          // Visited after this node: the record is completed below.
          pendingCasts.set(offsetOf(arg.location), { typeLocation: offsetOf(typeName.location), castLocation: inner.location as number, typmodLocations });
        }
      }
      const enteringBody = wrapper === 'DoStmt';
      visit(inner, [...path, wrapper], [...types, wrapper], inBody || enteringBody, inPrepare || wrapper === 'PrepareStmt');
      return;
    }
    const owner = types.at(-1);
    for (const key of keys) {
      if (key === 'location') continue;
      const child = object[key];
      // The body of CREATE FUNCTION/PROCEDURE: its AS '…' strings and its BEGIN ATOMIC … END statements.
      const body =
        owner === 'CreateFunctionStmt' && key === 'sql_body' ? true : owner === 'DefElem' && key === 'arg' && object.defname === 'as' && types.includes('CreateFunctionStmt');
      visit(child, [...path, key], types, inBody || body, inPrepare);
    }
  };
  const pendingCasts = new Map<number, ConstRecord['cast']>();
  visit(node, [], [], false, false);
  for (const [offset, cast] of pendingCasts) {
    const record = index.consts.get(offset);
    if (record) record.cast = cast;
  }
  return index;
}

function applyEffect(root: AstNode, effect: Effect): void {
  let container = root as unknown as Record<string | number, unknown>;
  for (const key of effect.path.slice(0, -1)) container = container[key] as Record<string | number, unknown>;
  const last = effect.path[effect.path.length - 1] as string | number;
  container[last] = effect.kind === 'param' ? { ParamRef: { number: effect.n } } : effect.value;
}

/** The tree without positions: a rewrite moves text, and only the structure must stay. */
function withoutLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocations);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key !== 'location' && key !== 'stmt_location' && key !== 'stmt_len') out[key] = withoutLocations(child);
  }
  return out;
}

/** Problems in block order (found per statement and per kind, listed by line; a stable sort keeps the rest). */
const byLine = (problems: SqlValueProblem[]) => problems.sort((a, b) => a.line - b.line);

/** Decodes a plain '…' literal as the server does with standard_conforming_strings on ('a' 'b' continuations included). */
function plainStringValue(text: string): string {
  return [...text.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] as string).replace(/''/g, "'")).join('');
}

/** The same string as E'…', which every server lexes the same whatever its standard_conforming_strings. */
function asEscapeString(value: string): string {
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

interface Analysis {
  problems: SqlValueProblem[];
  /** Occurrences a problem was listed for. */
  flagged: Set<Occurrence>;
  replacements: Replacement[];
}

function flag(analysis: Analysis, o: Occurrence, code: SqlValueProblemCode, message: string): void {
  analysis.problems.push({ variable: o.variable, line: o.line, code, message });
  analysis.flagged.add(o);
}

interface Statement {
  node: AstNode;
  offsetOf(location: number): number;
}

/** Statements the server takes bind parameters in; in any other ($n in CREATE VIEW, SET …) it refuses them. */
const TAKES_PARAMETERS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'ExplainStmt', 'DeclareCursorStmt', 'CreateTableAsStmt', 'CallStmt', 'ExecuteStmt']);

const BODY_MESSAGE = 'it is inside a DO block or a function body, which the server runs later as code of its own; a value cannot be proven data there';
const PREPARE_MESSAGE = "it is inside PREPARE … AS, where a $n is the prepared statement's own parameter; put the value in EXECUTE instead";

/** Token-level decisions, before any parse: a value is a whole name, or inside a string, or in a comment. */
function classifyTokens(live: Occurrence[], tokens: SqlToken[], analysis: Analysis): Map<Occurrence, SqlToken> {
  const tokenOf = new Map<Occurrence, SqlToken>();
  for (const o of live) {
    const token = tokens.find((t) => t.start <= o.mStart && o.mEnd <= t.end);
    if (!token) {
      flag(analysis, o, 'in-keyword', 'it is not a whole token of the statement');
      continue;
    }
    tokenOf.set(o, token);
    if (isStringToken(token)) continue;
    if (isNameToken(token)) {
      if (nameOf(token) !== o.marker) {
        flag(analysis, o, 'partial-identifier', /^(?:[uU]&)?"/.test(token.text) ? 'it is part of a quoted identifier it does not fill; a value is a whole name or none' : 'it is part of a larger name; a value is a whole name or none');
      }
      continue;
    }
    flag(analysis, o, 'in-keyword', `it is inside a ${token.keyword ? 'keyword' : 'token'}, where a value can never be data`);
  }
  return tokenOf;
}

const isStringToken = (token: SqlToken) => token.name === 'SCONST' || /^[uU]&'/.test(token.text) || /^[bBxX]'/.test(token.text);
const isNameToken = (token: SqlToken) => token.name === 'IDENT' || /^[uU]&"/.test(token.text);
/** The name a name token stands for ("…" unquoted, bare names folded to lower case). */
const nameOf = (token: SqlToken) =>
  /^(?:[uU]&)?"/.test(token.text) ? token.text.replace(/^(?:[uU]&)?"/, '').slice(0, -1).replace(/""/g, '"') : token.text.toLowerCase();

/**
 * Decides what each occurrence inside one parsed statement becomes, by where the grammar put it.
 * Offsets are in the marked text.
 */
function analyseStatement(statement: Statement, statementNumber: number, occurrences: Occurrence[], tokenOf: Map<Occurrence, SqlToken>, tokens: SqlToken[], marked: string, analysis: Analysis): void {
  const index = indexStatement(statement.node, statement.offsetOf);
  const problem = (o: Occurrence, code: SqlValueProblemCode, message: string) => flag(analysis, o, code, message);
  const kind = Object.keys(statement.node)[0] ?? 'statement';
  /** A value here must be a bind parameter: fine only where the server takes parameters. */
  const bindable = (own: Occurrence[]) => {
    if (TAKES_PARAMETERS.has(kind)) return true;
    for (const o of own) problem(o, 'not-bindable', `it stands for a value, and a ${kind.replace(/Stmt$/, '')} statement takes no bind parameters (only queries and DML do); write the value in the block, or use it as a name`);
    return false;
  };
  const byToken = new Map<SqlToken, Occurrence[]>();
  for (const o of occurrences) {
    const token = tokenOf.get(o);
    if (token && !analysis.flagged.has(o)) byToken.set(token, [...(byToken.get(token) ?? []), o]);
  }

  for (const [token, own] of byToken) {
    const first = own[0] as Occurrence;
    if (isStringToken(token)) {
      const record = index.consts.get(token.start);
      const inner = record?.inner.sval as { sval?: string } | undefined;
      if (!record || !inner) {
        const holders = index.strings.filter((s) => own.some((o) => s.value.includes(o.marker)));
        if (holders.some((s) => s.inBody)) for (const o of own) problem(o, 'in-function-body', BODY_MESSAGE);
        else {
          const where = holders[0]?.context ?? record?.context ?? 'the statement';
          for (const o of own) problem(o, 'not-bindable', `the grammar takes this string as part of the statement (${where}), not as a value a bind parameter can stand for`);
        }
        continue;
      }
      if (record.inBody || record.inPrepare) {
        for (const o of own) problem(o, record.inBody ? 'in-function-body' : 'in-prepare', record.inBody ? BODY_MESSAGE : PREPARE_MESSAGE);
        continue;
      }
      const decoded = inner.sval ?? '';
      const eaten = own.filter((o) => decoded.split(o.marker).length !== 2);
      for (const o of eaten) problem(o, 'in-escape', 'it follows a backslash in the string, and the escape would take the start of the value as its own');
      if (eaten.length > 0 || !bindable(own)) continue;
      let value = decoded;
      for (const o of own) value = value.replace(o.marker, () => o.value);
      let mStart = token.start;
      let mEnd = token.end;
      let text = (n: number) => `$${n}`;
      if (/^[uU]&'/.test(token.text)) {
        // U&'…' UESCAPE '!': the escape character belongs to the constant.
        const [word, escape] = tokens.filter((t) => t.start >= token.end && !isComment(t));
        if (word?.text.toUpperCase() === 'UESCAPE' && escape?.name === 'SCONST') mEnd = escape.end;
      }
      const cast = record.cast;
      if (cast && cast.castLocation === -1 && cast.typeLocation < token.start) {
        // A typed literal (interval '…', DATE '…'): "interval $1" is not SQL, CAST($1 AS interval) is.
        const inType = occurrences.filter((o) => o.mStart >= cast.typeLocation && o.mEnd <= token.start);
        if (inType.length > 0) {
          for (const o of [...own, ...inType]) problem(o, 'not-bindable', 'a typed literal whose type name holds a value cannot be proven');
          continue;
        }
        let type = marked.slice(cast.typeLocation, token.start).trim();
        if (/^n$/i.test(type)) type = 'pg_catalog.bpchar'; // N'…'
        const after = cast.typmodLocations.filter((l) => l > token.start);
        if (after.length > 0) {
          // An interval qualifier after the string ('1' DAY TO SECOND(3)) belongs to the type.
          const last = Math.max(...after);
          const rest = tokens.filter((t) => t.start >= token.end && !isComment(t));
          let j = rest.findIndex((t) => t.start > last);
          if (j === -1) j = rest.length;
          let depth = 0;
          for (const t of rest.slice(0, j)) depth += t.text === '(' ? 1 : t.text === ')' ? -1 : 0;
          while (depth > 0 && rest[j]?.text === ')') {
            depth--;
            j++;
          }
          mEnd = j > 0 ? (rest[j - 1] as SqlToken).end : token.end;
          type += ` ${marked.slice(token.end, mEnd).trim()}`;
        }
        mStart = cast.typeLocation;
        text = (n) => `CAST($${n} AS ${type})`;
      }
      analysis.replacements.push({ mStart, mEnd, text, effects: (n) => [{ path: record.path, kind: 'param', n }], occurrences: own, param: value, statement: statementNumber });
      continue;
    }

    // A name token the placeholder fills (checked by classifyTokens).
    const quoted = /^(?:[uU]&)?"/.test(token.text);
    const columnRef = quoted ? undefined : index.columnRefs.get(token.start);
    if (columnRef && columnRef.field === first.marker) {
      // A bare placeholder where the grammar reads an expression: a value.
      if (columnRef.inBody || columnRef.inPrepare) problem(first, columnRef.inBody ? 'in-function-body' : 'in-prepare', columnRef.inBody ? BODY_MESSAGE : PREPARE_MESSAGE);
      else if (bindable(own)) {
        const path = columnRef.path;
        analysis.replacements.push({ mStart: token.start, mEnd: token.end, text: (n) => `$${n}`, effects: (n) => [{ path, kind: 'param', n }], occurrences: own, param: first.value, statement: statementNumber });
      }
      continue;
    }
    const holders = index.strings.filter((s) => s.value === first.marker);
    if (holders.some((s) => s.inBody)) {
      problem(first, 'in-function-body', BODY_MESSAGE);
      continue;
    }
    // Option and setting names are spelled as identifiers, but they choose what the statement does
    // (EXPLAIN (ANALYZE) runs it; SET picks which setting changes): keywords in all but spelling.
    if (holders.some((s) => (s.context === 'DefElem' && s.key === 'defname') || (/^Variable(?:Set|Show)Stmt$/.test(s.context) && s.key === 'name'))) {
      problem(first, 'in-keyword', 'it names an option or a setting, which decides what the statement does; a value cannot choose that');
      continue;
    }
    // A function's name decides what runs (query_to_xml runs the query it is given): never a value's choice.
    if (holders.some((s) => s.path.includes('funcname'))) {
      problem(first, 'function-name', 'it names the function to call, which decides what runs; a value cannot choose that');
      continue;
    }
    const why = first.value === '' ? 'it is empty' : first.value.includes('\0') ? 'it holds a NUL' : Buffer.byteLength(first.value, 'utf8') > MAX_IDENTIFIER_BYTES ? `it is longer than ${MAX_IDENTIFIER_BYTES} bytes, which the server would cut` : null;
    if (why) {
      problem(first, 'not-an-identifier', `it stands for a name, and the value cannot be one (${why})`);
      continue;
    }
    const quotedValue = pg.escapeIdentifier(first.value);
    analysis.replacements.push({
      mStart: token.start,
      mEnd: token.end,
      text: () => quotedValue,
      effects: () => holders.map((s) => ({ path: s.path, kind: 'string' as const, value: first.value })),
      occurrences: own,
      param: null,
      statement: statementNumber,
    });
  }
}

/** Functions that run SQL given to them as text (the SQL counterpart of eval). */
const SQL_EVALUATORS = new Set(['query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'ts_stat', 'ts_rewrite', 'dblink', 'dblink_exec', 'dblink_open', 'dblink_send_query', 'dblink_fetch']);

/** The first function called in the parse trees that runs SQL text (by its last name part, any case), or null. */
function sqlEvaluator(nodes: AstNode[]): string | null {
  let found: string | null = null;
  const visit = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const call = (node as { FuncCall?: { funcname?: { String?: { sval?: string } }[] } }).FuncCall;
    const name = call?.funcname?.at(-1)?.String?.sval?.toLowerCase();
    if (name && SQL_EVALUATORS.has(name)) found = name;
    for (const value of Object.values(node)) visit(value);
  };
  visit(nodes);
  return found;
}

/**
 * Prepares a SQL block with the run's values: bind parameters ($1… in order of appearance) or escaped
 * identifiers, comments left alone, everything else refused with a problem each. A block without a
 * variable that has a value is returned unchanged. Needs the grammar loaded (loadSqlGrammar).
 */
export function prepareSqlSync(code: string, values: ReadonlyMap<string, string>, options: PrepareSqlOptions = {}): PreparedSql {
  // ${NAME:-x}, ${#NAME}, ${NAME%…} …: shell expansions SQL has no meaning for; a value there is never guessed into place.
  const shellForms = [...code.matchAll(SHELL_FORM)].map((m) => ({ name: (m[1] ?? m[2]) as string, at: m.index, text: m[0] })).filter((f) => values.has(f.name));
  if (shellForms.length > 0) {
    return {
      code,
      params: [],
      problems: shellForms.map((f) => ({ variable: f.name, line: lineAt(code, f.at), code: 'parameter-expansion' as const, message: `${f.text}…}: a shell expansion, which SQL does not have; a value goes into SQL only as $${f.name}, \${${f.name}} or <${f.name}>` })),
    };
  }
  const found = findOccurrences(code, values);
  if (found.length === 0) return { code, params: [], problems: [] };
  const refuseAll = (codeName: SqlValueProblemCode, message: string) => refuseEvery(code, found, codeName, message);

  const { marked, occurrences, markers } = markOccurrences(code, found);
  /** Offset in the block of an offset of the marked text outside any marker. */
  const original = (offset: number) => {
    let shift = 0;
    for (const o of occurrences) if (o.mEnd <= offset) shift += o.mEnd - o.mStart - (o.end - o.start);
    return offset - shift;
  };
  /** Messages quote the text as written, not the markers. */
  const asWritten = (text: string) => text.replace(markers, (_, i: string) => {
    const o = occurrences[Number(i)] as Occurrence;
    return code.slice(o.start, o.end);
  });
  const describe = (error: SqlSyntaxError) => `line ${error.line}: ${asWritten(error.message)}`;

  const scanned = scanTokens(marked);
  if (!scanned.ok) return refuseAll('parse-error', `the block does not parse (${describe(scanned.error)}), so the grammar cannot show where the value stands`);
  const tokens = scanned.tokens;
  const live = occurrences.filter((o) => !tokens.some((t) => isComment(t) && t.start <= o.mStart && o.mEnd <= t.end));
  if (live.length === 0) return { code, params: [], problems: [] };

  const analysis: Analysis = { problems: [], flagged: new Set(), replacements: [] };
  const { problems } = analysis;
  const problem = (o: Occurrence, codeName: SqlValueProblemCode, message: string) => flag(analysis, o, codeName, message);
  const tokenOf = classifyTokens(live, tokens, analysis);

  const parsed = parseStatements(marked, tokens);
  if (!parsed.ok) {
    // Still say what the grammar can: statements cut at top-level semicolons, each parsed on its own.
    for (const { tokens: own } of cutAtSemicolons(tokens)) {
      const from = (own[0] as SqlToken).start;
      const to = (own[own.length - 1] as SqlToken).end;
      const inside = live.filter((o) => o.mStart >= from && o.mEnd <= to && !analysis.flagged.has(o));
      if (inside.length === 0) continue;
      const text = marked.slice(from, to);
      const result = parseStatements(text);
      if (result.ok) {
        const pieceMap = new OffsetMap(text);
        for (const s of result.statements) analyseStatement({ node: s.node, offsetOf: (l) => from + pieceMap.fromBytes(l) }, -1, inside, tokenOf, tokens, marked, analysis);
        continue;
      }
      const errorAt = from + result.error.offset;
      for (const o of inside) {
        if (errorAt >= o.mStart && errorAt < o.mEnd) problem(o, 'in-keyword', `it stands where the grammar wants a keyword, an operator or punctuation, not a value or a name (${asWritten(result.error.message)})`);
        else problem(o, 'parse-error', `the statement does not parse (line ${lineAt(marked, errorAt)}: ${asWritten(result.error.message)}), so the grammar cannot show where the value stands`);
      }
    }
    for (const o of live) {
      if (!analysis.flagged.has(o)) problem(o, 'parse-error', `the block does not parse (${describe(parsed.error)}), so the grammar cannot show where the value stands`);
    }
    return { code, params: [], problems: byLine(problems) };
  }

  const statements = parsed.statements;
  const map = new OffsetMap(marked);
  for (const [i, s] of statements.entries()) {
    const inside = live.filter((o) => o.mStart >= s.start && o.mEnd <= s.end);
    analyseStatement({ node: s.node, offsetOf: (l) => map.fromBytes(l) }, i, inside, tokenOf, tokens, marked, analysis);
  }
  const replacements = analysis.replacements;
  const decided = new Set(replacements.flatMap((r) => r.occurrences));
  for (const o of live) if (!decided.has(o) && !analysis.flagged.has(o)) problem(o, 'in-keyword', 'it stands outside every statement');
  // A function that runs SQL text it is given would run a value as code, bound or not, as eval would:
  // any such call in the text refuses every value in it, besides each value's own problems.
  const evaluator = sqlEvaluator(statements.map((s) => s.node));
  if (evaluator) {
    for (const o of live) problem(o, 'evaluated-block', `the SQL calls ${evaluator}, which runs SQL text it is given; a value could reach it, so the SQL takes no values`);
  }

  if (tokens.some((t) => t.name === 'PARAM')) {
    for (const r of replacements) {
      if (r.param !== null) for (const o of r.occurrences) problem(o, 'positional-parameter', 'the block has $n parameters of its own, which a value added as a bind parameter would be confused with');
    }
  }

  // Plain '…' literals with a backslash mean something else on a server with standard_conforming_strings
  // off; written as E'…' they mean the same everywhere, as the proof below assumes.
  for (const t of tokens) {
    if (!isSettingDependentString(t) || replacements.some((r) => r.mStart <= t.start && t.end <= r.mEnd)) continue;
    const statement = statements.findIndex((s) => t.start >= s.start && t.end <= s.end);
    const text = asEscapeString(plainStringValue(t.text));
    replacements.push({ mStart: t.start, mEnd: t.end, text: () => text, effects: () => [], occurrences: [], param: null, statement });
  }
  replacements.sort((a, b) => a.mStart - b.mStart);

  const params: string[] = [];
  const numbers = new Map<Replacement, number>();
  for (const r of replacements) {
    if (r.param === null) continue;
    numbers.set(r, (options.firstParam ?? 1) + params.length);
    params.push(r.param);
  }
  const numberOf = (r: Replacement) => numbers.get(r) ?? 0;
  const rewrite = (chosen: Replacement[], text: string, offset: (markedOffset: number) => number) => {
    let out = '';
    let from = 0;
    for (const r of chosen) {
      out += text.slice(from, offset(r.mStart)) + r.text(numberOf(r));
      from = offset(r.mEnd);
    }
    return out + text.slice(from);
  };
  /** Which statements of `text` do not parse to the expected trees. */
  const mismatches = (text: string, chosen: Replacement[]): Set<number> => {
    const expected = statements.map((s) => structuredClone(s.node));
    for (const r of chosen) for (const effect of r.effects(numberOf(r))) applyEffect(expected[r.statement] as AstNode, effect);
    const result = parseStatements(text);
    const bad = new Set<number>();
    if (!result.ok || result.statements.length !== statements.length) statements.forEach((_, i) => bad.add(i));
    else result.statements.forEach((s, i) => isDeepStrictEqual(withoutLocations(s.node), withoutLocations(expected[i])) || bad.add(i));
    return bad;
  };

  // The proof, on the marked text first (where a failure can be pinned on one rewrite) …
  for (const i of mismatches(rewrite(replacements, marked, (o) => o), replacements)) {
    const own = replacements.filter((r) => r.statement === i);
    let blamed = false;
    for (const r of own) {
      if (!mismatches(rewrite([r], marked, (o) => o), [r]).has(i)) continue;
      blamed = true;
      for (const o of r.occurrences) {
        if (r.param !== null) problem(o, 'not-bindable', 'the grammar does not take a bind parameter where the value stands');
        else problem(o, 'not-provable', 'written as a quoted identifier, the statement would not parse to the same tree');
      }
    }
    if (!blamed) for (const r of own) for (const o of r.occurrences) problem(o, 'not-provable', 'the rewritten statement does not parse to the expected tree');
  }
  if (problems.length > 0) return { code, params: [], problems: byLine(problems) };

  // … then on the exact text that will run.
  const out = rewrite(replacements, code, original);
  if (mismatches(out, replacements).size > 0) {
    for (const o of live) problem(o, 'not-provable', 'the rewritten block does not parse to the expected tree');
    return { code, params: [], problems: byLine(problems) };
  }
  return { code: out, params, problems: [] };
}

export async function prepareSql(code: string, values: ReadonlyMap<string, string>, options: PrepareSqlOptions = {}): Promise<PreparedSql> {
  await loadSqlGrammar();
  return prepareSqlSync(code, values, options);
}

/**
 * A shell block of `psql … -c "…"` lines for a postgres target: each -c text is prepared as SQL (one
 * parameter list for the block, numbered across its -c texts); a value elsewhere on a psql line (-d <DB>)
 * becomes that whole word, which only names a connection setting the bound target overrides anyway.
 * Lines holding a value are written anew (one line each, on the line they started on); the result is read
 * back with the psql-lines reader and must give exactly the expected commands and settings.
 */
export function preparePsqlSync(code: string, values: ReadonlyMap<string, string>): PreparedSql {
  const found = findOccurrences(code, values);
  if (found.length === 0) return { code, params: [], problems: [] };
  const { marked, occurrences, prefix, markers } = markOccurrences(code, found);
  const hasMarker = (text: string) => text.includes(prefix);
  const occurrenceOf = (i: string) => occurrences[Number(i)] as Occurrence;
  /** The variables as written (for comments and for the SQL reader, which finds them again). */
  const restore = (text: string) => text.replace(markers, (_, i: string) => code.slice(occurrenceOf(i).start, occurrenceOf(i).end));
  const withValues = (text: string) => text.replace(markers, (_, i: string) => occurrenceOf(i).value);
  const refuseAll = (codeName: SqlValueProblemCode, message: string) => refuseEvery(code, found, codeName, message);

  const lines = parsePsqlLines(marked);
  if (!lines.ok) return refuseAll('not-psql', lines.reason);
  const problems: SqlValueProblem[] = [];
  const params: string[] = [];
  const preparedCommands = new Map<string, string>();
  let positional = false;
  for (const invocation of lines.invocations) {
    for (const command of invocation.commands) {
      const text = restore(command);
      const scanned = scanTokens(text);
      positional ||= scanned.ok && scanned.tokens.some((t) => t.name === 'PARAM');
      if (!hasMarker(command)) continue;
      const prepared = prepareSqlSync(text, values, { firstParam: params.length + 1 });
      // A -c text's lines count from its psql line (exact for a text on that line).
      problems.push(...prepared.problems.map((p) => ({ ...p, line: p.line + invocation.line - 1 })));
      params.push(...prepared.params);
      preparedCommands.set(command, prepared.code);
    }
  }
  if (positional && params.length > 0) {
    return refuseAll('positional-parameter', 'a -c text of the block has $n parameters of its own, which a value added as a bind parameter would be confused with');
  }
  if (problems.length > 0) return { code, params: [], problems: byLine(problems) };

  const commandText = (command: string) => preparedCommands.get(command) ?? withValues(command);
  const out: string[] = [];
  let lineCount = 0;
  const push = (text: string) => {
    out.push(text);
    lineCount += text.split('\n').length;
  };
  const expected: { commands: string[]; flags: PsqlConnectionFlags }[] = [];
  for (const logical of logicalLines(marked)) {
    while (lineCount < logical.line - 1) push('');
    const invocation = lines.invocations.find((i) => i.line === logical.line);
    if (invocation) {
      const flags = Object.fromEntries(Object.entries(invocation.flags).map(([k, v]) => [k, withValues(v)]));
      expected.push({ commands: invocation.commands.map(commandText), flags });
    }
    if (!invocation || !hasMarker(logical.text)) {
      push(restore(logical.text));
      continue;
    }
    const pending = [...invocation.commands];
    const words = parseShellWords(logical.text).filter((t): t is string => typeof t === 'string');
    const written = words.map((word, i) => {
      const command = pending[0];
      const head = command !== undefined && word.endsWith(command) ? word.slice(0, word.length - command.length) : null;
      // The -c text is its own word after -c/--command, or attached: -cTEXT, -XcTEXT, --command=TEXT.
      const isCommand = head === '' ? /^(?:-[A-Za-z]*c|--command)$/.test(words[i - 1] ?? '') : head !== null && /^(?:-[A-Za-z]*c|--command=)$/.test(head);
      if (command !== undefined && head !== null && isCommand) {
        pending.shift();
        return head + commandText(command);
      }
      return withValues(word);
    });
    // The psql-lines reader is shell-quote: POSIX quoting only.
    push(written.map(posixShellWord).join(' '));
  }
  const rewritten = out.join('\n');
  const check = parsePsqlLines(rewritten);
  if (!check.ok || !isDeepStrictEqual(check.invocations.map((i) => ({ commands: i.commands, flags: i.flags })), expected)) {
    return refuseAll('not-provable', 'the rewritten psql lines do not read back as the expected commands');
  }
  return { code: rewritten, params, problems: [] };
}

export async function preparePsql(code: string, values: ReadonlyMap<string, string>): Promise<PreparedSql> {
  await loadSqlGrammar();
  return preparePsqlSync(code, values);
}
