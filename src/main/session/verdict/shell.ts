// A shell block is read-only only when every command it can run — in every list, pipeline, subshell,
// loop, condition and $( … ) — is on the read-only list with read-only arguments, nothing is redirected
// into a file, no command is named by a value, and no assignment changes what programs run.
// The structure is mvdan/sh's parse (the Go parser compiled to JavaScript, read by shell-ast.ts) in the
// subset shell-syntax.ts models; text that does not parse is a parse error, syntax outside the subset is
// unsupported, and either means the block may change state.
import { lineAt } from '../../targets/postgres/sql-split.js';
import { PLACEHOLDER } from '../substitute.js';
import { type Arg, type CommandProblem, checkCommand, knownArg, programName, programVariableAllowed, shellVariableAllowed, variableEffect } from './shell-commands.js';
import { type Assign, type Part, type Redirect, ShellParseError, type Stmt, UnsupportedShell, type Word, parseShellSubset } from './shell-syntax.js';
import { type Verdict, type VerdictCode, changes, readOnly } from './types.js';

/** A variable the block has set (or may have set) to a text not known here: the block chose it, it can be anything. */
const UNKNOWN = 'unknown';

/**
 * What the block may have set its shell variables to: the possible values, or UNKNOWN. A name not in the map
 * has its value from outside the block (the environment, a run variable), unless ANY is in the map: then the
 * block may have set any variable (a command set one whose name is not known here).
 */
type Env = Map<string, string[] | typeof UNKNOWN>;
const ANY = '\0any';
/** In the map when readonly may have marked the variable: an assignment to it then fails, the old value stays. */
const READONLY = (name: string) => `\0readonly ${name}`;

/** What a variable reference reads: its known values, UNKNOWN (set by the block), or undefined (from outside). */
function lookup(env: Env, name: string): string[] | typeof UNKNOWN | undefined {
  return env.get(name) ?? (env.has(ANY) ? UNKNOWN : undefined);
}

/**
 * Variables bash itself sets as the block runs (`_` after every command, REPLY, PWD and OLDPWD (also read by
 * ~- and ~+), RANDOM …): what the block assigned to them earlier is not what a later reference reads.
 * Their values count as made by the block.
 */
const SET_BY_BASH = new Set([
  '_', 'REPLY', 'MAPFILE', 'OPTARG', 'OPTIND', 'PWD', 'OLDPWD', 'DIRSTACK', 'RANDOM', 'SRANDOM', 'SECONDS', 'LINENO',
  'EPOCHSECONDS', 'EPOCHREALTIME', 'BASHPID', 'BASH_COMMAND', 'BASH_REMATCH', 'BASH_LINENO', 'BASH_SOURCE', 'BASH_SUBSHELL',
  'BASH_ARGC', 'BASH_ARGV', 'BASH_ARGV0', 'PIPESTATUS', 'HISTCMD', 'FUNCNAME', 'GROUPS', 'PPID', 'UID', 'EUID', 'SHLVL',
  'COLUMNS', 'LINES', 'COPROC',
]);

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Found {
  code: VerdictCode;
  message: string;
  offset: number;
}

/**
 * What a word expands to: its possible texts, or how unknown it is. `computed`: the unknown text is made by the
 * block (a command substitution, $'…' escapes, a variable the block set, a positional parameter, a glob or a
 * brace expansion) and can be anything, an option included; otherwise it comes from outside the block (the
 * environment, a run variable or a placeholder, whose values are checked when the run gives them).
 * `allStartWithPrefix`: for "many", every word it becomes starts with `prefix` (a glob or brace expansion
 * of a word without other expansions before it).
 */
type WordValue = { known: string[] } | { dynamic: 'one' | 'many'; prefix: string; computed: boolean; allStartWithPrefix: boolean };

/** More alternatives than this and a value counts as unknown (the checks run once per combination). */
const MAX_ALTERNATIVES = 16;
const MAX_COMBINATIONS = 64;
const MAX_LOOP_PASSES = 5;

