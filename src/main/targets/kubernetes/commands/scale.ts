// kubectl scale TYPE NAME|TYPE/NAME --replicas=N [--current-replicas=M], through the scale subresource
// (deployments, replicasets, statefulsets, replicationcontrollers), as kubectl does.
import { type CommandEnv, type Loose, PATCH_TYPES, apiGet, apiPatch, namespaceOf, resolve } from '../command-env.js';
import { CommandFailed, NotNative, UsageError } from '../errors.js';
import { type FlagSpec, type ParsedArgs, lastValue } from '../kubectl-args.js';
import { qualifiedName, resourcePath } from '../resources.js';
import { objectRefs } from './refs.js';

export const SCALE_FLAGS: FlagSpec = {
  values: { replicas: 'replicas', 'current-replicas': 'current-replicas' },
};

const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);

function count(text: string | undefined, flagName: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid argument "${text}" for "--${flagName}": not a non-negative integer`);
  return Number(text);
}

export async function scale(env: CommandEnv, args: ParsedArgs): Promise<void> {
  const replicas = count(lastValue(args, 'replicas'), 'replicas');
  if (replicas === undefined) throw new UsageError('--replicas=COUNT is required');
  const expected = count(lastValue(args, 'current-replicas'), 'current-replicas');
  const namespace = namespaceOf(env, args);
  for (const ref of objectRefs(args.positionals, 'scale')) {
    const type = await resolve(env, ref.spelled);
    if (!SCALABLE.has(type.kind)) throw new NotNative(`scale of a ${type.kind}`);
    const path = resourcePath(type, namespace, ref.name, 'scale');
    if (expected !== undefined) {
      const current = await apiGet<Loose>(env, path);
      const actual = Number(current.spec?.replicas ?? 0);
      if (actual !== expected) throw new CommandFailed(`Expected replicas to be ${expected}, was ${actual}`);
    }
    await apiPatch(env, path, { spec: { replicas } }, PATCH_TYPES.merge);
    env.out.stdout(`${qualifiedName(type, ref.name)} scaled\n`);
  }
}
