// Reads a shell block bound to a postgres target as a list of `psql … -c "…"` invocations, so their SQL can
// run natively on the target's connection (with its TLS settings, its password source, its audit trail)
// instead of through a psql binary that may not be installed. Anything a shell would do beyond running
// psql with -c — pipes, redirections, globbing, variable expansion, other commands, psql reading a file or
// stdin — is refused: running it here would not mean what it means in bash.
import path from 'node:path';
import { parse } from 'shell-quote';
import { logicalLines } from '../../runbook/shell-lexer.js';

/** Connection settings written on a psql line; the bound target's own settings are used instead. */
export interface PsqlConnectionFlags {
  host?: string;
  port?: string;
  user?: string;
  database?: string;
}

export interface PsqlInvocation {
  /** 1-based line of the block where the invocation starts. */
  line: number;
  /** The -c/--command texts, in order. */
  commands: string[];
  flags: PsqlConnectionFlags;
}

export type PsqlLines = { ok: true; invocations: PsqlInvocation[] } | { ok: false; reason: string };

export const NOT_PSQL = 'this block is not psql commands; bind it to a shell target';

type ValueKind = 'command' | 'host' | 'port' | 'user' | 'database' | 'variable';

/** Options taking a value, as psql spells them. */
const SHORT_VALUE: Record<string, ValueKind> = { c: 'command', h: 'host', p: 'port', U: 'user', d: 'database', v: 'variable' };
const LONG_VALUE: Record<string, ValueKind> = {
  command: 'command', host: 'host', port: 'port', username: 'user', dbname: 'database', set: 'variable', variable: 'variable',
};

/** Options that change nothing when the SQL runs natively: rc files, prompts, output formatting. */
const SHORT_FLAGS = new Set(['X', 'q', 'w', 'A', 't']);
const LONG_FLAGS = new Set(['no-psqlrc', 'quiet', 'no-password', 'no-align', 'tuples-only']);

/** -v settings that only say what we do anyway: stop at the first error. */
const HARMLESS_VARIABLES = /^ON_ERROR_STOP=(1|on|true|yes)$/i;

type Token = ReturnType<typeof parse>[number] | { expansion: string };

function describeToken(token: Exclude<Token, string>): string {
  if ('expansion' in token) return `$${token.expansion} would be expanded by a shell`;
  if ('op' in token) return token.op === 'glob' ? `${token.pattern} would be expanded by a shell (quote it)` : `"${token.op}" is shell syntax`;
  return 'a comment';
}

function readInvocation(words: string[], line: number): PsqlInvocation | string {
  const invocation: PsqlInvocation = { line, commands: [], flags: {} };
  const positional: string[] = [];
  const take = (kind: ValueKind, value: string | undefined, spelled: string): string | null => {
    if (value === undefined) return `psql option ${spelled} needs a value`;
    if (kind === 'command') invocation.commands.push(value);
    else if (kind === 'variable') {
      if (!HARMLESS_VARIABLES.test(value)) return `psql variable ${value} (${spelled}) is not supported when psql lines run natively`;
    } else invocation.flags[kind] = value;
    return null;
  };
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--') {
      positional.push(...words.slice(i + 1));
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq === -1 ? undefined : eq);
      const kind = LONG_VALUE[name];
      if (kind) {
        const problem = take(kind, eq === -1 ? words[++i] : word.slice(eq + 1), `--${name}`);
        if (problem) return problem;
      } else if (!LONG_FLAGS.has(name) || eq !== -1) return `psql option --${name} is not supported when psql lines run natively`;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      // Short options bundle as getopt allows: -qAt, -Xc "SELECT 1", -cSELECT.
      for (let j = 1; j < word.length; j++) {
        const letter = word[j] as string;
        const kind = SHORT_VALUE[letter];
        if (kind) {
          const rest = word.slice(j + 1);
          const problem = take(kind, rest !== '' ? rest : words[++i], `-${letter}`);
          if (problem) return problem;
          break;
        }
        if (!SHORT_FLAGS.has(letter)) return `psql option -${letter} is not supported when psql lines run natively`;
      }
      continue;
    }
    positional.push(word);
  }
  // psql [OPTION]… [DBNAME [USERNAME]]
  if (positional.length > 2) return `psql takes at most a database and a user name, not "${positional.slice(2).join(' ')}"`;
  if (positional[0] !== undefined) invocation.flags.database ??= positional[0];
  if (positional[1] !== undefined) invocation.flags.user ??= positional[1];
  if (invocation.commands.length === 0) return 'psql without -c/--command would read its commands from a terminal or stdin';
  return invocation;
}

/** The psql invocations of a shell block, or why the block is not (only) psql -c lines. */
export function parsePsqlLines(code: string): PsqlLines {
  const invocations: PsqlInvocation[] = [];
  for (const logical of logicalLines(code)) {
    // An env callback that records expansions instead of replacing them with "" as shell-quote would.
    const tokens: Token[] = parse(logical.text, (name: string) => ({ expansion: name }));
    const words: string[] = [];
    for (const token of tokens) {
      if (typeof token === 'string') words.push(token);
      else if ('comment' in token) break;
      else return { ok: false, reason: `${NOT_PSQL} (line ${logical.line}: ${describeToken(token)})` };
    }
    if (words.length === 0) continue;
    if (path.basename(words[0] as string) !== 'psql') {
      return { ok: false, reason: `${NOT_PSQL} (line ${logical.line} runs ${JSON.stringify(words[0])})` };
    }
    const invocation = readInvocation(words, logical.line);
    if (typeof invocation === 'string') return { ok: false, reason: `${NOT_PSQL} (line ${logical.line}: ${invocation})` };
    invocations.push(invocation);
  }
  if (invocations.length === 0) return { ok: false, reason: `${NOT_PSQL} (it has no psql line)` };
  return { ok: true, invocations };
}
