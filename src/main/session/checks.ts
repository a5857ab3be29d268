// Turns a block's result into a verdict: fence expectations ({"expect":{…}}), the check convention
// ({"check":true}: exit 0 pass, 1 fail, 2 warn), or none (then the exit status speaks).
import { z } from 'zod';
import type { Block } from '../../shared/runbook-model.js';
import type { ExecutionResult } from '../targets/types.js';

export type Verdict = 'pass' | 'fail' | 'warn';

export interface Judgement {
  verdict: Verdict | null;
  reasons: string[];
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
