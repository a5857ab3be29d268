// What a command does with its words, for shell-values.ts: which word is a command name, which one a
// command runs as code (eval, bash -c, ssh, awk programs …), which one is a variable name or arithmetic,
// and what a command means for the whole block (it runs text as code, evaluates arithmetic, writes files).
// Words are given as their literal text, or null where a word is not literal (it holds an expansion).

/** What the command does with a word. */
export type Role = 'data' | 'name' | 'code' | 'varname' | 'arith';

export type RoleOf = {
  role: Role;
  why: string;
  /** A variable name a `-v` test reads (test -v, [ -v, [[ -v ]]): bash evaluates a subscript in it as arithmetic. */
  tested?: boolean;
};

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'yash', 'posh', 'fish', 'rbash']);
const DECLARATIONS = new Set(['declare', 'typeset', 'local', 'export', 'readonly']);
/**
 * Variables whose value the shell, the dynamic loader or a common program runs or loads as code (git's
 * ssh command, editors and pagers, interpreters' start-up options): a value must not become one of them.
 */
export const RESERVED = new RegExp(
  '^(?:' +
    [
      'PATH|IFS|ENV|BASH_ENV|BASHOPTS|SHELLOPTS|CDPATH|GLOBIGNORE|PS[0-4]|PROMPT_COMMAND|POSIXLY_CORRECT|BASH_[A-Z_]*|LD_[A-Z_]*|DYLD_[A-Z_]*',
      'GIT_SSH|GIT_SSH_COMMAND|GIT_PROXY_COMMAND|GIT_EXTERNAL_DIFF|GIT_EDITOR|GIT_SEQUENCE_EDITOR|GIT_PAGER|GIT_ASKPASS|GIT_EXEC_PATH|GIT_CONFIG_[A-Z_0-9]*|GIT_TEMPLATE_DIR',
      'EDITOR|VISUAL|PAGER|MANPAGER|LESSOPEN|LESSCLOSE|SSH_ASKPASS|SUDO_ASKPASS|BROWSER|KUBE_EDITOR|KUBECTL_EXTERNAL_DIFF|SYSTEMD_EDITOR|SYSTEMD_PAGER|PSQL_EDITOR|PSQL_PAGER',
      'PERL5OPT|PERL5LIB|PERLLIB|PYTHONSTARTUP|PYTHONPATH|PYTHONHOME|NODE_OPTIONS|NODE_PATH|RUBYOPT|RUBYLIB|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|LUA_INIT|LUA_PATH|TCLLIBPATH',
    ].join('|') +
    ')$',
);

export const DATA: RoleOf = { role: 'data', why: '' };

/** Wrappers that run a command given in their arguments: short options taking an argument, operands before the command. */
const WRAPPERS: Record<string, { args: string; long?: string[]; operands?: number; code?: string }> = {
  sudo: { args: 'CDghpRrTtUu', long: ['--user', '--group', '--chdir', '--host', '--prompt', '--close-from'] },
  doas: { args: 'Cu' },
  env: { args: 'CSu', long: ['--unset', '--chdir', '--split-string'], code: 'S' },
  nohup: { args: '' },
  time: { args: 'fo', long: ['--format', '--output'] },
  timeout: { args: 'ks', long: ['--kill-after', '--signal'], operands: 1 },
  nice: { args: 'n', long: ['--adjustment'] },
  ionice: { args: 'cnp' },
  stdbuf: { args: 'eio' },
  setsid: { args: '' },
  chroot: { args: '', operands: 1, long: ['--userspec', '--groups'] },
  exec: { args: 'a' },
  command: { args: '' },
  builtin: { args: '' },
  xargs: { args: 'aEdeIiLlnPs', long: ['--arg-file', '--delimiter', '--max-args', '--max-procs', '--replace', '--max-lines', '--max-chars'] },
  taskset: { args: '', operands: 1 },
  unshare: { args: '' },
  nsenter: { args: 'tSGnmuipUCT' },
  chrt: { args: '', operands: 1 },
  flock: { args: 'cEw', operands: 1, code: 'c' },
  strace: { args: 'abeEoOpPsSuUX' },
  ltrace: { args: 'aeEnoOpsu' },
  runuser: { args: 'cgGlsuw', code: 'c' },
  su: { args: 'cgGsw', code: 'c', long: ['--command'] },
  unbuffer: { args: '' },
  faketime: { args: '', operands: 1 },
  caffeinate: { args: 'tw' },
};

