// kubectl's flag syntax (pflag): --name=value, --name value, -n value, -nvalue, -n=value, bundled boolean
// shorthands (-fA), flags anywhere among the arguments, `--` ending the flags. Each command says which
// flags it understands; anything else is reported as unknown so the line can go to the kubectl binary.
import { UsageError } from './errors.js';

export interface FlagSpec {
  /** Flags taking a value: spelling without dashes → canonical name. */
  values?: Record<string, string>;
  /** Boolean flags: spelling without dashes → canonical name. */
  booleans?: Record<string, string>;
}

export interface ParsedArgs {
  positionals: string[];
  /** Index in the parsed words of each positional (to tell which were unquoted globs). */
  positionalIndex: number[];
  /** Every value given, in order: a flag may repeat (-f a.yaml -f b.yaml). */
  values: Map<string, string[]>;
  booleans: Map<string, boolean>;
  /** Flags the spec does not know, as written. */
  unknown: string[];
}

/** kubectl's connection flags: recognised everywhere, so that a line cannot point itself elsewhere unnoticed. */
export const GLOBAL_FLAGS: FlagSpec = {
  values: {
    n: 'namespace',
    namespace: 'namespace',
    context: 'context',
    kubeconfig: 'kubeconfig',
    cluster: 'cluster',
    user: 'user',
    s: 'server',
    server: 'server',
    token: 'token',
    as: 'as',
    'as-group': 'as-group',
    username: 'username',
    password: 'password',
    'certificate-authority': 'certificate-authority',
    'client-certificate': 'client-certificate',
    'client-key': 'client-key',
    'tls-server-name': 'tls-server-name',
    'request-timeout': 'request-timeout',
    v: 'v',
  },
  booleans: { 'insecure-skip-tls-verify': 'insecure-skip-tls-verify' },
};

export function withGlobals(spec: FlagSpec): FlagSpec {
  return { values: { ...GLOBAL_FLAGS.values, ...spec.values }, booleans: { ...GLOBAL_FLAGS.booleans, ...spec.booleans } };
}

function parseBool(flag: string, text: string): boolean {
  if (/^(true|t|1)$/i.test(text)) return true;
  if (/^(false|f|0)$/i.test(text)) return false;
  throw new UsageError(`invalid argument "${text}" for "${flag}": not a boolean`);
}

export function parseArgs(words: readonly string[], spec: FlagSpec): ParsedArgs {
  const values = spec.values ?? {};
  const booleans = spec.booleans ?? {};
  const parsed: ParsedArgs = { positionals: [], positionalIndex: [], values: new Map(), booleans: new Map(), unknown: [] };
  const setValue = (name: string, value: string) => parsed.values.set(name, [...(parsed.values.get(name) ?? []), value]);
  const positional = (word: string, index: number) => {
    parsed.positionals.push(word);
    parsed.positionalIndex.push(index);
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--') {
      for (let j = i + 1; j < words.length; j++) positional(words[j] as string, j);
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq === -1 ? undefined : eq);
      const inline = eq === -1 ? undefined : word.slice(eq + 1);
      if (Object.hasOwn(values, name)) {
        const value = inline ?? words[++i];
        if (value === undefined) throw new UsageError(`flag needs an argument: --${name}`);
        setValue(values[name] as string, value);
      } else if (Object.hasOwn(booleans, name)) {
        parsed.booleans.set(booleans[name] as string, inline === undefined ? true : parseBool(`--${name}`, inline));
      } else parsed.unknown.push(word);
      continue;
    }
    if (word.startsWith('-') && word.length > 1 && !/^-\d/.test(word)) {
      for (let j = 1; j < word.length; j++) {
        const letter = word[j] as string;
        if (Object.hasOwn(values, letter)) {
          const rest = word.slice(j + 1).replace(/^=/, '');
          const value = rest !== '' ? rest : words[++i];
          if (value === undefined) throw new UsageError(`flag needs an argument: -${letter}`);
          setValue(values[letter] as string, value);
          break;
        }
        if (Object.hasOwn(booleans, letter)) {
          if (word[j + 1] === '=') {
            parsed.booleans.set(booleans[letter] as string, parseBool(`-${letter}`, word.slice(j + 2)));
            break;
          }
          parsed.booleans.set(booleans[letter] as string, true);
          continue;
        }
        parsed.unknown.push(word);
        break;
      }
      continue;
    }
    positional(word, i);
  }
  return parsed;
}

/** The last value given for a flag. */
export function lastValue(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.at(-1);
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.booleans.get(name) ?? false;
}
