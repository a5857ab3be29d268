// `--var` values. A secret never needs the command line, where other users see it (ps, /proc) and the
// shell keeps it (history): NAME=@FILE reads a file, NAME=- reads standard input. A secret-looking
// variable given as a plain NAME=VALUE still works but draws a warning (which never shows the value).
import { hasSecretName } from '../main/session/variables.js';

export interface VarIo {
  readFile(path: string): Promise<string>;
  /** All of standard input; called at most once. */
  readStdin(): Promise<string>;
}

export interface VarValues {
  values: Map<string, string>;
  warnings: string[];
}

/** As front matter names variables (a placeholder's `<name>` may be given as `name`). */
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A file or stdin holding a value usually ends with one newline the value does not. */
function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/**
 * Reads `--var` options: NAME=VALUE, NAME=@FILE (the file's contents, one trailing newline stripped),
 * NAME=- (standard input, likewise; only one --var may read it) and NAME=@@TEXT for a value that starts
 * with "@". Throws on a malformed option, a name given twice, or a file that cannot be read.
 */
export async function readVarOptions(pairs: readonly string[], io: VarIo, options: { isSecret?: (name: string) => boolean } = {}): Promise<VarValues> {
  // Without a runbook to say otherwise, a name is secret when it looks like one.
  const isSecret = options.isSecret ?? hasSecretName;
  const values = new Map<string, string>();
  const warnings: string[] = [];
  let stdinBy: string | null = null;
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (eq < 0 || !NAME.test(name)) {
      throw new Error(`--var ${eq < 0 ? pair : `${name}=…`}: expected NAME=VALUE, NAME=@FILE or NAME=- (NAME: letters, digits, _ and -, not starting with a digit)`);
    }
    if (values.has(name)) throw new Error(`--var ${name}: given more than once`);
    const given = pair.slice(eq + 1);
    let value: string;
    if (given === '-') {
      if (stdinBy !== null) throw new Error(`--var ${name}=-: standard input is already read for ${stdinBy}; give this one with NAME=@FILE`);
      stdinBy = name;
      value = withoutFinalNewline(await io.readStdin());
    } else if (given.startsWith('@@')) {
      value = given.slice(1);
      if (isSecret(name)) warnings.push(plainSecretWarning(name));
    } else if (given.startsWith('@')) {
      const file = given.slice(1);
      if (!file) throw new Error(`--var ${name}=@: name the file to read the value from (NAME=@FILE)`);
      try {
        value = withoutFinalNewline(await io.readFile(file));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(`--var ${name}=@${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message}`);
      }
    } else {
      value = given;
      if (isSecret(name)) warnings.push(plainSecretWarning(name));
    }
    values.set(name, value);
  }
  return { values, warnings };
}

function plainSecretWarning(name: string): string {
  return `--var ${name}: a secret on the command line is visible to other users of this machine (ps) and kept in your shell history; give it as ${name}=@FILE or ${name}=- (standard input) instead`;
}
