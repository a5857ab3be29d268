// The prometheus target: each query of a promql block is one instant query (GET {url}/api/v1/query?query=…),
// run in order; each answer is one result set (command = the result type), so a block of several queries
// records one result set per query, as an SQL block does per statement. Prometheus' own error answer
// (bad_data, execution, timeout…) makes the block failed with that text and the later queries are not run;
// not reaching it, or an answer that is not its API, is an error. cancel() and the timeout abort the
// request in flight (one deadline for the whole block), and Prometheus stops evaluating a query whose
// client left. The block is split into queries as the model's `queries` are (runbook/promql.ts).
import { type PrometheusTarget, durationMs } from '../../../shared/targets.js';
import { ResultClock } from '../result.js';
import { splitPromql } from '../../runbook/promql.js';
import type { Execution, ExecutionRequest, ExecutionResult, Executor, ExecutorContext, ResultSet } from '../types.js';
import { nowIso } from '../types.js';
import { prometheusEndpoint } from './endpoint.js';
import { type QueryData, toResultSet } from './result-set.js';

interface ApiAnswer {
  status?: 'success' | 'error';
  data?: QueryData;
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
}

const RESULT_TYPES = new Set(['vector', 'matrix', 'scalar', 'string']);

function describeFetchError(error: unknown, base: string): string {
  const cause = ((error as { cause?: unknown })?.cause ?? error) as NodeJS.ErrnoException;
  const code = cause?.code ? ` [${cause.code}]` : '';
  return `cannot reach Prometheus at ${base}: ${cause?.message ?? String(cause)}${code}`;
}

export function createPrometheusExecutor(name: string, config: PrometheusTarget, _ctx: ExecutorContext): Executor {
  const endpoint = prometheusEndpoint(config.url);
  const configTimeoutMs = config.timeout ? durationMs(config.timeout) : undefined;
  /** Stops of the queries in flight, for close(). */
  const active = new Set<() => void>();
  let closed = false;

  async function query(request: ExecutionRequest, clock: ResultClock, controller: AbortController, stop: () => 'cancelled' | 'timed-out' | null, timeoutMs: number | undefined): Promise<ExecutionResult> {
    const notes: string[] = [];
    if (endpoint.basicAuth) notes.push('basic auth from the credentials in the target URL');
    if (closed) return clock.finish({ status: 'error', error: `the executor for target ${name} is closed`, notes });
    if (request.action !== 'promql') return clock.finish({ status: 'error', error: `a prometheus target runs promql blocks, not ${request.action}`, notes });
    const expressions = splitPromql(request.code);
    if (expressions.length === 0) return clock.finish({ status: 'error', error: 'the promql block is empty', notes });

    const resultSets: ResultSet[] = [];
    const several = expressions.length > 1;
    for (const [k, expression] of expressions.entries()) {
      // "query 2 of 3: " before what is said of one query of several; nothing for a block of one.
      const which = several ? `query ${k + 1} of ${expressions.length}: ` : '';
      const later = several && k < expressions.length - 1 ? '; the later queries were not run' : '';
      const url = `${endpoint.base}/api/v1/query?${new URLSearchParams({ query: expression })}`;
      const stopped = (): ExecutionResult | null => {
        const reason = stop();
        if (!reason) return null;
        return clock.finish({ status: reason, error: `${which}${reason === 'cancelled' ? 'cancelled by the operator' : `timed out${timeoutMs ? ` after ${timeoutMs} ms` : ''}`}${later}`, resultSets, notes });
      };
      const earlyStop = stopped();
      if (earlyStop) return earlyStop;
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, { headers: endpoint.headers, signal: controller.signal });
        text = await response.text();
      } catch (error) {
        return stopped() ?? clock.finish({ status: 'error', error: `${which}${describeFetchError(error, endpoint.base)}${later}`, resultSets, notes });
      }
      let answer: ApiAnswer;
      try {
        answer = JSON.parse(text) as ApiAnswer;
      } catch {
        return clock.finish({ status: 'error', error: `${which}Prometheus at ${endpoint.base} answered HTTP ${response.status} with something that is not its API: ${text.slice(0, 200)}${later}`, resultSets, notes });
      }
      for (const warning of answer.warnings ?? []) notes.push(`${which}warning: ${warning}`);
      for (const info of answer.infos ?? []) notes.push(`${which}info: ${info}`);
      if (answer.status === 'error') {
        request.onOutput({ stream: 'stderr', data: `${which}${answer.errorType ?? 'error'}: ${answer.error ?? ''}\n`, at: nowIso() });
        return clock.finish({ status: 'failed', exitCode: 1, error: `${which}${answer.errorType ?? 'error'}: ${answer.error ?? `HTTP ${response.status}`}${later}`, resultSets, notes });
      }
      if (answer.status !== 'success' || !answer.data || !RESULT_TYPES.has(answer.data.resultType)) {
        return clock.finish({ status: 'error', error: `${which}Prometheus at ${endpoint.base} answered HTTP ${response.status} without a query result: ${text.slice(0, 200)}${later}`, resultSets, notes });
      }
      const set = toResultSet(answer.data);
      resultSets.push(set);
      request.onOutput({ stream: 'info', data: `${which}${set.command}: ${set.rowCount} row(s)\n`, at: nowIso() });
    }
    return clock.finish({ status: 'succeeded', exitCode: 0, resultSets, notes });
  }

  return {
    kind: 'prometheus',
    name,
    start(request: ExecutionRequest): Execution {
      const clock = new ResultClock({ name, kind: 'prometheus', endpoint: endpoint.base, details: { url: endpoint.base } });
      const controller = new AbortController();
      let reason: 'cancelled' | 'timed-out' | null = null;
      const stop = (why: 'cancelled' | 'timed-out') => {
        if (reason) return;
        reason = why;
        controller.abort();
      };
      const timeoutMs = request.timeoutMs ?? configTimeoutMs;
      const deadline = timeoutMs ? setTimeout(() => stop('timed-out'), timeoutMs) : undefined;
      const cancel = () => stop('cancelled');
      active.add(cancel);
      const result = query(request, clock, controller, () => reason, timeoutMs)
        .catch((error: unknown) => clock.finish({ status: 'error', error: `internal error in the prometheus executor: ${(error as Error).message}` }))
        .finally(() => {
          clearTimeout(deadline);
          active.delete(cancel);
        });
      return { result, cancel };
    },
    async close(): Promise<void> {
      closed = true;
      for (const cancel of active) cancel();
    },
  };
}