interface Interpreter {
  code: string;
  args: string;
  firstOperand: boolean;
  fileOption?: string;
  long?: string[];
  long2?: string[];
}

/** Interpreters: the short options whose argument is a program, and whether the first operand is one. */
const INTERPRETERS: Record<string, Interpreter> = {
  awk: { code: '', args: 'Fvf', firstOperand: true, fileOption: 'f' },
  gawk: { code: 'e', args: 'Fvfie', firstOperand: true, fileOption: 'f' },
  mawk: { code: '', args: 'Fvf', firstOperand: true, fileOption: 'f' },
  nawk: { code: '', args: 'Fvf', firstOperand: true, fileOption: 'f' },
  busybox: { code: '', args: '', firstOperand: true },
  sed: { code: 'e', args: 'efl', firstOperand: true, fileOption: 'f' },
  perl: { code: 'eE', args: 'eEIMm', firstOperand: true },
  ruby: { code: 'e', args: 'eIr', firstOperand: true },
  python: { code: 'c', args: 'cmWX', firstOperand: true },
  python2: { code: 'c', args: 'cmWX', firstOperand: true },
  python3: { code: 'c', args: 'cmWX', firstOperand: true },
  node: { code: 'ep', args: 'epr', firstOperand: true },
  deno: { code: '', args: '', firstOperand: true },
  bun: { code: 'e', args: 'e', firstOperand: true },
  php: { code: 'r', args: 'rBERFfcdz', firstOperand: true },
  lua: { code: 'e', args: 'el', firstOperand: true },
  Rscript: { code: 'e', args: 'e', firstOperand: true },
  jq: { code: '', args: 'fL', firstOperand: true, fileOption: 'f', long: ['--indent', '--from-file'], long2: ['--arg', '--argjson', '--slurpfile', '--rawfile'] },
  gojq: { code: '', args: 'fL', firstOperand: true, fileOption: 'f', long: ['--indent', '--from-file'], long2: ['--arg', '--argjson', '--slurpfile', '--rawfile'] },
  yq: { code: '', args: 'IoCp', firstOperand: true },
  psql: { code: 'c', args: 'cdfhLoPpTUv', firstOperand: false },
  mysql: { code: 'e', args: 'eDhPpuS', firstOperand: false },
  sqlite3: { code: '', args: 'cmd', firstOperand: false },
  osascript: { code: 'e', args: 'e', firstOperand: true },
  script: { code: 'c', args: 'cEIOqT', firstOperand: false },
  expect: { code: 'c', args: 'c', firstOperand: true },
  tclsh: { code: '', args: '', firstOperand: true },
};

/** Builtins whose operands are variable names. */
const NAME_TAKERS: Record<string, { args: string; names: string; operands: 'all' | 'second' | 'none' }> = {
  read: { args: 'adinNptu', names: 'a', operands: 'all' },
  mapfile: { args: 'dnOsuCc', names: '', operands: 'all' },
  readarray: { args: 'dnOsuCc', names: '', operands: 'all' },
  unset: { args: '', names: '', operands: 'all' },
  getopts: { args: '', names: '', operands: 'second' },
  printf: { args: 'v', names: 'v', operands: 'none' },
  wait: { args: 'p', names: 'p', operands: 'none' },
  test: { args: '', names: '', operands: 'none' },
  '[': { args: '', names: '', operands: 'none' },
  declare: { args: '', names: '', operands: 'all' },
  typeset: { args: '', names: '', operands: 'all' },
  local: { args: '', names: '', operands: 'all' },
  export: { args: '', names: '', operands: 'all' },
  readonly: { args: '', names: '', operands: 'all' },
};

