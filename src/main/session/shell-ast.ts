// The one bash parser of the project: mvdan/sh (the `mvdan-sh` package, the Go parser compiled to
// JavaScript), read into a plain, typed tree whose offsets are UTF-16 offsets into the parsed text.
//
// Both questions asked of shell text are answered on this tree: where a run variable's value may go
// (shell-values.ts) and whether a block is read-only (verdict/shell-syntax.ts). Neither keeps a scanner
// of its own: what a character means (quoted, escaped, arithmetic, a comment, a here-document body) is
// what mvdan/sh's grammar says, and text it does not accept is refused by both.
//
// mvdan/sh reports UTF-8 byte offsets and its operators as Go token numbers; both are translated here.
import { createRequire } from 'node:module';

export interface Span {
  start: number;
  end: number;
}

export interface Lit extends Span {
  type: 'Lit';
  /** The literal as mvdan/sh gives it: escapes kept, backslash-newline continuations removed. */
  value: string;
}

export interface Word extends Span {
  type: 'Word';
  parts: WordPart[];
  /** Bash brace-expands it ({a,b}, {1..3}) into several words, as mvdan/sh's SplitBraces says (unset: no). */
  braces?: boolean;
}

export type WordPart =
  | Lit
  | (Span & { type: 'SglQuoted'; dollar: boolean; value: string })
  | (Span & { type: 'DblQuoted'; dollar: boolean; parts: WordPart[] })
  | ParamExp
  | (Span & { type: 'CmdSubst'; backquotes: boolean; stmts: Stmt[] })
  | (Span & { type: 'ArithmExp'; bracket: boolean; x: ArithmExpr | null })
  | (Span & { type: 'ProcSubst'; op: '<(' | '>('; stmts: Stmt[] })
  | (Span & { type: 'ExtGlob'; op: string; pattern: Lit });

export interface ParamExp extends Span {
  type: 'ParamExp';
  /** $NAME, without braces. */
  short: boolean;
  /** ${!NAME…} */
  excl: boolean;
  /** ${#NAME} */
  length: boolean;
  param: Lit;
  index: ArithmExpr | null;
  slice: { offset: ArithmExpr | null; length: ArithmExpr | null } | null;
  repl: { all: boolean; orig: Word; with: Word | null } | null;
  /** ${!prefix*} / ${!prefix@} */
  names: '*' | '@' | null;
  /** ${NAME<op>word}: `:-`, `#`, `@` (with word `P`, `Q` …) … */
  exp: { op: string; word: Word | null } | null;
}

export type ArithmExpr =
  | (Span & { type: 'BinaryArithm'; op: number; x: ArithmExpr; y: ArithmExpr })
  | (Span & { type: 'UnaryArithm'; op: number; post: boolean; x: ArithmExpr })
  | (Span & { type: 'ParenArithm'; x: ArithmExpr })
  | Word;

export type TestExpr =
  | (Span & { type: 'BinaryTest'; op: string; x: TestExpr; y: TestExpr })
  | (Span & { type: 'UnaryTest'; op: string; x: TestExpr })
  | (Span & { type: 'ParenTest'; x: TestExpr })
  | Word;

export interface Assign extends Span {
  type: 'Assign';
  append: boolean;
  /** A declaration's argument without `=`: `declare -i` (value only) or `export NAME` (name only). */
  naked: boolean;
  name: Lit | null;
  index: ArithmExpr | null;
  value: Word | null;
  array: { index: ArithmExpr | null; value: Word | null; start: number; end: number }[] | null;
}

export interface Redirect extends Span {
  type: 'Redirect';
  op: RedirectOp;
  opStart: number;
  /** The descriptor before the operator: `2` in `2>&1`, `{fd}`. */
  n: Lit | null;
  word: Word;
  /** A here-document's body. */
  hdoc: Word | null;
  /**
   * For a here-document: why bash may close or read it differently from mvdan/sh (then nothing in or after
   * it can be trusted to mean what the tree says), or null when both agree.
   */
  disagreement: string | null;
}

export type RedirectOp = '<' | '>' | '>>' | '<<' | '<<-' | '<<<' | '<>' | '<&' | '>&' | '>|' | '&>' | '&>>';

export interface Comment extends Span {
  type: 'Comment';
  text: string;
}

export interface Stmt extends Span {
  type: 'Stmt';
  negated: boolean;
  background: boolean;
  coprocess: boolean;
  /** Null for a statement of redirections only. */
  cmd: Command | null;
  redirs: Redirect[];
}

