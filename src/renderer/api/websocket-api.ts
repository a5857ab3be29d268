// The console API over a WebSocket: numbered requests, answers matched by id (answer-envelope.ts reads them).
// A closed connection fails the calls in flight at once and is opened again by the next call, so the page
// carries on after `runbook serve` restarts a tunnel or the network blips (the token stays in memory).
// The first connection may have been opened by the boot entry (early-connection.ts) with the first screen's
// calls already asked: the client adopts that socket, and each of those calls is answered by its request in
// flight the first time the page asks it (with the same input), never again.
import { HostCallError } from '../lib/error-message.js';
import type { ApiMethod, RunbookApi } from '../../shared/api.js';
import { API_METHODS } from '../../shared/api-methods.js';
import { envelope } from './answer-envelope.js';
import { type EarlyConnection, takeEarlyConnection } from './early-connection.js';

type Waiting = { method: ApiMethod; resolve: (v: unknown) => void; reject: (e: Error) => void };

const UNREACHABLE = 'could not connect to the console host (is `runbook serve` still running?)';

const callKey = (method: ApiMethod, input: unknown) => `${method} ${JSON.stringify(input)}`;

export function connectWebSocketApi(url: string): Promise<RunbookApi> {
  const waiting = new Map<number, Waiting>();
  /** The early connection's calls, by method and input, until the page asks each the first time. */
  const asked = new Map<string, Promise<unknown>>();
  let nextId = 1;
  let connecting: Promise<WebSocket> | null = null;

  function onMessage(event: MessageEvent | { data: string }): void {
    const answer = envelope(String(event.data));
    if (!answer) return;
    const call = waiting.get(answer.id);
    if (!call) return;
    waiting.delete(answer.id);
    if (answer.ok) call.resolve(answer.result);
    else call.reject(new HostCallError(answer.error.code, answer.error.message));
  }

  /** Listens on `socket` as this client's connection; resolves when it is open. */
  function attach(socket: WebSocket): Promise<WebSocket> {
    return new Promise<WebSocket>((resolve, reject) => {
      socket.addEventListener('message', onMessage);
      if (socket.readyState === WebSocket.OPEN) resolve(socket);
      else socket.addEventListener('open', () => resolve(socket));
      socket.addEventListener('error', () => reject(new Error(UNREACHABLE)));
      socket.addEventListener('close', () => {
        connecting = null;
        reject(new Error(UNREACHABLE));
        for (const call of waiting.values()) call.reject(new Error('the connection to the console host closed'));
        waiting.clear();
      });
    });
  }

  function adopt(early: EarlyConnection): void {
    for (const [id, call] of early.sent) {
      const answered = new Promise((resolve, reject) => waiting.set(id, { method: call.method, resolve, reject }));
      answered.catch(() => undefined); // asked by no one yet: the page's own call sees the failure
      asked.set(callKey(call.method, call.input), answered);
      nextId = Math.max(nextId, id + 1);
    }
    connecting = attach(early.socket);
    connecting.catch(() => undefined);
    for (const data of early.arrived) onMessage({ data });
  }

  /** The open socket, opening one when there is none (or the last one closed). */
  function open(): Promise<WebSocket> {
    connecting ??= attach(new WebSocket(url));
    return connecting;
  }

  const call = async (method: ApiMethod, input: unknown): Promise<unknown> => {
    const key = callKey(method, input);
    const early = asked.get(key);
    if (early) {
      asked.delete(key);
      return early;
    }
    const socket = await open();
    if (socket.readyState !== WebSocket.OPEN) throw new Error('the connection to the console host closed');
    return new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { method, resolve, reject });
      socket.send(JSON.stringify({ id, method, input }));
    });
  };

  const early = takeEarlyConnection(url);
  if (early) adopt(early);
  return open().then(() => Object.fromEntries(API_METHODS.map((method) => [method, (input: unknown) => call(method, input)])) as RunbookApi);
}
