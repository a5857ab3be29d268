// A fake Kubernetes API server for tests (never shipped): HTTPS on 127.0.0.1 with a certificate from a
// throwaway CA, bearer-token authentication, discovery (/api, /apis, resource lists), and GET/LIST/PATCH
// (server-side apply, strategic merge, JSON merge, JSON patch)/DELETE on pods, services, configmaps,
// namespaces, nodes, deployments, replicasets and a custom resource, with dryRun=All, pods/log (follow
// streams until the test ends it or the client goes away), deployments/scale, and metav1.Status errors
// (401, 404, 409, 415, 422) shaped as a real API server's. It records every request, and can hold a
// request unanswered so a test can watch the client give up on it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { type Json, type JsonObject, PatchError, isObject, jsonMergePatch, jsonPatch, strategicMergePatch } from './kube-patch.js';
import { ApiStatus, KubeStore, RESOURCES, type ResourceDef, apiVersionOf, notFound } from './kube-store.js';
import { makeServerTls } from './tls.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | null;
  body: string;
}

export interface Hold {
  /** Resolves when a matching request has arrived (and is being held). */
  arrived: Promise<void>;
  /** Resolves when the client closed the held request's connection. */
  closed: Promise<void>;
}

interface LogStream {
  lines: { at: number; text: string }[];
  followers: Set<ServerResponse>;
  ended: boolean;
}

export interface KubeconfigOptions {
  file?: string;
  token?: string;
  /** The CA file as written in the kubeconfig (relative paths are relative to the kubeconfig's directory). */
  caFile?: string;
  namespace?: string;
  currentContext?: string;
}

export interface FakeKubeApi {
  url: string;
  token: string;
  /** Temporary directory holding the CA, the server's certificate and written kubeconfigs. */
  dir: string;
  caFile: string;
  requests: RecordedRequest[];
  store: KubeStore;
  /** Stores an object directly (a deployment as fully rolled out), owned by `manager`. */
  seed(obj: JsonObject, manager?: string): JsonObject;
  /** The stored object, for assertions (reading it does not advance a rollout). */
  object(resource: string, namespace: string | null, name: string): JsonObject | undefined;
  setLogs(namespace: string, pod: string, container: string, lines: string[]): void;
  appendLog(namespace: string, pod: string, container: string, line: string): void;
  endLogs(namespace: string, pod: string, container: string): void;
  /** Open `logs -f` responses. */
  readonly followers: number;
  /** Cuts the connections of open `logs -f` responses, as an API server going away would. */
  dropFollowers(): void;
  /** Holds the next request that matches, unanswered. */
  hold(match: (request: RecordedRequest) => boolean): Hold;
  /** Writes a kubeconfig for this server; returns its path. */
  kubeconfig(options?: KubeconfigOptions): string;
  close(): Promise<void>;
}

const TOKEN = 'fake-token-0123456789abcdef';

function resourceDef(resource: string): ResourceDef {
  const d = RESOURCES.find((r) => r.resource === resource);
  if (!d) throw new Error(`the fake has no resource ${resource}`);
  return d;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendStatus(res: ServerResponse, error: ApiStatus): void {
  send(res, error.code, error.toJSON());
}

/** Equality-based label selectors: k=v, k==v, k!=v, k, !k. */
function matchesLabels(obj: JsonObject, selector: string | null): boolean {
  if (!selector) return true;
  const labels = ((obj.metadata as JsonObject | undefined)?.labels ?? {}) as Record<string, string>;
  return selector.split(',').every((term) => {
    const t = term.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([^!=]+)!=(.*)$/.exec(t))) return labels[m[1] as string] !== m[2];
    if ((m = /^([^!=]+)==?(.*)$/.exec(t))) return labels[m[1] as string] === m[2];
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    return t in labels;
  });
}

/** Field selectors on dotted paths: metadata.name=x, status.phase!=Running. */
function matchesFields(obj: JsonObject, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term.trim());
    if (!m) return false;
    const value = (m[1] as string).split('.').reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), obj);
    return m[2] === '!=' ? String(value ?? '') !== m[3] : String(value ?? '') === m[3];
  });
}