export interface IfClause extends Span {
  type: 'IfClause';
  /** Empty for a final `else`. */
  cond: Stmt[];
  then: Stmt[];
  else: IfClause | null;
}

export type Command =
  | (Span & { type: 'CallExpr'; assigns: Assign[]; args: Word[] })
  | IfClause
  | (Span & { type: 'WhileClause'; until: boolean; cond: Stmt[]; do: Stmt[] })
  | (Span & {
      type: 'ForClause';
      select: boolean;
      loop:
        | { type: 'WordIter'; name: Lit; /** Null when there is no `in` (the positional parameters). */ items: Word[] | null }
        | { type: 'CStyleLoop'; init: ArithmExpr | null; cond: ArithmExpr | null; post: ArithmExpr | null };
      do: Stmt[];
    })
  | (Span & { type: 'CaseClause'; word: Word; items: { op: string; patterns: Word[]; stmts: Stmt[]; start: number; end: number }[] })
  | (Span & { type: 'Block'; stmts: Stmt[] })
  | (Span & { type: 'Subshell'; stmts: Stmt[] })
  | (Span & { type: 'BinaryCmd'; op: '&&' | '||' | '|' | '|&'; x: Stmt; y: Stmt })
  | (Span & { type: 'FuncDecl'; rsrvWord: boolean; name: Lit; body: Stmt })
  | (Span & { type: 'ArithmCmd'; x: ArithmExpr | null })
  | (Span & { type: 'TestClause'; x: TestExpr })
  | (Span & { type: 'DeclClause'; variant: Lit; args: Assign[] })
  | (Span & { type: 'LetClause'; exprs: ArithmExpr[] })
  | (Span & { type: 'TimeClause'; posix: boolean; stmt: Stmt | null })
  | (Span & { type: 'CoprocClause'; name: Word | null; stmt: Stmt });

export interface ShellFile {
  stmts: Stmt[];
  /** Every comment of the text, in order. */
  comments: Comment[];
}

export type ShellParse =
  | { ok: true; file: ShellFile }
  | {
      ok: false;
      /** 'syntax': not bash; 'unsupported': a node this reader does not know; 'too-deep': nesting beyond the stack. */
      kind: 'syntax' | 'unsupported' | 'too-deep';
      message: string;
      line: number;
      column: number;
    };

// Go token numbers of mvdan/sh v3 (the version the package ships), for the operators read here; the
// table is checked against the parser in test/session/shell-ast.test.ts.
const REDIRECT_OPS: Record<number, RedirectOp> = { 54: '>', 55: '>>', 56: '<', 57: '<>', 58: '<&', 59: '>&', 60: '>|', 61: '<<', 62: '<<-', 63: '<<<', 64: '&>', 65: '&>>' };
const BINARY_CMD_OPS: Record<number, '&&' | '||' | '|' | '|&'> = { 10: '&&', 11: '||', 12: '|', 13: '|&' };
const CASE_OPS: Record<number, string> = { 30: ';;', 31: ';&', 32: ';;&' };
const PROC_OPS: Record<number, '<(' | '>('> = { 66: '<(', 67: '>(' };
const PARAM_OPS: Record<number, string> = {
  68: '+', 69: ':+', 70: '-', 71: ':-', 72: '?', 73: ':?', 74: '=', 75: ':=', 76: '%', 77: '%%', 78: '#', 79: '##', 80: '^', 81: '^^', 82: ',', 83: ',,', 84: '@',
};
const NAMES_OPS: Record<number, '*' | '@'> = { 38: '*', 84: '@' };
const EXTGLOB_OPS: Record<number, string> = { 122: '?(', 123: '*(', 124: '+(', 125: '@(', 126: '!(' };
const UNARY_TEST_OPS: Record<number, string> = {
  34: '!', 88: '-e', 89: '-f', 90: '-d', 91: '-c', 92: '-b', 93: '-p', 94: '-S', 95: '-L', 96: '-k', 97: '-g', 98: '-u', 99: '-G',
  100: '-O', 101: '-N', 102: '-r', 103: '-w', 104: '-x', 105: '-s', 106: '-t', 107: '-z', 108: '-n', 109: '-o', 110: '-v', 111: '-R',
};
const BINARY_TEST_OPS: Record<number, string> = {
  10: '&&', 11: '||', 40: '==', 41: '!=', 54: '>', 56: '<', 74: '=', 112: '=~', 113: '-nt', 114: '-ot', 115: '-ef', 116: '-eq', 117: '-ne', 118: '-le', 119: '-ge', 120: '-lt', 121: '-gt',
};

