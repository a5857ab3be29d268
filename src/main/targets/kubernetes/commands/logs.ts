// kubectl logs POD [CONTAINER] | TYPE/NAME, with -c, --since, --since-time, --tail, --timestamps, -p and
// -f. A workload (deploy/web) logs one of its pods, as kubectl does. -f streams until the pod's log ends
// or the block is cancelled or times out; aborting the request closes the stream on the server.
import { type CommandEnv, type KubeList, type KubeObject, apiGet, namespaceOf, resolve } from '../command-env.js';
import { CommandFailed, NotNative, UsageError } from '../errors.js';
import { type FlagSpec, type ParsedArgs, flag, lastValue } from '../kubectl-args.js';
import { parseGoDuration } from '../go-duration.js';
import { PODS, qualifiedName, resourcePath } from '../resources.js';

export const LOGS_FLAGS: FlagSpec = {
  values: { c: 'container', container: 'container', since: 'since', 'since-time': 'since-time', tail: 'tail', 'limit-bytes': 'limit-bytes' },
  booleans: { f: 'follow', follow: 'follow', timestamps: 'timestamps', p: 'previous', previous: 'previous' },
};

/** The pod a workload's logs come from: a ready running one if there is one. */
async function podOf(env: CommandEnv, spelled: string, name: string, namespace: string): Promise<string> {
  const type = await resolve(env, spelled);
  if (type.resource === 'pods') return name;
  const owner = await apiGet<KubeObject>(env, resourcePath(type, namespace, name));
  const selector = ((owner.spec as Record<string, unknown> | undefined)?.selector ?? {}) as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  // Services select with a plain label map; workloads with matchLabels.
  const labels = type.kind === 'Service' ? (selector as Record<string, string>) : (selector.matchLabels ?? {});
  if (selector.matchExpressions?.length) throw new CommandFailed(`cannot pick a pod of ${qualifiedName(type, name)}: its selector uses matchExpressions`);
  const labelSelector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  if (!labelSelector) throw new CommandFailed(`cannot pick a pod of ${qualifiedName(type, name)}: it has no selector`);
  const pods = (await apiGet<KubeList>(env, resourcePath(PODS, namespace), { labelSelector })).items;
  const ready = (p: KubeObject) => {
    const status = p.status as { phase?: string; containerStatuses?: { ready?: boolean }[] } | undefined;
    return status?.phase === 'Running' && (status.containerStatuses ?? []).every((c) => c.ready) ? 0 : 1;
  };
  const chosen = [...pods].sort((a, b) => ready(a) - ready(b))[0];
  if (!chosen) throw new CommandFailed(`no pods found for ${qualifiedName(type, name)} (selector ${labelSelector})`);
  const podName = String(chosen.metadata?.name);
  if (pods.length > 1) env.out.stderr(`Found ${pods.length} pods, using pod/${podName}\n`);
  return podName;
}

export async function logs(env: CommandEnv, args: ParsedArgs): Promise<void> {
  if (args.positionals.length === 0) throw new NotNative('logs without a pod name (by selector)');
  if (args.positionals.length > 2) throw new UsageError(`expected POD or TYPE/NAME [CONTAINER], got ${args.positionals.length} arguments`);
  const [target, containerArg] = args.positionals as [string, string | undefined];
  const namespace = namespaceOf(env, args);
  const since = lastValue(args, 'since');
  const sinceTime = lastValue(args, 'since-time');
  if (since && sinceTime) throw new UsageError('at most one of --since-time or --since may be specified');
  const tail = lastValue(args, 'tail');
  if (tail !== undefined && !/^-?\d+$/.test(tail)) throw new UsageError(`invalid argument "${tail}" for "--tail": not a number`);
  const limitBytes = lastValue(args, 'limit-bytes');
  const container = lastValue(args, 'container') ?? containerArg;
  const query = {
    container,
    follow: flag(args, 'follow') || undefined,
    // --tail=-1 means all lines, as when it is not given.
    tailLines: tail !== undefined && Number(tail) >= 0 ? Number(tail) : undefined,
    sinceSeconds: since ? Math.max(1, Math.ceil(parseGoDuration(since, 'since') / 1000)) : undefined,
    sinceTime,
    timestamps: flag(args, 'timestamps') || undefined,
    previous: flag(args, 'previous') || undefined,
    limitBytes: limitBytes ? Number(limitBytes) : undefined,
  };

  const slash = target.indexOf('/');
  const pod = slash === -1 ? target : await podOf(env, target.slice(0, slash), target.slice(slash + 1), namespace);
  const body = await env.client.stream(resourcePath(PODS, namespace, pod, 'log'), { query, signal: env.control.signal });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await env.client.read(() => reader.read(), env.control.signal);
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text) env.out.stdout(text);
    }
  } finally {
    reader.releaseLock();
  }
  const rest = decoder.decode();
  if (rest) env.out.stdout(rest);
}
