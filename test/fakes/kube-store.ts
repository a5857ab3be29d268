// The fake API server's objects: an in-memory store with resourceVersions, generations, uids, field
// ownership for server-side apply (409 on conflicts), validation (422), and a deployment controller that
// keeps ReplicaSet revisions and moves a rollout forward one phase per read of the deployment, so that a
// client polling `rollout status` sees it complete after a few polls without any clock involved.
import { createHash, randomUUID } from 'node:crypto';
import { type Json, type JsonObject, isObject, leafFields } from './kube-patch.js';

export interface ResourceDef {
  group: string;
  version: string;
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  subresources: string[];
}

const def = (group: string, version: string, resource: string, kind: string, namespaced: boolean, shortNames: string[] = [], subresources: string[] = []): ResourceDef => ({
  group,
  version,
  resource,
  singular: kind.toLowerCase(),
  kind,
  namespaced,
  shortNames,
  subresources,
});

export const RESOURCES: ResourceDef[] = [
  def('', 'v1', 'pods', 'Pod', true, ['po'], ['log', 'status']),
  def('', 'v1', 'services', 'Service', true, ['svc'], ['status']),
  def('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  def('', 'v1', 'namespaces', 'Namespace', false, ['ns'], ['status']),
  def('', 'v1', 'nodes', 'Node', false, ['no'], ['status']),
  def('apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], ['scale', 'status']),
  def('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs'], ['scale', 'status']),
  // A custom resource, reachable only through discovery.
  def('example.com', 'v1', 'widgets', 'Widget', true, ['wg']),
];

export function apiVersionOf(d: ResourceDef): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

export function groupResource(d: ResourceDef): string {
  return d.group ? `${d.resource}.${d.group}` : d.resource;
}

/** An error the API answers with a metav1.Status. */
export class ApiStatus extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toJSON(): JsonObject {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, details: this.details as JsonObject, code: this.code };
  }
}

export function notFound(d: ResourceDef, name: string): ApiStatus {
  return new ApiStatus(404, 'NotFound', `${groupResource(d)} "${name}" not found`, { name, group: d.group, kind: d.resource });
}

interface Entry {
  def: ResourceDef;
  obj: JsonObject;
  /** Leaf field → the field manager that last set it. */
  owners: Map<string, string>;
  /** Field manager → its last operation (Apply or Update), for managedFields. */
  managers: Map<string, { operation: string; time: string }>;
  /** Reads of a deployment since its spec last changed: the rollout phase. */
  reads: number;
}

export const REVISION = 'deployment.kubernetes.io/revision';
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ROLLOUT_DONE = 4;

