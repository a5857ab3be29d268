// The console API over a WebSocket: numbered requests, answers matched by id, validated on arrival.
// A closed connection fails the calls in flight at once and is opened again by the next call, so the page
// carries on after `runbook serve` restarts a tunnel or the network blips (the token stays in memory).
import { HostCallError } from '../lib/error-message.js';
import { API_METHODS, type ApiMethod, ApiResponseSchema, type RunbookApi, apiContract } from '../../shared/api.js';

type Waiting = { method: ApiMethod; resolve: (v: unknown) => void; reject: (e: Error) => void };

const UNREACHABLE = 'could not connect to the console host (is `runbook serve` still running?)';

export function connectWebSocketApi(url: string): Promise<RunbookApi> {
  const waiting = new Map<number, Waiting>();
  let nextId = 1;
  let connecting: Promise<WebSocket> | null = null;

  function onMessage(event: MessageEvent): void {
    const parsed = ApiResponseSchema.safeParse(JSON.parse(String(event.data)));
    if (!parsed.success) return;
    const answer = parsed.data;
    const call = waiting.get(answer.id);
    if (!call) return;
    waiting.delete(answer.id);
    if (!answer.ok) {
      call.reject(new HostCallError(answer.error.code, answer.error.message));
      return;
    }
    const result = apiContract[call.method].output.safeParse(answer.result);
    if (result.success) call.resolve(result.data);
    else call.reject(new Error(`${call.method}: the host sent an answer that does not match the contract`));
  }

  /** The open socket, opening one when there is none (or the last one closed). */
  function open(): Promise<WebSocket> {
    connecting ??= new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.addEventListener('message', onMessage);
      socket.addEventListener('open', () => resolve(socket));
      socket.addEventListener('error', () => reject(new Error(UNREACHABLE)));
      socket.addEventListener('close', () => {
        connecting = null;
        reject(new Error(UNREACHABLE));
        for (const call of waiting.values()) call.reject(new Error('the connection to the console host closed'));
        waiting.clear();
      });
    });
    return connecting;
  }

  const call = async (method: ApiMethod, input: unknown): Promise<unknown> => {
    const socket = await open();
    if (socket.readyState !== WebSocket.OPEN) throw new Error('the connection to the console host closed');
    return new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { method, resolve, reject });
      socket.send(JSON.stringify({ id, method, input }));
    });
  };

  return open().then(() => Object.fromEntries(API_METHODS.map((method) => [method, (input: unknown) => call(method, input)])) as RunbookApi);
}
