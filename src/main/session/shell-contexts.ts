// Where each character of a bash block stands, read off mvdan/sh's syntax tree (shell-ast.ts): quoted or
// not, in arithmetic, a comment, a here-document body, a parameter's operand; inside which word, which
// command substitution, which pipeline stage; and what the command does with that word (shell-roles.ts).
// shell-values.ts decides from this where a run variable's value may go. Characters the tree does not
// place (syntax between nodes) have no context, and a value found there is refused.
import type { ArithmExpr, Assign, Lit, ParamExp, Redirect, ShellFile, Stmt, TestExpr, Word, WordPart } from './shell-ast.js';
import { DATA, RESERVED, type Role, type RoleOf, commandRisk, nextRole, readsCode } from './shell-roles.js';

/** What bash does with the characters at a place. */
export type Lex =
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
  | 'syntax' // a name being assigned, a number in arithmetic, a descriptor, a backslash …
  | 'escaped' // the character after a backslash
  | 'delim' // a here-document delimiter
  | 'extglob';

export interface WordRec {
  start: number;
  end: number;
  role: Role;
  /** Why the role (for messages): "eval", "bash -c" … */
  why: string;
  /** The word's text once quotes are removed: strings, and simple references to run variables. */
  pieces: (string | Ref)[];
  /** Holds an expansion other than a simple reference to a run variable. */
  dynamic: boolean;
  /** An argument of a simple command (not its name): `afterEndOfOptions` when a `--` word comes before it. */
  argument?: { afterEndOfOptions: boolean };
  /** Bash brace-expands it into several words. */
  braces?: boolean;
  /** A variable name a `-v` test reads (RoleOf.tested). */
  tested?: boolean;
}

export interface Frame {
  kind: 'word' | 'arith' | 'subst' | 'operand' | 'stage';
  word?: WordRec;
  /** kind 'stage': one command of a pipeline, or a here-document body, and what reads its output. */
  stage?: Stage;
  parent: Frame | null;
}

/** A command of a pipeline (or a here-document body): 'code' when what reads its output runs it. */
export interface Stage {
  role: 'data' | 'code';
  why: string;
  words: WordRec[];
}

export interface Ctx {
  lex: Lex;
  frame: Frame | null;
}

export interface Ref {
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

export interface Contexts {
  /** For each UTF-16 offset of the text, where it stands (undefined: between nodes). */
  ctx: (Ctx | undefined)[];
  /** References to run variables. */
  refs: Ref[];
  words: WordRec[];
  /** Words whose role is code; pipeline stages and here-document bodies that run as code. */
  codeWords: WordRec[];
  codeStages: Stage[];
  codeRanges: { start: number; end: number; why: string }[];
  /** Block-wide: why bash evaluates arithmetic somewhere in the block (where a copy of a value may go). */
  arithmetic: string[];
  /** Block-wide: why the block runs some text as code (where a copy of a value may go). */
  evaluators: string[];
  /** The block writes files (> file, tee …), and runs a command by path (./x.sh): it may run what it wrote. */
  writesFiles: boolean;
  pathCommand: boolean;
  /** Block-wide: where the block passes data through commands (substitutions, pipes, read, files) and may turn it into other text. */
  transforms: string[];
  /** Block-wide: why bash may read this block differently from the parser (no value may enter it then). */
  unprovable: string[];
}

/** The word's text if it is a plain literal (quotes removed, no expansion). */
export function literalOf(w: WordRec): string | null {
  if (w.dynamic || w.pieces.some((p) => typeof p !== 'string')) return null;
  return w.pieces.join('');
}

/** A simple command: its words' literal text, and the words that feed its standard input. */
interface Command {
  words: (string | null)[];
  stdin: WordRec[];
  /** Indexes in words of command names (the first word, and the command a wrapper runs). */
  names: number[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ARITH_TESTS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);
/** ${name@X} operators that do not expand the value again (any other, P above all, counts as evaluating it). */
const INERT_TRANSFORMS = new Set(['Q', 'E', 'a', 'A', 'K', 'k', 'U', 'u', 'L']);
const noText = (): void => undefined;

/**
 * Reads the contexts of `text` (already parsed into `file`). `isRunVariable` names the run's variables;
 * `markerAt(offset)` is the length of the placeholder marker starting there, or 0.
 */
export function readContexts(text: string, file: ShellFile, isRunVariable: (name: string) => boolean, markerAt: (offset: number) => number): Contexts {
  const reader = new ContextReader(text, isRunVariable, markerAt);
  reader.stmts(file.stmts, null);
  for (const c of file.comments) reader.mark(c.start, c.end, 'comment', null);
  return reader.result();
}

class ContextReader {
  readonly ctx: (Ctx | undefined)[];
  private readonly refs: Ref[] = [];
  private readonly words: WordRec[] = [];
  private readonly codeWords: WordRec[] = [];
  private readonly codeStages: Stage[] = [];
  private readonly codeRanges: { start: number; end: number; why: string }[] = [];
  private readonly arithmetic: string[] = [];
  private readonly evaluators: string[] = [];
  private writesFiles = false;
  private pathCommand = false;
  private readonly transforms: string[] = [];
  private readonly unprovable: string[] = [];
  /** Names declared integer so far: assigning to them is arithmetic. */
  private readonly integers = new Set<string>();
  /** Inside `…`: bash removes backslashes before the inner text is parsed, so a word with one is not taken literally. */
  private backquotes = 0;

