// `runbook run FILE`: runs the executable steps in document order against their targets.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROFILES, type Profile, type Runbook } from '../../shared/runbook-model.js';
import type { TargetsFile } from '../../shared/targets.js';
import { loadRunbookSnapshot } from '../../main/runbook/index.js';
import { loadInstallation } from '../../main/audit/installation.js';
import { JournalWriteError } from '../../main/audit/journal-writer.js';
import { FileMacKeyStore } from '../../main/audit/key-store.js';
import { JOURNAL_FILE } from '../../main/audit/record.js';
import { RunJournal, currentOperator } from '../../main/audit/run-journal.js';
import { defaultRunsDir } from '../../main/audit/runs-dir.js';
import { RETENTION_DAYS, atLeast, profileProblems } from '../../main/session/profile-rules.js';
import { VERSION } from '../version.js';
import { BindingError, targetSet } from '../../main/session/binding.js';
import { planRun } from '../../main/session/plan.js';
import { type RunEvent, RunSession } from '../../main/session/runner.js';
import { type VariableRequest, isSecretVariable, resolveVariables } from '../../main/session/variables.js';
import { ExecutorPool } from '../../main/session/executor-pool.js';
import { createExecutor } from '../../main/targets/registry.js';
import { loadTargetsFile } from '../../main/targets/targets-file.js';
import type { ExecutorContext } from '../../main/targets/types.js';
import { approvalHook } from '../approvals.js';
import { CliExit } from '../cli-exit.js';
import { formatResultSet } from '../format-result.js';
import { ask, confirm, isInteractive } from '../prompt.js';

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
}


