// kubectl rollout status|restart|undo|history for deployments (restart also for statefulsets and
// daemonsets). status polls the deployment, printing kubectl's progress messages as they change, until the
// rollout has completed (observedGeneration ≥ generation, updated and available replicas = desired), its
// progress deadline passed, its --timeout ran out, or the block is stopped.
import { type CommandEnv, type KubeList, type Loose, PATCH_TYPES, apiGet, apiPatch, namespaceOf, resolve } from '../command-env.js';
import { CommandFailed, NotNative, UsageError } from '../errors.js';
import { type FlagSpec, type ParsedArgs, lastValue } from '../kubectl-args.js';
import { parseGoDuration } from '../go-duration.js';
import { renderTable, toYaml } from '../printers.js';
import { REPLICASETS, type ResourceType, groupResource, qualifiedName, resourcePath } from '../resources.js';
import { objectRefs } from './refs.js';

export const ROLLOUT_FLAGS: FlagSpec = {
  values: { timeout: 'timeout', 'to-revision': 'to-revision', revision: 'revision' },
  booleans: { w: 'watch', watch: 'watch' },
};

const REVISION = 'deployment.kubernetes.io/revision';
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

type Any = Loose;

interface Target {
  type: ResourceType;
  name: string;
  namespace: string;
  path: string;
}

async function targets(env: CommandEnv, args: ParsedArgs, sub: string, kinds: string[]): Promise<Target[]> {
  const namespace = namespaceOf(env, args);
  const refs = objectRefs(args.positionals.slice(1), `rollout ${sub}`);
  const resolved: Target[] = [];
  for (const ref of refs) {
    const type = await resolve(env, ref.spelled);
    if (!kinds.includes(type.kind)) throw new NotNative(`rollout ${sub} of a ${type.kind}`);
    resolved.push({ type, name: ref.name, namespace, path: resourcePath(type, namespace, ref.name) });
  }
  return resolved;
}

/** kubectl's DeploymentStatusViewer: a message, and whether the rollout is done. */
export function deploymentStatus(d: Any): { message: string; done: boolean } {
  const name = d.metadata?.name;
  const generation = Number(d.metadata?.generation ?? 0);
  const status = d.status ?? {};
  if (generation > Number(status.observedGeneration ?? 0)) return { message: 'Waiting for deployment spec update to be observed...', done: false };
  const progressing = ((status.conditions ?? []) as Any[]).find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') throw new CommandFailed(`deployment "${name}" exceeded its progress deadline`);
  const desired = Number(d.spec?.replicas ?? 1);
  const updated = Number(status.updatedReplicas ?? 0);
  const current = Number(status.replicas ?? 0);
  const available = Number(status.availableReplicas ?? 0);
  if (updated < desired) return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${desired} new replicas have been updated...`, done: false };
  if (current > updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${current - updated} old replicas are pending termination...`, done: false };
  if (available < updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`, done: false };
  return { message: `deployment "${name}" successfully rolled out`, done: true };
}

async function status(env: CommandEnv, args: ParsedArgs): Promise<void> {
  const [target, ...more] = await targets(env, args, 'status', ['Deployment']);
  if (!target || more.length > 0) throw new UsageError('rollout status takes exactly one deployment');
  const timeout = lastValue(args, 'timeout');
  const limitMs = timeout ? parseGoDuration(timeout, 'timeout') : 0;
  const watch = args.booleans.get('watch') ?? true;
  const deadline = limitMs > 0 ? Date.now() + limitMs : Infinity;
  let last = '';
  let polls = 0;
  for (;;) {
    const deployment = await apiGet<Any>(env, target.path);
    polls++;
    const { message, done } = deploymentStatus(deployment);
    if (message !== last) env.out.stdout(`${message}\n`);
    last = message;
    if (done || !watch) break;
    const left = deadline - Date.now();
    if (left <= 0) throw new CommandFailed(`timed out waiting for the condition (rollout status --timeout=${timeout})`);
    await env.control.sleep(Math.min(env.pollIntervalMs, left));
  }
  env.notes.push(`rollout status of ${qualifiedName(target.type, target.name)}: ${last} (${polls} poll${polls === 1 ? '' : 's'})`);
}

async function restart(env: CommandEnv, args: ParsedArgs): Promise<void> {
  const list = await targets(env, args, 'restart', ['Deployment', 'StatefulSet', 'DaemonSet']);
  for (const t of list) {
    const current = await apiGet<Any>(env, t.path);
    if (current.spec?.paused) throw new CommandFailed(`${groupResource(t.type)} "${t.name}" can't restart paused ${t.type.kind.toLowerCase()} (run rollout resume first)`);
    const restartedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } };
    await apiPatch(env, t.path, patch, PATCH_TYPES.strategic);
    env.out.stdout(`${qualifiedName(t.type, t.name)} restarted\n`);
  }
}