  constructor(
    private readonly text: string,
    private readonly isRunVariable: (name: string) => boolean,
    private readonly markerAt: (offset: number) => number,
  ) {
    this.ctx = new Array<Ctx | undefined>(text.length);
  }

  result(): Contexts {
    const { ctx, refs, words, codeWords, codeStages, codeRanges, arithmetic, evaluators, writesFiles, pathCommand, unprovable } = this;
    const transforms = [...this.transforms, ...(writesFiles ? ['it writes files'] : [])];
    return { ctx, refs, words, codeWords, codeStages, codeRanges, arithmetic, evaluators, writesFiles, pathCommand, transforms, unprovable };
  }

  mark(from: number, to: number, lex: Lex, frame: Frame | null): void {
    const c: Ctx = { lex, frame };
    for (let k = from; k < to; k++) this.ctx[k] = c;
  }

  // -- lists and pipelines

  stmts(list: readonly Stmt[], frame: Frame | null): void {
    for (const stmt of list) this.list(stmt, frame);
  }

  /** A statement: an and-or list of pipelines. */
  private list(stmt: Stmt, frame: Frame | null): void {
    const cmd = stmt.cmd;
    if (cmd?.type === 'BinaryCmd' && (cmd.op === '&&' || cmd.op === '||')) {
      this.list(cmd.x, frame);
      this.list(cmd.y, frame);
      for (const r of stmt.redirs) this.redirect(r, null, frame);
      return;
    }
    const stages = this.stagesOf(stmt);
    const read = stages.map((s) => {
      const stage: Stage = { role: 'data', why: '', words: [] };
      const command = this.stage(s, { kind: 'stage', stage, parent: frame });
      return { stage, command };
    });
    if (stages.length === 1 && stages[0] !== stmt) for (const r of stmt.redirs) this.redirect(r, null, frame);
    if (read.length > 1) this.transforms.push('a pipeline');
    // What reads a pipeline's output: a command that runs its input as code makes the commands before it code.
    for (let k = read.length - 1; k > 0; k--) {
      const reader = read[k]?.command;
      const why = reader ? readsCode(reader.words) : null;
      if (!why) continue;
      for (const { stage } of read.slice(0, k)) {
        stage.role = 'code';
        stage.why = `its output is piped into ${why}`;
        this.codeStages.push(stage);
      }
      return;
    }
  }

  /** The commands of a pipeline, in order. */
  private stagesOf(stmt: Stmt): Stmt[] {
    const cmd = stmt.cmd;
    if (cmd?.type === 'BinaryCmd' && (cmd.op === '|' || cmd.op === '|&')) return [...this.stagesOf(cmd.x), ...this.stagesOf(cmd.y)];
    return [stmt];
  }

