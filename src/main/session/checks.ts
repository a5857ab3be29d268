// Turns a block's result into a verdict: fence expectations ({"expect":{…}}), the check convention
// ({"check":true}: exit 0 pass, 1 fail, 2 warn), or none (then the exit status speaks). A transcript's
// output is compared with what ran and shown beside it, but never decides (see Judgement.comparison).
import { z } from 'zod';
import type { Block } from '../../shared/runbook-model.js';
import type { ExecutionResult } from '../targets/types.js';

export type Verdict = 'pass' | 'fail' | 'warn';

export interface Judgement {
  verdict: Verdict | null;
  reasons: string[];
  /**
   * A transcript's output (Block.expectedOutput) beside what the block printed. Shown for comparison, never
   * a verdict: output in a runbook is an example (times, names and counts differ), so it neither passes a
   * failed block nor fails a good one. `same`: every line matches, a `...` line of the example standing for
   * any number of lines, blanks at line ends and blank lines around ignored.
   */
  comparison?: { expected: string; same: boolean };
}

/** The lines of an output, each without trailing blanks, blank lines at both ends dropped. */
function outputLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Whether output matches an example whose `...` (or `…`) lines stand for any number of lines. */
export function sameOutput(example: string, actual: string): boolean {
  const want = outputLines(example);
  const got = outputLines(actual);
  const gap = (line: string) => /^\s*(\.\.\.|…)\s*$/.test(line);
  // Glob matching over lines, iteratively (the last gap seen is where a mismatch retries).
  let w = 0;
  let g = 0;
  let star = -1;
  let mark = 0;
  while (g < got.length) {
    if (w < want.length && !gap(want[w] as string) && want[w] === got[g]) {
      w++;
      g++;
    } else if (w < want.length && gap(want[w] as string)) {
      star = w++;
      mark = g;
    } else if (star >= 0) {
      w = star + 1;
      g = ++mark;
    } else return false;
  }
  while (w < want.length && gap(want[w] as string)) w++;
  return w === want.length;
}

/** The comparison of a transcript's example output with what ran, when the block has one. */
function comparisonOf(block: Block, output: { stdout: string; stderr?: string }): Judgement['comparison'] | undefined {
  const expected = block.expectedOutput;
  if (!expected) return undefined;
  // A terminal shows both streams; the example may hold either or both.
  const same = sameOutput(expected, output.stdout) || sameOutput(expected, `${output.stdout}\n${output.stderr ?? ''}`) || sameOutput(expected, `${output.stderr ?? ''}\n${output.stdout}`);
  return { expected, same };
}

const ExpectSchema = z
  .object({
    exit: z.number().int().optional(),
    stdout: z.string().optional(),
    stderr: z.string().optional(),
    rows: z.union([z.number().int(), z.string().regex(/^\s*(>=|<=|==|=|!=|>|<)?\s*\d+\s*$/, 'a count such as ">0", "=3" or "<=10"')]).optional(),
  })
  .strict();
export type Expectation = z.infer<typeof ExpectSchema>;

/** The block's expectation, or an error message naming the field when it is malformed. */
export function expectationOf(block: Block): Expectation | string | null {
  if (block.attributes.expect === undefined) return null;
  const parsed = ExpectSchema.safeParse(block.attributes.expect);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `line ${block.line}: expect.${issue?.path.join('.') || ''}: ${issue?.message}`;
  }
  try {
    if (parsed.data.stdout) new RegExp(parsed.data.stdout, 'm');
    if (parsed.data.stderr) new RegExp(parsed.data.stderr, 'm');
  } catch (error) {
    return `line ${block.line}: expect: ${(error as Error).message}`;
  }
  return parsed.data;
}

function compareCount(actual: number, wanted: number | string): boolean {
  if (typeof wanted === 'number') return actual === wanted;
  const m = /^\s*(>=|<=|==|=|!=|>|<)?\s*(\d+)\s*$/.exec(wanted);
  const n = Number(m?.[2]);
  switch (m?.[1] ?? '=') {
    case '>': return actual > n;
    case '>=': return actual >= n;
    case '<': return actual < n;
    case '<=': return actual <= n;
    case '!=': return actual !== n;
    default: return actual === n;
  }
}

export function judge(block: Block, result: ExecutionResult, output: { stdout: string; stderr?: string }): Judgement {
  if (result.status !== 'succeeded' && result.status !== 'failed') {
    return { verdict: null, reasons: [] }; // it did not run to an answer: nothing to judge
  }
  const comparison = comparisonOf(block, output);
  const judged = judgeChecks(block, result, output);
  return comparison ? { ...judged, comparison } : judged;
}

function judgeChecks(block: Block, result: ExecutionResult, output: { stdout: string; stderr?: string }): Judgement {
  const expectation = expectationOf(block);
  if (expectation && typeof expectation === 'object') {
    const reasons: string[] = [];
    if (expectation.exit !== undefined && result.exitCode !== expectation.exit) {
      reasons.push(`exit status ${result.exitCode ?? 'none'}, expected ${expectation.exit}`);
    } else if (expectation.exit === undefined && result.status === 'failed') {
      reasons.push(result.error ?? 'failed');
    }
    if (expectation.stdout !== undefined && !new RegExp(expectation.stdout, 'm').test(output.stdout)) {
      reasons.push(`stdout does not match /${expectation.stdout}/`);
    }
    if (expectation.stderr !== undefined && !new RegExp(expectation.stderr, 'm').test(output.stderr ?? '')) {
      reasons.push(`stderr does not match /${expectation.stderr}/`);
    }
    if (expectation.rows !== undefined) {
      const last = [...result.resultSets].reverse().find((r) => r.columns.length > 0) ?? result.resultSets.at(-1);
      const rows = last?.rowCount ?? last?.rows.length ?? 0;
      if (!compareCount(rows, expectation.rows)) reasons.push(`${rows} row(s), expected ${expectation.rows}`);
    }
    return { verdict: reasons.length === 0 ? 'pass' : 'fail', reasons };
  }
  if (block.attributes.check === true) {
    if (result.exitCode === 0) return { verdict: 'pass', reasons: [] };
    if (result.exitCode === 1) return { verdict: 'fail', reasons: ['check failed (exit 1)'] };
    if (result.exitCode === 2) return { verdict: 'warn', reasons: ['check warned (exit 2)'] };
    return { verdict: 'fail', reasons: [`exit status ${result.exitCode ?? 'none'} is not a check result (0 pass, 1 fail, 2 warn)`] };
  }
  return { verdict: null, reasons: [] };
}

/** Whether a block's outcome counts as success for the run. */
export function succeeded(result: ExecutionResult, judgement: Judgement): boolean {
  if (judgement.verdict) return judgement.verdict !== 'fail';
  return result.status === 'succeeded';
}