/** What the operator tables above were read from, for the test that checks them. */
export const OPERATOR_TABLES = { REDIRECT_OPS, BINARY_CMD_OPS, CASE_OPS, PROC_OPS, PARAM_OPS, NAMES_OPS, EXTGLOB_OPS, UNARY_TEST_OPS, BINARY_TEST_OPS };

/* eslint-disable @typescript-eslint/no-explicit-any -- mvdan/sh's GopherJS objects carry no types */
type Raw = any;

interface Syntax {
  NewParser(...options: unknown[]): { Parse(text: string, name: string): Raw };
  NodeType(node: Raw): string;
  KeepComments(on: boolean): unknown;
  SplitBraces(word: Raw): unknown;
  Variant(lang: unknown): unknown;
  LangBash: unknown;
}

let syntax: Syntax | undefined;
let parser: { Parse(text: string, name: string): Raw } | undefined;

/** Loaded on first use: the parser is 1.5 MB of JavaScript that a run without shell steps never needs. */
function bashParser(): { syntax: Syntax; parser: { Parse(text: string, name: string): Raw } } {
  if (!syntax || !parser) {
    const require = createRequire(import.meta.url);
    syntax = (require('mvdan-sh') as { syntax: Syntax }).syntax;
    parser = syntax.NewParser(syntax.KeepComments(true), syntax.Variant(syntax.LangBash));
  }
  return { syntax, parser };
}

/** Parses `text` as bash. Never throws for bad input: a text mvdan/sh rejects comes back with its message. */
export function parseBash(text: string): ShellParse {
  const { syntax: sx, parser: p } = bashParser();
  let raw: Raw;
  try {
    raw = p.Parse(text, '');
  } catch (error) {
    if (error instanceof RangeError) return { ok: false, kind: 'too-deep', message: 'nested too deeply to read', line: 1, column: 1 };
    const e = error as Raw;
    const pos = e?.Pos;
    const line = typeof pos?.Line === 'function' ? Number(pos.Line()) : 1;
    const column = typeof pos?.Col === 'function' ? Number(pos.Col()) : 1;
    const message = typeof e?.Text === 'string' && e.Text ? e.Text : typeof e?.Error === 'function' ? String(e.Error()) : String(error);
    return { ok: false, kind: 'syntax', message, line, column };
  }
  try {
    return { ok: true, file: new Reader(sx, text).file(raw) };
  } catch (error) {
    if (error instanceof RangeError) return { ok: false, kind: 'too-deep', message: 'nested too deeply to read', line: 1, column: 1 };
    if (!(error instanceof UnknownNode)) throw error;
    return { ok: false, kind: 'unsupported', message: `unsupported shell syntax (${error.message})`, line: 1, column: 1 };
  }
}

class UnknownNode extends Error {}

/** Reads mvdan/sh's tree into the types above. */
class Reader {
  private readonly unit: Int32Array;
  readonly comments: Comment[] = [];

  constructor(
    private readonly sx: Syntax,
    private readonly text: string,
  ) {
    this.unit = byteToUnit(text);
  }

  private at(pos: Raw): number {
    return this.unit[Number(pos.Offset())] ?? this.text.length;
  }
  private span(node: Raw): Span {
    return { start: this.at(node.Pos()), end: this.at(node.End()) };
  }
  private kind(node: Raw): string {
    return this.sx.NodeType(node);
  }

  file(raw: Raw): ShellFile {
    const stmts = this.stmts(raw.Stmts);
    for (const c of raw.Last ?? []) this.comment(c);
    this.comments.sort((a, b) => a.start - b.start);
    return { stmts, comments: this.comments };
  }

  private comment(c: Raw): void {
    this.comments.push({ type: 'Comment', ...this.span(c), text: String(c.Text) });
  }

  stmts(list: Raw[] | null | undefined): Stmt[] {
    return (list ?? []).map((s) => this.stmt(s));
  }

  stmt(s: Raw): Stmt {
    for (const c of s.Comments ?? []) this.comment(c);
    return {
      type: 'Stmt',
      ...this.span(s),
      negated: Boolean(s.Negated),
      background: Boolean(s.Background),
      coprocess: Boolean(s.Coprocess),
      cmd: s.Cmd ? this.command(s.Cmd) : null,
      redirs: (s.Redirs ?? []).map((r: Raw) => this.redirect(r)),
    };
  }

