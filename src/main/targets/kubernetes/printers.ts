// How `kubectl get` shows objects: JSON (4-space, as kubectl), YAML (sequences not indented, as kubectl),
// NAME lines, and tables with kubectl's default columns for the common kinds (NAME … AGE) and NAME/AGE
// for anything else.
import { stringify } from 'yaml';
import type { KubeObject, Loose } from './command-env.js';
import { type ResourceType, qualifiedName } from './resources.js';

/** kubectl's HumanDuration: 45s, 3m20s, 12m, 5h30m, 20h, 3d4h, 40d, 2y3d. */
export function humanAge(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (years < 8) return `${years}y${Math.floor(hours / 24) % 365}d`;
  return `${years}y`;
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}

export function toYaml(value: unknown): string {
  return stringify(value, { indentSeq: false, lineWidth: 0 });
}

/** Columns padded as kubectl's tabwriter does (three spaces between columns, no trailing padding). */
export function renderTable(columns: string[], rows: string[][], headers = true): string {
  const all = headers ? [columns, ...rows] : rows;
  const widths = columns.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd()).join('\n') + '\n';
}

export interface TableOptions {
  wide: boolean;
  allNamespaces: boolean;
  /** Several kinds in one get: names are written kind/name, as kubectl does. */
  kindPrefix: boolean;
  now: number;
}

export interface Table {
  columns: string[];
  rows: string[][];
}

type Any = Loose;

const none = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));

function age(obj: KubeObject, now: number): string {
  const created = Date.parse(String(obj.metadata?.creationTimestamp ?? ''));
  return Number.isNaN(created) ? '<unknown>' : humanAge(now - created);
}

function selectorText(selector: Any | undefined): string {
  const labels = Object.entries((selector?.matchLabels ?? selector ?? {}) as Record<string, string>).filter(([, v]) => typeof v === 'string');
  return labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

function containersOf(podSpec: Any | undefined): [string, string] {
  const containers = (podSpec?.containers ?? []) as Any[];
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image).join(',')];
}

function podStatus(pod: Any): string {
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
  for (const cs of (pod.status?.containerStatuses ?? []) as Any[]) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated?.reason && !cs.ready) reason = cs.state.terminated.reason;
  }
  if (pod.metadata?.deletionTimestamp) reason = 'Terminating';
  return reason;
}

function servicePorts(svc: Any): string {
  const ports = (svc.spec?.ports ?? []) as Any[];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function externalIp(svc: Any): string {
  const ingress = ((svc.status?.loadBalancer?.ingress ?? []) as Any[]).map((i) => i.ip ?? i.hostname).filter(Boolean);
  const external = [...((svc.spec?.externalIPs ?? []) as string[]), ...ingress];
  if (external.length) return external.join(',');
  return svc.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>';
}

function nodeStatus(node: Any): string {
  const ready = ((node.status?.conditions ?? []) as Any[]).find((c) => c.type === 'Ready');
  const state = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable ? `${state},SchedulingDisabled` : state;
}

function nodeRoles(node: Any): string {
  const roles = Object.keys((node.metadata?.labels ?? {}) as Record<string, string>)
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length ? roles.sort().join(',') : '<none>';
}

interface Columns {
  head: string[];
  wide: string[];
  cells(o: Any, now: number): string[];
  wideCells(o: Any): string[];
}

const BY_KIND: Record<string, Columns> = {
  Pod: {
    head: ['READY', 'STATUS', 'RESTARTS', 'AGE'],
    wide: ['IP', 'NODE'],
    cells: (p, now) => {
      const statuses = (p.status?.containerStatuses ?? []) as Any[];
      const total = ((p.spec?.containers ?? []) as Any[]).length;
      const ready = statuses.filter((c) => c.ready).length;
      const restarts = statuses.reduce((sum, c) => sum + Number(c.restartCount ?? 0), 0);
      return [`${ready}/${total}`, podStatus(p), String(restarts), age(p, now)];
    },
    wideCells: (p) => [none(p.status?.podIP), none(p.spec?.nodeName)],
  },
  Deployment: {
    head: ['READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: (d, now) => [`${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, String(d.status?.updatedReplicas ?? 0), String(d.status?.availableReplicas ?? 0), age(d, now)],
    wideCells: (d) => [...containersOf(d.spec?.template?.spec), selectorText(d.spec?.selector)],
  },
  ReplicaSet: {
    head: ['DESIRED', 'CURRENT', 'READY', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: (r, now) => [String(r.spec?.replicas ?? 1), String(r.status?.replicas ?? 0), String(r.status?.readyReplicas ?? 0), age(r, now)],
    wideCells: (r) => [...containersOf(r.spec?.template?.spec), selectorText(r.spec?.selector)],
  },
  Service: {
    head: ['TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
    wide: ['SELECTOR'],
    cells: (s, now) => [s.spec?.type ?? 'ClusterIP', none(s.spec?.clusterIP), externalIp(s), servicePorts(s), age(s, now)],
    wideCells: (s) => [selectorText(s.spec?.selector)],
  },
  Node: {
    head: ['STATUS', 'ROLES', 'AGE', 'VERSION'],
    wide: ['INTERNAL-IP', 'OS-IMAGE', 'CONTAINER-RUNTIME'],
    cells: (n, now) => [nodeStatus(n), nodeRoles(n), age(n, now), none(n.status?.nodeInfo?.kubeletVersion)],
    wideCells: (n) => [
      none(((n.status?.addresses ?? []) as Any[]).find((a) => a.type === 'InternalIP')?.address),
      none(n.status?.nodeInfo?.osImage),
      none(n.status?.nodeInfo?.containerRuntimeVersion),
    ],
  },
  Namespace: {
    head: ['STATUS', 'AGE'],
    wide: [],
    cells: (n, now) => [n.status?.phase ?? 'Active', age(n, now)],
    wideCells: () => [],
  },
  ConfigMap: {
    head: ['DATA', 'AGE'],
    wide: [],
    cells: (c, now) => [String(Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length), age(c, now)],
    wideCells: () => [],
  },
  Secret: {
    head: ['TYPE', 'DATA', 'AGE'],
    wide: [],
    cells: (s, now) => [s.type ?? 'Opaque', String(Object.keys(s.data ?? {}).length), age(s, now)],
    wideCells: () => [],
  },
};

const GENERIC: Columns = { head: ['AGE'], wide: [], cells: (o, now) => [age(o, now)], wideCells: () => [] };

export function tableFor(type: ResourceType, objects: KubeObject[], options: TableOptions): Table {
  const spec = BY_KIND[type.kind] ?? GENERIC;
  const columns = [...(options.allNamespaces && type.namespaced ? ['NAMESPACE'] : []), 'NAME', ...spec.head, ...(options.wide ? spec.wide : [])];
  const rows = objects.map((o) => {
    const name = String(o.metadata?.name ?? '');
    return [
      ...(options.allNamespaces && type.namespaced ? [String(o.metadata?.namespace ?? '')] : []),
      options.kindPrefix ? qualifiedName(type, name) : name,
      ...spec.cells(o, options.now),
      ...(options.wide ? spec.wideCells(o) : []),
    ];
  });
  return { columns, rows };
}
