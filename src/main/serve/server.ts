// `runbook serve`: the renderer over HTTP and the console API over a WebSocket, on loopback only.
// Every API connection must present the random token; Host and Origin are checked against DNS rebinding.
// Whatever a local client sends (garbage HTTP, malformed upgrades or frames, huge or invalid messages,
// idle or half-sent sockets, too many connections) ends at most that client's connection, answered with an
// error where the protocol allows one: the process keeps serving, because the run it hosts lives in it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocketServer, type WebSocket } from 'ws';
import { ApiRequestSchema, type ApiRequest, type ApiResponse } from '../../shared/api.js';
import { type ApiHandlers, dispatch, toApiError } from '../api/dispatch.js';
import { readStatic } from './static-files.js';

/** What one client may hold of the server; every limit ends only that client's connection or call. */
export interface ServeLimits {
  /** Open connections at once (page loads and API sockets); a connection beyond it is closed on arrival. */
  maxConnections: number;
  /** Largest WebSocket message (ws maxPayload); a larger one closes that connection with 1009. */
  maxMessageBytes: number;
  /** Calls one connection may have unanswered at once; another is answered `busy`. */
  maxCallsInFlight: number;
  /** Answers queued behind the one being written, for a client that does not read them; past this the connection is dropped. */
  maxBufferedBytes: number;
  /** A request's headers must arrive within this (a silent or half-sent socket, upgrades too, gets 408). */
  headersTimeoutMs: number;
  /** The whole request must arrive within this. */
  requestTimeoutMs: number;
  /** How often the two timeouts above are checked. */
  timeoutCheckMs: number;
  /** WebSocket ping period: a connection that did not answer the previous ping (a vanished client) is dropped. */
  heartbeatMs: number;
}

// 128 connections: a browser opens about 6 per origin plus the API socket, so several tabs fit with room;
// headers arrive at once on loopback, so 10 s frees a slot held by a silent socket soon enough.
export const DEFAULT_LIMITS: Readonly<ServeLimits> = {
  maxConnections: 128,
  maxMessageBytes: 1024 * 1024,
  maxCallsInFlight: 32,
  maxBufferedBytes: 16 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  timeoutCheckMs: 1_000,
  heartbeatMs: 30_000,
};

export interface ServeOptions {
  handlers: ApiHandlers;
  staticDir: string;
  host?: string;
  port?: number;
  token?: string;
  limits?: Partial<ServeLimits>;
  /** Where server-side faults and dropped clients are reported (not each bad frame); standard error by default. */
  log?: (message: string) => void;
}

export interface RunningServer {
  /** Open this in a browser: the token travels in the fragment, which is never sent to the server. */
  url: string;
  origin: string;
  token: string;
  limits: Readonly<ServeLimits>;
  close(): Promise<void>;
}

/** The id of an answer to a message that carried no usable request id (not JSON, not an object, no id). */
export const NO_REQUEST_ID = -1;

/** A request is exactly { id, method, input }: an unknown field is an error, not something ignored. */
const WireRequestSchema = ApiRequestSchema.strict();

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

