// Which commands a read-only shell block may run, and with which arguments. Every command not listed
// here may change state; so may every option a checker does not know (GNU tools also accept abbreviated
// long options, so only exact names pass). An argument whose text comes from a variable at run time is
// judged by what it could be: "one" word of unknown text, or "many" words (an unquoted expansion can
// split into several, e.g. extra options).

export interface Arg {
  /** The text, when known. */
  text: string | null;
  dynamic: 'one' | 'many' | null;
  /** Known text before the first expansion (all of it when known). */
  prefix: string;
  /** As written, for messages. */
  source: string;
  /**
   * A dynamic word whose unknown text the block makes (a command substitution, $'…' escapes, a variable the
   * block set, a glob …): it can be anything, an option included. Unset: it comes from outside the block
   * (the environment, a run variable or placeholder, whose values are checked when the run gives them).
   */
  computed?: boolean;
  /** For "many": every word it becomes starts with `prefix` (a glob or brace expansion). */
  allStartWithPrefix?: boolean;
}

/** A word whose text is known: all of it is its prefix. */
export const knownArg = (text: string, source: string): Arg => ({ text, dynamic: null, prefix: text, source });

export type CommandProblemCode = 'shell-command-not-allowed' | 'shell-arguments-not-read-only';

export interface CommandProblem {
  code: CommandProblemCode;
  message: string;
}

export interface CommandContext {
  /** Judges another command line (for wrappers such as timeout). */
  check(name: string, args: Arg[]): CommandProblem | null;
  /** Whether SQL text is proven read-only, with the reason. */
  sql(code: string): { readOnly: boolean; detail: string };
  /** What the command reads on its standard input when a here-document or here-string gives it. */
  stdin: Arg | null;
}

const notAllowed = (message: string): CommandProblem => ({ code: 'shell-command-not-allowed', message });
const argsProblem = (message: string): CommandProblem => ({ code: 'shell-arguments-not-read-only', message });

/** Commands that only read, whatever their arguments (none of their options writes or runs anything). */
const READ_ONLY_ANY_ARGUMENTS: ReadonlySet<string> = new Set([
  'ls', 'cat', 'grep', 'egrep', 'fgrep', 'zgrep', 'zcat', 'bzcat', 'xzcat', 'head', 'tail', 'wc', 'df', 'du', 'ps', 'uname',
  'id', 'whoami', 'groups', 'echo', 'true', 'false', ':', 'jq', 'dig', 'nslookup', 'host', 'pwd', 'uptime',
  'free', 'nproc', 'arch', 'lscpu', 'lsblk', 'lsof', 'netstat', 'stat', 'readlink', 'realpath', 'basename', 'dirname',
  'md5sum', 'sha1sum', 'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'b2sum', 'cksum', 'cut', 'tr', 'nl', 'tac',
  'rev', 'fold', 'expand', 'unexpand', 'paste', 'join', 'comm', 'column', 'diff', 'cmp', 'strings', 'od', 'hexdump',
  'base64', 'base32', 'getent', 'locale', 'sleep', 'seq', 'printenv', 'w', 'who', 'last', 'pgrep', 'pidof', 'vmstat',
  'iostat', 'mpstat', 'findmnt', 'pg_isready', 'ping', 'ping6', 'which', 'whereis', 'type', 'tty', 'getconf', 'logname',
  'users', 'cd', 'pushd', 'popd', 'dirs', 'exit',
]);

/** Why some common commands are refused, for the message. */
const REFUSED: Record<string, string> = {
  sudo: 'runs a command as another user', doas: 'runs a command as another user', su: 'runs a shell as another user',
  env: 'runs a command with a changed environment', xargs: 'runs commands built from its input',
  eval: 'runs text as shell code', source: 'runs a file as shell code', '.': 'runs a file as shell code',
  exec: 'replaces the shell or redirects all its output', sh: 'runs shell code', bash: 'runs shell code', zsh: 'runs shell code',
  ssh: 'runs a command on another host', watch: 'runs its arguments as shell code', nohup: 'writes nohup.out',
  tee: 'writes files', rm: 'removes files', mv: 'moves files', cp: 'writes files', touch: 'writes files', mkdir: 'creates directories',
  chmod: 'changes permissions', chown: 'changes owners', kill: 'signals processes', pkill: 'signals processes', killall: 'signals processes',
  sed: 'can write files (-i, w)', awk: 'can write files and run commands', tar: 'can write files', trap: 'runs text as shell code',
  declare: 'can give variables attributes that evaluate their values', typeset: 'can give variables attributes that evaluate their values',
  local: 'is only for functions', let: 'evaluates arithmetic on variable values', unset: 'changes the shell environment',
  alias: 'changes what commands mean', shopt: 'changes how the shell parses', builtin: 'runs a builtin by name',
  mapfile: 'assigns array variables', readarray: 'assigns array variables', getopts: 'assigns shell variables',
};

// ── options ──────────────────────────────────────────────────────────────────────────────────────────

interface OptionSpec {
  shortFlags?: string;
  shortValues?: string;
  /** Short options whose value may only be glued (-Iseconds): a following word is never theirs (getopt's "I::"). */
  shortOptional?: string;
  /**
   * Short options with a glued value that also take a following plain number (journalctl's -n and -b look at
   * the next word themselves).
   */
  shortOptionalNumber?: string;
  longFlags?: readonly string[];
  longValues?: readonly string[];
  longOptional?: readonly string[];
  /** "-o" or "--output" → why it is refused. */
  deny?: Readonly<Record<string, string>>;
  /** Go's pflag: "-n=value", "--flag=true". */
  pflag?: boolean;
  /** Stop at the first positional (the rest is another command's). */
  stopAtPositional?: boolean;
  /** Read only the first argument (and its value); `consumed` says how many that took. */
  single?: boolean;
}

interface ParsedOptions {
  options: { name: string; value: Arg | null }[];
  positionals: Arg[];
  /** With stopAtPositional: the arguments from the first positional on. */
  rest: Arg[];
  /** How many arguments were read. */
  consumed: number;
}

const isProblem = (x: unknown): x is CommandProblem => typeof x === 'object' && x !== null && 'code' in x;

/** A dynamic word that cannot be an option: its known start is not "-". */
const surelyPositional = (arg: Arg) => arg.dynamic === 'one' && arg.prefix !== '' && !arg.prefix.startsWith('-');