const basename = (name: string) => name.slice(name.lastIndexOf('/') + 1);

/** An option word (-e, -ne …) that gives the interpreter its program (as text or as a file): its first operand is then data. */
const hasProgramOption = (interpreter: Interpreter, args: readonly (string | null)[]) =>
  args.some((a) => a !== null && /^-[A-Za-z]+$/.test(a) && [...(interpreter.code + (interpreter.fileOption ?? ''))].some((l) => a.endsWith(l)));

/** sudo -s / -i (and doas -s): the command is joined and run by a shell. */
const runsThroughShell = (args: readonly (string | null)[]) =>
  args.some((a) => a === '--shell' || a === '--login' || (a !== null && /^-[A-Za-z]*[is][A-Za-z]*$/.test(a) && !/^-[A-Za-z]*[CDghpRrTtUu]$/.test(a)));

/**
 * A shell's options (bash [options] [-c code | file] [args]): the index in args where its operands start,
 * whether -c makes the first one code, whether -s or `-` has it read commands from standard input, and
 * `expansion` when a word that is not literal stands among the options (what follows is not known).
 */
function shellOptions(args: readonly (string | null)[]): { operands: number; command: boolean; stdin: boolean; expansion: boolean } {
  let command = false;
  let stdin = false;
  let k = 0;
  for (; k < args.length; k++) {
    const a = args[k];
    if (a === null || a === undefined) return { operands: k, command, stdin, expansion: true };
    if (a === '-' || a === '--') return { operands: k + 1, command, stdin: stdin || a === '-', expansion: false };
    // -o NAME, -euo NAME, -O NAME: the next word is the option's argument.
    if (/^[-+][A-Za-z]*[oO]$/.test(a) || a === '--rcfile' || a === '--init-file') k++;
    else if (!/^[-+]/.test(a)) break;
    if (/^-[A-Za-z]*c/.test(a)) command = true;
    if (/^-[A-Za-z]*s/.test(a)) stdin = true;
  }
  return { operands: k, command, stdin, expansion: false };
}

/** Indexes in args of the operands: options (and their arguments) skipped up to the first operand or `--`. */
function operandIndexes(args: readonly (string | null)[], optionsWithArgs: string, long: readonly string[] = [], long2: readonly string[] = []): number[] {
  let k = 0;
  for (; k < args.length; k++) {
    const a = args[k];
    if (a === '--') {
      k++;
      break;
    }
    if (a === null || a === undefined || !/^-./.test(a)) break;
    if (long2.includes(a)) k += 2;
    else if (a.startsWith('--')) {
      if (!a.includes('=') && long.includes(a)) k++;
    } else {
      const letters = a.slice(1);
      const at = [...letters].findIndex((l) => optionsWithArgs.includes(l));
      if (at >= 0 && at === letters.length - 1) k++;
    }
  }
  const found: number[] = [];
  for (; k < args.length; k++) found.push(k);
  return found;
}

/** Where in a wrapper's arguments the command it runs starts (args.length when there is none). */
function wrappedStart(name: string, args: readonly (string | null)[]): number {
  const wrapper = WRAPPERS[name] as (typeof WRAPPERS)[string];
  let k = 0;
  let leading = wrapper.operands ?? 0;
  for (; k < args.length; k++) {
    const a = args[k];
    if (a === null || a === undefined) return args.length;
    if (a === '--') return k + 1;
    if (a.startsWith('-') && a.length > 1) {
      if (a.startsWith('--')) {
        if (!a.includes('=') && wrapper.long?.includes(a)) k++;
        continue;
      }
      const letters = a.slice(1);
      const at = [...letters].findIndex((l) => wrapper.args.includes(l));
      if (at >= 0 && at === letters.length - 1) k++;
      continue;
    }
    if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) continue;
    if (leading > 0) {
      leading--;
      continue;
    }
    break;
  }
  return k;
}