/** Where output may go without writing a file. */
const SAFE_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/fd/1', '/dev/fd/2']);

/** Paths bash opens as network connections in a redirection. */
const NETWORK_PATHS = ['/dev/tcp/', '/dev/udp/'];

const copy = (env: Env): Env => new Map([...env].map(([k, v]) => [k, v === UNKNOWN ? v : [...v]]));

/**
 * After alternatives (branches, loop passes): a value is known only if known on every path; a variable the
 * block set on some path (and not on another, or to something not known) is UNKNOWN.
 */
function merge(envs: Env[]): Env {
  const out: Env = new Map();
  const names = new Set(envs.flatMap((e) => [...e.keys()]));
  for (const name of names) {
    const union = new Set<string>();
    let unknown = false;
    for (const e of envs) {
      const values = e.get(name);
      if (values === undefined || values === UNKNOWN) unknown = true;
      else for (const v of values) union.add(v);
    }
    out.set(name, unknown || union.size > MAX_ALTERNATIVES ? UNKNOWN : [...union]);
  }
  return out;
}

function sameValues(v: string[] | typeof UNKNOWN | undefined, w: string[] | typeof UNKNOWN | undefined): boolean {
  if (v === undefined || v === UNKNOWN || w === undefined || w === UNKNOWN) return v === w;
  return w.length === v.length && v.every((x) => w.includes(x));
}

function sameEnv(a: Env, b: Env): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!sameValues(v, b.get(k))) return false;
  return true;
}

function replaceEnv(target: Env, source: Env): void {
  target.clear();
  for (const [k, v] of source) target.set(k, v);
}

