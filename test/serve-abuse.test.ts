// `runbook serve` holds under abuse: malformed upgrades, malformed frames, oversized and invalid messages,
// idle and half-sent sockets, more connections than it allows, a client that does not read its answers, and
// a client gone mid-run each end at most that client's connection (with an error answer where the protocol
// has one), and after every attack the same server still answers a real page request and a real API call.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiHandlers } from '../src/main/api/dispatch.js';
import { DEFAULT_LIMITS, NO_REQUEST_ID, type RunningServer, type ServeLimits, startServer } from '../src/main/serve/server.js';
import type { RunState } from '../src/shared/run-api.js';
import { testHandlers } from './support/handlers.js';
import { eventsUntil } from './support/run-events.js';
import { REPO_ROOT } from './support/shared.js';

const STATIC = path.join(REPO_ROOT, 'dist/renderer');
const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');

interface Target {
  port: number;
  origin: string;
  token: string;
}

const asTarget = (s: RunningServer): Target => ({ port: Number(new URL(s.origin).port), origin: s.origin, token: s.token });

async function serve(options: { limits?: Partial<ServeLimits>; wrap?: (h: ApiHandlers) => ApiHandlers } = {}) {
  const { handlers, root } = testHandlers({ host: 'browser', version: '0.0.0-test', initialFile: path.join(REPO_ROOT, 'runbooks/local-health-check.md') });
  const logged: string[] = [];
  const waiting: { pattern: RegExp; resolve: (m: string) => void }[] = [];
  const log = (message: string) => {
    logged.push(message);
    for (const w of waiting.filter((x) => x.pattern.test(message))) w.resolve(message);
  };
  /** Resolves when the server logs a message matching `pattern`. */
  const logs = (pattern: RegExp) => new Promise<string>((resolve) => waiting.push({ pattern, resolve }));
  const server = await startServer({ handlers: options.wrap ? options.wrap(handlers) : handlers, staticDir: STATIC, limits: options.limits ?? {}, log });
  return { server, root, logged, logs };
}

// ---------------------------------------------------------------------------------------------------------
// Clients: raw TCP for what no well-behaved library would send, ws for real API calls.

interface Raw {
  socket: net.Socket;
  received(): Buffer;
  /** Resolves with everything received once the server has closed the connection. */
  closed: Promise<Buffer>;
  /** Resolves once `predicate` holds for what has been received so far. */
  until(predicate: (data: Buffer) => boolean): Promise<Buffer>;
}

function raw(t: Target): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(t.port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const waiters: { predicate: (d: Buffer) => boolean; resolve: (d: Buffer) => void }[] = [];
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      for (const w of [...waiters]) {
        if (w.predicate(data)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(data);
        }
      }
    });
    socket.on('error', () => {}); // a reset by the server is one of the outcomes under test
    const closed = new Promise<Buffer>((r) => socket.once('close', () => r(data)));
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => data,
        closed,
        until: (predicate) =>
          predicate(data)
            ? Promise.resolve(data)
            : new Promise((r, j) => {
                waiters.push({ predicate, resolve: r });
                closed.then(() => j(new Error(`closed before the expected answer; got ${JSON.stringify(data.toString('latin1').slice(0, 200))}`)));
              }),
      }),
    );
    socket.once('error', reject);
  });
}

/** Sends `bytes` on a fresh connection and returns everything the server sent before closing it. */
async function exchange(t: Target, bytes: string | Buffer): Promise<string> {
  const c = await raw(t);
  c.socket.write(bytes);
  return (await c.closed).toString('latin1');
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1] ?? 0);