const CONTAINER_CLIS = new Set(['kubectl', 'oc', 'docker', 'podman', 'nerdctl', 'crictl']);
/** CLIs whose exec/run take the command after the container or image, without `--`. */
const DOCKER_LIKE = new Set(['docker', 'podman', 'nerdctl', 'crictl']);
const DOCKER_FLAGS = new Set([
  '-d', '--detach', '-i', '--interactive', '-t', '--tty', '-it', '-ti', '-dit', '-itd', '-di', '-dt', '--rm', '--init', '--privileged',
  '-P', '--publish-all', '--read-only', '-q', '--quiet', '--no-healthcheck',
]);
const DOCKER_ARGS = new Set([
  '-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys', '-v', '--volume', '-p', '--publish', '--name', '--network',
  '--net', '-m', '--memory', '--cpus', '--mount', '-l', '--label', '-h', '--hostname', '--add-host', '--restart', '--platform', '--pull',
  '--cap-add', '--cap-drop', '--device', '--dns', '--log-driver', '--log-opt', '--security-opt', '--ulimit', '--tmpfs', '--shm-size',
  '--pid', '--ipc', '--userns', '--group-add', '--stop-signal', '--cidfile', '--expose', '-a', '--attach', '--link', '--runtime', '--gpus',
]);

const DOCKER_GLOBAL_ARGS = new Set(['--context', '-c', '-H', '--host', '--config', '-l', '--log-level', '-n', '--namespace', '-r', '--runtime-endpoint', '-i', '--image-endpoint', '--url', '--connection', '--address', '-a', '--tlscacert', '--tlscert', '--tlskey']);

/**
 * Where the command that `docker exec CONTAINER …` / `docker run IMAGE …` runs starts in args; null when the
 * command is not exec or run; 'unknown' when an option not modelled here (or --entrypoint) hides it.
 */
function containerCommandStart(args: readonly (string | null)[]): number | 'unknown' | null {
  let k = 0;
  // Options before the subcommand (--context, -H, -n, --remote …): a form not modelled hides where it is.
  for (; k < args.length; k++) {
    const a = args[k];
    if (a === null || a === undefined) return 'unknown';
    if (!a.startsWith('-')) break;
    if (a.includes('=') || DOCKER_FLAGS.has(a) || a === '--remote' || a === '--debug' || a === '-D') continue;
    if (DOCKER_GLOBAL_ARGS.has(a)) k++;
    else return 'unknown';
  }
  if (args[k] === 'container') k++;
  else if (args[k] === 'compose') {
    // docker compose [options] exec|run SERVICE COMMAND: compose's own options are not modelled.
    const sub = args[k + 1];
    return sub === 'exec' || sub === 'run' ? 'unknown' : args.slice(k + 1).some((a) => a === 'exec' || a === 'run') ? 'unknown' : null;
  }
  const sub = args[k];
  if (sub !== 'exec' && sub !== 'run') return null;
  for (k++; k < args.length; k++) {
    const a = args[k];
    if (a === null || a === undefined) return 'unknown';
    if (a === '--') return k + 2;
    if (!a.startsWith('-')) return k + 1;
    if (a === '--entrypoint' || a.startsWith('--entrypoint=')) return 'unknown';
    if (a.includes('=') || DOCKER_FLAGS.has(a)) continue;
    if (DOCKER_ARGS.has(a)) k++;
    else return 'unknown';
  }
  return args.length;
}
const SSH_ARGS = 'BbcDEeFIiJLlmOoPpQRSWw';

/** The command a chain of wrappers (sudo, env, timeout …, kubectl exec … --) finally runs. */
function unwrapped(words: readonly (string | null)[]): readonly (string | null)[] {
  let w = words;
  for (let depth = 0; depth < 16; depth++) {
    const first = w[0];
    if (first === null || first === undefined) return w;
    const name = basename(first);
    const args = w.slice(1);
    const container = DOCKER_LIKE.has(name) ? containerCommandStart(args) : null;
    if (WRAPPERS[name] && !(name === 'command' && args.some((a) => a === '-v' || a === '-V'))) w = args.slice(wrappedStart(name, args));
    else if (typeof container === 'number') w = args.slice(container);
    else if (CONTAINER_CLIS.has(name) && args.includes('--')) w = args.slice(args.indexOf('--') + 1);
    else return w;
  }
  return w;
}