const meta = (o: JsonObject): JsonObject => (isObject(o.metadata) ? o.metadata : (o.metadata = {}));
const clone = <T>(v: T): T => structuredClone(v);
/** Equality of JSON values regardless of key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

export function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export class KubeStore {
  private readonly entries = new Map<string, Entry>();
  private rv = 1000;
  /** Deployments whose rollout never gets past "0 out of N updated". */
  readonly stalled = new Set<string>();

  private key(d: ResourceDef, namespace: string | null, name: string): string {
    return `${groupResource(d)}|${d.namespaced ? namespace : ''}|${name}`;
  }

  private entry(d: ResourceDef, namespace: string | null, name: string): Entry | undefined {
    return this.entries.get(this.key(d, namespace, name));
  }

  /** The stored object (for assertions), without advancing any rollout. */
  peek(d: ResourceDef, namespace: string | null, name: string): JsonObject | undefined {
    const e = this.entry(d, namespace, name);
    return e ? clone(e.obj) : undefined;
  }

  /** A read by a client: a deployment's rollout moves one phase forward per read. */
  read(d: ResourceDef, namespace: string | null, name: string): JsonObject {
    const e = this.entry(d, namespace, name);
    if (!e) throw notFound(d, name);
    if (d.kind === 'Deployment') {
      this.observe(e);
      e.reads++;
    }
    return clone(e.obj);
  }

  list(d: ResourceDef, namespace: string | null): JsonObject[] {
    return [...this.entries.values()]
      .filter((e) => e.def === d && (!d.namespaced || namespace === null || meta(e.obj).namespace === namespace))
      .map((e) => {
        if (d.kind === 'Deployment') this.observe(e);
        return clone(e.obj);
      })
      .sort((a, b) => `${meta(a).namespace ?? ''}/${meta(a).name}`.localeCompare(`${meta(b).namespace ?? ''}/${meta(b).name}`));
  }

  exists(d: ResourceDef, namespace: string | null, name: string): boolean {
    return this.entry(d, namespace, name) !== undefined;
  }

  remove(d: ResourceDef, namespace: string | null, name: string): JsonObject {
    const key = this.key(d, namespace, name);
    const e = this.entries.get(key);
    if (!e) throw notFound(d, name);
    this.entries.delete(key);
    return e.obj;
  }

  /**
   * Writes `next` as the new state of the object (creating it when absent). `applied` is the applied
   * configuration of a server-side apply (conflicts are checked against it), null for other writes.
   */
  write(d: ResourceDef, namespace: string | null, name: string, next: JsonObject, opts: { manager: string; applied: JsonObject | null; force: boolean; dryRun: boolean }): JsonObject {
    const before = this.entry(d, namespace, name);
    const obj = clone(next);
    obj.apiVersion = apiVersionOf(d);
    obj.kind = d.kind;
    const m = meta(obj);
    m.name = name;
    if (d.namespaced) m.namespace = namespace;
    else delete m.namespace;
    if (d.namespaced && !this.exists(RESOURCES.find((r) => r.resource === 'namespaces') as ResourceDef, null, namespace as string)) {
      throw new ApiStatus(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
    }
    this.validate(d, obj);

    const owners = new Map(before?.owners ?? []);
    const managers = new Map(before?.managers ?? []);
    const applied = opts.applied;
    if (applied) {
      const live = before ? leafFields(stripIdentity(before.obj)) : new Map<string, string>();
      const conflicts: { field: string; owner: string }[] = [];
      for (const [field, value] of leafFields(stripIdentity(applied))) {
        const owner = owners.get(field);
        if (owner && owner !== opts.manager && live.has(field) && live.get(field) !== value) conflicts.push({ field, owner });
      }
      if (conflicts.length > 0 && !opts.force) {
        const list = conflicts.map((c) => `conflict with "${c.owner}" using ${apiVersionOf(d)}: ${c.field}`).join('\n');
        throw new ApiStatus(409, 'Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${list}`, { causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.owner}"`, field: c.field })) });
      }
      for (const field of leafFields(stripIdentity(applied)).keys()) owners.set(field, opts.manager);
    } else {
      const old = before ? leafFields(stripIdentity(before.obj)) : new Map<string, string>();
      for (const [field, value] of leafFields(stripIdentity(obj))) if (old.get(field) !== value) owners.set(field, opts.manager);
    }

    if (before) {
      const bm = meta(before.obj);
      m.uid = bm.uid as Json;
      m.creationTimestamp = bm.creationTimestamp as Json;
      m.generation = bm.generation as Json;
      m.resourceVersion = bm.resourceVersion as Json;
      m.managedFields = bm.managedFields as Json;
      if (isObject(before.obj.status) && !isObject(obj.status)) obj.status = clone(before.obj.status);
      // Nothing changed: the object keeps its resourceVersion, as on a real API server.
      if (same(obj, before.obj)) return clone(before.obj);
      if (!same(obj.spec, before.obj.spec)) m.generation = Number(bm.generation ?? 1) + 1;
    } else {
      m.uid = randomUUID();
      m.creationTimestamp = (m.creationTimestamp as string | undefined) ?? nowSeconds();
      m.generation = 1;
    }
    managers.set(opts.manager, { operation: applied ? 'Apply' : 'Update', time: nowSeconds() });
    m.managedFields = [...managers].map(([manager, info]) => ({ manager, operation: info.operation, apiVersion: apiVersionOf(d), time: info.time, fieldsType: 'FieldsV1', fieldsV1: {} }));
    m.resourceVersion = String(opts.dryRun ? this.rv + 1 : ++this.rv);
    if (opts.dryRun) return obj;

    const entry: Entry = { def: d, obj, owners, managers, reads: before && same(before.obj.spec, obj.spec) ? before.reads : 0 };
    this.entries.set(this.key(d, namespace, name), entry);
    if (d.kind === 'Deployment') this.deploymentController(entry, before ? clone(before.obj) : null);
    return clone(entry.obj);
  }

  /** Stores an object as it is given (a deployment as fully rolled out), owned by `manager`. */
  seed(d: ResourceDef, obj: JsonObject, manager: string): JsonObject {
    const m = meta(obj);
    const stored = this.write(d, d.namespaced ? String(m.namespace ?? 'default') : null, String(m.name), obj, { manager, applied: null, force: false, dryRun: false });
    const e = this.entry(d, d.namespaced ? String(m.namespace ?? 'default') : null, String(m.name)) as Entry;
    e.reads = ROLLOUT_DONE;
    if (d.kind === 'Deployment') this.observe(e);
    return d.kind === 'Deployment' ? clone(e.obj) : stored;
  }

  private validate(d: ResourceDef, obj: JsonObject): void {
    const name = String(meta(obj).name);
    const invalid = (field: string, detail: string) =>
      new ApiStatus(422, 'Invalid', `${d.kind}${d.group ? `.${d.group}` : ''} "${name}" is invalid: ${field}: ${detail}`, { name, group: d.group, kind: d.kind, causes: [{ reason: 'FieldValueInvalid', message: detail, field }] });
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      throw invalid('metadata.name', `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
    }
    if (d.kind !== 'Deployment') return;
    const spec = (isObject(obj.spec) ? obj.spec : {}) as JsonObject;
    const replicas = spec.replicas;
    if (replicas !== undefined && (typeof replicas !== 'number' || replicas < 0)) throw invalid('spec.replicas', `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
    const template = (isObject(spec.template) ? spec.template : {}) as JsonObject;
    const labels = (isObject(template.metadata) && isObject(template.metadata.labels) ? template.metadata.labels : {}) as JsonObject;
    const selector = (isObject(spec.selector) && isObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {}) as JsonObject;
    if (Object.keys(selector).length === 0) throw invalid('spec.selector', 'Required value');
    for (const [k, v] of Object.entries(selector)) {
      if (labels[k] !== v) throw invalid('spec.template.metadata.labels', `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``);
    }
    const containers = (isObject(template.spec) && Array.isArray(template.spec.containers) ? template.spec.containers : []) as JsonObject[];
    if (containers.length === 0) throw invalid('spec.template.spec.containers', 'Required value');
    containers.forEach((c, i) => {
      if (!c.name) throw invalid(`spec.template.spec.containers[${i}].name`, 'Required value');
      if (!c.image) throw invalid(`spec.template.spec.containers[${i}].image`, 'Required value');
    });
  }

  /** Revisions live on ReplicaSets: a template seen before gets its old ReplicaSet back, with a new revision. */
  private deploymentController(e: Entry, before: JsonObject | null): void {
    const spec = e.obj.spec as JsonObject;
    if (before && same((before.spec as JsonObject | undefined)?.template, spec.template)) return;
    const rsDef = RESOURCES.find((r) => r.resource === 'replicasets') as ResourceDef;
    const m = meta(e.obj);
    const namespace = String(m.namespace);
    const owned = [...this.entries.values()].filter((x) => x.def === rsDef && meta(x.obj).namespace === namespace && ((meta(x.obj).ownerReferences ?? []) as JsonObject[]).some((o) => o.uid === m.uid));
    const revisionOf = (x: Entry) => Number((meta(x.obj).annotations as JsonObject | undefined)?.[REVISION] ?? 0);
    const revision = Math.max(0, ...owned.map(revisionOf)) + 1;
    const template = clone(spec.template) as JsonObject;
    const hash = createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
    const existing = owned.find((x) => {
      const t = clone((x.obj.spec as JsonObject).template) as JsonObject;
      delete ((t.metadata as JsonObject).labels as JsonObject)['pod-template-hash'];
      return same(t, template);
    });
    for (const x of owned) (x.obj.spec as JsonObject).replicas = 0;
    if (existing) {
      ((meta(existing.obj).annotations ??= {}) as JsonObject)[REVISION] = String(revision);
      (existing.obj.spec as JsonObject).replicas = (spec.replicas ?? 1) as Json;
    } else {
      const labels = { ...(((template.metadata as JsonObject | undefined)?.labels ?? {}) as JsonObject), 'pod-template-hash': hash };
      const rsTemplate = { ...template, metadata: { ...((template.metadata ?? {}) as JsonObject), labels } };
      const rsName = `${m.name}-${hash}`;
      const rs: JsonObject = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: rsName,
          namespace,
          uid: randomUUID(),
          resourceVersion: String(++this.rv),
          creationTimestamp: nowSeconds(),
          generation: 1,
          labels,
          annotations: { [REVISION]: String(revision) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: m.name as string, uid: m.uid as string, controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas: (spec.replicas ?? 1) as Json, selector: { matchLabels: { ...(((spec.selector as JsonObject).matchLabels ?? {}) as JsonObject), 'pod-template-hash': hash } }, template: rsTemplate },
        status: { replicas: (spec.replicas ?? 1) as Json, readyReplicas: (spec.replicas ?? 1) as Json, availableReplicas: (spec.replicas ?? 1) as Json },
      };
      this.entries.set(this.key(rsDef, namespace, rsName), { def: rsDef, obj: rs, owners: new Map(), managers: new Map(), reads: 0 });
    }
    ((m.annotations ??= {}) as JsonObject)[REVISION] = String(revision);
  }

  /** Sets a deployment's status from its rollout phase: unobserved, 0 updated, old pending, not all available, done. */
  private observe(e: Entry): void {
    const m = meta(e.obj);
    const desired = Number((e.obj.spec as JsonObject).replicas ?? 1);
    const generation = Number(m.generation ?? 1);
    const key = `${m.namespace}/${m.name}`;
    const phase = this.stalled.has(key) ? 1 : desired === 0 ? Math.min(e.reads, 1) * ROLLOUT_DONE : Math.min(e.reads, ROLLOUT_DONE);
    const status: JsonObject = { observedGeneration: generation, replicas: desired, updatedReplicas: desired, readyReplicas: desired, availableReplicas: desired };
    if (phase === 0) status.observedGeneration = generation - 1;
    else if (phase === 1) status.updatedReplicas = 0;
    else if (phase === 2) status.replicas = desired + 1;
    else if (phase === 3) status.availableReplicas = status.readyReplicas = desired - 1;
    status.conditions = [
      { type: 'Available', status: phase >= ROLLOUT_DONE ? 'True' : 'False', reason: phase >= ROLLOUT_DONE ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable' },
      { type: 'Progressing', status: 'True', reason: phase >= ROLLOUT_DONE ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated' },
    ];
    e.obj.status = status;
  }
}

/** The fields SSA does not own: identity and status. */
function stripIdentity(obj: JsonObject): JsonObject {
  const copy = clone(obj);
  delete copy.apiVersion;
  delete copy.kind;
  delete copy.status;
  if (isObject(copy.metadata)) {
    const { labels, annotations } = copy.metadata;
    copy.metadata = { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
    if (Object.keys(copy.metadata).length === 0) delete copy.metadata;
  }
  return copy;
}
