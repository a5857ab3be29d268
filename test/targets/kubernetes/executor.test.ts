// The kubernetes executor's kubectl lines, run natively through the real @kubernetes/client-node against
// the fake API server: TLS against the fake's CA and a bearer token, both from a real kubeconfig file.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../../../src/main/targets/kubernetes/kubectl-binary.js';
import { type FakeKubeApi, startKubeApi } from '../../fakes/kube-api.js';
import type { JsonObject } from '../../fakes/kube-patch.js';
import { makeCa } from '../../fakes/tls.js';
import { DAY, Executors, deployment, pod, run, start } from './harness.js';

let api: FakeKubeApi;
let executors: Executors;
const KUBECTL = findOnPath('kubectl', process.env.PATH);
if (!KUBECTL) console.warn('skipped the kubectl binary test: no kubectl on PATH');

beforeAll(async () => {
  api = await startKubeApi();
  api.kubeconfig();
  executors = new Executors(api);
  api.seed(deployment('web', { replicas: 2 }));
  api.seed(pod('web-1', { labels: { app: 'web' } }));
  api.seed(pod('web-2', { labels: { app: 'web' }, phase: 'Pending', ready: false, restarts: 3, age: 15 * 60_000 }));
  api.seed(pod('worker-1', { labels: { app: 'worker' }, containers: ['main', 'sidecar'] }));
  api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' }, status: { phase: 'Active' } });
  api.seed(pod('cart-1', { namespace: 'shop', labels: { app: 'cart' } }));
  api.seed({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', creationTimestamp: new Date(Date.now() - 5 * DAY).toISOString() }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }] } });
  api.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default', creationTimestamp: new Date(Date.now() - 40 * 60_000).toISOString() }, data: { a: '1', b: '2' } });
  api.seed({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'node-role.kubernetes.io/control-plane': '' }, creationTimestamp: new Date(Date.now() - 30 * DAY).toISOString() }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.31.0' } } });
  api.seed({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'gear', namespace: 'default', creationTimestamp: new Date(Date.now() - 2 * DAY).toISOString() }, spec: { teeth: 12 } });
  api.setLogs('default', 'web-1', 'app', ['starting', 'listening on :8080', 'GET /healthz 200']);
  api.setLogs('default', 'worker-1', 'sidecar', ['sidecar up']);
});

afterAll(async () => {
  await executors?.closeAll();
  await api?.close();
});

const deployObject = (name: string, namespace = 'default') => api.object('deployments', namespace, name) as JsonObject & { spec: any; metadata: any };
const requestsTo = (method: string, pathPart: string) => api.requests.filter((r) => r.method === method && r.path.includes(pathPart));

describe('kubernetes executor: where it runs', () => {
  it('reports server, context, namespace and user, never the token', async () => {
    const { result } = await run(executors.make(), 'kubectl get ns');
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(result.exitCode).toBe(0);
    expect(result.target).toEqual({
      name: 'k8s',
      kind: 'kubernetes',
      endpoint: `${api.url} context=fake ns=default user=fake-admin`,
      details: { server: api.url, context: 'fake', namespace: 'default', user: 'fake-admin', auth: 'bearer token', kubeconfig: path.join(api.dir, 'kubeconfig') },
    });
    expect(result.notes).toContain('server Kubernetes v1.31.0-fake');
    expect(JSON.stringify(result)).not.toContain(api.token);
  });

  it('uses the target context and namespace; $KUBECONFIG (relative to the base directory) when the target names no file', async () => {
    const e = executors.make({ kubeconfig: undefined, context: 'fake-system' }, { env: { HOME: '/nonexistent', KUBECONFIG: 'kubeconfig' } });
    const { result, stderr } = await run(e, 'kubectl get pods');
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(result.target.endpoint).toBe(`${api.url} context=fake-system ns=kube-system user=fake-admin`);
    expect(stderr).toBe('No resources found in kube-system namespace.\n');
    const ns = await run(executors.make({ namespace: 'shop' }), 'kubectl get pods -o name');
    expect(ns.stdout).toBe('pod/cart-1\n');
  });

  it('a context missing from the kubeconfig is an error naming the contexts there', async () => {
    const { result } = await run(executors.make({ context: 'prod' }), 'kubectl get pods');
    expect(result.status).toBe('error');
    expect(result.error).toBe(`context "prod" is not in ${path.join(api.dir, 'kubeconfig')} (contexts: fake, fake-system)`);
  });

  it('a wrong token is an error (credentials refused), not a failed command', async () => {
    api.kubeconfig({ file: 'bad-token', token: 'not-the-token' });
    const { result } = await run(executors.make({ kubeconfig: 'bad-token' }), 'kubectl get pods');
    expect(result.status).toBe('error');
    expect(result.exitCode).toBeNull();
    expect(result.error).toBe('the API server refused the credentials of user fake-admin: Error from server (Unauthorized): Unauthorized');
    expect(JSON.stringify(result)).not.toContain('not-the-token');
  });

  it('a server certificate from another CA is an error naming the TLS problem', async () => {
    const otherDir = path.join(api.dir, 'other');
    mkdirSync(otherDir, { recursive: true });
    const { caFile } = makeCa(otherDir, 'other-ca');
    api.kubeconfig({ file: 'other-ca', caFile });
    const { result } = await run(executors.make({ kubeconfig: 'other-ca' }), 'kubectl get pods');
    expect(result.status).toBe('error');
    expect(result.error).toMatch(new RegExp(`^cannot talk to the API server at ${api.url}: the server's certificate is not signed by the cluster's certificate-authority in the kubeconfig: .*\\[UNABLE_TO_VERIFY_LEAF_SIGNATURE\\]$`));
  });
});

describe('kubernetes executor: get', () => {
  it('prints kubectl default tables for pods, deployments, services, configmaps, nodes and namespaces', async () => {
    const { result, stdout, info } = await run(executors.make(), ['kubectl get pods -l app=web', 'kubectl get deployments', 'kubectl get svc', 'kubectl get cm', 'kubectl get nodes', 'kubectl get ns'].join('\n'));
    expect(result.status, result.error ?? '').toBe('succeeded');
    const lines = stdout.split('\n');
    expect(lines.slice(0, 11)).toEqual([
      'NAME    READY   STATUS    RESTARTS   AGE',
      'web-1   1/1     Running   0          120m',
      'web-2   0/1     Pending   3          15m',
      'NAME   READY   UP-TO-DATE   AVAILABLE   AGE',
      'web    2/2     2            2           3d',
      'NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE',
      'web    ClusterIP   10.96.0.10   <none>        80/TCP    5d',
      'NAME       DATA   AGE',
      'settings   2      40m',
      'NAME     STATUS   ROLES           AGE   VERSION',
      'node-1   Ready    control-plane   30d   v1.31.0',
    ]);
    expect(lines.slice(11, 15).map((l) => l.replace(/\d+s$/, 'Ns'))).toEqual(['NAME          STATUS   AGE', 'default       Active   Ns', 'kube-system   Active   Ns', 'shop          Active   Ns']);
    expect(info).toBe('$ kubectl get pods -l app=web\n$ kubectl get deployments\n$ kubectl get svc\n$ kubectl get cm\n$ kubectl get nodes\n$ kubectl get ns\n');
    // Each table is also a result set, for the console's table view and expect.rows.
    expect(result.resultSets.map((r) => r.command)).toEqual(['get pods', 'get deployments', 'get services', 'get configmaps', 'get nodes', 'get namespaces']);
    expect(result.resultSets[0]).toEqual({ command: 'get pods', columns: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], rows: [['web-1', '1/1', 'Running', '0', '120m'], ['web-2', '0/1', 'Pending', '3', '15m']], rowCount: 2 });
    // The label selector went to the server, not filtered here.
    expect(requestsTo('GET', '/api/v1/namespaces/default/pods').at(-1)?.query.get('labelSelector')).toBe('app=web');
  });

  it('-o wide adds columns; -A adds NAMESPACE; several kinds print kind/name', async () => {
    const { stdout } = await run(executors.make(), 'kubectl get pods -A -o wide --no-headers\nkubectl get deploy/web svc/web');
    expect(stdout.split('\n')).toEqual([
      'default   web-1      1/1   Running   0   120m   10.1.0.7   node-1',
      'default   web-2      0/1   Pending   3   15m    10.1.0.7   node-1',
      'default   worker-1   2/2   Running   0   120m   10.1.0.7   node-1',
      'shop      cart-1     1/1   Running   0   120m   10.1.0.7   node-1',
      'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE',
      'deployment.apps/web   2/2     2            2           3d',
      '',
      'NAME          TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE',
      'service/web   ClusterIP   10.96.0.10   <none>        80/TCP    5d',
      '',
    ]);
  });

  it('-o json prints one object as itself and several as a List; -o yaml and -o name', async () => {
    const e = executors.make();
    const one = JSON.parse((await run(e, 'kubectl get deployment web -o json')).stdout);
    expect(one).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: expect.any(Number) } });
    const list = JSON.parse((await run(e, 'kubectl get pods -l app=web -o=json')).stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((i: JsonObject) => [i.kind, i.apiVersion, (i.metadata as JsonObject).name])).toEqual([
      ['Pod', 'v1', 'web-1'],
      ['Pod', 'v1', 'web-2'],
    ]);
    const yaml = parseYaml((await run(e, 'kubectl get cm settings -o yaml')).stdout);
    expect(yaml).toMatchObject({ kind: 'ConfigMap', data: { a: '1', b: '2' } });
    expect((await run(e, 'kubectl get pods,deploy -l app=web -o name')).stdout).toBe('pod/web-1\npod/web-2\ndeployment.apps/web\n');
  });

  it('finds a custom resource through discovery', async () => {
    const { result, stdout } = await run(executors.make(), 'kubectl get wg');
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(stdout).toBe('NAME   AGE\ngear   2d\n');
    expect(requestsTo('GET', '/apis/example.com/v1').some((r) => r.path === '/apis/example.com/v1')).toBe(true);
    const unknown = await run(executors.make(), 'kubectl get gizmos');
    expect(unknown.result).toMatchObject({ status: 'failed', exitCode: 1, error: 'the server doesn\'t have a resource type "gizmos"' });
  });

  it('a missing object fails with the API Status message, as kubectl prints it', async () => {
    const { result, stderr } = await run(executors.make(), 'kubectl get deploy nope');
    expect(result).toMatchObject({ status: 'failed', exitCode: 1, error: 'Error from server (NotFound): deployments.apps "nope" not found' });
    expect(stderr).toBe('Error from server (NotFound): deployments.apps "nope" not found\n');
  });
});

