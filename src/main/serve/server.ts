// `runbook serve`: the renderer over HTTP and the console API over a WebSocket, on loopback only.
// Every API connection must present the random token; Host and Origin are checked against DNS rebinding.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiRequestSchema, type ApiResponse } from '../../shared/api.js';
import { type ApiHandlers, dispatch, toApiError } from '../api/dispatch.js';
import { readStatic } from './static-files.js';

export interface ServeOptions {
  handlers: ApiHandlers;
  staticDir: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  /** Open this in a browser: the token travels in the fragment, which is never sent to the server. */
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function contentSecurityPolicy(origin: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`refusing to serve on ${host}: only loopback addresses are allowed`);
  const token = options.token ?? randomBytes(24).toString('base64url');
  let origin = '';
  const allowedHosts = new Set<string>();

  const server = http.createServer(async (req, res) => {
    if (!allowedHosts.has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('wrong Host header');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const file = await readStatic(options.staticDir, req.url ?? '/');
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': file.type,
      'content-security-policy': contentSecurityPolicy(origin),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const okHost = allowedHosts.has(req.headers.host ?? '');
    const okOrigin = req.headers.origin === undefined || req.headers.origin === origin || allowedHosts.has(originHost(req.headers.origin));
    if (url.pathname !== '/api' || !okHost || !okOrigin || !sameToken(url.searchParams.get('token'), token)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveApi(ws, options.handlers));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  origin = `http://${hostPart}:${port}`;
  allowedHosts.add(`${hostPart}:${port}`);
  if (host === '127.0.0.1') allowedHosts.add(`localhost:${port}`);

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serveApi(ws: WebSocket, handlers: ApiHandlers): void {
  ws.on('message', async (data) => {
    let request;
    try {
      request = ApiRequestSchema.parse(JSON.parse(String(data)));
    } catch {
      ws.close(1003, 'malformed request');
      return;
    }
    let response: ApiResponse;
    try {
      response = { id: request.id, ok: true, result: await dispatch(handlers, request.method, request.input) };
    } catch (error) {
      response = { id: request.id, ok: false, error: toApiError(error) };
    }
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
  });
}

/** The host of an Origin header; "" for "null" (sandboxed frames, file:// pages) or anything unparsable. */
function originHost(value: string): string {
  try {
    return new URL(value).host;
  } catch {
    return '';
  }
}
