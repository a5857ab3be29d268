// PostgreSQL's own lexer and grammar (libpg-query, the server's parser compiled to WASM), for the decisions
// that matter for safety: where a statement ends, which $n are bind parameters, where a value stands.
// A hand-written lexer disagreed with the server (comments holding an apostrophe, "o'k" identifiers,
// E'…' escapes); this one cannot, as far as the grammar of the server version we ship goes.
//
// libpg-query reports byte offsets into the UTF-8 text (and error cursors in characters); everything
// exported here is in JavaScript string offsets (UTF-16 code units).
//
// The package itself (and its 1.7 MB of WASM) is loaded by loadSqlGrammar, the first time a block needs
// SQL judged or prepared: a run with no SQL in it never loads it.

type PgQuery = typeof import('libpg-query');

let grammar: PgQuery | null = null;
let loaded: Promise<void> | null = null;

/** Loads the WASM grammar once; every other function here needs it loaded. */
export function loadSqlGrammar(): Promise<void> {
  loaded ??= import('libpg-query').then(async (lib) => {
    await lib.loadModule();
    grammar = lib;
  });
  return loaded;
}

/** Whether loadSqlGrammar has finished: the synchronous functions here can be used. */
export function sqlGrammarReady(): boolean {
  return grammar !== null;
}

function loadedGrammar(): PgQuery {
  if (!grammar) throw new Error('the SQL grammar is not loaded yet (loadSqlGrammar)');
  return grammar;
}

/** libpg-query's parseSync, once the grammar is loaded. */
export function parseSync(code: string): ReturnType<PgQuery['parseSync']> {
  return loadedGrammar().parseSync(code);
}

function scanSync(code: string): ReturnType<PgQuery['scanSync']> {
  return loadedGrammar().scanSync(code);
}

/** Converts offsets of the UTF-8 encoding of `text` (and character counts) to UTF-16 offsets. */
export class OffsetMap {
  private readonly byteToUnit: Int32Array;
  private readonly charToUnit: number[] = [];

  constructor(readonly text: string) {
    this.byteToUnit = new Int32Array(Buffer.byteLength(text, 'utf8') + 1);
    let byte = 0;
    let unit = 0;
    while (unit < text.length) {
      const cp = text.codePointAt(unit) as number;
      const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      const units = cp > 0xffff ? 2 : 1;
      for (let b = 0; b < bytes; b++) this.byteToUnit[byte + b] = unit;
      this.charToUnit.push(unit);
      byte += bytes;
      unit += units;
    }
    this.byteToUnit[byte] = unit;
    this.charToUnit.push(unit);
  }

  /** UTF-16 offset of a byte offset (a byte inside a character maps to the character's start). */
  fromBytes(byte: number): number {
    if (byte <= 0) return 0;
    return byte >= this.byteToUnit.length ? this.text.length : (this.byteToUnit[byte] as number);
  }

  /** UTF-16 offset of a 0-based character (code point) index. */
  fromChars(chars: number): number {
    if (chars <= 0) return 0;
    return chars >= this.charToUnit.length ? this.text.length : (this.charToUnit[chars] as number);
  }

  /** Byte offset of a UTF-16 offset. */
  toBytes(unit: number): number {
    return Buffer.byteLength(this.text.slice(0, unit), 'utf8');
  }
}

export interface SqlToken {
  /** UTF-16 offsets in the text. */
  start: number;
  end: number;
  text: string;
  /** PostgreSQL's token name where libpg-query gives one: SCONST, IDENT, PARAM, SQL_COMMENT, C_COMMENT, ICONST …; else UNKNOWN. */
  name: string;
  /** A keyword of the grammar (reserved or not). */
  keyword: boolean;
}

export interface SqlSyntaxError {
  message: string;
  /** UTF-16 offset where the server's parser stopped. */
  offset: number;
  /** 1-based line of `offset`. */
  line: number;
}

export type Tokens = { ok: true; tokens: SqlToken[] } | { ok: false; error: SqlSyntaxError };

export const isComment = (token: SqlToken) => token.name === 'SQL_COMMENT' || token.name === 'C_COMMENT';

/**
 * The text libpg-query gets is a C string: a NUL would end it early, and the server refuses NULs in a
 * query anyway. Checked before every call so that a proof never covers only a prefix of the text.
 */
function nulError(code: string): SqlSyntaxError | null {
  const at = code.indexOf('\0');
  return at === -1 ? null : { message: 'the text holds a NUL character', offset: at, line: lineAt(code, at) };
}

function syntaxError(code: string, map: OffsetMap, error: unknown): SqlSyntaxError {
  const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
  const offset = map.fromChars(details?.cursorPosition ?? 0);
  return { message: details?.message ?? (error as Error).message, offset, line: lineAt(code, offset) };
}