function parseOptions(cmd: string, args: Arg[], spec: OptionSpec): ParsedOptions | CommandProblem {
  const result: ParsedOptions = { options: [], positionals: [], rest: [], consumed: args.length };
  const longKind = (name: string) =>
    spec.longValues?.includes(name) ? 'value' : spec.longOptional?.includes(name) ? 'optional' : spec.longFlags?.includes(name) ? 'flag' : null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as Arg;
    const text = arg.text;
    if (text === null || !text.startsWith('-') || text === '-') {
      if (spec.stopAtPositional) {
        result.rest = args.slice(i);
        return result;
      }
      result.positionals.push(arg);
      continue;
    }
    if (text === '--') {
      if (spec.stopAtPositional) result.rest = args.slice(i + 1);
      else result.positionals.push(...args.slice(i + 1));
      return result;
    }
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      const name = text.slice(2, eq === -1 ? undefined : eq);
      const denied = spec.deny?.[`--${name}`];
      if (denied) return argsProblem(`${cmd} --${name} ${denied}`);
      const kind = longKind(name);
      if (!kind) return argsProblem(`${cmd}: unknown option --${name} (whether it changes state is not known)`);
      if (kind === 'value' && eq === -1) {
        const value = args[++i];
        if (!value) return argsProblem(`${cmd} --${name} needs a value`);
        result.options.push({ name: `--${name}`, value });
      } else if (kind === 'flag' && eq !== -1 && !spec.pflag) {
        return argsProblem(`${cmd}: --${name} takes no value`);
      } else {
        result.options.push({ name: `--${name}`, value: eq === -1 ? null : knownArg(text.slice(eq + 1), text) });
      }
      if (spec.single) {
        result.consumed = i + 1;
        return result;
      }
      continue;
    }
    // A cluster of short options: -abc, -ovalue, -o value.
    for (let j = 1; j < text.length; j++) {
      const letter = text[j] as string;
      const denied = spec.deny?.[`-${letter}`];
      if (denied) return argsProblem(`${cmd} -${letter} ${denied}`);
      if (spec.shortValues?.includes(letter)) {
        let glued = text.slice(j + 1);
        if (spec.pflag && glued.startsWith('=')) glued = glued.slice(1);
        const value: Arg | undefined = glued ? knownArg(glued, text) : args[++i];
        if (!value) return argsProblem(`${cmd} -${letter} needs a value`);
        result.options.push({ name: `-${letter}`, value });
        break;
      }
      if (spec.shortOptional?.includes(letter)) {
        const glued = text.slice(j + 1);
        result.options.push({ name: `-${letter}`, value: glued ? knownArg(glued, text) : null });
        break;
      }
      if (spec.shortOptionalNumber?.includes(letter)) {
        const glued = text.slice(j + 1);
        const next = args[i + 1];
        if (!glued && next?.text !== undefined && next.text !== null && /^[+-]?\d+$/.test(next.text)) {
          i++;
          result.options.push({ name: `-${letter}`, value: next });
        } else result.options.push({ name: `-${letter}`, value: glued ? knownArg(glued, text) : null });
        break;
      }
      if (!spec.shortFlags?.includes(letter)) return argsProblem(`${cmd}: unknown option -${letter} (whether it changes state is not known)`);
      result.options.push({ name: `-${letter}`, value: null });
    }
    if (spec.single) {
      result.consumed = i + 1;
      return result;
    }
  }
  return result;
}

/**
 * Refuses dynamic words that might be options (or, for "many", several words). 'positional': a single
 * word whose known start is not "-" is fine; 'one': any single word is fine; 'any': anything is.
 */
function dynamicPositionals(cmd: string, positionals: Arg[], allow: 'none' | 'positional' | 'one' | 'any'): CommandProblem | null {
  for (const arg of positionals) {
    if (!arg.dynamic || allow === 'any') continue;
    if (allow === 'positional' && surelyPositional(arg)) continue;
    if (allow === 'one' && arg.dynamic === 'one') continue;
    return argsProblem(
      arg.dynamic === 'many'
        ? `${cmd}: ${arg.source} is expanded at run time and may split into several words, e.g. options (quote it: "${arg.source.replace(/"/g, '')}")`
        : `${cmd}: ${arg.source} comes from a value at run time and could be an option`,
    );
  }
  return null;
}

function optionCommand(spec: OptionSpec, positional: (cmd: string, p: ParsedOptions) => CommandProblem | null, dynamic: 'none' | 'positional' | 'any' = 'none') {
  return (cmd: string, args: Arg[]): CommandProblem | null => {
    const many = args.find((a) => a.dynamic === 'many');
    if (many && dynamic !== 'any') return dynamicPositionals(cmd, [many], dynamic);
    const parsed = parseOptions(cmd, args, spec);
    if (isProblem(parsed)) return parsed;
    return dynamicPositionals(cmd, parsed.positionals, dynamic) ?? positional(cmd, parsed);
  };
}

// ── commands with subcommands ────────────────────────────────────────────────────────────────────────

interface VerbSpec {
  global: OptionSpec;
  /** verb → true (read-only), or the read-only subcommands. */
  verbs: Record<string, true | Record<string, true>>;
  /** The command without a verb is read-only (systemctl = list-units). */
  bare?: boolean;
  /** Options refused anywhere, also after the verb, by name ("--profile" also refuses "--profile=…"). */
  denyAnywhere?: Readonly<Record<string, string>>;
  /**
   * Options after the verb (besides the global ones) that take the next word as their value in every verb
   * that has them: a word of unknown text there is a value, not an option. (One that is a flag in some verb,
   * as kubectl logs -f, is not listed.)
   */
  valuesAfterVerb?: readonly string[];
  /** Per verb, a further check of what follows it. */
  verbCheck?: Record<string, (cmd: string, rest: Arg[]) => CommandProblem | null>;
}

/** pflag programs (kubectl, helm: klog's --log_file) take "_" for "-" in a long option's name. */
const normalisedOption = (name: string) => (name.startsWith('--') ? `--${name.slice(2).replace(/_/g, '-')}` : name);

function deniedAnywhere(cmd: string, arg: Arg, deny: Readonly<Record<string, string>> | undefined): CommandProblem | null {
  const text = arg.text ?? arg.prefix;
  if (!deny || !text.startsWith('-')) return null;
  const eq = text.indexOf('=');
  if (arg.text === null && eq === -1) {
    // The name is only partly known (--log-$X): refused if it could become a refused one.
    const start = normalisedOption(text);
    const match = Object.keys(deny).find((name) => name.startsWith(start));
    return match ? argsProblem(`${cmd} ${arg.source} could be ${match}, which ${deny[match]}`) : null;
  }
  const name = normalisedOption(eq === -1 ? text : text.slice(0, eq));
  const reason = deny[name];
  return reason ? argsProblem(`${cmd} ${name} ${reason}`) : null;
}

function verbCommand(spec: VerbSpec) {
  return (cmd: string, args: Arg[]): CommandProblem | null => {
    let i = 0;
    const words: string[] = [];
    let table: Record<string, true | Record<string, true>> | Record<string, true> = spec.verbs;
    // Find the verb (and subcommand): only known global options may stand before them.
    for (;;) {
      while (i < args.length) {
        const arg = args[i] as Arg;
        if (arg.dynamic) return argsProblem(`${cmd}: ${arg.source} comes from a value at run time before the subcommand, which is then not known`);
        if (!(arg.text as string).startsWith('-')) break;
        const denied = deniedAnywhere(cmd, arg, spec.denyAnywhere);
        if (denied) return denied;
        const parsed = parseOptions(cmd, args.slice(i), { ...spec.global, single: true });
        if (isProblem(parsed)) return parsed;
        i += parsed.consumed;
      }
      const verb = args[i]?.text;
      if (verb === undefined || verb === null) {
        if (words.length === 0 && spec.bare) return null;
        return argsProblem(`${[cmd, ...words].join(' ')} without a ${words.length === 0 ? 'subcommand' : 'further subcommand'} is not known to be read-only`);
      }
      const entry: true | Record<string, true> | undefined = Object.hasOwn(table, verb) ? (table as Record<string, true | Record<string, true>>)[verb] : undefined;
      if (!entry) return argsProblem(`${[cmd, ...words, verb].join(' ')} is not a read-only subcommand`);
      words.push(verb);
      i++;
      if (entry === true) break;
      table = entry;
    }
    const rest = args.slice(i);
    for (const arg of rest) {
      const denied = deniedAnywhere(cmd, arg, spec.denyAnywhere);
      if (denied) return denied;
    }
    const problem = afterVerb([cmd, ...words].join(' '), rest, spec);
    if (problem) return problem;
    return spec.verbCheck?.[words.join(' ')]?.([cmd, ...words].join(' '), rest) ?? null;
  };
}

