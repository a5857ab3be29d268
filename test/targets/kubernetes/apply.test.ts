// k8s-manifest blocks and `kubectl apply -f`: server-side dry-run, the diff shown to the operator, the
// confirmation, and the real server-side apply, against the fake API server through the real client.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutorContext } from '../../../src/main/targets/types.js';
import { type FakeKubeApi, startKubeApi } from '../../fakes/kube-api.js';
import type { JsonObject } from '../../fakes/kube-patch.js';
import { Executors, deployment, run, start } from './harness.js';

let api: FakeKubeApi;
let executors: Executors;

beforeAll(async () => {
  api = await startKubeApi();
  api.kubeconfig();
  executors = new Executors(api);
});

afterAll(async () => {
  await executors?.closeAll();
  await api?.close();
});

/** An operator who answers `answer` and remembers what was asked. */
function operator(answer: boolean): { asked: string[]; ctx: Partial<ExecutorContext> } {
  const asked: string[] = [];
  return { asked, ctx: { confirm: async (question) => (asked.push(question), answer) } };
}

/** The manifest of a seeded deployment as its author would write it, with changes. */
function manifest(obj: JsonObject, change: (o: any) => void = () => undefined): string {
  const copy = structuredClone(obj) as any;
  delete copy.metadata.creationTimestamp;
  change(copy);
  return stringify(copy);
}

