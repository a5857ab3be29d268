// Finds and loads the kubeconfig a kubernetes target names, and pins the context the target runs in: the
// target's `context`, else the file's current-context. Everything a result reports about where a block ran
// (server, context, namespace, user, how the user authenticates) comes from here, and never a credential.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { type Cluster, type Context, KubeConfig, type User } from '@kubernetes/client-node';
import type { KubernetesTarget } from '../../../shared/targets.js';
import type { ExecutorContext } from '../types.js';

export class KubeconfigError extends Error {}

export interface BoundCluster {
  kc: KubeConfig;
  /** The kubeconfig files, in the order their entries take precedence. */
  files: string[];
  context: string;
  namespace: string;
  server: string;
  user: string;
  /** How the user authenticates, for the record: never the credential itself. */
  auth: string;
  skipTlsVerify: boolean;
}

function expandHome(file: string, home: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(home, file.slice(1)) : file;
}

/** The kubeconfig files in effect: the target's file, else $KUBECONFIG (a path list), else ~/.kube/config. */
export function kubeconfigFiles(config: KubernetesTarget, ctx: ExecutorContext): { files: string[]; origin: string } {
  const home = ctx.env.HOME || homedir();
  const resolve = (file: string) => path.resolve(ctx.baseDir, expandHome(file, home));
  if (config.kubeconfig) return { files: [resolve(config.kubeconfig)], origin: 'the target' };
  const list = (ctx.env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (list.length > 0) {
    // kubectl skips missing entries of $KUBECONFIG; it fails only when none exists.
    return { files: list.map(resolve).filter((file) => existsSync(file)), origin: `$KUBECONFIG (${list.join(path.delimiter)})` };
  }
  return { files: [path.join(home, '.kube', 'config')], origin: 'the default location' };
}

/** Loads the files as kubectl merges them: the first file to define a name wins, and its current-context. */
function load(files: string[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext: string | undefined;
  for (const file of files) {
    const one = new KubeConfig();
    try {
      one.loadFromFile(file); // also resolves the file's relative certificate paths against its directory
    } catch (error) {
      throw new KubeconfigError(`cannot read kubeconfig ${file}: ${(error as Error).message}`);
    }
    for (const c of one.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    currentContext ||= one.getCurrentContext() || undefined;
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext: currentContext ?? '' });
  return kc;
}

function describeAuth(user: User | null): string {
  if (!user) return 'none';
  if (user.exec) return `exec plugin ${String((user.exec as { command?: unknown }).command ?? '')}`.trim();
  if (user.authProvider) return `auth provider ${String((user.authProvider as { name?: unknown }).name ?? '')}`.trim();
  if (user.token) return 'bearer token';
  if (user.certFile || user.certData) return 'client certificate';
  if (user.username) return 'basic auth';
  return 'none';
}

export function bindCluster(config: KubernetesTarget, ctx: ExecutorContext): BoundCluster {
  const { files, origin } = kubeconfigFiles(config, ctx);
  if (files.length === 0) throw new KubeconfigError(`no kubeconfig file of ${origin} exists`);
  for (const file of files) {
    if (!existsSync(file)) throw new KubeconfigError(`kubeconfig ${file} (from ${origin}) does not exist`);
    if (!statSync(file).isFile()) throw new KubeconfigError(`kubeconfig ${file} (from ${origin}) is not a file`);
  }
  const kc = load(files);
  const contextName = config.context ?? kc.getCurrentContext();
  if (!contextName) throw new KubeconfigError(`${files.join(', ')} has no current-context; set "context" on the target`);
  const context = kc.getContextObject(contextName);
  if (!context) {
    const known = kc.getContexts().map((c) => c.name);
    throw new KubeconfigError(`context "${contextName}" is not in ${files.join(', ')} (contexts: ${known.length ? known.join(', ') : 'none'})`);
  }
  kc.setCurrentContext(contextName);
  const cluster = kc.getCluster(context.cluster);
  if (!cluster) throw new KubeconfigError(`context "${contextName}" names cluster "${context.cluster}", which is not in ${files.join(', ')}`);
  if (!cluster.server) throw new KubeconfigError(`cluster "${cluster.name}" has no server URL`);
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new KubeconfigError(`cluster "${cluster.name}" uses plain HTTP (${cluster.server}); only HTTPS is supported`);
  }
  const user = kc.getUser(context.user);
  return {
    kc,
    files,
    context: contextName,
    namespace: config.namespace ?? context.namespace ?? 'default',
    server: cluster.server,
    user: context.user,
    auth: describeAuth(user),
    skipTlsVerify: Boolean(cluster.skipTLSVerify),
  };
}

export function endpointOf(bound: BoundCluster): string {
  return `${bound.server} context=${bound.context} ns=${bound.namespace} user=${bound.user}`;
}

export function detailsOf(bound: BoundCluster): Record<string, string> {
  return {
    server: bound.server,
    context: bound.context,
    namespace: bound.namespace,
    user: bound.user,
    auth: bound.auth,
    kubeconfig: bound.files.join(path.delimiter),
  };
}
