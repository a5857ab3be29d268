// The renderer's only way out: the preload bridge in Electron, or the token-guarded WebSocket of `runbook serve`.
import type { RunbookApi } from '../../shared/api.js';
import { connectWebSocketApi } from './websocket-api.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser. */
    runbookConsole?: RunbookApi;
  }
}

/** Reads the token from the URL fragment and removes it from the address bar and history. */
function takeTokenFromLocation(): string | null {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (token) {
    sessionStorage.setItem('runbook-console-token', token);
    history.replaceState(null, '', window.location.pathname);
    return token;
  }
  return sessionStorage.getItem('runbook-console-token');
}

export async function connectApi(): Promise<RunbookApi> {
  if (window.runbookConsole) return window.runbookConsole;
  const token = takeTokenFromLocation();
  if (!token) throw new Error('No access token: open the address printed by `runbook serve`, including its #token=… part.');
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api?token=${encodeURIComponent(token)}`;
  return connectWebSocketApi(url);
}