function upgradeRequest(t: Target, overrides: Record<string, string | null> = {}, requestLine = `GET /api?token=${encodeURIComponent(t.token)} HTTP/1.1`): string {
  const headers: Record<string, string | null> = {
    Host: `127.0.0.1:${t.port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...overrides,
  };
  const lines = Object.entries(headers).flatMap(([k, v]) => (v === null ? [] : [`${k}: ${v}`]));
  return `${requestLine}\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** A raw, handshaken API connection, for frames no library would send. */
async function rawApi(t: Target): Promise<Raw & { frames(): { opcode: number; payload: Buffer }[] }> {
  const c = await raw(t);
  c.socket.write(upgradeRequest(t));
  const head = await c.until((d) => d.includes('\r\n\r\n'));
  expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  const start = head.indexOf('\r\n\r\n') + 4;
  return { ...c, frames: () => parseFrames(c.received().subarray(start)) };
}

/** A client frame: masked unless told otherwise; `length` may claim more than is sent. */
function frame(opcode: number, payload: Buffer | string, options: { fin?: boolean; rsv?: number; mask?: boolean; length?: number } = {}): Buffer {
  const body = Buffer.from(payload);
  const length = options.length ?? body.length;
  const mask = options.mask ?? true;
  const first = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode;
  let size: Buffer;
  if (length < 126) size = Buffer.from([length]);
  else if (length < 65536) size = Buffer.from([126, length >> 8, length & 0xff]);
  else {
    size = Buffer.alloc(9);
    size[0] = 127;
    size.writeBigUInt64BE(BigInt(length), 1);
  }
  size[0] = (size[0] as number) | (mask ? 0x80 : 0);
  if (!mask) return Buffer.concat([Buffer.from([first]), size, body]);
  const key = randomBytes(4);
  const masked = Buffer.from(body.map((byte, i) => byte ^ (key[i % 4] as number)));
  return Buffer.concat([Buffer.from([first]), size, key, masked]);
}

/** Server frames (never masked). */
function parseFrames(data: Buffer): { opcode: number; payload: Buffer }[] {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 2 <= data.length) {
    const opcode = (data[at] as number) & 0x0f;
    let length = (data[at + 1] as number) & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      length = data.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      length = Number(data.readBigUInt64BE(offset));
      offset += 8;
    }
    if (offset + length > data.length) break;
    frames.push({ opcode, payload: data.subarray(offset, offset + length) });
    at = offset + length;
  }
  return frames;
}

/** Sends `bytes` on a handshaken connection; returns the close code the server answered with, once closed. */
async function closeCodeFor(t: Target, bytes: Buffer): Promise<number> {
  const c = await rawApi(t);
  c.socket.write(bytes);
  await c.until(() => c.frames().some((f) => f.opcode === 0x8));
  c.socket.end(); // as a client does after the server's close frame; the server then closes the TCP connection
  await c.closed;
  return c.frames().find((f) => f.opcode === 0x8)?.payload.readUInt16BE(0) ?? 0;
}