/** Whether a dynamic word (every word it may become) surely is not an option: its known start is text that is not "-". */
const surelyNotOption = (arg: Arg) =>
  arg.prefix !== '' && !arg.prefix.startsWith('-') && (arg.dynamic === 'one' || arg.allStartWithPrefix === true);

/**
 * Words of unknown text after the verb. These programs take options anywhere (global ones included, such as
 * kubectl's --profile-output), so a word the block makes that could be an option is refused unless it surely
 * is not one: its known start is not "-", it follows `--`, it is the value of an option that takes one, or it
 * is --name=… with the name written. A single word from outside the block (the environment, a run variable
 * or placeholder, whose values are checked when the run gives them) is accepted as before; several words
 * (an unquoted expansion that may split) are refused.
 */
function afterVerb(cmd: string, rest: Arg[], spec: VerbSpec): CommandProblem | null {
  const valueOptions = new Set([
    ...[...(spec.global.shortValues ?? '')].map((letter) => `-${letter}`),
    ...(spec.global.longValues ?? []).map((name) => `--${name}`),
    ...(spec.valuesAfterVerb ?? []),
  ]);
  let endOfOptions = false;
  let valueNext = false;
  for (const arg of rest) {
    const isValue = valueNext;
    valueNext = false;
    if (arg.dynamic === null) {
      const text = arg.text as string;
      if (endOfOptions || isValue) continue;
      if (text === '--') endOfOptions = true;
      else if (text.startsWith('-') && !text.includes('=')) valueNext = valueOptions.has(normalisedOption(text));
      continue;
    }
    if (endOfOptions || surelyNotOption(arg)) continue;
    if (arg.dynamic === 'one' && (isValue || !arg.computed || /^--[A-Za-z0-9][A-Za-z0-9_.-]*=/.test(arg.prefix))) continue;
    return dynamicPositionals(cmd, [arg], 'none');
  }
  return null;
}

/** A kubeconfig names credential plugins (users[].user.exec) that client-go runs: choosing one chooses a program. */
const KUBECONFIG_RUNS = 'names a kubeconfig, whose credential plugins (users[].user.exec) are programs that run';

const KUBECTL_WRITES_FILES = {
  '--kubeconfig': KUBECONFIG_RUNS,
  '--profile': 'writes profiling data to a file',
  '--profile-output': 'writes profiling data to a file',
  '--log-file': 'writes a log file',
  '--log-dir': 'writes log files',
  '--output-directory': 'writes files',
  '--cache-dir': 'writes the discovery and HTTP cache to a directory it names',
};

const kubectl = verbCommand({
  global: {
    pflag: true,
    shortValues: 'nsv',
    longValues: [
      'namespace', 'context', 'cluster', 'user', 'server', 'token', 'as', 'as-group', 'as-uid',
      'certificate-authority', 'client-certificate', 'client-key', 'request-timeout', 'tls-server-name', 'cache-dir',
      'username', 'password', 'v', 'vmodule', 'log-flush-frequency',
    ],
    longFlags: ['insecure-skip-tls-verify', 'match-server-version', 'warnings-as-errors', 'disable-compression'],
  },
  verbs: {
    get: true, describe: true, logs: true, top: true, explain: true, version: true, 'api-resources': true, 'api-versions': true,
    'cluster-info': true, diff: true, events: true,
    auth: { 'can-i': true, whoami: true },
    rollout: { status: true, history: true },
    config: { view: true, 'get-contexts': true, 'current-context': true, 'get-clusters': true, 'get-users': true },
  },
  denyAnywhere: KUBECTL_WRITES_FILES,
  // Value options of the read-only verbs (kubectl <verb> --help): none is a flag in another of them.
  valuesAfterVerb: [
    '-o', '--output', '-l', '--selector', '-L', '--label-columns', '-c', '--container', '--field-selector', '--sort-by', '--template',
    '--tail', '--since', '--since-time', '--chunk-size', '--filename', '--api-group', '--api-version', '--types', '--for', '--revision',
    '--timeout', '--limit-bytes', '--subresource', '--max-log-requests', '--pod-running-timeout', '--namespaces', '--verbs', '--categories',
  ],
  verbCheck: {
    // `cluster-info dump --output-directory=…` writes files: no word of unknown text there.
    'cluster-info': (cmd, rest) => dynamicPositionals(cmd, rest, 'none'),
  },
});

const systemctl = verbCommand({
  global: {
    shortFlags: 'alqrfi',
    shortValues: 'tpPHMnos',
    longFlags: [
      'all', 'recursive', 'reverse', 'after', 'before', 'full', 'value', 'show-types', 'no-pager', 'no-legend', 'quiet', 'no-block',
      'no-wall', 'no-ask-password', 'user', 'system', 'global', 'runtime', 'plain', 'failed', 'with-dependencies', 'no-reload',
    ],
    longValues: ['type', 'state', 'property', 'host', 'machine', 'lines', 'output', 'root', 'image', 'timestamp', 'legend', 'what'],
  },
  verbs: {
    status: true, show: true, cat: true, 'is-active': true, 'is-enabled': true, 'is-failed': true, 'is-system-running': true,
    'list-units': true, 'list-unit-files': true, 'list-sockets': true, 'list-timers': true, 'list-jobs': true,
    'list-dependencies': true, 'list-machines': true, 'list-automounts': true, 'list-paths': true, 'show-environment': true,
    'get-default': true,
  },
  bare: true,
});

const docker = verbCommand({
  global: {
    shortFlags: 'D',
    shortValues: 'Hcl',
    longFlags: ['debug', 'tls', 'tlsverify'],
    longValues: ['host', 'context', 'log-level', 'tlscacert', 'tlscert', 'tlskey'],
  },
  verbs: {
    ps: true, images: true, logs: true, inspect: true, version: true, info: true, stats: true, top: true, port: true, events: true,
    history: true, diff: true, search: true,
    container: { ls: true, list: true, ps: true, inspect: true, logs: true, top: true, port: true, stats: true, diff: true },
    image: { ls: true, list: true, inspect: true, history: true },
    network: { ls: true, list: true, inspect: true },
    volume: { ls: true, list: true, inspect: true },
    system: { df: true, info: true, events: true },
    context: { ls: true, list: true, show: true, inspect: true },
  },
  valuesAfterVerb: ['--format', '--filter', '--since', '--until', '--tail', '-n', '--last', '--type'],
});

/**
 * helm show/inspect read a chart; one named by repository (repo/chart, oci://…, --repo) is first downloaded
 * into the repository cache, which writes files. A path (./chart, /srv/chart) is read in place: helm
 * never looks one up in a repository, it fails when the path is missing.
 */