/** Answers an upgrade request on its raw socket and closes it, also when the client never closes its side. */
function refuseUpgrade(socket: Duplex, status: number): void {
  const body = http.STATUS_CODES[status] ?? '';
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${body}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`refusing to serve on ${host}: only loopback addresses are allowed`);
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? ((message: string) => process.stderr.write(`runbook serve: ${message}\n`));
  const token = options.token ?? randomBytes(24).toString('base64url');
  let origin = '';
  const allowedHosts = new Set<string>();

  async function serveStatic(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
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
      // The page (which carries no secret: the token is in its fragment) is asked for afresh each time; its
      // content-named scripts are kept, so a reload or a second tab compiles nothing again.
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  // Timeouts apply from the first byte a connection could send until its request (or upgrade) is complete;
  // garbage HTTP is answered 400 by Node's own clientError handling, which also closes the socket.
  const server = http.createServer({ headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: limits.timeoutCheckMs }, (req, res) => {
    serveStatic(req, res).catch((error: unknown) => {
      log(`a page request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'text/plain', connection: 'close' }).end('internal error');
    });
  });
  // Node closes a connection beyond this on arrival, before it costs anything more than the accept.
  server.maxConnections = limits.maxConnections;
  // Node's HTTP layer stops watching a socket once it is upgraded: without a listener of our own, a reset
  // on it (or on a refused upgrade) would be an uncaught 'error' and end the process.
  server.on('connection', (socket: Socket) => {
    socket.on('error', () => socket.destroy());
  });

  // Compression stays off: a small compressed message could inflate far past maxPayload's intent.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false, clientTracking: true });
  wss.on('error', (error) => log(`websocket server: ${error.message}`));
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!authorisedUpgrade(req)) {
      refuseUpgrade(socket, 403);
      return;
    }
    // ws answers a bad key, version, method or Upgrade header with 400/405 and closes the socket itself.
    wss.handleUpgrade(req, socket, head, (ws) => serveApi(ws, options.handlers, limits, alive, log));
  });

  function authorisedUpgrade(req: http.IncomingMessage): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      return false; // `GET //`, `GET http://[` and the like: not a URL we serve
    }
    const okHost = allowedHosts.has(req.headers.host ?? '');
    const okOrigin = req.headers.origin === undefined || req.headers.origin === origin || allowedHosts.has(originHost(req.headers.origin));
    return url.pathname === '/api' && okHost && okOrigin && sameToken(url.searchParams.get('token'), token);
  }

  // A client that vanished without closing (sleep, pulled cable, killed tab) stops answering pings and is
  // dropped, freeing its slot; browsers answer pings themselves.
  const alive = new WeakSet<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, a server error (EMFILE on accept, say) is reported, never fatal.
  server.on('error', (error) => log(`server: ${error.message}`));
  const { port } = server.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  origin = `http://${hostPart}:${port}`;
  allowedHosts.add(`${hostPart}:${port}`);
  if (host === '127.0.0.1') allowedHosts.add(`localhost:${port}`);

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    limits,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Parsed = { ok: true; request: ApiRequest } | { ok: false; response: ApiResponse };

const REQUEST_SHAPE = 'a request is one JSON object {"id": n, "method": "…", "input": {…}} with nothing else';

/** A message as a request, or the error answer it gets: never an exception, whatever the bytes. */
function parseMessage(data: RawData, isBinary: boolean): Parsed {
  const invalid = (id: number, message: string): Parsed => ({ ok: false, response: { id, ok: false, error: { code: 'invalid-request', message } } });
  if (isBinary) return invalid(NO_REQUEST_ID, `binary messages are not accepted: ${REQUEST_SHAPE}`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'));
  } catch {
    return invalid(NO_REQUEST_ID, `not JSON: ${REQUEST_SHAPE}`);
  }
  const parsed = WireRequestSchema.safeParse(value);
  if (parsed.success) return { ok: true, request: parsed.data };
  // Answer under the caller's id when it gave a usable one, so its call fails at once instead of hanging.
  const id = typeof value === 'object' && value !== null && 'id' in value ? (value as { id: unknown }).id : undefined;
  return invalid(typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : NO_REQUEST_ID, REQUEST_SHAPE);
}

function serveApi(ws: WebSocket, handlers: ApiHandlers, limits: ServeLimits, alive: WeakSet<WebSocket>, log: (message: string) => void): void {
  alive.add(ws);
  let inFlight = 0;
  // A protocol error (bad opcode, unmasked or oversized frame, invalid UTF-8, RSV bits) is the client's:
  // ws has already closed the connection with the matching code; the listener keeps it from being fatal.
  ws.on('error', () => {});
  ws.on('pong', () => alive.add(ws));

  // Sizes of the answers handed to ws and not yet written out, oldest first. The oldest is being written;
  // what waits behind it is what a client that does not read makes the server hold. Counting the one being
  // written would drop a client that reads a large answer (a big runbook's model) while a small one queues.
  const unwritten: number[] = [];
  let unwrittenBytes = 0;

  /** Sends an answer if the client is still there; one gone mid-call (mid-run) is simply not answered. */
  const reply = (response: ApiResponse): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (unwrittenBytes - (unwritten[0] ?? 0) > limits.maxBufferedBytes) {
      log(`dropped an API connection that does not read its answers (over ${limits.maxBufferedBytes} bytes waiting)`);
      ws.terminate();
      return;
    }
    const text = JSON.stringify(response);
    const size = Buffer.byteLength(text);
    unwritten.push(size);
    unwrittenBytes += size;
    ws.send(text, () => {
      unwrittenBytes -= unwritten.shift() ?? 0;
    });
  };

  ws.on('message', (data, isBinary) => {
    alive.add(ws);
    const parsed = parseMessage(data, isBinary);
    if (!parsed.ok) {
      reply(parsed.response);
      return;
    }
    const { request } = parsed;
    if (inFlight >= limits.maxCallsInFlight) {
      reply({ id: request.id, ok: false, error: { code: 'busy', message: `more than ${limits.maxCallsInFlight} calls are waiting for an answer on this connection` } });
      return;
    }
    inFlight++;
    // dispatch validates the method and the input and the handler's answer against the contract.
    dispatch(handlers, request.method, request.input)
      .then(
        (result): ApiResponse => ({ id: request.id, ok: true, result }),
        (error: unknown): ApiResponse => ({ id: request.id, ok: false, error: toApiError(error) }),
      )
      .then((response) => {
        inFlight--;
        reply(response);
      })
      .catch(() => ws.terminate()); // only an answer JSON cannot encode gets here: drop that client, not the server
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