function connect(t: Target): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}/api?token=${encodeURIComponent(t.token)}`, { headers: { origin: t.origin } });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

type Answer = { id: number; ok: boolean; result?: any; error?: { code: string; message: string } };

let nextId = 1000;
/** One listener per connection routes answers to their calls (many calls may wait at once). */
const routes = new WeakMap<WebSocket, Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>>();

function call(ws: WebSocket, method: string, input: unknown = {}): Promise<Answer> {
  let waiting = routes.get(ws);
  if (!waiting) {
    const map = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Answer;
      map.get(msg.id)?.resolve(msg);
      map.delete(msg.id);
    });
    ws.once('close', () => {
      for (const w of map.values()) w.reject(new Error('connection closed before the answer'));
      map.clear();
    });
    routes.set(ws, map);
    waiting = map;
  }
  const id = nextId++;
  const calls = waiting;
  return new Promise((resolve, reject) => {
    calls.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, input }));
  });
}

/** Sends one message as is and returns the next answer on that connection. */
function answerTo(ws: WebSocket, message: string | Buffer, binary = false): Promise<Answer> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Answer));
    ws.send(message, { binary });
  });
}

/** The proof after each attack: a page and an API call on fresh connections, answered as usual. */
async function stillServing(t: Target): Promise<void> {
  const page = await fetch(`${t.origin}/`, { headers: { connection: 'close' } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="root">');
  const ws = await connect(t);
  try {
    expect(await call(ws, 'app.info')).toMatchObject({ ok: true, result: { host: 'browser', version: '0.0.0-test' } });
  } finally {
    ws.close();
  }
}

// ---------------------------------------------------------------------------------------------------------

describe('runbook serve under abuse (in process)', () => {
  let server: RunningServer;
  let root: string;
  let logged: string[];
  let t: Target;

  beforeAll(async () => {
    ({ server, root, logged } = await serve());
    t = asTarget(server);
  });
  afterAll(() => server.close());

  it('allows at least 64 connections and 1 MiB messages by default', () => {
    expect(DEFAULT_LIMITS.maxConnections).toBeGreaterThanOrEqual(64);
    expect(DEFAULT_LIMITS.maxMessageBytes).toBe(1024 * 1024);
    expect(server.limits).toEqual(DEFAULT_LIMITS);
  });

  it('answers garbage HTTP with 400 and closes', async () => {
    for (const bytes of ['GARBAGE\r\n\r\n', '\x00\x01\x02\xff\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n']) {
      expect(statusOf(await exchange(t, bytes)), JSON.stringify(bytes)).toBe(400);
      await stillServing(t);
    }
    expect(statusOf(await exchange(t, `GET / HTTP/1.1\r\nX: ${'a'.repeat(100_000)}\r\n\r\n`))).toBe(431);
    await stillServing(t);
  });

  it('answers malformed upgrades with an error status and closes, before and after the token check', async () => {
    const cases: [string, string, number][] = [
      ['bad Sec-WebSocket-Key', upgradeRequest(t, { 'Sec-WebSocket-Key': 'not-a-key' }), 400],
      ['no Sec-WebSocket-Key', upgradeRequest(t, { 'Sec-WebSocket-Key': null }), 400],
      ['wrong version', upgradeRequest(t, { 'Sec-WebSocket-Version': '12' }), 400],
      ['garbage version', upgradeRequest(t, { 'Sec-WebSocket-Version': 'thirteen' }), 400],
      ['not a websocket upgrade', upgradeRequest(t, { Upgrade: 'h2c' }), 400],
      ['POST', upgradeRequest(t, {}, `POST /api?token=${encodeURIComponent(t.token)} HTTP/1.1`), 405],
      ['bad protocol list', upgradeRequest(t, { 'Sec-WebSocket-Protocol': ',,,' }), 400],
      // These threw in the upgrade handler (new URL) and ended the process.
      ['path //', upgradeRequest(t, {}, 'GET // HTTP/1.1'), 403],
      ['absolute URL that is not one', upgradeRequest(t, {}, 'GET http://[ HTTP/1.1'), 403],
      ['no Host', upgradeRequest(t, { Host: null }), 403],
      ['wrong token', upgradeRequest(t, {}, 'GET /api?token=nope HTTP/1.1'), 403],
      ['token with a bad escape', upgradeRequest(t, {}, 'GET /api?token=%zz%00 HTTP/1.1'), 403],
    ];
    for (const [what, request, status] of cases) {
      const response = await exchange(t, request);
      // Node's own parser may refuse the worst request lines first, with 400; either way an error answer.
      expect([status, 400], `${what}: ${response.slice(0, 80)}`).toContain(statusOf(response));
      await stillServing(t);
    }
  });

  it('survives a client that resets the connection mid-upgrade or right after it', async () => {
    for (const request of [upgradeRequest(t), upgradeRequest(t, { 'Sec-WebSocket-Key': 'bad' }), upgradeRequest(t, {}, 'GET /api?token=nope HTTP/1.1')]) {
      const c = await raw(t);
      c.socket.write(request);
      c.socket.resetAndDestroy();
      await c.closed;
      await stillServing(t);
    }
    const half = await raw(t);
    half.socket.write(upgradeRequest(t).slice(0, 40));
    half.socket.resetAndDestroy();
    await half.closed;
    await stillServing(t);
  });

  it('closes the connection with the right code on malformed frames', async () => {
    const cases: [string, Buffer, number][] = [
      ['reserved opcode', frame(0x3, 'x'), 1002],
      ['unmasked client frame', frame(0x1, '{}', { mask: false }), 1002],
      ['invalid UTF-8', frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 1007],
      ['RSV1 without an extension', frame(0x1, '{}', { rsv: 4 }), 1002],
      ['RSV2 and RSV3', frame(0x1, '{}', { rsv: 3 }), 1002],
      ['control frame over 125 bytes', frame(0x9, 'p'.repeat(126)), 1002],
      ['fragmented control frame', frame(0x9, 'p', { fin: false }), 1002],
      ['continuation without a start', frame(0x0, 'x'), 1002],
      ['close frame with a bad code', frame(0x8, Buffer.from([0x03, 0xe7])), 1002],
      ['a length near 2^53', frame(0x2, '', { length: Number.MAX_SAFE_INTEGER }), 1009],
    ];
    for (const [what, bytes, code] of cases) {
      expect(await closeCodeFor(t, bytes), what).toBe(code);
      await stillServing(t);
    }
  });

  it('closes a connection that sends a message over 1 MiB with 1009, whole or in fragments', async () => {
    const big = 'x'.repeat(DEFAULT_LIMITS.maxMessageBytes + 1);
    expect(await closeCodeFor(t, frame(0x1, big))).toBe(1009);
    await stillServing(t);
    const half = 'y'.repeat(DEFAULT_LIMITS.maxMessageBytes / 2 + 1);
    expect(await closeCodeFor(t, Buffer.concat([frame(0x1, half, { fin: false }), frame(0x0, half)]))).toBe(1009);
    await stillServing(t);

    const ws = await connect(t);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.send(big);
    expect(await closed).toBe(1009);
    await stillServing(t);
    // Just under the limit is a message like any other: it is answered (as not JSON).
    const ok = await connect(t);
    expect(await answerTo(ok, 'z'.repeat(DEFAULT_LIMITS.maxMessageBytes))).toMatchObject({ id: NO_REQUEST_ID, ok: false, error: { code: 'invalid-request' } });
    expect(await call(ok, 'app.info')).toMatchObject({ ok: true });
    ok.close();
  });

  it('answers every message that is not a valid request with an error, and keeps the connection', async () => {
    const ws = await connect(t);
    const invalid = { ok: false, error: { code: 'invalid-request' } };
    const cases: [string | Buffer, object, boolean?][] = [
      ['not json', { id: NO_REQUEST_ID, ...invalid }],
      ['', { id: NO_REQUEST_ID, ...invalid }],
      ['42', { id: NO_REQUEST_ID, ...invalid }],
      ['null', { id: NO_REQUEST_ID, ...invalid }],
      ['"app.info"', { id: NO_REQUEST_ID, ...invalid }],
      ['[1, "app.info", {}]', { id: NO_REQUEST_ID, ...invalid }],
      ['{}', { id: NO_REQUEST_ID, ...invalid }],
      ['{"id": -5, "method": "app.info", "input": {}}', { id: NO_REQUEST_ID, ...invalid }],
      ['{"id": 1.5, "method": "app.info", "input": {}}', { id: NO_REQUEST_ID, ...invalid }],
      ['{"id": "7", "method": "app.info", "input": {}}', { id: NO_REQUEST_ID, ...invalid }],
      ['{"id": 7}', { id: 7, ...invalid }],
      ['{"id": 8, "method": 42, "input": {}}', { id: 8, ...invalid }],
      ['{"id": 9, "method": "app.info", "input": {}, "extra": true}', { id: 9, ...invalid }],
      ['{"id": 10, "method": "app.info", "input": {}, "__proto__": {"admin": true}}', { id: 10, ...invalid }],
      ['{"id": 11, "method": "shell.exec", "input": {"cmd": "id"}}', { id: 11, ok: false, error: { code: 'unknown-method' } }],
      ['{"id": 12, "method": "__proto__", "input": {}}', { id: 12, ok: false, error: { code: 'unknown-method' } }],
      ['{"id": 13, "method": "constructor", "input": {}}', { id: 13, ok: false, error: { code: 'unknown-method' } }],
      ['{"id": 14, "method": "app.info", "input": {"x": 1}}', { id: 14, ok: false, error: { code: 'invalid-input' } }],
      ['{"id": 15, "method": "runbook.open", "input": "x.md"}', { id: 15, ok: false, error: { code: 'invalid-input' } }],
      ['{"id": 16, "method": "runs.state", "input": {"runId": "nope"}}', { id: 16, ok: false }],
      [Buffer.from('{"id": 17, "method": "app.info", "input": {}}'), { id: NO_REQUEST_ID, ...invalid }, true],
      [`${'['.repeat(400_000)}${']'.repeat(400_000)}`, { id: NO_REQUEST_ID, ...invalid }],
      [`{"id": 18, "method": "targets.save", "input": {"targets": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}`, { id: 18, ok: false }],
    ];
    for (const [message, expected, binary] of cases) {
      expect(await answerTo(ws, message, binary), String(message).slice(0, 80)).toMatchObject(expected);
      expect(ws.readyState).toBe(WebSocket.OPEN);
    }
    expect(await call(ws, 'app.info')).toMatchObject({ ok: true });
    ws.close();
    await stillServing(t);
    expect(logged).toEqual([]);
  });

  it('a client gone mid-run does not end the run: it finishes, and a new connection sees it', async () => {
    const fifo = path.join(root, 'go.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const file = path.join(root, 'mid-run.md');
    writeFileSync(file, `# Mid-run\n- [ ] Wait for the test\n  \`\`\`bash\n  echo waiting; read -r word < ${fifo}; echo "got $word"\n  \`\`\`\n`);
    const first = await connect(t);
    const apiOf = (ws: WebSocket) => async (method: string, input: unknown) => {
      const answer = await call(ws, method, input);
      if (!answer.ok) throw new Error(`${method}: ${answer.error?.message}`);
      return answer.result;
    };
    const api1 = apiOf(first);
    await api1('runbook.open', { path: file });
    const state = (await api1('runs.start', { profile: 'standard', operator: 'Alice', vars: {} })) as RunState;
    await api1('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
    const started = await eventsUntil(api1, state.runId, -1, (e) => e.type === 'output' && e.data.includes('waiting'));
    // Calls in flight when the client vanishes: a long poll, and a state read.
    first.send(JSON.stringify({ id: 1, method: 'runs.events', input: { runId: state.runId, after: started.next, waitMs: 30_000 } }));
    first.send(JSON.stringify({ id: 2, method: 'runs.state', input: { runId: state.runId } }));
    const gone = new Promise<void>((resolve) => first.once('close', () => resolve()));
    first.terminate(); // no close frame: the TCP connection just goes
    await gone;

    const second = await connect(t);
    const api2 = apiOf(second);
    const running = (await api2('runs.state', { runId: state.runId })) as RunState;
    expect(running.steps[0]?.status).toBe('running');
    await writeFile(fifo, 'go\n');
    const ended = await eventsUntil(api2, state.runId, started.next, (e) => e.type === 'step' && e.status !== 'running');
    expect(ended.events.find((e) => e.type === 'step')).toMatchObject({ status: 'succeeded' });
    expect(ended.events.filter((e) => e.type === 'output').map((e) => (e as { data: string }).data).join('')).toContain('got go');
    const finished = (await api2('runs.finish', { runId: state.runId })) as RunState;
    expect(finished.status).toBe('finished');
    second.close();
    await stillServing(t);
    expect(logged).toEqual([]);
  }, 30_000);
});