function helmShowLocal(cmd: string, rest: Arg[]): CommandProblem | null {
  const options = rest.map((a) => (a.text?.startsWith('-') ? normalisedOption(a.text.split('=')[0] as string) : null));
  if (options.includes('--repo')) return argsProblem(`${cmd} --repo downloads the chart into the repository cache`);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as Arg;
    if (arg.text === null) return argsProblem(`${cmd}: ${arg.source} comes from a value at run time; a chart it names may be downloaded into the repository cache`);
    const option = options[i];
    if (option) {
      if (!arg.text.includes('=') && HELM_SHOW_VALUES.has(option)) i++;
      continue;
    }
    if (!/^[./]/.test(arg.text)) return argsProblem(`${cmd} ${arg.source}: a chart that is not a ./ or / path is downloaded into the repository cache`);
  }
  return null;
}

/** Options of helm show that take a value as the next word. */
const HELM_SHOW_VALUES = new Set(['--version', '--keyring', '--ca-file', '--cert-file', '--key-file', '--username', '--password', '--jsonpath', '-n', '--namespace', '--kube-context', '--kubeconfig']);

const HELM_SHOW_CHECKS = Object.fromEntries(
  ['show', 'inspect'].flatMap((verb) => ['all', 'chart', 'readme', 'values', 'crds'].map((sub) => [`${verb} ${sub}`, helmShowLocal] as const)),
);

const helm = verbCommand({
  global: {
    pflag: true,
    shortValues: 'n',
    longValues: [
      'namespace', 'kube-context', 'kube-apiserver', 'kube-as-user', 'kube-as-group', 'kube-ca-file', 'kube-token',
      'kube-tls-server-name', 'burst-limit', 'qps', 'registry-config', 'repository-cache', 'repository-config',
    ],
    longFlags: ['debug', 'kube-insecure-skip-tls-verify'],
  },
  verbs: {
    list: true, ls: true, status: true, history: true, hist: true, version: true, env: true,
    get: { all: true, hooks: true, manifest: true, metadata: true, notes: true, values: true },
    show: { all: true, chart: true, readme: true, values: true, crds: true },
    inspect: { all: true, chart: true, readme: true, values: true, crds: true },
    search: { hub: true, repo: true },
    repo: { list: true, ls: true },
    plugin: { list: true, ls: true },
    dependency: { list: true, ls: true },
    dep: { list: true, ls: true },
  },
  denyAnywhere: {
    '--post-renderer': 'runs a program', '--output-dir': 'writes files', '--untar': 'writes files', '--untardir': 'writes files', '--destination': 'writes files',
    '--kubeconfig': KUBECONFIG_RUNS,
  },
  valuesAfterVerb: ['-o', '--output', '--revision', '--max', '--offset', '--version', '--jsonpath'],
  verbCheck: HELM_SHOW_CHECKS,
});

const timedatectl = verbCommand({
  global: { shortFlags: 'ah', shortValues: 'HMp', longFlags: ['no-pager', 'no-ask-password', 'all', 'value', 'monitor', 'help', 'version'], longValues: ['host', 'machine', 'property'] },
  verbs: { status: true, show: true, 'list-timezones': true, 'timesync-status': true, 'show-timesync': true },
  bare: true,
});

const hostnamectl = verbCommand({
  global: { shortFlags: 'h', shortValues: 'HM', longFlags: ['static', 'transient', 'pretty', 'no-ask-password', 'help', 'version'], longValues: ['host', 'machine', 'json'] },
  verbs: { status: true },
  bare: true,
});

// ── commands with options only ───────────────────────────────────────────────────────────────────────

const date = optionCommand(
  {
    shortFlags: 'uR',
    shortValues: 'dfr',
    // -I takes its format only glued (-Iseconds): `date -I 010112002020` sets the clock.
    shortOptional: 'I',
    longFlags: ['utc', 'universal', 'rfc-email', 'rfc-2822', 'debug', 'help', 'version', 'resolution'],
    longValues: ['date', 'file', 'reference', 'rfc-3339'],
    longOptional: ['iso-8601'],
    deny: { '-s': 'sets the system clock', '--set': 'sets the system clock' },
  },
  (cmd, p) => {
    const setting = p.positionals.find((a) => !(a.text ?? '').startsWith('+'));
    return setting ? argsProblem(`${cmd} ${setting.source} sets the system clock (only +FORMAT is read-only)`) : null;
  },
);

const hostname = optionCommand(
  {
    shortFlags: 'aAdfiIsyVh',
    longFlags: ['alias', 'all-fqdns', 'domain', 'fqdn', 'long', 'ip-address', 'all-ip-addresses', 'short', 'yp', 'nis', 'version', 'help'],
    deny: { '-F': 'sets the hostname from a file', '--file': 'sets the hostname from a file', '-b': 'sets the hostname', '--boot': 'sets the hostname' },
  },
  (cmd, p) => (p.positionals[0] ? argsProblem(`${cmd} ${p.positionals[0].source} sets the hostname`) : null),
);

const sort = optionCommand(
  {
    shortFlags: 'bdfgiMhnRrVcCmsuz',
    shortValues: 'ktST',
    longFlags: [
      'ignore-leading-blanks', 'dictionary-order', 'ignore-case', 'general-numeric-sort', 'ignore-nonprinting', 'month-sort',
      'human-numeric-sort', 'numeric-sort', 'random-sort', 'reverse', 'version-sort', 'merge', 'stable', 'unique',
      'zero-terminated', 'debug', 'help', 'version',
    ],
    longValues: ['key', 'field-separator', 'buffer-size', 'temporary-directory', 'parallel', 'sort', 'random-source', 'batch-size', 'files0-from'],
    longOptional: ['check'],
    deny: { '-o': 'writes its output to a file', '--output': 'writes its output to a file', '--compress-program': 'runs a program' },
  },
  () => null,
);

const uniq = optionCommand(
  {
    shortFlags: 'cdDiuz',
    shortValues: 'fsw',
    longFlags: ['count', 'repeated', 'ignore-case', 'unique', 'zero-terminated', 'help', 'version'],
    longValues: ['skip-fields', 'skip-chars', 'check-chars'],
    longOptional: ['all-repeated', 'group'],
  },
  (cmd, p) => (p.positionals.length > 1 ? argsProblem(`${cmd} ${p.positionals[1]?.source} names a file uniq writes to`) : null),
);

const ss = optionCommand(
  {
    shortFlags: 'hVHnrapleoimTsEZzbt0wuxdS46MO',
    shortValues: 'fAFN',
    longFlags: [
      'help', 'version', 'no-header', 'numeric', 'resolve', 'all', 'listening', 'options', 'extended', 'memory', 'info', 'tos',
      'cgroup', 'tipcinfo', 'processes', 'threads', 'summary', 'events', 'context', 'contexts', 'bpf', 'ipv4', 'ipv6', 'packet',
      'tcp', 'udp', 'dccp', 'raw', 'unix', 'sctp', 'vsock', 'xdp', 'mptcp', 'inet-sockets', 'oneline',
    ],
    longValues: ['family', 'query', 'socket', 'filter', 'net'],
    deny: { '-K': 'closes sockets', '--kill': 'closes sockets', '-D': 'writes to a file', '--diag': 'writes to a file' },
  },
  () => null,
  'positional',
);

