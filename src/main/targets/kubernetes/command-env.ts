// What a natively run kubectl command works with: the API, bound to the block's stop signal; the resource
// resolver; where its output goes; the operator (for apply); and the block's notes.
import type { KubeClient } from './client.js';
import type { BlockControl } from './control.js';
import type { ParsedArgs } from './kubectl-args.js';
import { lastValue } from './kubectl-args.js';
import type { BoundCluster } from './kubeconfig.js';
import type { ResourceResolver, ResourceType } from './resources.js';
import type { ResultSet } from '../types.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  info(text: string): void;
}

/** An API object read loosely, field by field, each read with a fallback: the shapes vary by kind and version. */
export type Loose = Record<string, any>;

/** A JSON object as the API server sends it. */
export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown> & { name?: string; namespace?: string; resourceVersion?: string; uid?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
};

export interface KubeList {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
  items: KubeObject[];
}

export const PATCH_TYPES = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export const FIELD_MANAGER = 'runbook-console';

export interface CommandEnv {
  cluster: BoundCluster;
  /** e.g. "https://k8s:6443 context=prod ns=default user=admin", for prompts. */
  endpoint: string;
  client: KubeClient;
  resources: ResourceResolver;
  control: BlockControl;
  out: Output;
  notes: string[];
  /** Tables `get` printed, also kept as result sets (the console shows them as tables; expect.rows reads them). */
  resultSets: ResultSet[];
  /** Where relative file names (apply -f) are resolved. */
  baseDir: string;
  confirm(question: string): Promise<boolean>;
  /** Pause between polls of rollout status. */
  pollIntervalMs: number;
}

/** The namespace a line acts in: its own -n, else the target's. */
export function namespaceOf(env: CommandEnv, args: ParsedArgs): string {
  return lastValue(args, 'namespace') ?? env.cluster.namespace;
}

export function resolve(env: CommandEnv, word: string): Promise<ResourceType> {
  return env.resources.byName(word, env.control.signal);
}

export function apiGet<T>(env: CommandEnv, path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
  return env.client.json<T>('GET', path, { signal: env.control.signal, ...(query ? { query } : {}) });
}

export function apiPatch<T>(env: CommandEnv, path: string, body: unknown, contentType: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
  return env.client.json<T>('PATCH', path, { signal: env.control.signal, body, contentType, ...(query ? { query } : {}) });
}

export function apiDelete<T>(env: CommandEnv, path: string, body: unknown, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
  return env.client.json<T>('DELETE', path, { signal: env.control.signal, body, ...(query ? { query } : {}) });
}
