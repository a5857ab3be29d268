// The `runbook` command. Errors are printed as FILE:LINE: message (or "runbook: message"), never as stack traces.
import { Command, CommanderError } from 'commander';
import { RunbookError } from '../main/runbook/errors.js';
import { CliExit } from './cli-exit.js';
import { VERSION } from './version.js';

// Each command's module is loaded when that command runs, and loads only what it uses: `parse` never loads
// the run engine, and a run loads a target kind's client library (ssh2, pg, @kubernetes/client-node) only
// when one of its steps needs it (src/main/targets/registry.ts).
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
  .action(async (file, options) => (await import('./commands/parse.js')).parseCommand(file, options));

const collect = (value: string, previous: string[]) => [...previous, value];

program
  .command('run')
  .description('run the executable steps in document order against their targets')
  .argument('<file>', 'markdown runbook')
  .option('--profile <profile>', 'standard, regulated or restricted: steps above it are skipped, its evidence rules apply (default: front matter, else standard)')
  .option('--targets <file>', 'targets file (YAML): where blocks run')
  .option('--var <NAME=VALUE>', 'a variable value (repeatable); NAME=@FILE reads it from a file, NAME=- from stdin (use these for secrets)', collect, [])
  .option('--only <STEP_ID>', 'run only this step (repeatable)', collect, [])
  .option('--yes', 'run without asking before each step')
  .option('--keep-going', 'go on after a failed step')
  .option('--operator <name>', 'who runs it (default: the login name)')
  .option('--journal <dir>', 'new directory for the run record (journal, outputs, seal); default: <data dir>/runs/<run id>')
  .option('--confirm-protected <target>', 'allow blocks not proven read-only on this protected target (repeatable); without it they are refused and the run stops', collect, [])
  .option('--approvers <file>', 'RESTRICTED: allowed_signers file of people who may approve steps (namespace runbook-console-approval)')
  .option('--approver <name>', 'RESTRICTED: who approves (a principal in --approvers)')
  .option('--approval-command <cmd>', 'RESTRICTED: command that gets the step.started hash on stdin and prints the approver\'s SSH signature')
  .option('--operator-key <file>', 'RESTRICTED: a key the operator controls (public key or key file; repeatable): approvals signed with it are refused', collect, [])
  .option('--decide <STEP_ID=CHOICE>', 'answer a decision step before the run (repeatable); with --yes a decision not answered so stops the run', collect, [])
  .option('--store <url>', 'team store (postgresql://USER@HOST/DB?sslmode=verify-full&sslrootcert=CA): each record is shipped there once durable here; default $RUNBOOK_STORE_URL; password from $RUNBOOK_STORE_PASSWORD; RESTRICTED approvals go through it (runbook approve)')
  .option('--store-gate <on|off>', 'with --store: whether a state-changing step waits for the store to hold every record before it (default: on in RESTRICTED, off below; recorded in the run)', (v) => {
    if (v !== 'on' && v !== 'off') throw new Error(`--store-gate: "${v}" is not on or off`);
    return v;
  })
  .option('--approval-timeout <seconds>', 'RESTRICTED with --store: how long an approval request stays open (default 900)', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 86_400) throw new Error(`--approval-timeout: "${v}" is not a whole number of seconds from 1 to 86400`);
    return n;
  })
  .action(async (file, options) => (await import('./commands/run.js')).runCommand(file, options));

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
  .option('--runs-dir <dir>', 'where runs started in the console are recorded; default: <data dir>/runs')
  .option('--open', 'open the address in the desktop\'s browser')
  .option('--store <url>', 'team store runs ship to when Settings name none (postgresql://…; default $RUNBOOK_STORE_URL; password from $RUNBOOK_STORE_PASSWORD)')
  .action(async (file, options) => (await import('./commands/serve.js')).serveCommand(file, options));

const store = program.command('store').description('the team evidence store in PostgreSQL: runs shipped as they go, verified against it (docs/store.md)');
const storeUrl = '--url <url>';
const storeUrlHelp = 'postgresql://USER@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=CA.pem (default $RUNBOOK_STORE_URL; password from $RUNBOOK_STORE_PASSWORD)';
store
  .command('init')
  .description('create or update the store\'s schema and its writer role (INSERT and SELECT only); run once by an administrator')
  .option(storeUrl, storeUrlHelp)
  .option('--role <name>', 'the writer role to create and grant (default runbook_writer)')
  .action(async (options) => (await import('./commands/store.js')).storeInitCommand(options));
