// A parser for the part of bash that read-only runbook lines use: lists, pipelines, && and ||, subshells,
// { } groups, if/while/until/for, simple commands with assignments and redirections, '…' "…" $'…'
// quoting, $NAME ${NAME} ${NAME:-word} parameters, $( ) command substitution and here-documents.
// Anything else (case, functions, [[ ]], arithmetic, backquotes, process substitution, arrays …) is
// refused as unsupported: the verdict never guesses at syntax it does not model.
//
// sh-syntax (mvdan/sh in WASM) is the real parser, but its JavaScript AST stops at statement level
// (commands and words are positions only). So this parser proposes the structure and shell-confirm.ts
// has mvdan/sh confirm every boundary it relies on; a disagreement refuses the proof.
// All offsets are UTF-16 offsets into the parsed text.

export interface Span {
  start: number;
  end: number;
}

export type Part =
  /** Unquoted text; `value` has escapes and line continuations removed. */
  | (Span & { kind: 'lit'; value: string })
  /** '…' or $'…' (`ansi`, whose escapes are not decoded). */
  | (Span & { kind: 'sgl'; value: string; ansi: boolean })
  /** "…" or $"…" with the literal text, parameters and command substitutions inside. */
  | (Span & { kind: 'dbl'; parts: Part[] })
  /** $NAME, ${NAME}, ${#NAME}, ${NAME<op>word}. */
  | (Span & { kind: 'param'; name: string; length: boolean; op: string | null; word: Word | null })
  /** $( … ) */
  | (Span & { kind: 'cmdsubst'; body: Stmt[] });

export interface Word extends Span {
  parts: Part[];
  /** The unquoted text as bash sees it for globbing and brace expansion: quoted and escaped characters as "_". */
  shape: string;
}