const dmesg = optionCommand(
  {
    shortFlags: 'deHhkPrSTtuwWxJpV',
    shortValues: 'fFls',
    shortOptional: 'L',
    longFlags: [
      'show-delta', 'reltime', 'human', 'kernel', 'nopager', 'raw', 'syslog', 'ctime', 'notime', 'userspace', 'follow',
      'follow-new', 'decode', 'json', 'force-prefix', 'help', 'version',
    ],
    longValues: ['facility', 'file', 'level', 'buffer-size', 'time-format', 'since', 'until'],
    longOptional: ['color'],
    deny: {
      '-c': 'clears the kernel ring buffer', '--read-clear': 'clears the kernel ring buffer', '-C': 'clears the kernel ring buffer',
      '--clear': 'clears the kernel ring buffer', '-D': 'changes console logging', '--console-off': 'changes console logging',
      '-E': 'changes console logging', '--console-on': 'changes console logging', '-n': 'changes console logging',
      '--console-level': 'changes console logging',
    },
  },
  () => null,
);

const journalctl = optionCommand(
  {
    shortFlags: 'ferxkaqlmNhF',
    shortValues: 'uopgSUtTDMFci',
    shortOptionalNumber: 'nb',
    longFlags: [
      'follow', 'pager-end', 'reverse', 'catalog', 'dmesg', 'all', 'quiet', 'full', 'no-full', 'no-pager', 'no-hostname', 'merge',
      'system', 'user', 'utc', 'fields', 'disk-usage', 'list-boots', 'header', 'show-cursor', 'no-tail', 'help', 'version',
      'list-catalog', 'dump-catalog', 'verify', 'list-namespaces', 'list-invocations',
    ],
    longValues: [
      'unit', 'user-unit', 'output', 'priority', 'grep', 'since', 'until', 'identifier', 'exclude-identifier', 'directory', 'file',
      'machine', 'field', 'output-fields', 'facility', 'cursor', 'after-cursor', 'root', 'image', 'namespace', 'invocation',
    ],
    longOptional: ['lines', 'boot', 'case-sensitive'],
    deny: {
      '--vacuum-size': 'deletes journal files', '--vacuum-time': 'deletes journal files', '--vacuum-files': 'deletes journal files',
      '--rotate': 'rotates journal files', '--flush': 'moves the journal to disk', '--sync': 'writes the journal to disk',
      '--relinquish-var': 'changes where the journal is written', '--smart-relinquish-var': 'changes where the journal is written',
      '--setup-keys': 'writes sealing keys', '--update-catalog': 'rewrites the message catalog', '--cursor-file': 'writes a cursor file',
    },
  },
  () => null,
  'positional',
);

const CURL_DENY: Record<string, string> = {
  '-X': 'sends a request method other than GET', '--request': 'sends a request method other than GET',
  '-d': 'sends a request body', '--data': 'sends a request body', '--data-ascii': 'sends a request body', '--data-binary': 'sends a request body',
  '--data-raw': 'sends a request body', '--data-urlencode': 'sends a request body', '--json': 'sends a request body',
  '-F': 'sends a form', '--form': 'sends a form', '--form-string': 'sends a form', '-T': 'uploads a file', '--upload-file': 'uploads a file',
  '-o': 'writes the response to a file', '--output': 'writes the response to a file', '-O': 'writes the response to a file',
  '--remote-name': 'writes the response to a file', '--remote-name-all': 'writes responses to files', '-J': 'writes the response to a file',
  '--remote-header-name': 'writes the response to a file', '--output-dir': 'writes files', '--create-dirs': 'creates directories',
  '-K': 'reads further options from a file', '--config': 'reads further options from a file',
  '-c': 'writes cookies to a file', '--cookie-jar': 'writes cookies to a file', '-D': 'writes headers to a file', '--dump-header': 'writes headers to a file',
  '--trace': 'writes a trace file', '--trace-ascii': 'writes a trace file', '--libcurl': 'writes a C file', '--stderr': 'writes to a file',
  '--etag-save': 'writes a file', '--hsts': 'writes a file', '--alt-svc': 'writes a file', '-Q': 'sends protocol commands', '--quote': 'sends protocol commands',
  '-P': 'opens an FTP data port', '--ftp-port': 'opens an FTP data port', '-t': 'sends telnet options', '--telnet-option': 'sends telnet options',
  '--mail-from': 'sends mail', '--mail-rcpt': 'sends mail',
};

