// Splits shell text into runs by quoting context, enough to know whether `$VAR` or `<PLACEHOLDER>` at a
// position would be expanded by bash, and how a value placed there must be quoted.
// It understands '…', "…", $'…', backslash escapes, # comments and here-documents; not a full parser.

export type ShellContext = 'bare' | 'single' | 'double' | 'comment';

export interface ShellRun {
  context: ShellContext;
  start: number;
  end: number;
}

const HEREDOC = /<<(-?)\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/y;

/** Runs of text with one context each, covering the whole input in order. */
export function shellRuns(text: string): ShellRun[] {
  const runs: ShellRun[] = [];
  let context = 'bare' as ShellContext; // 'as': switchTo changes it inside a closure
  let start = 0;
  const pendingHeredocs: { delimiter: string; literal: boolean; stripTabs: boolean }[] = [];
  const switchTo = (next: ShellContext, at: number) => {
    if (next === context) return;
    if (at > start) runs.push({ context, start, end: at });
    context = next;
    start = at;
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (context === 'single') {
      if (ch === "'") switchTo('bare', i + 1);
      i++;
      continue;
    }
    if (context === 'double') {
      if (ch === '\\') i += 2;
      else {
        if (ch === '"') switchTo('bare', i + 1);
        i++;
      }
      continue;
    }
    if (context === 'comment') {
      if (ch === '\n') switchTo('bare', i);
      else {
        i++;
        continue;
      }
    }
    // bare
    if (ch === '\\') {
      i += 2;
    } else if (ch === "'") {
      switchTo('single', i);
      i++;
    } else if (ch === '$' && text[i + 1] === "'") {
      switchTo('single', i);
      i += 2;
      // $'…' allows \' inside
      while (i < text.length && text[i] !== "'") i += text[i] === '\\' ? 2 : 1;
      i++;
      switchTo('bare', Math.min(i, text.length));
    } else if (ch === '"') {
      switchTo('double', i);
      i++;
    } else if (ch === '#' && (i === 0 || /[\s;&|(]/.test(text[i - 1] as string))) {
      switchTo('comment', i);
      i++;
    } else if (ch === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      HEREDOC.lastIndex = i;
      const m = HEREDOC.exec(text);
      if (m) {
        pendingHeredocs.push({ delimiter: m[3] as string, literal: m[2] !== '', stripTabs: m[1] === '-' });
        i = HEREDOC.lastIndex;
      } else i += 2;
    } else if (ch === '\n' && pendingHeredocs.length > 0) {
      i++;
      for (const doc of pendingHeredocs.splice(0)) {
        // The body runs to the line that holds only the delimiter; a quoted delimiter makes it literal.
        switchTo(doc.literal ? 'single' : 'double', i);
        while (i < text.length) {
          const lineEnd = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
          const line = text.slice(i, lineEnd);
          if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
            switchTo('bare', i);
            i = lineEnd;
            break;
          }
          i = lineEnd + 1;
        }
        if (i >= text.length) break;
      }
    } else {
      i++;
    }
  }
  if (text.length > start) runs.push({ context, start, end: text.length });
  return runs;
}

/** The context at one offset. */
export function contextAt(runs: readonly ShellRun[], offset: number): ShellContext {
  for (const run of runs) if (offset >= run.start && offset < run.end) return run.context;
  return 'bare';
}

export interface LogicalLine {
  text: string;
  line: number;
}

/**
 * Cuts shell text into commands at newlines that a shell would treat as command ends: not those inside
 * quotes or here-documents, and not a backslash-newline continuation.
 */
export function logicalLines(code: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let text = '';
  let line = 1;
  let startLine = 1;
  for (const run of shellRuns(code)) {
    const chunk = code.slice(run.start, run.end);
    if (run.context !== 'bare') {
      text += chunk;
      line += chunk.split('\n').length - 1;
      continue;
    }
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i] as string;
      if (ch === '\\' && chunk[i + 1] === '\n') {
        text += ' ';
        i++;
        line++;
      } else if (ch === '\\') {
        text += chunk.slice(i, i + 2);
        i++;
      } else if (ch === '\n') {
        lines.push({ text, line: startLine });
        text = '';
        line++;
        startLine = line;
      } else text += ch;
    }
  }
  lines.push({ text, line: startLine });
  return lines;
}