  private redirect(r: Raw): Redirect {
    const op = REDIRECT_OPS[Number(r.Op)];
    if (!op) throw new UnknownNode(`redirection operator ${r.Op}`);
    const word = this.word(r.Word);
    const hdoc = r.Hdoc ? this.body(this.word(r.Hdoc)) : null;
    const heredoc = op === '<<' || op === '<<-';
    return {
      type: 'Redirect',
      ...this.span(r),
      op,
      opStart: this.at(r.OpPos),
      n: r.N ? this.lit(r.N) : null,
      word,
      hdoc,
      disagreement: heredoc ? this.heredocDisagreement(word, hdoc, op === '<<-') : null,
    };
  }

  /**
   * Bash reads body lines (continuation lines joined when the delimiter is unquoted) until one equals the
   * delimiter. mvdan/sh differs on a line that starts with the delimiter ("EOF)" closes a here-document
   * inside $( ) for bash), on backslash-newline in the body or in the delimiter word, and on carriage
   * returns; a body that is not closed by a line equal to the delimiter is not what bash reads either.
   */
  private heredocDisagreement(word: Word, body: Word | null, stripTabs: boolean): string | null {
    const raw = this.text.slice(word.start, word.end);
    if (/[$`\n\r]/.test(raw)) return 'a here-document whose delimiter holds $, `, a line break or a carriage return';
    let delimiter = '';
    let quote: string | null = null;
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k] as string;
      if (quote === null && (c === "'" || c === '"')) quote = c;
      else if (c === quote) quote = null;
      else if (c === '\\' && quote !== "'" && k + 1 < raw.length) delimiter += raw[++k];
      else delimiter += c;
    }
    if (delimiter === '') return 'a here-document with an empty delimiter';
    const lineEnd = this.text.indexOf('\n', word.end);
    if (this.text.slice(word.end, lineEnd < 0 ? this.text.length : lineEnd).includes('\r')) return 'a here-document on a line with a carriage return';
    // An empty body: mvdan/sh gives none; bash's first body line must then be the delimiter itself.
    if (!body) return null;
    const closeEnd = this.text.indexOf('\n', body.end);
    const strip = (line: string) => (stripTabs ? line.replace(/^\t+/, '') : line);
    if (strip(this.text.slice(body.end, closeEnd < 0 ? this.text.length : closeEnd)) !== delimiter) return `a here-document not closed by a line "${delimiter}"`;
    for (const line of this.text.slice(body.start, body.end).split('\n')) {
      if (line.includes('\r') || line.endsWith('\\')) return 'a here-document with a line ending in a backslash or a carriage return';
      if (strip(line).startsWith(delimiter)) return `a here-document with a line that starts with its delimiter "${delimiter}"`;
    }
    return null;
  }

  /** mvdan/sh ends a here-document body after its closing delimiter line; the body ends before that line. */
  private body(word: Word): Word {
    const lineStart = this.text.lastIndexOf('\n', word.end - 1) + 1;
    if (lineStart <= word.start || lineStart >= word.end) return word;
    const end = lineStart;
    const clamp = <T extends Span>(n: T): T => (n.end > end ? { ...n, end: Math.max(n.start, end) } : n);
    return { ...word, end, parts: word.parts.map(clamp) };
  }

  private lit(l: Raw): Lit {
    return { type: 'Lit', ...this.span(l), value: String(l.Value) };
  }

  word(w: Raw): Word {
    const span = this.span(w);
    const parts = (w.Parts ?? []).map((p: Raw) => this.part(p));
    // SplitBraces rewrites the raw word in place; it is asked only once the word has been read. It panics
    // on some words ({,x}): unsure means the word is brace-expanded.
    let braces: boolean;
    try {
      this.sx.SplitBraces(w);
      braces = (w.Parts ?? []).some((p: Raw) => this.kind(p) === 'BraceExp');
    } catch {
      braces = true;
    }
    return { type: 'Word', ...span, parts, braces };
  }