const curl = optionCommand(
  {
    shortFlags: 'sSfLkviIG46Nnq#',
    shortValues: 'HmuAebxrwEYyU',
    longFlags: [
      'silent', 'show-error', 'fail', 'fail-with-body', 'location', 'location-trusted', 'insecure', 'verbose', 'include', 'head', 'get',
      'ipv4', 'ipv6', 'no-buffer', 'netrc', 'netrc-optional', 'compressed', 'http1.0', 'http1.1', 'http2', 'http2-prior-knowledge',
      'http3', 'no-keepalive', 'no-progress-meter', 'progress-bar', 'globoff', 'tcp-nodelay', 'ssl-reqd', 'tlsv1', 'tlsv1.2', 'tlsv1.3',
      'proxy-insecure', 'no-sessionid', 'raw', 'path-as-is', 'disable', 'fail-early', 'show-headers', 'styled-output', 'no-styled-output',
    ],
    longValues: [
      'header', 'max-time', 'connect-timeout', 'user', 'user-agent', 'referer', 'cookie', 'proxy', 'range', 'write-out', 'cert', 'key',
      'cacert', 'capath', 'resolve', 'connect-to', 'retry', 'retry-delay', 'retry-max-time', 'max-redirs', 'url', 'unix-socket',
      'abstract-unix-socket', 'oauth2-bearer', 'noproxy', 'interface', 'dns-servers', 'limit-rate', 'speed-limit', 'speed-time',
      'cert-type', 'key-type', 'pinnedpubkey', 'proxy-user', 'proxy-header', 'expect100-timeout', 'keepalive-time', 'aws-sigv4',
      'url-query', 'tls-max', 'ciphers', 'proto', 'proto-redir', 'max-filesize', 'happy-eyeballs-timeout-ms',
    ],
    deny: CURL_DENY,
  },
  (cmd, p) => {
    for (const o of p.options) {
      if ((o.name === '-w' || o.name === '--write-out') && (o.value?.text === null || /%\{?output\{/.test(o.value?.text ?? ''))) {
        return argsProblem(`${cmd} ${o.name} ${o.value?.source ?? ''} may write a file (%output{…})`);
      }
      // -w @FILE (@- for standard input) reads the format from there, where %output{…} is not seen.
      if ((o.name === '-w' || o.name === '--write-out') && o.value?.text?.startsWith('@')) {
        return argsProblem(`${cmd} ${o.name} ${o.value.source} reads its format from a file or its input, which may write a file (%output{…})`);
      }
    }
    const urls = [...p.positionals, ...p.options.filter((o) => o.name === '--url').map((o) => o.value as Arg)];
    for (const url of urls) {
      const text = url.text ?? url.prefix;
      const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
      if (scheme === 'http' || scheme === 'https') continue;
      if (url.text === null && !scheme) return argsProblem(`${cmd}: the URL ${url.source} comes from a value at run time; its scheme (and so what curl does) is not known`);
      if (scheme) return argsProblem(`${cmd} ${url.source}: ${scheme}:// requests are not known to be read-only`);
      // No scheme: curl guesses from the host name; some guesses are not HTTP.
      if (/^(ftp|dict|ldap|imap|pop3|smtp|gopher|telnet)\./i.test(text)) return argsProblem(`${cmd} ${url.source}: curl would not use HTTP for this host`);
    }
    return null;
  },
  'positional',
);

const PSQL_SPEC: OptionSpec = {
  shortFlags: 'XqAtwWxHeEabnz01lV',
  shortValues: 'hpUdcvFRPT',
  longFlags: [
    'no-psqlrc', 'quiet', 'no-align', 'tuples-only', 'no-password', 'password', 'expanded', 'html', 'csv', 'echo-queries', 'echo-hidden',
    'echo-all', 'echo-errors', 'no-readline', 'field-separator-zero', 'record-separator-zero', 'single-transaction', 'list', 'version', 'help',
  ],
  longValues: ['host', 'port', 'username', 'dbname', 'command', 'set', 'variable', 'field-separator', 'record-separator', 'pset', 'table-attr'],
  deny: {
    '-o': 'writes query results to a file', '--output': 'writes query results to a file', '-L': 'writes a session log file',
    '--log-file': 'writes a session log file', '-f': 'runs SQL from a file', '--file': 'runs SQL from a file',
    // psql puts variables into the SQL (:name, :'name') after it was judged here: the text run is another.
    '-v': 'sets variables psql interpolates into the SQL, which is then not the SQL judged',
    '--set': 'sets variables psql interpolates into the SQL, which is then not the SQL judged',
    '--variable': 'sets variables psql interpolates into the SQL, which is then not the SQL judged',
  },
};

function psql(cmd: string, args: Arg[], ctx: CommandContext): CommandProblem | null {
  const many = args.find((a) => a.dynamic === 'many');
  if (many) return dynamicPositionals(cmd, [many], 'none');
  const parsed = parseOptions(cmd, args, PSQL_SPEC);
  if (isProblem(parsed)) return parsed;
  const positional = dynamicPositionals(cmd, parsed.positionals, 'positional');
  if (positional) return positional;
  const commands = parsed.options.filter((o) => o.name === '-c' || o.name === '--command').map((o) => o.value as Arg);
  const informational = parsed.options.some((o) => ['-l', '--list', '-V', '--version', '--help'].includes(o.name));
  const sources = commands.length > 0 ? commands : informational ? [] : [ctx.stdin];
  for (const sql of sources) {
    if (!sql) return argsProblem(`${cmd} without -c reads its commands from its input, which is not known here`);
    if (sql.text === null) return argsProblem(`${cmd}: the SQL ${sql.source.length > 60 ? `${sql.source.slice(0, 57)}…` : sql.source} is built from a value at run time; what it does is not known`);
    const verdict = ctx.sql(sql.text);
    if (!verdict.readOnly) return argsProblem(`${cmd}: ${verdict.detail}`);
  }
  return null;
}

function printf(cmd: string, args: Arg[]): CommandProblem | null {
  const first = args[0];
  if (!first) return null;
  if (first.dynamic && !surelyPositional(first)) return argsProblem(`${cmd}: ${first.source} comes from a value at run time and could be -v`);
  if (first.text?.startsWith('-v')) return argsProblem(`${cmd} -v assigns a shell variable`);
  return null;
}

const FIND_ACTIONS: Record<string, string> = {
  '-delete': 'deletes files', '-exec': 'runs commands', '-execdir': 'runs commands', '-ok': 'runs commands', '-okdir': 'runs commands',
  '-fprint': 'writes a file', '-fprint0': 'writes a file', '-fprintf': 'writes a file', '-fls': 'writes a file',
};

function find(cmd: string, args: Arg[]): CommandProblem | null {
  for (const arg of args) {
    if (arg.dynamic) return argsProblem(`${cmd}: ${arg.source} comes from a value at run time and could be an action such as -delete`);
    const reason = FIND_ACTIONS[arg.text as string];
    if (reason) return argsProblem(`${cmd} ${arg.text} ${reason}`);
  }
  return null;
}

const IP_OBJECTS = new Set([
  'address', 'addr', 'a', 'link', 'l', 'route', 'r', 'ro', 'rou', 'rout', 'neighbour', 'neighbor', 'neigh', 'n', 'rule', 'ru', 'maddress',
  'maddr', 'm', 'mroute', 'mr', 'tunnel', 'tun', 'netns', 'ntable', 'netconf', 'token', 'vrf', 'nexthop', 'nh', 'stats', 'monitor',
]);
const IP_SHOW = new Set(['show', 'list', 'ls', 'lst', 'sh', 'get', 'help']);

function ip(cmd: string, args: Arg[]): CommandProblem | null {
  let i = 0;
  const withValue = new Set(['-n', '-netns', '-f', '-family', '-l', '-loops', '-rc', '-rcvbuf']);
  const flags = new Set([
    '-4', '-6', '-0', '-br', '-brief', '-s', '-stats', '-statistics', '-d', '-details', '-c', '-color', '-j', '-json', '-p', '-pretty',
    '-o', '-oneline', '-r', '-resolve', '-h', '-human', '-human-readable', '-iec', '-N', '-Numeric', '-a', '-all', '-t', '-timestamp',
    '-ts', '-tshort', '-V', '-Version',
  ]);
  for (; i < args.length; i++) {
    const arg = args[i] as Arg;
    if (arg.dynamic) return argsProblem(`${cmd}: ${arg.source} comes from a value at run time before the object, which is then not known`);
    const text = arg.text as string;
    if (!text.startsWith('-')) break;
    if (withValue.has(text)) i++;
    else if (!flags.has(text.split('=')[0] as string)) return argsProblem(`${cmd}: unknown option ${text} (whether it changes state is not known)`);
  }
  const object = args[i]?.text;
  if (object === undefined || object === null) return null;
  if (!IP_OBJECTS.has(object)) return argsProblem(`${cmd} ${object} is not known to be read-only`);
  if (object === 'monitor') return null;
  const sub = args[i + 1];
  if (!sub) return null;
  if (sub.dynamic || !IP_SHOW.has(sub.text as string)) return argsProblem(`${cmd} ${object} ${sub.source} is not a read-only subcommand`);
  return null;
}

const TIMEOUT_SPEC: OptionSpec = {
  shortFlags: 'v',
  shortValues: 'sk',
  longFlags: ['preserve-status', 'foreground', 'verbose'],
  longValues: ['signal', 'kill-after'],
  stopAtPositional: true,
};

function timeout(cmd: string, args: Arg[], ctx: CommandContext): CommandProblem | null {
  const parsed = parseOptions(cmd, args, TIMEOUT_SPEC);
  if (isProblem(parsed)) return parsed;
  const [duration, name, ...rest] = parsed.rest;
  if (!duration || duration.dynamic) return argsProblem(`${cmd}: the duration ${duration?.source ?? ''} is not known`);
  if (!name) return null;
  if (name.dynamic || name.text === null) return argsProblem(`${cmd}: the command ${name.source} comes from a value at run time`);
  return ctx.check(name.text, rest);
}

function command(cmd: string, args: Arg[], ctx: CommandContext): CommandProblem | null {
  const parsed = parseOptions(cmd, args, { shortFlags: 'pvV', stopAtPositional: true });
  if (isProblem(parsed)) return parsed;
  // command -v / -V only describe what a name is.
  if (parsed.options.some((o) => o.name === '-v' || o.name === '-V')) return null;
  const [name, ...rest] = parsed.rest;
  if (!name) return null;
  if (name.dynamic || name.text === null) return argsProblem(`${cmd}: the command ${name.source} comes from a value at run time`);
  return ctx.check(name.text, rest);
}

// Not allexport (set -a): every variable the block sets would then reach the programs it runs.
const SET_OPTIONS = new Set(['errexit', 'nounset', 'pipefail', 'xtrace', 'verbose', 'noglob', 'noclobber', 'errtrace', 'functrace', 'noexec', 'notify']);

function set(cmd: string, args: Arg[]): CommandProblem | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as Arg;
    if (arg.dynamic) return argsProblem(`${cmd}: ${arg.source} comes from a value at run time`);
    const text = arg.text as string;
    if (text === '--' || text === '-') return null; // the rest only sets $1, $2 …
    if (!/^[-+]/.test(text)) return null;
    const letters = text.slice(1);
    // "-o NAME" may close a cluster: set -euo pipefail.
    const named = letters.endsWith('o');
    if (!/^[euxvfCBbhmnPTE]*$/.test(named ? letters.slice(0, -1) : letters)) return argsProblem(`${cmd} ${text}: not a known harmless shell option`);
    if (named) {
      const name = args[++i];
      if (name && (name.dynamic || !SET_OPTIONS.has(name.text as string))) return argsProblem(`${cmd} -o ${name.source} is not a known harmless shell option`);
    }
  }
  return null;
}

