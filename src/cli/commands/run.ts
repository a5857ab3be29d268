// `runbook run FILE`: runs the executable steps in document order against their targets.
import { randomUUID } from 'node:crypto';
import { existsSync, fstatSync, readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isatty } from 'node:tty';
import { PROFILES, type Profile } from '../../shared/runbook-model.js';
import type { TargetsFile } from '../../shared/targets.js';
import { loadRunbookSnapshot } from '../../main/runbook/index.js';
import { loadInstallationForCli } from '../installation-notice.js';
import { JournalWriteError } from '../../main/audit/journal-writer.js';
import { isRecordWriteFailure } from '../../main/audit/seal.js';
import type { StoreShipper } from '../../main/store/ship.js';
import { STORE_URL_ENV, type StoreEndpoint, parseStoreUrl } from '../../main/store/url.js';
import { FileMacKeyStore } from '../../main/audit/key-store.js';
import { JOURNAL_FILE } from '../../main/audit/record.js';
import { RUN_LOCK_FILE, RunLockedError, describeHolder, inspectRunLock } from '../../main/audit/run-lock.js';
import { defaultRunsDir } from '../../main/audit/runs-dir.js';
import { RunRefused, type RunRequest, prepareRun, preflightRun, recordedPolicy, startRun } from '../../main/session/assemble.js';
import { rememberingHostKeyAnswers } from '../../main/session/preflight.js';
import { atLeast } from '../../main/session/profile-rules.js';
import { currentOperator } from '../../main/session/run-journal.js';
import type { ManualAnswer, RunEvent, RunSession } from '../../main/session/runner.js';
import { loadTargetsFile } from '../../main/targets/targets-file.js';
import type { ExecutorContext } from '../../main/targets/types.js';
import { VERSION } from '../version.js';
import { CliExit } from '../cli-exit.js';
import { formatResultSet } from '../format-result.js';
import { ask, confirm, isInteractive } from '../prompt.js';
import { forTerminal } from '../terminal-output.js';
import { shellQuote } from '../../shared/shell-quote.js';
import { readVarOptions } from '../var-values.js';
import { decideOptions, manualStepPrompter } from '../manual-prompts.js';
import { StepOutputPrinter, type TerminalSink } from '../step-output.js';

export interface RunOptions {
  profile?: string;
  targets?: string;
  var: string[];
  only: string[];
  yes?: boolean;
  keepGoing?: boolean;
  operator?: string;
  journal?: string;
  confirmProtected: string[];
  approvers?: string;
  approver?: string;
  approvalCommand?: string;
  /** Public keys (or key files) the operator controls: an approval signed by one of them is refused. */
  operatorKey: string[];
  /** Decisions answered before the run: STEP_ID=CHOICE (repeatable). */
  decide?: string[];
  /** The team store's URL (else $RUNBOOK_STORE_URL): every record is shipped there once durable here. */
  store?: string;
  /** Whether state-changing blocks wait for the store to hold every record (default: on in RESTRICTED). */
  storeGate?: 'on' | 'off';
  /** RESTRICTED with a store: how long an approval request stays open (s). */
  approvalTimeout?: number;
}


/** --profile, else the runbook's front matter `profile`, else standard. */
function parseProfile(value: string | undefined, fromRunbook: Profile | undefined): Profile {
  if (value === undefined) return fromRunbook ?? 'standard';
  const p = value.toLowerCase().replace(/\+$/, '');
  if (!(PROFILES as readonly string[]).includes(p)) throw new CliExit(2, `--profile ${value}: one of ${PROFILES.join(', ')}`);
  return p as Profile;
}