  private part(p: Raw): WordPart {
    const span = this.span(p);
    switch (this.kind(p)) {
      case 'Lit':
        return this.lit(p);
      case 'SglQuoted':
        return { type: 'SglQuoted', ...span, dollar: Boolean(p.Dollar), value: String(p.Value) };
      case 'DblQuoted':
        return { type: 'DblQuoted', ...span, dollar: Boolean(p.Dollar), parts: (p.Parts ?? []).map((q: Raw) => this.part(q)) };
      case 'ParamExp':
        return this.paramExp(p);
      case 'CmdSubst':
        return { type: 'CmdSubst', ...span, backquotes: Boolean(p.Backquotes), stmts: this.stmts(p.Stmts) };
      case 'ArithmExp':
        return { type: 'ArithmExp', ...span, bracket: Boolean(p.Bracket), x: p.X ? this.arithm(p.X) : null };
      case 'ProcSubst': {
        const op = PROC_OPS[Number(p.Op)];
        if (!op) throw new UnknownNode(`process substitution ${p.Op}`);
        return { type: 'ProcSubst', ...span, op, stmts: this.stmts(p.Stmts) };
      }
      case 'ExtGlob':
        return { type: 'ExtGlob', ...span, op: EXTGLOB_OPS[Number(p.Op)] ?? '?', pattern: this.lit(p.Pattern) };
      default:
        throw new UnknownNode(this.kind(p));
    }
  }

  private paramExp(p: Raw): ParamExp {
    let exp: ParamExp['exp'] = null;
    if (p.Exp) {
      const op = PARAM_OPS[Number(p.Exp.Op)];
      if (!op) throw new UnknownNode(`parameter operator ${p.Exp.Op}`);
      exp = { op, word: p.Exp.Word ? this.word(p.Exp.Word) : null };
    }
    const names = Number(p.Names) === 0 ? null : NAMES_OPS[Number(p.Names)];
    if (names === undefined) throw new UnknownNode(`parameter names operator ${p.Names}`);
    return {
      type: 'ParamExp',
      ...this.span(p),
      short: Boolean(p.Short),
      excl: Boolean(p.Excl),
      length: Boolean(p.Length),
      param: this.lit(p.Param),
      index: p.Index ? this.arithm(p.Index) : null,
      slice: p.Slice ? { offset: p.Slice.Offset ? this.arithm(p.Slice.Offset) : null, length: p.Slice.Length ? this.arithm(p.Slice.Length) : null } : null,
      repl: p.Repl ? { all: Boolean(p.Repl.All), orig: this.word(p.Repl.Orig), with: p.Repl.With ? this.word(p.Repl.With) : null } : null,
      names,
      exp,
    };
  }

  arithm(x: Raw): ArithmExpr {
    const span = this.span(x);
    switch (this.kind(x)) {
      case 'BinaryArithm':
        return { type: 'BinaryArithm', ...span, op: Number(x.Op), x: this.arithm(x.X), y: this.arithm(x.Y) };
      case 'UnaryArithm':
        return { type: 'UnaryArithm', ...span, op: Number(x.Op), post: Boolean(x.Post), x: this.arithm(x.X) };
      case 'ParenArithm':
        return { type: 'ParenArithm', ...span, x: this.arithm(x.X) };
      case 'Word':
        return this.word(x);
      default:
        throw new UnknownNode(this.kind(x));
    }
  }

  private test(x: Raw): TestExpr {
    const span = this.span(x);
    switch (this.kind(x)) {
      case 'BinaryTest': {
        const op = BINARY_TEST_OPS[Number(x.Op)];
        if (!op) throw new UnknownNode(`test operator ${x.Op}`);
        return { type: 'BinaryTest', ...span, op, x: this.test(x.X), y: this.test(x.Y) };
      }
      case 'UnaryTest': {
        const op = UNARY_TEST_OPS[Number(x.Op)];
        if (!op) throw new UnknownNode(`test operator ${x.Op}`);
        return { type: 'UnaryTest', ...span, op, x: this.test(x.X) };
      }
      case 'ParenTest':
        return { type: 'ParenTest', ...span, x: this.test(x.X) };
      case 'Word':
        return this.word(x);
      default:
        throw new UnknownNode(this.kind(x));
    }
  }

  private assign(a: Raw): Assign {
    return {
      type: 'Assign',
      ...this.span(a),
      append: Boolean(a.Append),
      naked: Boolean(a.Naked),
      name: a.Name ? this.lit(a.Name) : null,
      index: a.Index ? this.arithm(a.Index) : null,
      value: a.Value ? this.word(a.Value) : null,
      array: a.Array
        ? (a.Array.Elems ?? []).map((e: Raw) => ({ ...this.span(e), index: e.Index ? this.arithm(e.Index) : null, value: e.Value ? this.word(e.Value) : null }))
        : null,
    };
  }

