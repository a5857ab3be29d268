// Runs the kubectl lines of a shell block one after another, stopping at the first that fails (as the
// runbook author would expect of a checklist step, and as `set -e` would). The subset kubectl verbs below
// run natively through the API; any other line, or one with flags the subset does not know, runs the
// kubectl binary pinned to the target. A line may not point itself at another cluster or context.
import path from 'node:path';
import { applyFiles, APPLY_FLAGS } from './commands/apply-file.js';
import { DELETE_FLAGS, del } from './commands/delete.js';
import { GET_FLAGS, get } from './commands/get.js';
import { LOGS_FLAGS, logs } from './commands/logs.js';
import { PATCH_FLAGS, patch } from './commands/patch.js';
import { ROLLOUT_FLAGS, rollout } from './commands/rollout.js';
import { SCALE_FLAGS, scale } from './commands/scale.js';
import { SET_FLAGS, set } from './commands/set.js';
import type { CommandEnv } from './command-env.js';
import { KubectlExited, NotNative, UsageError } from './errors.js';
import { type FlagSpec, type ParsedArgs, parseArgs, withGlobals } from './kubectl-args.js';
import { findOnPath, pinnedArgs, runKubectl } from './kubectl-binary.js';
import type { KubectlLine } from './kubectl-lines.js';

interface Native {
  flags: FlagSpec;
  run(env: CommandEnv, args: ParsedArgs, line: KubectlLine): Promise<void>;
}

const NATIVE: Record<string, Native> = {
  get: { flags: GET_FLAGS, run: get },
  logs: { flags: LOGS_FLAGS, run: logs },
  rollout: { flags: ROLLOUT_FLAGS, run: rollout },
  set: { flags: SET_FLAGS, run: set },
  patch: { flags: PATCH_FLAGS, run: patch },
  scale: { flags: SCALE_FLAGS, run: scale },
  apply: { flags: APPLY_FLAGS, run: applyFiles },
  delete: { flags: DELETE_FLAGS, run: del },
};

/** A line's failure, with the line it happened on. */
export class LineFailure extends Error {
  constructor(
    readonly line: KubectlLine,
    override readonly cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

export interface BlockEnv extends CommandEnv {
  /** Environment of a kubectl child process (PATH is searched for kubectl there). */
  processEnv: Record<string, string | undefined>;
}

/** Refuses connection flags that would take the line away from the target; allows those that restate it. */
function checkConnectionFlags(env: BlockEnv, args: ParsedArgs): void {
  for (const [name, values] of args.values) {
    for (const value of values) {
      if (name === 'namespace' || name === 'v' || name === 'request-timeout') continue;
      if (name === 'context' && value === env.cluster.context) continue;
      if (name === 'kubeconfig' && env.cluster.files.includes(path.resolve(env.baseDir, value))) continue;
      if (name === 'context') throw new UsageError(`--context ${value} differs from the target's context ${env.cluster.context}; bind the block to a target for that context`);
      throw new UsageError(`--${name} would override the connection of target context ${env.cluster.context}; configure it in the kubeconfig instead`);
    }
  }
  if (args.booleans.get('insecure-skip-tls-verify')) throw new UsageError('--insecure-skip-tls-verify would override the connection of the target; configure it in the kubeconfig instead');
}

async function runBinary(env: BlockEnv, line: KubectlLine, globals: ParsedArgs, why: string): Promise<void> {
  if (line.globs.length > 0) throw new UsageError(`${line.args[line.globs[0] as number]} would be expanded by a shell (quote it)`);
  const binary = findOnPath('kubectl', env.processEnv.PATH);
  if (!binary) {
    throw new UsageError(`"${line.text}" needs the kubectl binary (${why} is not run natively), and kubectl is not on PATH; install kubectl, or use get, logs, rollout, set, patch, scale, apply or delete`);
  }
  const pinned = pinnedArgs(env.cluster, line.args, globals.values.has('namespace'));
  env.notes.push(`line ${line.line} ran ${binary} (${why} is not run natively), pinned to context ${env.cluster.context}`);
  const { code, signal } = await runKubectl({ binary, args: pinned.args, env: { ...env.processEnv, ...pinned.env }, cwd: env.baseDir, control: env.control, out: env.out });
  env.control.throwIfStopped();
  if (code !== 0) throw new KubectlExited(signal ? `kubectl was killed by ${signal}` : `kubectl exited with status ${code}`, code ?? 1);
}

async function runLine(env: BlockEnv, line: KubectlLine): Promise<void> {
  const globals = parseArgs(line.args, withGlobals({}));
  checkConnectionFlags(env, globals);
  const verb = globals.positionals[0];
  if (verb === undefined) throw new UsageError('kubectl without a command');
  const native = Object.hasOwn(NATIVE, verb) ? NATIVE[verb] : undefined;
  if (!native) return runBinary(env, line, globals, `kubectl ${verb}`);
  const args = parseArgs(line.args, withGlobals(native.flags));
  if (args.unknown.length > 0) return runBinary(env, line, globals, `kubectl ${verb} ${args.unknown.join(' ')}`);
  if (verb !== 'set' && line.globs.length > 0) throw new UsageError(`${line.args[line.globs[0] as number]} would be expanded by a shell (quote it)`);
  // The verb is the first positional; commands see what follows it.
  if (args.positionals[0] !== verb) return runBinary(env, line, globals, `kubectl ${verb} with flags before it`);
  args.positionals.shift();
  args.positionalIndex.shift();
  try {
    await native.run(env, args, line);
  } catch (error) {
    if (error instanceof NotNative) return runBinary(env, line, globals, `kubectl ${verb} with ${error.message}`);
    throw error;
  }
}

export async function runKubectlLines(env: BlockEnv, lines: KubectlLine[]): Promise<void> {
  for (const line of lines) {
    env.control.throwIfStopped();
    env.out.info(`$ ${line.text}\n`);
    try {
      await runLine(env, line);
    } catch (error) {
      if (lines.indexOf(line) < lines.length - 1) env.notes.push(`stopped at line ${line.line}; the ${lines.length - 1 - lines.indexOf(line)} line(s) after it were not run`);
      throw new LineFailure(line, error);
    }
  }
}
