// How a target becomes a connection plan: ssh_config lookups, precedence, paths, jump chains. No server.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SshTarget } from '../../../src/shared/targets.js';
import { parseDestination } from '../../../src/main/targets/ssh/destination.js';
import { createSshExecutor } from '../../../src/main/targets/ssh/executor.js';
import { type PlanEnvironment, planConnection } from '../../../src/main/targets/ssh/plan.js';
import { loadSshConfig, lookupSshConfig } from '../../../src/main/targets/ssh/ssh-config.js';
import type { ExecutorContext } from '../../../src/main/targets/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ssh-plan-'));
const home = path.join(dir, 'home');
const environment: PlanEnvironment = { homeDir: home, localUser: 'operator' };
let counter = 0;

function configFile(text: string): string {
  const file = path.join(dir, `ssh_config.${++counter}`);
  writeFileSync(file, text);
  return file;
}

function ctx(env: Record<string, string> = {}): ExecutorContext {
  return { baseDir: path.join(dir, 'targets'), env, ask: async () => null, confirm: async () => false };
}

function plan(target: Omit<SshTarget, 'kind'>, options: { env?: Record<string, string>; lookup?: PlanEnvironment['lookupTarget'] } = {}) {
  return planConnection({ kind: 'ssh', ...target }, ctx(options.env), { ...environment, ...(options.lookup ? { lookupTarget: options.lookup } : {}) });
}

describe('jump host specifications', () => {
  it('reads [user@]host[:port], ssh:// URIs and bracketed IPv6', () => {
    expect(parseDestination('bastion')).toEqual({ host: 'bastion' });
    expect(parseDestination('ops@bastion:2200')).toEqual({ user: 'ops', host: 'bastion', port: 2200 });
    expect(parseDestination('ssh://ops@10.0.0.1:22')).toEqual({ user: 'ops', host: '10.0.0.1', port: 22 });
    expect(parseDestination('[fe80::1]:2222')).toEqual({ host: 'fe80::1', port: 2222 });
    expect(parseDestination('fe80::1')).toEqual({ host: 'fe80::1' });
  });

  it('names the bad specification', () => {
    expect(() => parseDestination('ops@bastion:http')).toThrow('jump host "ops@bastion:http": "http" is not a port number');
    expect(() => parseDestination('@bastion')).toThrow('empty user name');
    expect(() => parseDestination('ops@')).toThrow('not [user@]host[:port]');
  });
});

describe('ssh_config lookups', () => {
  it('takes the first value per directive, with Host * as the fallback, whatever the directive case', () => {
    const loaded = loadSshConfig(configFile('Host web-1\n  hostname 10.0.0.5\n  PORT 2222\n  IdentityFile ~/.ssh/web\nHost *\n  User deploy\n  Port 22\n  IdentityFile ~/.ssh/all\n'), true);
    expect(lookupSshConfig(loaded, 'web-1')).toEqual({
      hostName: '10.0.0.5',
      port: 2222,
      user: 'deploy',
      identityFiles: ['~/.ssh/web', '~/.ssh/all'],
      userKnownHostsFiles: [],
    });
    expect(lookupSshConfig(loaded, 'other')).toMatchObject({ port: 22, user: 'deploy' });
  });

  it('rejects a Port that is not a port, naming the file and host', () => {
    const file = configFile('Host web-1\n  Port http\n');
    expect(() => lookupSshConfig(loadSshConfig(file, true), 'web-1')).toThrow(`ssh config ${file}: Port for Host web-1 is not a port number: "http"`);
  });

  it('does not run Match exec commands while computing a lookup', () => {
    const marker = path.join(dir, 'match-exec-ran');
    const loaded = loadSshConfig(configFile(`Match exec "touch ${marker}"\n  User wrong\nHost *\n  User right\n`), true);
    expect(lookupSshConfig(loaded, 'web-1').user).toBe('right');
    expect(existsSync(marker)).toBe(false);
  });

  it('treats a missing default file as empty but a named one as an error', () => {
    expect(loadSshConfig(path.join(dir, 'absent'), false)).toBeNull();
    expect(() => loadSshConfig(path.join(dir, 'absent'), true)).toThrow(`cannot read ssh config ${path.join(dir, 'absent')}`);
  });
});

