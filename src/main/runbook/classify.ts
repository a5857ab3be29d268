// Decides what a code block is for — a command to run (shell, sql, k8s-manifest, promql) or text to show —
// and how its text is read: as written, as a terminal transcript (the commands after the prompts run, the
// rest is expected output), as output only, or as several PromQL queries.
import { parseAllDocuments } from 'yaml';
import { ACTIONS, type Action, type BlockReading } from '../../shared/runbook-model.js';
import { expectedInCode } from './expected.js';
import { NO_EXECUTOR, otherSqlDialect, startsSql } from './languages.js';
import { splitPromql } from './promql.js';
import { isKnownCommand, promptOf } from './prompts.js';
import { type FenceKind, type Transcript, type TranscriptCommand, readTranscript, sourceLineOf } from './transcript.js';
import { blockVariables } from './variables.js';

export interface Classification {
  action: Action;
  reason: string;
}

/** Everything the parser reads from one block's language, text and attributes (the Block's fields but its place). */
export interface ReadBlock extends Classification {
  /** What runs: the text as written, or a transcript's commands. For display blocks, the text as written. */
  code: string;
  /** The block as written. */
  source: string;
  reading: BlockReading;
  expectedOutput: string | null;
  queries: string[];
  expected: string[];
  variables: string[];
  optionalVariables: string[];
}

const SCRIPT_LANGS = new Set(['bash', 'sh', 'shell', 'zsh', 'ksh', 'dash', 'ash', 'shellscript', 'shell-script']);
const CONSOLE_LANGS = new Set(['console', 'shell-session', 'shellsession', 'sh-session', 'bash-session', 'zsh-session', 'terminal', 'term']);
const SQL_LANGS = new Set(['sql', 'psql', 'postgres', 'postgresql', 'pgsql', 'plpgsql']);
const YAML_LANGS = new Set(['yaml', 'yml']);
const PROMQL_LANGS = new Set(['promql']);

// First words that mark a line of an unlabelled block as a command someone types at a shell.
const COMMAND_WORDS = new Set([
  'sudo', 'kubectl', 'oc', 'helm', 'kubeadm', 'etcdctl', 'crictl', 'systemctl', 'journalctl', 'docker', 'podman',
  'git', 'curl', 'wget', 'ssh', 'scp', 'rsync', 'psql', 'pg_dump', 'pg_restore', 'pg_basebackup', 'pg_ctl',
  'mysql', 'redis-cli', 'cd', 'ls', 'cat', 'echo', 'export', 'grep', 'tail', 'head', 'less', 'find', 'mkdir',
  'rm', 'cp', 'mv', 'chmod', 'chown', 'tar', 'gzip', 'openssl', 'ping', 'dig', 'nslookup', 'nc', 'ps', 'kill',
  'df', 'du', 'free', 'top', 'watch', 'apt', 'apt-get', 'yum', 'dnf', 'npm', 'npx', 'pip', 'python', 'python3',
  'go', 'make', 'terraform', 'ansible', 'ansible-playbook', 'gcloud', 'aws', 'az', 'vault', 'consul', 'argocd',
  'gitlab-ctl', 'gitlab-rake', 'gitlab-psql', 'knife', 'chef-client', 'patronictl', 'wal-g', 'ssh-keygen',
  'gpg', 'jq', 'yq', 'awk', 'sed', 'xargs', 'for', 'while', 'if', 'source', 'service', 'mount', 'umount',
  'ip', 'iptables', 'ss', 'netstat', 'touch', 'ln', 'env', 'set', 'unset', 'time', 'nohup', 'timeout', 'runme',
]);