/** Exit statuses of a run stopped by a signal (128 + its number) or by a closed stdout (as SIGPIPE). */
const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143, EPIPE: 141 };
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Standard output until it closes (a pipe's reader went away); after that, nothing more is written to it. */
let stdoutOpen = true;
const write = (text: string) => {
  if (stdoutOpen) process.stdout.write(text);
};

/**
 * Where step output is printed. A file or a device that is not a terminal (/dev/null) takes each write at
 * once and node writes it synchronously anyway: there it is written straight to the descriptor, text as
 * it is (node's stream would first copy it into a buffer). Everything else (a terminal, a pipe) goes
 * through process.stdout, whose 'drain' is the backpressure.
 */
function stepOutputSink(onError: (error: NodeJS.ErrnoException) => void): TerminalSink {
  let direct = false;
  try {
    const stat = fstatSync(1);
    direct = stat.isFile() || (stat.isCharacterDevice() && !isatty(1));
  } catch {
    // Not known: the stream.
  }
  if (!direct) return process.stdout;
  return {
    write: (text, encoding) => {
      try {
        writeSync(1, text, null, encoding);
      } catch (error) {
        onError(error as NodeJS.ErrnoException);
      }
      return true;
    },
    once: (event, listener) => process.stdout.once(event, listener),
  };
}

/** Set once the run is interrupted: from then on nothing waits for standard output's reader. */
let stopWaitingForStdout = false;

/**
 * Resolves once what was written to standard output has gone out (exiting earlier could cut it off); at
 * once after an interruption (whoever reads it may never read again: a pager left open).
 */
function stdoutDrained(): Promise<void> {
  if (!stdoutOpen || stopWaitingForStdout || process.stdout.writableLength === 0) return Promise.resolve();
  // An empty write's callback runs once everything written before it has gone out ('drain' comes only
  // after a write that found the buffer full).
  return new Promise((resolve) => {
    const done = () => {
      process.stdout.off('close', done);
      process.stdout.off('error', done);
      resolve();
    };
    process.stdout.once('close', done);
    process.stdout.once('error', done);
    process.stdout.write('', () => done());
  });
}

function printEvent(event: RunEvent, total: number, index: Map<string, number>, session: RunSession, stepOutput: StepOutputPrinter): void | Promise<void> {
  switch (event.type) {
    case 'step-skip':
      write(`- [${index.get(event.step.id)}/${total}] ${forTerminal(event.step.title)}: skipped (${forTerminal(event.reason)})\n`);
      break;
    case 'step-start':
      write(`\n▶ [${index.get(event.step.id)}/${total}] ${forTerminal(event.step.title)}  (line ${event.step.line}, ${forTerminal(event.step.id)})\n`);
      break;
    case 'block-start': {
      const verdict = session.verdictOf(event.block);
      write(`  ┌ ${event.block.action} on ${event.binding.targetName} (${event.binding.target.kind}, bound by ${event.binding.source}), block line ${event.block.line}\n`);
      write(`  │ » ${verdict.changesState ? 'changes state' : 'read-only'} [${verdict.code}]${verdict.changesState ? `: ${forTerminal(verdict.detail)}` : ''}\n`);
      break;
    }
    case 'output':
      // Control sequences in a step's output are shown, never obeyed by the operator's terminal.
      return stepOutput.output(event.chunk.stream, event.chunk.bytes);
    case 'block-end': {
      void stepOutput.endBlock();
      const { result, judgement, output } = event.outcome;
      for (const set of result.resultSets) write(`${forTerminal(formatResultSet(set)).replace(/^/gm, '  │ ')}\n`);
      for (const note of result.notes) write(`  │ note: ${forTerminal(note)}\n`);
      // A transcript's output is an example: said to match or not, never a pass or a fail.
      if (judgement.comparison) write(`  │ the runbook's example output: ${judgement.comparison.same ? 'the same' : 'differs (an example for comparison, not a check)'}\n`);
      const verdict = judgement.verdict ? ` · check: ${judgement.verdict}${judgement.reasons.length ? ` (${forTerminal(judgement.reasons.join('; '))})` : ''}` : '';
      const exit = result.exitCode !== null ? ` exit ${result.exitCode}` : '';
      const signal = result.signal ? ` signal ${result.signal}` : '';
      write(`  └ ${result.status}${exit}${signal}${result.error && result.status !== 'succeeded' ? `: ${forTerminal(result.error)}` : ''}${verdict} · ${result.durationMs.toFixed(0)} ms · ${forTerminal(result.target.endpoint)} · output ${output.bytes} bytes\n`);
      break;
    }
    case 'step-end':
      // A step done by hand says how it was settled (done, a decision's choice).
      if (event.outcome.status === 'succeeded' && event.outcome.blocks.length === 0 && event.outcome.reason) write(`  ✓ ${forTerminal(event.outcome.reason)}\n`);
      if (event.outcome.status !== 'succeeded') write(`  ✗ ${event.outcome.refusal ? `refused (${event.outcome.refusal})` : event.outcome.status}: ${forTerminal(event.outcome.reason ?? '')}\n`);
      break;
  }
}

/**
 * A run directory takes one run, written by one process: one in use (run.lock held by a live process) or
 * holding a journal is refused before anything is asked, connected to or written.
 */
function checkJournalDir(dir: string): void {
  const judged = inspectRunLock(dir);
  if (judged && judged.state !== 'stale') throw new CliExit(1, judged.state === 'alive' ? `${dir} is in use by ${describeHolder(judged.holder)}; nothing was written` : new RunLockedError(dir, RUN_LOCK_FILE, judged).message);
  if (existsSync(path.join(dir, JOURNAL_FILE))) {
    if (judged) throw new CliExit(1, `${dir}: already holds a run's journal, left open by ${describeHolder(judged.holder)}, which ${judged.why}: close it with \`runbook recover ${shellQuote(dir)}\` (or export it); a new run needs a new directory`);
    throw new CliExit(1, `${dir}: already holds a run's journal; give a new directory (a journal is never overwritten)`);
  }
}

/** What a write failure leaves to do: the record is on disk up to the failure, and recoverable. */
const recoverHint = (dir: string) => `the record up to here is on disk; once the problem is fixed, close it with \`runbook recover ${shellQuote(dir)}\``;

export async function runCommand(file: string, options: RunOptions): Promise<void> {
  try {
    await run(file, options);
  } finally {
    // The status is set by exiting: everything printed must have reached the terminal (or pipe) first.
    await stdoutDrained();
  }
}

async function run(file: string, options: RunOptions): Promise<void> {
  parseProfile(options.profile, undefined); // a bad --profile is a usage error before the file is read
  if (options.journal) checkJournalDir(path.resolve(options.journal));
  const interactive = isInteractive();
  if (!options.yes && !interactive) {
    throw new CliExit(2, 'refusing to run: there is no terminal to confirm each step on; pass --yes to run without asking');
  }
  let given: Map<string, string>;
  try {
    const read = await readVarOptions(options.var, { readFile: (f) => readFile(f, 'utf8'), readStdin: () => readStdin() });
    given = read.values;
    for (const warning of read.warnings) process.stderr.write(`runbook: warning: ${forTerminal(warning)}\n`);
  } catch (error) {
    throw new CliExit(2, (error as Error).message);
  }
  const { runbook, bytes: runbookBytes } = await loadRunbookSnapshot(file);
  const profile = parseProfile(options.profile, runbook.frontMatter?.profile);
  let decide: Map<string, string>;
  try {
    decide = decideOptions(runbook, options.decide ?? []);
  } catch (error) {
    throw new CliExit(2, (error as Error).message);
  }
  const targetsFile: TargetsFile | null = options.targets ? await loadTargetsFile(options.targets) : null;
  let approvers: RunRequest['approvers'] = null;
  if (options.approvers) {
    try {
      approvers = { text: readFileSync(options.approvers, 'utf8'), source: path.resolve(options.approvers) };
    } catch (error) {
      approvers = { problem: `--approvers ${options.approvers}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}` };
    }
  }

  // Everything that decides whether and where steps run is the shared assembly's, the same as the console's.
  const abort = new AbortController();
  const prepared = await prepareRun({
    runbook,
    runbookBytes,
    targets: targetsFile,
    profile,
    only: options.only,
    given,
    operatorNamed: Boolean(options.operator),
    approvers,
    operatorKeys: (options.operatorKey?.length ? await operatorKeysOf(options.operatorKey) : []).map(({ keyFile, publicKey }) => {
      if (publicKey === null) throw new CliExit(2, `--operator-key ${keyFile}: no SSH public key can be read from it (give FILE.pub, or an unencrypted key)`);
      return { source: 'named' as const, publicKey };
    }),
    env: process.env,
    ...(interactive ? { askVariable: (name: string, info: { secret: boolean; description?: string }) => ask(`Value for ${name}${info.description ? ` (${info.description})` : ''}: `, { secret: info.secret }) } : {}),
  }).catch((error: unknown) => {
    if (error instanceof RunRefused) throw new CliExit(1, `${file}: ${error.message}`);
    throw error;
  });
  if (prepared.problems.length > 0) throw new CliExit(1, `${file}: ${new RunRefused(prepared.problems).message}`);

  const baseDir = path.dirname(path.resolve(options.targets ?? file));
  let session: RunSession | null = null;
  // Host-key answers given in preflight are remembered, so the run does not ask again.
  const ctx: ExecutorContext = rememberingHostKeyAnswers({
    baseDir,
    env: process.env,
    ask: async (question, o) => {
      if (!interactive) return null;
      const answer = await ask(`${question} `, { ...(o ?? {}), signal: abort.signal });
      if (o?.secret) session?.addSecret(answer);
      return answer;
    },
    confirm: async (question, purpose) => {
      // A RESTRICTED run trusts only host keys pinned in advance; --yes never trusts a key either.
      if (purpose === 'trust-host-key' && profile === 'restricted') {
        write(`  ✗ ${question}\n    refused: profile restricted accepts only host keys pinned in advance (knownHosts or fingerprint)\n`);
        return false;
      }
      if (interactive && !(purpose === 'apply-change' && options.yes)) return confirm(question, abort.signal);
      return purpose === 'apply-change' && Boolean(options.yes);
    },
  });
  // Every target and credential the run needs answers before the first step, or nothing starts.
  const unreachable = await preflightRun(prepared, ctx);
  if (unreachable.length > 0) throw new CliExit(1, `${file}: preflight failed, nothing was run:\n${unreachable.map((p) => `  ${p.message}`).join('\n')}`);

  const runId = randomUUID();
  const journal = path.resolve(options.journal ?? path.join(defaultRunsDir(), runId));
  checkJournalDir(journal);
  const installation = await loadInstallationForCli();
  const operator = currentOperator(options.operator).name;
  const total = runbook.steps.length;
  const index = new Map(runbook.steps.map((s, i) => [s.id, i + 1]));
  const protectedOk = new Set(options.confirmProtected);
  const askReason = async (question: string): Promise<string> => {
    for (;;) {
      const reason = (await ask(question, { signal: abort.signal })).trim();
      if (reason) return reason;
    }
  };
  // An interruption abandons the question; the run then stops as if the operator had said no.
  const unlessInterrupted = async <T>(question: () => Promise<T>, no: T): Promise<T> => {
    try {
      return await question();
    } catch (error) {
      if (abort.signal.aborted) return no;
      throw error;
    }
  };

  const byHand = manualStepPrompter(
    { ask: (question) => ask(question, { signal: abort.signal }), write },
    { runbook, interactive: interactive && !options.yes, decide, skipNeedsReason: atLeast(profile, 'regulated') },
  );

  const storeUrl = options.store ?? process.env[STORE_URL_ENV] ?? null;
  let store: StoreEndpoint | null = null;
  if (storeUrl) {
    try {
      store = parseStoreUrl(storeUrl);
    } catch (error) {
      throw new CliExit(2, `--store: ${(error as Error).message}`);
    }
  }
  let storeProblem: string | null = null;
  const started = await startRun(prepared, {
    runId,
    dir: journal,
    operatorName: options.operator,
    tool: { name: 'runbook-console', version: VERSION },
    options: { host: 'cli', only: options.only, keep_going: Boolean(options.keepGoing), yes: Boolean(options.yes), targets_file: options.targets ? path.resolve(options.targets) : null, confirm_protected: options.confirmProtected, approvers_file: approvers && 'text' in approvers ? approvers.source : null },
    keys: new FileMacKeyStore(),
    installation,
    ctx,
    store: store ? { endpoint: store, gate: options.storeGate === undefined ? undefined : options.storeGate === 'on' } : null,
    // The lag as it starts and ends, not each batch: the run goes on either way.
    onStoreChange: (status) => {
      const problem = status.diverged ?? status.problem;
      if (problem === storeProblem) return;
      storeProblem = problem;
      if (problem) process.stderr.write(`runbook: note: team store: ${forTerminal(problem)}; ${status.lag} record(s) behind, still trying (the run goes on)\n`);
      else if (status.lag === 0) process.stderr.write('runbook: note: team store: reachable again, and holds every record so far\n');
      else process.stderr.write(`runbook: note: team store: reachable again; ${status.lag} record(s) behind, catching up\n`);
    },
    session: {
      keepGoing: Boolean(options.keepGoing),
      ...(options.yes
        ? {}
        : {
            confirmStep: (step) => unlessInterrupted(async () => {
              const answer = (await ask(`Run step [${index.get(step.id)}/${total}] "${step.title}"? [y]es / [s]kip / [q]uit: `, { signal: abort.signal })).trim().toLowerCase();
              if (answer === 'y' || answer === 'yes') return 'run';
              if (answer !== 's' && answer !== 'skip') return 'quit';
              if (!atLeast(profile, 'regulated')) return 'skip';
              // REGULATED and above: every skip carries the operator's reason into the record.
              return { skip: await askReason('Reason for skipping (recorded): ') };
            }, 'quit' as const),
          }),
      confirmProtected: (targetName, step) => unlessInterrupted<boolean | { skip: string }>(async () => {
        if (protectedOk.has(targetName)) return true;
        if (!interactive) {
          write(`  ✗ "${step.title}" is not proven read-only on protected target "${targetName}": pass --confirm-protected ${targetName}\n`);
          return false;
        }
        const typed = (await ask(`"${step.title}" may change protected target "${targetName}". Type its name to go on, or "skip" to skip this step with a reason (anything else stops the run): `, { signal: abort.signal })).trim();
        if (typed === targetName) return true;
        if (typed === 'skip') return { skip: await askReason('Reason for skipping (recorded): ') };
        return false;
      }, false),
      onEvent: (event) => (session ? printEvent(event, total, index, session, stepOutput) : undefined),
      operator,
      // Steps with nothing to run: asked for on a terminal (done, values, a decision's choice); with --yes a
      // decision stops the run unless --decide answered it.
      manualStep: (step) => unlessInterrupted<ManualAnswer>(() => byHand(step), 'quit'),
    },
  }).catch((error: unknown) => {
    if (error instanceof RunLockedError) throw new CliExit(1, error.message);
    if (isRecordWriteFailure(error)) throw new CliExit(1, `the run record could not be started in ${journal}: ${(error as Error).message}; nothing ran`);
    throw error;
  });
  const { journal: record, pool } = started;
  session = started.session;
  if (atLeast(profile, 'restricted') && approvers && 'text' in approvers && store && !options.approvalCommand) {
    // With a team store, approvals go through it: an approver anywhere answers with `runbook approve`.
    const policy = recordedPolicy(record);
    if (!policy) throw new Error('a RESTRICTED run started without its approval policy');
    const [{ storeApprovalHook }, { StoreApprovalChannel }, { DEFAULT_APPROVAL_WAIT_S }, { connectStore }, { agentKeys }] = await Promise.all([
      import('../../main/session/store-approvals.js'),
      import('../../main/store/approval-channel.js'),
      import('../../main/store/approvals.js'),
      import('../../main/store/connect.js'),
      import('../../main/audit/operator-keys.js'),
    ]);
    const endpoint = store;
    const channel = new StoreApprovalChannel({ runId, connect: () => connectStore(endpoint, { purpose: 'approvals' }) });
    session.setApprove(storeApprovalHook({ channel, journal: record, policy, liveOperatorKeys: () => agentKeys(process.env.SSH_AUTH_SOCK), waitMs: (options.approvalTimeout ?? DEFAULT_APPROVAL_WAIT_S) * 1000, shown: store.shown, write, signal: abort.signal }));
  } else if (atLeast(profile, 'restricted') && approvers && 'text' in approvers) {
    const { approvalHook } = await import('../approvals.js');
    session.setApprove(approvalHook({ approversText: approvers.text, ...(options.approver ? { approver: options.approver } : {}), ...(options.approvalCommand ? { approvalCommand: options.approvalCommand } : {}), operator, interactive, journal: record, write, signal: abort.signal }));
  }

  write(`${forTerminal(runbook.title)}\nrunbook ${forTerminal(runbook.file ?? '')} sha256 ${runbook.sha256}\nprofile ${profile} · operator ${operator} · run ${runId}\nrecord in ${journal}\n`);

  // SIGHUP, SIGTERM, SIGINT and a closed stdout all end the same way: the running step's whole process
  // group (or remote command) is stopped, the interruption is journaled, and the run is sealed.
  let interruptedBy: string | null = null;
  // Once sealing has begun nothing more is recorded; a signal then only sets the exit status.
  let sealing = false;
  let lateSignal: string | null = null;
  const interrupt = (cause: string) => {
    if (sealing) {
      lateSignal ??= cause;
      return;
    }
    const first = interruptedBy === null;
    interruptedBy ??= cause;
    if (first) {
      try {
        record.note('run.interrupted', { cause, by: cause === 'EPIPE' ? 'stdout closed' : 'signal' });
      } catch {
        // The journal refused the record; its failure surfaces when the run ends.
      }
      write(`\n  ⏹ ${cause}: stopping the running step, then sealing the record…\n`);
    }
    abort.abort();
    // The step is stopped and the record sealed even if nobody reads standard output any more.
    stopWaitingForStdout = true;
    stepOutput.release();
    session?.cancel();
  };
  const onSignal = (signal: NodeJS.Signals) => interrupt(signal);
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    stdoutOpen = false;
    if (error.code === 'EPIPE') interrupt('EPIPE');
  };
  // Step output goes to the terminal chunk by chunk, and waits for it when it is behind (backpressure).
  const stepOutput = new StepOutputPrinter(stepOutputSink(onStdoutError), () => stdoutOpen);
  const onStderrError = () => undefined; // a closed terminal must not crash the run before it is sealed
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.stdout.on('error', onStdoutError);
  process.stderr.on('error', onStderrError);
  let summary;
  try {
    summary = await session.run();
  } catch (error) {
    record.abandon();
    if (error instanceof JournalWriteError) throw new CliExit(1, `the run record could not be written: ${error.message}; ${recoverHint(journal)}`);
    throw error;
  } finally {
    await pool.closeAll();
  }
  try {
    sealing = true;
    const sealed = await record.finish(summary, interruptedBy ? { interrupted: interruptedBy } : {});
    write(`\nsealed ${sealed.size} records: ${journal}/checkpoint.txt (signed by installation ${installation.id})\n`);
    if (sealed.filesProblem) process.stderr.write(`runbook: warning: the seal is in the journal, but ${sealed.filesProblem}; \`runbook recover ${shellQuote(journal)}\` writes it once that is fixed\n`);
    if (atLeast(profile, 'restricted')) write(`paste into the change ticket:\n  ${sealed.ticketLine}\n`);
    if (atLeast(profile, 'regulated')) write(`close the run with a signed export: runbook export ${shellQuote(journal)} --out DIR --key YOUR_SSH_KEY\n`);
  } catch (error) {
    if (isRecordWriteFailure(error)) {
      throw new CliExit(1, `the run could not be sealed: ${(error as Error).message}; ${recoverHint(journal)}`);
    }
    throw error;
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    if (started.shipper && store) await reportShipping(started.shipper, journal, store.shown, write);
  }
  const counts = new Map<string, number>();
  for (const s of summary.steps) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  write(`\n${summary.ok ? '✓' : '✗'} ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}\n`);
  if (interruptedBy) throw new CliExit(SIGNAL_EXIT[interruptedBy] ?? 130, `run interrupted (${interruptedBy}); the record is sealed`);
  if (lateSignal) throw new CliExit(SIGNAL_EXIT[lateSignal] ?? 130, `${lateSignal} while the record was being sealed; the record is sealed`);
  const refused = summary.steps.find((s) => s.refusal);
  if (refused) throw new CliExit(1, `run stopped: step ${refused.stepId} was refused (${refused.refusal})`);
  const halted = summary.steps.find((s) => s.halt);
  if (halted) throw new CliExit(1, `run stopped at step ${halted.stepId}: ${halted.halt}`);
  if (!summary.ok) throw new CliExit(1, 'run failed');
}

