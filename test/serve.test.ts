// `runbook serve`'s host: loopback only, token-guarded API, Host/Origin checks, static files confined.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningServer, startServer } from '../src/main/serve/server.js';
import { testHandlers } from './support/handlers.js';
import { REPO_ROOT } from './support/shared.js';

const STATIC = path.join(REPO_ROOT, 'dist/renderer');
let server: RunningServer;

beforeAll(async () => {
  const { handlers } = testHandlers({ host: 'browser', version: '0.0.0-test', initialFile: path.join(REPO_ROOT, 'runbooks/local-health-check.md') });
  server = await startServer({ handlers, staticDir: STATIC });
});
afterAll(() => server.close());

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, method: string, input: unknown): Promise<{ id: number; ok: boolean; result?: any; error?: any }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data));
      if (msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, input }));
  });
}

const wsUrl = (token: string) => `${server.origin.replace('http', 'ws')}/api?token=${encodeURIComponent(token)}`;

describe('runbook serve host', () => {
  it('listens on loopback and refuses other addresses', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(startServer({ handlers: testHandlers({ host: 'browser', version: 'x' }).handlers, staticDir: STATIC, host: '0.0.0.0' })).rejects.toThrow(/only loopback/);
  });

  it('serves the renderer with a strict CSP, and nothing outside its folder', async () => {
    const res = await fetch(`${server.origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(await res.text()).toContain('<div id="root">');
    for (const bad of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/assets/../../../package.json']) {
      expect((await fetch(`${server.origin}${bad}`)).status).toBe(404);
    }
  });

  it('lets a browser keep the content-named scripts, never the page itself', async () => {
    const page = await fetch(`${server.origin}/`);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    const scripts = [...html.matchAll(/src="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const res = await fetch(`${server.origin}/${script}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect((await fetch(`${server.origin}/favicon.svg`)).headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      http.get(`${server.origin}/`, { headers: { host: 'evil.example:80' } }, (res) => resolve(res.statusCode ?? 0));
    });
    expect(status).toBe(421);
  });

  it('refuses API connections without the right token or from another origin', async () => {
    await expect(connect(wsUrl('wrong-token'))).rejects.toThrow(/403/);
    await expect(connect(`${server.origin.replace('http', 'ws')}/api`)).rejects.toThrow(/403/);
    await expect(connect(wsUrl(server.token), { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect(wsUrl(server.token), { origin: 'null' })).rejects.toThrow(/403/); // sandboxed frames and file:// pages send "null"
    await expect(connect(wsUrl(server.token), { origin: 'not a url' })).rejects.toThrow(/403/);
  });

  it('answers API calls validated against the contract', async () => {
    const ws = await connect(wsUrl(server.token), { origin: server.origin });
    const info = await call(ws, 1, 'app.info', {});
    expect(info).toMatchObject({ ok: true, result: { host: 'browser', version: '0.0.0-test' } });
    const current = await call(ws, 2, 'runbook.current', {});
    expect(current.result.runbook.title).toBe('Workstation Health Check');
    const unknown = await call(ws, 3, 'shell.exec', { cmd: 'id' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    const invalid = await call(ws, 4, 'runbook.open', { path: '' });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/path: path is empty/) } });
    const extra = await call(ws, 5, 'runbook.open', { path: 'x.md', command: 'rm -rf /' });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    ws.close();
  });

  it('keeps targets in settings, validated at the boundary', async () => {
    const ws = await connect(wsUrl(server.token), { origin: server.origin });
    const empty = await call(ws, 1, 'targets.get', {});
    expect(empty).toMatchObject({ ok: true, result: { file: expect.stringMatching(/settings\.json$/), targets: { targets: {} } } });
    const targets = { targets: { web: { kind: 'ssh', host: 'web-1', protected: true } }, defaults: { shell: 'web' } };
    const saved = await call(ws, 2, 'targets.save', { targets });
    expect(saved).toMatchObject({ ok: true, result: { targets } });
    expect((await call(ws, 3, 'targets.get', {})).result.targets).toEqual(targets);
    // A password never goes into settings: the schema has no field for it.
    const withPassword = await call(ws, 4, 'targets.save', { targets: { targets: { db: { kind: 'postgres', host: 'h', database: 'd', user: 'u', password: 'pw' } } } });
    expect(withPassword).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect((await call(ws, 5, 'targets.get', {})).result.targets).toEqual(targets);
    ws.close();
  });

  it('a bad file reports FILE:LINE and keeps the runbook already open', async () => {
    const ws = await connect(wsUrl(server.token), { origin: server.origin });
    const res = await call(ws, 1, 'runbook.open', { path: path.join(REPO_ROOT, 'no-such.md') });
    expect(res.result.error).toMatchObject({ line: 1, message: 'cannot read: no such file' });
    expect(res.result.runbook.title).toBe('Workstation Health Check');
    ws.close();
  });
});