describe('limits', () => {
  it('refuses connections beyond its limit, keeps serving those it holds, and takes new ones once slots free', async () => {
    // Timeouts far beyond the test, so only the limit decides which sockets are open.
    const { server } = await serve({ limits: { headersTimeoutMs: 600_000, requestTimeoutMs: 600_000 } });
    const t = asTarget(server);
    try {
      const max = server.limits.maxConnections;
      const sockets: WebSocket[] = [];
      for (let i = 0; i < 64; i++) sockets.push(await connect(t));
      const answers = await Promise.all(sockets.map((ws) => call(ws, 'app.info')));
      expect(answers.every((a) => a.ok)).toBe(true); // 64 API connections at once, each served

      const idle: Raw[] = [];
      for (let i = sockets.length; i < max; i++) idle.push(await raw(t));
      const refused = await raw(t);
      expect((await refused.closed).length).toBe(0); // closed on arrival, nothing sent
      const refusedWs = await connect(t).then(
        () => 'open',
        () => 'refused',
      );
      expect(refusedWs).toBe('refused');

      // At the limit, the connections it holds are still served: an API call, and a page on an idle socket.
      expect(await call(sockets[0] as WebSocket, 'app.info')).toMatchObject({ ok: true });
      const page = idle.pop() as Raw;
      page.socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nConnection: close\r\n\r\n`);
      expect(statusOf((await page.closed).toString('latin1'))).toBe(200);

      // The server closes these (400 for garbage), so their slots are free once the client sees the close.
      for (const c of idle.splice(0, 10)) {
        c.socket.write('GARBAGE\r\n\r\n');
        await c.closed;
      }
      await stillServing(t);
      for (const c of idle) c.socket.destroy();
      for (const ws of sockets) ws.terminate();
    } finally {
      await server.close();
    }
  }, 30_000);

  it('answers a call beyond the in-flight limit with busy, and the others once they finish', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { server } = await serve({
      wrap: (h) => ({
        ...h,
        'app.notify': async () => {
          await gate;
          return { shown: false };
        },
      }),
    });
    const t = asTarget(server);
    try {
      const ws = await connect(t);
      const max = server.limits.maxCallsInFlight;
      const waiting = Array.from({ length: max }, () => call(ws, 'app.notify', { title: 't', body: 'b' }));
      expect(await call(ws, 'app.notify', { title: 't', body: 'b' })).toMatchObject({ ok: false, error: { code: 'busy' } });
      expect(await call(ws, 'app.info')).toMatchObject({ ok: false, error: { code: 'busy' } });
      release();
      expect((await Promise.all(waiting)).every((a) => a.ok)).toBe(true);
      expect(await call(ws, 'app.info')).toMatchObject({ ok: true });
      ws.close();
      await stillServing(t);
    } finally {
      await server.close();
    }
  });

  it('keeps a client that reads a large answer while a small one waits behind it (control for the next)', async () => {
    // A large runbook's model is tens of MB: the answers after it queue while it is written, and a client
    // that reads them all must not be taken for one that does not read.
    const large = 'm'.repeat(48 * 1024 * 1024);
    let calls = 0;
    const { server, logged } = await serve({
      limits: { maxBufferedBytes: 1024 * 1024 },
      wrap: (h) => ({ ...h, 'app.info': async () => ({ name: calls++ === 0 ? large : 'small', version: '0.0.0-test', host: 'browser' as const }) }),
    });
    const t = asTarget(server);
    try {
      const ws = await connect(t);
      const answers = await Promise.all([call(ws, 'app.info'), call(ws, 'app.info'), call(ws, 'app.info')]);
      expect(answers.map((a) => (a.ok ? String((a.result as { name: string }).name).length : -1))).toEqual([large.length, 5, 5]);
      expect(logged.filter((m) => /does not read its answers/.test(m))).toEqual([]);
      ws.close();
    } finally {
      await server.close();
    }
  }, 60_000);

  it('drops a client that sends calls but does not read the answers', async () => {
    const bulky = 'n'.repeat(1024 * 1024);
    const { server, logs } = await serve({
      limits: { maxBufferedBytes: 1024 * 1024, maxCallsInFlight: 1000 },
      wrap: (h) => ({ ...h, 'app.info': async () => ({ name: bulky, version: '0.0.0-test', host: 'browser' as const }) }),
    });
    const t = asTarget(server);
    try {
      const c = await rawApi(t);
      c.socket.pause(); // never reads: the answers fill the kernel's buffers, then the server's
      const dropped = logs(/does not read its answers/);
      const request = (id: number) => frame(0x1, JSON.stringify({ id, method: 'app.info', input: {} }));
      // Far more than loopback buffers can hold (up to tens of MiB here) plus the 1 MiB allowed.
      for (let i = 0; i < 256; i++) c.socket.write(request(i));
      await dropped;
      c.socket.resume(); // now read what had arrived, up to the server's close
      await c.closed;
      await stillServing(t);
    } finally {
      await server.close();
    }
  }, 30_000);
});

describe('timeouts', () => {
  it('closes silent, half-sent and half-upgraded sockets with 408, and keeps serving', async () => {
    // Short timeouts so the test need not wait long; each socket's end is awaited, never a fixed time.
    const { server } = await serve({ limits: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, timeoutCheckMs: 100 } });
    const t = asTarget(server);
    try {
      const silent = await Promise.all(Array.from({ length: 20 }, () => raw(t)));
      const halfRequest = await raw(t);
      halfRequest.socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n`);
      const halfUpgrade = await raw(t);
      halfUpgrade.socket.write(upgradeRequest(t).slice(0, -2)); // all but the blank line that ends the headers
      const dribble = await raw(t);
      dribble.socket.write('GET / HTTP/1.1\r\n'); // then nothing more, as a slow-loris client would
      for (const c of [...silent, halfRequest, halfUpgrade, dribble]) {
        const answer = (await c.closed).toString('latin1');
        expect([408, 0]).toContain(statusOf(answer)); // 408 where the socket could still be written to
      }
      await stillServing(t);
    } finally {
      await server.close();
    }
  });

  it('drops an API connection that stops answering pings, and keeps one that answers', async () => {
    const { server } = await serve({ limits: { heartbeatMs: 300 } });
    const t = asTarget(server);
    try {
      const live = await connect(t); // ws answers pings itself, as browsers do
      let pings = 0;
      const threePings = new Promise<void>((resolve) => {
        live.on('ping', () => {
          if (++pings === 3) resolve();
        });
      });
      const deaf = await rawApi(t); // never answers a ping
      await deaf.closed;
      expect(deaf.frames().some((f) => f.opcode === 0x9)).toBe(true);
      await threePings;
      expect(live.readyState).toBe(WebSocket.OPEN);
      expect(await call(live, 'app.info')).toMatchObject({ ok: true });
      live.close();
      await stillServing(t);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!existsSync(CLI))('a real `runbook serve` process', () => {
  let child: ChildProcess;
  let t: Target;
  let stderr = '';

  beforeAll(async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'serve-abuse-'));
    child = spawn(process.execPath, [CLI, 'serve', path.join(REPO_ROOT, 'runbooks/local-health-check.md'), '--settings-dir', path.join(root, 'settings'), '--runs-dir', path.join(root, 'runs')], {
      env: { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const url = await new Promise<URL>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d) => {
        out += String(d);
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) resolve(new URL(line));
      });
      child.once('exit', (code) => reject(new Error(`runbook serve exited with ${code}: ${stderr}`)));
    });
    t = { port: Number(url.port), origin: url.origin, token: new URLSearchParams(url.hash.slice(1)).get('token') as string };
  });
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  /** The page, and an API call, from the same process that took the attack. */
  async function childServing(): Promise<void> {
    const page = await fetch(`${t.origin}/`, { headers: { connection: 'close' } });
    expect(page.status).toBe(200);
    await page.text();
    const ws = await connect(t);
    expect(await call(ws, 'app.info')).toMatchObject({ ok: true, result: { host: 'browser' } });
    ws.close();
    expect(child.exitCode, stderr).toBeNull();
  }

  it('survives each attack that used to end it, and answers after each', async () => {
    expect(await closeCodeFor(t, frame(0x1, 'x'.repeat(DEFAULT_LIMITS.maxMessageBytes + 1)))).toBe(1009);
    await childServing();
    expect(await closeCodeFor(t, frame(0x1, Buffer.from([0xc3, 0x28])))).toBe(1007);
    await childServing();
    expect(await closeCodeFor(t, frame(0x3, 'x'))).toBe(1002);
    await childServing();
    expect([403, 400]).toContain(statusOf(await exchange(t, upgradeRequest(t, {}, 'GET // HTTP/1.1'))));
    await childServing();
    expect(statusOf(await exchange(t, upgradeRequest(t, { 'Sec-WebSocket-Key': 'x' })))).toBe(400);
    await childServing();
    const reset = await raw(t);
    reset.socket.write(upgradeRequest(t, {}, 'GET /api?token=nope HTTP/1.1'));
    reset.socket.resetAndDestroy();
    await reset.closed;
    await childServing();
    const ws = await connect(t);
    expect(await answerTo(ws, '{"id": 3, "method": "app.info", "input": {}, "x": 1}')).toMatchObject({ id: 3, ok: false, error: { code: 'invalid-request' } });
    ws.terminate();
    await childServing();
  }, 30_000);
});
