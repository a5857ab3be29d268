// kubectl patch TYPE NAME|TYPE/NAME -p PATCH [--type strategic|merge|json]. The patch is JSON or YAML, as
// kubectl accepts; "(no change)" is reported when the object's resourceVersion did not move.
import { parse } from 'yaml';
import { type CommandEnv, type KubeObject, PATCH_TYPES, apiGet, apiPatch, namespaceOf, resolve } from '../command-env.js';
import { UsageError } from '../errors.js';
import { type FlagSpec, type ParsedArgs, lastValue } from '../kubectl-args.js';
import { qualifiedName, resourcePath } from '../resources.js';
import { objectRefs } from './refs.js';

export const PATCH_FLAGS: FlagSpec = {
  values: { p: 'patch', patch: 'patch', type: 'type' },
};

export async function patch(env: CommandEnv, args: ParsedArgs): Promise<void> {
  const text = lastValue(args, 'patch');
  if (text === undefined) throw new UsageError('must specify --patch or -p');
  const kind = (lastValue(args, 'type') ?? 'strategic') as keyof typeof PATCH_TYPES;
  if (kind !== 'strategic' && kind !== 'merge' && kind !== 'json') throw new UsageError(`--type must be one of [json merge strategic], not "${kind}"`);
  let body: unknown;
  try {
    body = parse(text);
  } catch (error) {
    throw new UsageError(`unable to parse "${text}": ${(error as Error).message}`);
  }
  if (kind === 'json' ? !Array.isArray(body) : typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new UsageError(kind === 'json' ? 'a json patch must be a list of operations' : `a ${kind} patch must be an object`);
  }
  const namespace = namespaceOf(env, args);
  for (const ref of objectRefs(args.positionals, 'patch')) {
    const type = await resolve(env, ref.spelled);
    const path = resourcePath(type, namespace, ref.name);
    const before = await apiGet<KubeObject>(env, path);
    const after = await apiPatch<KubeObject>(env, path, body, PATCH_TYPES[kind]);
    const same = before.metadata?.resourceVersion === after.metadata?.resourceVersion;
    env.out.stdout(`${qualifiedName(type, ref.name)} patched${same ? ' (no change)' : ''}\n`);
  }
}
