// Variable values in shell blocks are data, never code.
//
// prepareShell (bash on local and ssh targets): a value never enters the code. It goes into the step's
// environment under a name of its own (RUNBOOK_VAR_…), and each <PLACEHOLDER> is rewritten to a quoted
// reference to it — `"${RUNBOOK_VAR_x}"` in a plain word, `${RUNBOOK_VAR_x}` inside "…" or an unquoted
// here-document body — only where the block's syntax proves that bash expands that reference once, as one
// literal argument or text, and never reads the result as code. `$NAME` / `${NAME}` references to run
// variables go to the environment under NAME; unquoted in a plain word they are put in double quotes, so
// a value is never split into several arguments or taken as a glob.
//
// prepareArgv (kubectl lines, run without a shell): each word holding a value is rewritten as one
// single-quoted word, so the kubectl line parser reads exactly one argv word holding the value byte for
// byte; a value that would start a word of its own with `-` (a flag) is refused.
//
// How the contexts are known. sh-syntax (mvdan/sh compiled to WASM) is the judge of whether the block is
// bash at all, but its JavaScript AST stops at statements: a command is only a position range, and only
// redirections keep their words. So the block is walked here by a scanner that follows bash's grammar for
// everything that decides a character's context (quotes of every kind, $( ), backticks, $(( )), ${ },
// [[ ]], (( )), here-documents, comments, case, for, assignments and the commands that turn their
// arguments into code), and what sh-syntax does expose is checked against it: the statements, their
// redirections, top-level here-document bodies (a value inside one must sit in a literal part) and
// comments. The rewritten block is parsed again and must keep that structure. Any disagreement refuses
// the block ('not-provable'). The scanner never has to be perfect for safety: values are never pasted
// into bash code, so a mistake can only put a reference somewhere it is not expanded as intended, and the
// places where bash re-reads a value as code are refused explicitly: arithmetic (unless the value is a
// decimal integer), arguments that commands run (eval, source, trap, sh -c, ssh, awk/sed/jq programs …),
// variable names, command names, and whatever is fed to a command that runs its input (`… | bash`,
// `bash <<EOF`, `psql <<< …`). The lists of such commands cannot be complete; they cover the usual ones.
// `${NAME:-…}` and other expansions with an operator are left as written: bash expands them once (unquoted
// they are split and globbed as the author wrote, never run).
//
// Copies. The checks above follow a value only to where <NAME> / $NAME is written, not into the shell
// variables, pipes, files, positional parameters and functions it is copied into (`y=<N>; $y`,
// `echo <N> | while read l; do eval "$l"; done`, `echo <N> > f; source f`). Exact data-flow tracking is not
// attempted; instead, when a block carries any value (a placeholder with a value, or a named run variable
// other than as ${#NAME}), the block is judged as a whole, and "unsure" is the dangerous answer:
//  - 'evaluated-block', for every value in the block, when ANY part of the block runs text as code: eval,
//    source / ., trap, alias, a shell (sh bash dash zsh ksh mksh fish busybox …) as a command name anywhere
//    (in { }, ( ), $( ), <( ) >( ), after a pipe, after a wrapper such as nohup, env or kubectl exec --),
//    su, runuser, xargs, exec, command, builtin, coproc, watch, parallel, at, sudo/doas -s/-i, env -S,
//    declare/typeset/local -n, ${!name} and ${name@P}, mapfile -C, a command name that is an expansion
//    ($y, ${y}, "$y", $(…)), a program argument of awk/sed/python/… that holds an expansion, anything
//    piped or fed to a command that runs its input, text run as code that names RUNBOOK_VAR_…, and a block
//    that writes files and runs a command by its path (./x.sh);
//  - 'arithmetic-unsafe-value', for every value holding one of $ ` [ ] ( ), when ANY part of the block
//    evaluates arithmetic: (( )), $(( )), $[ ], let, for (( )), [[ … -eq/-ne/-lt/-le/-gt/-ge … ]], array
//    subscripts, ${x:offset:length}, declare/typeset/local -i, a variable name with a subscript or one
//    given by an expansion (unset "$y", printf -v "$y"), and -v tests. Bash arithmetic runs a command only
//    through a subscript holding a substitution (a[$(…)]), which needs those characters. (`[ a -eq b ]`
//    is not arithmetic: test reads plain integers.)
// Both are on top of the rules above. What stays out of reach: a program literally written by the author
// that reads the environment, a file or its input and runs it (awk '{ system($0) }', perl -e 'system
// $ENV{y}'), and files run by later steps.
//
// A value that forms a whole word starting with `-` is passed to bash as `"$VAR"` as it is: whether it is
// an option or an operand is the command's business (an option's argument such as `grep -e <PATTERN>`
// cannot be told apart from a flag without knowing every command's options).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { getProcessor } from 'sh-syntax';
import { parseKubectlLines } from '../targets/kubernetes/kubectl-lines.js';
import { shellSingleQuote } from '../targets/ssh/remote-script.js';

export type ShellValueProblemCode =
  /** Inside '…': bash would print the reference as text, and pasting the value there is what broke before. */
  | 'single-quoted'
  /** Inside $'…' (or $"…"): escapes, not expansions, happen there. */
  | 'ansi-c-quoted'
  /** In the body of a here-document whose delimiter is quoted (<<'EOF'): the body is literal. */
  | 'quoted-heredoc'
  /** In arithmetic ($(( )), (( )), let, [[ -eq ]], subscripts, declare -i …) and not a decimal integer. */
  | 'arithmetic-not-number'
  /** Glued to shell syntax: part of a $name, after a backslash, in an extended glob, a heredoc delimiter … */
  | 'inside-word'
  /** Part of a command name, or of the command a wrapper (sudo, xargs, find -exec …) runs. */
  | 'command-name'
  /** argv only: a value that would be a word of its own starting with '-'. */
  | 'flag'
  /** In an argument that a command runs as code: eval, source, trap, sh -c, ssh, awk, sed, jq … */
  | 'evaluated'
  /** Used as a variable name (read, unset, declare, [[ -v ]], ${!name} …): bash evaluates subscripts in names. */
  | 'variable-name'
  /** Inside the operand of ${name…} (${X:-<V>}, ${X#<V>} …). */
  | 'parameter-expansion'
  /** A $NAME whose name the shell or the dynamic loader acts on (PATH, IFS, BASH_ENV, LD_PRELOAD …). */
  | 'reserved-name'
  /** The block evaluates arithmetic somewhere and the value holds $ ` [ ] ( ): a copy of it could run code there. */
  | 'arithmetic-unsafe-value'
  /** The block runs text as code somewhere (eval, source, a shell, xargs, $cmd …): a copy of any value could reach it. */
  | 'evaluated-block'
  /** The value cannot travel in an environment variable or argv word (NUL, unpaired surrogate). */
  | 'unrepresentable'
  /** The block does not parse as bash. */
  | 'parse-error'
  /** The parser's view and this module's disagree, or the rewritten block changed structure. */
  | 'not-provable'
  | (string & {});

export interface ShellValueProblem {
  /** The key the value was found under: "<NAME>" or "NAME". */
  variable: string;
  /** 1-based line within the block's code. */
  line: number;
  code: ShellValueProblemCode;
  message: string;
}

export interface PreparedShell {
  code: string;
  env: Record<string, string>;
  problems: ShellValueProblem[];
}

/** The two calls used here: the project's TypeScript libraries (ES2023, node) declare no WebAssembly. */
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<unknown>; instantiate(module: unknown, imports: unknown): Promise<unknown> };

// sh-syntax's own parse() compiles its WASM module on every call; compiled once, a parse costs half.
let compiled: Promise<unknown> | undefined;
const parseBash = getProcessor((imports) => {
  compiled ??= readFile(fileURLToPath(import.meta.resolve('sh-syntax/main.wasm'))).then((bytes) => WebAssembly.compile(bytes));
  return compiled.then((module) => WebAssembly.instantiate(module, imports));
});

const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*)>/g;
/** $NAME, ${NAME…}, ${#NAME}, ${!NAME}: the spellings listed when a block cannot be parsed. */
const MENTION = /\$\{?[#!]?([A-Za-z_][A-Za-z0-9_]*)/g;
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;
/** Names bash or the dynamic loader act on: a run variable of that name would change what runs. */
const RESERVED = /^(?:PATH|IFS|BASH_ENV|BASHOPTS|SHELLOPTS|CDPATH|GLOBIGNORE|PS[0-4]|PROMPT_COMMAND|POSIXLY_CORRECT|BASH_[A-Z_]*|LD_[A-Z_]*|DYLD_[A-Z_]*)$/;

/** For bash (local and ssh targets): values go only into the environment; placeholders become quoted references. */
export async function prepareShell(code: string, values: ReadonlyMap<string, string>): Promise<PreparedShell> {
  return prepare(code, values, 'shell');
}

/** For blocks run without a shell (kubectl lines on a kubernetes target): values become whole argv words, never flags. */
export async function prepareArgv(code: string, values: ReadonlyMap<string, string>): Promise<PreparedShell> {
  return prepare(code, values, 'argv');
}

// ---------------------------------------------------------------------------------------------------------
// Scanning

/** What bash does with the characters at a place. */
type Lex =
  | 'plain' // unquoted part of a word
  | 'dq' // inside "…"
  | 'heredoc' // body of a here-document with an unquoted delimiter
  | 'sq'
  | 'ansi' // $'…'
  | 'locale' // $"…"
  | 'qheredoc'
  | 'comment'
  | 'arith'
  | 'param' // the name in $name / ${name}
  | 'syntax' // operators, keywords, quotes, a name being assigned …
  | 'escaped' // the character after a backslash
  | 'delim' // a here-document delimiter
  | 'extglob';

/** What the command does with a word. */
type Role = 'data' | 'name' | 'code' | 'varname' | 'arith';

interface WordRec {
  start: number;
  end: number;
  role: Role;
  /** Why the role (for messages): "eval", "bash -c" … */
  why: string;
  /** The word's text once quotes are removed: strings, and simple references to run variables. */
  pieces: (string | Ref)[];
  /** Holds an expansion other than a simple reference to a run variable. */
  dynamic: boolean;
}

interface Frame {
  kind: 'word' | 'arith' | 'subst' | 'operand' | 'stage';
  word?: WordRec;
  /** kind 'stage': one command of a pipeline, or a here-document body, and what reads its output. */
  stage?: Stage;
  parent: Frame | null;
}

/** A command of a pipeline (or a here-document body): 'code' when what reads its output runs it. */
interface Stage {
  role: 'data' | 'code';
  why: string;
  words: WordRec[];
}

/** A simple command: its words' literal text, and the words that feed its standard input. */
interface Command {
  words: (string | null)[];
  stdin: WordRec[];
  /** Indexes in words of command names (the first word, and the command a wrapper runs). */
  names: number[];
}

interface Ctx {
  lex: Lex;
  frame: Frame | null;
}

interface Ref {
  name: string;
  start: number;
  end: number;
  /** $NAME or ${NAME}: nothing but the name. */
  simple: boolean;
  lex: Lex;
  frame: Frame | null;
  /** ${!NAME} reads the value as a variable name; ${NAME@P} expands it as a prompt, $( ) included. */
  evaluates: boolean;
  /** ${#NAME}: only the value's length is used. */
  lengthOnly?: boolean;
}

interface Heredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
  /** The command that reads the body, when a simple command. */
  command: Command | null;
  /** The top-level statement it belongs to. */
  statement: Statement | null;
}

interface Statement {
  start: number;
  /** Its command is nested (a && b, a | b, time a, f() { }): sh-syntax shows no redirections of it. */
  nested: boolean;
  redirects: { op: string; start: number; end: number }[];
  bodies: { start: number; end: number; quoted: boolean }[];
}

class ScanError extends Error {}

const BLANK = new Set([' ', '\t']);
const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'yash', 'posh', 'fish', 'rbash']);
const DECLARATIONS = new Set(['declare', 'typeset', 'local', 'export', 'readonly']);

/**
 * Walks bash text and records, for every character it consumes, how bash reads it (Lex) and inside which
 * words, substitutions and arithmetic it sits (Frame). Throws ScanError where it cannot follow.
 */
