// A whole run as a host makes it, through the run engine's own assembly (prepareRun, preflight, startRun)
// and a real journal: for the tests that look for a secret in every byte a run writes and in everything
// the session reports (secret-leaks.pg.test.ts, secret-leaks.ssh.test.ts).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { loadInstallation } from '../../src/main/audit/installation.js';
import { FileMacKeyStore } from '../../src/main/audit/key-store.js';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { prepareRun, preflightRun, startRun } from '../../src/main/session/assemble.js';
import { rememberingHostKeyAnswers } from '../../src/main/session/preflight.js';
import type { RunEvent, RunSession, RunSummary } from '../../src/main/session/runner.js';
import type { ExecutorContext } from '../../src/main/targets/types.js';
import type { TargetsFile } from '../../src/shared/targets.js';

/** Every byte under a directory (journal, output files, blobs, checkpoints), one character per byte. */
export function allBytes(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    out += statSync(full).isDirectory() ? allBytes(full) : readFileSync(full).toString('latin1');
  }
  return out;
}

export interface EngineRun {
  dir: string;
  summary: RunSummary;
  events: RunEvent[];
}

export interface EngineRunOptions {
  /** The test's temp directory: the runbook's path, the installation's keys. */
  root: string;
  /** The run's directory, and its id. */
  dir: string;
  runId: string;
  text: string;
  targets: TargetsFile;
  given: Map<string, string>;
  env: Record<string, string>;
  baseDir: string;
  /** The host's question to the operator (null: no answer). */
  ask?: (question: string) => string | null;
  /** The host's secret store. */
  secret?: (name: string) => string | null;
}

/**
 * Prepare (no problems), preflight (every target answers), start, run, close the executors, finish. Like
 * the CLI's, the host's `ask` tells the session of a secret answer only once the session exists: one
 * given at preflight reaches the session only if the engine itself passes it on.
 */
export async function runThroughEngine(options: EngineRunOptions): Promise<EngineRun> {
  const { root, dir, text, env } = options;
  const runbook = parseRunbook(text, { file: path.join(root, 'rb.md') });
  const prepared = await prepareRun({
    runbook,
    runbookBytes: Buffer.from(text),
    targets: options.targets,
    profile: 'standard',
    given: options.given,
    operatorNamed: false,
    approvers: null,
    env,
  });
  expect(prepared.problems.map((p) => p.message)).toEqual([]);
  let session: RunSession | null = null;
  const { ask, secret } = options;
  const ctx: ExecutorContext = rememberingHostKeyAnswers({
    baseDir: options.baseDir,
    env,
    ask: async (question, askOptions) => {
      const answer = ask?.(question) ?? null;
      if (answer !== null && askOptions?.secret) session?.addSecret(answer);
      return answer;
    },
    confirm: async () => false,
    ...(secret ? { secret: async (name: string) => secret(name) } : {}),
  });
  expect(await preflightRun(prepared, ctx)).toEqual([]);
  const events: RunEvent[] = [];
  const keyDir = path.join(root, 'keys');
  const started = await startRun(prepared, {
    runId: options.runId,
    dir,
    operatorName: 'alice',
    tool: { name: 'runbook-console', version: 'test' },
    options: { host: 'console', approvers_file: null },
    keys: new FileMacKeyStore(keyDir),
    installation: await loadInstallation(path.join(keyDir, 'installation_ed25519')),
    ctx,
    session: { keepGoing: true, confirmProtected: async () => true, onEvent: (e) => void events.push(e) },
  });
  session = started.session;
  const summary = await started.session.run();
  await started.pool.closeAll();
  await started.journal.finish(summary);
  return { dir, summary, events };
}