describe('kubernetes executor: logs', () => {
  it('prints a pod log, honouring --tail; picks the container with -c; a workload logs one of its pods', async () => {
    const e = executors.make();
    expect((await run(e, 'kubectl logs web-1 --tail=2')).stdout).toBe('listening on :8080\nGET /healthz 200\n');
    expect(requestsTo('GET', '/pods/web-1/log').at(-1)?.query.get('tailLines')).toBe('2');
    expect((await run(e, 'kubectl logs worker-1 -c sidecar')).stdout).toBe('sidecar up\n');
    const viaDeploy = await run(e, 'kubectl logs deploy/web --since=1h');
    expect(viaDeploy.stdout).toBe('starting\nlistening on :8080\nGET /healthz 200\n');
    expect(viaDeploy.stderr).toBe('Found 2 pods, using pod/web-1\n');
    expect(requestsTo('GET', '/pods/web-1/log').at(-1)?.query.get('sinceSeconds')).toBe('3600');
  });

  it('a pod with two containers and no -c fails with the server message', async () => {
    const { result } = await run(executors.make(), 'kubectl logs worker-1');
    expect(result).toMatchObject({ status: 'failed', exitCode: 1, error: 'Error from server (BadRequest): a container name must be specified for pod worker-1, choose one of: [main sidecar]' });
  });

  it('-f streams new lines until cancel, and cancel closes the stream on the server', async () => {
    api.setLogs('default', 'web-2', 'app', ['boot']);
    const s = start(executors.make(), 'kubectl logs -f web-2');
    await s.seen('boot\n', 'stdout');
    expect(api.followers).toBe(1);
    api.appendLog('default', 'web-2', 'app', 'request 1');
    await s.seen('request 1\n', 'stdout');
    s.execution.cancel();
    const result = await s.done();
    expect(result).toMatchObject({ status: 'cancelled', exitCode: null, error: 'cancelled by the operator during kubectl logs -f web-2' });
    expect(s.text('stdout')).toBe('boot\nrequest 1\n');
    await expect.poll(() => api.followers, { timeout: 5000, interval: 10 }).toBe(0);
  });

  it('a log stream cut by the server is an error, not a success', async () => {
    api.setLogs('default', 'worker-1', 'main', ['working']);
    const s = start(executors.make(), 'kubectl logs -f worker-1 -c main');
    await s.seen('working\n', 'stdout');
    api.dropFollowers();
    const result = await s.done();
    expect(result).toMatchObject({ status: 'error', error: `cannot talk to the API server at ${api.url}: the connection was reset: other side closed` });
  });

  it('-f ends with success when the log ends', async () => {
    api.setLogs('shop', 'cart-1', 'app', ['one']);
    const s = start(executors.make({ namespace: 'shop' }), 'kubectl logs --follow cart-1');
    await s.seen('one\n', 'stdout');
    api.appendLog('shop', 'cart-1', 'app', 'two');
    await s.seen('two\n', 'stdout');
    api.endLogs('shop', 'cart-1', 'app');
    expect((await s.done()).status).toBe('succeeded');
  });
});

