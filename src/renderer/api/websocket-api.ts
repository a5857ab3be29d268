// The console API over one WebSocket: numbered requests, answers matched by id, validated on arrival.
import { API_METHODS, type ApiMethod, ApiResponseSchema, type RunbookApi, apiContract } from '../../shared/api.js';

export function connectWebSocketApi(url: string): Promise<RunbookApi> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const waiting = new Map<number, { method: ApiMethod; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let nextId = 1;

    socket.addEventListener('message', (event) => {
      const parsed = ApiResponseSchema.safeParse(JSON.parse(String(event.data)));
      if (!parsed.success) return;
      const answer = parsed.data;
      const call = waiting.get(answer.id);
      if (!call) return;
      waiting.delete(answer.id);
      if (!answer.ok) {
        call.reject(new Error(answer.error.message));
        return;
      }
      const result = apiContract[call.method].output.safeParse(answer.result);
      if (result.success) call.resolve(result.data);
      else call.reject(new Error(`${call.method}: the host sent an answer that does not match the contract`));
    });
    socket.addEventListener('close', () => {
      for (const call of waiting.values()) call.reject(new Error('the connection to the console host closed'));
      waiting.clear();
    });
    socket.addEventListener('error', () => reject(new Error('could not connect to the console host (is `runbook serve` still running?)')));
    socket.addEventListener('open', () => {
      const api = Object.fromEntries(
        API_METHODS.map((method) => [
          method,
          (input: unknown) =>
            new Promise((res, rej) => {
              const id = nextId++;
              waiting.set(id, { method, resolve: res, reject: rej });
              socket.send(JSON.stringify({ id, method, input }));
            }),
        ]),
      ) as RunbookApi;
      resolve(api);
    });
  });
}