  /** One command with its redirections; the simple command it is, if it is one. */
  private stage(stmt: Stmt, frame: Frame): Command | null {
    const command = this.command(stmt, frame);
    for (const r of stmt.redirs) this.redirect(r, command, frame);
    if (command) this.commandRead(command);
    return command;
  }

  private command(stmt: Stmt, frame: Frame): Command | null {
    const cmd = stmt.cmd;
    if (!cmd) return null;
    switch (cmd.type) {
      case 'CallExpr':
        return this.call(cmd.assigns, cmd.args, frame);
      case 'DeclClause':
        return this.declaration(cmd.variant, cmd.args, frame);
      case 'LetClause':
        this.arithmetic.push('let');
        for (const x of cmd.exprs) this.arith(x, frame);
        return null;
      case 'ArithmCmd':
        this.arithmetic.push('(( )) or $(( ))');
        this.arith(cmd.x, frame);
        return null;
      case 'TestClause':
        this.test(cmd.x, frame);
        return null;
      case 'IfClause':
        for (let c: typeof cmd | null = cmd; c; c = c.else) {
          this.stmts(c.cond, frame);
          this.stmts(c.then, frame);
        }
        return null;
      case 'WhileClause':
        this.stmts(cmd.cond, frame);
        this.stmts(cmd.do, frame);
        return null;
      case 'ForClause':
        if (cmd.loop.type === 'WordIter') {
          this.litWord(cmd.loop.name, { role: 'varname', why: `the variable of ${cmd.select ? 'select' : 'for'}` }, frame);
          for (const w of cmd.loop.items ?? []) this.word(w, DATA, frame);
        } else {
          this.arithmetic.push('(( )) or $(( ))');
          this.arith(cmd.loop.init, frame);
          this.arith(cmd.loop.cond, frame);
          this.arith(cmd.loop.post, frame);
        }
        this.stmts(cmd.do, frame);
        return null;
      case 'CaseClause':
        this.word(cmd.word, DATA, frame);
        for (const item of cmd.items) {
          for (const w of item.patterns) this.word(w, DATA, frame);
          this.stmts(item.stmts, frame);
        }
        return null;
      case 'Block':
      case 'Subshell':
        this.stmts(cmd.stmts, frame);
        return null;
      case 'BinaryCmd':
        this.list(stmt, frame);
        return null;
      case 'FuncDecl':
        this.litWord(cmd.name, { role: 'name', why: 'a function name' }, frame);
        this.list(cmd.body, frame);
        return null;
      case 'TimeClause':
        if (!cmd.stmt) return null;
        return this.stage(cmd.stmt, frame);
      case 'CoprocClause':
        this.evaluators.push('coproc');
        if (cmd.name) this.word(cmd.name, { role: 'name', why: 'a coprocess name' }, frame);
        this.stage(cmd.stmt, frame);
        return null;
    }
  }

  /** What a simple command means for the block, and whether its input is code (bash <<< "…", bash < file). */
  private commandRead(command: Command): void {
    for (const k of command.names) {
      const name = command.words[k];
      if (name === 'read' || name === 'mapfile' || name === 'readarray' || (name === 'printf' && command.words.slice(k + 1).some((w) => w === null || /^-[A-Za-z]*v/.test(w)))) {
        this.transforms.push(name);
      }
      const risk = commandRisk(command.words.slice(k));
      if (risk.evaluates) this.evaluators.push(risk.evaluates);
      if (risk.arithmetic) this.arithmetic.push(risk.arithmetic);
      if (risk.writes) this.writesFiles = true;
      if (name?.includes('/')) this.pathCommand = true;
    }
    const why = readsCode(command.words);
    for (const w of command.stdin) {
      if (!why || w.role !== 'data') continue;
      Object.assign(w, { role: 'code', why: `it is the input of ${why}` });
      this.codeWords.push(w);
    }
  }

