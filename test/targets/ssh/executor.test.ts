// The ssh executor against a real OpenSSH sshd on 127.0.0.1 (see test/infra/sshd.ts): no mocks. The
// server runs on this machine, so a test can look at the "remote" processes in /proc directly.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { running } from '../../support/process.js';
import { sshdTarget } from '../../support/targets.js';
import type { SshTarget } from '../../../src/shared/targets.js';
import { createSshExecutor } from '../../../src/main/targets/ssh/executor.js';
import { PID_MARKER } from '../../../src/main/targets/ssh/remote-script.js';
import type { ExecutionRequest, Executor, ExecutorContext, OutputChunk } from '../../../src/main/targets/types.js';
import { type SshdHandle, sshdAvailable, startSshd } from '../../infra/sshd.js';

const available = sshdAvailable('the ssh executor tests');


function acceptedLogins(sshd: SshdHandle): number {
  return sshd.log().match(/Accepted publickey for /g)?.length ?? 0;
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!available)('ssh executor against a real sshd', () => {
  let sshd: SshdHandle;
  const open: Executor[] = [];
  let fileCounter = 0;
  const tempFile = (name: string) => path.join(sshd.dir, `${++fileCounter}-${name}`);

  beforeAll(async () => {
    sshd = await startSshd();
  }, 20_000);
  afterAll(async () => {
    await sshd?.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.close()));
  });

  interface Asked {
    questions: { question: string; secret: boolean }[];
    confirmations: string[];
  }

  function context(options: { confirm?: boolean; answer?: string | null; env?: Record<string, string> } = {}): { ctx: ExecutorContext; asked: Asked } {
    const asked: Asked = { questions: [], confirmations: [] };
    const ctx: ExecutorContext = {
      baseDir: sshd.dir,
      env: options.env ?? {},
      ask: async (question, opts) => {
        asked.questions.push({ question, secret: opts?.secret === true });
        return options.answer ?? null;
      },
      confirm: async (question) => {
        asked.confirmations.push(question);
        return options.confirm ?? false;
      },
    };
    return { ctx, asked };
  }

  /** An executor for the test server with key-file auth and the right known_hosts, unless overridden. */
  function executor(overrides: Partial<SshTarget> = {}, ctx: ExecutorContext = context().ctx): Executor {
    const config = sshdTarget(sshd, overrides);
    // An empty home: OpenSSH's default keys and files of whoever runs the tests stay out of it.
    const e = createSshExecutor('web', config, ctx, { homeDir: path.join(sshd.dir, 'no-home') });
    open.push(e);
    return e;
  }

  function run(e: Executor, code: string, extra: Partial<ExecutionRequest> = {}) {
    const chunks: OutputChunk[] = [];
    const execution = e.start({ blockId: 'b', action: 'shell', code, onOutput: (c) => chunks.push(c), ...extra });
    const text = (stream: string) => chunks.filter((c) => c.stream === stream).map((c) => c.data).join('');
    return { execution, chunks, text, result: execution.result };
  }

  it('streams stdout and stderr and reports exit status 3 exactly', async () => {
    const r = run(executor(), 'echo out; echo err >&2; exit 3');
    const result = await r.result;
    expect(result).toMatchObject({ status: 'failed', exitCode: 3, signal: null, error: 'exit status 3' });
    expect(r.text('stdout')).toBe('out\n');
    expect(r.text('stderr')).toBe('err\n');
    expect(r.chunks.every((c) => !Number.isNaN(Date.parse(c.at)))).toBe(true);
    expect(result.target).toEqual({ name: 'web', kind: 'ssh', endpoint: `${sshd.user}@127.0.0.1:${sshd.port}` });
    expect(result.notes).toEqual([`host key ${sshd.hostKey.fingerprint} (ssh-ed25519) of 127.0.0.1:${sshd.port} matched ${sshd.knownHosts}:1`]);
  });

  it('reports the exact bytes: NUL, CR, invalid UTF-8, no newline at the end (the PID line taken out)', async () => {
    const stdout = Buffer.concat([Buffer.from('a\0b\rc\r\n'), Buffer.from([0xff, 0xfe, 0xe2, 0x82]), Buffer.from('tail without newline')]);
    const stderr = Buffer.from([0x00, 0x0d, 0xc3]);
    const octal = (b: Buffer) => [...b].map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');
    const r = run(executor(), `printf '${octal(stdout)}'; printf '${octal(stderr)}' >&2`);
    expect((await r.result).status).toBe('succeeded');
    const bytes = (stream: string) => Buffer.concat(r.chunks.filter((c) => c.stream === stream).map((c) => Buffer.from(c.bytes ?? new Uint8Array(0))));
    expect(bytes('stdout')).toEqual(stdout);
    expect(bytes('stderr')).toEqual(stderr);
    // The text is what UTF-8 makes of them (the incomplete character at the end of a stream: U+FFFD).
    expect(r.text('stdout')).toBe(new TextDecoder().decode(stdout));
    expect(r.text('stderr')).toBe(new TextDecoder().decode(stderr));
  });

  it('stops reading the channel while the consumer is behind (the remote command waits), and loses nothing', async () => {
    const bytes = 8 * 1024 * 1024;
    let pending = 0;
    let mostPending = 0;
    let received = 0;
    const e = executor();
    const result = await e.start({
      blockId: 'b',
      action: 'shell',
      code: `head -c ${bytes} /dev/zero | tr '\\0' x`,
      onOutput: (chunk) => {
        mostPending = Math.max(mostPending, ++pending);
        received += chunk.bytes?.length ?? 0;
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            pending--;
            resolve();
          }, 2),
        );
      },
    }).result;
    expect(result.status).toBe('succeeded');
    // Never a chunk handed over while the consumer still had one (the last may still be with it now).
    expect(mostPending).toBe(1);
    expect(received).toBe(bytes);
  });

  it('reports the signal that killed the command', async () => {
    const result = await run(executor(), 'kill -TERM $$').result;
    expect(result).toMatchObject({ status: 'failed', exitCode: null, signal: 'SIGTERM', error: 'killed by SIGTERM' });
  });

  it('exports the target and request environment, values kept byte for byte, off the command line', async () => {
    const tricky = `it's "quoted" $HOME \`x\` \\ and\na newline`;
    const r = run(executor({ env: { FROM_CONFIG: 'config', BOTH: 'config' } }), 'printf "%s|%s|%s\n--\n" "$FROM_CONFIG" "$BOTH" "$TRICKY"; ps -o args= -p $$', {
      env: { BOTH: 'request', TRICKY: tricky },
    });
    const result = await r.result;
    expect(result.status).toBe('succeeded');
    const [values, commandLine] = r.text('stdout').split('\n--\n');
    expect(values).toBe(`config|request|${tricky}`);
    // The block and its values travel over stdin: the remote process list shows only the fixed wrapper.
    expect(commandLine).toContain(`printf "${PID_MARKER}%s\\n"`);
    expect(commandLine).not.toContain('TRICKY');
  });

  it('refuses an invalid environment variable name before connecting', async () => {
    const result = await run(executor(), 'true', { env: { 'NOT-A-NAME': 'x' } }).result;
    expect(result).toMatchObject({ status: 'error', error: 'environment variable name "NOT-A-NAME" is not a valid shell name' });
  });

  it('authenticates with a key held only by ssh-agent (SSH_AUTH_SOCK from the context)', async () => {
    const { ctx } = context({ env: { SSH_AUTH_SOCK: sshd.agentSocket! } });
    const before = sshd.log();
    const result = await run(executor({ identityFile: undefined, agent: undefined }, ctx), 'echo via agent').result;
    expect(result.status).toBe('succeeded');
    // The server saw the agent's key, which is in no file the executor was given.
    expect(sshd.log().slice(before.length)).toContain(`ED25519 ${sshd.agentKey.fingerprint}`);
  });

  it('authenticates with an agent socket named in the target', async () => {
    const before = sshd.log();
    const result = await run(executor({ identityFile: undefined, agent: sshd.agentSocket! }), 'true').result;
    expect(result.status).toBe('succeeded');
    expect(sshd.log().slice(before.length)).toContain(`ED25519 ${sshd.agentKey.fingerprint}`);
  });

  it('authenticates with an encrypted key, the passphrase asked as a secret and never reported', async () => {
    const { ctx, asked } = context({ answer: sshd.encryptedKey.passphrase });
    const r = run(executor({ identityFile: sshd.encryptedKey.path }, ctx), 'echo ok');
    const result = await r.result;
    expect(result.status).toBe('succeeded');
    expect(asked.questions).toEqual([{ question: `Passphrase for SSH key ${sshd.encryptedKey.path}:`, secret: true }]);
    expect(JSON.stringify(result) + JSON.stringify(r.chunks)).not.toContain(sshd.encryptedKey.passphrase);
  });

  it('takes the passphrase from passphraseEnv, and names the variable (not its value) when it is wrong', async () => {
    const good = context({ env: { KEY_PASS: sshd.encryptedKey.passphrase } });
    const ok = await run(executor({ identityFile: sshd.encryptedKey.path, passphraseEnv: 'KEY_PASS' }, good.ctx), 'true').result;
    expect(ok.status).toBe('succeeded');
    expect(good.asked.questions).toEqual([]);

    const bad = context({ env: { KEY_PASS: 'not the passphrase' } });
    const result = await run(executor({ identityFile: sshd.encryptedKey.path, passphraseEnv: 'KEY_PASS' }, bad.ctx), 'true').result;
    expect(result.status).toBe('error');
    expect(result.error).toBe(
      `authentication failed for ${sshd.user}@127.0.0.1:${sshd.port} (tried: key ${sshd.encryptedKey.path} (encrypted; the passphrase in $KEY_PASS does not decrypt it))`,
    );
    expect(result.error).not.toContain('not the passphrase');
  });

  it('tells the run engine every passphrase it uses (secretInUse) before using it: typed (a wrong one too) or from passphraseEnv', async () => {
    const answers = ['wrong guess', sshd.encryptedKey.passphrase];
    const told: string[] = [];
    const typed: ExecutorContext = { ...context().ctx, ask: async () => answers.shift() ?? null, secretInUse: (value) => void told.push(value) };
    const result = await run(executor({ identityFile: sshd.encryptedKey.path }, typed), 'true').result;
    expect(result.status).toBe('succeeded');
    expect(told).toEqual(['wrong guess', sshd.encryptedKey.passphrase]);

    const fromEnv: string[] = [];
    const env: ExecutorContext = { ...context({ env: { KEY_PASS: sshd.encryptedKey.passphrase } }).ctx, secretInUse: (value) => void fromEnv.push(value) };
    expect((await run(executor({ identityFile: sshd.encryptedKey.path, passphraseEnv: 'KEY_PASS' }, env), 'true').result).status).toBe('succeeded');
    expect(fromEnv).toEqual([sshd.encryptedKey.passphrase]);
  });

  it('fails with a clear message when the key is not authorized', async () => {
    const result = await run(executor({ identityFile: sshd.strangerKey.path }), 'true').result;
    expect(result).toMatchObject({
      status: 'error',
      exitCode: null,
      error: `authentication failed for ${sshd.user}@127.0.0.1:${sshd.port} (tried: key ${sshd.strangerKey.path})`,
    });
  });

  it('lists the agent and the key file it tried when neither is accepted', async () => {
    const missingSocket = tempFile('no-agent.sock');
    const result = await run(executor({ identityFile: sshd.strangerKey.path, agent: missingSocket }), 'true').result;
    expect(result.status).toBe('error');
    expect(result.error).toMatch(new RegExp(`^authentication failed for .*\\(tried: agent ${missingSocket} \\(unusable: .+\\), key ${sshd.strangerKey.path}\\)$`));
  });

  it('reports a refused connection naming host and port', async () => {
    const port = await closedPort();
    const result = await run(executor({ port }), 'true').result;
    expect(result).toMatchObject({ status: 'error', error: `cannot connect to 127.0.0.1:${port}: connection refused (no SSH server listening there?)` });
  });

  describe('host keys', () => {
    it('accepts a key found in a hashed known_hosts file (ssh-keygen -H)', async () => {
      const hashed = tempFile('known_hosts.hashed');
      writeFileSync(hashed, readFileSync(sshd.knownHosts));
      execFileSync('ssh-keygen', ['-q', '-H', '-f', hashed], { stdio: 'pipe' });
      expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/);
      const result = await run(executor({ knownHosts: hashed }), 'true').result;
      expect(result.status).toBe('succeeded');
      expect(result.notes[0]).toBe(`host key ${sshd.hostKey.fingerprint} (ssh-ed25519) of 127.0.0.1:${sshd.port} matched ${hashed}:1`);
    });

    it('refuses a CHANGED key without asking, even when the operator would say yes', async () => {
      const wrong = tempFile('known_hosts.wrong');
      writeFileSync(wrong, `# another host's key recorded for this one\n[127.0.0.1]:${sshd.port} ${sshd.otherHostKey.publicKey}\n`);
      const { ctx, asked } = context({ confirm: true });
      const before = acceptedLogins(sshd);
      const r = run(executor({ knownHosts: wrong }, ctx), `touch ${tempFile('must-not-exist')}`);
      const result = await r.result;
      expect(result.status).toBe('error');
      expect(result.error).toBe(
        `host key of 127.0.0.1:${sshd.port} has CHANGED: the server presented ${sshd.hostKey.fingerprint} (ssh-ed25519), but ${wrong}:2 records ${sshd.otherHostKey.fingerprint} (ssh-ed25519); refusing to connect (a man-in-the-middle, or a reinstalled host: check, then update ${wrong})`,
      );
      expect(asked.confirmations).toEqual([]);
      expect(acceptedLogins(sshd)).toBe(before);
    });

    it('refuses a key that does not match the pinned fingerprint, without asking', async () => {
      const { ctx, asked } = context({ confirm: true });
      const result = await run(executor({ knownHosts: tempFile('absent'), fingerprint: sshd.otherHostKey.fingerprint }, ctx), 'true').result;
      expect(result.status).toBe('error');
      expect(result.error).toContain(`host key of 127.0.0.1:${sshd.port} does not match the pinned fingerprint: the server presented ${sshd.hostKey.fingerprint} (ssh-ed25519), the target pins ${sshd.otherHostKey.fingerprint}`);
      expect(asked.confirmations).toEqual([]);
    });

    it('refuses a pin mismatch even when known_hosts has the right key', async () => {
      const result = await run(executor({ fingerprint: sshd.otherHostKey.fingerprint }, context({ confirm: true }).ctx), 'true').result;
      expect(result.status).toBe('error');
      expect(result.error).toContain('does not match the pinned fingerprint');
    });

    it('accepts a key matching the pinned fingerprint with no known_hosts entry', async () => {
      const { ctx, asked } = context();
      const result = await run(executor({ knownHosts: tempFile('absent'), fingerprint: sshd.hostKey.fingerprint }, ctx), 'true').result;
      expect(result.status).toBe('succeeded');
      expect(result.notes).toEqual([`host key ${sshd.hostKey.fingerprint} (ssh-ed25519) of 127.0.0.1:${sshd.port} matched the pinned fingerprint`]);
      expect(asked.confirmations).toEqual([]);
    });

    it('refuses an UNKNOWN key when the operator says no, having named host and fingerprint', async () => {
      const absent = tempFile('absent');
      const { ctx, asked } = context({ confirm: false });
      const before = acceptedLogins(sshd);
      const result = await run(executor({ knownHosts: absent }, ctx), 'true').result;
      expect(result.status).toBe('error');
      expect(result.error).toBe(
        `host key ${sshd.hostKey.fingerprint} (ssh-ed25519) for 127.0.0.1:${sshd.port} is unknown (not in ${absent}, no fingerprint pinned) and the operator did not trust it; refusing to connect`,
      );
      expect(asked.confirmations).toHaveLength(1);
      expect(asked.confirmations[0]).toContain(`127.0.0.1:${sshd.port}`);
      expect(asked.confirmations[0]).toContain(sshd.hostKey.fingerprint);
      expect(acceptedLogins(sshd)).toBe(before);
    });

    it('runs on an UNKNOWN key the operator trusts, records that decision, and does not ask again', async () => {
      const { ctx, asked } = context({ confirm: true });
      const e = executor({ knownHosts: tempFile('absent') }, ctx);
      const first = await run(e, 'echo trusted').result;
      expect(first.status).toBe('succeeded');
      expect(first.notes).toEqual([`host key ${sshd.hostKey.fingerprint} (ssh-ed25519) for 127.0.0.1:${sshd.port} was unknown; trusted by the operator`]);
      const second = await run(e, 'true').result;
      expect(second.notes).toEqual(first.notes);
      expect(asked.confirmations).toHaveLength(1);
    });
  });

  it('runs every block of a run over one connection', async () => {
    const e = executor();
    const before = acceptedLogins(sshd);
    const a = run(e, 'echo "$SSH_CONNECTION"');
    expect((await a.result).status).toBe('succeeded');
    const b = run(e, 'echo "$SSH_CONNECTION"');
    expect((await b.result).status).toBe('succeeded');
    // Same client source port, one login.
    expect(a.text('stdout')).toMatch(/^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+\n$/);
    expect(b.text('stdout')).toBe(a.text('stdout'));
    expect(acceptedLogins(sshd)).toBe(before + 1);
  });

  it('close() ends the connection and later blocks are refused', async () => {
    const e = executor();
    const r = run(e, 'echo "$SSH_CONNECTION"');
    await r.result;
    const clientPort = r.text('stdout').split(' ')[1];
    await e.close();
    expect(sshd.log()).toMatch(new RegExp(`(Received disconnect|Disconnected) from (user \\S+ )?127\\.0\\.0\\.1 port ${clientPort}\\b`));
    expect((await run(e, 'true').result).error).toBe('the ssh target web was already closed');
  });

  it('close() during a block stops the remote process before disconnecting', async () => {
    const pidFile = tempFile('close.pid');
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const e = executor();
    const r = run(e, `echo $$ > ${pidFile}; echo started; sleep 300`, { onOutput: (c) => c.data.includes('started') && started() });
    await startedPromise;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await e.close();
    expect((await r.result).status).toBe('cancelled');
    await expect.poll(() => running(pid), { timeout: 3000, interval: 20 }).toBe(false);
  });

  it('reconnects for the next block when the connection dropped', async () => {
    const e = executor();
    const before = acceptedLogins(sshd);
    // The wrapper's parent is sshd's process for this connection: killing it drops the connection mid-block.
    const dropped = await run(e, 'kill -KILL $PPID').result;
    expect(dropped.status).toBe('error');
    expect(dropped.error).toBe(`${sshd.user}@127.0.0.1:${sshd.port}: the connection closed before the command reported an exit status; its outcome is unknown`);
    const again = await run(e, 'echo back').result;
    expect(again.status).toBe('succeeded');
    expect(acceptedLogins(sshd)).toBe(before + 2);
  });

  it('gives up connecting after connectTimeout when the server never speaks SSH', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const result = await run(executor({ port, connectTimeout: '300ms' }), 'true').result;
      expect(result).toMatchObject({ status: 'error', error: `timed out after 300 ms connecting to ${sshd.user}@127.0.0.1:${port}` });
    } finally {
      silent.close();
    }
  });

  it('resolves a Host alias from the ssh config file: HostName, Port, User, IdentityFile, UserKnownHostsFile', async () => {
    const config = tempFile('ssh_config');
    writeFileSync(
      config,
      [
        'Host web-1',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.userKey.path}`,
        `  UserKnownHostsFile ${sshd.knownHosts}`,
        'Host *',
        '  User nobody-from-the-wildcard',
        '',
      ].join('\n'),
    );
    const e = createSshExecutor('web-1', { kind: 'ssh', host: 'web-1', sshConfig: config, agent: false }, context().ctx, { homeDir: path.join(sshd.dir, 'no-home') });
    open.push(e);
    const r = run(e, 'whoami');
    const result = await r.result;
    expect(result.status).toBe('succeeded');
    expect(result.target.endpoint).toBe(`${sshd.user}@127.0.0.1:${sshd.port}`);
    expect(r.text('stdout')).toBe(`${sshd.user}\n`);
  });

  it('hops through a jump host given as user@host:port', async () => {
    const before = acceptedLogins(sshd);
    const r = run(executor({ jump: `${sshd.user}@127.0.0.1:${sshd.port}` }), 'echo "$SSH_CONNECTION"');
    const result = await r.result;
    expect(result.status).toBe('succeeded');
    expect(result.target.endpoint).toBe(`${sshd.user}@127.0.0.1:${sshd.port} via ${sshd.user}@127.0.0.1:${sshd.port}`);
    // Two logins: the jump host, then the target through the jump's forwarded channel, each host key checked.
    expect(acceptedLogins(sshd)).toBe(before + 2);
    const note = `host key ${sshd.hostKey.fingerprint} (ssh-ed25519) of 127.0.0.1:${sshd.port} matched ${sshd.knownHosts}:1`;
    expect(result.notes).toEqual([note, note]);
  });

  it('hops through a ProxyJump from the ssh config', async () => {
    const config = tempFile('ssh_config');
    writeFileSync(
      config,
      [
        'Host inner',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        '  ProxyJump bastion',
        'Host bastion',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        'Host *',
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.userKey.path}`,
        `  UserKnownHostsFile ${sshd.knownHosts}`,
        '',
      ].join('\n'),
    );
    const before = acceptedLogins(sshd);
    const e = createSshExecutor('inner', { kind: 'ssh', host: 'inner', sshConfig: config, agent: false }, context().ctx, { homeDir: path.join(sshd.dir, 'no-home') });
    open.push(e);
    const result = await run(e, 'true').result;
    expect(result.status).toBe('succeeded');
    expect(result.target.endpoint).toBe(`${sshd.user}@127.0.0.1:${sshd.port} via ${sshd.user}@127.0.0.1:${sshd.port}`);
    expect(acceptedLogins(sshd)).toBe(before + 2);
  });

  it('cancel kills the remote process group, background children included', async () => {
    const pidFile = tempFile('cancel.pids');
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const r = run(executor(), `sleep 300 & echo $! > ${pidFile}; echo $$ >> ${pidFile}; echo started; sleep 301`, {
      onOutput: (c) => c.data.includes('started') && started(),
    });
    await startedPromise;
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    expect(pids.every(running)).toBe(true);
    r.execution.cancel();
    const result = await r.result;
    expect(result).toMatchObject({ status: 'cancelled', error: 'cancelled by the operator' });
    // The group was SIGKILLed before the result resolved; the kernel may take a moment to finish them off.
    await expect.poll(() => pids.filter(running), { timeout: 3000, interval: 20 }).toEqual([]);
  });

  it('a timeout stops the remote command and says so', async () => {
    const pidFile = tempFile('timeout.pid');
    const result = await run(executor(), `echo $$ > ${pidFile}; sleep 30`, { timeoutMs: 500 }).result;
    expect(result).toMatchObject({ status: 'timed-out', error: 'timed out after 500 ms' });
    expect(result.durationMs).toBeLessThan(5000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await expect.poll(() => running(pid), { timeout: 3000, interval: 20 }).toBe(false);
  });

  it('takes the timeout from the target when the request has none', async () => {
    const result = await run(executor({ timeout: '300ms' }), 'sleep 30').result;
    expect(result).toMatchObject({ status: 'timed-out', error: 'timed out after 300 ms' });
  });
});
