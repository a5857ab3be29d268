// A throwaway OpenSSH server (Debian's sshd) and ssh-agent on 127.0.0.1, for the ssh target's tests and
// benchmark. Plain JavaScript so that bench/ssh.mjs (run by plain node) and test/infra/sshd.ts (run by
// vitest, typed through sshd.d.mts) share one implementation.
//
// Everything lives in one temp directory: generated ed25519 host and user keys, its own sshd_config,
// authorized_keys, a known_hosts file with the right host key, the logs. stop() ends exactly the
// processes it started (and the per-connection children of its sshd), nothing found by name.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from './net.mjs';

export const SSHD = '/usr/sbin/sshd';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const SSH_AGENT = '/usr/bin/ssh-agent';
const SSH_ADD = '/usr/bin/ssh-add';

/** How long the server and the agent get to come up before we give up (a wait bound, not a sleep). */
const STARTUP_LIMIT_MS = 10_000;

/** Why the OpenSSH tools cannot be used here, or null when they can. */
export function sshdUnavailableReason() {
  for (const tool of [SSHD, SSH_KEYGEN, SSH_AGENT, SSH_ADD]) {
    if (!existsSync(tool)) return `${tool} is absent (apt-get install openssh-server openssh-client)`;
  }
  return null;
}

function keygen(file, comment, passphrase = '') {
  execFileSync(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', passphrase, '-C', comment, '-f', file], { stdio: 'pipe' });
  const publicKey = readFileSync(`${file}.pub`, 'utf8').trim();
  // ssh-keygen's own fingerprint, so tests compare the executor's computation with OpenSSH's.
  const listing = execFileSync(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' });
  const fingerprint = /SHA256:[A-Za-z0-9+/]+/.exec(listing)?.[0];
  if (!fingerprint) throw new Error(`ssh-keygen -l printed no SHA256 fingerprint for ${file}.pub: ${listing}`);
  return { path: file, publicKey, fingerprint };
}

/**
 * Resolves once `connect()` succeeds and `ready(socket data)` says so; retries refused connections until
 * the limit. `alive()` lets it fail fast when the server process already died.
 */
function waitForServer(connect, isReady, alive, what) {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const problem = alive();
      if (problem) return reject(new Error(`${what} did not start: ${problem}`));
      const socket = connect();
      let received = '';
      let done = false;
      const succeed = () => {
        if (done) return;
        done = true;
        socket.destroy();
        resolve();
      };
      const retry = () => {
        if (done) return;
        done = true;
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`${what} did not accept connections within ${STARTUP_LIMIT_MS} ms`));
        // Polling a port that is not open yet: accepting a connection is the only sign sshd gives that it listens.
        else setTimeout(attempt, 15);
      };
      socket.setTimeout(2000);
      if (isReady) {
        socket.on('data', (data) => {
          received += data.toString('latin1');
          if (isReady(received)) succeed();
        });
      } else {
        socket.on('connect', succeed);
      }
      socket.on('error', retry);
      socket.on('timeout', retry);
    };
    attempt();
  });
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** PIDs whose parent is `pid` (sshd forks one child per connection; they are ours to end too). */
function childrenOf(pid) {
  const children = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function descendantsOf(pid) {
  const all = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift();
    for (const child of childrenOf(next)) {
      all.push(child);
      queue.push(child);
    }
  }
  return all;
}

