// Types for serve.mjs.
export declare const REPO_ROOT: string;
export declare const CLI: string;
export interface ServeHandle {
  url: string;
  origin: string;
  output: () => string;
  stop: () => Promise<void>;
  /** Sends the signal (SIGKILL: as a crash would end it) and waits for the process to end. */
  kill: (signal: NodeJS.Signals) => Promise<void>;
}
export declare function startServe(options: { file?: string; settingsDir: string; runsDir: string; env?: Record<string, string> }): Promise<ServeHandle>;