describe('kubernetes executor: rollout', () => {
  it('restart patches the restartedAt annotation; status polls until the rollout completes', async () => {
    api.seed(deployment('api', { replicas: 2 }));
    const { result, stdout } = await run(executors.make(), 'kubectl rollout restart deployment/api\nkubectl rollout status deployment api');
    expect(result.status, result.error ?? '').toBe('succeeded');
    const annotations = deployObject('api').spec.template.metadata.annotations;
    expect(annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(requestsTo('PATCH', '/deployments/api')[0]?.contentType).toBe('application/strategic-merge-patch+json');
    expect(stdout).toBe(
      [
        'deployment.apps/api restarted',
        'Waiting for deployment spec update to be observed...',
        'Waiting for deployment "api" rollout to finish: 0 out of 2 new replicas have been updated...',
        'Waiting for deployment "api" rollout to finish: 1 old replicas are pending termination...',
        'Waiting for deployment "api" rollout to finish: 1 of 2 updated replicas are available...',
        'deployment "api" successfully rolled out',
        '',
      ].join('\n'),
    );
    expect(result.notes).toContain('rollout status of deployment.apps/api: deployment "api" successfully rolled out (5 polls)');
  });

  it('status gives up at its --timeout (failed); the block timeout stops it as timed-out', async () => {
    api.seed(deployment('stuck', { replicas: 1 }));
    await run(executors.make(), 'kubectl set image deploy/stuck app=registry.example/stuck:2.0');
    api.store.stalled.add('default/stuck');
    const own = await run(executors.make(), 'kubectl rollout status deploy/stuck --timeout=100ms');
    expect(own.result).toMatchObject({ status: 'failed', exitCode: 1, error: 'timed out waiting for the condition (rollout status --timeout=100ms)' });
    const block = await run(executors.make(), 'kubectl rollout status deploy/stuck', { timeoutMs: 150 });
    expect(block.result).toMatchObject({ status: 'timed-out', exitCode: null, error: 'timed out after 150 ms during kubectl rollout status deploy/stuck' });
  });

  it('history lists ReplicaSet revisions; undo returns to the previous template, or --to-revision', async () => {
    api.seed(deployment('shop-ui', { replicas: 1, image: 'registry.example/ui:1' }));
    const e = executors.make();
    expect((await run(e, 'kubectl set image deploy/shop-ui app=registry.example/ui:2\nkubectl set image deploy/shop-ui app=registry.example/ui:3')).result.status).toBe('succeeded');
    expect((await run(e, 'kubectl rollout history deploy/shop-ui')).stdout).toBe('deployment.apps/shop-ui \nREVISION   CHANGE-CAUSE\n1          <none>\n2          <none>\n3          <none>\n\n');
    const undo = await run(e, 'kubectl rollout undo deploy/shop-ui');
    expect(undo.stdout).toBe('deployment.apps/shop-ui rolled back\n');
    expect(deployObject('shop-ui').spec.template.spec.containers[0].image).toBe('registry.example/ui:2');
    expect(deployObject('shop-ui').spec.template.metadata.labels).toEqual({ app: 'shop-ui' });
    expect((await run(e, 'kubectl rollout undo deploy/shop-ui --to-revision=1')).stdout).toBe('deployment.apps/shop-ui rolled back\n');
    expect(deployObject('shop-ui').spec.template.spec.containers[0].image).toBe('registry.example/ui:1');
    const missing = await run(e, 'kubectl rollout undo deploy/shop-ui --to-revision=42');
    expect(missing.result).toMatchObject({ status: 'failed', error: 'unable to find specified revision 42 in history' });
  });
});

describe('kubernetes executor: changes', () => {
  it('set image changes the named container; an unknown container fails', async () => {
    api.seed(deployment('img', { containers: ['app', 'proxy'] }));
    const e = executors.make();
    const { result, stdout } = await run(e, 'kubectl set image deployment/img proxy=envoy:1.30');
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(stdout).toBe('deployment.apps/img image updated\n');
    expect(deployObject('img').spec.template.spec.containers.map((c: JsonObject) => c.image)).toEqual(['registry.example/img:1.0', 'envoy:1.30']);
    expect((await run(e, 'kubectl set image deploy/img *=busybox:1')).result.status).toBe('succeeded');
    expect(deployObject('img').spec.template.spec.containers.map((c: JsonObject) => c.image)).toEqual(['busybox:1', 'busybox:1']);
    const bad = await run(e, 'kubectl set image deploy/img nope=x:1');
    expect(bad.result).toMatchObject({ status: 'failed', exitCode: 1, error: 'unable to find container named "nope"' });
    expect(bad.stderr).toBe('error: unable to find container named "nope"\n');
  });

  it('set env adds, changes and removes variables', async () => {
    api.seed(deployment('envy'));
    const { result } = await run(executors.make(), 'kubectl set env deploy/envy LEVEL=debug "GREETING=hello world" MODE-');
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(deployObject('envy').spec.template.spec.containers[0].env).toEqual([
      { name: 'LEVEL', value: 'debug' },
      { name: 'GREETING', value: 'hello world' },
    ]);
  });

  it('scale goes through the scale subresource', async () => {
    api.seed(deployment('scaly', { replicas: 2 }));
    const e = executors.make();
    const { result, stdout } = await run(e, 'kubectl scale deploy/scaly --replicas=5');
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(stdout).toBe('deployment.apps/scaly scaled\n');
    expect(deployObject('scaly').spec.replicas).toBe(5);
    const patch = requestsTo('PATCH', '/deployments/scaly/scale')[0];
    expect(patch?.contentType).toBe('application/merge-patch+json');
    expect(JSON.parse(patch?.body ?? '')).toEqual({ spec: { replicas: 5 } });
    const wrong = await run(e, 'kubectl scale deployment scaly --current-replicas=3 --replicas=1');
    expect(wrong.result).toMatchObject({ status: 'failed', error: 'Expected replicas to be 3, was 5' });
  });

  it('patch with --type strategic (lists merged by key), merge and json; an unchanged object says so', async () => {
    api.seed(deployment('patchy', { containers: ['app', 'proxy'] }));
    const e = executors.make();
    const strategic = await run(e, `kubectl patch deployment patchy -p '{"spec":{"template":{"spec":{"containers":[{"name":"proxy","image":"envoy:2"}]}}}}'`);
    expect(strategic.stdout).toBe('deployment.apps/patchy patched\n');
    expect(deployObject('patchy').spec.template.spec.containers.map((c: JsonObject) => [c.name, c.image])).toEqual([
      ['app', 'registry.example/patchy:1.0'],
      ['proxy', 'envoy:2'],
    ]);
    await run(e, `kubectl patch deploy/patchy --type merge -p 'metadata: {labels: {tier: web}}'`);
    expect(deployObject('patchy').metadata.labels).toEqual({ app: 'patchy', tier: 'web' });
    await run(e, `kubectl patch deploy patchy --type=json -p '[{"op":"replace","path":"/spec/replicas","value":4}]'`);
    expect(deployObject('patchy').spec.replicas).toBe(4);
    expect(requestsTo('PATCH', '/deployments/patchy').map((r) => r.contentType)).toEqual(['application/strategic-merge-patch+json', 'application/merge-patch+json', 'application/json-patch+json']);
    expect((await run(e, `kubectl patch deploy patchy --type=merge -p '{"spec":{"replicas":4}}'`)).stdout).toBe('deployment.apps/patchy patched (no change)\n');
  });

  it('an invalid change fails with the 422 Status message', async () => {
    const { result } = await run(executors.make(), `kubectl patch deploy web --type merge -p '{"spec":{"replicas":-1}}'`);
    expect(result).toMatchObject({ status: 'failed', exitCode: 1, error: 'Error from server (Invalid): Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0' });
  });

  it('delete removes the object; again it fails NotFound, unless --ignore-not-found', async () => {
    api.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'doomed', namespace: 'default' }, data: {} });
    const e = executors.make();
    expect((await run(e, 'kubectl delete configmap doomed')).stdout).toBe('configmap "doomed" deleted\n');
    expect(api.object('configmaps', 'default', 'doomed')).toBeUndefined();
    expect((await run(e, 'kubectl delete cm/doomed')).result).toMatchObject({ status: 'failed', error: 'Error from server (NotFound): configmaps "doomed" not found' });
    expect((await run(e, 'kubectl delete cm doomed --ignore-not-found')).result.status).toBe('succeeded');
  });
});