export interface Heredoc extends Span {
  /** Start of the body (the line after the operator's line); `end` is the end of the delimiter line. */
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
  /** The whole NAME=value word, as mvdan/sh lexes it. */
  word: Word;
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

/** A list of statements, as mvdan/sh would give it for the same text. */
export interface ListNode extends Span {
  stmts: Stmt[];
}

export interface ParsedShell {
  stmts: Stmt[];
  /** Every nested list (group, subshell, if/while/for bodies, command substitutions), for confirmation. */
  lists: ListNode[];
  heredocs: Heredoc[];
}

export class UnsupportedShell extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'do', 'done', 'while', 'until', 'for', 'in', 'case', 'esac', 'select', 'function', 'coproc', 'time', '{', '}', '!', '[[', ']]']);
const UNSUPPORTED_RESERVED: Record<string, string> = {
  case: 'case … esac',
  select: 'select loops',
  function: 'function definitions',
  coproc: 'coprocesses',
  '[[': '[[ … ]] tests (use [ … ])',
  ']]': '[[ … ]] tests (use [ … ])',
};
const REDIRECT_OPS = ['&>>', '&>', '<<<', '<<-', '<<', '<>', '<&', '<', '>>', '>|', '>&', '>'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

interface PendingHeredoc {
  redirect: Redirect;
  delimiter: string;
  stripTabs: boolean;
  quoted: boolean;
}

class Parser {
  pos = 0;
  private pending: PendingHeredoc[] = [];
  readonly lists: ListNode[] = [];
  readonly heredocs: Heredoc[] = [];

  constructor(readonly src: string) {}

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private fail(message: string, at = this.pos): never {
    throw new UnsupportedShell(message, at);
  }

  /** Spaces, tabs and line continuations. */
  private skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && this.peek(1) === '\n') this.pos += 2;
      else return;
    }
  }

  /** Blanks, comments and newlines (reading here-document bodies after each newline). */
  private skipLinebreaks(): void {
    for (;;) {
      this.skipBlanks();
      const c = this.peek();
      if (c === '#') {
        while (!this.atEnd() && this.peek() !== '\n') this.pos++;
      } else if (c === '\n') {
        this.pos++;
        this.readHeredocs();
      } else return;
    }
  }

  private readHeredocs(): void {
    const pending = this.pending;
    this.pending = [];
    for (const h of pending) {
      const bodyStart = this.pos;
      let found = false;
      let bodyEnd = this.pos;
      let end = this.pos;
      while (!this.atEnd()) {
        const nl = this.src.indexOf('\n', this.pos);
        const lineEnd = nl === -1 ? this.src.length : nl;
        const line = this.src.slice(this.pos, lineEnd);
        const compared = h.stripTabs ? line.replace(/^\t+/, '') : line;
        if (compared === h.delimiter) {
          bodyEnd = this.pos;
          end = lineEnd;
          this.pos = nl === -1 ? lineEnd : lineEnd + 1;
          found = true;
          break;
        }
        this.pos = nl === -1 ? lineEnd : lineEnd + 1;
      }
      if (!found) this.fail(`the here-document ${h.delimiter} has no closing line`, bodyStart);
      const body = h.quoted ? this.literalBody(bodyStart, bodyEnd, h.stripTabs) : this.expandingBody(bodyStart, bodyEnd);
      const heredoc: Heredoc = { start: bodyStart, end, quoted: h.quoted, body };
      h.redirect.heredoc = heredoc;
      this.heredocs.push(heredoc);
    }
  }

  private literalBody(start: number, end: number, stripTabs: boolean): Word {
    let text = this.src.slice(start, end);
    if (stripTabs) text = text.replace(/^\t+/gm, '');
    return { start, end, parts: text ? [{ kind: 'lit', start, end, value: text }] : [], shape: '_' };
  }

  /** An unquoted here-document body: like "…" without the quotes ($ and \ are special, " is not). */
  private expandingBody(start: number, end: number): Word {
    const saved = this.pos;
    this.pos = start;
    const parts = this.quotedParts(end, 'heredoc');
    this.pos = saved;
    return { start, end, parts, shape: '_' };
  }

  /** A reserved word at the current position, if the next word is exactly one. */
  private peekReserved(): string | null {
    let end = this.pos;
    while (end < this.src.length && !META.has(this.src[end] as string)) end++;
    const word = this.src.slice(this.pos, end);
    return RESERVED.has(word) ? word : null;
  }

  private expectReserved(word: string): void {
    this.skipLinebreaks();
    if (this.peekReserved() !== word) this.fail(`expected "${word}"`);
    this.pos += word.length;
  }

  parseList(isEnd: () => boolean): Stmt[] {
    const stmts: Stmt[] = [];
    for (;;) {
      this.skipLinebreaks();
      if (this.atEnd() || isEnd()) break;
      const stmt = this.parseAndOr();
      this.skipBlanks();
      const c = this.peek();
      if (c === ';' && this.peek(1) !== ';') this.pos++;
      else if (c === '&' && this.peek(1) !== '&' && this.peek(1) !== '>') {
        stmt.background = true;
        this.pos++;
      } else if (c === ';') this.fail('";;" outside case');
      else if (!(c === '\n' || c === '#' || c === '' || isEnd())) this.fail(`unexpected "${c}"`);
      stmts.push(stmt);
    }
    return stmts;
  }

  private listNode(stmts: Stmt[]): Stmt[] {
    const first = stmts[0];
    const last = stmts[stmts.length - 1];
    if (first && last) this.lists.push({ start: first.start, end: last.end, stmts });
    return stmts;
  }

  private parseAndOr(): Stmt {
    let left = this.parsePipeline();
    for (;;) {
      this.skipBlanks();
      const two = this.src.slice(this.pos, this.pos + 2);
      if (two !== '&&' && two !== '||') return left;
      this.pos += 2;
      this.skipLinebreaks();
      const right = this.parsePipeline();
      left = this.binary(two, left, right);
    }
  }

  private binary(op: string, left: Stmt, right: Stmt): Stmt {
    return { start: left.start, end: right.end, negated: false, background: false, redirects: [], cmd: { kind: 'binary', op, left, right, start: left.start, end: right.end } };
  }

  private parsePipeline(): Stmt {
    this.skipBlanks();
    const start = this.pos;
    const reserved = this.peekReserved();
    if (reserved === '!') {
      this.pos++;
      const inner = this.parsePipeline();
      if (inner.negated) this.fail('"! !"');
      inner.negated = true;
      inner.start = start;
      return inner;
    }
    if (reserved === 'time') {
      this.pos += 4;
      this.skipBlanks();
      if (this.src.startsWith('-p', this.pos) && META.has(this.peek(2) || ' ')) this.pos += 2;
      const inner = this.parsePipeline();
      return { start, end: inner.end, negated: false, background: false, redirects: [], cmd: { kind: 'time', stmt: inner, start, end: inner.end } };
    }
    let left = this.parseCommand();
    for (;;) {
      this.skipBlanks();
      if (this.peek() !== '|' || this.peek(1) === '|') return left;
      const op = this.peek(1) === '&' ? '|&' : '|';
      this.pos += op.length;
      this.skipLinebreaks();
      const right = this.parseCommand();
      left = this.binary(op, left, right);
    }
  }

  private parseCommand(): Stmt {
    this.skipBlanks();
    const start = this.pos;
    if (this.peek() === '(') {
      if (this.peek(1) === '(') this.fail('arithmetic (( … )) is not supported');
      this.pos++;
      const body = this.listNode(this.parseList(() => this.peek() === ')'));
      if (this.peek() !== ')') this.fail('expected ")"');
      this.pos++;
      return this.compound({ kind: 'subshell', body, start, end: this.pos });
    }
    const reserved = this.peekReserved();
    switch (reserved) {
      case null:
        return this.parseSimple();
      case '{': {
        this.pos++;
        const body = this.listNode(this.parseList(() => this.peekReserved() === '}'));
        this.expectReserved('}');
        return this.compound({ kind: 'group', body, start, end: this.pos });
      }
      case 'if': {
        this.pos += 2;
        const clauses: { cond: Stmt[]; then: Stmt[] }[] = [];
        let keyword = 'if';
        let otherwise: Stmt[] | null = null;
        while (keyword === 'if' || keyword === 'elif') {
          const cond = this.listNode(this.parseList(() => this.peekReserved() === 'then'));
          this.expectReserved('then');
          const then = this.listNode(this.parseList(() => ['elif', 'else', 'fi'].includes(this.peekReserved() ?? '')));
          clauses.push({ cond, then });
          keyword = this.peekReserved() ?? '';
          if (keyword === 'elif') this.pos += 4;
        }
        if (keyword === 'else') {
          this.pos += 4;
          otherwise = this.listNode(this.parseList(() => this.peekReserved() === 'fi'));
        }
        this.expectReserved('fi');
        return this.compound({ kind: 'if', clauses, otherwise, start, end: this.pos });
      }
      case 'while':
      case 'until': {
        this.pos += reserved.length;
        const cond = this.listNode(this.parseList(() => this.peekReserved() === 'do'));
        this.expectReserved('do');
        const body = this.listNode(this.parseList(() => this.peekReserved() === 'done'));
        this.expectReserved('done');
        return this.compound({ kind: 'while', until: reserved === 'until', cond, body, start, end: this.pos });
      }
      case 'for':
        return this.parseFor(start);
      default:
        if (UNSUPPORTED_RESERVED[reserved]) this.fail(`${UNSUPPORTED_RESERVED[reserved]} are not supported`);
        return this.fail(`unexpected "${reserved}"`);
    }
  }

  private parseFor(start: number): Stmt {
    this.pos += 3;
    this.skipBlanks();
    if (this.peek() === '(') this.fail('arithmetic for (( … )) loops are not supported');
    const name = NAME.exec(this.src.slice(this.pos))?.[0];
    if (!name || !META.has(this.peek(name.length) || ' ')) this.fail('expected a loop variable name');
    this.pos += name.length;
    this.skipBlanks();
    let items: Word[] | null = null;
    if (this.peek() === ';') this.pos++;
    this.skipLinebreaks();
    if (this.peekReserved() === 'in') {
      this.pos += 2;
      items = [];
      for (;;) {
        this.skipBlanks();
        const c = this.peek();
        if (c === ';' || c === '\n' || c === '' || c === '#') break;
        if (META.has(c)) this.fail(`unexpected "${c}" in a for list`);
        items.push(this.parseWord());
      }
      if (this.peek() === ';') this.pos++;
    }
    this.expectReserved('do');
    const body = this.listNode(this.parseList(() => this.peekReserved() === 'done'));
    this.expectReserved('done');
    return this.compound({ kind: 'for', name, items, body, start, end: this.pos });
  }

  /** A compound command and the redirections after it. */
  private compound(cmd: Command): Stmt {
    const redirects: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      if (!this.redirectAhead()) break;
      redirects.push(this.parseRedirect());
    }
    const last = redirects[redirects.length - 1];
    return { start: cmd.start, end: last ? last.end : cmd.end, negated: false, background: false, cmd, redirects };
  }

  private redirectAhead(): boolean {
    const rest = this.src.slice(this.pos, this.pos + 16);
    if (/^[<>]\(/.test(rest)) this.fail('process substitution <( … ) is not supported');
    if (/^\{[A-Za-z_][A-Za-z0-9_]*\}[<>]/.test(rest)) this.fail('{name}> file-descriptor variables are not supported');
    return /^(\d+)?[<>]/.test(rest) || rest.startsWith('&>');
  }

  private parseRedirect(): Redirect {
    const start = this.pos;
    const digits = /^\d+/.exec(this.src.slice(this.pos))?.[0] ?? null;
    if (digits) this.pos += digits.length;
    const opStart = this.pos;
    const op = REDIRECT_OPS.find((o) => this.src.startsWith(o, this.pos));
    if (!op) return this.fail('expected a redirection');
    if (digits && op.startsWith('&')) this.fail(`unexpected "${op}"`);
    this.pos += op.length;
    this.skipBlanks();
    if (this.atEnd() || META.has(this.peek()) || this.peek() === '#') this.fail(`"${op}" needs a word`);
    const word = this.parseWord();
    const redirect: Redirect = { start, end: word.end, opStart, op, fd: digits, word, heredoc: null };
    if (op === '<<' || op === '<<-') {
      if (word.parts.some((p) => p.kind === 'param' || p.kind === 'cmdsubst' || (p.kind === 'dbl' && p.parts.some((q) => q.kind !== 'lit')))) {
        this.fail('a here-document delimiter with expansions is not supported');
      }
      const quoted = word.parts.some((p) => p.kind !== 'lit') || this.src.slice(word.start, word.end).includes('\\');
      this.pending.push({ redirect, delimiter: wordText(word), stripTabs: op === '<<-', quoted });
    }
    return redirect;
  }

  private parseSimple(): Stmt {
    const start = this.pos;
    const assigns: Assign[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      const c = this.peek();
      if (c === '' || c === '\n' || c === ';' || c === '&' || c === '|' || c === ')' || c === '#') {
        if (c === '&' && this.peek(1) === '>') {
          redirects.push(this.parseRedirect());
          continue;
        }
        break;
      }
      if (c === '(') this.fail(words.length === 1 ? 'function definitions are not supported' : 'unexpected "("');
      if (this.redirectAhead()) {
        redirects.push(this.parseRedirect());
        continue;
      }
      const wordStart = this.pos;
      const word = this.parseWord();
      if (words.length === 0) {
        const assign = this.asAssignment(word, wordStart);
        if (assign) {
          assigns.push(assign);
          continue;
        }
      }
      words.push(word);
    }
    const items: Span[] = [...assigns, ...words];
    const first = items[0];
    const last = items.reduce<Span | undefined>((a, b) => (!a || b.end > a.end ? b : a), undefined);
    const cmd: Command | null = first && last ? { kind: 'call', assigns, words, start: first.start, end: last.end } : null;
    const end = Math.max(last?.end ?? start, ...redirects.map((r) => r.end));
    if (!cmd && redirects.length === 0) this.fail('expected a command');
    return { start, end, negated: false, background: false, cmd, redirects };
  }

  private asAssignment(word: Word, start: number): Assign | null {
    const text = this.src.slice(start, word.end);
    if (/^[A-Za-z_][A-Za-z0-9_]*\[/.test(text) && /^[^=]*\]\+?=/.test(text)) this.fail('array assignments are not supported', start);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(text);
    const first = word.parts[0];
    if (!m || !first || first.kind !== 'lit' || first.end - first.start < m[0].length) return null;
    const valueStart = start + m[0].length;
    if (this.src[valueStart] === '(') this.fail('array assignments are not supported', valueStart);
    // The value is the word less "NAME=": its first literal part shortened, or dropped when it was only that.
    const rest = first.value.slice(m[0].length);
    const parts: Part[] = rest ? [{ ...first, start: valueStart, value: rest }, ...word.parts.slice(1)] : word.parts.slice(1);
    const value: Word = { start: valueStart, end: word.end, parts, shape: word.shape.slice(m[0].length) };
    return { start, end: word.end, name: m[1] as string, append: m[2] === '+', value, word };
  }

  /** One word in unquoted context; stops at a metacharacter. */
  parseWord(): Word {
    const start = this.pos;
    const parts = new PartList();
    let shape = '';
    const literal = (value: string, advance: number, shaped: string) => {
      parts.text(this.pos, value);
      shape += shaped;
      this.pos += advance;
    };
    while (!this.atEnd()) {
      const c = this.peek();
      if (META.has(c)) break;
      if (c === '\\') {
        if (this.peek(1) === '\n') literal('', 2, '');
        else if (this.pos + 1 >= this.src.length) this.fail('a backslash at the end of the text');
        else literal(this.peek(1), 2, '_');
        continue;
      }
      if (c === '`') this.fail('`…` command substitution is not supported (use $( … ))');
      if (this.quoteInto(parts)) {
        shape += '_';
        continue;
      }
      if (c === '$') {
        if (this.dollarInto(parts, 'bare')) shape += '$';
        else literal('$', 1, '$');
        continue;
      }
      literal(c, 1, c);
    }
    const done = parts.done(this.pos);
    if (done.length === 0) this.fail('expected a word', start);
    return { start, end: this.pos, parts: done, shape };
  }

  /** '…', $'…', "…" or $"…" at the current position, added to `parts`; false when none starts here. */
  private quoteInto(parts: PartList): boolean {
    const c = this.peek();
    const q = c === '$' ? this.peek(1) : c;
    if (q === "'") parts.push(this.singleQuoted());
    else if (q === '"') {
      const start = this.pos;
      this.pos += c === '$' ? 2 : 1;
      const inner = this.quotedParts(-1, 'double');
      parts.push({ kind: 'dbl', start, end: this.pos, parts: inner });
    } else return false;
    return true;
  }

  /** $NAME, ${…} or $( … ) at the current "$", added to `parts`; false (nothing consumed) when the "$" is literal. */
  private dollarInto(parts: PartList, context: 'bare' | 'double' | 'heredoc' | 'param'): boolean {
    const part = this.dollar(context);
    if (part) parts.push(part);
    return part !== null;
  }

  private singleQuoted(): Part {
    const start = this.pos;
    const ansi = this.peek() === '$';
    this.pos += ansi ? 2 : 1;
    let value = '';
    for (;;) {
      if (this.atEnd()) this.fail('an unterminated quote', start);
      const c = this.peek();
      if (c === "'") break;
      if (ansi && c === '\\') {
        value += this.src.slice(this.pos, this.pos + 2);
        this.pos += 2;
        continue;
      }
      value += c;
      this.pos++;
    }
    this.pos++;
    if (this.pending.length > 0 && value.includes('\n')) this.fail('a quoted newline on a here-document line is not supported', start);
    return { kind: 'sgl', start, end: this.pos, value, ansi };
  }

  /**
   * The inside of "…" (up to the closing quote) or of a here-document body (up to `end`): literal text,
   * parameters, command substitutions.
   */
  private quotedParts(end: number, mode: 'double' | 'heredoc'): Part[] {
    const parts = new PartList();
    const startedAt = this.pos;
    for (;;) {
      if (mode === 'heredoc' ? this.pos >= end : this.atEnd()) {
        if (mode === 'double') this.fail('an unterminated quote', startedAt);
        break;
      }
      const c = this.peek();
      if (mode === 'double' && c === '"') break;
      if (c === '\n' && mode === 'double' && this.pending.length > 0) this.fail('a quoted newline on a here-document line is not supported');
      if (c === '\\') {
        const next = this.peek(1);
        const escapes = mode === 'double' ? '$`"\\\n' : '$`\\\n';
        if (next && escapes.includes(next)) {
          parts.text(this.pos, next === '\n' ? '' : next);
          this.pos += 2;
        } else {
          parts.text(this.pos, c);
          this.pos++;
        }
        continue;
      }
      if (c === '`') this.fail('`…` command substitution is not supported (use $( … ))');
      if (c === '$' && this.dollarInto(parts, mode)) continue;
      parts.text(this.pos, c);
      this.pos++;
    }
    const done = parts.done(this.pos);
    if (mode === 'double') this.pos++; // the closing quote
    return done;
  }

  /** $NAME, $1, $?, ${…} or $( … ) at the current "$"; null when the "$" is literal. */
  private dollar(context: 'bare' | 'double' | 'heredoc' | 'param'): Part | null {
    const start = this.pos;
    const next = this.peek(1);
    if (next === '(') {
      if (this.peek(2) === '(') this.fail('arithmetic $(( … )) is not supported');
      if (this.pending.length > 0) this.fail('a command substitution on a here-document line is not supported');
      this.pos += 2;
      const body = this.listNode(this.parseList(() => this.peek() === ')'));
      if (this.peek() !== ')') this.fail('an unterminated $(', start);
      this.pos++;
      if (this.pending.length > 0) this.fail('a here-document inside $( … ) is not supported', start);
      return { kind: 'cmdsubst', start, end: this.pos, body };
    }
    if (next === '{') return this.braceParam(context);
    const name = NAME.exec(this.src.slice(this.pos + 1))?.[0] ?? (/[0-9@*#?$!-]/.test(next) ? next : null);
    if (!name) return null;
    this.pos += 1 + name.length;
    return { kind: 'param', start, end: this.pos, name, length: false, op: null, word: null };
  }

  private braceParam(context: 'bare' | 'double' | 'heredoc' | 'param'): Part {
    const start = this.pos;
    this.pos += 2;
    let length = false;
    if (this.peek() === '#' && this.peek(1) !== '}') {
      length = true;
      this.pos++;
    }
    const name = NAME.exec(this.src.slice(this.pos))?.[0] ?? /^(\d+|[@*#?$!-])/.exec(this.src.slice(this.pos))?.[0];
    if (!name) this.fail('this ${…} form is not supported', start);
    this.pos += name.length;
    if (this.peek() === '}') {
      this.pos++;
      return { kind: 'param', start, end: this.pos, name, length, op: null, word: null };
    }
    const op = length ? undefined : [':-', ':=', ':?', ':+', '-', '=', '?', '+', '##', '#', '%%', '%'].find((o) => this.src.startsWith(o, this.pos));
    if (!op) this.fail('this ${…} form is not supported', start);
    this.pos += op.length;
    const word = this.paramWord(context);
    return { kind: 'param', start, end: this.pos, name, length, op, word };
  }

  /** The word of ${NAME<op>word}, up to the closing brace (blanks do not end it). */
  private paramWord(context: 'bare' | 'double' | 'heredoc' | 'param'): Word {
    const start = this.pos;
    const parts = new PartList();
    for (;;) {
      if (this.atEnd()) this.fail('an unterminated ${', start);
      const c = this.peek();
      if (c === '}') break;
      if (c === '\\' && this.pos + 1 < this.src.length) {
        parts.text(this.pos, this.peek(1));
        this.pos += 2;
        continue;
      }
      if (c === '`') this.fail('`…` command substitution is not supported (use $( … ))');
      // Inside "…", quotes in ${x:-…} follow rules bash and POSIX disagree on: not modelled.
      if ((c === "'" || c === '"') && context !== 'bare' && context !== 'param') this.fail('quotes inside ${…} inside "…" are not supported');
      if (this.quoteInto(parts)) continue;
      if (c === '$' && this.dollarInto(parts, 'param')) continue;
      parts.text(this.pos, c);
      this.pos++;
    }
    const word: Word = { start, end: this.pos, parts: parts.done(this.pos), shape: '_' };
    this.pos++; // the closing brace
    return word;
  }

  parseFile(): ParsedShell {
    const stmts = this.parseList(() => false);
    if (!this.atEnd()) this.fail(`unexpected "${this.peek()}"`);
    if (this.pending.length > 0) this.fail('a here-document without a body');
    return { stmts, lists: this.lists, heredocs: this.heredocs };
  }
}

/** A word's parts as they are scanned, with consecutive literal text merged into one 'lit' part. */
class PartList {
  private readonly parts: Part[] = [];
  private lit: { start: number; value: string } | null = null;

  /** Literal text at `at` (opening a literal run there if none is open; '' still opens one). */
  text(at: number, value: string): void {
    this.lit ??= { start: at, value: '' };
    this.lit.value += value;
  }

  /** A non-literal part: closes the open literal run where the part starts. */
  push(part: Part): void {
    this.flush(part.start);
    this.parts.push(part);
  }

  /** All parts, the open literal run closed at `end`. */
  done(end: number): Part[] {
    this.flush(end);
    return this.parts;
  }

  private flush(end: number): void {
    if (this.lit) this.parts.push({ kind: 'lit', start: this.lit.start, end, value: this.lit.value });
    this.lit = null;
  }
}

/** The text of a word with quotes removed, when it has no expansions (for here-document delimiters). */
function wordText(word: Word): string {
  return word.parts.map((p) => (p.kind === 'lit' || p.kind === 'sgl' ? p.value : p.kind === 'dbl' ? p.parts.map((q) => (q.kind === 'lit' ? q.value : '')).join('') : '')).join('');
}

/** Parses `src`; throws UnsupportedShell for syntax outside the subset (or invalid). */
export function parseShellSubset(src: string): ParsedShell {
  return new Parser(src).parseFile();
}

/** Line (1-based) of an offset. */
export function lineOf(src: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < src.length; i++) if (src[i] === '\n') line++;
  return line;
}
