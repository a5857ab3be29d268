// What every webContents and session gets, and the IPC door, driven with plain fakes (no Electron binary).
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { API_CHANNEL, API_METHODS } from '../src/shared/api-methods.js';
import type { ApiHandlers } from '../src/main/api/dispatch.js';
import { type HardenableContents, type PermissionSession, denyAllPermissions, hardenWebContents } from '../src/main/electron/hardening.js';
import { type InvokeEvent, type IpcMainLike, UNTRUSTED_SENDER, isTrustedInvoke, registerApi } from '../src/main/electron/ipc.js';

class FakeContents extends EventEmitter {
  openHandler?: (details: { url: string }) => { action: 'deny' };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
    this.openHandler = handler;
  }
  /** Emits a navigation-like event and says whether it was prevented. */
  attempt(event: string, url = ''): boolean {
    let prevented = false;
    this.emit(event, { url, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

function hardened() {
  const contents = new FakeContents();
  const refused: string[] = [];
  hardenWebContents(contents as unknown as HardenableContents, (what, detail) => refused.push(`${what} ${detail}`));
  return { contents, refused };
}

describe('webContents hardening', () => {
  it('denies every new window', () => {
    const { contents, refused } = hardened();
    expect(contents.openHandler?.({ url: 'app://runbook/index.html' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(refused).toEqual(['window app://runbook/index.html', 'window https://example.com/']);
  });

  it('keeps navigation, redirects and frame navigation inside app://runbook', () => {
    const { contents, refused } = hardened();
    for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      expect(contents.attempt(event, 'app://runbook/index.html'), event).toBe(false);
      for (const url of ['https://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'app://runbook.evil/', 'app://user@runbook/']) {
        expect(contents.attempt(event, url), `${event} ${url}`).toBe(true);
      }
    }
    expect(refused).toHaveLength(15);
  });

  it('prevents every <webview>', () => {
    const { contents, refused } = hardened();
    expect(contents.attempt('will-attach-webview')).toBe(true);
    expect(refused).toEqual(['webview will-attach-webview']);
  });
});

describe('session permissions', () => {
  it('denies every permission request and check, and every device', () => {
    let request: Parameters<PermissionSession['setPermissionRequestHandler']>[0] | undefined;
    let check: (() => boolean) | undefined;
    let device: (() => boolean) | undefined;
    const refused: string[] = [];
    denyAllPermissions(
      {
        setPermissionRequestHandler: (h) => (request = h),
        setPermissionCheckHandler: (h) => (check = h),
        setDevicePermissionHandler: (h) => (device = h),
      },
      (what, detail) => refused.push(`${what} ${detail}`),
    );
    const answers: boolean[] = [];
    for (const permission of ['media', 'notifications', 'clipboard-read', 'openExternal']) request?.({}, permission, (granted) => answers.push(granted));
    expect(answers).toEqual([false, false, false, false]);
    expect(check?.()).toBe(false);
    expect(device?.()).toBe(false);
    expect(refused).toEqual(['permission media', 'permission notifications', 'permission clipboard-read', 'permission openExternal']);
  });
});

describe('IPC', () => {
  const mainFrame = { url: 'app://runbook/index.html' };
  const event = (frame: { url: string } | null, main: unknown = frame): InvokeEvent => ({ senderFrame: frame, sender: { mainFrame: main } });
  const handlers = Object.fromEntries(API_METHODS.map((m) => [m, async () => ({ name: 'Runbook Console', version: '1', host: 'electron' })])) as unknown as ApiHandlers;

  function registered(h: ApiHandlers = handlers) {
    const listeners = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
    registerApi({ handle: (channel, listener) => listeners.set(channel, listener) }, h);
    return listeners;
  }

  it('trusts only the main frame of the app page', () => {
    expect(isTrustedInvoke(event(mainFrame))).toBe(true);
    expect(isTrustedInvoke(event({ url: 'app://runbook/index.html' }, mainFrame))).toBe(false); // a subframe
    expect(isTrustedInvoke(event({ url: 'https://evil.example/' }))).toBe(false);
    expect(isTrustedInvoke(event(null, mainFrame))).toBe(false); // navigated away or destroyed
  });

  it('registers the one API channel and dispatches trusted calls through the contract', async () => {
    const listeners = registered();
    expect([...listeners.keys()]).toEqual([API_CHANNEL]);
    const listener = listeners.get(API_CHANNEL)!;
    await expect(listener(event(mainFrame), 'app.info', {})).resolves.toEqual({ ok: true, result: { name: 'Runbook Console', version: '1', host: 'electron' } });
    // Errors come back answered, with their code (a rejection would reach the page as its message alone).
    await expect(listener(event(mainFrame), 'no.such', {})).resolves.toEqual({ ok: false, error: { code: 'unknown-method', message: expect.stringMatching(/unknown API method/) } });
    await expect(listener(event(mainFrame), 'app.info', { extra: 1 })).resolves.toEqual({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/app\.info/) } });
  });

  it('refuses calls from anywhere else before any handler runs', () => {
    let ran = false;
    const spyHandlers = { ...handlers, 'app.info': async () => ((ran = true), { name: 'x', version: '1', host: 'electron' as const }) };
    const listener = registered(spyHandlers).get(API_CHANNEL)!;
    expect(() => listener(event({ url: 'https://evil.example/' }), 'app.info', {})).toThrow(UNTRUSTED_SENDER);
    expect(() => listener(event({ url: 'app://runbook/' }, mainFrame), 'app.info', {})).toThrow(UNTRUSTED_SENDER);
    expect(ran).toBe(false);
  });

  it('refuses to start with a contract method that has no handler', () => {
    const { 'app.info': _dropped, ...partial } = handlers;
    expect(() => registered(partial as ApiHandlers)).toThrow('no handler for API method(s): app.info');
  });
});