describe('kubernetes executor: lines it does not run natively', () => {
  it('a verb outside the subset needs the kubectl binary, and says so when there is none', async () => {
    const { result } = await run(executors.make(), 'kubectl drain node-1 --ignore-daemonsets');
    expect(result.status).toBe('error');
    expect(result.error).toBe('"kubectl drain node-1 --ignore-daemonsets" needs the kubectl binary (kubectl drain is not run natively), and kubectl is not on PATH; install kubectl, or use get, logs, rollout, set, patch, scale, apply or delete');
  });

  it('runs the kubectl binary pinned to the kubeconfig, context and namespace, with its exit status', async () => {
    const bin = path.join(api.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'kubectl'), '#!/bin/sh\necho "args: $*"\necho "oops" >&2\nexit 3\n');
    chmodSync(path.join(bin, 'kubectl'), 0o755);
    const { result, stdout, stderr } = await run(executors.make({}, { env: { PATH: bin } }), 'kubectl get pods -o jsonpath={.items[0].metadata.name}');
    expect(stdout).toBe(`args: --kubeconfig ${path.join(api.dir, 'kubeconfig')} --context fake --namespace default get pods -o jsonpath={.items[0].metadata.name}\n`);
    expect(stderr).toBe('oops\n');
    expect(result).toMatchObject({ status: 'failed', exitCode: 3, error: 'kubectl exited with status 3' });
    expect(result.notes).toContain(`line 1 ran ${path.join(bin, 'kubectl')} (kubectl get with output format jsonpath={.items[0].metadata.name} is not run natively), pinned to context fake`);
  });

  it.skipIf(!KUBECTL)('the installed kubectl binary runs pinned to the target cluster', async () => {
    const bin = path.dirname(KUBECTL as string);
    // HOME in the fake's directory: kubectl's discovery cache goes there, not into the user's.
    const { result, stdout } = await run(executors.make({}, { env: { PATH: bin, HOME: api.dir } }), 'kubectl get ns --sort-by=.metadata.name -o name');
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(stdout).toBe('namespace/default\nnamespace/kube-system\nnamespace/shop\n');
  });

  it('refuses other commands, shell syntax and another context', async () => {
    const e = executors.make();
    expect((await run(e, 'helm list')).result).toMatchObject({ status: 'error', error: 'line 1 runs "helm": a kubernetes target runs kubectl command lines; bind this block to a shell target' });
    expect((await run(e, 'kubectl get pods | grep web')).result).toMatchObject({ status: 'error', error: 'line 1: "|" is shell syntax; a kubernetes target runs kubectl command lines; bind this block to a shell target' });
    expect((await run(e, 'kubectl get pods -n $NS')).result.error).toBe('line 1: $NS would be expanded by a shell; a kubernetes target runs kubectl command lines; bind this block to a shell target');
    expect((await run(e, 'kubectl --context prod get pods')).result).toMatchObject({ status: 'error', error: "--context prod differs from the target's context fake; bind the block to a target for that context" });
    expect((await run(e, 'kubectl --context fake get pods -o name -l app=worker')).stdout).toBe('pod/worker-1\n');
  });

  it('skips comments and blank lines, joins continuations, and stops at the first failing line', async () => {
    const code = ['# check first', '', 'kubectl get deploy web \\', '  -o name', 'kubectl get deploy missing', 'kubectl get pods'].join('\n');
    const { result, stdout, info } = await run(executors.make(), code);
    expect(stdout).toBe('deployment.apps/web\n');
    expect(info).toBe('$ kubectl get deploy web    -o name\n$ kubectl get deploy missing\n');
    expect(result).toMatchObject({ status: 'failed', exitCode: 1, error: 'line 5 (kubectl get deploy missing): Error from server (NotFound): deployments.apps "missing" not found' });
    expect(result.notes).toContain('stopped at line 5; the 1 line(s) after it were not run');
  });

  it('refuses actions other than shell and k8s-manifest', async () => {
    const { result } = await run(executors.make(), 'up', { action: 'promql' });
    expect(result).toMatchObject({ status: 'error', error: 'a kubernetes target runs k8s-manifest blocks and kubectl lines in shell blocks, not promql' });
  });
});

describe('kubernetes executor: cancel', () => {
  it('cancel aborts the request in flight: the server sees the connection go', async () => {
    const hold = api.hold((r) => r.method === 'GET' && r.path === '/apis/apps/v1/namespaces/default/deployments/held');
    const s = start(executors.make(), 'kubectl get deploy held');
    await hold.arrived;
    s.execution.cancel();
    const result = await s.done();
    expect(result).toMatchObject({ status: 'cancelled', error: 'cancelled by the operator during kubectl get deploy held' });
    await hold.closed;
  });

  it('close() stops blocks in flight', async () => {
    const hold = api.hold((r) => r.path.endsWith('/configmaps/held'));
    const e = executors.make();
    const s = start(e, 'kubectl get cm held');
    await hold.arrived;
    await e.close();
    expect((await s.done()).status).toBe('cancelled');
    await hold.closed;
  });
});
