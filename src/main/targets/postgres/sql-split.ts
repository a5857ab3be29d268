// Splits a SQL block into statements the way psql does. The extended query protocol (the only one that
// carries bind parameters) takes one statement per query, so a block with parameters must be cut at its
// semicolons — but only the semicolons that end statements: not those inside '…', E'…', "…", $tag$…$tag$,
// -- and /* nested */ comments, parentheses (CREATE RULE … DO (a; b)), or a BEGIN ATOMIC … END body of
// CREATE FUNCTION/PROCEDURE. The last one follows psql's own heuristic (psqlscan.l), so a block splits
// here exactly where psql would split it. No SQL splitter ships in node_modules, hence this module.
//
// The same scan finds the $n references of each statement (so they can be renumbered per statement) and
// psql meta-commands (\gset, \set …), which are not SQL and must be refused before anything runs.

export interface ParamRef {
  /** Offset of the "$" in the block. */
  offset: number;
  /** Length of "$n". */
  length: number;
  /** n, 1-based. */
  n: number;
}

export interface SqlStatement {
  /** Offset of the statement's first token in the block (leading whitespace and comments excluded). */
  start: number;
  /** Offset just past its terminating semicolon, or the end of the block. */
  end: number;
  text: string;
  /** 1-based line of `start` in the block. */
  line: number;
  /** The leading words, lower-cased (up to three), when the statement starts with a word. */
  keywords: string[];
  params: ParamRef[];
  /** CREATE [OR REPLACE] FUNCTION|PROCEDURE: a $n in it may be the routine's own argument. */
  definesRoutine: boolean;
}

export interface MetaCommand {
  offset: number;
  line: number;
  /** e.g. "\gset" */
  command: string;
}

export interface SqlScan {
  statements: SqlStatement[];
  metaCommands: MetaCommand[];
  /** Why the block cannot be cut with confidence (an unterminated quote or comment, unbalanced BEGIN/END), or null. */
  problem: string | null;
}

export interface ScanOptions {
  /**
   * The server's standard_conforming_strings (on by default since 9.1). Off, a backslash escapes a quote
   * inside ordinary '…' literals too.
   */
  standardConformingStrings?: boolean;
}

