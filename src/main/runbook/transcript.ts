// Transcripts: code blocks that show a terminal session — prompts, the commands typed after them, and
// the output that followed — rather than a script. The commands are what runs; the prompts never do, and
// neither does the output, which becomes the block's expected output (shown for comparison).
//
// Rules (docs/runbook-model.md, "Transcripts"):
//  - A prompt is `$ `, `% `, `user@host:dir$ `, `[user@host dir]# ` … at the start of a line (promptOf in
//    prompts.ts), indented as the block's first prompt is: a more indented one is output. `# ` is also the root prompt, but in bash `# text` is a comment, so
//    it counts as a prompt only when the text reads as a command AND either the fence is a console one
//    (console, shell-session, terminal …), or the block has other prompts, or every other line of the
//    block is output (no line reads as a command).
//  - The transcript starts at its first prompt; blank and `#` comment lines may come before it. In a
//    script or unlabelled fence, a line before it that is neither means prompts and commands are mixed:
//    refused, unless every prompt-like line sits inside a here-document or quotes (then it is a script).
//  - A command runs on over the next lines while it is unfinished: a trailing backslash, an open quote
//    or here-document, a trailing `|` / `&&` / `||`, an open `(`, `{`, `if`, `case`, `for` / `while`.
//    Such lines may carry bash's `> ` continuation prompt, which is removed (all of a command's
//    continuation lines, or none of them). Whatever else follows a command up to the next prompt is output.
//  - Refused (the block is shown, not run, with the reason): a Windows prompt; another program's prompt
//    (mysql>, >>>, postgres=#, gpg> …: what follows is typed into that program); a change of prompt (the
//    commands after it run in another shell); a command that opens an interactive session (ssh HOST,
//    kubectl exec -it … sh, oc debug node/…, psql without -c …) with more commands after it; `exit`;
//    a command that never ends before the block does; a new prompt inside an unfinished command; a
//    backslash followed by spaces at a line end; and, in a bash/sh/… fence, an unprompted line that reads
//    as a command (is it output, or a command to run?).
// The session checks again, with the project's bash parser, that each command parses on its own
// (session/plan.ts), so a mistake here can stop a block from running, never run output.
import { type Prompt, describePrompt, isKnownCommand, mayBeCommand, promptOf, readsAsCommand } from './prompts.js';
import { shellRuns } from './shell-lexer.js';

/** A command running on longer than this is not read (a transcript, not a script file). */
const MAX_COMMAND_LINES = 5000;

/** What kind of fence a block sits in, for the transcript rules. */
export type FenceKind = 'console' | 'script' | 'none';

export interface TranscriptCommand {
  /** 1-based lines of the block where the command starts (its prompt) and ends. */
  line: number;
  endLine: number;
  /** The command without its prompt; continuation lines joined by newlines, `> ` removed. */
  text: string;
}

export type Transcript =
  /** No prompts: the block is what it is (a script, output, text). */
  | { kind: 'none' }
  | { kind: 'commands'; commands: TranscriptCommand[]; output: string | null; prompt: string }
  /** Prompts were found, but the commands cannot be run from here or told apart safely. */
  | { kind: 'refused'; reason: string; output: string | null };

