// The part of bash that read-only runbook lines use, read from mvdan/sh's parse (shell-ast.ts): lists,
// pipelines, && and ||, subshells, { } groups, if/while/until/for, simple commands with assignments and
// redirections, '…' "…" $'…' quoting, $NAME ${NAME} ${#NAME} ${NAME<op>word} parameters, $( ) command
// substitution and here-documents. declare/export/local/readonly/typeset, which mvdan/sh reads as
// declarations, are given back as the plain commands they are (the command list judges them).
// Anything else the grammar accepts (case, functions, [[ ]], arithmetic, let, backquotes, process
// substitution, arrays, extended globs, coprocesses, select, $"…", other ${…} forms, here-documents
// shell-ast.ts says bash may read differently …) is refused as unsupported: the verdict never guesses at
// syntax it does not model.
//
// The structure is mvdan/sh's; what this file adds is read from the source text under each node the
// grammar gave: a literal's value (escapes and line continuations removed, by the rules of where it
// stands) and a word's shape for globbing and brace expansion. All offsets are UTF-16 offsets into
// the parsed text.
import * as ast from '../shell-ast.js';

export interface Span {
  start: number;
  end: number;
}

export type Part =
  /** Unquoted text; `value` has escapes and line continuations removed. */
  | (Span & { kind: 'lit'; value: string })
  /** '…' or $'…' (`ansi`, whose escapes are not decoded). */
  | (Span & { kind: 'sgl'; value: string; ansi: boolean })
  /** "…" with the literal text, parameters and command substitutions inside ($"…" is refused). */
  | (Span & { kind: 'dbl'; parts: Part[] })
  /** $NAME, ${NAME}, ${#NAME}, ${NAME<op>word}. */
  | (Span & { kind: 'param'; name: string; length: boolean; op: string | null; word: Word | null })
  /** $( … ) */
  | (Span & { kind: 'cmdsubst'; body: Stmt[] });

export interface Word extends Span {
  parts: Part[];
  /**
   * The unquoted text as bash sees it for globbing and brace expansion: quoted and escaped characters as "_",
   * each quoted part ('…', "…") as one "_", each expansion as one "$". Unquoted, a literal's characters are
   * at the same places in its value and here (one character each).
   */
  shape: string;
  /** Bash brace-expands it into several words (mvdan/sh's SplitBraces says so, or is unsure). */
  braces: boolean;
}

/** A here-document bash and mvdan/sh read alike (shell-ast.ts's Redirect.disagreement is null). */
export interface Heredoc extends Span {
  // `start` is the start of the body (the line after the operator's line), `end` the end of the delimiter line.
  /** The delimiter is quoted or escaped: the body is literal text. */
  quoted: boolean;
  body: Word;
}

export interface Redirect extends Span {
  opStart: number;
  op: string;
  fd: string | null;
  word: Word;
  heredoc: Heredoc | null;
}

export interface Assign extends Span {
  name: string;
  append: boolean;
  value: Word;
}

export type Command =
  | (Span & { kind: 'call'; assigns: Assign[]; words: Word[] })
  | (Span & { kind: 'subshell'; body: Stmt[] })
  | (Span & { kind: 'group'; body: Stmt[] })
  | (Span & { kind: 'if'; clauses: { cond: Stmt[]; then: Stmt[] }[]; otherwise: Stmt[] | null })
  | (Span & { kind: 'while'; until: boolean; cond: Stmt[]; body: Stmt[] })
  | (Span & { kind: 'for'; name: string; items: Word[] | null; body: Stmt[] })
  | (Span & { kind: 'binary'; op: string; left: Stmt; right: Stmt })
  | (Span & { kind: 'time'; stmt: Stmt });

export interface Stmt extends Span {
  negated: boolean;
  background: boolean;
  /** Null for a statement of redirections only. */
  cmd: Command | null;
  redirects: Redirect[];
}

export interface ParsedShell {
  stmts: Stmt[];
}

/** Text the grammar accepts but the subset does not model (or this reading is unsure of). */
export class UnsupportedShell extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Text mvdan/sh does not accept as bash. */
export class ShellParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/**
 * Where a literal stands, which decides what a backslash escapes: unquoted (every character), inside
 * "…" or a ${…} inside "…" ($ ` " \ and newline), in an unquoted here-document body ($ ` \ and newline;
 * `heredoc-tabs` for a <<- body, whose leading tabs are stripped).
 */
