// Puts variable values into a block's code so that they are data, never code: SQL gets bind parameters;
// manifests and PromQL get the text. Shell blocks are prepared by shell-values.ts (values only in the
// environment, or whole argv words for kubectl lines), with a real bash parser deciding where each stands.

const DOLLAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*)>/g;

/** Values by name; placeholders are looked up as "<NAME>" first, then "NAME". */
export type VariableValues = ReadonlyMap<string, string>;

function placeholderValue(values: VariableValues, name: string): string | undefined {
  return values.get(`<${name}>`) ?? values.get(name);
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
