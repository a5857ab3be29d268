// Everything a connection needs, worked out before any network traffic: the target's config merged with
// ssh_config the way OpenSSH merges them (the target's own fields win, then the first matching Host
// block, then defaults), every path made absolute, the jump chain resolved hop by hop.
import path from 'node:path';
import { type SshTarget, durationMs } from '../../../shared/targets.js';
import type { ExecutorContext } from '../types.js';
import { parseDestination, splitJumpChain } from './destination.js';
import { knownHostsName } from './host-keys.js';
import { type LoadedSshConfig, type PathTokens, expandConfigPath, loadSshConfig, lookupSshConfig } from './ssh-config.js';
import { expandHome } from '../../util/expand-home.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

export interface HopPlan {
  /** `user@host:port`, how results and messages name this hop. */
  label: string;
  /** The name as written (a Host alias, or the host itself). */
  alias: string;
  hostName: string;
  port: number;
  user: string;
  /** The name known_hosts is searched for. */
  hostKeyName: string;
  /** Absolute paths of the private keys to offer, in order. */
  identityFiles: string[];
  /** True when identityFiles are OpenSSH's defaults (~/.ssh/id_*): those that do not exist are skipped quietly. */
  defaultIdentities: boolean;
  agentSocket: string | null;
  knownHostsFiles: string[];
  pinnedFingerprint?: string;
  passphraseEnv?: string;
}

export interface ConnectionPlan {
  target: HopPlan;
  /** First hop first. */
  jumps: HopPlan[];
  /** For result.target.endpoint: `user@host:port`, plus ` via …` for jumps. */
  endpoint: string;
  connectTimeoutMs: number;
}

export interface PlanEnvironment {
  homeDir: string;
  localUser: string;
  /** Resolves `jump: NAME` to another ssh target of the targets file, where the caller can. */
  lookupTarget?: (name: string) => SshTarget | undefined;
}

/** The part of an SshTarget a hop is planned from (a jump written as user@host:port has only some of it). */
type HopSpec = Pick<SshTarget, 'host' | 'port' | 'user' | 'identityFile' | 'passphraseEnv' | 'agent' | 'knownHosts' | 'fingerprint'>;

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}