class Scanner {
  i = 0;
  readonly ctx: (Ctx | undefined)[];
  frame: Frame | null;
  readonly refs: Ref[] = [];
  /** Every word, so that those read inside backticks can be mapped back to this text. */
  readonly words: WordRec[] = [];
  /** Words whose role is code, and pipeline stages and here-documents that run as code. */
  readonly codeWords: WordRec[] = [];
  readonly codeStages: Stage[] = [];
  /** Here-document bodies that run as code. */
  readonly codeRanges: { start: number; end: number; why: string }[] = [];
  /** The simple command being read (its here-documents and here-strings feed it). */
  private current: Command | null = null;
  /** Top-level statements, as sh-syntax lists them. */
  readonly statements: Statement[] = [];
  private pending: Heredoc[] = [];
  /** Nesting of $( ), backticks, ( ): statements in there are not top level. */
  private depth = 0;
  /** Nesting of compound commands (if … fi, { … }, …). */
  private compound = 0;
  private atStatement = true;
  /** Names declared integer in this block: assigning to them is arithmetic. */
  readonly integers = new Set<string>();
  /** Block-wide: why bash evaluates arithmetic somewhere in the block (where a copy of a value may go). */
  readonly arithmetic: string[] = [];
  /** Block-wide: why the block runs some text as code (where a copy of a value may go). */
  readonly evaluators: string[] = [];
  /** The block writes files (> file, tee …), and runs a command by path (./x.sh): it may run what it wrote. */
  writesFiles = false;
  pathCommand = false;

  constructor(
    readonly s: string,
    readonly isRunVariable: (name: string) => boolean,
    readonly isMarkerAt: (offset: number) => number,
    rootFrame: Frame | null = null,
    ctx?: (Ctx | undefined)[],
  ) {
    this.ctx = ctx ?? new Array<Ctx | undefined>(s.length);
    this.frame = rootFrame;
  }

  // -- helpers

  private eof(): boolean {
    return this.i >= this.s.length;
  }
  private ch(k = 0): string {
    return this.s[this.i + k] ?? '';
  }
  private at(text: string): boolean {
    return this.s.startsWith(text, this.i);
  }
  private mark(from: number, to: number, lex: Lex): void {
    const c: Ctx = { lex, frame: this.frame };
    for (let k = from; k < to; k++) this.ctx[k] = c;
  }
  private take(n: number, lex: Lex): void {
    this.mark(this.i, this.i + n, lex);
    this.i += n;
  }
  /** One character (a whole code point), marked. */
  private takeChar(lex: Lex): string {
    const cp = this.s.codePointAt(this.i) as number;
    const n = cp > 0xffff ? 2 : 1;
    const text = this.s.slice(this.i, this.i + n);
    this.take(n, lex);
    return text;
  }
  private fail(what: string): never {
    throw new ScanError(`${what} at offset ${this.i}`);
  }
  private isTop(): boolean {
    return this.depth === 0 && this.compound === 0;
  }
  private statementStarts(): void {
    if (this.atStatement && this.isTop()) this.statements.push({ start: this.i, nested: false, redirects: [], bodies: [] });
    this.atStatement = false;
  }
  /** The top-level statement being read, when the cursor is at top level. */
  private statement(): Statement | null {
    return this.isTop() ? (this.statements[this.statements.length - 1] ?? null) : null;
  }
  private nest(): void {
    const st = this.statement();
    if (st) st.nested = true;
  }

  /** Blanks and backslash-newline continuations. */
  private blanks(): void {
    for (;;) {
      if (BLANK.has(this.ch())) this.take(1, 'syntax');
      else if (this.at('\\\n')) this.take(2, 'syntax');
      else return;
    }
  }

  /** The unquoted literal word at the cursor if it is exactly `word` (a reserved word). */
  private keyword(word: string): boolean {
    if (!this.at(word)) return false;
    const next = this.s[this.i + word.length];
    return next === undefined || META.has(next);
  }

  private wordEnds(k: number): boolean {
    const c = this.s[k];
    return c === undefined || META.has(c);
  }