function commonPrefix(values: string[]): string {
  let prefix = values[0] ?? '';
  for (const v of values) while (!v.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

class Walker {
  readonly commands = new Set<string>();

  constructor(
    private readonly src: string,
    private readonly placeholder: RegExp,
    private readonly restore: (text: string) => string,
    private readonly sql: (code: string) => { readOnly: boolean; detail: string },
    private readonly runVariables: ReadonlySet<string>,
  ) {}

  private found(code: VerdictCode, message: string, offset: number): Found {
    return { code, message, offset };
  }

  list(stmts: Stmt[], env: Env): Found | null {
    for (const s of stmts) {
      const f = this.stmt(s, env);
      if (f) return f;
    }
    return null;
  }

  private stmt(s: Stmt, env: Env): Found | null {
    for (const r of s.redirects) {
      const f = this.redirect(r, env);
      if (f) return f;
    }
    const cmd = s.cmd;
    if (!cmd) return null;
    switch (cmd.kind) {
      case 'call':
        return this.call(cmd.assigns, cmd.words, s.redirects, env);
      case 'binary': {
        if (cmd.op === '|' || cmd.op === '|&') return this.stmt(cmd.left, copy(env)) ?? this.stmt(cmd.right, copy(env));
        const left = this.stmt(cmd.left, env);
        if (left) return left;
        // The right side may or may not run.
        const right = copy(env);
        const f = this.stmt(cmd.right, right);
        if (f) return f;
        replaceEnv(env, merge([env, right]));
        return null;
      }
      case 'time':
        return this.stmt(cmd.stmt, env);
      case 'subshell':
        return this.list(cmd.body, copy(env));
      case 'group':
        return this.list(cmd.body, env);
      case 'if': {
        let current = copy(env);
        const outcomes: Env[] = [];
        for (const clause of cmd.clauses) {
          const f = this.list(clause.cond, current);
          if (f) return f;
          const branch = copy(current);
          const g = this.list(clause.then, branch);
          if (g) return g;
          outcomes.push(branch);
          current = copy(current);
        }
        if (cmd.otherwise) {
          const branch = copy(current);
          const f = this.list(cmd.otherwise, branch);
          if (f) return f;
          outcomes.push(branch);
        } else outcomes.push(current);
        replaceEnv(env, merge(outcomes));
        return null;
      }
      case 'while':
        return this.loop(env, (state) => this.list(cmd.cond, state), (state) => this.list(cmd.body, state));
      case 'for': {
        let items: string[] | null = null;
        if (cmd.items) {
          items = [];
          for (const w of cmd.items) {
            const f = this.substitutions(w, env);
            if (f) return f;
            const v = this.value(w, env, 'bare');
            if ('dynamic' in v) {
              items = null;
              break;
            }
            items.push(...v.known);
          }
        }
        const name = cmd.name;
        const allowed = shellVariableAllowed(name, items);
        if (!allowed.ok) return this.found('shell-assignment-not-allowed', `for ${name}: ${allowed.why}`, cmd.start);
        return this.loop(
          env,
          (state) => {
            state.set(name, items && items.length <= MAX_ALTERNATIVES && !state.has(READONLY(name)) ? items : UNKNOWN);
            return null;
          },
          (state) => this.list(cmd.body, state),
        );
      }
    }
  }

  /**
   * Runs a loop's parts until the known values settle, checking every pass in full. Known values only
   * grow (or become unknown), so this ends; if it has not after a few passes, whatever still changes
   * counts as unknown for one last checked pass.
   */
  private loop(env: Env, head: (state: Env) => Found | null, body: (state: Env) => Found | null): Found | null {
    let state = copy(env);
    for (let pass = 0; pass <= MAX_LOOP_PASSES; pass++) {
      const afterHead = copy(state);
      const f = head(afterHead) ?? body(afterHead);
      if (f) return f;
      const next = merge([state, afterHead]);
      if (sameEnv(next, state)) {
        replaceEnv(env, state);
        return null;
      }
      // Whatever still changes after the last pass counts as set to something not known.
      const previous = state;
      state = pass < MAX_LOOP_PASSES ? next : new Map([...next].map(([k, v]) => [k, sameValues(v, previous.get(k)) ? v : UNKNOWN]));
    }
    const last = copy(state);
    const f = head(last) ?? body(last);
    if (f) return f;
    replaceEnv(env, merge([state, last]));
    return null;
  }

  /** Command substitutions inside a word run too: each must be read-only. */
  private substitutions(word: Word | null, env: Env): Found | null {
    if (!word) return null;
    for (const p of word.parts) {
      const f = this.partSubstitutions(p, env);
      if (f) return f;
    }
    return null;
  }

  private partSubstitutions(p: Part, env: Env): Found | null {
    switch (p.kind) {
      case 'cmdsubst':
        return this.list(p.body, copy(env));
      case 'dbl':
        for (const q of p.parts) {
          const f = this.partSubstitutions(q, env);
          if (f) return f;
        }
        return null;
      case 'param': {
        const f = this.substitutions(p.word, env);
        if (f) return f;
        if (p.op === '=' || p.op === ':=') {
          const allowed = shellVariableAllowed(p.name, null);
          if (!allowed.ok) return this.found('shell-assignment-not-allowed', `\${${p.name}${p.op}…}: ${allowed.why}`, p.start);
          env.set(p.name, UNKNOWN);
        }
        return null;
      }
      default:
        return null;
    }
  }

  /**
   * What a word expands to: its possible texts, or how unknown it is. `mode`: an argument or redirection
   * target ('bare': split, globbed, brace- and tilde-expanded), an assignment's value or a here-string
   * ('assign': tilde-expanded at its start and after ":"), a here-document body ('body': none of these).
   */
  private value(word: Word, env: Env, mode: 'bare' | 'assign' | 'body'): WordValue {
    let alternatives = [''];
    let dynamic: 'one' | 'many' | null = null;
    let prefix = '';
    let computed = false;
    let allStartWithPrefix = true;
    /** Text from here on is not known: one word, or several ("many"; `split`: not all starting with the prefix). */
    const unknown = (kind: 'one' | 'many', made: boolean, split = kind === 'many') => {
      if (!dynamic) prefix = commonPrefix(alternatives);
      if (!dynamic || kind === 'many') dynamic = kind;
      computed ||= made;
      if (split) allStartWithPrefix = false;
    };
    const known = (values: string[]) => {
      if (dynamic) return;
      const next: string[] = [];
      for (const a of alternatives) for (const v of values) next.push(a + v);
      if (next.length > MAX_ALTERNATIVES) unknown('one', true);
      else alternatives = next;
    };
    const text = (value: string) => {
      const m = this.placeholder.exec(value);
      if (!m) return known([value]);
      known([value.slice(0, m.index)]);
      // A placeholder is given one quoted word at run time (its value is checked then).
      unknown('one', false);
    };
    const param = (p: Extract<Part, { kind: 'param' }>, quoted: boolean) => {
      if (p.length || ['?', '#', '$', '!'].includes(p.name)) return known(['0']);
      // $@ (and $* unquoted) are several words; positional parameters are what the block's `set --` made them.
      if (p.name === '@' || (p.name === '*' && !quoted)) return unknown('many', true);
      const special = !NAME.test(p.name) || SET_BY_BASH.has(p.name);
      const entry = special ? UNKNOWN : lookup(env, p.name);
      const values = p.op === null && entry !== UNKNOWN ? entry : undefined;
      if (!values) {
        // ${NAME<op>word} may be the word's text, which the block wrote.
        const made = entry !== undefined || p.op !== null;
        // A run variable's plain $NAME is always passed as one quoted word (shell-values: prepareShell puts
        // it in double quotes, prepareArgv makes it one argv word); any other unquoted value may split.
        return unknown(quoted || (p.op === null && this.runVariables.has(p.name)) ? 'one' : 'many', made);
      }
      // Unquoted, a value with blanks or pattern characters splits or globs into other words.
      if (!quoted && values.some((v) => v === '' || /[\s*?[]/.test(v))) return unknown('many', true);
      known(values);
    };
    const quotedParts = (parts: Part[]) => {
      for (const q of parts) {
        if (q.kind === 'lit') text(q.value);
        else if (q.kind === 'param') param(q, true);
        else unknown('one', true);
      }
    };
    // Unquoted literal text as bash expands it: word.shape marks quoted and escaped characters, and has one
    // character for each of a literal's (and one for every other part).
    let at = 0;
    const literal = (value: string) => {
      const shape = mode === 'body' ? '' : word.shape.slice(at, at + value.length);
      for (let k = 0; k < shape.length; k++) {
        const c = shape[k] as string;
        const before = k > 0 ? shape[k - 1] : at > 0 ? word.shape[at - 1] : '';
        // A tilde-prefix: ~ and ~/… are $HOME, ~user a home directory (both from outside the block); ~+ and
        // ~- are $PWD and $OLDPWD, ~N an entry of the directory stack (what the block made them). In an
        // argument bash expands it at the start and after = or : (in words that look like assignments).
        if (c === '~' && (at + k === 0 || before === ':' || (mode === 'bare' && before === '='))) {
          text(value.slice(0, k));
          return unknown('one', /^[-+0-9]/.test(value.slice(k + 1)));
        }
        if (mode !== 'bare') continue;
        // Pathname expansion: the pattern becomes every file name it matches (any file there may be named
        // "-delete" or "--output=x"), each starting with the text before the pattern character. A [ with
        // nothing after it is literal. Brace expansion, likewise, makes words that share the text before {.
        if (c === '*' || c === '?' || (c === '[' && at + k + 1 < word.shape.length) || (c === '{' && word.braces)) {
          text(value.slice(0, k));
          return unknown('many', true, false);
        }
      }
      text(value);
    };
    for (const p of word.parts) {
      switch (p.kind) {
        case 'lit':
          literal(p.value);
          at += p.value.length;
          continue;
        case 'sgl':
          // $'…' escapes are not decoded here: the text is not what is written.
          if (p.ansi && p.value.includes('\\')) unknown('one', true);
          else text(p.value);
          break;
        case 'dbl':
          quotedParts(p.parts);
          break;
        case 'param':
          param(p, mode !== 'bare');
          break;
        case 'cmdsubst':
          unknown(mode === 'bare' ? 'many' : 'one', true);
          break;
      }
      at += 1;
    }
    // A brace expansion the shape does not show where (mvdan/sh says so; should it ever be in no literal).
    if (mode === 'bare' && word.braces) unknown('many', true, false);
    return dynamic ? { dynamic, prefix, computed, allStartWithPrefix } : { known: alternatives };
  }

  private source(word: Word): string {
    return this.restore(this.src.slice(word.start, word.end));
  }

  private redirect(r: Redirect, env: Env): Found | null {
    const f = this.substitutions(r.word, env) ?? (r.heredoc && !r.heredoc.quoted ? this.substitutions(r.heredoc.body, env) : null);
    if (f) return f;
    const target = this.value(r.word, env, 'bare');
    const targetText = 'known' in target && target.known.length === 1 ? (target.known[0] as string) : null;
    const written = `${r.fd ?? ''}${r.op} ${this.source(r.word)}`;
    switch (r.op) {
      case '<<':
      case '<<-':
      case '<<<':
        return null;
      case '<': {
        // bash itself opens a network connection for /dev/tcp/HOST/PORT and /dev/udp/HOST/PORT.
        const network = (path: string) => NETWORK_PATHS.some((p) => path.startsWith(p));
        if ('known' in target) {
          if (target.known.some(network)) return this.found('shell-redirect-to-file', `${written} opens a network connection`, r.start);
          return null;
        }
        if (network(target.prefix) || NETWORK_PATHS.some((p) => p.startsWith(target.prefix))) {
          return this.found('shell-redirect-to-file', `${written} reads from a path known only at run time, which could be /dev/tcp/… (a network connection)`, r.start);
        }
        return null;
      }
      case '<&':
      case '>&': {
        // Duplicating makes fd N a copy of fd M: only a copy of standard output or error (already judged), or
        // of standard input onto itself, is harmless. Another fd may be a file opened earlier; closing one (-)
        // lets the next file a program opens take its number and receive what is written to it.
        const fd = r.fd ?? (r.op === '<&' ? '0' : '1');
        if (targetText === '1' || targetText === '2' || (targetText === '0' && fd === '0')) return null;
        if (r.op === '>&' && targetText !== null && SAFE_TARGETS.has(targetText)) return null;
        const why =
          targetText === null ? 'goes to a target known only at run time'
          : targetText === '-' ? 'closes a file descriptor (a file opened next takes its number)'
          : /^\d+$/.test(targetText) ? `uses file descriptor ${targetText}, which may be a file or connection opened earlier`
          : 'writes a file';
        return this.found('shell-redirect-to-file', `${written} ${why}`, r.start);
      }
      default:
        if (targetText !== null && SAFE_TARGETS.has(targetText)) return null;
        return this.found('shell-redirect-to-file', `${written} ${targetText === null ? 'writes to a file named at run time' : 'writes a file'}`, r.start);
    }
  }

  /** Standard input given by the command's own here-document or here-string (the last input redirection wins). */
  private stdin(redirects: Redirect[], env: Env): Arg | null | undefined {
    let stdin: Arg | null | undefined;
    for (const r of redirects) {
      if (r.fd !== null && r.fd !== '0') continue;
      if (r.op === '<<' || r.op === '<<-') {
        const body = (r.heredoc as NonNullable<Redirect['heredoc']>).body;
        const v = r.heredoc?.quoted ? { known: [body.parts.map((p) => (p.kind === 'lit' ? p.value : '')).join('')] } : this.value(body, env, 'body');
        stdin = this.arg(v, this.source(body));
      } else if (r.op === '<<<') {
        stdin = this.arg(this.value(r.word, env, 'assign'), this.source(r.word));
      } else if (r.op === '<' || r.op === '<&' || r.op === '<>') stdin = null;
    }
    return stdin;
  }

  private arg(v: WordValue, source: string): Arg {
    if ('known' in v && v.known.length === 1) return knownArg(v.known[0] as string, source);
    if ('known' in v) return { text: null, dynamic: 'one', prefix: commonPrefix(v.known), source, computed: true };
    return { text: null, dynamic: v.dynamic, prefix: v.prefix, source, computed: v.computed, allStartWithPrefix: v.allStartWithPrefix };
  }

  /**
   * NAME=value or NAME+=value: the variable is known afterwards when its value (and, appending, the old one)
   * is, and readonly has not marked it (then the assignment may fail and leave the old value).
   */
  private assignValue(name: string, append: boolean, value: string[] | null, env: Env): void {
    if (env.has(READONLY(name))) {
      env.set(name, UNKNOWN);
      return;
    }
    const old = lookup(env, name);
    const before = append ? (old === UNKNOWN ? undefined : old) : [''];
    const after = value && before ? before.flatMap((b) => value.map((v) => b + v)) : null;
    env.set(name, after && after.length <= MAX_ALTERNATIVES ? [...new Set(after)] : UNKNOWN);
  }

  private call(assigns: Assign[], words: Word[], redirects: Redirect[], env: Env): Found | null {
    for (const a of assigns) {
      const f = this.substitutions(a.value, env);
      if (f) return f;
    }
    for (const w of words) {
      const f = this.substitutions(w, env);
      if (f) return f;
    }
    const [nameWord, ...argWords] = words;
    const values = assigns.map((a) => this.value(a.value, env, 'assign'));
    for (const [k, a] of assigns.entries()) {
      const v = values[k] as WordValue;
      const known = 'known' in v ? v.known : null;
      // Before a command the variable is in the environment of the program (and of all it runs): only a few
      // that change how output looks pass. Alone it sets a shell variable, which must not be one bash acts on.
      const allowed = nameWord ? programVariableAllowed(a.name, known) : shellVariableAllowed(a.name, known);
      if (!allowed.ok) return this.found('shell-assignment-not-allowed', allowed.why, a.start);
    }
    if (!nameWord) {
      // Plain assignments: the shell's own variables, known when their value is.
      for (const [k, a] of assigns.entries()) {
        const v = values[k] as WordValue;
        this.assignValue(a.name, a.append, 'known' in v ? v.known : null, env);
      }
      return null;
    }
    const name = this.value(nameWord, env, 'bare');
    if (!('known' in name)) {
      return this.found('shell-dynamic-command', `the command ${this.source(nameWord)} is named by a value at run time; which program runs is not known`, nameWord.start);
    }
    // Each word's possible values; the command is judged for every combination.
    const choices: Arg[][] = argWords.map((w) => {
      const v = this.value(w, env, 'bare');
      const source = this.source(w);
      return 'known' in v ? v.known.map((text) => knownArg(text, source)) : [this.arg(v, source)];
    });
    let combinations = name.known.length;
    for (const c of choices) combinations *= c.length;
    if (combinations > MAX_COMBINATIONS) {
      for (let i = 0; i < choices.length; i++) {
        const c = choices[i] as Arg[];
        if (c.length > 1) choices[i] = [{ text: null, dynamic: 'one', prefix: commonPrefix(c.map((a) => a.text ?? '')), source: (c[0] as Arg).source, computed: true }];
      }
    }
    const stdin = this.stdin(redirects, env) ?? null;
    const ctx = {
      stdin,
      sql: this.sql,
      check: (inner: string, args: Arg[]): CommandProblem | null => {
        this.commands.add(programName(inner) ?? inner);
        return checkCommand(inner, args, ctx);
      },
    };
    for (const program of name.known) {
      for (const args of product(choices)) {
        const problem = ctx.check(program, args);
        if (problem) return this.found(problem.code, problem.message, nameWord.start);
      }
    }
    this.variablesSet(name.known, choices, env);
    return null;
  }

  /**
   * What the command does to the shell's variables (read, export … also behind `command`): each name it may
   * set is set to the value given (export NAME=value, when that is known and the only possibility) or to
   * something not known; when a name is not known, every variable may have been set.
   */
  private variablesSet(programs: string[], choices: Arg[][], env: Env): void {
    const set = new Map<string, { append: boolean; value: string | null }[]>();
    const readonly = new Set<string>();
    let combinations = 0;
    for (const program of programs) {
      for (const args of product(choices)) {
        combinations++;
        const effect = variableEffect(program, args);
        if (effect === 'any') {
          for (const name of [...env.keys(), ANY]) env.set(name, UNKNOWN);
          return;
        }
        for (const s of effect) {
          if (s.readonly) readonly.add(s.name);
          // export NAME, readonly NAME: the value stays.
          if (s.value !== 'unchanged') set.set(s.name, [...(set.get(s.name) ?? []), { append: s.append, value: s.value }]);
        }
      }
    }
    for (const [name, settings] of set) {
      const [only] = settings;
      if (settings.length === combinations && settings.length === 1 && only && only.value !== null) this.assignValue(name, only.append, [only.value], env);
      else env.set(name, UNKNOWN);
    }
    for (const name of readonly) env.set(READONLY(name), []);
  }
}

function* product(choices: Arg[][]): Generator<Arg[]> {
  if (choices.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = choices;
  for (const tail of product(rest)) for (const head of first as Arg[]) yield [head, ...tail];
}

/**
 * Placeholders become one word no parser takes for syntax: it starts with a digit (never a NAME=) and is
 * alphanumeric. `placeholder` finds the first such word in a text; `restore` writes them back as written.
 */
function withPlaceholderWords(code: string): { code: string; placeholder: RegExp; restore: (text: string) => string } {
  let tag = '0rbcv';
  while (code.includes(tag)) tag += 'q';
  const written: string[] = [];
  const replaced = code.replace(PLACEHOLDER, (m) => {
    written.push(m);
    return `${tag}${written.length - 1}z`;
  });
  const pattern = new RegExp(`${tag}(\\d+)z`, 'g');
  return {
    code: replaced,
    placeholder: new RegExp(`${tag}\\d+z`),
    restore: (text) => text.replace(pattern, (_, i: string) => written[Number(i)] ?? _),
  };
}

/**
 * The verdict on a shell block; `sql` judges the SQL of `psql -c` (libpg-query must be loaded for it).
 * `runVariables` are the block's variables given by the run (Block.variables), which reach bash as one word.
 */
export function shellVerdict(
  original: string,
  sql: (code: string) => { readOnly: boolean; detail: string },
  runVariables: ReadonlySet<string> = new Set(),
): Verdict {
  const { code, placeholder, restore } = withPlaceholderWords(original);
  let parsed;
  try {
    parsed = parseShellSubset(code);
  } catch (error) {
    if (error instanceof ShellParseError) {
      return changes('shell-parse-error', `line ${error.line}: does not parse: ${restore(error.message.replace(/^\d+:\d+:\s*/, ''))}`);
    }
    if (!(error instanceof UnsupportedShell)) throw error;
    return changes('shell-unsupported-syntax', `line ${lineAt(code, error.offset)}: ${restore(error.message)}; not proven read-only`);
  }
  if (parsed.stmts.length === 0) return readOnly('shell-read-only', 'no commands');
  const walker = new Walker(code, placeholder, restore, sql, runVariables);
  const found = walker.list(parsed.stmts, new Map());
  if (found) return changes(found.code, `line ${lineAt(code, found.offset)}: ${restore(found.message)}`);
  const names = [...walker.commands];
  return readOnly('shell-read-only', names.length > 0 ? `runs only read-only commands: ${names.join(', ')}` : 'runs no command');
}