function killQuietly(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function stopChild(child, grace = 3000) {
  if (!child || exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), grace);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts sshd (and, unless `agent: false`, an ssh-agent holding `agentKey`). The caller must call stop().
 * @param {{ agent?: boolean }} [options]
 */
export async function startSshd(options = {}) {
  const reason = sshdUnavailableReason();
  if (reason) throw new Error(reason);
  const isRoot = process.getuid?.() === 0;
  const user = isRoot ? 'root' : userInfo().username;
  const dir = mkdtempSync(path.join(tmpdir(), 'sshd-'));
  const children = [];
  const stop = async () => {
    for (const child of children) {
      // Connections still open (a failed test, a lingering client) keep per-connection sshd children alive
      // after the listener dies; end them first, by PID, as descendants of the process we started.
      if (child.pid !== undefined && !exited(child)) for (const pid of descendantsOf(child.pid)) killQuietly(pid, 'SIGTERM');
      await stopChild(child);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const hostKey = keygen(path.join(dir, 'ssh_host_ed25519_key'), 'test host key');
    const userKey = keygen(path.join(dir, 'id_user'), 'user key (key file)');
    const agentKey = keygen(path.join(dir, 'id_agent'), 'agent key (only in the agent)');
    const encryptedPassphrase = 'correct horse battery staple';
    const encryptedKey = { ...keygen(path.join(dir, 'id_encrypted'), 'encrypted key', encryptedPassphrase), passphrase: encryptedPassphrase };
    const strangerKey = keygen(path.join(dir, 'id_stranger'), 'key nobody authorized');
    const otherHostKey = keygen(path.join(dir, 'other_host_key'), 'some other host');

    mkdirSync(path.join(dir, 'authorized_keys'));
    writeFileSync(path.join(dir, 'authorized_keys', user), `${[userKey, agentKey, encryptedKey].map((k) => k.publicKey).join('\n')}\n`);
    // sshd running as root needs its privilege-separation directory.
    if (isRoot) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

    const logFile = path.join(dir, 'sshd.log');
    const configFile = path.join(dir, 'sshd_config');
    let port = 0;
    let sshd;
    // A free port can be taken between our probe and sshd's bind; try a few before giving up.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeFileSync(configFile, [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${hostKey.path}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys', '%u')}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        // PAM needs root; as another user sshd can only log in as itself anyway.
        `UsePAM ${isRoot ? 'yes' : 'no'}`,
        'StrictModes no',
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        // The jump-host tests forward through this very server.
        'AllowTcpForwarding yes',
        'LogLevel INFO',
        '',
      ].join('\n'));
      try {
        execFileSync(SSHD, ['-t', '-f', configFile], { stdio: 'pipe' });
      } catch (error) {
        throw new Error(`sshd -t rejected ${configFile}: ${error.stderr?.toString() ?? error.message}`);
      }
      // The log file, not a pipe, takes all three standard streams: a pipe inherited by sshd's children
      // would keep a CI log reader waiting for an EOF that never comes.
      const logFd = openSync(logFile, 'a');
      sshd = spawn(SSHD, ['-D', '-e', '-f', configFile], { stdio: ['ignore', logFd, logFd] });
      closeSync(logFd);
      children.push(sshd);
      try {
        await waitForServer(
          () => net.connect(port, '127.0.0.1'),
          (data) => data.startsWith('SSH-'),
          () => (exited(sshd) ? `sshd exited: ${readFileSync(logFile, 'utf8').trim()}` : null),
          `sshd on 127.0.0.1:${port}`,
        );
        break;
      } catch (error) {
        if (attempt >= 3 || !/Address already in use/.test(readFileSync(logFile, 'utf8'))) throw error;
      }
    }

    const knownHosts = path.join(dir, 'known_hosts');
    const [hostKeyType, hostKeyBase64] = hostKey.publicKey.split(' ');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKeyType} ${hostKeyBase64}\n`);
    // An empty ssh_config, so that the operator's ~/.ssh/config cannot change what tests connect to.
    const emptySshConfig = path.join(dir, 'ssh_config.empty');
    writeFileSync(emptySshConfig, '');

    let agentSocket = null;
    let agentPid = null;
    if (options.agent !== false) {
      agentSocket = path.join(dir, 'agent.sock');
      const agentLogFd = openSync(path.join(dir, 'ssh-agent.log'), 'a');
      const agent = spawn(SSH_AGENT, ['-D', '-a', agentSocket], { stdio: ['ignore', agentLogFd, agentLogFd] });
      closeSync(agentLogFd);
      children.push(agent);
      agentPid = agent.pid ?? null;
      await waitForServer(
        () => net.connect(agentSocket),
        null,
        () => (exited(agent) ? `ssh-agent exited: ${readFileSync(path.join(dir, 'ssh-agent.log'), 'utf8').trim()}` : null),
        `ssh-agent on ${agentSocket}`,
      );
      execFileSync(SSH_ADD, ['-q', agentKey.path], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: 'pipe' });
    }

    return {
      dir,
      host: '127.0.0.1',
      port,
      user,
      hostKey,
      otherHostKey,
      userKey,
      agentKey,
      encryptedKey,
      strangerKey,
      knownHosts,
      emptySshConfig,
      agentSocket,
      logFile,
      log: () => readFileSync(logFile, 'utf8'),
      pids: { sshd: sshd.pid ?? null, agent: agentPid },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