/** PostgreSQL's lexer over `code` (standard_conforming_strings on, as the parser assumes). */
export function scanTokens(code: string): Tokens {
  const nul = nulError(code);
  if (nul) return { ok: false, error: nul };
  const map = new OffsetMap(code);
  try {
    const tokens = scanSync(code).tokens.map((t) => ({
      start: map.fromBytes(t.start),
      end: map.fromBytes(t.end),
      text: t.text,
      name: t.tokenName,
      keyword: t.keywordKind > 0,
    }));
    return { ok: true, tokens };
  } catch (scanError) {
    // scanSync's own error is an unreadable JSON failure; the parser names the lexical problem and its place.
    try {
      parseSync(code);
    } catch (error) {
      return { ok: false, error: syntaxError(code, map, error) };
    }
    return { ok: false, error: { message: (scanError as Error).message, offset: 0, line: 1 } };
  }
}

/** A parse node as libpg-query gives it: `{ NodeType: { …fields } }`, fields holding nodes, lists, scalars. */
export type AstNode = Record<string, unknown>;

export interface ParsedStatement {
  /** UTF-16 offset of the statement's first token (leading whitespace and comments excluded). */
  start: number;
  /** Offset just past its terminating semicolon, or past its last token. */
  end: number;
  text: string;
  /** 1-based line of `start`. */
  line: number;
  /** The statement's parse tree, e.g. `{ SelectStmt: {…} }`. */
  node: AstNode;
  /** Its node type, e.g. "SelectStmt", "TransactionStmt". */
  kind: string;
  /** Its $n, as PostgreSQL's lexer finds them (never inside strings, identifiers or comments). */
  params: ParamRef[];
}

export interface ParamRef {
  /** Offset of the "$" in the block. */
  offset: number;
  /** Length of "$n". */
  length: number;
  /** n, 1-based. */
  n: number;
}

export type Parsed = { ok: true; statements: ParsedStatement[]; tokens: SqlToken[] } | { ok: false; error: SqlSyntaxError; tokens: SqlToken[] | null };

interface RawStatement {
  stmt: AstNode;
  stmt_location?: number;
  stmt_len?: number;
}

/** The $n among `tokens`. */
function paramRefs(tokens: readonly SqlToken[]): ParamRef[] {
  return tokens.filter((t) => t.name === 'PARAM').map((t) => ({ offset: t.start, length: t.end - t.start, n: Number(t.text.slice(1)) }));
}

/**
 * The lexer's tokens cut at top-level semicolons (comments dropped), for a text the parser refused: each
 * piece's tokens (never empty) and the semicolon that ends it, if one does.
 */
export function cutAtSemicolons(tokens: readonly SqlToken[]): { tokens: SqlToken[]; semicolon: SqlToken | null }[] {
  const pieces: { tokens: SqlToken[]; semicolon: SqlToken | null }[] = [];
  let depth = 0;
  let own: SqlToken[] = [];
  const finish = (semicolon: SqlToken | null) => {
    if (own.length > 0) pieces.push({ tokens: own, semicolon });
    own = [];
  };
  for (const t of tokens) {
    if (isComment(t)) continue;
    if (t.text === ';' && depth === 0) {
      finish(t);
      continue;
    }
    if (t.text === '(') depth++;
    else if (t.text === ')' && depth > 0) depth--;
    own.push(t);
  }
  finish(null);
  return pieces;
}

/**
 * Parses `code` into statements with PostgreSQL's grammar; their bounds are the parser's own. `scanned`:
 * the tokens of `code` when the caller has already lexed it (scanTokens), so that it is not lexed twice.
 */
export function parseStatements(code: string, scanned?: SqlToken[]): Parsed {
  let tokens = scanned;
  if (!tokens) {
    const result = scanTokens(code);
    if (!result.ok) return { ok: false, error: result.error, tokens: null };
    tokens = result.tokens;
  }
  const map = new OffsetMap(code);
  let raw: RawStatement[];
  try {
    raw = (parseSync(code) as unknown as { stmts?: RawStatement[] }).stmts ?? [];
  } catch (error) {
    return { ok: false, error: syntaxError(code, map, error), tokens };
  }
  const statements: ParsedStatement[] = [];
  const significant = tokens.filter((t) => !isComment(t));
  let next = 0;
  for (const entry of raw) {
    const from = map.fromBytes(entry.stmt_location ?? 0);
    const to = entry.stmt_len ? map.fromBytes((entry.stmt_location ?? 0) + entry.stmt_len) : code.length;
    while (next < significant.length && (significant[next] as SqlToken).start < from) next++;
    const own: SqlToken[] = [];
    while (next < significant.length && (significant[next] as SqlToken).end <= to) own.push(significant[next++] as SqlToken);
    const first = own[0];
    if (!first) continue;
    const last = own[own.length - 1] as SqlToken;
    const semicolon = significant[next];
    const end = semicolon?.text === ';' ? semicolon.end : last.end;
    const kind = Object.keys(entry.stmt)[0] ?? 'unknown';
    statements.push({ start: first.start, end, text: code.slice(first.start, end), line: lineAt(code, first.start), node: entry.stmt, kind, params: paramRefs(own) });
  }
  return { ok: true, statements, tokens };
}

export interface MetaCommand {
  offset: number;
  line: number;
  /** e.g. "\gset" */
  command: string;
}