/** Why a command is unfinished (bash would wait for more lines), or null when it is complete. */
export function unfinished(text: string): string | null {
  // With a line after it, an open quote or here-document holds that line: its context is not bare.
  const probe = `${text}\n\u0001`;
  const runs = shellRuns(probe);
  const end = runs[runs.length - 1];
  if (end && (end.context === 'single' || end.context === 'double')) {
    // A quoted run starts at its quote; a here-document body at the start of a line.
    const first = probe[end.start];
    if (first === "'" || (first === '$' && probe[end.start + 1] === "'")) return 'a single quote is open';
    if (first === '"') return 'a double quote is open';
    return 'a here-document is open';
  }
  const lastLine = text.slice(text.lastIndexOf('\n') + 1);
  if (/(?:^|[^\\])(?:\\\\)*\\[ \t]+$/.test(lastLine)) return 'backslash-space';
  if (/(?:^|[^\\])(?:\\\\)*\\$/.test(lastLine)) return 'a line ends in a backslash';
  // Only the text bash reads as syntax: quotes, here-document bodies and comments blanked out.
  let bare = '';
  let at = 0;
  for (const run of shellRuns(text)) {
    bare += text.slice(at, run.start).replace(/[^\n]/g, ' ');
    const chunk = text.slice(run.start, run.end);
    bare += run.context === 'bare' ? chunk : chunk.replace(/[^\n]/g, ' ');
    at = run.end;
  }
  const syntax = bare.replace(/\\./g, '  ');
  if (/(\|\||&&|\||\|&)$/.test(syntax.trimEnd())) return 'a pipe or && ends the line';
  const count = (re: RegExp) => (syntax.match(re) ?? []).length;
  if (count(/\(/g) > count(/\)/g)) return 'a parenthesis is open';
  if (count(/`/g) % 2 === 1) return 'a backquote is open';
  if (count(/(?:^|[\s;&|(])\{(?=\s|$)/gm) > count(/(?:^|[\s;&])\}(?=[\s;&|)]|$)/gm)) return 'a { group is open';
  const openers = count(/(?:^|[;&|(){!]|\b(?:then|do|else|elif)\b)[ \t]*(?:if|case|for|while|until|select)(?=\s|$)/gm);
  const closers = count(/(?:^|[;&|(){\s])(?:fi|esac|done)(?=[\s;&|)]|$)/gm);
  if (openers > closers) return 'an if, case or loop is open';
  return null;
}

/**
 * Whether a line added to a command unfinished for `why` could finish it; if not, the command is not read
 * again (which would make a long command quadratic): only a line with the quote, a lone word (a
 * here-document's delimiter), `)`, `}`, `fi`/`esac`/`done`, or one not ending in a backslash, can.
 */
function canEnd(why: string, line: string): boolean {
  switch (why) {
    case 'a single quote is open':
      return line.includes("'");
    case 'a double quote is open':
      return line.includes('"');
    case 'a backquote is open':
      return line.includes('`');
    case 'a here-document is open':
      return /^\t*[A-Za-z_][\w-]*\s*$/.test(line);
    case 'a parenthesis is open':
      return line.includes(')');
    case 'a { group is open':
      return line.includes('}');
    case 'an if, case or loop is open':
      return /\b(?:fi|esac|done)\b/.test(line);
    case 'a line ends in a backslash':
      // Another line ending in a backslash goes on whatever else it holds (read again when one does not).
      return !/(?:^|[^\\])(?:\\\\)*\\$/.test(line);
    default:
      return true;
  }
}

/** Words of a command, quotes kept: enough to read its name and options. */
function words(command: string): string[] {
  const first = command.split(/\s*(?:\|\|?|&&|;)\s*/)[0] ?? '';
  return first.match(/'[^']*'|"(?:\\.|[^"\\])*"|\S+/g) ?? [];
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'ksh', 'dash', 'ash', 'fish', 'csh', 'tcsh', '/bin/sh', '/bin/bash', '/bin/zsh', '/bin/ash', '/usr/bin/bash']);
const TTY = (args: string[]) => args.some((a) => /^-[a-zA-Z]*[it][a-zA-Z]*$/.test(a) && /i/.test(a) && /t/.test(a)) || (args.includes('-i') && args.includes('-t')) || (args.includes('--stdin') && args.includes('--tty'));

