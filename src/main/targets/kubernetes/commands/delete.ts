// kubectl delete TYPE NAME…|TYPE/NAME… [--ignore-not-found] [--grace-period=N]. Dependents are removed in
// the background, kubectl's default; the command does not wait for finalizers (--wait=false).
import { type CommandEnv, apiDelete, namespaceOf, resolve } from '../command-env.js';
import { KubeApiError, UsageError } from '../errors.js';
import { type FlagSpec, type ParsedArgs, flag, lastValue } from '../kubectl-args.js';
import { resourcePath } from '../resources.js';
import { objectRefs } from './refs.js';

export const DELETE_FLAGS: FlagSpec = {
  values: { 'grace-period': 'grace-period' },
  booleans: { 'ignore-not-found': 'ignore-not-found', wait: 'wait' },
};

export async function del(env: CommandEnv, args: ParsedArgs): Promise<void> {
  const grace = lastValue(args, 'grace-period');
  if (grace !== undefined && !/^-?\d+$/.test(grace)) throw new UsageError(`invalid argument "${grace}" for "--grace-period"`);
  const namespace = namespaceOf(env, args);
  const refs = objectRefs(args.positionals, 'delete');
  if (args.booleans.get('wait') === true) env.notes.push('delete does not wait for the objects to be gone (--wait is not run natively)');
  for (const ref of refs) {
    const type = await resolve(env, ref.spelled);
    // kubectl: --grace-period=-1 means the object's default; 0 with --force means immediately.
    const gracePeriodSeconds = grace !== undefined && Number(grace) >= 0 ? Number(grace) : undefined;
    try {
      await apiDelete(env, resourcePath(type, namespace, ref.name), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}) });
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404 && flag(args, 'ignore-not-found')) continue;
      throw error;
    }
    const group = type.group ? `.${type.group}` : '';
    env.out.stdout(`${type.kind.toLowerCase()}${group} "${ref.name}" deleted\n`);
  }
}
