// kubectl lines the native subset does not cover run the kubectl binary, pinned to the target: its
// kubeconfig, its context and (unless the line names one) its namespace come first on the command line,
// so the line cannot reach another cluster by accident. It runs in its own process group, so that cancel
// and the timeout stop everything it started.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Output } from './command-env.js';
import type { BlockControl } from './control.js';
import type { BoundCluster } from './kubeconfig.js';

/** How long a stopped kubectl gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;

export function findOnPath(name: string, pathEnv: string | undefined): string | null {
  for (const dir of (pathEnv ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** The pinning flags, then the line's own words. */
export function pinnedArgs(cluster: BoundCluster, args: string[], lineHasNamespace: boolean): { args: string[]; env: Record<string, string> } {
  // --kubeconfig takes one file; a merged $KUBECONFIG list is passed the way kubectl reads it.
  const single = cluster.files.length === 1;
  const pins = [...(single ? ['--kubeconfig', cluster.files[0] as string] : []), '--context', cluster.context, ...(lineHasNamespace ? [] : ['--namespace', cluster.namespace])];
  return { args: [...pins, ...args], env: single ? {} : { KUBECONFIG: cluster.files.join(path.delimiter) } };
}

export interface KubectlRun {
  binary: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  control: BlockControl;
  out: Output;
}

/** Runs kubectl to its end (or until the block is stopped); resolves its exit status, null when killed. */
export function runKubectl(run: KubectlRun): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.binary, run.args, { cwd: run.cwd, env: run.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let grace: NodeJS.Timeout | undefined;
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const onStop = () => {
      kill('SIGTERM');
      grace = setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS);
    };
    run.control.signal.addEventListener('abort', onStop, { once: true });
    for (const stream of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      child[stream].on('data', (data: Buffer) => {
        const text = decoder.write(data);
        if (text) run.out[stream](text);
      });
      child[stream].on('end', () => {
        const rest = decoder.end();
        if (rest) run.out[stream](rest);
      });
    }
    child.once('error', (error) => {
      run.control.signal.removeEventListener('abort', onStop);
      reject(error);
    });
    child.once('close', (code, signal) => {
      run.control.signal.removeEventListener('abort', onStop);
      clearTimeout(grace);
      if (run.control.reason) kill('SIGKILL'); // nothing it started outlives a stop
      resolve({ code, signal });
    });
  });
}