const isSpace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v';
const isIdentStart = (ch: string) => /[A-Za-z_\u0080-\uffff]/.test(ch);
const isIdentChar = (ch: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(ch);
const ROUTINE_WORDS = new Set(['create', 'function', 'procedure', 'or', 'replace']);

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

export function scanSql(code: string, options: ScanOptions = {}): SqlScan {
  const backslashInPlainStrings = options.standardConformingStrings === false;
  const statements: SqlStatement[] = [];
  const metaCommands: MetaCommand[] = [];
  let problem: string | null = null;

  // Per-statement state, as psql keeps it.
  let start = -1;
  let parenDepth = 0;
  let beginDepth = 0;
  let wordCount = 0;
  let routineMarks: string[] = [];
  let keywords: string[] = [];
  let leadingWords = true;
  let params: ParamRef[] = [];
  const isRoutine = () => {
    const [a, b, c, d] = routineMarks;
    return a === 'c' && (b === 'f' || b === 'p' || (b === 'o' && c === 'r' && (d === 'f' || d === 'p')));
  };
  const reset = () => {
    start = -1;
    parenDepth = 0;
    beginDepth = 0;
    wordCount = 0;
    routineMarks = [];
    keywords = [];
    leadingWords = true;
    params = [];
  };
  const finish = (end: number) => {
    if (start >= 0) {
      statements.push({ start, end, text: code.slice(start, end), line: lineAt(code, start), keywords, params, definesRoutine: isRoutine() });
    }
    reset();
  };
  const fail = (what: string, at: number) => {
    problem ??= `${what} starting at line ${lineAt(code, at)} is not closed`;
  };

  /** Skips a quoted literal whose quote char is doubled to escape it; `backslash` also honours \x escapes. */
  const skipQuoted = (open: number, quote: string, backslash: boolean): number => {
    let j = open + 1;
    for (;;) {
      if (j >= code.length) {
        fail(quote === '"' ? 'a "quoted identifier"' : 'a quoted string', open);
        return code.length;
      }
      const ch = code[j] as string;
      if (backslash && ch === '\\') j += 2;
      else if (ch === quote) {
        if (code[j + 1] === quote) j += 2;
        else return j + 1;
      } else j++;
    }
  };

  const onWord = (word: string) => {
    const lower = word.toLowerCase();
    if (leadingWords && keywords.length < 3) keywords.push(lower);
    if (wordCount < 4 && ROUTINE_WORDS.has(lower)) routineMarks[wordCount] = lower[0] as string;
    wordCount++;
    if (isRoutine() && parenDepth === 0) {
      if (lower === 'begin') beginDepth++;
      else if (lower === 'case') {
        if (beginDepth >= 1) beginDepth++; // CASE … END only matters inside a BEGIN … END body
      } else if (lower === 'end' && beginDepth > 0) beginDepth--;
    }
  };

  let i = 0;
  while (i < code.length) {
    const ch = code[i] as string;
    if (isSpace(ch)) {
      i++;
      continue;
    }
    if (ch === '-' && code[i + 1] === '-') {
      const newline = code.indexOf('\n', i);
      i = newline === -1 ? code.length : newline + 1;
      continue;
    }
    if (ch === '/' && code[i + 1] === '*') {
      // Block comments nest in PostgreSQL.
      let depth = 1;
      let j = i + 2;
      while (j < code.length && depth > 0) {
        if (code[j] === '/' && code[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (code[j] === '*' && code[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) fail('a /* comment', i);
      i = j;
      continue;
    }
    if (ch === ';' && parenDepth === 0 && beginDepth === 0) {
      finish(i + 1);
      i++;
      continue;
    }
    if (start < 0) start = i;

    if (ch === "'") {
      leadingWords = false;
      i = skipQuoted(i, "'", backslashInPlainStrings);
    } else if (ch === '"') {
      leadingWords = false;
      i = skipQuoted(i, '"', false);
    } else if (ch === '$') {
      leadingWords = false;
      const param = /^\$(\d+)/.exec(code.slice(i, i + 12));
      const tag = param ? null : /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(code.slice(i, i + 256));
      if (param) {
        params.push({ offset: i, length: param[0].length, n: Number(param[1]) });
        i += param[0].length;
      } else if (tag) {
        const close = code.indexOf(tag[0], i + tag[0].length);
        if (close === -1) {
          fail(`a ${tag[0]} dollar-quoted string`, i);
          i = code.length;
        } else i = close + tag[0].length;
      } else i++;
    } else if (isIdentStart(ch)) {
      let j = i + 1;
      while (j < code.length && isIdentChar(code[j] as string)) j++;
      const word = code.slice(i, j);
      const next = code[j];
      if (next === "'" && /^[eE]$/.test(word)) {
        leadingWords = false;
        i = skipQuoted(j, "'", true); // E'…' escape string: backslashes escape
      } else if (next === "'" && /^[bBxXnN]$/.test(word)) {
        leadingWords = false;
        i = skipQuoted(j, "'", backslashInPlainStrings);
      } else if (next === '&' && /^[uU]$/.test(word) && (code[j + 1] === "'" || code[j + 1] === '"')) {
        leadingWords = false;
        const quote = code[j + 1] as string;
        i = skipQuoted(j + 1, quote, quote === "'" && backslashInPlainStrings);
      } else {
        onWord(word);
        i = j;
      }
    } else if (/[0-9]/.test(ch)) {
      // A number (1, 1.5e3, 0x1F): consumed whole so that "1e'…'" is never mistaken for an E'…' string.
      let j = i + 1;
      while (j < code.length && /[0-9A-Za-z_.]/.test(code[j] as string)) j++;
      leadingWords = false;
      i = j;
    } else if (ch === '\\') {
      const m = /^\\(?:[A-Za-z?!]+|\\|.)?/.exec(code.slice(i, i + 64)) as RegExpExecArray;
      metaCommands.push({ offset: i, line: lineAt(code, i), command: m[0] });
      leadingWords = false;
      i += m[0].length;
    } else {
      leadingWords = false;
      if (ch === '(') parenDepth++;
      else if (ch === ')' && parenDepth > 0) parenDepth--;
      i++;
    }
  }
  if (start >= 0) {
    if (beginDepth > 0) problem ??= `a BEGIN … END body starting in the statement at line ${lineAt(code, start)} has no matching END`;
    else if (parenDepth > 0) problem ??= `the statement at line ${lineAt(code, start)} has an unclosed parenthesis`;
    // The last statement runs to the end of its last token: trailing whitespace is not part of it.
    let end = code.length;
    while (end > start && isSpace(code[end - 1] as string)) end--;
    finish(end);
  }
  return { statements, metaCommands, problem };
}

const TRANSACTION_CONTROL = new Set(['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release']);

/** BEGIN, COMMIT, SAVEPOINT, PREPARE TRANSACTION …: statements that manage the transaction themselves. */
export function isTransactionControl(statement: SqlStatement): boolean {
  const [first, second] = statement.keywords;
  if (first === undefined) return false;
  return TRANSACTION_CONTROL.has(first) || (first === 'prepare' && second === 'transaction');
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
export function bindStatement(statement: SqlStatement): BoundStatement {
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
