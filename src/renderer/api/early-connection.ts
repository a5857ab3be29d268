// The first questions the console asks, on the wire while its script still loads (the boot entry runs this
// before the main chunk is even fetched): `runbook serve`'s WebSocket handshake and the first answers overlap
// the download and compile of the page's script instead of following it. Transport only: the real client
// (websocket-api.ts) adopts the socket and reads every answer's envelope as it always does (answer-envelope.ts).
import type { ApiMethod } from '../../shared/api.js';

/** What the first screen needs, in the order App asks for it; each is answered once, to its first asker. */
export const FIRST_CALLS: readonly { method: ApiMethod; input: Record<string, never> }[] = [
  { method: 'app.info', input: {} },
  { method: 'settings.get', input: {} },
  { method: 'runbook.current', input: {} },
  { method: 'runs.current', input: {} },
];

const TOKEN_KEY = 'runbook-console-token';

export interface EarlyConnection {
  url: string;
  socket: WebSocket;
  /** Request id → the call it asks: sent as soon as the socket opens, whoever owns it by then. */
  sent: Map<number, { method: ApiMethod; input: unknown }>;
  /** Raw answers that arrived before the client took over, in order. */
  arrived: string[];
  /** Stops collecting (the client listens from now on). */
  release: () => void;
}

let early: EarlyConnection | null = null;

/** Reads the token from the URL fragment and removes it from the address bar and history. */
export function takeTokenFromLocation(): string | null {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', window.location.pathname);
    return token;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function apiUrl(token: string): string {
  return `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api?token=${encodeURIComponent(token)}`;
}

/** Opens the socket and queues the first calls (sent once it opens). Nothing in Electron, or without a token. */
export function openEarlyConnection(): void {
  if (window.runbookConsole || early) return;
  const token = takeTokenFromLocation();
  if (!token) return; // connectApi says why, in the page
  const url = apiUrl(token);
  const socket = new WebSocket(url);
  const sent = new Map<number, { method: ApiMethod; input: unknown }>(FIRST_CALLS.map((call, i) => [i + 1, call]));
  const arrived: string[] = [];
  const collect = (event: MessageEvent) => arrived.push(String(event.data));
  socket.addEventListener('message', collect);
  socket.addEventListener('open', () => {
    for (const [id, call] of sent) socket.send(JSON.stringify({ id, method: call.method, input: call.input }));
  });
  early = { url, socket, sent, arrived, release: () => socket.removeEventListener('message', collect) };
}

/**
 * The early connection for `url`, once: the client that takes it owns the socket from then on. A socket
 * that already closed is not handed over (its close event has passed): the client opens its own.
 */
export function takeEarlyConnection(url: string): EarlyConnection | null {
  const taken = early;
  early = null;
  if (!taken) return null;
  if (taken.url !== url || taken.socket.readyState > WebSocket.OPEN) {
    taken.release();
    taken.socket.close();
    return null;
  }
  taken.release();
  return taken;
}
