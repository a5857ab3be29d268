// Preflight against real servers: OpenSSH's sshd, PostgreSQL, the fake Kubernetes API (TLS + token) and a
// small HTTP server answering as Prometheus does. Each failure names its target and why, never a secret.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflight, rememberingHostKeyAnswers } from '../../src/main/session/preflight.js';
import { stepEnvFor } from '../../src/main/session/step-env.js';
import { createSshExecutor } from '../../src/main/targets/ssh/executor.js';
import type { ExecutorContext } from '../../src/main/targets/types.js';
import type { PostgresTarget, SshTarget, Target } from '../../src/shared/targets.js';
import { type FakeKubeApi, startKubeApi } from '../fakes/kube-api.js';
import { type PostgresHandle, postgresAvailable, startPostgres } from '../infra/postgres.js';
import { type SshdHandle, sshdAvailable, startSshd } from '../infra/sshd.js';
import { postgresTarget, sshdTarget } from '../support/targets.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preflight-'));

function context(env: NodeJS.ProcessEnv = {}, overrides: Partial<ExecutorContext> = {}): ExecutorContext & { confirmations: string[] } {
  const confirmations: string[] = [];
  return {
    baseDir: dir,
    env,
    ask: async () => null,
    confirm: async (question) => {
      confirmations.push(question);
      return false;
    },
    confirmations,
    ...overrides,
  };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('preflight: local', () => {
  it('passes for a shell found on the steps\' PATH and an existing directory', async () => {
    const targets = new Map<string, Target>([['here', { kind: 'local' }]]);
    const ctx = context({}, { stepEnv: (t) => stepEnvFor(t, { PATH: process.env.PATH }, targets.values()) });
    const [result] = await preflight(targets, ctx);
    expect(result).toMatchObject({ target: 'here', ok: true });
    expect(result?.detail).toMatch(new RegExp(`^bash \\(/.*bash\\) in ${dir}$`));
  });

  it('names a missing working directory, a file given as one, and a shell that is not there', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    const notExecutable = path.join(dir, 'not-a-shell');
    writeFileSync(notExecutable, '#!/bin/sh\n');
    chmodSync(notExecutable, 0o644);
    const targets = new Map<string, Target>([
      ['gone', { kind: 'local', cwd: 'missing-dir' }],
      ['file', { kind: 'local', cwd: file }],
      ['noshell', { kind: 'local', shell: 'no-such-shell-xyz' }],
      ['badshell', { kind: 'local', shell: notExecutable }],
    ]);
    const results = await preflight(targets, context({ PATH: '/usr/bin:/bin' }, { stepEnv: () => ({ PATH: '/usr/bin:/bin' }) }));
    expect(results).toEqual([
      { target: 'gone', ok: false, detail: `working directory ${path.join(dir, 'missing-dir')} does not exist` },
      { target: 'file', ok: false, detail: `working directory ${file} is not a directory` },
      { target: 'noshell', ok: false, detail: 'shell "no-such-shell-xyz" is not found in the steps\' PATH (/usr/bin:/bin)' },
      { target: 'badshell', ok: false, detail: `shell ${notExecutable} is not an executable file` },
    ]);
  });
});