describe('connection plans', () => {
  it('resolves a bare Host alias to HostName, Port, User, IdentityFile and known_hosts', () => {
    const sshConfig = configFile('Host web-1\n  HostName 10.0.0.5\n  Port 2222\n  User deploy\n  IdentityFile ~/.ssh/id_%r_%h\n  UserKnownHostsFile ~/kh/%n\n');
    const p = plan({ host: 'web-1', sshConfig });
    expect(p.endpoint).toBe('deploy@10.0.0.5:2222');
    expect(p.jumps).toEqual([]);
    expect(p.target).toMatchObject({
      alias: 'web-1',
      hostName: '10.0.0.5',
      port: 2222,
      user: 'deploy',
      hostKeyName: '[10.0.0.5]:2222',
      identityFiles: [path.join(home, '.ssh/id_deploy_10.0.0.5')],
      defaultIdentities: false,
      knownHostsFiles: [path.join(home, 'kh/web-1'), '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      agentSocket: null,
    });
  });

  it("lets the target's own fields win over ssh_config, relative paths against the targets file", () => {
    const sshConfig = configFile('Host web-1\n  HostName 10.0.0.5\n  Port 2222\n  User deploy\n  IdentityFile ~/.ssh/web\n');
    const p = plan({ host: 'web-1', sshConfig, port: 22, user: 'root', identityFile: './keys/id', knownHosts: ['./kh', '~/kh2'] });
    expect(p.endpoint).toBe('root@10.0.0.5:22');
    expect(p.target.hostKeyName).toBe('10.0.0.5');
    expect(p.target.identityFiles).toEqual([path.join(dir, 'targets/keys/id')]);
    // Files the target names are the only ones consulted.
    expect(p.target.knownHostsFiles).toEqual([path.join(dir, 'targets/kh'), path.join(home, 'kh2')]);
  });

  it("falls back to OpenSSH's defaults: local user, port 22, ~/.ssh keys and known_hosts", () => {
    const p = plan({ host: 'db.example.com', sshConfig: configFile('') });
    expect(p.endpoint).toBe('operator@db.example.com:22');
    expect(p.target.defaultIdentities).toBe(true);
    expect(p.target.identityFiles).toEqual(['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(home, '.ssh', f)));
    expect(p.target.knownHostsFiles.slice(0, 2)).toEqual([path.join(home, '.ssh/known_hosts'), path.join(home, '.ssh/known_hosts2')]);
    expect(p.connectTimeoutMs).toBe(15_000);
  });

  it('uses the agent from SSH_AUTH_SOCK in the context, a socket path, or not at all', () => {
    const sshConfig = configFile('');
    expect(plan({ host: 'h', sshConfig }, { env: { SSH_AUTH_SOCK: '/run/agent' } }).target.agentSocket).toBe('/run/agent');
    expect(plan({ host: 'h', sshConfig, agent: false }, { env: { SSH_AUTH_SOCK: '/run/agent' } }).target.agentSocket).toBeNull();
    expect(plan({ host: 'h', sshConfig, agent: '/tmp/a.sock' }).target.agentSocket).toBe('/tmp/a.sock');
    expect(() => plan({ host: 'h', sshConfig, agent: true })).toThrow('agent is true but SSH_AUTH_SOCK is not set');
  });

  it('plans a jump chain from the target, each hop resolved through ssh_config', () => {
    const sshConfig = configFile('Host bastion\n  HostName 192.0.2.1\n  User jump\n  IdentityFile /keys/bastion\n');
    const p = plan({ host: '10.0.0.5', user: 'deploy', identityFile: '/keys/target', sshConfig, jump: 'bastion, ops@192.0.2.2:2200' });
    expect(p.endpoint).toBe('deploy@10.0.0.5:22 via jump@192.0.2.1:22, ops@192.0.2.2:2200');
    expect(p.jumps.map((j) => j.identityFiles)).toEqual([['/keys/bastion'], ['/keys/target']]);
  });

  it('takes ProxyJump from ssh_config, and a jump named after another target from the targets file', () => {
    const sshConfig = configFile('Host inner\n  ProxyJump bastion:2022\n');
    expect(plan({ host: 'inner', sshConfig }).endpoint).toBe('operator@inner:22 via operator@bastion:2022');
    const bastion: SshTarget = { kind: 'ssh', host: '198.51.100.7', user: 'gate', fingerprint: `SHA256:${'A'.repeat(43)}` };
    const p = plan({ host: 'inner', sshConfig, jump: 'gateway' }, { lookup: (name) => (name === 'gateway' ? bastion : undefined) });
    expect(p.endpoint).toBe('operator@inner:22 via gate@198.51.100.7:22');
    expect(p.jumps[0]?.pinnedFingerprint).toBe(bastion.fingerprint);
  });

  it('refuses a ProxyCommand it would have to ignore', () => {
    const sshConfig = configFile('Host web-1\n  ProxyCommand nc -X 5 -x proxy:1080 %h %p\n');
    expect(() => plan({ host: 'web-1', sshConfig })).toThrow(`ssh config ${sshConfig}: Host web-1 uses ProxyCommand`);
  });
});

describe('executor without a server', () => {
  it('reports a broken ssh config in every result, with a best-effort endpoint', async () => {
    const e = createSshExecutor('web', { kind: 'ssh', host: 'web-1', user: 'deploy', sshConfig: path.join(dir, 'absent') }, ctx(), { homeDir: home });
    const result = await e.start({ blockId: 'b', action: 'shell', code: 'true', onOutput: () => undefined }).result;
    expect(result).toMatchObject({ status: 'error', error: `cannot read ssh config ${path.join(dir, 'absent')}: ENOENT: no such file or directory, open '${path.join(dir, 'absent')}'` });
    expect(result.target).toEqual({ name: 'web', kind: 'ssh', endpoint: 'deploy@web-1' });
    await e.close();
  });

  it('runs only shell blocks', async () => {
    const e = createSshExecutor('web', { kind: 'ssh', host: 'h', sshConfig: configFile('') }, ctx(), { homeDir: home });
    const result = await e.start({ blockId: 'b', action: 'sql', code: 'select 1', onOutput: () => undefined }).result;
    expect(result).toMatchObject({ status: 'error', error: 'an ssh target runs shell blocks, not sql' });
  });
});
