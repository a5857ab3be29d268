// Puts variable values into manifests and PromQL, whose APIs parse them as data. Shell blocks are prepared
// by shell-values.ts (values only in the environment, or whole argv words for kubectl lines) and SQL by
// sql-values.ts (bind parameters and escaped identifiers, decided by PostgreSQL's grammar).
//
// One pass, left to right, so a value is never read again as a reference. `<NAME>`, `$NAME` and `${NAME}`
// become the value; the POSIX defaults mean what they mean in a shell: `${NAME:-x}` / `${NAME:=x}` the value
// when it is set and not empty, else x (`${NAME-x}` / `${NAME=x}`: when it is set); `${NAME:+x}` x when it is
// set and not empty, else nothing (`${NAME+x}`: when set); `${NAME:?m}` / `${NAME?m}` the value. Without a
// value a reference is left as written — except that PromQL, which never holds `${`, takes the defaults
// (a manifest may carry a script whose `${NAME:-x}` is the script's own). Other forms — ${#NAME},
// ${NAME%x}, ${NAME/x/y}, ${NAME:1:2}, ${NAME^^}, ${!NAME}, a subscript — are a shell's string operations:
// a block where such a form names a variable with a value is refused ('parameter-expansion').

/** <NAME> (letters, digits, and `_` or `-` between them): where a run variable's value goes in any block. */
export const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*)>/g;

/** Values by name; placeholders are looked up as "<NAME>" first, then "NAME". */
export type VariableValues = ReadonlyMap<string, string>;

export interface TextProblem {
  variable: string;
  /** 1-based line within the block. */
  line: number;
  code: 'parameter-expansion';
  message: string;
}

function placeholderValue(values: VariableValues, name: string): string | undefined {
  return values.get(`<${name}>`) ?? values.get(name);
}

/** The `}` that closes the `${` at `open` (nested `${…}` counted), or -1. */
function closing(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '$' && code[i + 1] === '{') {
      depth++;
      i++;
    } else if (code[i] === '}' && --depth === 0) return i;
    else if (code[i] === '\n') return -1;
  }
  return -1;
}

const DEFAULT_FORM = /^([A-Za-z_][A-Za-z0-9_]*)(:?[-=+?])([\s\S]*)$/;
const PLAIN_FORM = /^([A-Za-z_][A-Za-z0-9_]*)$/;
const ANY_NAME = /^[#!]?([A-Za-z_][A-Za-z0-9_]*)/;
const LINE_PLACEHOLDER = new RegExp(`^${PLACEHOLDER.source}`);

/** Substitutes values into manifest or PromQL text; `defaults` applies ${NAME:-x} … when NAME has no value. */
export function substituteChecked(code: string, values: VariableValues, options: { defaults?: boolean } = {}): { code: string; problems: TextProblem[] } {
  const problems: TextProblem[] = [];
  const lineOf = (offset: number) => code.slice(0, offset).split('\n').length;
  const expand = (from: number, to: number): string => {
    let out = '';
    let i = from;
    while (i < to) {
      const ch = code[i] as string;
      if (ch === '<') {
        const m = LINE_PLACEHOLDER.exec(code.slice(i, Math.min(to, i + 200)));
        const value = m ? placeholderValue(values, m[1] as string) : undefined;
        if (m && value !== undefined) {
          out += value;
          i += m[0].length;
          continue;
        }
      } else if (ch === '$' && code[i + 1] === '{') {
        const end = closing(code, i);
        if (end > 0 && end < to) {
          out += braced(i, end);
          i = end + 1;
          continue;
        }
      } else if (ch === '$') {
        const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(code.slice(i + 1, i + 200))?.[0];
        if (name) {
          const value = values.get(name);
          out += value ?? `$${name}`;
          i += 1 + name.length;
          continue;
        }
      }
      out += ch;
      i++;
    }
    return out;
  };
  const braced = (start: number, end: number): string => {
    const inner = code.slice(start + 2, end);
    const written = code.slice(start, end + 1);
    const plain = PLAIN_FORM.exec(inner);
    if (plain) return values.get(plain[1] as string) ?? written;
    const form = DEFAULT_FORM.exec(inner);
    if (form) {
      const name = form[1] as string;
      const op = form[2] as string;
      const value = values.get(name);
      if (value === undefined && !options.defaults) return written;
      const set = value !== undefined && (op.startsWith(':') ? value !== '' : true);
      const word = () => expand(start + 2 + name.length + op.length, end);
      switch (op.replace(':', '')) {
        case '-':
        case '=':
          return set ? (value as string) : word();
        case '+':
          return set ? word() : '';
        default: // ? : the run has refused a missing value already; without one the text stays.
          return set ? (value as string) : written;
      }
    }
    const name = ANY_NAME.exec(inner)?.[1];
    if (name && values.has(name)) {
      problems.push({ variable: name, line: lineOf(start), code: 'parameter-expansion', message: `${written}: a shell string operation, which this block cannot apply to a value; use $${name}, \${${name}} or \${${name}:-default}` });
    }
    return written;
  };
  const out = expand(0, code.length);
  return { code: problems.length > 0 ? code : out, problems };
}

/** Plain text substitution for YAML manifests and PromQL: values are written as they are. */
export function substituteText(code: string, values: VariableValues): string {
  return substituteChecked(code, values).code;
}
