// Questions to the operator on the terminal. Secret answers are not echoed.
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Asks on the terminal; `signal` abandons the question (an interrupted run stops waiting for an answer). */
export async function ask(question: string, options: { secret?: boolean; signal?: AbortSignal } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const pending = options.signal ? rl.question(question, { signal: options.signal }) : rl.question(question);
    muted = Boolean(options.secret);
    const answer = await pending;
    if (options.secret) process.stderr.write('\n');
    return answer;
  } finally {
    rl.close();
  }
}

export async function confirm(question: string, signal?: AbortSignal): Promise<boolean> {
  const answer = (await ask(`${question} [y/N] `, signal ? { signal } : {})).trim().toLowerCase();
  return answer === 'y' || answer === 'yes';
}

/** Reads pasted lines until one matches `last` (e.g. the END line of an armoured signature). */
export async function askBlock(question: string, last: RegExp): Promise<string> {
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines: string[] = [];
  try {
    for await (const line of rl) {
      lines.push(line);
      if (last.test(line.trim())) break;
    }
  } finally {
    rl.close();
  }
  return `${lines.join('\n')}\n`;
}