function planHop(
  spec: HopSpec,
  sshConfig: LoadedSshConfig | null,
  ctx: ExecutorContext,
  environment: PlanEnvironment,
  fallbackIdentities: { files: string[]; defaults: boolean } | null,
  hasExplicitJump: boolean,
): HopPlan {
  const where = `ssh target ${spec.host}`;
  const fromConfig = lookupSshConfig(sshConfig, spec.host);
  if (fromConfig.proxyCommand && !fromConfig.proxyJump && !hasExplicitJump) {
    throw new Error(`ssh config ${sshConfig?.file}: Host ${spec.host} uses ProxyCommand, which this console does not run; use ProxyJump (or the target's jump) instead`);
  }
  const hostName = fromConfig.hostName ? fromConfig.hostName.replace(/%(.)/g, (_, t: string) => (t === 'h' ? spec.host : t === '%' ? '%' : `%${t}`)) : spec.host;
  const port = spec.port ?? fromConfig.port ?? 22;
  const user = spec.user ?? fromConfig.user ?? environment.localUser;
  const tokens: PathTokens = { home: environment.homeDir, localUser: environment.localUser, host: hostName, alias: spec.host, user, port };
  const configWhere = `ssh config ${sshConfig?.file ?? ''} (Host ${spec.host})`;

  let identityFiles: string[];
  let defaultIdentities = false;
  if (spec.identityFile) {
    identityFiles = [path.resolve(ctx.baseDir, expandHome(spec.identityFile, environment.homeDir))];
  } else if (fromConfig.identityFiles.length > 0) {
    identityFiles = fromConfig.identityFiles.map((f) => expandConfigPath(f, tokens, ctx.baseDir, configWhere));
  } else if (fallbackIdentities) {
    identityFiles = fallbackIdentities.files;
    defaultIdentities = fallbackIdentities.defaults;
  } else {
    identityFiles = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(environment.homeDir, '.ssh', f));
    defaultIdentities = true;
  }

  let knownHostsFiles: string[];
  const globalKnownHosts = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
  if (spec.knownHosts !== undefined) {
    // Files the target names are the whole truth for it: nothing else is consulted.
    const files = Array.isArray(spec.knownHosts) ? spec.knownHosts : [spec.knownHosts];
    knownHostsFiles = files.map((f) => path.resolve(ctx.baseDir, expandHome(f, environment.homeDir)));
  } else if (fromConfig.userKnownHostsFiles.length > 0) {
    knownHostsFiles = [...fromConfig.userKnownHostsFiles.map((f) => expandConfigPath(f, tokens, ctx.baseDir, configWhere)), ...globalKnownHosts];
  } else {
    knownHostsFiles = [path.join(environment.homeDir, '.ssh', 'known_hosts'), path.join(environment.homeDir, '.ssh', 'known_hosts2'), ...globalKnownHosts];
  }

  let agentSocket: string | null;
  if (spec.agent === false) agentSocket = null;
  else if (typeof spec.agent === 'string') agentSocket = path.resolve(ctx.baseDir, expandHome(spec.agent, environment.homeDir));
  else if (spec.agent === true) {
    agentSocket = ctx.env.SSH_AUTH_SOCK || null;
    if (!agentSocket) throw new Error(`${where}: agent is true but SSH_AUTH_SOCK is not set`);
  } else if (fromConfig.identityAgent) {
    const value = fromConfig.identityAgent;
    if (value.toLowerCase() === 'none') agentSocket = null;
    else if (value === 'SSH_AUTH_SOCK') agentSocket = ctx.env.SSH_AUTH_SOCK || null;
    else agentSocket = expandConfigPath(value.replace(/^\$\{?SSH_AUTH_SOCK\}?$/, ctx.env.SSH_AUTH_SOCK ?? ''), tokens, ctx.baseDir, configWhere);
  } else {
    agentSocket = ctx.env.SSH_AUTH_SOCK || null;
  }

  const hop: HopPlan = {
    label: `${user}@${hostPort(hostName, port)}`,
    alias: spec.host,
    hostName,
    port,
    user,
    hostKeyName: fromConfig.hostKeyAlias ? fromConfig.hostKeyAlias.toLowerCase() : knownHostsName(hostName, port),
    identityFiles,
    defaultIdentities,
    agentSocket,
    knownHostsFiles,
  };
  if (spec.fingerprint) hop.pinnedFingerprint = spec.fingerprint;
  if (spec.passphraseEnv) hop.passphraseEnv = spec.passphraseEnv;
  return hop;
}

export function planConnection(config: SshTarget, ctx: ExecutorContext, environment: PlanEnvironment): ConnectionPlan {
  const sshConfigFile = config.sshConfig
    ? path.resolve(ctx.baseDir, expandHome(config.sshConfig, environment.homeDir))
    : path.join(environment.homeDir, '.ssh', 'config');
  const sshConfig = loadSshConfig(sshConfigFile, config.sshConfig !== undefined);
  const target = planHop(config, sshConfig, ctx, environment, null, config.jump !== undefined);

  const chain = config.jump ?? lookupSshConfig(sshConfig, config.host).proxyJump;
  const jumps: HopPlan[] = [];
  for (const spec of chain ? splitJumpChain(chain) : []) {
    // A bare name may be another target of the targets file; otherwise it is [user@]host[:port], which
    // ssh_config may further resolve (OpenSSH reads the config for each hop too).
    const named = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(spec) ? environment.lookupTarget?.(spec) : undefined;
    if (named) {
      jumps.push(planHop(named, sshConfig, ctx, environment, null, true));
      continue;
    }
    const { host, user, port } = parseDestination(spec);
    // A jump written inline inherits the target's trust anchors and credentials: same known_hosts files,
    // agent and passphrase source, and (unless ssh_config names keys for it) the target's keys.
    const hopSpec: HopSpec = { host, agent: config.agent, knownHosts: config.knownHosts, passphraseEnv: config.passphraseEnv };
    if (user) hopSpec.user = user;
    if (port) hopSpec.port = port;
    jumps.push(planHop(hopSpec, sshConfig, ctx, environment, { files: target.identityFiles, defaults: target.defaultIdentities }, true));
  }
  const endpoint = `${target.label}${jumps.length > 0 ? ` via ${jumps.map((j) => j.label).join(', ')}` : ''}`;
  return { target, jumps, endpoint, connectTimeoutMs: config.connectTimeout ? durationMs(config.connectTimeout) : DEFAULT_CONNECT_TIMEOUT_MS };
}