  private call(assigns: readonly Assign[], args: readonly Word[], frame: Frame): Command {
    const command: Command = { words: [], stdin: [], names: [] };
    for (const a of assigns) this.assignment(a, null, frame);
    let endOfOptions = false;
    for (const arg of args) {
      const role = nextRole(command.words);
      if (role.role === 'name' && role.why === 'the command name') command.names.push(command.words.length);
      const rec = this.word(arg, role, frame);
      if (command.words.length > 0) rec.argument = { afterEndOfOptions: endOfOptions };
      const text = literalOf(rec);
      if (command.words.length > 0 && text === '--') endOfOptions = true;
      command.words.push(text);
    }
    return command;
  }

  /** declare / typeset / local / export / readonly: options, names, and assignments. */
  private declaration(variant: Lit, args: readonly Assign[], frame: Frame): Command {
    const command: Command = { words: [variant.value], stdin: [], names: [0] };
    this.mark(variant.start, variant.end, 'syntax', frame);
    let options = '';
    for (const a of args) {
      if (a.naked) {
        const role = nextRole(command.words);
        const rec = a.name ? this.litWord(a.name, role, frame) : a.value ? this.word(a.value, role, frame) : null;
        const text = rec ? literalOf(rec) : null;
        command.words.push(text);
        if (text !== null && /^[-+][A-Za-z]+$/.test(text)) options += text.slice(1);
        else if (text !== null && NAME.test(text) && options.includes('i')) this.integers.add(text);
        continue;
      }
      if (a.name && options.includes('i')) this.integers.add(a.name.value);
      this.assignment(a, options, frame);
    }
    return command;
  }

