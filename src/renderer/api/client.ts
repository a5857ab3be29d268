// The renderer's only way out: the preload bridge in Electron, or the token-guarded WebSocket of `runbook serve`.
import type { ApiMethod, BridgeAnswer, RunbookApi } from '../../shared/api.js';
import { API_METHODS } from '../../shared/api-methods.js';
import { HostCallError } from '../lib/error-message.js';
import { apiUrl, takeTokenFromLocation } from './early-connection.js';
import { connectWebSocketApi } from './websocket-api.js';

declare global {
  interface Window {
    /** Set by the Electron preload (each call answers a BridgeAnswer); absent in a plain browser. */
    runbookConsole?: Record<ApiMethod, (input: unknown) => Promise<BridgeAnswer>>;
  }
}

/** The bridge's answers as the API's: the result, or a HostCallError with the host's code. */
function bridgeApi(bridge: Record<ApiMethod, (input: unknown) => Promise<BridgeAnswer>>): RunbookApi {
  const call = (method: ApiMethod) => async (input: unknown) => {
    const answer = await bridge[method](input);
    if (answer.ok) return answer.result;
    throw new HostCallError(answer.error.code, answer.error.message);
  };
  return Object.fromEntries(API_METHODS.map((method) => [method, call(method)])) as RunbookApi;
}

export async function connectApi(): Promise<RunbookApi> {
  if (window.runbookConsole) return bridgeApi(window.runbookConsole);
  const token = takeTokenFromLocation();
  if (!token) throw new Error('No access token: open the address printed by `runbook serve`, including its #token=… part.');
  return connectWebSocketApi(apiUrl(token));
}