const applyRequests = (name: string) => api.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/${name}`) && r.contentType === 'application/apply-patch+yaml');
const live = (resource: string, name: string) => api.object(resource, 'default', name) as any;

describe('kubernetes executor: k8s-manifest', () => {
  it('dry-runs, shows the diff, asks, and applies on yes', async () => {
    const seeded = deployment('checkout', { replicas: 2 });
    api.seed(seeded, 'runbook-console'); // applied by an earlier run
    const op = operator(true);
    const s = start(executors.make({}, op.ctx), manifest(seeded, (o) => (o.spec.template.spec.containers[0].image = 'registry.example/checkout:2.0')), { action: 'k8s-manifest' });
    const result = await s.done();
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(s.text('info')).toBe(
      [
        '--- live deployment.apps/checkout (namespace default)',
        '+++ dry-run deployment.apps/checkout (namespace default)',
        '@@ -21,7 +21,7 @@',
        '       - env:',
        '         - name: MODE',
        '           value: blue',
        '-        image: registry.example/checkout:1.0',
        '+        image: registry.example/checkout:2.0',
        '         name: app',
        ' status:',
        '   availableReplicas: 2',
        '',
      ].join('\n'),
    );
    expect(op.asked).toEqual([`Apply 1 change(s) to ${api.url} context=fake ns=default user=fake-admin (0 created, 1 configured)? deployment.apps/checkout (namespace default)`]);
    expect(s.text('stdout')).toBe('deployment.apps/checkout configured\n');
    expect(live('deployments', 'checkout').spec.template.spec.containers[0].image).toBe('registry.example/checkout:2.0');
    const [dry, real] = applyRequests('checkout');
    expect(Object.fromEntries(dry?.query ?? [])).toEqual({ dryRun: 'All', fieldManager: 'runbook-console', force: 'false' });
    expect(Object.fromEntries(real?.query ?? [])).toEqual({ fieldManager: 'runbook-console', force: 'false' });
    expect(result.notes).toContain('server-side dry-run (field manager runbook-console): deployment.apps/checkout (namespace default) would be configured (+1 -1 lines)');
    expect(result.notes).toContain('applied: deployment.apps/checkout (namespace default)');
  });

  it('on no, nothing is applied and the block is cancelled: apply declined by operator', async () => {
    const seeded = deployment('payments', { replicas: 1 });
    api.seed(seeded, 'runbook-console'); // applied by an earlier run
    const op = operator(false);
    const { result, stdout } = await run(executors.make({}, op.ctx), manifest(seeded, (o) => (o.spec.replicas = 3)), { action: 'k8s-manifest' });
    expect(result).toMatchObject({ status: 'cancelled', exitCode: null, error: 'apply declined by operator' });
    expect(result.notes).toContain('apply declined by operator');
    expect(op.asked).toHaveLength(1);
    expect(stdout).toBe('');
    expect(live('deployments', 'payments').spec.replicas).toBe(1);
    expect(applyRequests('payments').map((r) => r.query.get('dryRun'))).toEqual(['All']);
  });

  it('creates new objects of a multi-document manifest after one confirmation; the namespace defaults to the target', async () => {
    const op = operator(true);
    const code = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: flags', 'data:', '  beta: "on"', '---', '# comment-only document', '---', stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'cog' }, spec: { teeth: 8 } })].join('\n');
    const s = start(executors.make({}, op.ctx), code, { action: 'k8s-manifest' });
    const result = await s.done();
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(op.asked).toEqual([`Apply 2 change(s) to ${api.url} context=fake ns=default user=fake-admin (2 created, 0 configured)? configmap/flags (namespace default), widget.example.com/cog (namespace default)`]);
    expect(s.text('info')).toContain('+++ dry-run configmap/flags (namespace default)\n@@ -0,0 +1,');
    expect(s.text('info')).toContain('+  beta: on\n');
    expect(s.text('stdout')).toBe('configmap/flags created\nwidget.example.com/cog created\n');
    expect(live('configmaps', 'flags').data).toEqual({ beta: 'on' });
    expect(live('widgets', 'cog').spec).toEqual({ teeth: 8 });
  });

  it('a manifest that changes nothing is not put to the operator', async () => {
    const seeded = deployment('steady');
    api.seed(seeded, 'runbook-console'); // applied by an earlier run
    const op = operator(true);
    const { result, stdout, info } = await run(executors.make({}, op.ctx), manifest(seeded), { action: 'k8s-manifest' });
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(op.asked).toEqual([]);
    expect(info).toBe('deployment.apps/steady (namespace default): no changes\n');
    expect(stdout).toBe('deployment.apps/steady unchanged\n');
    expect(result.notes).toContain('nothing applied: the dry-run changes nothing');
  });

  it('a field owned by another manager is a 409 conflict: failed with the Status message, nothing asked or applied', async () => {
    const seeded = deployment('owned', { replicas: 2 });
    api.seed(seeded, 'kubectl-edit');
    const op = operator(true);
    const { result, stderr } = await run(executors.make({}, op.ctx), manifest(seeded, (o) => (o.spec.replicas = 4)), { action: 'k8s-manifest' });
    expect(result).toMatchObject({
      status: 'failed',
      exitCode: 1,
      error: 'Error from server (Conflict): Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
    });
    expect(stderr).toBe(`${result.error}\n`);
    expect(op.asked).toEqual([]);
    expect(live('deployments', 'owned').spec.replicas).toBe(2);
  });

  it('an invalid object is a 422: failed with the Status message', async () => {
    const broken = deployment('broken');
    (broken as any).spec.template.metadata.labels = { app: 'other' };
    const { result } = await run(executors.make({}, operator(true).ctx), manifest(broken), { action: 'k8s-manifest' });
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(result.error).toBe('Error from server (Invalid): Deployment.apps "broken" is invalid: spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`');
  });

  it('YAML that is not a manifest is an error before any request', async () => {
    const before = api.requests.length;
    const bad = await run(executors.make(), 'kind: ConfigMap\nmetadata: {name: x}\n', { action: 'k8s-manifest' });
    expect(bad.result).toMatchObject({ status: 'error', error: 'document 1 of the block has no apiVersion' });
    const unparsable = await run(executors.make(), 'a: [b\n', { action: 'k8s-manifest' });
    expect(unparsable.result.status).toBe('error');
    expect(unparsable.result.error).toMatch(/^document 1 of the block is not valid YAML: /);
    const alias = await run(executors.make(), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: *nowhere}\n', { action: 'k8s-manifest' });
    expect(alias.result).toMatchObject({ status: 'error', error: expect.stringMatching(/^document 1 of the block is not valid YAML: Unresolved alias/) });
    expect(api.requests.length).toBe(before);
  });

  it('cancel while the operator is being asked ends the block as cancelled, without applying', async () => {
    const seeded = deployment('pending-answer', { replicas: 1 });
    api.seed(seeded, 'runbook-console'); // applied by an earlier run
    let asked!: () => void;
    const askedPromise = new Promise<void>((resolve) => (asked = resolve));
    const e = executors.make({}, { confirm: () => (asked(), new Promise<boolean>(() => undefined)) });
    const s = start(e, manifest(seeded, (o) => (o.spec.replicas = 2)), { action: 'k8s-manifest' });
    await askedPromise;
    s.execution.cancel();
    expect(await s.done()).toMatchObject({ status: 'cancelled', error: 'cancelled by the operator' });
    expect(live('deployments', 'pending-answer').spec.replicas).toBe(1);
  });
});

describe('kubernetes executor: kubectl apply -f', () => {
  it('applies a file relative to the base directory through the same dry-run and confirmation', async () => {
    writeFileSync(path.join(api.dir, 'limits.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits' }, data: { cpu: '2' } }));
    const op = operator(true);
    const { result, stdout } = await run(executors.make({}, op.ctx), 'kubectl apply -f limits.yaml -n default');
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(op.asked).toHaveLength(1);
    expect(stdout).toBe('configmap/limits created\n');
    expect(live('configmaps', 'limits').data).toEqual({ cpu: '2' });
    const missing = await run(executors.make(), 'kubectl apply -f nowhere.yaml');
    expect(missing.result).toMatchObject({ status: 'error', error: `the path "nowhere.yaml" does not exist (looked in ${path.join(api.dir, 'nowhere.yaml')})` });
  });
});
