// Variables a block needs from the operator: $VAR, ${VAR} and <PLACEHOLDER>, less what the block sets itself.
import type { Action } from '../../shared/runbook-model.js';
import { contextAt, shellRuns } from './shell-lexer.js';

const DOLLAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:#%/^,@][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
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

/** Names the shell code assigns before or while using them: NAME=, export/local/readonly NAME, for NAME in, read NAME. */
function assignedInShell(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/(?:^|[;&|({\s])(?:export\s+|local\s+|readonly\s+|declare(?:\s+-\w+)*\s+)?([A-Za-z_][A-Za-z0-9_]*)=/g)) {
    names.add(m[1] as string);
  }
  for (const m of code.matchAll(/\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b/g)) names.add(m[1] as string);
  for (const m of code.matchAll(/\bread\s+(?:-\w+\s+(?:\S+\s+)?)*((?:[A-Za-z_][A-Za-z0-9_]*\s*)+)/g)) {
    for (const n of (m[1] as string).trim().split(/\s+/)) names.add(n);
  }
  return names;
}

/** Variables the block references and does not set itself, in order of first use. */
export function variablesIn(code: string, action: Action): string[] {
  if (action === 'display') return [];
  const found: string[] = [];
  const add = (name: string) => {
    if (!found.includes(name)) found.push(name);
  };
  const assigned = action === 'shell' ? assignedInShell(code) : new Set<string>();
  // In shell, '$X' in single quotes and anything in comments is never expanded.
  const runs = action === 'shell' ? shellRuns(code) : [];
  const expanded = (offset: number, placeholder: boolean) => {
    if (action !== 'shell') return true;
    const context = contextAt(runs, offset);
    return context !== 'comment' && (placeholder || context !== 'single');
  };
  for (const m of code.matchAll(DOLLAR)) {
    const name = (m[1] ?? m[2]) as string;
    if (ENVIRONMENT.has(name) || assigned.has(name) || !expanded(m.index, false)) continue;
    // In SQL "$1" is a bind parameter (not matched), and "$body$" quoting is not a variable.
    if (action === 'sql' && /^\$[A-Za-z_]\w*\$/.test(code.slice(m.index))) continue;
    add(name);
  }
  for (const m of code.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    if (NOT_PLACEHOLDERS.has(name) || NOT_PLACEHOLDERS.has(name.toLowerCase()) || !expanded(m.index, true)) continue;
    // "a <b" comparisons have spaces; a redirection "<file>" would need a closing ">" right after: rare enough.
    add(`<${name}>`);
  }
  return found;
}