/** Interpreters whose standard input is data (their program is an argument). */
const STDIN_DATA = new Set(['awk', 'gawk', 'mawk', 'nawk', 'sed', 'jq', 'gojq', 'yq', 'busybox', 'script']);

/**
 * When a command runs what it reads on standard input (a pipeline's output, a here-document, a
 * here-string), what it is, for messages; otherwise null.
 */
export function readsCode(words: readonly (string | null)[]): string | null {
  const inner = unwrapped(words);
  const first = inner[0];
  if (first === null || first === undefined) return null;
  const name = basename(first);
  const args = inner.slice(1);
  if (SHELLS.has(name)) {
    const shell = shellOptions(args);
    return shell.stdin || (!shell.command && shell.operands >= args.length) ? `${name}, which runs its input as commands` : null;
  }
  if (name === 'ssh') return operandIndexes(args, SSH_ARGS).length <= 1 ? 'ssh, whose remote shell runs its input as commands' : null;
  if (name === 'at' || name === 'batch') return `${name}, which runs its input as commands`;
  // curl -K - / --config - reads options (output files, URLs, headers) from its input.
  if (name === 'curl' && args.some((a, k) => (a === '--config' || (a !== null && /^-[A-Za-z]*K$/.test(a))) && (args[k + 1] === '-' || args[k + 1] === null))) return 'curl -K -, which reads its options from its input';
  if (name === 'curl' && args.some((a) => a === '--config=-' || a === '-K-')) return 'curl -K -, which reads its options from its input';
  if (name === 'crontab') {
    const ops = operandIndexes(args, 'u');
    return ops.length === 0 || args[ops[0] as number] === '-' ? 'crontab, which installs its input as commands' : null;
  }
  const interpreter = INTERPRETERS[name];
  if (!interpreter || STDIN_DATA.has(name)) return null;
  if (hasProgramOption(interpreter, args)) return null;
  const ops = operandIndexes(args, interpreter.args, interpreter.long, interpreter.long2);
  const sql = name === 'psql' || name === 'mysql' || name === 'sqlite3';
  const fromStdin = name === 'sqlite3' ? ops.length <= 1 : sql || ops.length === 0 || args[ops[0] as number] === '-';
  return fromStdin ? `${name}, which runs its input as ${sql ? 'SQL' : 'code'}` : null;
}

/** Commands that run text as code in some form (their arguments, a file, their input, a shell they start). */
const EVALUATORS = new Set([
  ...SHELLS, 'busybox', 'eval', 'source', '.', 'su', 'runuser', 'xargs', 'exec', 'trap', 'alias', 'command', 'builtin',
  'parallel', 'watch', 'at', 'batch', 'bind', 'complete', 'compgen', 'enable', 'fc', 'script', 'expect', 'tmux', 'screen',
  // Commands that run a command given in their arguments, whose options are not modelled here.
  'setarch', 'linux32', 'linux64', 'prlimit', 'setpriv', 'sg', 'newgrp', 'pkexec', 'systemd-run', 'bwrap', 'firejail', 'chpst',
  'runcon', 'sshpass', 'torsocks', 'proxychains', 'proxychains4', 'valgrind', 'gdb', 'flatpak-spawn', 'toolbox', 'distrobox',
  // hash -p PATH NAME chooses which program NAME runs.
  'hash',
]);
/** Commands that write files (with redirections, what lets a block run text it wrote: `./x.sh`). */
const WRITERS = new Set(['tee', 'cp', 'mv', 'install', 'dd', 'ln', 'chmod', 'curl', 'wget', 'rsync', 'scp', 'tar', 'unzip', 'patch', 'sed', 'perl', 'awk', 'gawk', 'truncate', 'touch']);

/**
 * What a command (the words from a command name on, literal text or null) means for the whole block: it
 * runs text as code somewhere, it evaluates arithmetic, it writes files.
 */