  /** NAME=value, NAME[i]=value, NAME=(…); `declaration` holds the options of declare/local/… it is an argument of. */
  private assignment(a: Assign, declaration: string | null, frame: Frame): void {
    const name = a.name?.value ?? '';
    if (a.name) this.mark(a.name.start, a.name.end, 'syntax', frame);
    if (a.index) {
      this.arithmetic.push('an array subscript or $[ ]');
      this.arith(a.index, frame);
    }
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
    if (a.array) {
      // A compound array assignment: words, `[index]=value` ones with an arithmetic index.
      for (const e of a.array) {
        if (e.index) {
          this.arithmetic.push('an array subscript or $[ ]');
          this.arith(e.index, frame);
        }
        if (e.value) this.word(e.value, { role, why }, frame);
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
    if (a.value && a.value.parts.length > 0) this.word(a.value, { role, why }, frame);
  }

  // -- [[ ]]

  /** Operands of -eq and friends are arithmetic, the operand of -v a name. */
  private test(x: TestExpr, frame: Frame): void {
    switch (x.type) {
      case 'Word':
        this.word(x, DATA, frame);
        return;
      case 'ParenTest':
        this.test(x.x, frame);
        return;
      case 'UnaryTest':
        if ((x.op === '-v' || x.op === '-R') && x.x.type === 'Word') this.word(x.x, { role: 'varname', why: `[[ ${x.op} ]]`, tested: x.op === '-v' }, frame);
        else this.test(x.x, frame);
        return;
      case 'BinaryTest':
        if (ARITH_TESTS.has(x.op)) {
          for (const side of [x.x, x.y]) {
            this.arithmetic.push(`[[ ${x.op} ]]`);
            if (side.type === 'Word') this.word(side, { role: 'arith', why: `[[ ${x.op} ]]` }, frame);
            else this.test(side, frame);
          }
          return;
        }
        this.test(x.x, frame);
        this.test(x.y, frame);
        return;
    }
  }

  // -- redirections

  private redirect(r: Redirect, command: Command | null, frame: Frame | null): void {
    if (r.n) this.mark(r.n.start, r.n.end, 'syntax', frame);
    const heredoc = r.op === '<<' || r.op === '<<-';
    const w = this.word(r.word, DATA, frame, heredoc ? 'delimiter' : 'word');
    const target = literalOf(w);
    if (/^(?:>|>>|>\||&>|&>>|<>)$/.test(r.op) && (target === null || !/^\/dev\/(?:null|stdout|stderr|tty)$/.test(target))) this.writesFiles = true;
    if (r.op === '>&' && (target === null || !/^(?:[0-9]+-?|-)$/.test(target))) {
      this.writesFiles = true;
      // Not a descriptor number: bash expands the target a second time, as it does for &>, so it is code.
      if (w.role === 'data') {
        Object.assign(w, { role: 'code', why: 'bash expands the target of >& again when it is not a descriptor number' });
        this.codeWords.push(w);
      }
    }
    // What a command reads on its standard input: a here-string, a file, or a here-document body.
    if ((r.op === '<<<' || r.op === '<' || r.op === '<>') && command) command.stdin.push(w);
    if (!heredoc || !r.hdoc) return;
    const quoted = /['"\\]/.test(this.text.slice(r.word.start, r.word.end));
    if (r.disagreement) this.unprovable.push(r.disagreement);
    // The body is the command's input: code if the command runs its input (bash <<EOF, ssh host <<EOF …).
    const why = command ? readsCode(command.words) : null;
    const stage: Stage = { role: why ? 'code' : 'data', why: why ? `it is the input of ${why}` : '', words: [] };
    const body: Frame = { kind: 'stage', stage, parent: null };
    if (quoted) this.mark(r.hdoc.start, r.hdoc.end, 'qheredoc', body);
    else this.parts(r.hdoc.parts, 'heredoc', body, null, noText);
    if (why) this.codeRanges.push({ start: r.hdoc.start, end: r.hdoc.end, why: stage.why });
  }

  // -- words

  /** A word; `mode` 'delimiter' marks it as a here-document delimiter. */
  private word(w: Word, role: RoleOf, frame: Frame | null, mode: 'word' | 'delimiter' = 'word'): WordRec {
    const rec = this.record(w.start, w.end, role, frame);
    if (w.braces) rec.braces = true;
    const inner: Frame = { kind: 'word', word: rec, parent: frame };
    const text = (t: string) => {
      const last = rec.pieces[rec.pieces.length - 1];
      if (typeof last === 'string') rec.pieces[rec.pieces.length - 1] = last + t;
      else rec.pieces.push(t);
    };
    this.parts(w.parts, mode === 'delimiter' ? 'delim' : 'plain', inner, rec, text);
    if (rec.role === 'code' && literalOf(rec) === null) this.evaluators.push(`${rec.why}, on text that holds an expansion`);
    return rec;
  }

  /** A name the grammar gives as a bare literal (a for variable, a function name), as a word. */
  private litWord(lit: Lit, role: RoleOf, frame: Frame | null): WordRec {
    const rec = this.record(lit.start, lit.end, role, frame);
    rec.pieces.push(lit.value);
    this.mark(lit.start, lit.end, 'plain', { kind: 'word', word: rec, parent: frame });
    return rec;
  }

  private record(start: number, end: number, role: RoleOf, frame: Frame | null): WordRec {
    const rec: WordRec = { start, end, role: role.role, why: role.why, pieces: [], dynamic: false };
    if (role.tested) rec.tested = true;
    this.words.push(rec);
    if (rec.role === 'code') this.codeWords.push(rec);
    for (let f = frame; f; f = f.parent) {
      if (f.kind !== 'stage') continue;
      f.stage?.words.push(rec);
      break;
    }
    return rec;
  }

  private parts(parts: readonly WordPart[], lex: 'plain' | 'dq' | 'heredoc' | 'delim' | 'arith' | 'locale', frame: Frame, rec: WordRec | null, text: (t: string) => void): void {
    const dynamic = () => {
      if (rec) rec.dynamic = true;
    };
    for (const p of parts) {
      switch (p.type) {
        case 'Lit':
          if (lex === 'arith') this.arithLit(p, frame);
          else this.literal(p, lex, frame, rec, text);
          break;
        case 'SglQuoted':
          this.mark(p.start, p.end, 'syntax', frame);
          if (p.dollar) {
            dynamic();
            this.mark(p.start + 2, p.end - 1, 'ansi', frame);
          } else {
            this.mark(p.start + 1, p.end - 1, lex === 'delim' ? 'delim' : 'sq', frame);
            text(p.value);
          }
          break;
        case 'DblQuoted':
          this.mark(p.start, p.end, 'syntax', frame);
          if (p.dollar) {
            dynamic();
            this.parts(p.parts, 'locale', frame, null, noText);
          } else this.parts(p.parts, lex === 'delim' ? 'delim' : lex === 'locale' ? 'locale' : 'dq', frame, rec, text);
          break;
        case 'ParamExp':
          this.param(p, lex, frame, rec);
          break;
        case 'CmdSubst':
          dynamic();
          this.transforms.push('a command substitution');
          if (p.backquotes && lex !== 'plain' && this.text.slice(p.start, p.end).includes('\\')) {
            // Inside "…" bash and mvdan/sh disagree on what \" means in `…`: the block cannot be read for sure.
            this.unprovable.push('a `…` substitution with backslashes inside "…" or a here-document');
          }
          if (p.backquotes) this.backquotes++;
          this.stmts(p.stmts, { kind: 'subst', parent: frame });
          if (p.backquotes) this.backquotes--;
          break;
        case 'ProcSubst':
          dynamic();
          this.transforms.push('a process substitution');
          this.stmts(p.stmts, { kind: 'subst', parent: frame });
          break;
        case 'ArithmExp':
          dynamic();
          this.arithmetic.push(p.bracket ? 'an array subscript or $[ ]' : '(( )) or $(( ))');
          this.arith(p.x, frame);
          break;
        case 'ExtGlob':
          dynamic();
          this.mark(p.start, p.end, 'extglob', frame);
          break;
      }
    }
  }

  /** Literal text: a backslash escapes what follows it where bash says it does (everywhere unquoted; before $ ` " \ newline in "…"). */
  private literal(p: Lit, lex: 'plain' | 'dq' | 'heredoc' | 'delim' | 'locale', frame: Frame, rec: WordRec | null, text: (t: string) => void): void {
    const raw = this.text.slice(p.start, p.end);
    if (this.backquotes > 0 && raw.includes('\\') && rec) rec.dynamic = true;
    const escapes = lex === 'dq' || lex === 'locale' ? '$`"\\\n' : lex === 'heredoc' ? '$`\\\n' : null;
    for (let k = 0; k < raw.length; ) {
      const at = p.start + k;
      const c = raw[k] as string;
      const next = raw[k + 1];
      if (c === '\\' && next !== undefined && (escapes === null || escapes.includes(next))) {
        this.mark(at, at + 1, 'syntax', frame);
        if (next === '\n') this.mark(at + 1, at + 2, 'syntax', frame);
        else {
          const n = (raw.codePointAt(k + 1) as number) > 0xffff ? 2 : 1;
          this.mark(at + 1, at + 1 + n, 'escaped', frame);
          text(raw.slice(k + 1, k + 1 + n));
          k += n - 1;
        }
        k += 2;
        continue;
      }
      if (c === '\\' && next !== undefined) {
        // A backslash bash keeps ("a\x"): a reference written right after it would have its `$` escaped.
        const n = (raw.codePointAt(k + 1) as number) > 0xffff ? 2 : 1;
        this.mark(at, at + 1, lex, frame);
        this.mark(at + 1, at + 1 + n, 'escaped', frame);
        text(raw.slice(k, k + 1 + n));
        k += 1 + n;
        continue;
      }
      this.mark(at, at + 1, lex, frame);
      text(c);
      k++;
    }
  }

  /** $NAME, ${NAME…}, and a bare name with a subscript in arithmetic (a[i]). */
  private param(p: ParamExp, lex: Lex, frame: Frame, rec: WordRec | null): void {
    const name = p.param.value;
    if (lex === 'arith' && this.text[p.start] !== '$') {
      this.arithLit(p.param, frame);
      if (p.index) this.arith(p.index, frame);
      return;
    }
    this.mark(p.param.start, p.param.end, 'param', frame);
    const isName = NAME.test(name);
    if (p.short) {
      const ref = isName ? this.reference(name, p.start, p.end, true, lex, frame, false) : null;
      if (rec) {
        if (ref) rec.pieces.push(ref);
        else rec.dynamic = true;
      }
      return;
    }
    const wholeArray = p.index?.type === 'Word' && p.index.parts.length === 1 && p.index.parts[0]?.type === 'Lit' && /^[@*]$/.test(p.index.parts[0].value);
    if (p.index && !wholeArray) {
      this.arithmetic.push('an array subscript or $[ ]');
      this.arith(p.index, frame);
    }
    if (p.slice) {
      this.arithmetic.push('${name:offset:length}');
      this.arith(p.slice.offset, frame);
      this.arith(p.slice.length, frame);
    }
    let evaluates = p.excl && p.names === null;
    const operand: Frame = { kind: 'operand', parent: frame };
    const inner = lex === 'plain' ? 'plain' : 'dq';
    if (p.exp) {
      if (p.exp.op === '@') {
        const letter = p.exp.word?.parts.map((q) => (q.type === 'Lit' ? q.value : '?')).join('') ?? '';
        if (!INERT_TRANSFORMS.has(letter)) evaluates = true;
        // ${y@E} decodes backslash escapes ($'…' style): a value can come out as a[$(…)].
        if (letter === 'E') this.transforms.push('${name@E}');
        if (p.exp.word) this.mark(p.exp.word.start, p.exp.word.end, 'syntax', frame);
      } else if (p.exp.word) this.parts(p.exp.word.parts, inner, operand, null, noText);
    }
    if (p.repl) {
      this.parts(p.repl.orig.parts, inner, operand, null, noText);
      if (p.repl.with) this.parts(p.repl.with.parts, inner, operand, null, noText);
    }
    if (evaluates) this.evaluators.push(p.excl ? '${!name} indirection' : '${name@P}');
    const simple = !p.excl && !p.length && !p.index && !p.slice && !p.repl && !p.exp && p.names === null;
    const ref = isName ? this.reference(name, p.start, p.end, simple, lex, frame, evaluates) : null;
    if (ref && p.length) ref.lengthOnly = true;
    if (rec) {
      if (ref && simple) rec.pieces.push(ref);
      else rec.dynamic = true;
    }
  }

  private reference(name: string, start: number, end: number, simple: boolean, lex: Lex, frame: Frame | null, evaluates: boolean): Ref | null {
    if (!this.isRunVariable(name)) return null;
    const ref: Ref = { name, start, end, simple, lex, frame, evaluates };
    this.refs.push(ref);
    return ref;
  }

  // -- arithmetic

  /**
   * An arithmetic expression. Names of run variables in it are references: bash evaluates a variable's
   * value as an expression there.
   */
  private arith(x: ArithmExpr | null, frame: Frame | null): void {
    if (!x) return;
    const inner: Frame = frame?.kind === 'arith' ? frame : { kind: 'arith', parent: frame };
    switch (x.type) {
      case 'BinaryArithm':
        this.arith(x.x, inner);
        this.arith(x.y, inner);
        return;
      case 'UnaryArithm':
      case 'ParenArithm':
        this.arith(x.x, inner);
        return;
      case 'Word':
        this.parts(x.parts, 'arith', inner, null, noText);
        return;
    }
  }

  /** A name or a number in arithmetic. A value is an operand of its own or nothing: glued to a name it would make another name. */
  private arithLit(p: Lit, frame: Frame): void {
    const raw = this.text.slice(p.start, p.end);
    if (!NAME.test(raw)) {
      this.mark(p.start, p.end, 'syntax', frame);
      return;
    }
    let marker = false;
    for (let k = p.start; k < p.end; k++) if (this.markerAt(k) > 0) marker = true;
    if (marker) {
      this.mark(p.start, p.end, this.markerAt(p.start) === raw.length ? 'arith' : 'syntax', frame);
      return;
    }
    this.mark(p.start, p.end, 'arith', frame);
    this.reference(raw, p.start, p.end, false, 'arith', frame, false);
  }
}