store
  .command('push')
  .description('ship a run made offline (or the records a run could not ship) to the store, after checking what it holds already')
  .argument('<dir>', 'run directory or exported bundle')
  .option(storeUrl, storeUrlHelp)
  .action(async (dir, options) => (await import('./commands/store.js')).storePushCommand(dir, options));
store
  .command('verify')
  .description('check every stored run (or one): each line against the hash the store took, then chain, seals and signatures')
  .option(storeUrl, storeUrlHelp)
  .option('--run <id>', 'only this run')
  .option('--pin <fingerprint>', 'an installation key fingerprint (SHA256:…) you hold (repeatable)', collect, [])
  .option('--json', 'print the results as JSON')
  .action(async (options) => (await import('./commands/store.js')).storeVerifyCommand(options));
store
  .command('person')
  .description('say who a login is (an administrator\'s call): it answers approvals only under that name, and never a run shipped by another login of the same person')
  .argument('<login>', 'the database login')
  .argument('<person>', 'the person: their principal in the approvers lists')
  .option(storeUrl, storeUrlHelp)
  .action(async (login, person, options) => (await import('./commands/store.js')).storePersonCommand(login, person, options));
store
  .command('export')
  .description('write a signed evidence bundle for a finished run from the store alone (its records and the files they name, each checked), as runbook export does for a run directory')
  .option(storeUrl, storeUrlHelp)
  .requiredOption('--run <id>', 'the run')
  .requiredOption('--out <dir>', 'new directory for the bundle')
  .option('--key <file>', 'sign the report with this SSH private key (required, or --agent): it signs under the run\'s operator\'s name, as runbook export does')
  .option('--agent', 'sign through ssh-agent (SSH_AUTH_SOCK)')
  .option('--agent-key <public key>', 'with --agent: which key')
  .option('--pdf', 'also write report.pdf (needs Chromium)')
  .action(async (options) => (await import('./commands/store.js')).storeExportCommand(options));
store
  .command('runs')
  .description('list the runs in the store: start, state, profile, operator, runbook and its hash, records, seal (and with --verify, each one\'s verification)')
  .option(storeUrl, storeUrlHelp)
  .option('--verify', 'verify each run as store verify does, and show the verdict')
  .option('--pin <fingerprint>', 'with --verify: an installation key fingerprint (SHA256:…) you hold (repeatable)', collect, [])
  .option('--json', 'print them as JSON')
  .action(async (options) => (await import('./commands/store.js')).storeRunsCommand(options));

program
  .command('approve')
  .description('RESTRICTED, through the team store: list open approval requests (the exact command, target, runbook and its hash), or answer one by signing it with your SSH key')
  .option('--store <url>', 'the team store (postgresql://…; default $RUNBOOK_STORE_URL; password from $RUNBOOK_STORE_PASSWORD)')
  .option('--run <id>', 'the run of the request to answer (with --record)')
  .option('--record <n>', 'the step.started record to approve (with --run)')
  .option('--key <file>', 'sign with this SSH private key')
  .option('--agent', 'sign through ssh-agent (SSH_AUTH_SOCK)')
  .option('--agent-key <public key>', 'with --agent: which key (its public key line or file)')
  .option('--signature <file>', 'send a signature made elsewhere (ssh-keygen -Y sign -n runbook-console-approval; - for stdin)')
  .option('--as <name>', 'the name you approve as (default: the one the run\'s recorded approvers list gives your key)')
  .option('--yes', 'sign without asking')
  .option('--wait <seconds>', 'with no request open, wait this long for one', (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--wait: "${v}" is not a number of seconds`);
    return n;
  })
  .option('--result-timeout <seconds>', 'how long to wait for the run to record the answer (default 30)', (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--result-timeout: "${v}" is not a number of seconds`);
    return n;
  })
  .option('--json', 'list the open requests as JSON')
  .addHelpText(
    'after',
    `
Exit codes:
  0  listed, or the run recorded your approval
  1  refused (by this check, the store or the run), or the request is closed
  2  usage error
  3  sent, but the run has not recorded it yet`,
  )
  .action(async (options) => (await import('./commands/approve.js')).approveCommand(options));