export interface SqlStatement {
  start: number;
  end: number;
  text: string;
  line: number;
  /** The parser's node type; null when the block did not parse and the statement was cut at semicolons. */
  kind: string | null;
  params: ParamRef[];
}

export interface SqlScan {
  statements: SqlStatement[];
  metaCommands: MetaCommand[];
  /** Why the block does not parse (the server will say the same), or null. */
  problem: SqlSyntaxError | null;
  /** The lexer's tokens; null when even the lexer fails. */
  tokens: SqlToken[] | null;
}

/** The psql meta-commands (\gset, \c …) among the lexer's `tokens` of `code` (none when the lexer failed). */
export function metaCommandsIn(code: string, tokens: readonly SqlToken[] | null): MetaCommand[] {
  const metaCommands: MetaCommand[] = [];
  let metaEnd = 0;
  for (const t of tokens ?? []) {
    // The lexer returns a lone "\" outside strings and comments: never SQL, always psql's.
    if (t.text !== '\\' || t.start < metaEnd) continue;
    const m = /^\\(?:[A-Za-z?!]+|\\|.)?/.exec(code.slice(t.start, t.start + 64)) as RegExpExecArray;
    metaEnd = t.start + m[0].length;
    metaCommands.push({ offset: t.start, line: lineAt(code, t.start), command: m[0] });
  }
  return metaCommands;
}

/**
 * Statements and psql meta-commands of a block. Statement bounds come from the parser; a block that does
 * not parse is cut at the lexer's top-level semicolons instead (for messages only: such a block either
 * goes to the server whole, which rejects it, or is refused), or taken as one statement when even the
 * lexer fails.
 */
export function splitSql(code: string): SqlScan {
  const parsed = parseStatements(code);
  const tokens = parsed.tokens;
  const metaCommands = metaCommandsIn(code, tokens);
  if (parsed.ok) {
    return { statements: parsed.statements.map(({ start, end, text, line, kind, params }) => ({ start, end, text, line, kind, params })), metaCommands, problem: null, tokens };
  }
  const statements: SqlStatement[] = [];
  if (tokens) {
    for (const piece of cutAtSemicolons(tokens)) {
      const first = piece.tokens[0] as SqlToken;
      const end = (piece.semicolon ?? (piece.tokens[piece.tokens.length - 1] as SqlToken)).end;
      statements.push({ start: first.start, end, text: code.slice(first.start, end), line: lineAt(code, first.start), kind: null, params: paramRefs(piece.tokens) });
    }
  } else if (code.trim() !== '') {
    const start = code.length - code.trimStart().length;
    const end = code.trimEnd().length;
    statements.push({ start, end, text: code.slice(start, end), line: lineAt(code, start), kind: null, params: [] });
  }
  return { statements, metaCommands, problem: parsed.error, tokens };
}

/** 1-based line of an offset. */
export function lineAt(code: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < code.length; i++) if (code[i] === '\n') line++;
  return line;
}

/** 1-based line and column of an offset. */
export function lineAndColumn(code: string, offset: number): { line: number; column: number } {
  const before = code.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: lineAt(code, offset), column: offset - lastNewline };
}

/** BEGIN, COMMIT, SAVEPOINT, PREPARE TRANSACTION …: statements that manage the transaction themselves. */
export function isTransactionControl(statement: { kind: string | null }): boolean {
  return statement.kind === 'TransactionStmt';
}

/**
 * A plain '…' literal holding a backslash: the only token PostgreSQL lexes differently when
 * standard_conforming_strings is off (E'…', "…", $$…$$ and comments are lexed the same either way).
 */
export function isSettingDependentString(token: SqlToken): boolean {
  return token.name === 'SCONST' && token.text.startsWith("'") && token.text.includes('\\');
}

export interface BoundStatement {
  /** The statement with its $n renumbered $1…$k in order of first number. */
  text: string;
  /** 1-based numbers of the block's parameters this statement uses, in the order of its new $1…$k. */
  uses: number[];
  /** Maps an offset in `text` back to an offset in the block (renumbering can shorten "$10" to "$2"). */
  blockOffset(textOffset: number): number;
}

/** Renumbers a statement's $n so that it can be sent alone with only the values it references. */
export function bindStatement(statement: { start: number; text: string; params: ParamRef[] }): BoundStatement {
  const uses = [...new Set(statement.params.map((p) => p.n))].sort((a, b) => a - b);
  const renumber = new Map(uses.map((n, index) => [n, index + 1]));
  let text = '';
  let at = statement.start;
  /** [offset in text, offset in block] at each edit, for mapping error positions back. */
  const anchors: [number, number][] = [[0, statement.start]];
  for (const ref of statement.params) {
    text += statement.text.slice(at - statement.start, ref.offset - statement.start);
    text += `$${renumber.get(ref.n)}`;
    at = ref.offset + ref.length;
    anchors.push([text.length, at]);
  }
  text += statement.text.slice(at - statement.start);
  return {
    text,
    uses,
    blockOffset(textOffset) {
      let anchor = anchors[0] as [number, number];
      for (const a of anchors) if (a[0] <= textOffset) anchor = a;
      return anchor[1] + (textOffset - anchor[0]);
    },
  };
}