function parseVars(pairs: readonly string[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliExit(2, `--var ${pair}: expected NAME=VALUE`);
    vars.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return vars;
}

/** --profile, else the runbook's front matter `profile`, else standard. */
function parseProfile(value: string | undefined, fromRunbook: Profile | undefined): Profile {
  if (value === undefined) return fromRunbook ?? 'standard';
  const p = value.toLowerCase().replace(/\+$/, '');
  if (!(PROFILES as readonly string[]).includes(p)) throw new CliExit(2, `--profile ${value}: one of ${PROFILES.join(', ')}`);
  return p as Profile;
}

const write = (text: string) => process.stdout.write(text);

function printEvent(event: RunEvent, total: number, index: Map<string, number>): void {
  switch (event.type) {
    case 'step-skip':
      write(`- [${index.get(event.step.id)}/${total}] ${event.step.title}: skipped (${event.reason})\n`);
      break;
    case 'step-start':
      write(`\n▶ [${index.get(event.step.id)}/${total}] ${event.step.title}  (line ${event.step.line}, ${event.step.id})\n`);
      break;
    case 'block-start':
      write(`  ┌ ${event.block.action} on ${event.binding.targetName} (${event.binding.target.kind}, bound by ${event.binding.source}), block line ${event.block.line}\n`);
      break;
    case 'output':
      for (const line of event.chunk.data.replace(/\n$/, '').split('\n')) {
        write(`  │ ${event.chunk.stream === 'stderr' ? '! ' : event.chunk.stream === 'info' ? '» ' : ''}${line}\n`);
      }
      break;
    case 'block-end': {
      const { result, judgement, output } = event.outcome;
      for (const set of result.resultSets) write(`${formatResultSet(set).replace(/^/gm, '  │ ')}\n`);
      for (const note of result.notes) write(`  │ note: ${note}\n`);
      const verdict = judgement.verdict ? ` · check: ${judgement.verdict}${judgement.reasons.length ? ` (${judgement.reasons.join('; ')})` : ''}` : '';
      const exit = result.exitCode !== null ? ` exit ${result.exitCode}` : '';
      const signal = result.signal ? ` signal ${result.signal}` : '';
      write(`  └ ${result.status}${exit}${signal}${result.error && result.status !== 'succeeded' ? `: ${result.error}` : ''}${verdict} · ${result.durationMs.toFixed(0)} ms · ${result.target.endpoint} · output ${output.bytes} bytes\n`);
      break;
    }
    case 'step-end':
      if (event.outcome.status !== 'succeeded') write(`  ✗ ${event.outcome.status}: ${event.outcome.reason ?? ''}\n`);
      break;
  }
}

export async function runCommand(file: string, options: RunOptions): Promise<void> {
  parseProfile(options.profile, undefined); // a bad --profile is a usage error before the file is read
  const given = parseVars(options.var);
  const interactive = isInteractive();
  if (!options.yes && !interactive) {
    throw new CliExit(2, 'refusing to run: there is no terminal to confirm each step on; pass --yes to run without asking');
  }
  const { runbook, bytes: runbookBytes } = await loadRunbookSnapshot(file);
  const profile = parseProfile(options.profile, runbook.frontMatter?.profile);
  const targetsFile: TargetsFile | null = options.targets ? await loadTargetsFile(options.targets) : null;
  let set;
  try {
    set = targetSet(runbook, targetsFile);
  } catch (error) {
    if (error instanceof BindingError) throw new CliExit(1, `${file}: ${error.message}`);
    throw error;
  }
  const plan = planRun(runbook, set, { profile, only: options.only });
  if (plan.problems.length > 0) {
    throw new CliExit(1, `${file}: cannot run:\n${plan.problems.map((p) => `  ${p}`).join('\n')}`);
  }

  const requests: VariableRequest[] = [];
  for (const planned of plan.steps) {
    if (planned.skip) continue;
    for (const { block, binding } of planned.blocks) {
      const target = binding.target;
      const env = [target.kind === 'local' || target.kind === 'ssh' ? (target.env ?? {}) : {}];
      if (target.kind === 'local') env.push(process.env as Record<string, string>);
      for (const name of block.variables) requests.push({ name, targetEnv: env });
    }
  }
  const variables = await resolveVariables(runbook, requests, {
    given,
    ...(interactive
      ? { ask: (name: string, info: { secret: boolean; description?: string }) => ask(`Value for ${name}${info.description ? ` (${info.description})` : ''}: `, { secret: info.secret }) }
      : {}),
  });
  if (variables.missing.length > 0) {
    throw new CliExit(1, `${file}: no value for ${variables.missing.join(', ')} (give --var NAME=VALUE, a front-matter default, or run on a terminal to be asked)`);
  }

  const problems = profileProblems(profile, plan, { operatorNamed: Boolean(options.operator) });
  if (options.approvers && !existsSync(options.approvers)) problems.push(`--approvers ${options.approvers}: no such file`);
  if (atLeast(profile, 'restricted') && !options.approvers) problems.push('profile restricted: state-changing steps need a second person\'s approval: give --approvers ALLOWED_SIGNERS_FILE');
  if (problems.length > 0) throw new CliExit(1, `${file}: cannot run:\n${problems.map((p) => `  ${p}`).join('\n')}`);

  const runId = randomUUID();
  const journal = path.resolve(options.journal ?? path.join(defaultRunsDir(), runId));
  if (existsSync(path.join(journal, JOURNAL_FILE))) {
    throw new CliExit(1, `${journal}: already holds a run's journal; give a new directory (a journal is never overwritten)`);
  }
  const installation = await loadInstallation();
  const operatorInfo = currentOperator(options.operator);
  const record = RunJournal.start(
    journal,
    {
      runId,
      runbook,
      runbookBytes,
      profile,
      operator: operatorInfo,
      tool: { name: 'runbook-console', version: VERSION },
      options: { only: options.only, keep_going: Boolean(options.keepGoing), yes: Boolean(options.yes), targets_file: options.targets ? path.resolve(options.targets) : null, confirm_protected: options.confirmProtected },
      variables: [...variables.values.keys()].map((name) => ({ name, secret: isSecretVariable(runbook, name), source: variables.sources.get(name) ?? 'unknown' })),
    },
    new FileMacKeyStore(),
    installation,
    { retentionDays: RETENTION_DAYS[profile] },
  );
  const baseDir = path.dirname(path.resolve(options.targets ?? file));
  const ctx: ExecutorContext = {
    baseDir,
    env: process.env,
    ask: async (question, o) => (interactive ? ask(`${question} `, o ?? {}) : null),
    confirm: async (question, purpose) => {
      // A RESTRICTED run trusts only host keys pinned in advance; --yes never trusts a key either.
      if (purpose === 'trust-host-key' && profile === 'restricted') {
        write(`  ✗ ${question}\n    refused: profile restricted accepts only host keys pinned in advance (knownHosts or fingerprint)\n`);
        return false;
      }
      if (interactive && !(purpose === 'apply-change' && options.yes)) return confirm(question);
      return purpose === 'apply-change' && Boolean(options.yes);
    },
  };
  const allTargets = Object.fromEntries(set.targets);
  const pool = new ExecutorPool(ctx, (name, target, c) => createExecutor(name, target, c, allTargets));
  const total = runbook.steps.length;
  const index = new Map(runbook.steps.map((s, i) => [s.id, i + 1]));
  const protectedOk = new Set(options.confirmProtected);
  const operator = operatorInfo.name;

  write(`${runbook.title}\nrunbook ${runbook.file} sha256 ${runbook.sha256}\nprofile ${profile} · operator ${operator} · run ${runId}\nrecord in ${journal}\n`);
  const session = new RunSession({
    runbook,
    plan,
    variables,
    executors: pool,
    outputDir: path.join(journal, 'output'),
    recorder: record,
    ...(atLeast(profile, 'restricted') && options.approvers
      ? { approve: approvalHook({ approvers: options.approvers, ...(options.approver ? { approver: options.approver } : {}), ...(options.approvalCommand ? { approvalCommand: options.approvalCommand } : {}), operator: operatorInfo.name, interactive, journal: record, write }) }
      : {}),
    keepGoing: Boolean(options.keepGoing),
    ...(options.yes
      ? {}
      : {
          confirmStep: async (step) => {
            const answer = (await ask(`Run step [${index.get(step.id)}/${total}] "${step.title}"? [y]es / [s]kip / [q]uit: `)).trim().toLowerCase();
            if (answer === 'y' || answer === 'yes') return 'run';
            if (answer !== 's' && answer !== 'skip') return 'quit';
            if (!atLeast(profile, 'regulated')) return 'skip';
            // REGULATED and above: every skip carries the operator's reason into the record.
            for (;;) {
              const reason = (await ask('Reason for skipping (recorded): ')).trim();
              if (reason) return { skip: reason };
            }
          },
        }),
    confirmProtected: async (targetName, step) => {
      if (protectedOk.has(targetName)) return true;
      if (!interactive) {
        write(`  ✗ "${step.title}" changes protected target "${targetName}": pass --confirm-protected ${targetName}\n`);
        return false;
      }
      const typed = await ask(`"${step.title}" changes protected target "${targetName}". Type its name to go on: `);
      return typed.trim() === targetName;
    },
    onEvent: (event) => printEvent(event, total, index),
  });

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    write('\n  ⏹ cancelling the running step (Ctrl+C again to quit at once)…\n');
    session.cancel();
  };
  process.on('SIGINT', onSigint);
  // A shutdown (SIGTERM) stops the running block for real and still records and seals the run's end.
  const onSigterm = () => {
    interrupts++;
    write('\n  ⏹ shutting down: cancelling the running step, then sealing the record…\n');
    session.cancel();
  };
  process.on('SIGTERM', onSigterm);
  let summary;
  try {
    summary = await session.run();
  } catch (error) {
    if (error instanceof JournalWriteError) throw new CliExit(1, `the run record could not be written: ${error.message}`);
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    await pool.closeAll();
  }
  const sealed = await record.finish(summary);
  write(`\nsealed ${sealed.size} records: ${journal}/checkpoint.txt (signed by installation ${installation.id})\n`);
  if (atLeast(profile, 'restricted')) write(`paste into the change ticket:\n  ${sealed.ticketLine}\n`);
  if (atLeast(profile, 'regulated')) write(`close the run with a signed export: runbook export ${journal} --out DIR --key YOUR_SSH_KEY\n`);
  const counts = new Map<string, number>();
  for (const s of summary.steps) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  write(`\n${summary.ok ? '✓' : '✗'} ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}\n`);
  if (interrupts > 0) throw new CliExit(130, 'run cancelled');
  if (!summary.ok) throw new CliExit(1, 'run failed');
}