export function commandRisk(words: readonly (string | null)[]): { evaluates?: string; arithmetic?: string; writes?: boolean } {
  const first = words[0];
  if (first === null || first === undefined) return { evaluates: 'a command word that is an expansion ($cmd, "$cmd", $(…))' };
  const name = basename(first);
  const args = words.slice(1);
  // command -v / -V only looks a name up.
  if (name === 'command' && args.length > 0 && args.every((a) => a !== null && (/^-[pvV]+$/.test(a) || !a.startsWith('-'))) && args.some((a) => a === '-v' || a === '-V')) return {};
  if (EVALUATORS.has(name)) return { evaluates: name };
  if (name === 'sudo' || name === 'doas') return runsThroughShell(args) ? { evaluates: `${name} -s/-i, which runs the command through a shell` } : {};
  if (name === 'env' && args.some((a) => a !== null && (/^-[A-Za-z]*S/.test(a) || a.startsWith('--split-string')))) return { evaluates: 'env -S' };
  if ((name === 'mapfile' || name === 'readarray') && args.some((a) => a !== null && /^-[A-Za-z]*C/.test(a))) return { evaluates: `${name} -C` };
  if (DECLARATIONS.has(name)) {
    const options = args.filter((a): a is string => a !== null && /^[-+][A-Za-z]+$/.test(a)).join('');
    if (/n/.test(options)) return { evaluates: `${name} -n (a name reference)` };
    if (args.some((a) => a === null)) return { evaluates: `${name} with an argument that is an expansion` };
    if (/i/.test(options)) return { arithmetic: `${name} -i` };
    return {};
  }
  if (name === 'let') return { arithmetic: 'let' };
  return WRITERS.has(name) ? { writes: true } : {};
}

/**
 * The role of the next word of a simple command, given the words before it (literal text, null when not
 * literal). Commands that run a command of their own are followed into it.
 */
