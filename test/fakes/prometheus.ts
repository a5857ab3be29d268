// A fake Prometheus HTTP API for tests (never shipped): /api/v1/query answers from a table of canned
// responses keyed by the query text; unknown queries get Prometheus' bad_data error. A query can be held
// unanswered so a test can watch the client give up on it.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CannedAnswer {
  status: number;
  body: unknown;
}

export interface PromRequest {
  path: string;
  query: string | null;
  authorization: string | null;
}

export interface FakePrometheus {
  /** Base URL, with a path prefix as behind a reverse proxy. */
  url: string;
  requests: PromRequest[];
  answers: Map<string, CannedAnswer>;
  /** Holds requests for `query` unanswered; resolves `arrived` when one comes and `closed` when its client leaves. */
  hold(query: string): { arrived: Promise<void>; closed: Promise<void> };
  close(): Promise<void>;
}

export function success(resultType: string, result: unknown, extra: Record<string, unknown> = {}): CannedAnswer {
  return { status: 200, body: { status: 'success', data: { resultType, result }, ...extra } };
}

export async function startPrometheus(prefix = '/prometheus'): Promise<FakePrometheus> {
  const requests: PromRequest[] = [];
  const answers = new Map<string, CannedAnswer>();
  const holds = new Map<string, { arrive: () => void; close: () => void }>();
  const open = new Set<ServerResponse>();
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = url.searchParams.get('query');
    requests.push({ path: url.pathname, query, authorization: req.headers.authorization ?? null });
    if (url.pathname !== `${prefix}/api/v1/query`) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const hold = query === null ? undefined : holds.get(query);
    if (hold) {
      open.add(res);
      res.on('close', () => {
        open.delete(res);
        hold.close();
      });
      hold.arrive();
      return;
    }
    const answer = (query !== null && answers.get(query)) || {
      status: 400,
      body: { status: 'error', errorType: 'bad_data', error: `invalid parameter "query": 1:1: parse error: unexpected character: '${query?.[0] ?? ''}'` },
    };
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`,
    requests,
    answers,
    hold(query) {
      let arrive!: () => void;
      let close!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const closed = new Promise<void>((resolve) => (close = resolve));
      holds.set(query, { arrive, close });
      return { arrived, closed };
    },
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
