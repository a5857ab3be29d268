// The one door from the page into main over IPC: the API channel, accepted only from the main frame of the
// app's own page, every call validated against the shared contract by dispatch(). Written against the part
// of ipcMain it uses, so it is tested without Electron.
import { API_CHANNEL, API_METHODS } from '../../shared/api-methods.js';
import { type ApiHandlers, dispatch, toApiError } from '../api/dispatch.js';
import type { BridgeAnswer } from '../../shared/api.js';
import { isTrustedSender } from './policy.js';

/** What this module reads of Electron's IpcMainInvokeEvent. */
export interface InvokeEvent {
  readonly senderFrame: { readonly url: string } | null;
  readonly sender: { readonly mainFrame: unknown };
}

/** The part of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void;
}

export const UNTRUSTED_SENDER = 'refused: API calls are accepted only from the console window';

/** Whether an invoke came from the main frame of an app:// page (not a subframe, not a navigated-away frame). */
export function isTrustedInvoke(event: InvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && isTrustedSender(frame.url, frame === event.sender.mainFrame);
}

/** Registers the API: one handler per contract method must be given; calls from anywhere else are refused. */
export function registerApi(ipc: IpcMainLike, handlers: ApiHandlers): void {
  const missing = API_METHODS.filter((method) => typeof handlers[method] !== 'function');
  if (missing.length) throw new Error(`no handler for API method(s): ${missing.join(', ')}`);
  ipc.handle(API_CHANNEL, (event, method, input) => {
    if (!isTrustedInvoke(event)) throw new Error(UNTRUSTED_SENDER);
    // Answered, never rejected: a rejection crosses the bridge as its message alone, and the page acts on codes.
    return dispatch(handlers, method, input).then(
      (result): BridgeAnswer => ({ ok: true, result }),
      (error: unknown): BridgeAnswer => ({ ok: false, error: toApiError(error) }),
    );
  });
}
