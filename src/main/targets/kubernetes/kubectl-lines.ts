// Reads a shell block bound to a kubernetes target as a list of kubectl command lines, so that they run
// against the target's pinned cluster and context instead of whatever kubectl would pick up. Blank lines and
// # comments are skipped, a backslash-newline continues a line. Anything a shell would do beyond running
// kubectl with literal words — pipes, redirections, variable expansion, other commands — is refused:
// running it here would not mean what it means in bash.
import path from 'node:path';
import { parse } from 'shell-quote';
import { logicalLines } from '../../runbook/shell-lexer.js';

export interface KubectlLine {
  /** 1-based line of the block where the command starts. */
  line: number;
  /** The command as written (continuations joined), for echoing and messages. */
  text: string;
  /** The words after `kubectl`. */
  args: string[];
  /** Indexes into args of unquoted glob patterns, kept literal (`set image deploy/x *=nginx`). */
  globs: number[];
}

export type KubectlLines = { ok: true; lines: KubectlLine[] } | { ok: false; reason: string };

export const NOT_KUBECTL = 'a kubernetes target runs kubectl command lines; bind this block to a shell target';

type Token = ReturnType<typeof parse>[number] | { expansion: string };

function describeToken(token: Exclude<Token, string>): string {
  if ('expansion' in token) return `$${token.expansion} would be expanded by a shell`;
  if ('op' in token) return `"${token.op}" is shell syntax`;
  return 'a comment';
}

export function parseKubectlLines(code: string): KubectlLines {
  const lines: KubectlLine[] = [];
  for (const logical of logicalLines(code)) {
    // An env callback that records expansions instead of replacing them with "" as shell-quote would.
    const tokens: Token[] = parse(logical.text, (name: string) => ({ expansion: name }));
    const words: string[] = [];
    const globs: number[] = [];
    for (const token of tokens) {
      if (typeof token === 'string') words.push(token);
      else if ('comment' in token) break;
      else if ('op' in token && token.op === 'glob') {
        globs.push(words.length - 1);
        words.push(token.pattern);
      } else return { ok: false, reason: `line ${logical.line}: ${describeToken(token)}; ${NOT_KUBECTL}` };
    }
    if (words.length === 0) continue;
    if (path.basename(words[0] as string) !== 'kubectl') {
      return { ok: false, reason: `line ${logical.line} runs ${JSON.stringify(words[0])}: ${NOT_KUBECTL}` };
    }
    lines.push({ line: logical.line, text: logical.text.trim(), args: words.slice(1), globs });
  }
  if (lines.length === 0) return { ok: false, reason: `the block has no kubectl line: ${NOT_KUBECTL}` };
  return { ok: true, lines };
}
