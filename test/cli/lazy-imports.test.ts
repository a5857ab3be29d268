// What a run loads, seen from outside the process and without timing anything: the built CLI runs under a
// module hook (test/cli/import-log.mjs) that logs every module it resolves. A run whose steps use only
// the local shell never loads @kubernetes/client-node, pg or libpg-query, even when the targets file
// defines (and the run never uses) a Kubernetes, a PostgreSQL and an ssh target; a run with a Kubernetes
// step loads the client (the positive control, against the fake API server of the Kubernetes tests).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKubeApi, startKubeApi } from '../fakes/kube-api.js';
import { REPO_ROOT } from '../support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const HOOK = path.join(REPO_ROOT, 'test/cli/import-log.mjs');
const STATE = mkdtempSync(path.join(tmpdir(), 'lazy-imports-'));
const ENV = { RUNBOOK_CONSOLE_KEY_DIR: path.join(STATE, 'keys'), RUNBOOK_CONSOLE_RUNS_DIR: path.join(STATE, 'runs') };

let n = 0;

/**
 * Runs `runbook run` with the targets file under the hook; the modules it resolved, as URLs. Not spawnSync:
 * the fake API server lives in this process and must answer while the run waits for it.
 */
async function runLogged(runbook: string, targets: string): Promise<{ status: number | null; stdout: string; stderr: string; modules: string[]; files: string[] }> {
  const dir = path.join(STATE, `case-${++n}`);
  const files = { runbook: `${dir}.md`, targets: `${dir}.targets.yaml`, log: `${dir}.imports` };
  writeFileSync(files.runbook, runbook);
  writeFileSync(files.targets, targets);
  writeFileSync(files.log, '');
  const child = spawn(process.execPath, ['--import', HOOK, CLI, 'run', files.runbook, '--targets', files.targets, '--yes', '--journal', dir], {
    env: { ...process.env, ...ENV, IMPORT_LOG: files.log },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const read = readFileSync(files.log, 'utf8').split('\n').filter(Boolean);
  return { status, stdout, stderr, modules: unbundled(read), files: read };
}

/**
 * The CLI ships bundled (scripts/bundle-cli.mjs): a file of dist/bin/ holds many modules. Each is listed here as
 * the module it holds, by the bundle's own manifest (dist/bin/modules.json), as file URLs of their paths —
 * so what a run loaded reads the same as it would unbundled.
 */
function unbundled(urls: string[]): string[] {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'dist/bin/modules.json'), 'utf8')) as Record<string, string[]>;
  const bin = `${pathToFileURL(path.join(REPO_ROOT, 'dist/bin')).href}/`;
  return urls.flatMap((url) => {
    const held = url.startsWith(bin) ? manifest[url.slice(bin.length)] : undefined;
    return held ? held.map((module) => pathToFileURL(path.join(REPO_ROOT, module)).href) : [url];
  });
}

const loaded = (modules: string[], pkg: string) => modules.some((url) => url.includes(`/node_modules/${pkg}/`));

const LOCAL_RUNBOOK = `# Local only

- [ ] **Say hello**
  \`\`\`bash
  echo hello from the local shell
  \`\`\`
`;

describe('a run loads only what its steps use', () => {
  let api: FakeKubeApi;

  beforeAll(async () => {
    api = await startKubeApi();
    api.kubeconfig();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('local steps only: no Kubernetes client, no pg, no libpg-query, though the targets file defines such targets', async () => {
    const targets = [
      'targets:',
      '  local: { kind: local }',
      `  cluster: { kind: kubernetes, kubeconfig: ${path.join(api.dir, 'kubeconfig')}, context: fake }`,
      '  db: { kind: postgres, host: 127.0.0.1, database: app, user: app, passwordEnv: LAZY_TEST_NO_SUCH_PASSWORD }',
      '  web: { kind: ssh, host: 127.0.0.1, user: nobody }',
      '',
    ].join('\n');
    const res = await runLogged(LOCAL_RUNBOOK, targets);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('  │ hello from the local shell\n');
    // The hook saw the run (a sanity check that the log is the run's): the CLI and the local executor.
    expect(res.modules.some((url) => url.endsWith('/dist/main/targets/local/executor.js'))).toBe(true);
    expect(loaded(res.modules, '@kubernetes/client-node'), 'the Kubernetes client was loaded').toBe(false);
    // Nor the executor, its client wrapper or the kubeconfig reader (kubectl-lines.js, a lexer for kubectl
    // lines that the value checks share, is all of targets/kubernetes/ a local run may load).
    expect(res.modules.filter((url) => url.includes('/dist/main/targets/kubernetes/') && !url.endsWith('/kubectl-lines.js'))).toEqual([]);
    expect(loaded(res.modules, 'pg'), 'pg was loaded').toBe(false);
    expect(loaded(res.modules, 'libpg-query'), 'libpg-query was loaded').toBe(false);
    // Read from the bundle: zod and the markdown parser (95 and over 150 modules) are not read file by file.
    expect(loaded(res.files, 'zod') || loaded(res.files, 'micromark'), 'zod or micromark read from node_modules').toBe(false);
    expect(loaded(res.modules, 'zod') && loaded(res.modules, 'micromark')).toBe(true);
  });

  it('control: a Kubernetes step loads the client (and runs against the fake API server)', async () => {
    const targets = ['targets:', `  cluster: { kind: kubernetes, kubeconfig: ${path.join(api.dir, 'kubeconfig')}, context: fake }`, ''].join('\n');
    const runbook = `# Kubernetes

- [ ] **List namespaces**
  \`\`\`bash {"target":"cluster"}
  kubectl get ns
  \`\`\`
`;
    const res = await runLogged(runbook, targets);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('on cluster (kubernetes');
    expect(loaded(res.modules, '@kubernetes/client-node')).toBe(true);
  });
});