  /** A plain reserved word at the cursor (unquoted letters up to a metacharacter), or null. */
  private reservedWord(): string | null {
    const m = /^(?:[a-z]+|\{|\}|!|\[\[)/.exec(this.s.slice(this.i, this.i + 12));
    if (!m) return null;
    return this.wordEnds(this.i + m[0].length) ? m[0] : null;
  }

  // -- programs

  private newline(): void {
    this.take(1, 'syntax');
    this.readBodies();
    if (this.isTop()) this.atStatement = true;
  }

  private comment(): void {
    while (!this.eof() && this.ch() !== '\n') this.takeChar('comment');
  }

  /**
   * A list of commands up to `)` (in parentheses), a case item's end, one of `keywords` at a command's
   * place (fi, done, } …), or the end of the text.
   */
  list(stop: { paren?: boolean; caseItem?: boolean; keywords?: readonly string[] } = {}): void {
    let continued = false;
    let pipeline: { stage: Stage; command: Command | null }[] = [];
    const end = () => {
      this.pipeline(pipeline);
      pipeline = [];
    };
    for (;;) {
      this.blanks();
      if (this.eof()) return end();
      const c = this.ch();
      if (c === '#') {
        this.comment();
        continue;
      }
      if (c === '\n') {
        if (continued) {
          this.take(1, 'syntax');
          this.readBodies();
        } else {
          end();
          this.newline();
        }
        continue;
      }
      if (c === ')') {
        if (stop.paren || stop.caseItem) return end();
        this.fail('unexpected )');
      }
      if (stop.caseItem && (this.at(';;') || this.at(';&'))) return end();
      if ((c === ';' || c === '&' || c === '|') && !this.at('&>')) {
        const op = /^(?:;;&|;;|;&|&&|\|\||\|&|;|&|\|)/.exec(this.s.slice(this.i, this.i + 3))?.[0] ?? c;
        if (op === ';;' || op === ';;&' || op === ';&') this.fail('case terminator outside case');
        this.take(op.length, 'syntax');
        const pipe = op === '|' || op === '|&';
        continued = pipe || op === '&&' || op === '||';
        if (!pipe) end();
        if (continued) this.nest();
        else if (this.isTop()) this.atStatement = true;
        continue;
      }
      const word = this.reservedWord();
      if (word !== null && (stop.keywords?.includes(word) || (stop.caseItem && word === 'esac'))) return end();
      this.statementStarts();
      const stage: Stage = { role: 'data', why: '', words: [] };
      const outer = this.frame;
      this.frame = { kind: 'stage', stage, parent: outer };
      const command = this.command();
      this.frame = outer;
      pipeline.push({ stage, command });
      continued = false;
    }
  }

  /** What reads a pipeline's output: a command that runs its input as code makes the commands before it code. */
  private pipeline(stages: { stage: Stage; command: Command | null }[]): void {
    for (let k = stages.length - 1; k > 0; k--) {
      const reader = stages[k]?.command;
      const why = reader ? readsCode(reader.words) : null;
      if (!why) continue;
      for (const { stage } of stages.slice(0, k)) {
        stage.role = 'code';
        stage.why = `its output is piped into ${why}`;
        this.codeStages.push(stage);
      }
      return;
    }
  }

  private keywordTaken(word: string): void {
    if (!this.keyword(word)) this.fail(`expected ${word}`);
    this.take(word.length, 'syntax');
  }

  /** A compound command's body, with the redirections after its end. */
  private compoundCommand(body: () => void): null {
    this.compound++;
    body();
    this.compound--;
    this.redirectsOnly();
    return null;
  }

  /** One command (with its prefixes `!`, `time`); the simple command it is, if it is one. */
  private command(): Command | null {
    const word = this.reservedWord();
    switch (word) {
      case '!':
        this.take(1, 'syntax');
        this.blanks();
        return this.command();
      case 'time':
        this.nest();
        this.take(4, 'syntax');
        this.blanks();
        if (this.at('-p') && this.wordEnds(this.i + 2)) this.take(2, 'syntax');
        this.blanks();
        return this.atCommandEnd() ? null : this.command();
      case 'coproc':
        this.evaluators.push('coproc');
        this.nest();
        this.take(6, 'syntax');
        this.blanks();
        return this.command();
      case 'if':
        return this.compoundCommand(() => {
          this.take(2, 'syntax');
          this.list({ keywords: ['then'] });
          this.keywordTaken('then');
          this.list({ keywords: ['elif', 'else', 'fi'] });
          while (this.keyword('elif')) {
            this.take(4, 'syntax');
            this.list({ keywords: ['then'] });
            this.keywordTaken('then');
            this.list({ keywords: ['elif', 'else', 'fi'] });
          }
          if (this.keyword('else')) {
            this.take(4, 'syntax');
            this.list({ keywords: ['fi'] });
          }
          this.keywordTaken('fi');
        });
      case 'while':
      case 'until':
        return this.compoundCommand(() => {
          this.take(word.length, 'syntax');
          this.list({ keywords: ['do'] });
          this.doGroup();
        });
      case 'for':
      case 'select':
        return this.compoundCommand(() => {
          this.forHeader(word);
          this.skipSeparators();
          this.doGroup();
        });
      case '{':
        return this.compoundCommand(() => {
          this.take(1, 'syntax');
          this.list({ keywords: ['}'] });
          this.keywordTaken('}');
        });
      case 'case':
        return this.compoundCommand(() => this.caseClause());
      case 'function':
        this.nest();
        this.take(8, 'syntax');
        this.blanks();
        this.word({ role: 'name', why: 'a function name' });
        this.blanks();
        if (this.at('()')) this.take(2, 'syntax');
        this.skipLines();
        return this.command();
      case '[[':
        return this.compoundCommand(() => this.cond());
      case 'then':
      case 'else':
      case 'elif':
      case 'fi':
      case 'do':
      case 'done':
      case '}':
      case 'esac':
        this.fail(`unexpected ${word}`);
        break;
      default:
        break;
    }
    if (this.at('((')) {
      return this.compoundCommand(() => {
        this.take(2, 'syntax');
        this.arith('))');
        this.take(2, 'syntax');
      });
    }
    if (this.ch() === '(') {
      return this.compoundCommand(() => {
        this.take(1, 'syntax');
        this.depth++;
        this.list({ paren: true });
        this.depth--;
        if (this.ch() !== ')') this.fail('unclosed (');
        this.take(1, 'syntax');
      });
    }
    return this.simple();
  }

  private atCommandEnd(): boolean {
    const c = this.ch();
    return c === '' || c === '\n' || c === ';' || c === '|' || c === ')' || (c === '&' && !this.at('&>'));
  }

  private doGroup(): void {
    this.keywordTaken('do');
    this.list({ keywords: ['done'] });
    this.keywordTaken('done');
  }

  private redirectsOnly(): void {
    for (;;) {
      this.blanks();
      if (!this.redirect()) return;
    }
  }

  /** Newlines, `;` and comments between a for header and its `do`. */
  private skipSeparators(): void {
    for (;;) {
      this.blanks();
      if (this.ch() === ';') this.take(1, 'syntax');
      else if (this.ch() === '\n') this.newline();
      else if (this.ch() === '#') this.comment();
      else return;
    }
  }

  /** for NAME [in WORDS] or for (( … )), up to the separator before `do`. */
  private forHeader(word: string): void {
    this.take(word.length, 'syntax');
    this.blanks();
    if (this.at('((')) {
      this.take(2, 'syntax');
      this.arith('))');
      this.take(2, 'syntax');
      return;
    }
    this.word({ role: 'varname', why: `the variable of ${word}` });
    for (;;) {
      this.blanks();
      if (this.ch() === '\n') this.newline();
      else break;
    }
    if (!this.keyword('in')) return;
    this.take(2, 'syntax');
    for (;;) {
      this.blanks();
      const c = this.ch();
      if (c === '' || c === ';' || c === '\n' || c === '#') return;
      this.word({ role: 'data', why: '' });
    }
  }

  private skipLines(): void {
    for (;;) {
      this.blanks();
      if (this.ch() === '\n') this.newline();
      else if (this.ch() === '#') this.comment();
      else return;
    }
  }

  private caseClause(): void {
    this.take(4, 'syntax');
    this.blanks();
    this.word({ role: 'data', why: '' });
    this.skipLines();
    if (!this.keyword('in')) this.fail('case without in');
    this.take(2, 'syntax');
    for (;;) {
      this.skipLines();
      if (this.eof()) this.fail('case without esac');
      if (this.keyword('esac')) {
        this.take(4, 'syntax');
        return;
      }
      if (this.ch() === '(') this.take(1, 'syntax');
      for (;;) {
        this.blanks();
        this.word({ role: 'data', why: '' });
        this.blanks();
        if (this.ch() === '|') this.take(1, 'syntax');
        else break;
      }
      if (this.ch() !== ')') this.fail('case pattern without )');
      this.take(1, 'syntax');
      this.list({ caseItem: true });
      const end = /^(?:;;&|;;|;&)/.exec(this.s.slice(this.i, this.i + 3));
      if (end) this.take(end[0].length, 'syntax');
    }
  }

  /** [[ … ]]: operands of -eq and friends are arithmetic, the operand of -v a name. */
  private cond(): void {
    this.take(2, 'syntax');
    const tokens: (WordRec | string)[] = [];
    for (;;) {
      this.blanks();
      if (this.ch() === '\n') {
        this.newline();
        continue;
      }
      if (this.eof()) this.fail('[[ without ]]');
      if (this.at(']]') && this.wordEnds(this.i + 2)) {
        this.take(2, 'syntax');
        break;
      }
      const op = /^(?:&&|\|\||[()<>]|!(?=[ \t\n]))/.exec(this.s.slice(this.i, this.i + 2))?.[0];
      if (op) {
        this.take(op.length, 'syntax');
        tokens.push(op);
        continue;
      }
      const previous = tokens[tokens.length - 1];
      const regex = previous !== undefined && typeof previous !== 'string' && literalOf(previous) === '=~';
      tokens.push(this.word({ role: 'data', why: '' }, regex ? 'regex' : 'word'));
    }
    const ARITH_OPS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);
    tokens.forEach((t, k) => {
      if (typeof t === 'string') return;
      const op = literalOf(t);
      const before = tokens[k - 1];
      const after = tokens[k + 1];
      if (op !== null && ARITH_OPS.has(op)) {
        for (const w of [before, after]) {
          if (w !== undefined && typeof w !== 'string') Object.assign(w, { role: 'arith', why: `[[ ${op} ]]` });
          this.arithmetic.push(`[[ ${op} ]]`);
        }
      }
      if (op === '-v' && after !== undefined && typeof after !== 'string') Object.assign(after, { role: 'varname', why: '[[ -v ]]' });
    });
  }

  // -- simple commands

  /** `>file`, `2>&1`, `<<EOF`, `{fd}>file` …; false when there is none at the cursor. */
  private redirect(): boolean {
    const m = /^(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[0-9]+)?(?:<<<|<<-|<<|<>|<&|<(?!\()|>>|>&|>\||>(?!\()|&>>|&>)/.exec(this.s.slice(this.i, this.i + 40));
    if (!m) return false;
    const op = m[0].replace(/^(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[0-9]+)/, '');
    this.statementStarts();
    this.take(m[0].length, 'syntax');
    this.blanks();
    const statement = this.statement();
    const heredoc = op === '<<' || op === '<<-';
    const w = this.word({ role: 'data', why: '' }, heredoc ? 'delimiter' : 'word');
    statement?.redirects.push({ op, start: w.start, end: w.end });
    const target = literalOf(w);
    if (/^(?:>|>>|>\||&>|&>>|<>)$/.test(op) && (target === null || !/^\/dev\/(?:null|stdout|stderr|tty)$/.test(target))) this.writesFiles = true;
    if (op === '>&' && (target === null || !/^(?:[0-9]+-?|-)$/.test(target))) this.writesFiles = true;
    // What a command reads on its standard input: a here-string, a file, or a here-document body.
    if ((op === '<<<' || op === '<' || op === '<>') && this.current) this.current.stdin.push(w);
    if (heredoc) {
      const raw = this.s.slice(w.start, w.end);
      const quoted = /['"\\]/.test(raw);
      this.pending.push({ delimiter: raw.replace(/\\(.)|['"]/gs, '$1'), quoted, stripTabs: op === '<<-', command: this.current, statement });
    }
    return true;
  }

  private readBodies(): void {
    for (const doc of this.pending.splice(0)) {
      const start = this.i;
      let end = this.s.length;
      let next = this.s.length;
      let lineStart = this.i;
      while (lineStart < this.s.length) {
        const nl = this.s.indexOf('\n', lineStart);
        const lineEnd = nl === -1 ? this.s.length : nl;
        let line = this.s.slice(lineStart, lineEnd);
        if (doc.stripTabs) line = line.replace(/^\t+/, '');
        if (line === doc.delimiter) {
          end = lineStart;
          next = nl === -1 ? this.s.length : nl + 1;
          break;
        }
        lineStart = lineEnd + 1;
      }
      // The body is the command's input: code if the command runs its input (bash <<EOF, ssh host <<EOF …).
      const why = doc.command ? readsCode(doc.command.words) : null;
      const stage: Stage = { role: why ? 'code' : 'data', why: why ? `it is the input of ${why}` : '', words: [] };
      const outer = this.frame;
      this.frame = { kind: 'stage', stage, parent: null };
      if (doc.quoted) this.mark(start, end, 'qheredoc');
      else this.heredocBody(end);
      this.frame = outer;
      if (why) this.codeRanges.push({ start, end, why: stage.why });
      doc.statement?.bodies.push({ start, end, quoted: doc.quoted });
      this.mark(end, next, 'syntax');
      this.i = next;
    }
  }

  /** An unquoted here-document body: like "…", but a quote is an ordinary character. */
  private heredocBody(end: number): void {
    while (this.i < end) {
      const c = this.ch();
      if (c === '\\' && '$`\\\n'.includes(this.ch(1)) && this.i + 1 < end) {
        this.take(1, 'syntax');
        this.takeChar('escaped');
      } else if (c === '$') this.dollar('heredoc', null);
      else if (c === '`') this.backtick('heredoc', null);
      else this.takeChar('heredoc');
    }
    if (this.i !== end) this.fail('here-document body overran');
  }

  /** NAME=, NAME+=, NAME[…]= at the cursor: the length of the part before the value, or 0. */
  private assignmentAt(): number {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i, this.i + 256));
    if (!m) return 0;
    let k = this.i + m[0].length;
    if (this.s[k] === '[') {
      let depth = 0;
      for (; k < this.s.length; k++) {
        const c = this.s[k] as string;
        if (c === '[') depth++;
        else if (c === ']' && --depth === 0) break;
        else if (c === '\n') return 0;
      }
      k++;
    }
    if (this.s[k] === '+') k++;
    return this.s[k] === '=' ? k + 1 - this.i : 0;
  }

  /** An assignment word; `declaration` holds the options of declare/local/… it is an argument of. */
  private assignment(declaration: string | null): void {
    const start = this.i;
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i))?.[0] as string;
    this.take(name.length, 'syntax');
    if (this.ch() === '[') {
      this.take(1, 'syntax');
      this.arith(']');
      this.take(1, 'syntax');
    }
    if (this.ch() === '+') this.take(1, 'syntax');
    this.take(1, 'syntax'); // =
    void start;
    let role: Role = 'data';
    let why = '';
    if (this.integers.has(name) || declaration?.includes('i')) {
      role = 'arith';
      why = `${name} is an integer variable`;
    }
    if (RESERVED.test(name)) {
      role = 'code';
      why = `${name} changes what the shell runs`;
    }
    if (this.ch() === '(') {
      // A compound array assignment: words, `[index]=value` ones with an arithmetic index.
      this.take(1, 'syntax');
      for (;;) {
        this.blanks();
        const c = this.ch();
        if (c === '\n') this.newline();
        else if (c === '#') this.comment();
        else if (c === ')') {
          this.take(1, 'syntax');
          break;
        } else if (c === '') this.fail('unclosed array');
        else if (c === '[') {
          this.take(1, 'syntax');
          this.arith(']');
          this.take(1, 'syntax');
          if (this.ch() === '+') this.take(1, 'syntax');
          if (this.ch() === '=') this.take(1, 'syntax');
          if (!this.wordEnds(this.i)) this.word({ role, why });
        } else this.word({ role, why });
      }
      return;
    }
    if (declaration?.includes('n')) {
      role = 'varname';
      why = 'declare -n makes it a reference to the variable it names';
    }
    if (declaration !== null && /[aA]/.test(declaration)) {
      // declare -a x="…" parses a value that looks like (…) as an array, subscripts evaluated.
      role = 'code';
      why = 'declare -a/-A reads a value like (…) as an array';
    }
    if (!this.wordEnds(this.i)) this.word({ role, why });
  }

  private simple(): Command | null {
    const command: Command = { words: [], stdin: [], names: [] };
    const outerCommand = this.current;
    this.current = command;
    try {
      return this.simpleWords(command);
    } finally {
      this.current = outerCommand;
      // Its input is code when it runs its input: bash <<< "…", bash < file.
      for (const k of command.names) {
        const risk = commandRisk(command.words.slice(k));
        if (risk.evaluates) this.evaluators.push(risk.evaluates);
        if (risk.arithmetic) this.arithmetic.push(risk.arithmetic);
        if (risk.writes) this.writesFiles = true;
        if (command.words[k]?.includes('/')) this.pathCommand = true;
      }
      const why = readsCode(command.words);
      for (const w of command.stdin) {
        if (!why || w.role !== 'data') continue;
        Object.assign(w, { role: 'code', why: `it is the input of ${why}` });
        this.codeWords.push(w);
      }
    }
  }

  private simpleWords(command: Command): Command | null {
    const words = command.words;
    let first: WordRec | null = null;
    let assignments = true;
    let declarationOptions: string | null = null;
    for (;;) {
      this.blanks();
      const c = this.ch();
      if (c === '' || c === '\n' || c === ';' || c === '&' || c === '|' || c === ')') {
        if (c === '&' && this.at('&>')) {
          this.redirect();
          continue;
        }
        return command;
      }
      if (c === '#') return command;
      if (this.redirect()) continue;
      if (c === '(') {
        // NAME() compound-command: a function definition.
        if (words.length === 1) {
          this.take(1, 'syntax');
          this.blanks();
          if (this.ch() !== ')') this.fail('( after a word');
          this.take(1, 'syntax');
          if (first) Object.assign(first, { role: 'name', why: 'a function name' });
          this.nest();
          this.skipLines();
          this.current = null;
          this.command();
          return null;
        }
        this.fail('unexpected (');
      }
      this.statementStarts();
      if (assignments) {
        const n = this.assignmentAt();
        if (n > 0) {
          this.assignment(null);
          continue;
        }
      }
      assignments = false;
      if (declarationOptions !== null && this.assignmentAt() > 0) {
        const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i))?.[0] as string;
        if (declarationOptions.includes('i')) this.integers.add(name);
        this.assignment(declarationOptions);
        continue;
      }
      const role = nextRole(words);
      if (role.role === 'name' && role.why === 'the command name') command.names.push(words.length);
      const w = this.word(role);
      first ??= w;
      const text = literalOf(w);
      words.push(text);
      if (words.length === 1 && text !== null && DECLARATIONS.has(text)) declarationOptions = '';
      else if (declarationOptions !== null && text !== null && /^[-+][A-Za-z]+$/.test(text)) declarationOptions += text.slice(1);
      else if (declarationOptions !== null && text !== null && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) && declarationOptions.includes('i')) {
        this.integers.add(text);
      }
    }
  }

  // -- words

  /**
   * One word at the cursor. `mode`: 'regex' lets ( ) | < > into the word (the right of =~ in [[ ]]),
   * 'delimiter' marks it as a here-document delimiter.
   */
  private word(role: { role: Role; why: string }, mode: 'word' | 'regex' | 'delimiter' = 'word'): WordRec {
    const rec: WordRec = { start: this.i, end: this.i, role: role.role, why: role.why, pieces: [], dynamic: false };
    this.words.push(rec);
    if (role.role === 'code') this.codeWords.push(rec);
    for (let f = this.frame; f; f = f.parent) {
      if (f.kind !== 'stage') continue;
      f.stage?.words.push(rec);
      break;
    }
    const outer = this.frame;
    this.frame = { kind: 'word', word: rec, parent: outer };
    const plain: Lex = mode === 'delimiter' ? 'delim' : 'plain';
    let parens = 0;
    const text = (t: string) => {
      const last = rec.pieces[rec.pieces.length - 1];
      if (typeof last === 'string') rec.pieces[rec.pieces.length - 1] = last + t;
      else rec.pieces.push(t);
    };
    for (;;) {
      if (this.eof()) break;
      const c = this.ch();
      if (mode === 'regex' && (c === '(' || (parens > 0 && c === ')'))) {
        parens += c === '(' ? 1 : -1;
        text(this.takeChar('plain'));
        continue;
      }
      if (mode === 'regex' && (c === '|' || c === '<' || c === '>') && !(c === '|' && this.ch(1) === '|' && parens === 0)) {
        text(this.takeChar('plain'));
        continue;
      }
      if ((c === '<' || c === '>') && this.ch(1) === '(' && this.i === rec.start) {
        this.take(2, 'syntax');
        rec.dynamic = true;
        this.substitution();
        continue;
      }
      if (META.has(c) && !(mode === 'regex' && parens > 0 && (c === ' ' || c === '\t'))) break;
      if (c === '\\') {
        if (this.ch(1) === '\n') this.take(2, 'syntax');
        else if (this.i + 1 >= this.s.length) text(this.takeChar(plain));
        else {
          this.take(1, 'syntax');
          text(this.takeChar('escaped'));
        }
        continue;
      }
      if (c === "'") {
        this.take(1, 'syntax');
        const close = this.s.indexOf("'", this.i);
        if (close < 0) this.fail('unclosed single quote');
        text(this.s.slice(this.i, close));
        this.mark(this.i, close, mode === 'delimiter' ? 'delim' : 'sq');
        this.i = close;
        this.take(1, 'syntax');
        continue;
      }
      if (c === '"') {
        this.take(1, 'syntax');
        this.doubleQuoted(rec, mode === 'delimiter' ? 'delim' : 'dq', text);
        continue;
      }
      if (c === '`') {
        rec.dynamic = true;
        this.backtick(plain, rec);
        continue;
      }
      if (c === '$') {
        this.dollar(plain, rec, text);
        continue;
      }
      if ('?*+@!'.includes(c) && this.ch(1) === '(') {
        rec.dynamic = true;
        this.extglob();
        continue;
      }
      text(this.takeChar(plain));
    }
    this.frame = outer;
    rec.end = this.i;
    if (rec.end === rec.start) this.fail('expected a word');
    if (rec.role === 'code' && literalOf(rec) === null) this.evaluators.push(`${rec.why}, on text that holds an expansion`);
    return rec;
  }

  /** After the opening quote of "…" (or $"…"), through the closing one. */
  private doubleQuoted(rec: WordRec | null, lex: Lex, text: (t: string) => void): void {
    for (;;) {
      if (this.eof()) this.fail('unclosed double quote');
      const c = this.ch();
      if (c === '"') {
        this.take(1, 'syntax');
        return;
      }
      const n = this.ch(1);
      if (c === '\\' && n !== '' && '$`"\\\n'.includes(n)) {
        this.take(1, 'syntax');
        if (n === '\n') this.take(1, 'syntax');
        else text(this.takeChar('escaped'));
      } else if (c === '$') this.dollar(lex, rec, text);
      else if (c === '`') {
        if (rec) rec.dynamic = true;
        this.backtick(lex, rec);
      } else text(this.takeChar(lex));
    }
  }

  /** At `$`: whatever expansion (or plain `$`) starts there. */
  private dollar(lex: Lex, rec: WordRec | null, text: (t: string) => void = () => undefined): void {
    const next = this.ch(1);
    const quotedHere = lex === 'dq' || lex === 'heredoc' || lex === 'locale';
    if (next === "'" && !quotedHere) {
      this.take(2, 'syntax');
      let k = this.i;
      while (k < this.s.length && this.s[k] !== "'") k += this.s[k] === '\\' ? 2 : 1;
      if (k >= this.s.length) this.fail("unclosed $'");
      this.mark(this.i, k, 'ansi');
      if (rec) rec.dynamic = true;
      this.i = k;
      this.take(1, 'syntax');
      return;
    }
    if (next === '"' && !quotedHere) {
      this.take(2, 'syntax');
      if (rec) rec.dynamic = true;
      this.doubleQuoted(rec, 'locale', () => undefined);
      return;
    }
    if (this.at('$((')) {
      if (rec) rec.dynamic = true;
      this.take(3, 'syntax');
      this.arith('))');
      this.take(2, 'syntax');
      return;
    }
    if (next === '(') {
      if (rec) rec.dynamic = true;
      this.take(2, 'syntax');
      this.substitution();
      return;
    }
    if (next === '[') {
      if (rec) rec.dynamic = true;
      this.take(2, 'syntax');
      this.arith(']');
      this.take(1, 'syntax');
      return;
    }
    if (next === '{') {
      this.parameter(lex, rec);
      return;
    }
    if (IDENT_START.test(next)) {
      const start = this.i;
      this.take(1, 'syntax');
      const name = this.identifier('param');
      const ref = this.reference(name, start, this.i, true, lex, false);
      if (rec) {
        if (ref) rec.pieces.push(ref);
        else rec.dynamic = true;
      }
      return;
    }
    if (/[0-9@*#?$!-]/.test(next)) {
      this.take(2, 'param');
      if (rec) rec.dynamic = true;
      return;
    }
    text(this.takeChar(lex));
  }

  private identifier(lex: Lex): string {
    const start = this.i;
    while (IDENT.test(this.ch())) this.i++;
    this.mark(start, this.i, lex);
    return this.s.slice(start, this.i);
  }

  private reference(name: string, start: number, end: number, simple: boolean, lex: Lex, evaluates: boolean): Ref | null {
    if (!this.isRunVariable(name)) return null;
    const ref: Ref = { name, start, end, simple, lex, frame: this.frame, evaluates };
    this.refs.push(ref);
    return ref;
  }

  /** At `${`. */
  private parameter(lex: Lex, rec: WordRec | null): void {
    const start = this.i;
    this.take(2, 'syntax');
    let prefix = '';
    if ((this.ch() === '#' || this.ch() === '!') && this.ch(1) !== '}') {
      prefix = this.ch();
      this.take(1, 'syntax');
    }
    let name = '';
    if (IDENT_START.test(this.ch())) name = this.identifier('param');
    else if (/[0-9]/.test(this.ch())) {
      while (/[0-9]/.test(this.ch())) this.take(1, 'param');
    } else if (/[@*#?$!-]/.test(this.ch())) this.take(1, 'param');
    else this.fail('bad ${');
    if (this.ch() === '[') {
      this.take(1, 'syntax');
      if ((this.ch() === '@' || this.ch() === '*') && this.ch(1) === ']') this.take(1, 'syntax');
      else this.arith(']');
      this.take(1, 'syntax');
    }
    let evaluates = false;
    let simple = prefix === '';
    if (prefix === '!' && !((this.ch() === '*' || this.ch() === '@') && this.ch(1) === '}')) evaluates = true;
    if (this.ch() === '}') {
      this.take(1, 'syntax');
    } else {
      simple = false;
      if (this.ch() === '@' && /[A-Za-z]/.test(this.ch(1)) && this.ch(2) === '}') {
        if (this.ch(1) === 'P') evaluates = true;
        this.take(3, 'syntax');
      } else if (this.ch() === ':' && !'-=?+'.includes(this.ch(1))) {
        // ${x:offset:length}: both arithmetic.
        this.take(1, 'syntax');
        this.arith(':}');
        if (this.ch() === ':') {
          this.take(1, 'syntax');
          this.arith('}');
        }
        this.take(1, 'syntax');
      } else {
        const op = /^(?::[-=?+]|[-=?+]|##?|%%?|\/[/#%]?|\^\^?|,,?|\*|@)/.exec(this.s.slice(this.i, this.i + 2))?.[0];
        if (!op) this.fail('bad ${ operator');
        this.take(op.length, 'syntax');
        this.operand(lex);
      }
    }
    if (evaluates) this.evaluators.push(prefix === '!' ? '${!name} indirection' : '${name@P}');
    const ref = name ? this.reference(name, start, this.i, simple, lex, evaluates) : null;
    if (ref && prefix === '#') ref.lengthOnly = true;
    if (rec) {
      if (ref && simple) rec.pieces.push(ref);
      else rec.dynamic = true;
    }
  }

  /** The word after an operator in ${…}, through the closing brace. */
  private operand(lex: Lex): void {
    const outer = this.frame;
    this.frame = { kind: 'operand', parent: outer };
    const inner: Lex = lex === 'plain' ? 'plain' : 'dq';
    let braces = 0;
    for (;;) {
      if (this.eof()) this.fail('unclosed ${');
      const c = this.ch();
      if (c === '}' && braces === 0) break;
      if (c === '{') braces++;
      if (c === '}') braces--;
      if (c === '\\' && this.i + 1 < this.s.length) {
        this.take(1, 'syntax');
        this.takeChar('escaped');
      } else if (c === "'" && inner === 'plain') {
        const close = this.s.indexOf("'", this.i + 1);
        if (close < 0) this.fail('unclosed single quote');
        this.mark(this.i, close + 1, 'sq');
        this.i = close + 1;
      } else if (c === '"') {
        this.take(1, 'syntax');
        this.doubleQuoted(null, 'dq', () => undefined);
      } else if (c === '$') this.dollar(inner, null);
      else if (c === '`') this.backtick(inner, null);
      else this.takeChar(inner);
    }
    this.frame = outer;
    this.take(1, 'syntax');
  }

  /** After `$(` or `<(`: a program through the closing `)`. */
  private substitution(): void {
    const outer = this.frame;
    this.frame = { kind: 'subst', parent: outer };
    const saved = { atStatement: this.atStatement, compound: this.compound, pending: this.pending };
    this.depth++;
    this.compound = 0;
    this.pending = [];
    this.atStatement = true;
    this.list({ paren: true });
    if (this.ch() !== ')') this.fail('unclosed $(');
    this.take(1, 'syntax');
    this.depth--;
    Object.assign(this, saved);
    this.frame = outer;
  }

  /**
   * `…`: bash removes the backslash before $ ` \ (and " inside "…") and parses the rest as a program.
   * Scanned as its own text; its findings are mapped back to this text.
   */
  private backtick(lex: Lex, rec: WordRec | null): void {
    if (rec) rec.dynamic = true;
    const open = this.i;
    let k = open + 1;
    let inner = '';
    const map: number[] = [];
    const inDq = lex === 'dq' || lex === 'heredoc';
    for (;;) {
      if (k >= this.s.length) this.fail('unclosed `');
      const c = this.s[k] as string;
      if (c === '`') break;
      if (c === '\\' && k + 1 < this.s.length) {
        const n = this.s[k + 1] as string;
        if (n === '$' || n === '`' || n === '\\' || (inDq && n === '"')) {
          this.mark(k, k + 1, 'syntax');
          map.push(k + 1);
          inner += n;
          k += 2;
          continue;
        }
      }
      map.push(k);
      inner += c;
      k++;
    }
    this.take(1, 'syntax');
    const frame: Frame = { kind: 'subst', parent: this.frame };
    const sub = new Scanner(inner, this.isRunVariable, (o) => {
      // A marker is found in the original text; it must not straddle removed backslashes.
      const at = map[o];
      if (at === undefined) return 0;
      const n = this.isMarkerAt(at);
      return n > 0 && map[o + n - 1] === at + n - 1 ? n : 0;
    }, frame);
    sub.depth = 1;
    sub.list();
    for (let j = 0; j < inner.length; j++) {
      const c = sub.ctx[j];
      const at = map[j] as number;
      if (c) this.ctx[at] = c;
    }
    const remap = (o: number) => (o >= inner.length ? k : (map[o] as number));
    for (const r of sub.refs) this.refs.push({ ...r, start: remap(r.start), end: r.end >= inner.length ? k : (map[r.end - 1] as number) + 1 });
    for (const w of sub.words) {
      w.start = remap(w.start);
      w.end = w.end >= inner.length ? k : (map[w.end - 1] as number) + 1;
      this.words.push(w);
    }
    this.codeWords.push(...sub.codeWords);
    this.codeStages.push(...sub.codeStages);
    this.arithmetic.push(...sub.arithmetic);
    this.evaluators.push(...sub.evaluators);
    this.writesFiles ||= sub.writesFiles;
    this.pathCommand ||= sub.pathCommand;
    for (const r of sub.codeRanges) this.codeRanges.push({ start: remap(r.start), end: r.end >= inner.length ? k : (map[r.end - 1] as number) + 1, why: r.why });
    this.i = k;
    this.take(1, 'syntax');
  }

  /** ?( ) *( ) +( ) @( ) !( ): a pattern group, through its closing parenthesis. */
  private extglob(): void {
    this.take(2, 'extglob');
    let depth = 1;
    while (depth > 0) {
      if (this.eof()) this.fail('unclosed extended glob');
      const c = this.ch();
      if (c === '(') depth++;
      if (c === ')') depth--;
      if (c === '\\') this.take(1, 'extglob');
      this.takeChar('extglob');
    }
  }

  /**
   * Arithmetic up to `stop` ('))', ']', '}', or ':}' for either) at parenthesis depth 0. Names of run
   * variables in it are references: bash evaluates a variable's value as an expression there.
   */
  arith(stop: '))' | ']' | '}' | ':}'): void {
    this.arithmetic.push(stop === '))' ? '(( )) or $(( ))' : stop === ']' ? 'an array subscript or $[ ]' : '${name:offset:length}');
    const outer = this.frame;
    this.frame = { kind: 'arith', parent: outer };
    let depth = 0;
    for (;;) {
      if (this.eof()) this.fail('unclosed arithmetic');
      const c = this.ch();
      if (depth === 0) {
        if (stop === '))' && this.at('))')) break;
        if (stop === ']' && c === ']') break;
        if (stop === '}' && c === '}') break;
        if (stop === ':}' && (c === ':' || c === '}')) break;
      }
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      if (IDENT_START.test(c)) {
        const start = this.i;
        const name = this.identifier('arith');
        let marker = false;
        for (let k = start; k < this.i; k++) if (this.isMarkerAt(k) > 0) marker = true;
        // A value is an operand of its own or nothing: glued to a name it would make another name.
        if (marker && this.isMarkerAt(start) !== name.length) this.mark(start, this.i, 'syntax');
        else if (!marker) this.reference(name, start, this.i, false, 'arith', false);
      } else if (/[0-9]/.test(c)) {
        const start = this.i;
        while (/[A-Za-z0-9_#@]/.test(this.ch())) this.i++;
        this.mark(start, this.i, 'syntax');
      } else if (c === '$') this.dollar('arith', null);
      else if (c === '`') this.backtick('arith', null);
      else if (c === '\\' && this.ch(1) === '\n') this.take(2, 'syntax');
      else this.takeChar('arith');
    }
    this.frame = outer;
  }
}

/** The word's text if it is a plain literal (quotes removed, no expansion). */
function literalOf(w: WordRec): string | null {
  if (w.dynamic || w.pieces.some((p) => typeof p !== 'string')) return null;
  return w.pieces.join('');
}

// ---------------------------------------------------------------------------------------------------------
// What a command does with its arguments

type RoleOf = { role: Role; why: string };
const DATA: RoleOf = { role: 'data', why: '' };

/** Wrappers that run a command given in their arguments: short options taking an argument, operands before the command. */
const WRAPPERS: Record<string, { args: string; long?: string[]; operands?: number; code?: string }> = {
  sudo: { args: 'CDghpRrTtUu', long: ['--user', '--group', '--chdir', '--host', '--prompt', '--close-from'] },
  doas: { args: 'Cu' },
  env: { args: 'CSu', long: ['--unset', '--chdir', '--split-string'], code: 'S' },
  nohup: { args: '' },
  time: { args: 'fo', long: ['--format', '--output'] },
  timeout: { args: 'ks', long: ['--kill-after', '--signal'], operands: 1 },
  nice: { args: 'n', long: ['--adjustment'] },
  ionice: { args: 'cnp' },
  stdbuf: { args: 'eio' },
  setsid: { args: '' },
  chroot: { args: '', operands: 1, long: ['--userspec', '--groups'] },
  exec: { args: 'a' },
  command: { args: '' },
  builtin: { args: '' },
  xargs: { args: 'aEdeIiLlnPs', long: ['--arg-file', '--delimiter', '--max-args', '--max-procs', '--replace', '--max-lines', '--max-chars'] },
  taskset: { args: '', operands: 1 },
  unshare: { args: '' },
  nsenter: { args: 'tSGnmuipUCT' },
  chrt: { args: '', operands: 1 },
  flock: { args: 'cEw', operands: 1, code: 'c' },
  strace: { args: 'abeEoOpPsSuUX' },
  ltrace: { args: 'aeEnoOpsu' },
  runuser: { args: 'cgGlsuw', code: 'c' },
  su: { args: 'cgGsw', code: 'c', long: ['--command'] },
  unbuffer: { args: '' },
  faketime: { args: '', operands: 1 },
  caffeinate: { args: 'tw' },
};

/** Interpreters: the short options whose argument is a program, and whether the first operand is one. */
const INTERPRETERS: Record<string, { code: string; args: string; firstOperand: boolean; fileOption?: string; long?: string[]; long2?: string[] }> = {
  awk: { code: '', args: 'Fvf', firstOperand: true, fileOption: 'f' },
  gawk: { code: 'e', args: 'Fvfie', firstOperand: true, fileOption: 'f' },
  mawk: { code: '', args: 'Fvf', firstOperand: true, fileOption: 'f' },
  nawk: { code: '', args: 'Fvf', firstOperand: true, fileOption: 'f' },
  busybox: { code: '', args: '', firstOperand: true },
  sed: { code: 'e', args: 'efl', firstOperand: true, fileOption: 'f' },
  perl: { code: 'eE', args: 'eEIMm', firstOperand: true },
  ruby: { code: 'e', args: 'eIr', firstOperand: true },
  python: { code: 'c', args: 'cmWX', firstOperand: true },
  python2: { code: 'c', args: 'cmWX', firstOperand: true },
  python3: { code: 'c', args: 'cmWX', firstOperand: true },
  node: { code: 'ep', args: 'epr', firstOperand: true },
  deno: { code: '', args: '', firstOperand: true },
  bun: { code: 'e', args: 'e', firstOperand: true },
  php: { code: 'r', args: 'rBERFfcdz', firstOperand: true },
  lua: { code: 'e', args: 'el', firstOperand: true },
  Rscript: { code: 'e', args: 'e', firstOperand: true },
  jq: { code: '', args: 'fL', firstOperand: true, fileOption: 'f', long: ['--indent', '--from-file'], long2: ['--arg', '--argjson', '--slurpfile', '--rawfile'] },
  gojq: { code: '', args: 'fL', firstOperand: true, fileOption: 'f', long: ['--indent', '--from-file'], long2: ['--arg', '--argjson', '--slurpfile', '--rawfile'] },
  yq: { code: '', args: 'IoCp', firstOperand: true },
  psql: { code: 'c', args: 'cdfhLoPpTUv', firstOperand: false },
  mysql: { code: 'e', args: 'eDhPpuS', firstOperand: false },
  sqlite3: { code: '', args: 'cmd', firstOperand: false },
  osascript: { code: 'e', args: 'e', firstOperand: true },
  script: { code: 'c', args: 'cEIOqT', firstOperand: false },
  expect: { code: 'c', args: 'c', firstOperand: true },
  tclsh: { code: '', args: '', firstOperand: true },
};

/** Builtins whose operands are variable names. */
const NAME_TAKERS: Record<string, { args: string; names: string; operands: 'all' | 'last' | 'second' | 'none' }> = {
  read: { args: 'adinNptu', names: 'a', operands: 'all' },
  mapfile: { args: 'dnOsuCc', names: '', operands: 'all' },
  readarray: { args: 'dnOsuCc', names: '', operands: 'all' },
  unset: { args: '', names: '', operands: 'all' },
  getopts: { args: '', names: '', operands: 'second' },
  printf: { args: 'v', names: 'v', operands: 'none' },
  wait: { args: 'p', names: 'p', operands: 'none' },
  test: { args: '', names: '', operands: 'none' },
  '[': { args: '', names: '', operands: 'none' },
  declare: { args: '', names: '', operands: 'all' },
  typeset: { args: '', names: '', operands: 'all' },
  local: { args: '', names: '', operands: 'all' },
  export: { args: '', names: '', operands: 'all' },
  readonly: { args: '', names: '', operands: 'all' },
};

const basename = (name: string) => name.slice(name.lastIndexOf('/') + 1);

/** Indexes in args of the operands: options (and their arguments) skipped up to the first operand or `--`. */
function operandIndexes(args: readonly (string | null)[], optionsWithArgs: string, long: readonly string[] = [], long2: readonly string[] = []): number[] {
  let k = 0;
  for (; k < args.length; k++) {
    const a = args[k];
    if (a === '--') {
      k++;
      break;
    }
    if (a === null || a === undefined || !/^-./.test(a)) break;
    if (long2.includes(a)) k += 2;
    else if (a.startsWith('--')) {
      if (!a.includes('=') && long.includes(a)) k++;
    } else {
      const letters = a.slice(1);
      const at = [...letters].findIndex((l) => optionsWithArgs.includes(l));
      if (at >= 0 && at === letters.length - 1) k++;
    }
  }
  const found: number[] = [];
  for (; k < args.length; k++) found.push(k);
  return found;
}

/** Where in a wrapper's arguments the command it runs starts (args.length when there is none). */
function wrappedStart(name: string, args: readonly (string | null)[]): number {
  const wrapper = WRAPPERS[name] as (typeof WRAPPERS)[string];
  let k = 0;
  let leading = wrapper.operands ?? 0;
  for (; k < args.length; k++) {
    const a = args[k];
    if (a === null || a === undefined) return args.length;
    if (a === '--') return k + 1;
    if (a.startsWith('-') && a.length > 1) {
      if (a.startsWith('--')) {
        if (!a.includes('=') && wrapper.long?.includes(a)) k++;
        continue;
      }
      const letters = a.slice(1);
      const at = [...letters].findIndex((l) => wrapper.args.includes(l));
      if (at >= 0 && at === letters.length - 1) k++;
      continue;
    }
    if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) continue;
    if (leading > 0) {
      leading--;
      continue;
    }
    break;
  }
  return k;
}

const CONTAINER_CLIS = new Set(['kubectl', 'oc', 'docker', 'podman', 'nerdctl', 'crictl']);
const SSH_ARGS = 'BbcDEeFIiJLlmOoPpQRSWw';

/** The command a chain of wrappers (sudo, env, timeout …, kubectl exec … --) finally runs. */
function unwrapped(words: readonly (string | null)[]): readonly (string | null)[] {
  let w = words;
  for (let depth = 0; depth < 16; depth++) {
    const first = w[0];
    if (first === null || first === undefined) return w;
    const name = basename(first);
    const args = w.slice(1);
    if (WRAPPERS[name] && !(name === 'command' && args.some((a) => a === '-v' || a === '-V'))) w = args.slice(wrappedStart(name, args));
    else if (CONTAINER_CLIS.has(name) && args.includes('--')) w = args.slice(args.indexOf('--') + 1);
    else return w;
  }
  return w;
}

/** Interpreters whose standard input is data (their program is an argument). */
const STDIN_DATA = new Set(['awk', 'gawk', 'mawk', 'nawk', 'sed', 'jq', 'gojq', 'yq', 'busybox', 'script']);

/**
 * When a command runs what it reads on standard input (a pipeline's output, a here-document, a
 * here-string), what it is, for messages; otherwise null.
 */
function readsCode(words: readonly (string | null)[]): string | null {
  const inner = unwrapped(words);
  const first = inner[0];
  if (first === null || first === undefined) return null;
  const name = basename(first);
  const args = inner.slice(1);
  if (SHELLS.has(name)) {
    let command = false;
    let stdin = false;
    let k = 0;
    for (; k < args.length; k++) {
      const a = args[k];
      if (a === null || a === undefined) break;
      if (a === '-' || a === '--') {
        stdin ||= a === '-';
        k++;
        break;
      }
      if (/^[-+][A-Za-z]*[oO]$/.test(a) || a === '--rcfile' || a === '--init-file') k++;
      else if (!/^[-+]/.test(a)) break;
      if (/^-[A-Za-z]*c/.test(a)) command = true;
      if (/^-[A-Za-z]*s/.test(a)) stdin = true;
    }
    return stdin || (!command && k >= args.length) ? `${name}, which runs its input as commands` : null;
  }
  if (name === 'ssh') return operandIndexes(args, SSH_ARGS).length <= 1 ? 'ssh, whose remote shell runs its input as commands' : null;
  if (name === 'at' || name === 'batch') return `${name}, which runs its input as commands`;
  if (name === 'crontab') {
    const ops = operandIndexes(args, 'u');
    return ops.length === 0 || args[ops[0] as number] === '-' ? 'crontab, which installs its input as commands' : null;
  }
  const interpreter = INTERPRETERS[name];
  if (!interpreter || STDIN_DATA.has(name)) return null;
  const programOption = args.some((a) => a !== null && a !== undefined && /^-[A-Za-z]+$/.test(a) && [...(interpreter.code + (interpreter.fileOption ?? ''))].some((l) => a.endsWith(l)));
  if (programOption) return null;
  const ops = operandIndexes(args, interpreter.args, interpreter.long, interpreter.long2);
  const sql = name === 'psql' || name === 'mysql' || name === 'sqlite3';
  const fromStdin = name === 'sqlite3' ? ops.length <= 1 : sql || ops.length === 0 || args[ops[0] as number] === '-';
  return fromStdin ? `${name}, which runs its input as ${sql ? 'SQL' : 'code'}` : null;
}

/** Commands that run text as code in some form (their arguments, a file, their input, a shell they start). */
const EVALUATORS = new Set([
  ...SHELLS, 'busybox', 'eval', 'source', '.', 'su', 'runuser', 'xargs', 'exec', 'trap', 'alias', 'command', 'builtin',
  'parallel', 'watch', 'at', 'batch', 'bind', 'complete', 'compgen', 'enable', 'fc', 'script', 'expect', 'tmux', 'screen',
]);
/** Commands that write files (with redirections, what lets a block run text it wrote: `./x.sh`). */
const WRITERS = new Set(['tee', 'cp', 'mv', 'install', 'dd', 'ln', 'chmod', 'curl', 'wget', 'rsync', 'scp', 'tar', 'unzip', 'patch', 'sed', 'perl', 'awk', 'gawk', 'truncate', 'touch']);

/**
 * What a command (the words from a command name on, literal text or null) means for the whole block: it
 * runs text as code somewhere, it evaluates arithmetic, it writes files.
 */
function commandRisk(words: readonly (string | null)[]): { evaluates?: string; arithmetic?: string; writes?: boolean } {
  const first = words[0];
  if (first === null || first === undefined) return { evaluates: 'a command word that is an expansion ($cmd, "$cmd", $(…))' };
  const name = basename(first);
  const args = words.slice(1);
  // command -v / -V only looks a name up.
  if (name === 'command' && args.length > 0 && args.every((a) => a !== null && (/^-[pvV]+$/.test(a) || !a.startsWith('-'))) && args.some((a) => a === '-v' || a === '-V')) return {};
  if (EVALUATORS.has(name)) return { evaluates: name };
  if (name === 'sudo' || name === 'doas') {
    const shell = args.some((a) => a === '--shell' || a === '--login' || (a !== null && /^-[A-Za-z]*[is][A-Za-z]*$/.test(a) && !/^-[A-Za-z]*[CDghpRrTtUu]$/.test(a)));
    return shell ? { evaluates: `${name} -s/-i, which runs the command through a shell` } : {};
  }
  if (name === 'env' && args.some((a) => a !== null && (/^-[A-Za-z]*S/.test(a) || a.startsWith('--split-string')))) return { evaluates: 'env -S' };
  if ((name === 'mapfile' || name === 'readarray') && args.some((a) => a !== null && /^-[A-Za-z]*C/.test(a))) return { evaluates: `${name} -C` };
  if (DECLARATIONS.has(name)) {
    const options = args.filter((a): a is string => a !== null && /^[-+][A-Za-z]+$/.test(a)).join('');
    if (/n/.test(options)) return { evaluates: `${name} -n (a name reference)` };
    if (args.some((a) => a === null)) return { evaluates: `${name} with an argument that is an expansion` };
    if (/i/.test(options)) return { arithmetic: `${name} -i` };
    return {};
  }
  if (name === 'let') return { arithmetic: 'let' };
  return WRITERS.has(name) ? { writes: true } : {};
}

/** Why the block as a whole runs text as code and why it evaluates arithmetic, whatever the values' paths. */
function blockRisks(scan: Scanner, text: string): { evaluates: string | null; arithmetic: string | null } {
  const evaluates = [...scan.evaluators];
  for (const st of scan.codeStages) evaluates.push(st.why);
  for (const r of scan.codeRanges) evaluates.push(r.why);
  if (scan.writesFiles && scan.pathCommand) evaluates.push('it writes files and runs a command by its path');
  // The environment names given to placeholders are predictable: text run as code could read them.
  for (const w of scan.codeWords) if (/RUNBOOK_VAR_/.test(text.slice(w.start, w.end))) evaluates.push(`${w.why}, on text that names RUNBOOK_VAR_…`);
  const arithmetic = [...scan.arithmetic];
  for (const w of scan.words) {
    if (w.role === 'arith') arithmetic.push(w.why);
    if (w.role !== 'varname') continue;
    // A name with a subscript, or one a test reads (-v), has its subscript evaluated as arithmetic.
    const literal = literalOf(w);
    if (literal === null || literal.includes('[') || /-v|^test |^\[ /.test(w.why)) arithmetic.push(w.why);
  }
  return { evaluates: evaluates[0] ?? null, arithmetic: arithmetic[0] ?? null };
}

/** What bash arithmetic needs to run code: a subscript (a[…]) holding a substitution ($( ), ` `). */
const ARITHMETIC_UNSAFE = /[$`[\]()]/;

/**
 * The role of the next word of a simple command, given the words before it (literal text, null when not
 * literal). Commands that run a command of their own are followed into it.
 */
function nextRole(words: readonly (string | null)[]): RoleOf {
  if (words.length === 0) return { role: 'name', why: 'the command name' };
  const first = words[0];
  if (first === null || first === undefined) return DATA;
  const name = basename(first);
  const args = words.slice(1);
  const operands = (optionsWithArgs: string, long: readonly string[] = [], long2: readonly string[] = []) => operandIndexes(args, optionsWithArgs, long, long2);
  const index = args.length; // the index in args of the word being asked about
  /** True when the word before the next one is option `-x` with x in `letters` (or the option word ends in it). */
  const afterOption = (letters: string, long: string[] = []) => {
    const prev = args[index - 1];
    if (prev === null || prev === undefined) return false;
    if (long.includes(prev)) return true;
    return /^-[A-Za-z]+$/.test(prev) && letters.includes(prev[prev.length - 1] as string);
  };
  switch (name) {
    case 'eval':
    case 'alias':
    case 'bind':
    case 'complete':
    case 'compgen':
    case 'enable':
    case 'watch':
    case 'fc':
      return { role: 'code', why: `${name} runs its arguments as code` };
    case 'source':
    case '.':
      return index === 0 ? { role: 'code', why: `${name} runs the file as code` } : DATA;
    case 'trap': {
      const ops = operands('');
      return ops.length === 0 ? { role: 'code', why: 'trap runs its first argument as code' } : DATA;
    }
    case 'let':
      return { role: 'arith', why: 'let' };
    case 'ssh': {
      const ops = operands(SSH_ARGS);
      return ops.length >= 1 ? { role: 'code', why: 'ssh runs the remote command through a shell' } : DATA;
    }
    case 'find': {
      // -exec … ; runs a command of its own.
      let start = -1;
      for (let k = 0; k < args.length; k++) {
        const a = args[k];
        if (a !== null && a !== undefined && /^-(?:exec|execdir|ok|okdir)$/.test(a)) start = k + 1;
        else if (start >= 0 && (a === ';' || a === '+')) start = -1;
      }
      return start >= 0 ? nextRole(args.slice(start)) : DATA;
    }
    case 'kubectl':
    case 'oc':
    case 'docker':
    case 'podman':
    case 'nerdctl':
    case 'crictl': {
      // exec/run/debug … -- COMMAND: a command run in the container.
      const dash = args.indexOf('--');
      return dash >= 0 ? nextRole(args.slice(dash + 1)) : DATA;
    }
    case 'parallel':
      return index > 0 || operands('jSdaI').length > 0 ? { role: 'code', why: 'parallel runs its command through a shell' } : DATA;
    default:
      break;
  }
  if (SHELLS.has(name)) {
    // bash [options] [-c code | file] [args]: the command string or the script is code.
    let command = false;
    let k = 0;
    for (; k < args.length; k++) {
      const a = args[k];
      if (a === null || a === undefined) return { role: 'code', why: `${name} runs it` };
      if (a === '--' || a === '-') {
        k++;
        break;
      }
      if (/^[-+][A-Za-z]*[oO]$/.test(a) || a === '--rcfile' || a === '--init-file') {
        // -o NAME, -euo NAME, -O NAME: the next word is the option's argument.
        if (/^-[A-Za-z]*c/.test(a)) command = true;
        k++;
        continue;
      }
      if (/^[-+]/.test(a)) {
        if (/^-[A-Za-z]*c/.test(a)) command = true;
        continue;
      }
      break;
    }
    if (index <= k) return { role: 'code', why: command ? `${name} -c runs it as code` : `${name} runs it` };
    return DATA;
  }
  const wrapper = WRAPPERS[name];
  if (wrapper) {
    if (wrapper.code && afterOption(wrapper.code, name === 'su' ? ['--command'] : name === 'env' ? ['--split-string'] : [])) {
      return { role: 'code', why: `${name} runs it as code` };
    }
    if (name === 'command' && args.some((a) => a === '-v' || a === '-V')) return DATA;
    // sudo -s / -i: the command is joined and run by a shell.
    if (name === 'sudo' && args.some((a) => a === '--shell' || a === '--login' || (a !== null && /^-[A-Za-z]*[is][A-Za-z]*$/.test(a) && !/^-[A-Za-z]*[CDghpRrTtUu]$/.test(a)))) {
      return operands(wrapper.args, wrapper.long).length > 0 || index > 0 ? { role: 'code', why: 'sudo -s/-i runs the command through a shell' } : DATA;
    }
    const k = wrappedStart(name, args);
    if (index < k) return DATA;
    return nextRole(args.slice(k));
  }
  const interpreter = INTERPRETERS[name];
  if (interpreter) {
    if (interpreter.code && afterOption(interpreter.code)) return { role: 'code', why: `${name} runs it as code` };
    const hasProgramOption = args.some((a) => a !== null && a !== undefined && /^-[A-Za-z]+$/.test(a) && [...(interpreter.code + (interpreter.fileOption ?? ''))].some((l) => a.endsWith(l)));
    if (interpreter.firstOperand && !hasProgramOption) {
      const ops = operands(interpreter.args, interpreter.long, interpreter.long2);
      if (ops.length === 0) return { role: 'code', why: `${name} reads its first operand as a program` };
    }
    if (name === 'sqlite3') {
      const ops = operands(interpreter.args);
      if (ops.length >= 1) return { role: 'code', why: 'sqlite3 runs it as SQL' };
    }
    return DATA;
  }
  if ((name === 'mapfile' || name === 'readarray') && afterOption('C')) return { role: 'code', why: `${name} -C runs it` };
  const taker = NAME_TAKERS[name];
  if (taker) {
    const varname = { role: 'varname' as const, why: `${name} takes a variable name there` };
    if ((name === 'test' || name === '[') && args[index - 1] === '-v') return varname;
    if (taker.names && afterOption(taker.names)) return varname;
    if (afterOption(taker.args)) return DATA;
    if (taker.operands === 'none') return DATA;
    const ops = operands(taker.args);
    if (taker.operands === 'all') {
      if (name === 'mapfile' || name === 'readarray') return ops.length === 0 ? varname : DATA;
      return varname;
    }
    if (taker.operands === 'second') return ops.length === 1 ? varname : DATA;
    return varname;
  }
  return DATA;
}

// ---------------------------------------------------------------------------------------------------------
// Preparing a block

interface Occurrence {
  kind: 'placeholder' | 'reference';
  /** The key the value was found under: "<NAME>" or "NAME". */
  variable: string;
  name: string;
  value: string;
  /** Offsets in the marked text. */
  start: number;
  end: number;
  /** Offsets in the block as written. */
  oStart: number;
  oEnd: number;
  line: number;
  ref?: Ref;
}

interface Marked {
  text: string;
  prefix: string;
  /** Marked-text offset → block offset, for offsets outside markers. */
  toOriginal: (offset: number) => number;
  placeholders: Occurrence[];
}

const lineAt = (code: string, offset: number) => {
  let line = 1;
  for (let k = 0; k < offset && k < code.length; k++) if (code.charCodeAt(k) === 10) line++;
  return line;
};

function markerPrefix(code: string): string {
  for (;;) {
    const prefix = `rbv${Math.random().toString(36).slice(2, 10).replace(/[^a-z0-9]/g, '')}`;
    if (prefix.length >= 9 && !code.includes(prefix)) return prefix;
  }
}

/** Replaces each <PLACEHOLDER> that has a value with a marker word: `<prefix>_<n>_`. */
function markPlaceholders(code: string, values: ReadonlyMap<string, string>): Marked {
  const prefix = markerPrefix(code);
  let text = '';
  let at = 0;
  const shifts: { marked: number; original: number }[] = [{ marked: 0, original: 0 }];
  const placeholders: Occurrence[] = [];
  for (const m of code.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    const variable = values.has(`<${name}>`) ? `<${name}>` : values.has(name) ? name : null;
    if (variable === null) continue;
    text += code.slice(at, m.index);
    const marker = `${prefix}_${placeholders.length}_`;
    const start = text.length;
    text += marker;
    at = m.index + m[0].length;
    shifts.push({ marked: text.length, original: at });
    placeholders.push({
      kind: 'placeholder',
      variable,
      name,
      value: values.get(variable) as string,
      start,
      end: text.length,
      oStart: m.index,
      oEnd: at,
      line: lineAt(code, m.index),
    });
  }
  text += code.slice(at);
  const toOriginal = (offset: number) => {
    let best = shifts[0] as { marked: number; original: number };
    for (const s of shifts) if (s.marked <= offset) best = s;
    return best.original + (offset - best.marked);
  };
  return { text, prefix, toOriginal, placeholders };
}

/** Character offset for each UTF-8 byte offset sh-syntax reports. */
function byteOffsets(text: string): (byte: number) => number {
  const table: number[] = [];
  let k = 0;
  for (const ch of text) {
    const bytes = Buffer.byteLength(ch, 'utf8');
    for (let b = 0; b < bytes; b++) table.push(k);
    k += ch.length;
  }
  table.push(k);
  return (byte) => table[byte] ?? k;
}

interface ShapeOf {
  statements: {
    start: number;
    redirects: { op: string; start: number; end: number }[];
    bodies: { start: number; end: number; parts: { start: number; end: number }[] }[];
  }[];
  comments: { start: number; end: number }[];
}

type ShNode = { Pos: { Offset: number }; End: { Offset: number } };
type ShWord = ShNode & { Parts: ShNode[] };
type ShFile = {
  Stmts: (ShNode & { Redirs: (ShNode & { Op: string; Word: ShWord | null; Hdoc: ShWord | null })[]; Comments: ShNode[] })[];
  Last: ShNode[];
};

/** What sh-syntax exposes of a parse: statements, their redirections and here-document bodies, comments. */
async function bashShape(text: string): Promise<{ ok: true; shape: ShapeOf } | { ok: false; message: string; line: number }> {
  let file: ShFile;
  try {
    file = (await parseBash(text)) as unknown as ShFile;
  } catch (error) {
    const e = error as { message?: string; Pos?: { Line?: number } };
    return { ok: false, message: e.message ?? String(error), line: e.Pos?.Line ?? 1 };
  }
  const at = byteOffsets(text);
  const range = (n: ShNode) => ({ start: at(n.Pos.Offset), end: at(n.End.Offset) });
  const shape: ShapeOf = { statements: [], comments: [] };
  for (const stmt of file.Stmts ?? []) {
    shape.statements.push({
      start: at(stmt.Pos.Offset),
      redirects: (stmt.Redirs ?? []).flatMap((r) => (r.Word ? [{ op: r.Op, ...range(r.Word) }] : [])),
      bodies: (stmt.Redirs ?? []).flatMap((r) => (r.Hdoc ? [{ ...range(r.Hdoc), parts: r.Hdoc.Parts.map(range) }] : [])),
    });
    for (const c of stmt.Comments ?? []) shape.comments.push(range(c));
  }
  for (const c of file.Last ?? []) shape.comments.push(range(c));
  return { ok: true, shape };
}

/** Statements, redirection operators, here-documents and comments: what a rewrite must keep. */
const outline = (s: ShapeOf) =>
  [s.statements.map((st) => `${st.redirects.map((r) => r.op).join(' ')}/${st.bodies.length}`).join(';'), s.comments.length].join('|');

type Verdict =
  /**
   * kind: how bash reads the characters there (and so how a reference is spelled): a plain word, "…"-like
   * text, or an arithmetic operand. arithmetic: bash evaluates the result as an expression somewhere up
   * the chain ('direct' when the value itself is the operand, 'output' when a command's output is).
   */
  | { ok: true; kind: 'plain' | 'dq' | 'arith'; arithmetic: 'direct' | 'output' | null; word: WordRec | null; nested: boolean }
  | { ok: true; kind: 'comment' }
  | { ok: false; code: ShellValueProblemCode; message: string };

const QUOTING: Partial<Record<Lex, { code: ShellValueProblemCode; message: string }>> = {
  sq: { code: 'single-quoted', message: "stands inside '…', where bash expands nothing; put it outside quotes or in \"…\"" },
  ansi: { code: 'ansi-c-quoted', message: "stands inside $'…', where bash expands nothing; put it outside quotes or in \"…\"" },
  locale: { code: 'ansi-c-quoted', message: 'stands inside $"…" (a translatable string); use "…"' },
  qheredoc: { code: 'quoted-heredoc', message: "stands in a here-document with a quoted delimiter (<<'EOF'), whose body is literal; unquote the delimiter" },
  param: { code: 'inside-word', message: 'would become part of a variable name ($NAME<X>); write ${NAME}<X>' },
  syntax: { code: 'inside-word', message: 'is glued to shell syntax (a name being assigned, a number, an operator)' },
  escaped: { code: 'inside-word', message: 'follows a backslash' },
  delim: { code: 'inside-word', message: 'is part of a here-document delimiter' },
  extglob: { code: 'inside-word', message: 'stands in an extended glob pattern' },
};

/** Where a run of characters stands: the same context for all of them, or null. */
function contextOf(scan: Scanner, start: number, end: number): Ctx | null {
  const first = scan.ctx[start];
  if (!first) return null;
  for (let k = start + 1; k < end; k++) {
    const c = scan.ctx[k];
    if (!c || c.lex !== first.lex || c.frame !== first.frame) return null;
  }
  return first;
}

/** Follows the frames outwards: what the enclosing words, substitutions and arithmetic do with the text. */
function judge(lex: Lex, frame: Frame | null, who: string, reference = false): Verdict {
  let arithmetic: 'direct' | 'output' | null = lex === 'arith' ? 'direct' : null;
  let word: WordRec | null = null;
  let nested = false;
  let substituted = false;
  for (let f = frame; f; f = f.parent) {
    if (f.kind !== 'word' && f.kind !== 'stage') nested = true;
    if (f.kind === 'word' && word) nested = true;
    if (f.kind === 'subst') substituted = true;
    if (f.kind === 'arith') arithmetic ??= substituted ? 'output' : 'direct';
    // A reference there is expanded once, as data; a placeholder would need quoting whose meaning
    // depends on the operator and on the quotes around the ${…}.
    if (f.kind === 'operand' && !reference) return { ok: false, code: 'parameter-expansion', message: `${who} stands in the operand of \${…}; put the value in a variable of its own` };
    if (f.kind === 'stage' && f.stage?.role === 'code') return { ok: false, code: 'evaluated', message: `${who} would be read as code: ${f.stage.why}` };
    if (f.kind === 'word' && f.word) {
      word ??= f.word;
      const w = f.word;
      if (w.role === 'code') return { ok: false, code: 'evaluated', message: `${who} would be read as code: ${w.why}` };
      if (w.role === 'name') return { ok: false, code: 'command-name', message: `${who} would be part of ${w.why === 'the command name' ? 'a command name' : w.why}: a value must not choose what runs` };
      if (w.role === 'varname') return { ok: false, code: 'variable-name', message: `${who} would be a variable name (${w.why}): bash evaluates a[…] subscripts in names as code` };
      if (w.role === 'arith') arithmetic ??= substituted ? 'output' : 'direct';
    }
  }
  if (lex === 'comment') return { ok: true, kind: 'comment' };
  const quoting = QUOTING[lex];
  if (quoting) return { ok: false, code: quoting.code, message: `${who} ${quoting.message}` };
  return { ok: true, kind: lex === 'arith' ? 'arith' : lex === 'plain' ? 'plain' : 'dq', arithmetic, word, nested };
}

function unrepresentable(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

function envNameFor(name: string, taken: (candidate: string) => boolean): string {
  const base = `RUNBOOK_VAR_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  let candidate = base;
  for (let n = 2; taken(candidate); n++) candidate = `${base}_${n}`;
  return candidate;
}

async function prepare(code: string, values: ReadonlyMap<string, string>, mode: 'shell' | 'argv'): Promise<PreparedShell> {
  const refused = (problems: ShellValueProblem[]): PreparedShell => ({ code, env: {}, problems });
  const marked = markPlaceholders(code, values);
  const dollarRefs = [...code.matchAll(MENTION)].filter((m) => values.has(m[1] as string));
  // Bash reads a run variable's value only where the block names it ($X, ${X…}, X in arithmetic).
  const named = [...values.keys()].some((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && new RegExp(`(?<![A-Za-z0-9_])${k}(?![A-Za-z0-9_])`).test(code));
  if (marked.placeholders.length === 0 && !named) return { code, env: {}, problems: [] };

  const everyOccurrence = (codeName: ShellValueProblemCode, message: string): ShellValueProblem[] => [
    ...marked.placeholders.map((o) => ({ variable: o.variable, line: o.line, code: codeName, message: `<${o.name}>: ${message}` })),
    ...dollarRefs.map((m) => ({ variable: m[1] as string, line: lineAt(code, m.index), code: codeName, message: `${m[0]}: ${message}` })),
  ];

  const parsed = await bashShape(marked.text);
  if (!parsed.ok) return refused(everyOccurrence('parse-error', `the block does not parse as bash (line ${parsed.line}: ${parsed.message})`));

  const markerRe = new RegExp(`^${marked.prefix}_[0-9]+_`);
  const isMarkerAt = (offset: number) => markerRe.exec(marked.text.slice(offset, offset + marked.prefix.length + 12))?.[0].length ?? 0;
  const scan = new Scanner(marked.text, (name) => values.has(name), isMarkerAt);
  try {
    scan.list();
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    return refused(everyOccurrence('not-provable', `this block's syntax is beyond what can be checked here (${error.message})`));
  }
  const disagreement = compareShapes(scan, parsed.shape, marked.text);
  if (disagreement) return refused(everyOccurrence('not-provable', `the parser and this check disagree about the block (${disagreement})`));

  const occurrences: Occurrence[] = [...marked.placeholders];
  for (const ref of scan.refs) {
    const oStart = marked.toOriginal(ref.start);
    occurrences.push({
      kind: 'reference',
      variable: ref.name,
      name: ref.name,
      value: values.get(ref.name) as string,
      start: ref.start,
      end: ref.end,
      oStart,
      oEnd: marked.toOriginal(ref.end),
      line: lineAt(code, oStart),
      ref,
    });
  }
  occurrences.sort((a, b) => a.start - b.start);

  const problems: ShellValueProblem[] = [];
  const problem = (o: Occurrence, codeName: ShellValueProblemCode, message: string) => problems.push({ variable: o.variable, line: o.line, code: codeName, message });
  const who = (o: Occurrence) => (o.kind === 'placeholder' ? `<${o.name}>` : o.ref?.simple ? code.slice(o.oStart, o.oEnd) : `\${${o.name}…}`);
  const accepted: Accepted[] = [];

  /** The values the block carries (to the environment), each at its first occurrence. */
  const carried = new Map<string, Occurrence>();
  for (const o of occurrences) {
    if (o.ref?.lengthOnly) continue;
    if (o.kind === 'placeholder' && scan.ctx[o.start]?.lex === 'comment') continue;
    if (!carried.has(o.variable)) carried.set(o.variable, o);
  }
  if (mode === 'shell' && carried.size > 0) {
    // The analysis below follows a value to where it is written, not into the variables, files, pipes and
    // functions it is copied into; so a block that runs code or evaluates arithmetic anywhere is judged whole.
    const risks = blockRisks(scan, marked.text);
    for (const o of carried.values()) {
      const name = o.kind === 'placeholder' ? `<${o.name}>` : `$${o.name}`;
      if (risks.evaluates) {
        problems.push({ variable: o.variable, line: o.line, code: 'evaluated-block', message: `${name}: the block runs text as code (${risks.evaluates}); a copy of the value (in a variable, a pipe, a file, a function argument) could reach it, so no value may enter this block` });
      }
      if (risks.arithmetic && ARITHMETIC_UNSAFE.test(o.value)) {
        problems.push({ variable: o.variable, line: o.line, code: 'arithmetic-unsafe-value', message: `${name}: the block evaluates arithmetic (${risks.arithmetic}), where a copy of a value holding $ \` [ ] ( ) can run code (a[$(…)]); the value must not contain them` });
      }
    }
  }

  for (const o of occurrences) {
    let verdict: Verdict;
    if (o.kind === 'placeholder') {
      const c = contextOf(scan, o.start, o.end);
      verdict = c ? judge(c.lex, c.frame, who(o)) : { ok: false, code: 'inside-word', message: `${who(o)} is split across shell syntax (after a backslash, inside a name …)` };
    } else {
      const ref = o.ref as Ref;
      verdict = judge(ref.lex, ref.frame, who(o), true);
      // ${#NAME} is a number whatever the value: nothing of the value reaches the code.
      if (ref.lengthOnly) verdict = { ok: true, kind: 'dq', arithmetic: null, word: null, nested: true };
      if (verdict.ok && ref.evaluates) verdict = { ok: false, code: 'evaluated', message: `${who(o)} reads the value as a name or a prompt (\${!…}, \${…@P}), which bash evaluates` };
      if (verdict.ok && mode === 'shell' && RESERVED.test(o.name)) {
        verdict = { ok: false, code: 'reserved-name', message: `$${o.name}: a run variable named ${o.name} would change what bash and the programs it starts do; rename it` };
      }
    }
    if (!verdict.ok) {
      problem(o, verdict.code, verdict.message);
      continue;
    }
    if (verdict.kind === 'comment') continue;
    if (unrepresentable(o.value)) {
      problem(o, 'unrepresentable', `${who(o)}: the value holds a NUL character or an unpaired surrogate, which cannot be passed to a process`);
      continue;
    }
    if (verdict.arithmetic && !INTEGER.test(o.value)) {
      const where = verdict.arithmetic === 'direct' ? 'is used in arithmetic' : 'is in a command whose output is used in arithmetic';
      problem(o, 'arithmetic-not-number', `${who(o)} ${where}, where bash evaluates text as an expression (a[$(…)] runs code); the value must be a decimal integer`);
      continue;
    }
    accepted.push({ o, kind: verdict.kind, word: verdict.word, nested: verdict.nested });
  }

  return mode === 'shell'
    ? finishShell(code, marked, scan, accepted, problems, values, parsed.shape)
    : finishArgv(code, marked, accepted, problems, parsed.shape);
}

/** Where sh-syntax and the scanner disagree on what sh-syntax exposes, or null. */
function compareShapes(scan: Scanner, shape: ShapeOf, text: string): string | null {
  const starts = scan.statements.map((st) => st.start);
  if (starts.join() !== shape.statements.map((st) => st.start).join()) return `statements start at ${shape.statements.map((st) => st.start).join()}, not ${starts.join()}`;
  for (const [k, theirs] of shape.statements.entries()) {
    const mine = scan.statements[k] as Statement;
    if (mine.nested) continue;
    const show = (list: { op: string; start: number; end: number }[]) => list.map((r) => `${r.op}@${r.start}-${r.end}`).join(',');
    if (show(mine.redirects) !== show(theirs.redirects)) return `redirections ${show(theirs.redirects)}, not ${show(mine.redirects)}`;
    if (mine.bodies.length !== theirs.bodies.length) return `here-documents of the statement at ${mine.start}`;
    for (const [j, body] of theirs.bodies.entries()) {
      const own = mine.bodies[j] as { start: number; end: number; quoted: boolean };
      if (body.start !== own.start) return `here-document body at ${body.start}, not ${own.start}`;
      if (own.quoted) continue;
      // Each character read as literal body text must sit in one of the parser's literal parts.
      for (let c = own.start; c < own.end; c++) {
        if (scan.ctx[c]?.lex !== 'heredoc') continue;
        const part = body.parts.find((p) => p.start <= c && c < p.end);
        if (!part || /^(?:\$[{([A-Za-z0-9_@*#?$!-]|`)/.test(text.slice(part.start, part.start + 2))) return `here-document text at ${c}`;
      }
    }
  }
  for (const comment of shape.comments) {
    if (scan.ctx[comment.start]?.lex !== 'comment') return `comment at ${comment.start}`;
  }
  return null;
}

type Accepted = { o: Occurrence; kind: 'plain' | 'dq' | 'arith'; word: WordRec | null; nested: boolean };

async function finishShell(
  code: string,
  marked: Marked,
  scan: Scanner,
  accepted: Accepted[],
  problems: ShellValueProblem[],
  values: ReadonlyMap<string, string>,
  shape: ShapeOf,
): Promise<PreparedShell> {
  const env: Record<string, string> = {};
  for (const { o } of accepted) if (o.kind === 'reference') env[o.name] = o.value;

  // A run variable in the environment can still be read by code a command runs: bash -c '… $NAME …'.
  const codeText = [...scan.codeWords, ...scan.codeStages.flatMap((st) => st.words.map((w) => ({ ...w, why: st.why }))), ...scan.codeRanges];
  for (const w of codeText) {
    const text = marked.text.slice(w.start, w.end);
    for (const name of Object.keys(env)) {
      if (new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`).test(text)) {
        const oStart = marked.toOriginal(w.start);
        problems.push({ variable: name, line: lineAt(code, oStart), code: 'evaluated', message: `${name} is named in text that runs as code (${w.why}), which would read its value` });
      }
    }
  }
  if (problems.length > 0) return { code, env: {}, problems: dedupe(problems) };

  const taken = (candidate: string) => candidate in env || values.has(candidate) || code.includes(candidate);
  const envNames = new Map<string, string>();
  const replacements: { start: number; end: number; text: string }[] = [];
  for (const { o, kind } of accepted) {
    if (o.kind === 'placeholder') {
      let envName = envNames.get(o.variable);
      if (!envName) {
        envName = envNameFor(o.name, (c) => taken(c) || [...envNames.values()].includes(c));
        envNames.set(o.variable, envName);
        env[envName] = o.value;
      }
      replacements.push({ start: o.oStart, end: o.oEnd, text: kind === 'plain' ? `"\${${envName}}"` : `\${${envName}}` });
    } else if (kind === 'plain' && o.ref?.simple && o.ref.frame?.kind === 'word') {
      // Unquoted, bash would split the value into words and expand globs in it.
      replacements.push({ start: o.oStart, end: o.oEnd, text: `"\${${o.name}}"` });
    }
  }
  const out = applyReplacements(code, replacements);
  // The rewritten block must parse to the same outline as the block with markers in place of values.
  const after = await bashShape(out);
  if (!after.ok || outline(after.shape) !== outline(shape)) {
    return notProvable(code, accepted, 'the block with references in place of values does not keep its structure');
  }
  return { code: out, env, problems: [] };
}

function notProvable(code: string, accepted: Accepted[], message: string): PreparedShell {
  const who = (o: Occurrence) => (o.kind === 'placeholder' ? `<${o.name}>` : `$${o.name}`);
  return { code, env: {}, problems: accepted.map(({ o }) => ({ variable: o.variable, line: o.line, code: 'not-provable', message: `${who(o)}: ${message}` })) };
}

async function finishArgv(code: string, marked: Marked, accepted: Accepted[], problems: ShellValueProblem[], shape: ShapeOf): Promise<PreparedShell> {
  const byWord = new Map<WordRec, Occurrence[]>();
  const markerRe = new RegExp(`${marked.prefix}_([0-9]+)_`, 'g');
  const placeholderByIndex = new Map(marked.placeholders.map((o, k) => [k, o]));
  const who = (o: Occurrence) => (o.kind === 'placeholder' ? `<${o.name}>` : `$${o.name}`);
  for (const { o, kind, word, nested } of accepted) {
    if (kind !== 'plain' && kind !== 'dq' || !word || nested || word.dynamic) {
      problems.push({ variable: o.variable, line: o.line, code: 'inside-word', message: `${who(o)}: a kubectl line takes a value only in a word of literal text` });
      continue;
    }
    byWord.set(word, [...(byWord.get(word) ?? []), o]);
  }
  const replacements: { start: number; end: number; text: string }[] = [];
  const words: { sentinel: string; value: string; start: number; end: number }[] = [];
  for (const [word, found] of byWord) {
    // The word's text with the values put in; the author's text before the first value tells a flag.
    let text = '';
    let prefix: string | null = null;
    for (const piece of word.pieces) {
      if (typeof piece !== 'string') {
        prefix ??= text;
        text += found.find((o) => o.ref === piece)?.value ?? '';
        continue;
      }
      let at = 0;
      for (const m of piece.matchAll(markerRe)) {
        text += piece.slice(at, m.index);
        prefix ??= text;
        text += placeholderByIndex.get(Number(m[1]))?.value ?? m[0];
        at = m.index + m[0].length;
      }
      text += piece.slice(at);
    }
    if (prefix === '' && text.startsWith('-')) {
      for (const o of found) problems.push({ variable: o.variable, line: o.line, code: 'flag', message: `${who(o)}: the value would start a word of its own with "-", which kubectl reads as an option` });
      continue;
    }
    const start = marked.toOriginal(word.start);
    const end = marked.toOriginal(word.end);
    replacements.push({ start, end, text: shellSingleQuote(text) });
    words.push({ sentinel: `${marked.prefix}w${words.length}w`, value: text, start, end });
  }
  if (problems.length > 0) return { code, env: {}, problems: dedupe(problems) };
  const out = applyReplacements(code, replacements);
  // Proof by the reader that runs it: with each rewritten word replaced by a sentinel word, the kubectl line
  // parser reads the same lines as from the output, where each sentinel stands for exactly its value.
  const probe = parseKubectlLines(applyReplacements(code, words.map((w) => ({ start: w.start, end: w.end, text: w.sentinel }))));
  const got = parseKubectlLines(out);
  if (probe.ok !== got.ok) return notProvable(code, accepted, 'the kubectl line parser does not read the value as one word');
  if (probe.ok && got.ok) {
    const expect = probe.lines.map((line) => line.args.map((arg) => words.find((w) => w.sentinel === arg)?.value ?? arg));
    const same = expect.length === got.lines.length && expect.every((args, k) => JSON.stringify(args) === JSON.stringify(got.lines[k]?.args));
    const used = words.every((w) => probe.lines.some((line) => line.args.includes(w.sentinel)));
    if (!same || !used) return notProvable(code, accepted, 'the kubectl line parser does not read the value as one word');
  }
  const after = await bashShape(out);
  if (!after.ok || outline(after.shape) !== outline(shape)) return notProvable(code, accepted, 'the block with values in place does not keep its structure');
  return { code: out, env: {}, problems: [] };
}

function applyReplacements(code: string, replacements: { start: number; end: number; text: string }[]): string {
  replacements.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const r of replacements) {
    if (r.start < at) continue;
    out += code.slice(at, r.start) + r.text;
    at = r.end;
  }
  return out + code.slice(at);
}

function dedupe(problems: ShellValueProblem[]): ShellValueProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = `${p.variable}\0${p.line}\0${p.code}\0${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line);
}
