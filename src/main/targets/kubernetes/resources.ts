// Which API resource a kubectl word (pods, po, deploy, deployments.apps) or a manifest's apiVersion/kind
// means, and the URL path of its objects. The common built-in types are known here, which spares every
// executor the dozens of discovery round trips kubectl makes; anything else is looked up by discovery
// (/api/v1, /apis, /apis/GROUP/VERSION), once per executor.
import { CommandFailed } from './errors.js';

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural name as in URLs, e.g. deployments. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
}

const known = (group: string, version: string, resource: string, kind: string, namespaced: boolean, shortNames: string[] = []): ResourceType => ({
  group,
  version,
  resource,
  singular: kind.toLowerCase(),
  kind,
  namespaced,
  shortNames,
});

export const PODS = known('', 'v1', 'pods', 'Pod', true, ['po']);
export const DEPLOYMENTS = known('apps', 'v1', 'deployments', 'Deployment', true, ['deploy']);
export const REPLICASETS = known('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs']);

export const WELL_KNOWN: readonly ResourceType[] = [
  PODS,
  known('', 'v1', 'services', 'Service', true, ['svc']),
  known('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  known('', 'v1', 'secrets', 'Secret', true),
  known('', 'v1', 'namespaces', 'Namespace', false, ['ns']),
  known('', 'v1', 'nodes', 'Node', false, ['no']),
  known('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  known('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc']),
  known('', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv']),
  known('', 'v1', 'endpoints', 'Endpoints', true, ['ep']),
  known('', 'v1', 'events', 'Event', true, ['ev']),
  known('', 'v1', 'replicationcontrollers', 'ReplicationController', true, ['rc']),
  DEPLOYMENTS,
  REPLICASETS,
  known('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts']),
  known('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds']),
  known('batch', 'v1', 'jobs', 'Job', true),
  known('batch', 'v1', 'cronjobs', 'CronJob', true, ['cj']),
  known('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, ['ing']),
];

interface ApiResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  shortNames?: string[];
}
interface ApiResourceList {
  groupVersion?: string;
  resources?: ApiResource[];
}
interface ApiGroupList {
  groups?: { name: string; preferredVersion?: { groupVersion: string; version: string }; versions?: { version: string }[] }[];
}

/** GET a discovery document; the resolver does not care how. */
export type FetchDiscovery = <T>(path: string, signal: AbortSignal) => Promise<T>;

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function fromDiscovery(group: string, version: string, list: ApiResourceList): ResourceType[] {
  return (list.resources ?? [])
    .filter((r) => !r.name.includes('/')) // subresources (pods/log, deployments/scale)
    .map((r) => ({
      group,
      version,
      resource: r.name,
      singular: r.singularName || r.kind.toLowerCase(),
      kind: r.kind,
      namespaced: r.namespaced,
      shortNames: r.shortNames ?? [],
    }));
}

function matches(type: ResourceType, word: string): boolean {
  return type.resource === word || type.singular === word || type.kind.toLowerCase() === word || type.shortNames.includes(word);
}

export class ResourceResolver {
  private everything: Promise<ResourceType[]> | null = null;
  private readonly groupVersions = new Map<string, Promise<ResourceType[]>>();

  constructor(private readonly fetch: FetchDiscovery) {}

  /** kubectl's spellings: pods, pod, po, Pod, deployments.apps, deployment.v1.apps. */
  async byName(spelled: string, signal: AbortSignal): Promise<ResourceType> {
    const word = spelled.toLowerCase();
    const dot = word.indexOf('.');
    const name = dot === -1 ? word : word.slice(0, dot);
    const qualifier = dot === -1 ? null : word.slice(dot + 1);
    const fits = (t: ResourceType) =>
      matches(t, name) && (qualifier === null || t.group === qualifier || `${t.version}.${t.group}` === qualifier || (t.group === '' && qualifier === t.version));
    const builtIn = WELL_KNOWN.find(fits);
    if (builtIn) return builtIn;
    const found = (await this.discoverAll(signal)).find(fits);
    if (!found) throw new CommandFailed(`the server doesn't have a resource type "${spelled}"`);
    return found;
  }

  /** The resource of a manifest's apiVersion and kind. */
  async byKind(apiVersion: string, kind: string, signal: AbortSignal): Promise<ResourceType> {
    const { group, version } = splitApiVersion(apiVersion);
    const builtIn = WELL_KNOWN.find((t) => t.group === group && t.kind === kind);
    if (builtIn) return { ...builtIn, version };
    const found = (await this.discoverGroupVersion(group, version, signal)).find((t) => t.kind === kind);
    if (!found) throw new CommandFailed(`no matches for kind "${kind}" in version "${apiVersion}"`);
    return found;
  }

  private discoverGroupVersion(group: string, version: string, signal: AbortSignal): Promise<ResourceType[]> {
    const key = group ? `${group}/${version}` : version;
    let entry = this.groupVersions.get(key);
    if (!entry) {
      const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
      entry = this.fetch<ApiResourceList>(path, signal).then(
        (list) => fromDiscovery(group, version, list),
        (error: unknown) => {
          this.groupVersions.delete(key); // a failed lookup (a cancelled block) is tried again next time
          if ((error as { code?: number }).code === 404) return [];
          throw error;
        },
      );
      this.groupVersions.set(key, entry);
    }
    return entry;
  }

  private discoverAll(signal: AbortSignal): Promise<ResourceType[]> {
    this.everything ??= (async () => {
      const groups = await this.fetch<ApiGroupList>('/apis', signal);
      const lists = await Promise.all([
        this.discoverGroupVersion('', 'v1', signal),
        ...(groups.groups ?? []).map((g) => {
          const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
          return version ? this.discoverGroupVersion(g.name, version, signal) : Promise.resolve([]);
        }),
      ]);
      return lists.flat();
    })().catch((error: unknown) => {
      this.everything = null;
      throw error;
    });
    return this.everything;
  }
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** /api/v1/namespaces/NS/pods/NAME, /apis/apps/v1/deployments (all namespaces), /api/v1/nodes/NAME. */
export function resourcePath(type: ResourceType, namespace: string | null, name?: string, subresource?: string): string {
  const root = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  const ns = type.namespaced && namespace !== null ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const item = name === undefined ? '' : `/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  return `${root}${ns}/${type.resource}${item}`;
}

/** As kubectl names an object in its messages: deployment.apps/web, pod/web-1. */
export function qualifiedName(type: ResourceType, name: string): string {
  return `${type.kind.toLowerCase()}${type.group ? `.${type.group}` : ''}/${name}`;
}

/** As the API server names a resource in its messages: deployments.apps, pods. */
export function groupResource(type: ResourceType): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource;
}
