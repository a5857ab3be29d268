// ~/.ssh/config (or the target's sshConfig file) as OpenSSH reads it for one host: Host aliases, HostName,
// User, Port, IdentityFile, ProxyJump, UserKnownHostsFile, HostKeyAlias, IdentityAgent — so a target can
// be just `{ kind: ssh, host: web-1 }` and connect where `ssh web-1` would.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { z } from 'zod';

export interface SshConfigHost {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  proxyJump?: string;
  proxyCommand?: string;
  userKnownHostsFiles: string[];
  hostKeyAlias?: string;
  identityAgent?: string;
}

export interface LoadedSshConfig {
  file: string;
  config: SSHConfig;
}

/** The config file's text is the operator's, but what ssh-config computes from it is checked before use. */
const ComputedSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

const PortSchema = z.coerce.number().int().min(1).max(65535);

/**
 * Reads and parses an ssh_config file. A missing default file (~/.ssh/config) is normal and gives null;
 * a file named by the target must exist.
 */
export function loadSshConfig(file: string, required: boolean): LoadedSshConfig | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ssh config ${file}: ${(error as Error).message}`);
  }
  try {
    return { file, config: SSHConfig.parse(text) };
  } catch (error) {
    throw new Error(`cannot parse ssh config ${file}: ${(error as Error).message}`);
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function all(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  // Multi-valued directives (UserKnownHostsFile a b) come as arrays; some versions give one spaced string.
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/\s+/)).filter((v) => v.length > 0);
}

/** What the config says for `alias`, first match winning per directive as in OpenSSH. */
export function lookupSshConfig(loaded: LoadedSshConfig | null, alias: string): SshConfigHost {
  if (!loaded) return { identityFiles: [], userKnownHostsFiles: [] };
  // matchExec: false — computing a lookup must not run `Match exec` commands from a config file.
  const raw = loaded.config.compute(alias, { ignoreCase: true, matchExec: false });
  const parsed = ComputedSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`ssh config ${loaded.file}: unexpected values for Host ${alias}: ${parsed.error.message}`);
  const values = parsed.data;
  const result: SshConfigHost = { identityFiles: all(values.identityfile), userKnownHostsFiles: all(values.userknownhostsfile) };
  const hostName = first(values.hostname);
  if (hostName) result.hostName = hostName;
  const user = first(values.user);
  if (user) result.user = user;
  const port = first(values.port);
  if (port !== undefined) {
    const checked = PortSchema.safeParse(port);
    if (!checked.success) throw new Error(`ssh config ${loaded.file}: Port for Host ${alias} is not a port number: "${port}"`);
    result.port = checked.data;
  }
  const proxyJump = first(values.proxyjump);
  if (proxyJump && proxyJump.toLowerCase() !== 'none') result.proxyJump = proxyJump;
  const proxyCommand = typeof values.proxycommand === 'string' ? values.proxycommand : values.proxycommand?.join(' ');
  if (proxyCommand && proxyCommand.toLowerCase() !== 'none') result.proxyCommand = proxyCommand;
  const hostKeyAlias = first(values.hostkeyalias);
  if (hostKeyAlias) result.hostKeyAlias = hostKeyAlias;
  const identityAgent = first(values.identityagent);
  if (identityAgent) result.identityAgent = identityAgent;
  return result;
}

export interface PathTokens {
  home: string;
  localUser: string;
  /** %h: the host name after HostName. */
  host: string;
  /** %n: the name as the target wrote it. */
  alias: string;
  /** %r: the remote user. */
  user: string;
  port: number;
}

/**
 * Expands `~` and the %-tokens OpenSSH allows in IdentityFile, UserKnownHostsFile and IdentityAgent
 * (%d %u %h %n %r %p %%), and makes a relative result absolute against `baseDir`. An unsupported token is
 * an error naming it rather than a path that silently points somewhere else.
 */
export function expandConfigPath(value: string, tokens: PathTokens, baseDir: string, where: string): string {
  let expanded = value.replace(/%(.)/g, (_, token: string) => {
    switch (token) {
      case '%':
        return '%';
      case 'd':
        return tokens.home;
      case 'u':
        return tokens.localUser;
      case 'h':
        return tokens.host;
      case 'n':
        return tokens.alias;
      case 'r':
        return tokens.user;
      case 'p':
        return String(tokens.port);
      default:
        throw new Error(`${where}: the token %${token} in "${value}" is not supported`);
    }
  });
  if (expanded === '~' || expanded.startsWith('~/')) expanded = path.join(tokens.home, expanded.slice(1));
  return path.resolve(baseDir, expanded);
}