function resourceList(group: string, version: string): JsonObject {
  const defs = RESOURCES.filter((d) => d.group === group && d.version === version);
  const resources: JsonObject[] = [];
  for (const d of defs) {
    resources.push({ name: d.resource, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'list', 'patch', 'delete'], ...(d.shortNames.length ? { shortNames: d.shortNames } : {}) });
    for (const sub of d.subresources) resources.push({ name: `${d.resource}/${sub}`, singularName: '', namespaced: d.namespaced, kind: sub === 'scale' ? 'Scale' : d.kind, verbs: ['get', 'patch'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function groupList(): JsonObject {
  const groups = [...new Set(RESOURCES.filter((d) => d.group).map((d) => `${d.group}/${d.version}`))].map((gv) => {
    const [name, version] = gv.split('/') as [string, string];
    return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export async function startKubeApi(): Promise<FakeKubeApi> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-kube-'));
  const tls = makeServerTls(dir);
  const store = new KubeStore();
  const requests: RecordedRequest[] = [];
  const logs = new Map<string, LogStream>();
  const holds: { match: (r: RecordedRequest) => boolean; arrive: () => void; close: () => void; taken: boolean }[] = [];
  const held = new Set<ServerResponse>();

  const logStream = (namespace: string, pod: string, container: string): LogStream => {
    const key = `${namespace}/${pod}/${container}`;
    let stream = logs.get(key);
    if (!stream) logs.set(key, (stream = { lines: [], followers: new Set(), ended: false }));
    return stream;
  };

  function serveLogs(res: ServerResponse, namespace: string, name: string, query: URLSearchParams): void {
    const pod = store.peek(resourceDef('pods'), namespace, name);
    if (!pod) throw notFound(resourceDef('pods'), name);
    const containers = (((pod.spec as JsonObject | undefined)?.containers ?? []) as JsonObject[]).map((c) => String(c.name));
    const container = query.get('container') ?? (containers.length === 1 ? containers[0] : null);
    if (!container) throw new ApiStatus(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
    if (!containers.includes(container)) throw new ApiStatus(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    const stream = logStream(namespace, name, container);
    const since = query.get('sinceSeconds');
    const tail = query.get('tailLines');
    const timestamps = query.get('timestamps') === 'true';
    let lines = stream.lines.filter((l) => !since || l.at >= Date.now() - Number(since) * 1000);
    if (tail !== null) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
    const format = (l: { at: number; text: string }) => `${timestamps ? `${new Date(l.at).toISOString()} ` : ''}${l.text}\n`;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write(lines.map(format).join(''));
    if (query.get('follow') === 'true' && !stream.ended) {
      stream.followers.add(res);
      res.on('close', () => stream.followers.delete(res));
      (res as ServerResponse & { formatLine?: typeof format }).formatLine = format;
    } else res.end();
  }

  function scaleOf(deployment: JsonObject): JsonObject {
    const m = deployment.metadata as JsonObject;
    const spec = deployment.spec as JsonObject;
    const status = (deployment.status ?? {}) as JsonObject;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: m.name as Json, namespace: m.namespace as Json, uid: m.uid as Json, resourceVersion: m.resourceVersion as Json, creationTimestamp: m.creationTimestamp as Json },
      spec: { replicas: (spec.replicas ?? 1) as Json },
      status: { replicas: (status.replicas ?? 0) as Json, selector: Object.entries(((spec.selector as JsonObject)?.matchLabels ?? {}) as JsonObject).map(([k, v]) => `${k}=${v}`).join(',') },
    };
  }

  function parsePatch(contentType: string, body: string): Json {
    try {
      return contentType === 'application/apply-patch+yaml' ? (parseYaml(body) as Json) : (JSON.parse(body) as Json);
    } catch (error) {
      throw new ApiStatus(400, 'BadRequest', `error decoding patch: ${(error as Error).message}`);
    }
  }

  function patched(d: ResourceDef, current: JsonObject | undefined, name: string, contentType: string, patch: Json): { next: JsonObject; applied: JsonObject | null } {
    try {
      switch (contentType) {
        case 'application/apply-patch+yaml':
          if (!isObject(patch)) throw new ApiStatus(400, 'BadRequest', 'apply patch must be an object');
          return { next: strategicMergePatch(current ?? {}, patch) as JsonObject, applied: patch };
        case 'application/strategic-merge-patch+json':
        case 'application/merge-patch+json':
        case 'application/json-patch+json': {
          if (!current) throw notFound(d, name);
          const next = contentType === 'application/json-patch+json' ? jsonPatch(current, patch) : contentType === 'application/merge-patch+json' ? jsonMergePatch(current, patch) : strategicMergePatch(current, patch);
          if (!isObject(next)) throw new ApiStatus(422, 'Invalid', 'the patch does not leave an object');
          return { next, applied: null };
        }
        default:
          throw new ApiStatus(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
      }
    } catch (error) {
      if (error instanceof PatchError) throw new ApiStatus(422, 'Invalid', `the server rejected our request due to an error in our request: ${error.message}`);
      throw error;
    }
  }

  function handleResource(req: RecordedRequest, res: ServerResponse, group: string, version: string, segments: string[]): void {
    let namespace: string | null = null;
    let rest = segments;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1] as string;
      rest = rest.slice(2);
    }
    const [resource, name, sub] = rest as [string, string | undefined, string | undefined];
    const d = RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
    if (!d || rest.length > 3 || (sub && !d.subresources.includes(sub))) throw new ApiStatus(404, 'NotFound', 'the server could not find the requested resource');
    if (d.namespaced && namespace === null && name !== undefined) throw new ApiStatus(404, 'NotFound', 'the server could not find the requested resource');
    const { query } = req;
    const dryRun = query.get('dryRun') === 'All';

    if (req.method === 'GET' && name === undefined) {
      const items = store
        .list(d, namespace)
        .filter((o) => matchesLabels(o, query.get('labelSelector')) && matchesFields(o, query.get('fieldSelector')))
        .map(({ apiVersion: _a, kind: _k, ...item }) => item);
      return send(res, 200, { kind: `${d.kind}List`, apiVersion: apiVersionOf(d), metadata: { resourceVersion: '2000' }, items });
    }
    if (name === undefined) throw new ApiStatus(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    if (req.method === 'GET' && sub === 'log') return serveLogs(res, namespace as string, name, query);
    if (req.method === 'GET' && sub === 'scale') return send(res, 200, scaleOf(store.read(d, namespace, name)));
    if (req.method === 'GET' && !sub) return send(res, 200, store.read(d, namespace, name));

    if (req.method === 'PATCH') {
      const contentType = (req.contentType ?? '').split(';')[0]?.trim() ?? '';
      const manager = query.get('fieldManager');
      if (contentType === 'application/apply-patch+yaml' && !manager) {
        throw new ApiStatus(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      }
      const patch = parsePatch(contentType, req.body);
      if (sub === 'scale') {
        const current = store.peek(d, namespace, name);
        if (!current) throw notFound(d, name);
        const { next } = patched(d, scaleOf(current), name, contentType, patch);
        const replicas = (next.spec as JsonObject | undefined)?.replicas;
        const updated = { ...current, spec: { ...(current.spec as JsonObject), replicas: replicas as Json } };
        const written = store.write(d, namespace, name, updated, { manager: manager ?? 'unknown-client', applied: null, force: false, dryRun });
        return send(res, 200, scaleOf(written));
      }
      if (sub) throw new ApiStatus(405, 'MethodNotAllowed', 'the fake does not patch this subresource');
      const current = store.peek(d, namespace, name);
      const { next, applied } = patched(d, current, name, contentType, patch);
      const written = store.write(d, namespace, name, next, { manager: manager ?? 'unknown-client', applied, force: query.get('force') === 'true', dryRun });
      return send(res, current ? 200 : 201, written);
    }
    if (req.method === 'DELETE' && !sub) {
      if (!dryRun) store.remove(d, namespace, name);
      else if (!store.exists(d, namespace, name)) throw notFound(d, name);
      return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: d.group, kind: d.resource } });
    }
    throw new ApiStatus(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }

  function route(req: RecordedRequest, res: ServerResponse): void {
    const segments = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && req.path === '/version') return send(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake', platform: 'linux/amd64' });
    if (req.method === 'GET' && req.path === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (req.method === 'GET' && req.path === '/apis') return send(res, 200, groupList());
    if (segments[0] === 'api' && segments[1] === 'v1') {
      if (segments.length === 2 && req.method === 'GET') return send(res, 200, resourceList('', 'v1'));
      return handleResource(req, res, '', 'v1', segments.slice(2));
    }
    if (segments[0] === 'apis' && segments.length >= 3) {
      const [, group, version] = segments as [string, string, string];
      if (!RESOURCES.some((r) => r.group === group && r.version === version)) throw new ApiStatus(404, 'NotFound', 'the server could not find the requested resource');
      if (segments.length === 3 && req.method === 'GET') return send(res, 200, resourceList(group, version));
      return handleResource(req, res, group, version, segments.slice(3));
    }
    throw new ApiStatus(404, 'NotFound', 'the server could not find the requested resource');
  }

  const server = https.createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, (incoming: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'https://fake');
      const req: RecordedRequest = { method: incoming.method ?? 'GET', path: url.pathname, query: url.searchParams, contentType: incoming.headers['content-type'] ?? null, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(req);
      const hold = holds.find((h) => !h.taken && h.match(req));
      if (hold) {
        hold.taken = true;
        held.add(res);
        res.on('close', () => {
          held.delete(res);
          hold.close();
        });
        hold.arrive();
        return;
      }
      try {
        if (incoming.headers.authorization !== `Bearer ${TOKEN}`) throw new ApiStatus(401, 'Unauthorized', 'Unauthorized');
        route(req, res);
      } catch (error) {
        if (error instanceof ApiStatus) sendStatus(res, error);
        else sendStatus(res, new ApiStatus(500, 'InternalError', `fake API server: ${(error as Error).stack ?? String(error)}`));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  store.seed(resourceDef('namespaces'), { metadata: { name: 'default' }, status: { phase: 'Active' } }, 'kube-apiserver');
  store.seed(resourceDef('namespaces'), { metadata: { name: 'kube-system' }, status: { phase: 'Active' } }, 'kube-apiserver');

  return {
    url,
    token: TOKEN,
    dir,
    caFile: tls.caFile,
    requests,
    store,
    seed(obj, manager = 'kubectl-client-side-apply') {
      const kind = String(obj.kind);
      const d = RESOURCES.find((r) => r.kind === kind && (!obj.apiVersion || apiVersionOf(r) === obj.apiVersion));
      if (!d) throw new Error(`the fake has no kind ${kind}`);
      return store.seed(d, structuredClone(obj), manager);
    },
    object: (resource, namespace, name) => store.peek(resourceDef(resource), namespace, name),
    setLogs(namespace, pod, container, lines) {
      logStream(namespace, pod, container).lines = lines.map((text) => ({ at: Date.now(), text }));
    },
    appendLog(namespace, pod, container, text) {
      const stream = logStream(namespace, pod, container);
      const line = { at: Date.now(), text };
      stream.lines.push(line);
      for (const res of stream.followers) res.write((res as ServerResponse & { formatLine: (l: typeof line) => string }).formatLine(line));
    },
    endLogs(namespace, pod, container) {
      const stream = logStream(namespace, pod, container);
      stream.ended = true;
      for (const res of stream.followers) res.end();
    },
    dropFollowers() {
      for (const stream of logs.values()) for (const res of stream.followers) res.socket?.destroy();
    },
    get followers() {
      return [...logs.values()].reduce((n, s) => n + s.followers.size, 0);
    },
    hold(match) {
      let arrive!: () => void;
      let close!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const closed = new Promise<void>((resolve) => (close = resolve));
      holds.push({ match, arrive, close, taken: false });
      return { arrived, closed };
    },
    kubeconfig(options = {}) {
      const file = path.join(dir, options.file ?? 'kubeconfig');
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake-cluster', cluster: { server: url, 'certificate-authority': options.caFile ?? path.basename(tls.caFile) } }],
        users: [{ name: 'fake-admin', user: { token: options.token ?? TOKEN } }],
        contexts: [
          { name: 'fake', context: { cluster: 'fake-cluster', user: 'fake-admin', namespace: options.namespace ?? 'default' } },
          { name: 'fake-system', context: { cluster: 'fake-cluster', user: 'fake-admin', namespace: 'kube-system' } },
        ],
        'current-context': options.currentContext ?? 'fake',
      };
      writeFileSync(file, stringify(config));
      return file;
    },
    async close() {
      for (const stream of logs.values()) for (const res of stream.followers) res.destroy();
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