type Context = 'bare' | 'double' | 'heredoc' | 'heredoc-tabs';

const ESCAPED: Record<Context, string> = { bare: '', double: '$`"\\\n', heredoc: '$`\\\n', 'heredoc-tabs': '$`\\\n' };

/** The ${NAME<op>word} operators the subset models: defaults, assignments, errors, alternatives, trimming. */
const PARAM_OPS = new Set([':-', ':=', ':?', ':+', '-', '=', '?', '+', '##', '#', '%%', '%']);

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SPECIAL_PARAM = /^([0-9]+|[@*#?$!-])$/;

const ARITHMETIC = 'arithmetic $(( … )) is not supported';
const BACKQUOTES = '`…` command substitution is not supported (use $( … ))';
const ARRAYS = 'array assignments are not supported';
const PARAM_FORM = 'this ${…} form is not supported';

/** A literal as mvdan/sh reports Lit.value: as written, less line continuations. */
function asMvdanReportsIt(raw: string): string {
  return raw.replace(/\\\n/g, '');
}

class Reader {
  /** Where the text is literal inside quotes, a here-document body or a comment (a carriage return is data there). */
  readonly literalText: Span[] = [];

  constructor(private readonly src: string) {}

  private fail(message: string, at: number): never {
    throw new UnsupportedShell(message, at);
  }

  stmts(list: ast.Stmt[]): Stmt[] {
    return list.map((s) => this.stmt(s));
  }

  private stmt(s: ast.Stmt): Stmt {
    if (s.coprocess) this.fail('coprocesses are not supported', s.start);
    const redirects = s.redirs.map((r) => this.redirect(r));
    const cmd = s.cmd ? this.command(s.cmd) : null;
    if (!cmd && redirects.length === 0) this.fail('expected a command', s.start);
    return { start: s.start, end: s.end, negated: s.negated, background: s.background, cmd, redirects };
  }

  private command(c: ast.Command): Command {
    const span = { start: c.start, end: c.end };
    switch (c.type) {
      case 'CallExpr':
        return { kind: 'call', ...span, assigns: c.assigns.map((a) => this.assign(a)), words: c.args.map((w) => this.word(w, 'bare')) };
      case 'DeclClause':
        // declare, export, local, readonly, typeset: the command they are, judged by the command list.
        return { kind: 'call', ...span, assigns: [], words: [this.litWord(c.variant), ...c.args.map((a) => this.declArg(a))] };
      case 'Subshell':
        return { kind: 'subshell', ...span, body: this.stmts(c.stmts) };
      case 'Block':
        return { kind: 'group', ...span, body: this.stmts(c.stmts) };
      case 'IfClause': {
        const clauses: { cond: Stmt[]; then: Stmt[] }[] = [];
        let otherwise: Stmt[] | null = null;
        for (let clause: ast.IfClause | null = c; clause; clause = clause.else) {
          if (clause.cond.length === 0) {
            if (clause !== c && clause.else === null) otherwise = this.stmts(clause.then);
            else this.fail('expected a condition', clause.start);
          } else clauses.push({ cond: this.stmts(clause.cond), then: this.stmts(clause.then) });
        }
        return { kind: 'if', ...span, clauses, otherwise };
      }
      case 'WhileClause':
        return { kind: 'while', ...span, until: c.until, cond: this.stmts(c.cond), body: this.stmts(c.do) };
      case 'ForClause': {
        if (c.select) this.fail('select loops are not supported', c.start);
        const loop = c.loop;
        if (loop.type !== 'WordIter') return this.fail('arithmetic for (( … )) loops are not supported', c.start);
        if (!NAME.test(loop.name.value)) this.fail('expected a loop variable name', loop.name.start);
        return { kind: 'for', ...span, name: loop.name.value, items: loop.items ? loop.items.map((w) => this.word(w, 'bare')) : null, body: this.stmts(c.do) };
      }
      case 'BinaryCmd':
        // After | bash takes "time" for a program (/usr/bin/time, which has options that write files), not the keyword.
        if ((c.op === '|' || c.op === '|&') && c.y.cmd?.type === 'TimeClause') this.fail('time after | (bash runs the time program there) is not supported', c.y.start);
        return { kind: 'binary', ...span, op: c.op, left: this.stmt(c.x), right: this.stmt(c.y) };
      case 'TimeClause':
        if (!c.stmt) return this.fail('time without a command is not supported', c.start);
        return { kind: 'time', ...span, stmt: this.stmt(c.stmt) };
      case 'CaseClause':
        return this.fail('case … esac are not supported', c.start);
      case 'FuncDecl':
        return this.fail('function definitions are not supported', c.start);
      case 'ArithmCmd':
        return this.fail('arithmetic (( … )) is not supported', c.start);
      case 'TestClause':
        return this.fail('[[ … ]] tests (use [ … ]) are not supported', c.start);
      case 'LetClause':
        return this.fail('let (arithmetic on variable values) is not supported', c.start);
      case 'CoprocClause':
        return this.fail('coprocesses are not supported', c.start);
      default:
        return this.fail('this command is not supported', (c as Span).start);
    }
  }

  /** NAME=value before a command (or alone). */
  private assign(a: ast.Assign): Assign {
    if (a.naked) this.fail('expected an assignment', a.start);
    const { name, valueStart } = this.assignHead(a);
    const value = a.value ? this.word(a.value, 'bare') : { start: valueStart, end: valueStart, parts: [], shape: '', braces: false };
    return { start: a.start, end: a.end, name, append: a.append, value };
  }

  /** An argument of a declaration, as the word it is written as (NAME=value, NAME or another word). */
  private declArg(a: ast.Assign): Word {
    if (a.array || a.index) this.fail(ARRAYS, a.start);
    if (a.naked) {
      if (a.value) return this.word(a.value, 'bare');
      if (a.name) return this.litWord(a.name);
      return this.fail('expected a word', a.start);
    }
    const { valueStart } = this.assignHead(a);
    // The whole NAME=value word: "NAME=" is literal text before the value's parts.
    const head: ast.Lit = { type: 'Lit', start: a.start, end: valueStart, value: this.src.slice(a.start, valueStart) };
    return this.word({ type: 'Word', start: a.start, end: a.end, parts: [head, ...(a.value?.parts ?? [])], braces: a.value?.braces ?? false }, 'bare');
  }

  /** The NAME= or NAME+= of an assignment, which must be exactly that text. */
  private assignHead(a: ast.Assign): { name: string; valueStart: number } {
    if (a.array || a.index) this.fail(ARRAYS, a.start);
    const name = a.name?.value ?? '';
    const valueStart = a.value?.start ?? a.end;
    if (!NAME.test(name) || this.src.slice(a.start, valueStart) !== `${name}${a.append ? '+=' : '='}`) this.fail('an assignment written in a way not modelled', a.start);
    return { name, valueStart };
  }

  private litWord(l: ast.Lit): Word {
    return this.word({ type: 'Word', start: l.start, end: l.end, parts: [l] }, 'bare');
  }

  /** A word in `context`; its shape and brace expansion only matter (and are only computed) unquoted. */
  private word(w: ast.Word, context: Context): Word {
    const { parts, shape } = this.parts(w.parts, context);
    if (context !== 'bare') return { start: w.start, end: w.end, parts, shape: '_', braces: false };
    // mvdan/sh's answer, and (for words put together here, or should the two ever differ) the shape's.
    const braces = w.braces === true || /\{[^{}]*(,|\.\.)[^{}]*\}/.test(shape);
    return { start: w.start, end: w.end, parts, shape, braces };
  }

  private parts(list: ast.WordPart[], context: Context): { parts: Part[]; shape: string } {
    const parts: Part[] = [];
    let shape = '';
    for (const p of mergeLiterals(list)) {
      if (p.type === 'Lit') {
        const lit = this.literal(p, context);
        parts.push(lit.part);
        shape += lit.shape;
      } else {
        const part = this.part(p, context);
        parts.push(part);
        shape += part.kind === 'sgl' || part.kind === 'dbl' ? '_' : '$';
      }
    }
    return { parts, shape };
  }

  /** A run of literal text: its value and shape from the source it was parsed from. */
  private literal(l: LitRun, context: Context): { part: Part; shape: string } {
    const raw = this.src.slice(l.start, l.end);
    // The source under the node must read as mvdan/sh read it; if not, this reading is wrong somewhere.
    // (mvdan/sh's values of a <<- body keep tabs it strips elsewhere: those are not compared.)
    if (context !== 'heredoc-tabs' && asMvdanReportsIt(raw) !== l.values.join('')) this.fail('text read differently than the parser read it', l.start);
    let value = '';
    let shape = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i] as string;
      if (c !== '\\') {
        value += c;
        shape += c;
        continue;
      }
      const next = raw[i + 1];
      if (next === undefined) {
        // A backslash at the very end of the text.
        if (context === 'bare') this.fail('a backslash at the end of the text', l.start + i);
        value += c;
        shape += c;
      } else if (next === '\n') {
        i++;
      } else if (context === 'bare' || ESCAPED[context].includes(next)) {
        value += next;
        shape += '_';
        i++;
      } else {
        value += c;
        shape += c;
      }
    }
    if (context !== 'bare') this.literalText.push(l);
    return { part: { kind: 'lit', start: l.start, end: l.end, value }, shape };
  }

  private part(p: Exclude<ast.WordPart, ast.Lit>, context: Context): Part {
    switch (p.type) {
      case 'SglQuoted': {
        const value = this.src.slice(p.start + (p.dollar ? 2 : 1), p.end - 1);
        if (value !== p.value || this.src[p.end - 1] !== "'") this.fail('text read differently than the parser read it', p.start);
        this.literalText.push(p);
        return { kind: 'sgl', start: p.start, end: p.end, value, ansi: p.dollar };
      }
      case 'DblQuoted':
        // $"…" is translated with gettext, from a catalog TEXTDOMAIN/TEXTDOMAINDIR (and the locale) choose: the
        // text bash uses is not the text written.
        if (p.dollar) this.fail('$"…" (locale translation: the text run may be another) is not supported', p.start);
        return { kind: 'dbl', start: p.start, end: p.end, parts: this.parts(p.parts, 'double').parts };
      case 'ParamExp':
        return this.param(p, context);
      case 'CmdSubst':
        if (p.backquotes) this.fail(BACKQUOTES, p.start);
        return { kind: 'cmdsubst', start: p.start, end: p.end, body: this.stmts(p.stmts) };
      case 'ArithmExp':
        return this.fail(ARITHMETIC, p.start);
      case 'ProcSubst':
        return this.fail('process substitution <( … ) is not supported', p.start);
      case 'ExtGlob':
        return this.fail('extended globs ?( … ) *( … ) +( … ) @( … ) !( … ) are not supported', p.start);
      default:
        return this.fail('this word is not supported', (p as Span).start);
    }
  }

  private param(p: ast.ParamExp, context: Context): Part {
    if (p.excl || p.names) this.fail('${!…} indirection is not supported', p.start);
    if (p.index) this.fail('arrays are not supported', p.start);
    if (p.slice || p.repl) this.fail(PARAM_FORM, p.start);
    const name = p.param.value;
    if (!NAME.test(name) && !SPECIAL_PARAM.test(name)) this.fail(PARAM_FORM, p.start);
    if (p.short) {
      if (p.length || p.exp) this.fail(PARAM_FORM, p.start);
      return { kind: 'param', start: p.start, end: p.end, name, length: false, op: null, word: null };
    }
    if (!p.exp) return { kind: 'param', start: p.start, end: p.end, name, length: p.length, op: null, word: null };
    if (p.length || !PARAM_OPS.has(p.exp.op)) this.fail(PARAM_FORM, p.start);
    const w = p.exp.word;
    if (w && context !== 'bare') {
      // Inside "…" (or a here-document), quotes in ${x:-…} follow rules bash and POSIX disagree on: not modelled.
      const quoted = w.parts.some((q) => q.type === 'SglQuoted' || q.type === 'DblQuoted') || /(^|[^\\])(\\\\)*['"]/.test(this.src.slice(w.start, w.end));
      if (quoted) this.fail('quotes inside ${…} inside "…" are not supported', p.start);
    }
    const word = w ? this.word(w, context) : { start: p.end - 1, end: p.end - 1, parts: [], shape: '_', braces: false };
    return { kind: 'param', start: p.start, end: p.end, name, length: false, op: p.exp.op, word: { ...word, shape: '_', braces: false } };
  }

  private redirect(r: ast.Redirect): Redirect {
    let fd: string | null = null;
    if (r.n) {
      if (!/^\d+$/.test(r.n.value)) this.fail('{name}> file-descriptor variables are not supported', r.start);
      fd = r.n.value;
    }
    // Where bash may close (or read) a here-document differently from mvdan/sh, nothing in or after it means
    // what the tree says. shell-ast.ts decides that, once, for every reader of the tree.
    if (r.disagreement) this.fail(`${r.disagreement}: bash may read it differently than the parser`, r.start);
    const word = this.word(r.word, 'bare');
    const redirect: Redirect = { start: r.start, end: r.end, opStart: r.opStart, op: r.op, fd, word, heredoc: null };
    if (r.op === '<<' || r.op === '<<-') redirect.heredoc = this.heredoc(r, word);
    return redirect;
  }

  /** A here-document bash and mvdan/sh agree on (r.disagreement is null): its body ends where the delimiter line starts. */
  private heredoc(r: ast.Redirect, delimiterWord: Word): Heredoc {
    const stripTabs = r.op === '<<-';
    const quoted = delimiterWord.parts.some((p) => p.kind !== 'lit') || this.src.slice(r.word.start, r.word.end).includes('\\');
    const hdoc = r.hdoc;
    if (!hdoc || hdoc.end === hdoc.start) {
      const at = hdoc?.start ?? r.end;
      return { start: at, end: r.end, quoted, body: { start: at, end: at, parts: [], shape: '_', braces: false } };
    }
    const end = hdoc.end;
    const next = this.src.indexOf('\n', end);
    const delimiterEnd = next === -1 ? this.src.length : next;
    const strip = (text: string, at: number) => (stripTabs ? text.replace(at === hdoc.start || this.src[at - 1] === '\n' ? /(^|\n)\t+/g : /(\n)\t+/g, '$1') : text);
    if (quoted) {
      const text = strip(this.src.slice(hdoc.start, end), hdoc.start);
      this.literalText.push({ start: hdoc.start, end });
      const body: Word = { start: hdoc.start, end, parts: text ? [{ kind: 'lit', start: hdoc.start, end, value: text }] : [], shape: '_', braces: false };
      return { start: hdoc.start, end: delimiterEnd, quoted, body };
    }
    // An unquoted body reads like "…" (without the quotes being special): literal text, parameters, substitutions.
    const parts = hdoc.parts.filter((p) => p.start < end);
    if (parts.some((p) => p.end > end && p.type !== 'Lit')) this.fail('a here-document whose end is not where expected', hdoc.start);
    const body = this.word({ type: 'Word', start: hdoc.start, end, parts: parts.map((p) => (p.end > end ? { ...p, end } : p)) }, stripTabs ? 'heredoc-tabs' : 'heredoc');
    for (const p of body.parts) if (p.kind === 'lit') p.value = strip(p.value, p.start);
    return { start: hdoc.start, end: delimiterEnd, quoted, body };
  }
}

/** Adjacent literal parts, as one run: the values mvdan/sh gave and the source they span. */
type LitRun = Span & { type: 'Lit'; values: string[] };

/** Adjacent literal parts as one run (mvdan/sh splits a literal around a line continuation in "…"). */
function mergeLiterals(parts: ast.WordPart[]): (Exclude<ast.WordPart, ast.Lit> | LitRun)[] {
  const out: (Exclude<ast.WordPart, ast.Lit> | LitRun)[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.type !== 'Lit') out.push(p);
    else if (last?.type === 'Lit') {
      last.end = p.end;
      last.values.push(p.value);
    } else out.push({ type: 'Lit', start: p.start, end: p.end, values: [p.value] });
  }
  return out;
}

/** Parses `src` as bash; throws ShellParseError when it is not bash, UnsupportedShell for syntax outside the subset. */
export function parseShellSubset(src: string): ParsedShell {
  // mvdan/sh stops reading at a NUL, which bash drops: what follows would go unseen.
  const nul = src.indexOf('\0');
  if (nul !== -1) throw new UnsupportedShell('a NUL character is not supported', nul);
  const parsed = ast.parseBash(src);
  if (!parsed.ok) {
    if (parsed.kind !== 'syntax') throw new UnsupportedShell(parsed.message, 0);
    throw new ShellParseError(parsed.message, parsed.line, parsed.column);
  }
  const reader = new Reader(src);
  const stmts = reader.stmts(parsed.file.stmts);
  // mvdan/sh reads a carriage return as a blank; bash reads it as part of a word (">/dev/null\r" is a
  // file). Only where it is literal data do the two agree.
  const literal = [...reader.literalText, ...parsed.file.comments];
  for (let i = src.indexOf('\r'); i !== -1; i = src.indexOf('\r', i + 1)) {
    if (!literal.some((span) => span.start <= i && i < span.end)) throw new UnsupportedShell('a carriage return outside quotes (CRLF line ends) is not supported', i);
  }
  return { stmts };
}
