// Variables a block needs from the operator: $VAR, ${VAR…} in every POSIX form, and <PLACEHOLDER>, less
// what the block sets itself. A variable whose every use gives a default or only tests it —
// ${VAR-x} ${VAR:-x} ${VAR=x} ${VAR:=x} ${VAR+x} ${VAR:+x} — is optional: the run passes a value when it has
// one and otherwise leaves the code's own default to apply. Every other use needs a value: $VAR, ${VAR},
// ${VAR?} and ${VAR:?msg} (which fail without one), ${#VAR}, ${VAR#…} ${VAR%…} ${VAR/…} ${VAR:1:2}
// ${VAR^^} ${VAR@Q} …, and ${!VAR}. SQL has no such defaults: there every form needs a value (and the run
// refuses a value where SQL cannot take it).
import type { Action } from '../../shared/runbook-model.js';
import { type ShellRun, shellRuns } from './shell-lexer.js';

const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*)>/g;

// Set by the shell or the login environment; an operator is never asked for them.
const ENVIRONMENT = new Set([
  'HOME', 'PATH', 'USER', 'LOGNAME', 'PWD', 'OLDPWD', 'SHELL', 'HOSTNAME', 'RANDOM', 'LINENO', 'SECONDS', 'UID',
  'EUID', 'PPID', 'IFS', 'TMPDIR', 'LANG', 'TERM', 'BASH_SOURCE', 'BASH_VERSION', 'FUNCNAME', 'PIPESTATUS', 'REPLY',
  'OPTARG', 'OPTIND', 'EDITOR', 'PS1', 'PS4', 'SHLVL', 'HOSTTYPE', 'OSTYPE',
]);

// Names that look like placeholders but are HTML tags or generic type parameters in prose-like code.
const NOT_PLACEHOLDERS = new Set([
  'a', 'b', 'i', 'p', 'br', 'hr', 'div', 'span', 'img', 'pre', 'code', 'html', 'head', 'body', 'title', 'script',
  'style', 'table', 'tr', 'td', 'th', 'ul', 'ol', 'li', 'details', 'summary', 'em', 'strong', 'sup', 'sub', 'T', 'K', 'V',
  'EOF', 'stdin', 'stdout', 'stderr',
]);

/** Operators of ${NAME<op>word} that give a default or test whether NAME is set: NAME may stay unset. */
const DEFAULTING = new Set(['-', ':-', '=', ':=', '+', ':+']);
/** Operators whose word is expanded only when NAME is unset, null or set (so names in it are optional). */
const CONDITIONAL_WORD = new Set(['-', ':-', '=', ':=', '+', ':+', '?', ':?']);

/** One use of a variable in the code. */
export interface DollarUse {
  name: string;
  /** Offset of its `$`. */
  index: number;
  /** `${…}` with an operator: `:-`, `#`, `%%`, `/`, `@`, `:` (substring) …; `length` for ${#NAME}, `indirect` for ${!NAME}; '' for $NAME and ${NAME}. */
  op: string;
  /** The use gives a default or only tests the name (${NAME:-x} …), or sits in such a use's word. */
  optional: boolean;
}

/**
 * For each `${` (by the offset of its `$`), the offset of the `}` that closes it, in one pass with a stack:
 * nested `${…}` counted, escapes skipped, and in shell a single-quoted string inside a `${…}` word skipped.
 * An unclosed `${` has no entry. (A `}` inside double quotes in a word closes early: rare, and then the
 * name is still found, only the word is cut short.)
 */
function braceMatches(code: string, shell: boolean): Map<number, number> {
  const matches = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '\\' && shell) i++;
    else if (ch === '$' && code[i + 1] === '{') {
      open.push(i);
      i++;
    } else if (ch === "'" && shell && open.length > 0) {
      const end = code.indexOf("'", i + 1);
      if (end > 0) i = end;
    } else if (ch === '}' && open.length > 0) matches.set(open.pop() as number, i);
    else if (ch === '\n' && !shell) open.length = 0;
  }
  return matches;
}

