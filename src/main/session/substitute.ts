// Puts variable values into a block's code so that they are data, never code:
// shell text gets values quoted for the context they stand in; SQL gets bind parameters.
import { quote } from 'shell-quote';
import { contextAt, shellRuns } from '../runbook/shell-lexer.js';

const DOLLAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*)>/g;

/** Values by name; placeholders are looked up as "<NAME>" first, then "NAME". */
export type VariableValues = ReadonlyMap<string, string>;

function placeholderValue(values: VariableValues, name: string): string | undefined {
  return values.get(`<${name}>`) ?? values.get(name);
}

function quoteFor(context: 'bare' | 'single' | 'double', value: string): string {
  if (context === 'single') return value.replace(/'/g, `'\\''`);
  if (context === 'double') return value.replace(/[\\"$`]/g, (c) => `\\${c}`);
  return value === '' ? "''" : quote([value]);
}

export interface ShellSubstitution {
  code: string;
  /** Variables handed to the shell's environment: bash expands $VAR itself, so the code runs as written. */
  env: Record<string, string>;
}

/**
 * For a shell that expands variables itself (local bash, ssh): $VAR and ${VAR} go to the environment,
 * <PLACEHOLDER> is replaced by the value quoted for where it stands. With `inline`, $VAR is replaced too
 * (for kubectl and psql lines that run without a shell).
 */
export function substituteShell(code: string, values: VariableValues, options: { inline?: boolean } = {}): ShellSubstitution {
  const runs = shellRuns(code);
  const env: Record<string, string> = {};
  const replacements: { start: number; end: number; text: string }[] = [];
  for (const m of code.matchAll(PLACEHOLDER)) {
    const value = placeholderValue(values, m[1] as string);
    const context = contextAt(runs, m.index);
    if (value === undefined || context === 'comment') continue;
    replacements.push({ start: m.index, end: m.index + m[0].length, text: quoteFor(context, value) });
  }
  for (const m of code.matchAll(DOLLAR)) {
    const name = (m[1] ?? m[2]) as string;
    const value = values.get(name);
    if (value === undefined) continue;
    const context = contextAt(runs, m.index);
    if (context === 'comment' || context === 'single') continue;
    if (options.inline) replacements.push({ start: m.index, end: m.index + m[0].length, text: quoteFor(context, value) });
    else env[name] = value;
  }
  replacements.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const r of replacements) {
    if (r.start < at) continue;
    out += code.slice(at, r.start) + r.text;
    at = r.end;
  }
  return { code: out + code.slice(at), env };
}

/**
 * SQL: a variable standing as a value becomes a bind parameter ($1, $2 …); inside a '…' literal it is
 * written as literal text with quotes doubled. Names never become SQL syntax.
 */
export function substituteSql(code: string, values: VariableValues): { code: string; params: string[] } {
  const params: string[] = [];
  const paramIndex = new Map<string, number>();
  let out = '';
  let i = 0;
  const token = new RegExp(`${DOLLAR.source}|${PLACEHOLDER.source}`, 'y');
  while (i < code.length) {
    const ch = code[i] as string;
    if (ch === "'") {
      // A string literal: copy it, replacing variables inside with escaped text.
      let j = i + 1;
      while (j < code.length && !(code[j] === "'" && code[j + 1] !== "'")) j += code[j] === "'" ? 2 : 1;
      const literal = code.slice(i, j + 1).replace(new RegExp(`${DOLLAR.source}|${PLACEHOLDER.source}`, 'g'), (m, a, b, c) => {
        const value = c !== undefined ? placeholderValue(values, c) : values.get(a ?? b);
        return value === undefined ? m : value.replace(/'/g, "''");
      });
      out += literal;
      i = j + 1;
      continue;
    }
    if (ch === '-' && code[i + 1] === '-') {
      const end = code.indexOf('\n', i);
      const stop = end === -1 ? code.length : end;
      out += code.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === '$' && /[A-Za-z_$]/.test(code[i + 1] ?? '')) {
      // $tag$ … $tag$ dollar quoting is SQL syntax, not a variable.
      const dq = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(code.slice(i));
      if (dq) {
        const close = code.indexOf(dq[0], i + dq[0].length);
        const stop = close === -1 ? code.length : close + dq[0].length;
        out += code.slice(i, stop);
        i = stop;
        continue;
      }
    }
    token.lastIndex = i;
    const m = token.exec(code);
    if (m) {
      const name = m[3] !== undefined ? m[3] : ((m[1] ?? m[2]) as string);
      const value = m[3] !== undefined ? placeholderValue(values, name) : values.get(name);
      if (value !== undefined) {
        const key = m[3] !== undefined ? `<${name}>` : name;
        let n = paramIndex.get(key);
        if (n === undefined) {
          params.push(value);
          n = params.length;
          paramIndex.set(key, n);
        }
        out += `$${n}`;
        i += m[0].length;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return { code: out, params };
}

/** Plain text substitution for YAML manifests and PromQL: values are written as they are. */
export function substituteText(code: string, values: VariableValues): string {
  return code
    .replace(PLACEHOLDER, (m, name: string) => placeholderValue(values, name) ?? m)
    .replace(DOLLAR, (m, a: string | undefined, b: string | undefined) => values.get((a ?? b) as string) ?? m);
}
