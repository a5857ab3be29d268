// Server-side apply with the operator in the loop: every object is first applied with dryRun=All, the
// difference between the live object and the dry-run result is shown (info stream), and only after the
// operator says yes is the same apply sent for real. A conflict with another field manager is not forced
// (unless the line says --force-conflicts): the API server's 409 is reported as the block's failure.
import { type CommandEnv, FIELD_MANAGER, type KubeObject, PATCH_TYPES, apiGet, apiPatch } from './command-env.js';
import { diffText, unifiedDiff } from './diff.js';
import { DECLINED, Declined, KubeApiError, UsageError } from './errors.js';
import type { ManifestObject } from './manifest.js';
import { type ResourceType, qualifiedName, resourcePath } from './resources.js';

export interface ApplyOptions {
  /** The line's -n: the namespace for objects that name none (and must agree with those that do). */
  namespace: string | null;
  forceConflicts: boolean;
}

type Change = 'created' | 'configured' | 'unchanged';

interface Planned {
  type: ResourceType;
  body: KubeObject;
  path: string;
  label: string;
  change: Change;
  added: number;
  removed: number;
}

async function readLive(env: CommandEnv, path: string): Promise<KubeObject | null> {
  try {
    return await apiGet<KubeObject>(env, path);
  } catch (error) {
    if (error instanceof KubeApiError && error.code === 404) return null;
    throw error;
  }
}

async function plan(env: CommandEnv, item: ManifestObject, options: ApplyOptions): Promise<{ type: ResourceType; body: KubeObject; path: string; label: string }> {
  const { object } = item;
  const type = await env.resources.byKind(object.apiVersion as string, object.kind as string, env.control.signal);
  const metadata = { ...(object.metadata ?? {}) };
  const name = metadata.name as string;
  let namespace: string | null = null;
  if (type.namespaced) {
    const own = typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : null;
    if (own && options.namespace && own !== options.namespace) {
      throw new UsageError(`the namespace from the provided object "${own}" does not match the namespace "${options.namespace}" (${item.source}); pass --namespace=${own} or remove it`);
    }
    namespace = own ?? options.namespace ?? env.cluster.namespace;
    metadata.namespace = namespace;
  } else delete metadata.namespace;
  const body = { ...object, metadata } as KubeObject;
  const label = `${qualifiedName(type, name)}${namespace ? ` (namespace ${namespace})` : ''}`;
  return { type, body, path: resourcePath(type, namespace, name), label };
}

function applyQuery(options: ApplyOptions, dryRun: boolean) {
  return { fieldManager: FIELD_MANAGER, force: options.forceConflicts, ...(dryRun ? { dryRun: 'All' } : {}) };
}

/** Dry-run, show, confirm, apply. Throws Declined when the operator says no. */
export async function applyObjects(env: CommandEnv, items: ManifestObject[], options: ApplyOptions): Promise<void> {
  if (items.length === 0) throw new UsageError('no objects to apply');
  const planned: Planned[] = [];
  for (const item of items) {
    const p = await plan(env, item, options);
    const live = await readLive(env, p.path);
    const dry = await apiPatch<KubeObject>(env, p.path, p.body, PATCH_TYPES.apply, applyQuery(options, true));
    const diff = unifiedDiff(diffText(live), diffText(dry), `live ${p.label}`, `dry-run ${p.label}`);
    const change: Change = live === null ? 'created' : diff.text ? 'configured' : 'unchanged';
    env.out.info(change === 'unchanged' ? `${p.label}: no changes\n` : diff.text);
    planned.push({ ...p, change, added: diff.added, removed: diff.removed });
  }
  const summary = planned.map((p) => `${p.label} ${p.change === 'unchanged' ? 'unchanged' : `would be ${p.change} (+${p.added} -${p.removed} lines)`}`).join('; ');
  env.notes.push(`server-side dry-run (field manager ${FIELD_MANAGER}): ${summary}`);
  const changing = planned.filter((p) => p.change !== 'unchanged');
  if (changing.length === 0) {
    for (const p of planned) env.out.stdout(`${qualifiedName(p.type, p.body.metadata?.name as string)} unchanged\n`);
    env.notes.push('nothing applied: the dry-run changes nothing');
    return;
  }
  const counts = (['created', 'configured'] as const).map((c) => `${changing.filter((p) => p.change === c).length} ${c}`).join(', ');
  const yes = await env.control.race(env.confirm(`Apply ${changing.length} change(s) to ${env.endpoint} (${counts})? ${changing.map((p) => p.label).join(', ')}`));
  if (!yes) {
    env.notes.push(DECLINED);
    throw new Declined();
  }
  const applied: string[] = [];
  for (const p of planned) {
    try {
      await apiPatch<KubeObject>(env, p.path, p.body, PATCH_TYPES.apply, applyQuery(options, false));
    } catch (error) {
      env.notes.push(applied.length > 0 ? `applied before the failure: ${applied.join(', ')}` : 'nothing was applied');
      throw error;
    }
    applied.push(p.label);
    env.out.stdout(`${qualifiedName(p.type, p.body.metadata?.name as string)} ${p.change === 'unchanged' ? 'unchanged' : p.change === 'created' ? 'created' : 'configured'}\n`);
  }
  env.notes.push(`applied: ${applied.join(', ')}`);
}