const OPERATOR = /^(?::[-=?+]|[-=?+]|##?|%%?|\/[/#%]?|\^\^?|,,?|@[A-Za-z]|:)/;

/**
 * Every `$NAME` and `${…}` use in `code[from, to)`, in order, with nested uses in operator words.
 * Escaped dollars (`\$X`, shell only) are skipped; whether a use is in quotes or a comment is the caller's.
 */
export function dollarUses(code: string, shell: boolean, from = 0, to = code.length, inConditional = false, out: DollarUse[] = [], braces = braceMatches(code, shell)): DollarUse[] {
  for (let i = from; i < to; i++) {
    const ch = code[i];
    if (ch === '\\' && shell) {
      i++;
      continue;
    }
    if (ch !== '$') continue;
    const next = code[i + 1];
    if (next === '$') {
      i++; // $$ is the shell's process id
      continue;
    }
    if (next === '{') {
      const end = braces.get(i) ?? -1;
      if (end < 0 || end > to) continue;
      const inner = code.slice(i + 2, end);
      const m = /^([#!]?)([A-Za-z_][A-Za-z0-9_]*)/.exec(inner);
      if (!m || (m[1] === '#' && inner === '#') || (m[1] === '!' && /^[*@]$/.test(inner.slice(m[0].length)))) {
        // ${1:-x}, ${#}, ${@}, ${!prefix*}: not a variable, but names in the word still count.
        dollarUses(code, shell, i + 2, end, true, out, braces);
        i = end;
        continue;
      }
      let rest = m[0].length;
      if (inner[rest] === '[') {
        const close = inner.indexOf(']', rest);
        rest = close < 0 ? inner.length : close + 1;
      }
      const operator = m[1] === '#' ? 'length' : m[1] === '!' ? 'indirect' : (OPERATOR.exec(inner.slice(rest))?.[0] ?? '');
      const opLength = m[1] ? 0 : operator.length;
      out.push({ name: m[2] as string, index: i, op: operator, optional: inConditional || DEFAULTING.has(operator) });
      const wordStart = i + 2 + rest + opLength;
      if (wordStart < end) dollarUses(code, shell, wordStart, end, inConditional || CONDITIONAL_WORD.has(operator), out, braces);
      i = end;
      continue;
    }
    const name = next !== undefined && /[A-Za-z_]/.test(next) ? /^[A-Za-z_][A-Za-z0-9_]*/.exec(code.slice(i + 1, i + 65))?.[0] : undefined;
    if (name) {
      out.push({ name, index: i, op: '', optional: inConditional });
      i += name.length;
    }
  }
  return out;
}

/** Names the shell code assigns before or while using them: NAME=, export/local/readonly NAME, for NAME in, read NAME. */
function assignedInShell(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/(?:^|[;&|(\s]|(?<!\$)\{)(?:export\s+|local\s+|readonly\s+|declare(?:\s+-\w+)*\s+)?([A-Za-z_][A-Za-z0-9_]*)=/g)) {
    names.add(m[1] as string); // not ${NAME=x}: that gives a default (an optional variable)
  }
  for (const m of code.matchAll(/\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b/g)) names.add(m[1] as string);
  for (const m of code.matchAll(/\bread\s+(?:-\w+\s+(?:\S+\s+)?)*((?:[A-Za-z_][A-Za-z0-9_]*\s*)+)/g)) {
    for (const n of (m[1] as string).trim().split(/\s+/)) names.add(n);
  }
  return names;
}

/** The context of an offset, by binary search over the runs (which cover the text in order). */
function contextOf(runs: readonly ShellRun[], offset: number): ShellRun['context'] {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const run = runs[mid] as ShellRun;
    if (offset < run.start) hi = mid - 1;
    else if (offset >= run.end) lo = mid + 1;
    else return run.context;
  }
  return 'bare';
}

export interface BlockVariables {
  /** Values the run must have, in order of first use. */
  required: string[];
  /** Values the run passes when it has them; the code supplies a default otherwise. */
  optional: string[];
}

/** Variables the block references and does not set itself, in order of first use. */
export function blockVariables(code: string, action: Action): BlockVariables {
  if (action === 'display') return { required: [], optional: [] };
  const shell = action === 'shell';
  const order: string[] = [];
  const required = new Set<string>();
  const seen = (name: string, isRequired: boolean) => {
    if (!order.includes(name)) order.push(name);
    if (isRequired) required.add(name);
  };
  const assigned = shell ? assignedInShell(code) : new Set<string>();
  // In shell, '$X' in single quotes and anything in comments is never expanded.
  const runs = shell ? shellRuns(code) : [];
  const expanded = (offset: number, placeholder: boolean) => {
    if (!shell) return true;
    const context = contextOf(runs, offset);
    return context !== 'comment' && (placeholder || context !== 'single');
  };
  const uses = dollarUses(code, shell);
  // ${NAME:=x} / ${NAME=x} give NAME a default in the block itself: no use of NAME then needs a value.
  const defaulted = new Set(shell || action === 'promql' || action === 'k8s-manifest' ? uses.filter((u) => u.op === '=' || u.op === ':=').map((u) => u.name) : []);
  for (const use of uses) {
    if (ENVIRONMENT.has(use.name) || assigned.has(use.name) || !expanded(use.index, false)) continue;
    // In SQL "$1" is a bind parameter (not matched), and "$body$" quoting is not a variable.
    if (action === 'sql' && /^\$[A-Za-z_]\w*\$/.test(code.slice(use.index))) continue;
    seen(use.name, action === 'sql' || (!use.optional && !defaulted.has(use.name)));
  }
  for (const m of code.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    if (NOT_PLACEHOLDERS.has(name) || NOT_PLACEHOLDERS.has(name.toLowerCase()) || !expanded(m.index, true)) continue;
    // "a <b" comparisons have spaces; a redirection "<file>" would need a closing ">" right after: rare enough.
    seen(`<${name}>`, true);
  }
  return { required: order.filter((n) => required.has(n)), optional: order.filter((n) => !required.has(n)) };
}

/** Variables the block needs a value for, in order of first use (Block.variables). */
export function variablesIn(code: string, action: Action): string[] {
  return blockVariables(code, action).required;
}

/** Variables the block uses only with a default or a test (Block.optionalVariables). */
export function optionalVariablesIn(code: string, action: Action): string[] {
  return blockVariables(code, action).optional;
}