export function nextRole(words: readonly (string | null)[]): RoleOf {
  if (words.length === 0) return { role: 'name', why: 'the command name' };
  const first = words[0];
  if (first === null || first === undefined) return DATA;
  const name = basename(first);
  const args = words.slice(1);
  const operands = (optionsWithArgs: string, long: readonly string[] = [], long2: readonly string[] = []) => operandIndexes(args, optionsWithArgs, long, long2);
  const index = args.length; // the index in args of the word being asked about
  /** True when the word before the next one is option `-x` with x in `letters` (or the option word ends in it). */
  const afterOption = (letters: string, long: string[] = []) => {
    const prev = args[index - 1];
    if (prev === null || prev === undefined) return false;
    if (long.includes(prev)) return true;
    return /^-[A-Za-z]+$/.test(prev) && letters.includes(prev[prev.length - 1] as string);
  };
  switch (name) {
    case 'eval':
    case 'alias':
    case 'bind':
    case 'complete':
    case 'compgen':
    case 'enable':
    case 'watch':
    case 'fc':
      return { role: 'code', why: `${name} runs its arguments as code` };
    case 'source':
    case '.':
      return index === 0 ? { role: 'code', why: `${name} runs the file as code` } : DATA;
    case 'trap': {
      const ops = operands('');
      return ops.length === 0 ? { role: 'code', why: 'trap runs its first argument as code' } : DATA;
    }
    case 'let':
      return { role: 'arith', why: 'let' };
    case 'ssh': {
      const ops = operands(SSH_ARGS);
      return ops.length >= 1 ? { role: 'code', why: 'ssh runs the remote command through a shell' } : DATA;
    }
    case 'find': {
      // -exec … ; runs a command of its own.
      let start = -1;
      for (let k = 0; k < args.length; k++) {
        const a = args[k];
        if (a !== null && a !== undefined && /^-(?:exec|execdir|ok|okdir)$/.test(a)) start = k + 1;
        else if (start >= 0 && (a === ';' || a === '+')) start = -1;
      }
      return start >= 0 ? nextRole(args.slice(start)) : DATA;
    }
    case 'oc':
    case 'kubectl':
    case 'docker':
    case 'podman':
    case 'nerdctl':
    case 'crictl': {
      if (DOCKER_LIKE.has(name)) {
        const start = containerCommandStart(args);
        if (start === 'unknown') return index > 1 ? { role: 'code', why: `${name}: the command it runs in the container cannot be told apart from its options` } : DATA;
        if (start !== null) return index < start ? DATA : nextRole(args.slice(start));
      }
      // oc rsh POD COMMAND runs the command in a shell in the pod.
      if (name === 'oc' && args.includes('rsh')) return index > args.indexOf('rsh') + 1 ? { role: 'code', why: 'oc rsh runs a command in a shell' } : DATA;
      // exec/run/debug … -- COMMAND: a command run in the container.
      const dash = args.indexOf('--');
      return dash >= 0 ? nextRole(args.slice(dash + 1)) : DATA;
    }
    case 'ip': {
      // ip netns exec NAME COMMAND, ip vrf exec NAME COMMAND …
      const exec = args.indexOf('exec');
      return exec >= 0 && index > exec ? { role: 'code', why: 'ip … exec runs a command' } : DATA;
    }
    case 'parallel':
      return index > 0 || operands('jSdaI').length > 0 ? { role: 'code', why: 'parallel runs its command through a shell' } : DATA;
    default:
      break;
  }
  if (SHELLS.has(name)) {
    // The command string (-c) or the script is code.
    const shell = shellOptions(args);
    if (shell.expansion) return { role: 'code', why: `${name} runs it` };
    return index <= shell.operands ? { role: 'code', why: shell.command ? `${name} -c runs it as code` : `${name} runs it` } : DATA;
  }
  const wrapper = WRAPPERS[name];
  if (wrapper) {
    if (wrapper.code && afterOption(wrapper.code, name === 'su' ? ['--command'] : name === 'env' ? ['--split-string'] : [])) {
      return { role: 'code', why: `${name} runs it as code` };
    }
    if (name === 'command' && args.some((a) => a === '-v' || a === '-V')) return DATA;
    // sudo -s / -i: the command is joined and run by a shell.
    if (name === 'sudo' && runsThroughShell(args)) {
      return operands(wrapper.args, wrapper.long).length > 0 || index > 0 ? { role: 'code', why: 'sudo -s/-i runs the command through a shell' } : DATA;
    }
    const k = wrappedStart(name, args);
    if (index < k) return DATA;
    return nextRole(args.slice(k));
  }
  const interpreter = INTERPRETERS[name];
  if (interpreter) {
    if (interpreter.code && afterOption(interpreter.code)) return { role: 'code', why: `${name} runs it as code` };
    if (interpreter.fileOption && afterOption(interpreter.fileOption)) return { role: 'code', why: `${name} -${interpreter.fileOption} runs the file it names` };
    if (interpreter.firstOperand && !hasProgramOption(interpreter, args)) {
      const ops = operands(interpreter.args, interpreter.long, interpreter.long2);
      if (ops.length === 0) return { role: 'code', why: `${name} reads its first operand as a program` };
    }
    if (name === 'sqlite3') {
      const ops = operands(interpreter.args);
      if (ops.length >= 1) return { role: 'code', why: 'sqlite3 runs it as SQL' };
    }
    return DATA;
  }
  if ((name === 'mapfile' || name === 'readarray') && afterOption('C')) return { role: 'code', why: `${name} -C runs it` };
  const taker = NAME_TAKERS[name];
  if (taker) {
    const varname = { role: 'varname' as const, why: `${name} takes a variable name there` };
    if ((name === 'test' || name === '[') && args[index - 1] === '-v') return { ...varname, tested: true };
    if (taker.names && afterOption(taker.names)) return varname;
    if (afterOption(taker.args)) return DATA;
    if (taker.operands === 'none') return DATA;
    const ops = operands(taker.args);
    if (taker.operands === 'all') {
      if (name === 'mapfile' || name === 'readarray') return ops.length === 0 ? varname : DATA;
      return varname;
    }
    return ops.length === 1 ? varname : DATA;
  }
  return DATA;
}