/** The ReplicaSets a deployment owns, oldest revision first. */
async function revisionsOf(env: CommandEnv, t: Target, deployment: Any): Promise<{ revision: number; rs: Any }[]> {
  const labels = Object.entries((deployment.spec?.selector?.matchLabels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
  const list = await apiGet<KubeList>(env, resourcePath(REPLICASETS, t.namespace), labels ? { labelSelector: labels } : undefined);
  return (list.items as Any[])
    .filter((rs) => ((rs.metadata?.ownerReferences ?? []) as Any[]).some((o) => o.uid === deployment.metadata?.uid))
    .map((rs) => ({ revision: Number(rs.metadata?.annotations?.[REVISION] ?? 0), rs }))
    .sort((a, b) => a.revision - b.revision);
}

/** A ReplicaSet's pod template as the deployment would carry it: without the pod-template-hash label. */
function templateOf(rs: Any): Any {
  const template = structuredClone(rs.spec?.template ?? {}) as Any;
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  return template;
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Any).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

async function history(env: CommandEnv, args: ParsedArgs): Promise<void> {
  const list = await targets(env, args, 'history', ['Deployment']);
  const wanted = lastValue(args, 'revision');
  for (const t of list) {
    const deployment = await apiGet<Any>(env, t.path);
    const revisions = await revisionsOf(env, t, deployment);
    if (wanted && Number(wanted) > 0) {
      const found = revisions.find((r) => r.revision === Number(wanted));
      if (!found) throw new CommandFailed(`unable to find the specified revision ${wanted}`);
      env.out.stdout(`${qualifiedName(t.type, t.name)} with revision #${wanted}\nPod Template:\n${toYaml(templateOf(found.rs)).replace(/^/gm, '  ')}`);
      continue;
    }
    const rows = revisions.map((r) => [String(r.revision), String(r.rs.metadata?.annotations?.['kubernetes.io/change-cause'] ?? '<none>')]);
    env.out.stdout(`${qualifiedName(t.type, t.name)} \n${renderTable(['REVISION', 'CHANGE-CAUSE'], rows)}\n`);
  }
}

async function undo(env: CommandEnv, args: ParsedArgs): Promise<void> {
  const list = await targets(env, args, 'undo', ['Deployment']);
  const toRevision = Number(lastValue(args, 'to-revision') ?? 0);
  if (!Number.isInteger(toRevision) || toRevision < 0) throw new UsageError(`--to-revision must be a revision number, not "${lastValue(args, 'to-revision')}"`);
  for (const t of list) {
    const deployment = await apiGet<Any>(env, t.path);
    if (deployment.spec?.paused) throw new CommandFailed(`you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume ${qualifiedName(t.type, t.name)}' and try again`);
    const revisions = await revisionsOf(env, t, deployment);
    if (revisions.length === 0) throw new CommandFailed(`no rollout history found for deployment "${t.name}"`);
    const current = Math.max(...revisions.map((r) => r.revision));
    const target = toRevision > 0 ? revisions.find((r) => r.revision === toRevision) : revisions.filter((r) => r.revision < current).at(-1);
    if (!target) throw new CommandFailed(toRevision > 0 ? `unable to find specified revision ${toRevision} in history` : `no previous revision of deployment "${t.name}" to roll back to`);
    const template = templateOf(target.rs);
    if (stable(template) === stable(deployment.spec?.template)) {
      env.out.stdout(`${qualifiedName(t.type, t.name)} skipped rollback (current template already matches revision ${target.revision})\n`);
      continue;
    }
    // The test op makes the patch fail (409/422) rather than overwrite a change made since we read it.
    const patch = [
      { op: 'test', path: '/metadata/resourceVersion', value: deployment.metadata?.resourceVersion },
      { op: 'replace', path: '/spec/template', value: template },
    ];
    await apiPatch(env, t.path, patch, PATCH_TYPES.json);
    env.out.stdout(`${qualifiedName(t.type, t.name)} rolled back\n`);
    env.notes.push(`rolled ${qualifiedName(t.type, t.name)} back to the template of revision ${target.revision}`);
  }
}

export async function rollout(env: CommandEnv, args: ParsedArgs): Promise<void> {
  const sub = args.positionals[0];
  switch (sub) {
    case 'status':
      return status(env, args);
    case 'restart':
      return restart(env, args);
    case 'history':
      return history(env, args);
    case 'undo':
      return undo(env, args);
    default:
      throw new NotNative(`rollout ${sub ?? '(no subcommand)'}`);
  }
}