/** The public keys of the files given as --operator-key (null for one that holds none); ssh2 reads them. */
async function operatorKeysOf(files: readonly string[]): Promise<{ keyFile: string; publicKey: string | null }[]> {
  const { publicKeyOfFile } = await import('../../main/audit/operator-keys.js');
  return files.map((keyFile) => ({ keyFile, publicKey: publicKeyOfFile(keyFile) }));
}

/** All of standard input (for --var NAME=-), read once. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * How long the end of a run waits for the team store to take what it has not yet (the seal included): a
 * store that answers gets time to catch up; one already known to be away, only a last try.
 */
const STORE_FLUSH_MS = 15_000;
const STORE_AWAY_MS = 3_000;

/** Ships what is left and says where the store stands; a lag is a warning, not a failure. */
async function reportShipping(shipper: StoreShipper, dir: string, shown: string, write: (text: string) => void): Promise<void> {
  const status = await shipper.close(shipper.status().problem ? STORE_AWAY_MS : STORE_FLUSH_MS);
  if (status.diverged) process.stderr.write(`runbook: warning: the team store ${shown} holds another version of this run: ${status.diverged}\n`);
  else if (status.lag > 0) {
    process.stderr.write(`runbook: warning: ${status.lag} of ${status.local} records are not in the team store ${shown} yet (${status.problem ?? 'not shipped in time'}); ship them with: runbook store push ${shellQuote(dir)} --url URL\n`);
  } else if (status.blobs > 0) {
    process.stderr.write(`runbook: warning: the team store ${shown} holds all ${status.shipped} records, but not yet ${status.blobs} of the files they name (${status.problem ?? 'not shipped in time'}); ship them with: runbook store push ${shellQuote(dir)} --url URL\n`);
  } else write(`shipped ${status.shipped} records to the team store ${shown}, and the files they name\n`);
}