describe.skipIf(!sshdAvailable('the ssh preflight tests'))('preflight: ssh against a real sshd', () => {
  let sshd: SshdHandle;
  const home = path.join(dir, 'no-home');
  beforeAll(async () => {
    sshd = await startSshd({ agent: false });
    mkdirSync(home, { recursive: true });
  }, 20_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  const target = (overrides: Partial<SshTarget> = {}): SshTarget => sshdTarget(sshd, overrides);
  const logins = () => sshd.log().match(/Accepted publickey for /g)?.length ?? 0;

  it('passes: connects, authenticates with the key file, checks the host key, disconnects', async () => {
    const before = logins();
    const [result] = await preflight(new Map([['web', target()]]), context(), { homeDir: home });
    expect(result).toMatchObject({ target: 'web', ok: true });
    expect(result?.detail).toContain(`${sshd.user}@127.0.0.1:${sshd.port}: connected and authenticated`);
    expect(result?.detail).toContain(`host key ${sshd.hostKey.fingerprint}`);
    expect(logins()).toBe(before + 1);
  });

  it('names a wrong port', async () => {
    const port = await closedPort();
    const [result] = await preflight(new Map([['web', target({ port })]]), context(), { homeDir: home });
    expect(result).toEqual({ target: 'web', ok: false, detail: `cannot connect to 127.0.0.1:${port}: connection refused (no SSH server listening there?)` });
  });

  it('names an unknown host key, refused as a run refuses it (the host said no)', async () => {
    const emptyKnownHosts = path.join(dir, 'known_hosts.empty');
    writeFileSync(emptyKnownHosts, '');
    const ctx = context();
    const [result] = await preflight(new Map([['web', target({ knownHosts: emptyKnownHosts })]]), ctx, { homeDir: home });
    expect(result?.ok).toBe(false);
    expect(result?.detail).toMatch(new RegExp(`^host key ${sshd.hostKey.fingerprint.replace(/[+/]/g, '\\$&')} \\(ssh-ed25519\\) for 127\\.0\\.0\\.1:${sshd.port} is unknown .*refusing to connect$`));
    expect(ctx.confirmations).toHaveLength(1);
  });

  it('names a changed host key without asking anyone', async () => {
    const wrong = path.join(dir, 'known_hosts.wrong');
    const [type, key] = sshd.otherHostKey.publicKey.split(' ');
    writeFileSync(wrong, `[127.0.0.1]:${sshd.port} ${type} ${key}\n`);
    const ctx = context();
    const [result] = await preflight(new Map([['web', target({ knownHosts: wrong })]]), ctx, { homeDir: home });
    expect(result?.ok).toBe(false);
    expect(result?.detail).toMatch(/host key/i);
    expect(ctx.confirmations).toEqual([]);
  });

  it('names an identity file that does not exist, before any connection', async () => {
    const before = sshd.log().length;
    const missing = path.join(dir, 'no-such-key');
    const [result] = await preflight(new Map([['web', target({ identityFile: missing })]]), context(), { homeDir: home });
    expect(result).toEqual({ target: 'web', ok: false, detail: `${sshd.user}@127.0.0.1:${sshd.port}: identity file ${missing} does not exist` });
    expect(sshd.log().slice(before)).not.toMatch(/Connection from|Accepted/);
  });

  it('names a hop with no way to log in at all (no key file, agent socket gone), before any connection', async () => {
    const socket = path.join(dir, 'no-agent.sock');
    const [result] = await preflight(new Map([['web', target({ identityFile: undefined, agent: socket })]]), context(), { homeDir: home });
    expect(result?.ok).toBe(false);
    expect(result?.detail).toBe(
      `${sshd.user}@127.0.0.1:${sshd.port}: no way to log in: the ssh-agent socket ${socket} does not exist and none of ${['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(home, '.ssh', f)).join(', ')} can be read`,
    );
  });

  it('plans a jump host named by another target of the run, and authenticates both hops', async () => {
    const before = logins();
    const bastion = target();
    const web = target({ jump: 'bastion' });
    const [result] = await preflight(new Map([['web', web]]), context(), { homeDir: home, allTargets: new Map([['web', web], ['bastion', bastion]]) });
    expect(result?.ok, result?.detail).toBe(true);
    expect(result?.detail).toContain(` via ${sshd.user}@127.0.0.1:${sshd.port}`);
    expect(logins()).toBe(before + 2);
  });

  it('names a key the server does not accept', async () => {
    const [result] = await preflight(new Map([['web', target({ identityFile: sshd.strangerKey.path })]]), context(), { homeDir: home });
    expect(result?.ok).toBe(false);
    expect(result?.detail).toMatch(/^authentication failed for .*id_stranger/);
  });

  it('with the run\'s context, an operator who trusted an unknown key in preflight is not asked again by the run', async () => {
    const emptyKnownHosts = path.join(dir, 'known_hosts.empty2');
    writeFileSync(emptyKnownHosts, '');
    const asked: string[] = [];
    const ctx = rememberingHostKeyAnswers(
      context({}, {
        confirm: async (question) => {
          asked.push(question);
          return true;
        },
      }),
    );
    const config = target({ knownHosts: emptyKnownHosts });
    const [result] = await preflight(new Map([['web', config]]), ctx, { homeDir: home });
    expect(result?.ok).toBe(true);
    const executor = createSshExecutor('web', config, ctx, { homeDir: home });
    try {
      const run = await executor.start({ blockId: 'b', action: 'shell', code: 'true', onOutput: () => undefined }).result;
      expect(run.status).toBe('succeeded');
    } finally {
      await executor.close();
    }
    expect(asked).toHaveLength(1);
  });
});

describe.skipIf(!postgresAvailable('the postgres preflight tests'))('preflight: postgres against a real server', () => {
  const PASSWORD_ENV = 'PREFLIGHT_DB_PASSWORD';
  let server: PostgresHandle;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const target = (overrides: Partial<PostgresTarget> = {}): PostgresTarget => postgresTarget(server, PASSWORD_ENV, overrides);

  it('passes: the password is there, the server answers SELECT 1 over verified TLS', async () => {
    const [result] = await preflight(new Map([['db', target()]]), context({ [PASSWORD_ENV]: server.password }));
    expect(result).toMatchObject({ target: 'db', ok: true });
    expect(result?.detail).toMatch(/: SELECT 1 answered \(PostgreSQL \d+.*, TLS TLSv1\.3/);
  });

  it('passes with the password from the secret store', async () => {
    const ctx = context({}, { secret: async (name) => (name === 'db' ? server.password : null) });
    const [result] = await preflight(new Map([['db', target({ passwordEnv: undefined, passwordSecret: 'db' })]]), ctx);
    expect(result?.ok).toBe(true);
  });

  it('reads a passwordSecret from the store once per preflight, and again in the next one (nothing kept between them)', async () => {
    const reads: string[] = [];
    const ctx = context({}, { secret: async (name) => (reads.push(name), name === 'db' ? server.password : null) });
    const targets = new Map([['db', target({ passwordEnv: undefined, passwordSecret: 'db' })]]);
    const [first] = await preflight(targets, ctx);
    expect(first?.ok, first?.detail).toBe(true);
    expect(first?.detail).toContain('password from secret "db"');
    expect(reads).toEqual(['db']);
    const [second] = await preflight(targets, ctx);
    expect(second?.ok).toBe(true);
    expect(reads).toEqual(['db', 'db']);
  });

  it('one read per secret even when passwordEnv is named but not set, and a wrong stored password is still not shown', async () => {
    const wrong = 'wrong-stored-password-canary-5678';
    const reads: string[] = [];
    const [result] = await preflight(new Map([['db', target({ passwordSecret: 'db' })]]), context({}, { secret: async (name) => (reads.push(name), wrong) }));
    expect(result?.ok).toBe(false);
    expect(result?.detail).toMatch(/password authentication failed/);
    expect(result?.detail).not.toContain(wrong);
    expect(reads).toEqual(['db']);
  });

  it('passes a password the operator typed on to be masked (secretInUse), and shows it nowhere', async () => {
    const typed = 'typed-password-canary-9012';
    const ctx = context({}, { ask: async () => typed });
    const told: string[] = [];
    const [result] = await preflight(new Map([['db', target({ passwordEnv: undefined })]]), { ...ctx, secretInUse: (v) => told.push(v) });
    expect(result?.ok).toBe(false);
    expect(told).toEqual([typed]);
    expect(result?.detail).not.toContain(typed);
  });

  it('names a passwordEnv that is not set, without connecting', async () => {
    const [result] = await preflight(new Map([['db', target()]]), context({}));
    expect(result).toEqual({ target: 'db', ok: false, detail: `no password: passwordEnv: $${PASSWORD_ENV} is not set` });
  });

  it('names a passwordSecret missing from the store', async () => {
    const [result] = await preflight(new Map([['db', target({ passwordSecret: 'prod-db' })]]), context({}, { secret: async () => null }));
    expect(result?.detail).toBe(`no password: passwordEnv: $${PASSWORD_ENV} is not set; passwordSecret: "prod-db" is not in the secret store`);
  });

  it('names a wrong port', async () => {
    const port = await closedPort();
    const [result] = await preflight(new Map([['db', target({ port })]]), context({ [PASSWORD_ENV]: server.password }));
    expect(result?.ok).toBe(false);
    expect(result?.detail).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*(refused|ECONNREFUSED)`, 'i'));
  });

  it('names a wrong password without showing it', async () => {
    const wrong = 'wrong-password-canary-1234';
    const [result] = await preflight(new Map([['db', target()]]), context({ [PASSWORD_ENV]: wrong }));
    expect(result?.ok).toBe(false);
    expect(result?.detail).toMatch(/password/i);
    expect(result?.detail).not.toContain(wrong);
  });

  it('checks every target and says which one fails', async () => {
    const port = await closedPort();
    const targets = new Map<string, Target>([
      ['here', { kind: 'local' }],
      ['db', target()],
      ['db-wrong-port', target({ port })],
    ]);
    const results = await preflight(targets, context({ [PASSWORD_ENV]: server.password, PATH: process.env.PATH }, { stepEnv: () => ({ PATH: process.env.PATH ?? '' }) }));
    expect(results.map((r) => [r.target, r.ok])).toEqual([
      ['here', true],
      ['db', true],
      ['db-wrong-port', false],
    ]);
  });
});

describe('preflight: kubernetes against the fake API server', () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startKubeApi();
    api.kubeconfig();
    api.kubeconfig({ file: 'bad-token', token: 'not-the-token' });
  });
  afterAll(async () => {
    await api?.close();
  });
  const ctx = () => context({ HOME: dir }, { baseDir: api.dir });

  it('passes: the kubeconfig is read, the context is there, /version and /api answer with the token', async () => {
    const [result] = await preflight(new Map([['k8s', { kind: 'kubernetes', kubeconfig: 'kubeconfig', context: 'fake' }]]), ctx());
    expect(result).toEqual({ target: 'k8s', ok: true, detail: `${api.url} context=fake ns=default user=fake-admin: the API server answered /version (Kubernetes v1.31.0-fake) and /api as fake-admin (bearer token)` });
    expect(api.requests.slice(-2).map((r) => r.path)).toEqual(['/version', '/api']);
  });

  it('names a missing kubeconfig, a missing context and a rejected token', async () => {
    const results = await preflight(
      new Map<string, Target>([
        ['nofile', { kind: 'kubernetes', kubeconfig: 'nope' }],
        ['nocontext', { kind: 'kubernetes', kubeconfig: 'kubeconfig', context: 'prod' }],
        ['badtoken', { kind: 'kubernetes', kubeconfig: 'bad-token' }],
      ]),
      ctx(),
    );
    expect(results[0]).toEqual({ target: 'nofile', ok: false, detail: `kubeconfig ${path.join(api.dir, 'nope')} (from the target) does not exist` });
    expect(results[1]).toMatchObject({ target: 'nocontext', ok: false, detail: expect.stringMatching(/^context "prod" is not in .* \(contexts: fake, fake-system\)$/) });
    expect(results[2]).toMatchObject({ target: 'badtoken', ok: false, detail: expect.stringMatching(/Unauthorized|401/) });
    expect(results[2]?.detail).not.toContain('not-the-token');
  });
});

describe('preflight: prometheus', () => {
  let server: http.Server;
  let url: string;
  const seen: (string | undefined)[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === '/prom/api/v1/status/buildinfo') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { version: '3.1.0' } }));
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('passes when buildinfo answers, with the URL\'s credentials as Basic auth and never in the detail', async () => {
    const [result] = await preflight(new Map([['prom', { kind: 'prometheus', url: `http://ops:prom-canary-pw@${url.slice(7)}/prom` }]]), context());
    expect(result).toEqual({ target: 'prom', ok: true, detail: `${url}/prom: Prometheus 3.1.0 answered /api/v1/status/buildinfo (basic auth from the URL)` });
    expect(seen.at(-1)).toBe(`Basic ${Buffer.from('ops:prom-canary-pw').toString('base64')}`);
  });

  it('names a URL that is not the Prometheus API and one nobody listens on', async () => {
    const port = await closedPort();
    const results = await preflight(
      new Map<string, Target>([
        ['wrong-path', { kind: 'prometheus', url: `${url}/elsewhere` }],
        ['down', { kind: 'prometheus', url: `http://127.0.0.1:${port}` }],
      ]),
      context(),
    );
    expect(results[0]).toEqual({ target: 'wrong-path', ok: false, detail: `${url}/elsewhere/api/v1/status/buildinfo answered HTTP 404 with something that is not the Prometheus API: 404 page not found` });
    expect(results[1]).toMatchObject({ target: 'down', ok: false, detail: expect.stringMatching(new RegExp(`^cannot reach Prometheus at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)) });
  });
});