function meaningfulLines(code: string, comment = /^\s*(#|\/\/|--)/): string[] {
  return code.split('\n').filter((l) => l.trim() !== '' && !comment.test(l));
}

function looksLikeCommand(line: string): boolean {
  const t = line.trim();
  if (/^(\.{0,2}\/)[\w./-]+/.test(t)) return true; // ./script, /usr/bin/x
  if (/^[A-Z_][A-Z0-9_]*=\S*(\s|$)/.test(t)) return true; // VAR=value cmd
  const word = t.split(/[\s;|&(]/)[0] ?? '';
  return COMMAND_WORDS.has(word);
}

function isManifest(code: string): boolean {
  // Cheap test first: parsing every YAML-looking block in full was most of the model's cost over remark.
  if (!/^\s*apiVersion\s*:/m.test(code) || !/^\s*kind\s*:/m.test(code)) return false;
  try {
    const docs = parseAllDocuments(code);
    if (!Array.isArray(docs) || docs.length === 0) return false;
    const values: unknown[] = [];
    for (const d of docs) {
      if (d.errors.length > 0) return false;
      const v: unknown = d.toJS();
      if (v === null || v === undefined) continue; // an empty document between separators
      if (typeof v !== 'object' || Array.isArray(v) || !('apiVersion' in v) || !('kind' in v)) return false;
      values.push(v);
    }
    return values.length > 0;
  } catch {
    return false;
  }
}

/** What kind of fence, for the transcript rules; null when the language is not a shell's. */
export function fenceKind(lang: string | null): FenceKind | null {
  if (lang === null) return 'none';
  if (SCRIPT_LANGS.has(lang)) return 'script';
  if (CONSOLE_LANGS.has(lang)) return 'console';
  return null;
}

/** The first line of a block that starts with another program's prompt (`mysql>`, `postgres=#` …). */
function replPrompt(code: string): { line: number; program: string } | null {
  const lines = code.split('\n');
  for (const [i, line] of lines.entries()) {
    const p = promptOf(line);
    if (p?.kind === 'repl') return { line: i + 1, program: p.program };
  }
  return null;
}

interface Decision extends Classification {
  /** The transcript's commands run (the block's code is them). */
  commands?: boolean;
  reading?: BlockReading;
}

function decide(lang: string | null, code: string, attributes: Record<string, unknown>, transcript: Transcript): Decision {
  const named = lang ? `"${lang}"` : 'no language';
  const forced = attributes.action;
  if (typeof forced === 'string' && (ACTIONS as readonly string[]).includes(forced)) {
    if (forced === 'shell' && transcript.kind === 'commands') return { action: 'shell', reason: 'fence attribute "action": "shell"; its commands are the lines after the prompts', commands: true };
    if (forced === 'shell' && transcript.kind === 'refused') return { action: 'display', reason: `fence attribute "action": "shell", but ${transcript.reason}` };
    return { action: forced as Action, reason: `fence attribute "action": "${forced}"` };
  }
  if (attributes.run === false || attributes.excludeFromRunAll === true) {
    return { action: 'display', reason: 'fence attribute marks it not to be run' };
  }
  // Before the comment test: "# command" is a root prompt where the transcript rules say so.
  if (transcript.kind === 'commands') {
    return { action: 'shell', reason: `${lang ? `${lang} transcript` : 'transcript without a language'}: the commands after its prompts run; the other lines are their output`, commands: true };
  }
  if (transcript.kind === 'refused') return { action: 'display', reason: `${lang ? `${lang} transcript` : 'transcript without a language'}: ${transcript.reason}` };

  const lines = meaningfulLines(code);
  if (lines.length === 0) return { action: 'display', reason: 'the block holds only comments or nothing' };

  const product = lang ? NO_EXECUTOR[lang] : undefined;
  if (product) return { action: 'display', reason: `language ${named} is ${product}, which no executor here runs: shown, not run` };

  const fence = fenceKind(lang);
  if (fence === 'script') {
    const cmdLines = meaningfulLines(code, /^\s*#/);
    if (cmdLines.every((l) => /^\s*[-*]\s/.test(l))) {
      return { action: 'display', reason: `${lang} fence holds a list of notes, not commands` };
    }
    const first = cmdLines[0] ?? '';
    // A shell fence never says which database SQL in it is for: shown, not guessed to be PostgreSQL.
    if (startsSql(first) && !looksLikeCommand(first)) {
      return { action: 'display', reason: `${lang} fence holds SQL (it starts with "${first.trim().split(/\s+/)[0]}"), not shell commands, and does not say which database it is for: label it \`sql\` to run it on PostgreSQL` };
    }
    return { action: 'shell', reason: `language ${named} is a shell` };
  }
  if (fence === 'console') {
    // No prompts at all: commands written bare (each line one), or the output of a command shown earlier.
    const cmdLines = meaningfulLines(code, /^\s*#/);
    if (cmdLines.length > 0 && cmdLines.every(isKnownCommand)) {
      return { action: 'shell', reason: `${lang} block without prompts whose every line reads as a command`, reading: { kind: 'as-written', reason: 'no line starts with a prompt, and every line reads as a command' } };
    }
    return { action: 'display', reason: `${lang} block without any prompt is output, not commands`, reading: { kind: 'output', reason: 'no line starts with a prompt, and not every line reads as a command: it is output to look at' } };
  }
  if (lang && SQL_LANGS.has(lang)) {
    const repl = replPrompt(code);
    if (repl) return { action: 'display', reason: `line ${repl.line} has a prompt of ${repl.program}: a session transcript, not SQL to send as it is` };
    if (lang === 'sql') {
      const other = otherSqlDialect(code);
      if (other) return { action: 'display', reason: `the SQL is written for ${other.dialect} ("${other.evidence}"), and PostgreSQL is the only database an executor here runs: shown, not run` };
    }
    return { action: 'sql', reason: `language ${named} is SQL` };
  }
  if (lang && PROMQL_LANGS.has(lang)) return { action: 'promql', reason: 'language "promql" is a Prometheus query' };
  if (lang && YAML_LANGS.has(lang)) {
    return isManifest(code)
      ? { action: 'k8s-manifest', reason: 'YAML whose every document has apiVersion and kind' }
      : { action: 'display', reason: 'YAML without apiVersion and kind is configuration to read, not apply' };
  }
  if (lang) return { action: 'display', reason: `language ${named} is shown, not run` };
  const repl = replPrompt(code);
  if (repl) return { action: 'display', reason: `no language, and line ${repl.line} has a prompt of ${repl.program}: what follows it is typed into that program, which no executor here runs` };
  if (looksLikeCommand(lines[0] as string)) {
    return { action: 'shell', reason: 'no language, and its first line is a shell command' };
  }
  if (startsSql(lines[0] as string)) return { action: 'display', reason: 'no language, and it reads as SQL: without a `sql` fence the database it is for is not said' };
  if (isManifest(code)) return { action: 'k8s-manifest', reason: 'no language, but YAML with apiVersion and kind' };
  return { action: 'display', reason: 'no language and no command lines' };
}

/** The transcript reading (when the fence allows one) and the decision on the block. */
function decideBlock(lang: string | null, source: string, attributes: Record<string, unknown>): { transcript: Transcript; decision: Decision } {
  const fence = fenceKind(lang);
  const forced = attributes.action;
  const mayBeTranscript = fence !== null && (typeof forced !== 'string' || forced === 'shell' || forced === 'display' || !(ACTIONS as readonly string[]).includes(forced)) && !(lang && NO_EXECUTOR[lang]);
  let transcript: Transcript = mayBeTranscript ? readTranscript(source, fence) : { kind: 'none' };
  // "# kubectl apply -f -" over a manifest without a language says how to apply it: the block is the manifest.
  if (fence === 'none' && transcript.kind === 'commands' && transcript.prompt === '"#"' && isManifest(source)) transcript = { kind: 'none' };
  return { transcript, decision: decide(lang, source, attributes, transcript) };
}

/** Reads one block: its action, the code that runs, how it was read, and what it needs. */
export function readBlock(lang: string | null, source: string, attributes: Record<string, unknown>): ReadBlock {
  const { transcript, decision } = decideBlock(lang, source, attributes);
  const { action } = decision;
  const commands = decision.commands && transcript.kind === 'commands' ? transcript.commands : null;
  const code = commands ? commands.map((c) => c.text).join('\n') : source;

  let reading: BlockReading;
  let queries: string[] = [];
  if (transcript.kind === 'commands') {
    reading = {
      kind: 'transcript',
      reason: `${commands ? 'the' : 'its'} ${transcript.commands.length === 1 ? 'line after the prompt is the command' : `lines after the ${transcript.prompt} prompts are the ${transcript.commands.length} commands`} (continuation lines included); the other lines are output, kept as the expected output`,
    };
  } else if (transcript.kind === 'refused') {
    reading = { kind: 'transcript', reason: transcript.reason };
  } else if (decision.reading) {
    reading = decision.reading;
  } else if (action === 'promql') {
    queries = splitPromql(source);
    reading = queries.length > 1
      ? { kind: 'queries', reason: `${queries.length} PromQL queries (a new one starts where the expression before it is complete): each is run and recorded on its own` }
      : { kind: 'as-written', reason: 'one PromQL query' };
  } else {
    reading = { kind: 'as-written', reason: action === 'display' ? 'shown as written' : action === 'shell' ? 'run as written: no line starts with a prompt' : 'run as written' };
  }
  if (action === 'promql' && queries.length === 0) queries = splitPromql(source);

  const variables = blockVariables(code, action);
  return {
    action,
    reason: decision.reason,
    code,
    source,
    reading,
    // Output of commands that cannot run here would be an example of nothing: only a readable transcript has one.
    expectedOutput: transcript.kind === 'commands' ? transcript.output : null,
    queries,
    expected: expectedInCode(source),
    variables: variables.required,
    optionalVariables: variables.optional,
  };
}

/** The commands of a block read as a runnable transcript (their lines in the block as written), else null. */
export function transcriptCommands(block: { lang: string | null; code: string; source?: string | undefined; reading?: BlockReading | undefined; action: Action }): TranscriptCommand[] | null {
  if (block.reading?.kind !== 'transcript' || block.action !== 'shell' || block.source === undefined) return null;
  const fence = fenceKind(block.lang);
  const transcript = fence ? readTranscript(block.source, fence) : null;
  return transcript?.kind === 'commands' ? transcript.commands : null;
}

/** The 1-based line of the block as written that a 1-based line of its code comes from. */
export function sourceLineOfCode(block: Parameters<typeof transcriptCommands>[0], codeLine: number): number {
  const commands = transcriptCommands(block);
  return commands ? sourceLineOf(commands, codeLine) : codeLine;
}