  private ifClause(c: Raw): IfClause {
    return { type: 'IfClause', ...this.span(c), cond: this.stmts(c.Cond), then: this.stmts(c.Then), else: c.Else ? this.ifClause(c.Else) : null };
  }

  private command(c: Raw): Command {
    const span = this.span(c);
    switch (this.kind(c)) {
      case 'CallExpr':
        return { type: 'CallExpr', ...span, assigns: (c.Assigns ?? []).map((a: Raw) => this.assign(a)), args: (c.Args ?? []).map((w: Raw) => this.word(w)) };
      case 'IfClause':
        return this.ifClause(c);
      case 'WhileClause':
        return { type: 'WhileClause', ...span, until: Boolean(c.Until), cond: this.stmts(c.Cond), do: this.stmts(c.Do) };
      case 'ForClause': {
        const l = c.Loop;
        const loop =
          this.kind(l) === 'WordIter'
            ? { type: 'WordIter' as const, name: this.lit(l.Name), items: l.InPos.IsValid() ? (l.Items ?? []).map((w: Raw) => this.word(w)) : null }
            : { type: 'CStyleLoop' as const, init: l.Init ? this.arithm(l.Init) : null, cond: l.Cond ? this.arithm(l.Cond) : null, post: l.Post ? this.arithm(l.Post) : null };
        return { type: 'ForClause', ...span, select: Boolean(c.Select), loop, do: this.stmts(c.Do) };
      }
      case 'CaseClause':
        return {
          type: 'CaseClause',
          ...span,
          word: this.word(c.Word),
          items: (c.Items ?? []).map((item: Raw) => {
            for (const k of item.Comments ?? []) this.comment(k);
            return { ...this.span(item), op: CASE_OPS[Number(item.Op)] ?? ';;', patterns: (item.Patterns ?? []).map((w: Raw) => this.word(w)), stmts: this.stmts(item.Stmts) };
          }),
        };
      case 'Block':
        return { type: 'Block', ...span, stmts: this.stmts(c.Stmts) };
      case 'Subshell':
        return { type: 'Subshell', ...span, stmts: this.stmts(c.Stmts) };
      case 'BinaryCmd': {
        const op = BINARY_CMD_OPS[Number(c.Op)];
        if (!op) throw new UnknownNode(`operator ${c.Op}`);
        return { type: 'BinaryCmd', ...span, op, x: this.stmt(c.X), y: this.stmt(c.Y) };
      }
      case 'FuncDecl':
        return { type: 'FuncDecl', ...span, rsrvWord: Boolean(c.RsrvWord), name: this.lit(c.Name), body: this.stmt(c.Body) };
      case 'ArithmCmd':
        return { type: 'ArithmCmd', ...span, x: c.X ? this.arithm(c.X) : null };
      case 'TestClause':
        return { type: 'TestClause', ...span, x: this.test(c.X) };
      case 'DeclClause':
        return { type: 'DeclClause', ...span, variant: this.lit(c.Variant), args: (c.Args ?? []).map((a: Raw) => this.assign(a)) };
      case 'LetClause':
        return { type: 'LetClause', ...span, exprs: (c.Exprs ?? []).map((x: Raw) => this.arithm(x)) };
      case 'TimeClause':
        return { type: 'TimeClause', ...span, posix: Boolean(c.PosixFormat), stmt: c.Stmt ? this.stmt(c.Stmt) : null };
      case 'CoprocClause':
        return { type: 'CoprocClause', ...span, name: c.Name ? this.word(c.Name) : null, stmt: this.stmt(c.Stmt) };
      default:
        throw new UnknownNode(this.kind(c));
    }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** UTF-16 offset for each UTF-8 byte offset of `text` (one past the end included). */
function byteToUnit(text: string): Int32Array {
  const map = new Int32Array(Buffer.byteLength(text, 'utf8') + 1);
  let byte = 0;
  for (let k = 0; k < text.length; ) {
    const cp = text.codePointAt(k) as number;
    const units = cp > 0xffff ? 2 : 1;
    const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let b = 0; b < bytes; b++) map[byte + b] = k;
    byte += bytes;
    k += units;
  }
  map[byte] = text.length;
  return map;
}

/** Every word part below a word, depth first (through quotes, parameters and arithmetic, not into commands). */
export function* partsOf(word: Word): Generator<WordPart> {
  for (const part of word.parts) {
    yield part;
    if (part.type === 'DblQuoted') yield* partsOf({ type: 'Word', start: part.start, end: part.end, parts: part.parts });
  }
}
