#!/usr/bin/env node
// The `runbook` command. Errors are printed as FILE:LINE: message (or "runbook: message"), never as stack traces.
import { Command, CommanderError } from 'commander';
import { RunbookError } from '../main/runbook/index.js';
import { parseCommand } from './commands/parse.js';
import { CliExit, runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { VERSION } from './version.js';

const program = new Command()
  .name('runbook')
  .description('Parse, run and serve markdown runbooks; keep evidence an auditor can verify offline.')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('parse')
  .description('read a runbook and print its model: sections, steps, code blocks and what each block does')
  .argument('<file>', 'markdown runbook')
  .option('--json', 'print the model as JSON (see docs/runbook-model.md)')
  .action(parseCommand);

const collect = (value: string, previous: string[]) => [...previous, value];

program
  .command('run')
  .description('run the executable steps in document order against their targets')
  .argument('<file>', 'markdown runbook')
  .option('--profile <profile>', 'standard, regulated or restricted: steps above it are skipped, its evidence rules apply (default: front matter, else standard)')
  .option('--targets <file>', 'targets file (YAML): where blocks run')
  .option('--var <NAME=VALUE>', 'a variable value (repeatable)', collect, [])
  .option('--only <STEP_ID>', 'run only this step (repeatable)', collect, [])
  .option('--yes', 'run without asking before each step')
  .option('--keep-going', 'go on after a failed step')
  .option('--operator <name>', 'who runs it (default: the login name)')
  .option('--journal <dir>', 'new directory for the run record (journal, outputs, seal); default: <data dir>/runs/<run id>')
  .option('--confirm-protected <target>', 'allow state-changing steps on this protected target (repeatable)', collect, [])
  .action(runCommand);

program
  .command('serve')
  .description('serve the console on 127.0.0.1 for a browser (same handlers as the desktop app)')
  .argument('[file]', 'runbook to open')
  .option('--port <port>', 'port to listen on (default: a free one)', (v) => {
    const port = Number(v);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${v}" is not a port number`);
    return port;
  })
  .option('--host <address>', 'loopback address to bind', '127.0.0.1')
  .option('--settings-dir <dir>', 'directory of settings.json (targets); default: the OS config directory')
  .action(serveCommand);

function fail(error: unknown): never {
  if (error instanceof RunbookError) {
    process.stderr.write(`${error.toString()}\n`);
  } else if (error instanceof CliExit) {
    if (error.message) process.stderr.write(`runbook: ${error.message}\n`);
    process.exit(error.code);
  } else if (error instanceof CommanderError) {
    process.exit(error.exitCode);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`runbook: ${message}\n`);
    if (process.env.RUNBOOK_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  }
  process.exit(1);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  fail(error);
}
