// The preload exposes one object, window.runbookConsole, with a named function per API method.
// Nothing of Electron (ipcRenderer, events, senders) reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { API_CHANNEL, API_METHODS } from '../shared/api-methods.js';

const api = Object.fromEntries(
  API_METHODS.map((method) => [method, (input: unknown) => ipcRenderer.invoke(API_CHANNEL, method, input)]),
);

contextBridge.exposeInMainWorld('runbookConsole', Object.freeze(api));