/** The interactive session a command opens (later commands of a transcript are typed into it), or null. */
export function opensSession(command: string): string | null {
  let ws = words(command);
  while (ws[0] && /^[A-Za-z_][A-Za-z0-9_]*=/.test(ws[0])) ws = ws.slice(1);
  const name = (ws[0] ?? '').replace(/^.*\//, '');
  const args = ws.slice(1);
  const plain = args.filter((a) => !a.startsWith('-'));
  const afterDashes = args.includes('--') ? args.slice(args.indexOf('--') + 1) : null;
  const shellOrNothing = (rest: string[] | null) => rest === null || rest.length === 0 || (rest.length === 1 && SHELLS.has(rest[0] as string));
  switch (name) {
    case 'sudo': {
      const rest: string[] = [];
      for (let k = 0; k < args.length; k++) {
        const a = args[k] as string;
        if (/^-[ugCDhpRrTU]$/.test(a)) k++;
        else if (!a.startsWith('-')) {
          rest.push(...args.slice(k));
          break;
        }
      }
      if (rest.length === 0) return args.some((a) => /^-[a-zA-Z]*[is]/.test(a) || a === '--login' || a === '--shell') ? `sudo ${args.join(' ')}` : null;
      if (rest[0] === 'su' || (rest.length === 1 && SHELLS.has(rest[0] as string))) return `sudo ${rest.join(' ')}`;
      return opensSession(rest.join(' '));
    }
    case 'su':
      return args.includes('-c') || args.includes('--command') ? null : 'su';
    case 'ssh': {
      const valued = new Set(['-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w']);
      const rest: string[] = [];
      for (let k = 0; k < args.length; k++) {
        const a = args[k] as string;
        if (valued.has(a)) k++;
        else if (!a.startsWith('-')) rest.push(a);
      }
      return rest.length === 1 ? `ssh ${rest[0]}` : null;
    }
    case 'gcloud':
      return args.includes('ssh') && !args.some((a) => a.startsWith('--command')) ? 'gcloud … ssh' : null;
    case 'kubectl':
    case 'oc': {
      const valued = /^(-n|--namespace|--context|--kubeconfig|--cluster|--user|-s|--server|--token|--as|-c|--container)$/;
      const verb = args.find((a, k) => !a.startsWith('-') && !valued.test(args[k - 1] ?? ''));
      if ((verb === 'exec' || verb === 'attach' || verb === 'run') && TTY(args) && shellOrNothing(afterDashes)) return `${name} ${verb} -it`;
      if (verb === 'debug' && afterDashes === null) return `${name} debug`;
      if (verb === 'rsh' && args.filter((a, k) => !a.startsWith('-') && !valued.test(args[k - 1] ?? '')).length <= 2) return `${name} rsh`;
      return null;
    }
    case 'docker':
    case 'podman':
    case 'nerdctl':
    case 'crictl': {
      const verb = args.find((a, k) => !a.startsWith('-') && !/^(-H|--host|--context|-c|--config|-r|--runtime-endpoint)$/.test(args[k - 1] ?? ''));
      if ((verb === 'exec' || verb === 'run') && TTY(args) && SHELLS.has(args[args.length - 1] as string)) return `${name} ${verb} -it`;
      if (verb === 'attach') return `${name} attach`;
      return null;
    }
    case 'toolbox':
    case 'tmux':
    case 'screen':
      return name;
    case 'chroot':
      return plain.length === 1 ? `chroot ${plain[0]}` : null;
    case 'sh':
    case 'bash':
    case 'zsh':
    case 'ksh':
    case 'dash':
      return plain.length === 0 && !args.includes('-c') ? name : null;
    case 'psql':
    case 'gitlab-psql':
      return args.some((a) => /^(-c|-f|--command|--file)(=|$)/.test(a)) || /<|<<</.test(command) ? null : `${name} (a psql session)`;
    case 'mysql':
      return args.some((a) => /^(-e|--execute)(=|$)/.test(a)) || /<|<<</.test(command) ? null : 'mysql (a MySQL session)';
    case 'redis-cli': {
      const rest: string[] = [];
      for (let k = 0; k < args.length; k++) {
        const a = args[k] as string;
        if (/^(-[hpanu]|--user|--pass)$/.test(a)) k++;
        else if (!a.startsWith('-')) rest.push(a);
      }
      return rest.length === 0 && !/<|\|/.test(command) ? 'redis-cli (a Redis session)' : null;
    }
    case 'mongo':
    case 'mongosh':
      return args.some((a) => a.startsWith('--eval')) || plain.some((a) => /\.js$/.test(a)) ? null : `${name} (a MongoDB session)`;
    case 'sqlite3':
      return plain.length <= 1 && !/<|<<</.test(command) ? 'sqlite3 (an SQLite session)' : null;
    case 'gpg':
      return args.some((a) => a === '--edit-key' || a === '--card-edit' || a === '--edit-card') ? 'gpg (a gpg session)' : null;
    case 'python':
    case 'python3':
    case 'node':
    case 'irb':
      return args.length === 0 ? name : null;
    case 'gitlab-rails':
    case 'rails':
      return plain[0] === 'console' || plain[0] === 'c' || plain[0] === 'dbconsole' ? `${name} ${plain[0]}` : null;
    default:
      return null;
  }
}

/**
 * Reads a block as a transcript. `fence` says what the fence declares: a console session, a script
 * (bash, sh …), or nothing.
 */
export function readTranscript(source: string, fence: FenceKind): Transcript {
  const lines = source.split('\n');
  const prompts: (Prompt | null)[] = lines.map(promptOf);
  const bareHash = (i: number) => {
    const p = prompts[i];
    return p?.kind === 'shell' && p.identity === '#' ? p : null;
  };
  const strong = (i: number) => prompts[i] !== null && bareHash(i) === null;
  const hashCommand = (i: number) => {
    const p = bareHash(i);
    return p !== null && readsAsCommand(p.command);
  };

  let strongAny = false;
  for (let i = 0; i < lines.length; i++) if (strong(i)) strongAny = true;
  let hashPrompts = strongAny;
  if (!strongAny) {
    const candidates = lines.filter((_, i) => hashCommand(i));
    if (candidates.length === 0) return { kind: 'none' };
    if (fence !== 'console') {
      // In a script `# kubectl …` is a commented-out command, unless everything else is plainly output.
      const others = lines.filter((l) => l.trim() !== '' && !/^\s*#/.test(l));
      if (others.length === 0 || others.some(mayBeCommand)) return { kind: 'none' };
    }
    hashPrompts = true;
  }
  const anyPrompt = (i: number) => strong(i) || (hashPrompts && hashCommand(i));
  const first = lines.findIndex((_, i) => anyPrompt(i));
  if (first < 0) return { kind: 'none' };
  // Prompts stand where the first one does; an indented "$ …" further down is output (a help text's example).
  const indent = (i: number) => /^\s*/.exec(lines[i] as string)?.[0].length ?? 0;
  const column = indent(first);
  const isPrompt = (i: number) => anyPrompt(i) && indent(i) === column;
  if (fence !== 'console') {
    const before = lines.slice(0, first).findIndex((l) => l.trim() !== '' && !/^\s*#/.test(l));
    if (before >= 0) {
      // Prompt-like lines inside a here-document or quotes of a script are text, not prompts.
      const runs = shellRuns(source);
      let offset = 0;
      const bareStarts = new Set<number>();
      for (let i = 0, r = 0; i < lines.length; i++) {
        while (r < runs.length && (runs[r] as { end: number }).end <= offset) r++;
        const run = runs[r];
        if (!run || run.start > offset || run.context === 'bare') bareStarts.add(i);
        offset += (lines[i] as string).length + 1;
      }
      const promptAtLineStart = lines.findIndex((_, i) => strong(i) && bareStarts.has(i));
      if (promptAtLineStart < 0) return { kind: 'none' };
      const other = prompts[promptAtLineStart];
      if (other && other.kind !== 'shell') return refused(foreignPrompt(other, promptAtLineStart), null);
      return refused(`line ${promptAtLineStart + 1} starts with a prompt but line ${before + 1} before it has none: which lines are commands cannot be told safely; give every command its prompt, or none`, null);
    }
  }

  const commands: TranscriptCommand[] = [];
  const output: string[] = [];
  let identity: string | null = null;
  let promptShown = '';
  const outputText = () => {
    const text = output.join('\n').replace(/^(?:[ \t]*\n)+/, '').replace(/\s+$/, '');
    return text === '' ? null : text;
  };
  for (let i = first; i < lines.length; i++) {
    const line = lines[i] as string;
    const p = prompts[i] ?? null;
    if (!p || !isPrompt(i)) {
      if (commands.length === 0) continue; // comments or a banner before the first command
      if (fence === 'script' && line.trim() !== '' && !/^\s*#/.test(line) && isKnownCommand(line)) {
        return refused(`line ${i + 1} has no prompt but reads as a command: whether it is output or a command to run cannot be told; give every command its prompt, or none`, outputText());
      }
      output.push(line);
      continue;
    }
    if (p.kind !== 'shell') return refused(foreignPrompt(p, i), outputText());
    if (!p.command) continue; // an empty prompt
    if (identity !== null && p.identity !== identity) {
      const last = commands[commands.length - 1];
      return refused(`the prompt changes from ${describePrompt({ ...p, identity })} to ${describePrompt(p)} at line ${i + 1}: the commands after it are typed into another shell${last ? ` (the one line ${last.line} opens)` : ''}, which cannot be run from here`, outputText());
    }
    identity = p.identity;
    promptShown = describePrompt(p);
    const start = i;
    let text = p.command;
    let continuation: boolean | null = null;
    let why = unfinished(text);
    for (;;) {
      if (why === 'backslash-space') {
        return refused(`line ${i + 1} ends in a backslash followed by spaces, which bash does not read as a continued line: remove the spaces`, outputText());
      }
      if (!why) break;
      i++;
      if (i >= lines.length) return refused(`the command at line ${start + 1} never ends (${why}) before the block does`, outputText());
      if (i - start > MAX_COMMAND_LINES) return refused(`the command at line ${start + 1} runs on for more than ${MAX_COMMAND_LINES} lines (${why}): too long to read safely`, outputText());
      if (strong(i)) return refused(`line ${i + 1} starts a new prompt while the command at line ${start + 1} is unfinished (${why})`, outputText());
      const next = lines[i] as string;
      const ps2 = /^\s*>(?:\s|$)/.test(next);
      continuation ??= ps2;
      if (continuation && !ps2) return refused(`line ${i + 1} continues the command at line ${start + 1} without the "> " the lines before it show`, outputText());
      const added = continuation ? next.replace(/^\s*> ?/, '') : next;
      text += `\n${added}`;
      // Only a line with the quote, or a lone word (a here-document's delimiter), can end a quote or a
      // here-document: reading the whole command again for every other line would be quadratic.
      if (!canEnd(why, added)) continue;
      why = unfinished(text);
    }
    commands.push({ line: start + 1, endLine: i + 1, text });
  }
  if (commands.length === 0) return refused('its prompts have no commands after them', outputText());
  for (const [k, c] of commands.entries()) {
    if (/^\s*(exit|logout)(\s+\d+)?\s*$/.test(c.text)) {
      return refused(`line ${c.line} leaves a shell (${c.text.trim()}) that an earlier step opened; the block is a record of that session, not commands to run here`, outputText());
    }
    const session = k < commands.length - 1 ? opensSession(c.text) : null;
    if (session) {
      return refused(`line ${c.line} opens an interactive session (${session}); the commands after it are typed into that session, which cannot be run from here`, outputText());
    }
  }
  return { kind: 'commands', commands, output: outputText(), prompt: promptShown };
}

/** Why a line with a Windows prompt or another program's prompt is not run. */
function foreignPrompt(p: Prompt & { kind: 'windows' | 'repl' | 'nested' }, i: number): string {
  if (p.kind === 'windows') return `line ${i + 1} has a ${p.shell} prompt: Windows commands, which no executor here runs`;
  if (p.kind === 'nested') return `line ${i + 1} has the prompt "${p.prompt}" of a shell started inside another session (a container or a debug pod, as kubectl exec or oc debug open): its commands run there, not here`;
  return `line ${i + 1} has a prompt of ${p.program}: what follows it is typed into that program, not a shell, and no executor here runs it`;
}

function refused(reason: string, output: string | null): Transcript {
  return { kind: 'refused', reason, output };
}

/** 1-based line of the source that a 1-based line of the transcript's commands (joined by "\n") came from. */
export function sourceLineOf(commands: readonly TranscriptCommand[], codeLine: number): number {
  let line = 1;
  for (const c of commands) {
    const n = c.text.split('\n').length;
    if (codeLine < line + n) return c.line + (codeLine - line);
    line += n;
  }
  return commands[commands.length - 1]?.endLine ?? 1;
}
