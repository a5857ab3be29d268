// V8's compile cache for the `runbook` command (Node's module.enableCompileCache): the code of the modules
// a command loads is compiled once and kept on disk, so later starts skip most of the compiling (about
// half of what a start costs). The cache is the operator's own, in their cache directory
// (<cache>/runbook-console/compile-cache, made 0700), never a directory other users can write to: code
// read from it runs in this process. NODE_COMPILE_CACHE=DIR chooses another directory,
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. Any failure (a read-only home, an old Node) only means a
// slower start.
import { mkdirSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';

/** Where the operator's caches go, by platform (as env-paths says, without loading it). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches');
  if (platform === 'win32') return env.LOCALAPPDATA || path.join(home, 'AppData', 'Local');
  return env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache');
}

export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userCacheDir(env), 'runbook-console', 'compile-cache');
}

/** Turns the compile cache on for this process (the modules loaded after this call). */
export function enableCliCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  const enable = (nodeModule as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  if (!enable || env.NODE_DISABLE_COMPILE_CACHE) return;
  try {
    if (env.NODE_COMPILE_CACHE) {
      enable();
      return;
    }
    const dir = compileCacheDir(env);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    enable(dir);
  } catch {
    // No cache: the command starts as it would without one.
  }
}