/** A name bash assigns to must be written as a plain NAME: in a[…] bash evaluates the subscript, $( … ) included. */
function variableName(cmd: string, name: Arg): CommandProblem | null {
  if (name.text === null || !NAME.test(name.text)) return argsProblem(`${cmd} ${name.source}: not a plain variable name (bash evaluates a subscript in it, which can run commands)`);
  const allowed = shellVariableAllowed(name.text, null);
  return allowed.ok ? null : argsProblem(`${cmd} ${name.source}: not a variable a read-only block may set (${allowed.why})`);
}

function read(cmd: string, args: Arg[]): CommandProblem | null {
  const parsed = parseOptions(cmd, args, { shortFlags: 'rse', shortValues: 'adpntNui' });
  if (isProblem(parsed)) return parsed;
  for (const name of [...parsed.positionals, ...parsed.options.filter((o) => o.name === '-a').map((o) => o.value as Arg)]) {
    const problem = variableName(cmd, name);
    if (problem) return problem;
  }
  return null;
}

/** wait for jobs; -p NAME assigns the job's process id to NAME. */
function wait(cmd: string, args: Arg[]): CommandProblem | null {
  const parsed = parseOptions(cmd, args, { shortFlags: 'nf', shortValues: 'p' });
  if (isProblem(parsed)) return parsed;
  for (const o of parsed.options) {
    const problem = o.name === '-p' ? variableName(cmd, o.value as Arg) : null;
    if (problem) return problem;
  }
  return dynamicPositionals(cmd, parsed.positionals, 'positional');
}

/**
 * export NAME[=value] hands the variable to every program the block runs afterwards, as NAME=value before a
 * command does: only the variables on PROGRAM_VARIABLES. readonly only marks a shell variable. A name must be
 * written (in a word of unknown text, NAME= must be its known start).
 */
function declaration(cmd: string, args: Arg[]): CommandProblem | null {
  for (const arg of args) {
    if (arg.dynamic && !surelyPositional(arg)) return argsProblem(`${cmd}: ${arg.source} comes from a value at run time`);
    if (arg.text === '-p') continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(\+?=)(.*))?$/s.exec(arg.text ?? arg.prefix);
    if (!m || (arg.text === null && !m[2])) return argsProblem(`${cmd} ${arg.source}: not a plain NAME or NAME=value`);
    const name = m[1] as string;
    const values = m[2] === undefined ? undefined : arg.text === null || m[2] === '+=' ? null : [m[3] as string];
    const allowed = cmd === 'export' ? programVariableAllowed(name, values) : shellVariableAllowed(name, values ?? null);
    if (!allowed.ok) return argsProblem(`${cmd} ${name}: ${allowed.why}`);
  }
  return null;
}

/** Operators of test / [ whose operand names a variable: bash evaluates an array subscript in it ($( … ) included). */
const TEST_VARIABLE_OPERATORS = new Set(['-v', '-R']);
const couldBeVariableOperator = (arg: Arg) =>
  arg.text !== null ? TEST_VARIABLE_OPERATORS.has(arg.text) : [...TEST_VARIABLE_OPERATORS].some((op) => op.startsWith(arg.prefix));
const couldHoldSubscript = (arg: Arg) => arg.text === null || arg.text.includes('[');

/**
 * test and [ only compare, except `-v NAME` (and -R): bash evaluates an array subscript in NAME, so
 * `[ -v 'a[$(touch x)]' ]` runs the command. (Their -eq … operands are not evaluated arithmetically: bash
 * wants plain integers there; only [[ … ]], which the parser does not accept, evaluates them.) Not
 * read-only: -v/-R (or a word that could be one at run time) before an operand that holds or could hold
 * a subscript, and a value that may split into several words (which could be both).
 */
function testCommand(cmd: string, args: Arg[]): CommandProblem | null {
  const many = args.find((a) => a.dynamic === 'many');
  if (many) return dynamicPositionals(cmd, [many], 'one');
  for (let i = 0; i + 1 < args.length; i++) {
    const op = args[i] as Arg;
    const operand = args[i + 1] as Arg;
    if (couldBeVariableOperator(op) && couldHoldSubscript(operand)) {
      return argsProblem(`${cmd} ${op.source} ${operand.source}: bash evaluates an array subscript in the name it tests, which can run commands`);
    }
  }
  return null;
}

type Checker = (cmd: string, args: Arg[], ctx: CommandContext) => CommandProblem | null;

const CHECKERS: Record<string, Checker> = {
  kubectl, systemctl, journalctl, docker, podman: docker, helm, timedatectl, hostnamectl, date, hostname, sort, uniq, ss, dmesg,
  curl, psql, printf, find, ip, timeout, command, set, read, wait, export: declaration, readonly: declaration, test: testCommand, '[': testCommand,
};

/** Where the allow-lists live, for messages and documentation. */
export const READ_ONLY_COMMANDS: readonly string[] = [...READ_ONLY_ANY_ARGUMENTS, ...Object.keys(CHECKERS)].sort();

/** The program a command word names: "ls" or a path in a system bin directory; null for anything else. */
export function programName(word: string): string | null {
  if (!word.includes('/')) return word;
  const m = /^\/(?:usr\/)?(?:local\/)?s?bin\/([^/]+)$/.exec(word);
  return m ? (m[1] as string) : null;
}

/** Whether running `name` with `args` is proven read-only; the problem otherwise. */
export function checkCommand(name: string, args: Arg[], ctx: CommandContext): CommandProblem | null {
  const program = programName(name);
  if (program === null) return notAllowed(`${name} runs a program by path, which may be anything`);
  if (READ_ONLY_ANY_ARGUMENTS.has(program)) return null;
  const checker = CHECKERS[program];
  if (checker) return checker(program, args, ctx);
  const why = REFUSED[program];
  return notAllowed(why ? `${program} ${why}` : `${program} is not on the read-only command list`);
}

// ── assignments ──────────────────────────────────────────────────────────────────────────────────────

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Locale names as the system's locale directories hold them: no "/" (glibc and gettext read a name with one as a path). */
const LOCALE_NAME = /^[A-Za-z0-9_.@:+-]*$/;

/**
 * The variables a command may be given (NAME=value before it, or exported): every program it runs sees them,
 * so each must only change how output looks, and only with a value of the form given (known here).
 */
