// A manifest in the console, in Chromium over `runbook serve`: the server-side dry-run's diff shows in the
// block's terminal, the operator is asked before anything is applied, and "No" leaves the cluster as it
// was while "Yes" applies it. The cluster is the small API fake under test/ (no Kubernetes API server can
// be had here), reached through the real @kubernetes/client-node and a real kubeconfig.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKubeApi, startKubeApi } from '../test/fakes/kube-api.js';
import { chromiumMissing, launchChromium } from './support/browser.js';
import { REPO_ROOT, type ServeHandle, startServe } from './support/serve.mjs';

const RUNBOOK = `# Config change

- [ ] Switch the app to green
  \`\`\`yaml
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: app-config
    namespace: default
  data:
    mode: green
  \`\`\`
`;

const ARTIFACTS = path.join(REPO_ROOT, 'e2e-artifacts');
const POLL = { timeout: 15_000 };
let root: string;
let kube: FakeKubeApi;
let serve: ServeHandle;
let browser: Browser;
let page: Page;

const step = (): Locator => page.locator('[data-testid=run-step]').first();
const mode = () => (kube.object('configmaps', 'default', 'app-config') as { data: { mode: string } }).data.mode;

describe.skipIf(chromiumMissing)('the console in Chromium: a Kubernetes manifest', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-kube-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    kube = await startKubeApi();
    const kubeconfig = kube.kubeconfig();
    kube.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data: { mode: 'blue' } }, 'runbook-console');
    const settingsDir = path.join(root, 'settings');
    mkdirSync(settingsDir);
    writeFileSync(path.join(settingsDir, 'settings.json'), JSON.stringify({ version: 1, targets: { cluster: { kind: 'kubernetes', kubeconfig, context: 'fake' } }, defaults: { k8s: 'cluster' } }));
    const file = path.join(root, 'change.md');
    writeFileSync(file, RUNBOOK);
    serve = await startServe({ file, settingsDir, runsDir: path.join(root, 'runs'), env: { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(serve.url);
    await page.fill('input[aria-label=Operator]', 'Kim Operator');
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await kube?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('shows the dry-run diff and asks; No applies nothing', async () => {
    expect(await step().locator('[data-testid=block-action]').textContent()).toBe('k8s-manifest');
    expect(await step().locator('[data-testid=block-target]').textContent()).toBe('→ cluster (kubernetes, context fake)');
    await step().locator('[data-testid=run-button]').click();
    const question = page.locator('[data-testid=question]');
    await question.waitFor(POLL);
    expect(await question.textContent()).toMatch(/Apply 1 change\(s\) to .*\(0 created, 1 configured\)\? configmaps?\/app-config/i);
    const terminal = step().locator('.xterm-rows');
    await expect.poll(() => terminal.textContent()).toContain('-  mode: blue');
    expect(await terminal.textContent()).toContain('+  mode: green');
    await page.screenshot({ path: path.join(ARTIFACTS, '12-manifest-diff.png') });
    await question.locator('button:has-text("No")').click();
    await expect.poll(() => step().getAttribute('data-status'), POLL).toBe('cancelled');
    expect(mode()).toBe('blue');
  });

  it('Yes applies it', async () => {
    await step().locator('[data-testid=run-button]').click();
    const question = page.locator('[data-testid=question]');
    await question.waitFor(POLL);
    await question.locator('button:has-text("Yes")').click();
    await expect.poll(() => step().getAttribute('data-status'), POLL).toBe('succeeded');
    expect(mode()).toBe('green');
    await expect.poll(() => step().locator('.xterm-rows').textContent()).toMatch(/app-config configured/);
  });
});