program
  .command('verify')
  .description('check a run directory or evidence bundle: chain, MACs, seal, signatures, approvals, sign-offs, blobs; a bundle\'s SHA256SUMS and report against its journal')
  .argument('<dir>', 'run directory or exported bundle')
  .option('--run-id <id>', 'fail unless this is that run')
  .option('--allowed-signers <file>', 'trust anchor: OpenSSH allowed_signers you hold (not the bundle\'s); a line counts only for the namespaces it names: runbook-console-checkpoint (installation), -audit (export signer), -approval, -signoff')
  .option('--prior <file>', 'trust anchor: an earlier checkpoint held elsewhere (checkpoint.txt, with FILE.sig beside it or its signature appended, or the ticket line)', collect, [])
  .option('--pin <fingerprint>', 'trust anchor: the installation key\'s fingerprint (SHA256:…), noted when the key was made (repeatable)', collect, [])
  .option('--allow-unsealed', 'accept a run that was interrupted before its seal (reported as a warning)')
  .option('--mac-key <file>', 'the MAC verification key (hex), if not in the bundle or this machine\'s key store')
  .option('--store <url>', 'the team store (postgresql://…): fail unless the run is exactly the store\'s copy of it (E_STORE_DIFFERS)')
  .option('--json', 'print the result as JSON')
  .addHelpText(
    'after',
    `
Exit codes:
  0  intact, and every signature is anchored by --allowed-signers, --prior or --pin
  1  FAIL with a reason code (E_…), naming the first bad record or file
  2  usage error (a missing file, an anchor that cannot be read)
  3  intact but unanchored: consistent with itself, which anyone holding its keys can make`,
  )
  .action(async (dir, options) => (await import('./commands/verify.js')).verifyCommand(dir, options));

program
  .command('export')
  .description('write a signed evidence bundle for a run: journal, seal, report (json, html, pdf), SHA256SUMS, VERIFY.md, verify.py and its modules')
  .argument('<dir>', 'run directory')
  .requiredOption('--out <dir>', 'new directory for the bundle')
  .option('--key <file>', 'the operator\'s SSH private key (ed25519 or RSA) to sign the report with')
  .option('--agent', 'sign through ssh-agent (SSH_AUTH_SOCK)')
  .option('--agent-key <public key>', 'with --agent: which key ("ssh-ed25519 AAAA…"); default the first')
  .option('--pdf', 'also render report.pdf (headless Chromium)')
  .action(async (dir, options) => (await import('./commands/export.js')).exportCommand(dir, options));

program
  .command('recover')
  .description('close a run that stopped without closing (kill -9, power cut, full disk): stale lock, torn tail, its end recorded, sealed')
  .argument('<dir>', 'run directory')
  .option('--break-lock', 'also take over a lock this host cannot judge (taken on another host): only when that process is known to be gone')
  .action(async (dir, options) => (await import('./commands/recover.js')).recoverCommand(dir, options));

program
  .command('key')
  .description('show this installation\'s key (made now if there is none): the fingerprint to pin with runbook verify --pin, and the public key file')
  .option('--json', 'print id, fingerprint, public key, public key file and the verify command as JSON')
  .addHelpText(
    'after',
    `
The fingerprint is printed once on stderr when the key is made (by the first run, or this command):
record it in the change ticket. An auditor then checks a run with: runbook verify RUN_DIR --pin SHA256:…`,
  )
  .action(async (options) => (await import('./commands/key.js')).keyCommand(options));

function fail(error: unknown): never {
  if (error instanceof RunbookError) {
    process.stderr.write(`${error.toString()}\n`);
  } else if (error instanceof CliExit) {
    if (error.message) process.stderr.write(`runbook: ${error.message}\n`);
    process.exit(error.code);
  } else if (error instanceof CommanderError) {
    // Help and version exit 0; every other commander error is a usage error.
    process.exit(error.exitCode === 0 ? 0 : 2);
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