const PROGRAM_VARIABLES: readonly { name: RegExp; value: (v: string) => boolean; why: string }[] = [
  // The time zone times are shown in. glibc reads the zone from the system's zoneinfo directory; an absolute
  // path or a ".." would make it open a file the block names (opening some device files acts).
  { name: /^TZ$/, value: (v) => /^:?[A-Za-z0-9_+,.<>/-]*$/.test(v) && !/^:?\//.test(v) && !/(^|[:/])\.\.(\/|$)/.test(v), why: 'a zone name (no absolute path, no "..")' },
  // Language, character set, formats of numbers and dates: compiled locales from the system's directories.
  { name: /^(LANG|LANGUAGE|LC_[A-Z]+)$/, value: (v) => LOCALE_NAME.test(v), why: 'a locale name (no "/")' },
  // The width and height programs lay out their output for.
  { name: /^(COLUMNS|LINES)$/, value: (v) => /^\d{0,6}$/.test(v), why: 'a number' },
  // Programs leave out colour; only whether it is set counts.
  { name: /^NO_COLOR$/, value: () => true, why: 'any text' },
  // The terminal type; terminfo is read from the system's directories (TERMINFO, TERMINFO_DIRS are not allowed).
  { name: /^TERM$/, value: (v) => /^[A-Za-z0-9_.+-]*$/.test(v), why: 'a terminal name' },
];

/**
 * Shell variables a block may not set (as a statement of its own, in for, read or ${NAME:=…}): those bash
 * acts on (PATH, IFS, TEXTDOMAIN …), and those the listed programs act on, which reach them when the
 * variable is already exported (as KUBECONFIG is in a step's environment). This is a list of what is known
 * to be dangerous: a plain assignment changes no program's environment unless the name was exported.
 */
const SHELL_DENIED: readonly RegExp[] = [
  /^(PATH|IFS|ENV|BASH_ENV|CDPATH|GLOBIGNORE|EXECIGNORE|HOME|SHELL|SHELLOPTS|BASHOPTS|PROMPT_COMMAND|TMOUT|INPUTRC|MAILPATH|VISUAL|BROWSER)$/,
  /^(TEXTDOMAIN|TEXTDOMAINDIR|TMPDIR|POSIXLY_CORRECT|FUNCNEST|NLSPATH|SSLKEYLOGFILE|GCONV_PATH|LOCPATH|HOSTALIASES|RES_OPTIONS)$/,
  /^(PGOPTIONS|PGSERVICEFILE|PGSYSCONFDIR)$/,
  /^PS\d$/, /^BASH/, /^HIST/, /^LD_/, /^DYLD_/, /^MALLOC_/, /PAGER/, /EDITOR/, /^LESS/, /^KUBE/, /^PSQL/, /^CURL_/,
  /^GIT_/, /^SSH_/, /^PYTHON/, /^PERL/, /^RUBY/, /^NODE_/, /^JQ_/, /^SYSTEMD_/, /^SYSTEMCTL_/, /^DBUS_/, /^DOCKER_/, /^HELM_/,
  /^XDG_/, /^TERMINFO/, /CONFIG/, /^COMP/, /^READLINE/, /^OPENSSL/,
];

export type Allowed = { ok: true } | { ok: false; why: string };

/** A value on PROGRAM_VARIABLES: known, and of the form its entry gives. `undefined`: the value is not changed. */
function programValue(name: string, values: readonly string[] | null | undefined): Allowed | null {
  const entry = PROGRAM_VARIABLES.find((v) => v.name.test(name));
  if (!entry) return null;
  if (values === undefined) return { ok: true };
  if (values === null) return { ok: false, why: `${name} gets a value not known here (it may only be ${entry.why})` };
  const bad = values.find((v) => !entry.value(v));
  return bad === undefined ? { ok: true } : { ok: false, why: `${name}=${bad}: ${name} may only be ${entry.why}` };
}

/**
 * NAME=value before a command, or exported (`values`: its possible texts; null: not known; undefined: export
 * NAME, the value unchanged): only the names on PROGRAM_VARIABLES.
 */
export function programVariableAllowed(name: string, values: readonly string[] | null | undefined): Allowed {
  return (
    programValue(name, values) ?? {
      ok: false,
      why: `${name} is not a variable a command may be given (only TZ, LANG, LANGUAGE, LC_*, COLUMNS, LINES, NO_COLOR and TERM): what ${name} does to the program, or to what it runs, is not known`,
    }
  );
}

/** NAME=value as a shell variable (`values`: its possible texts, null when not known). */
export function shellVariableAllowed(name: string, values: readonly string[] | null): Allowed {
  // These are usually exported already: a new value reaches the programs too.
  const program = programValue(name, values);
  if (program) return program;
  if (SHELL_DENIED.some((r) => r.test(name))) return { ok: false, why: `setting ${name} changes what the shell or its programs run or write` };
  return { ok: true };
}

// ── what commands do to shell variables ─────────────────────────────────────────────────────────────

/**
 * Builtins that assign to shell variables named in their arguments. (printf only with -v, which its check
 * refuses, as it does a first word that could be -v.)
 */
const SETS_VARIABLES = new Set(['read', 'mapfile', 'readarray', 'wait', 'getopts', 'export', 'declare', 'local', 'readonly', 'typeset']);
/** Of those, the ones whose NAME=value arguments assign that value. */
const DECLARATIONS = new Set(['export', 'declare', 'local', 'readonly', 'typeset']);

/**
 * The variables running `name args` may set in the shell (through `command` and `builtin` too): each with
 * its value when a declaration gives it ('unchanged' for a declaration's bare NAME), or null, and whether
 * readonly marks it (later assignments to it fail, and bash goes on with the old value); 'any' when an
 * argument's name is not known (a word of unknown text), so that any variable may have been set. Every
 * argument that reads as NAME or NAME=… counts (read -d x counts x: more than is set, never less).
 * Variables bash sets itself (REPLY, MAPFILE, PWD …) are not listed: shell.ts never takes their values as known.
 */
export function variableEffect(name: string, args: Arg[]): { name: string; append: boolean; value: string | null | 'unchanged'; readonly: boolean }[] | 'any' {
  let program = programName(name);
  let rest = args;
  while (program === 'command' || program === 'builtin') {
    let k = 0;
    for (; k < rest.length && rest[k]?.text?.startsWith('-') && rest[k]?.text !== '--'; k++) {
      if (program === 'command' && /[vV]/.test(rest[k]?.text as string)) return [];
    }
    if (rest[k]?.text === '--') k++;
    const next = rest[k];
    if (!next) return [];
    if (next.text === null) return 'any';
    program = programName(next.text);
    rest = rest.slice(k + 1);
  }
  if (program === null || !SETS_VARIABLES.has(program)) return [];
  const set: { name: string; append: boolean; value: string | null | 'unchanged'; readonly: boolean }[] = [];
  const readonly = program === 'readonly';
  for (const arg of rest) {
    const text = arg.text ?? arg.prefix;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(\+?)=(.*))?$/s.exec(text);
    if (arg.text === null) {
      // Only NAME= as the known start names the variable.
      const named = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(text);
      if (!named) return 'any';
      set.push({ name: named[1] as string, append: false, value: null, readonly });
      continue;
    }
    if (!m) continue;
    const declaration = DECLARATIONS.has(program);
    const value = m[3] === undefined ? (declaration ? 'unchanged' : null) : declaration ? m[3] : null;
    set.push({ name: m[1] as string, append: m[2] === '+', value, readonly });
  }
  return set;
}
