// Types for serve.mjs.
export declare const REPO_ROOT: string;
export declare const CLI: string;
export interface ServeHandle {
  url: string;
  origin: string;
  output: () => string;
  stop: () => Promise<void>;
}
export declare function startServe(options: { file?: string; settingsDir: string; runsDir: string; env?: Record<string, string> }): Promise<ServeHandle>;
