// The console in Chromium: `runbook serve FILE` started as a user starts it, the page checked as a user sees it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test/support/shared.js';
import { chromiumMissing, launchChromium } from './support/browser.js';

let serve: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const requests: string[] = [];

/** Starts the real CLI and waits for the address it prints. */
function startServe(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    serve = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/bin/runbook.js'), 'serve', file, '--settings-dir', mkdtempSync(path.join(tmpdir(), 'e2e-settings-'))], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    serve.stdout?.on('data', (chunk) => {
      out += String(chunk);
      const m = /Open: (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    serve.stderr?.on('data', (chunk) => (out += String(chunk)));
    serve.once('exit', (code) => reject(new Error(`runbook serve exited with ${code}: ${out}`)));
  });
}

describe.skipIf(chromiumMissing)('runbook serve in Chromium', () => {
  beforeAll(async () => {
    url = await startServe('runbooks/payments-db-maintenance.md');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    serve?.kill('SIGTERM');
  });

  it('shows the parsed runbook: title, sections, steps with profile badges, blocks with their action', async () => {
    await expect.poll(() => page.textContent('[data-testid=runbook-title]')).toBe('Payments Database Maintenance Window');
    const sections = await page.locator('[data-testid=section] > .section-title').allTextContents();
    expect(sections).toEqual(expect.arrayContaining(['1. Preparation', 'Vault checks', '2. Maintenance', '3. Verification', 'Sign-Off']));
    const titles = await page.locator('[data-testid=step-title]').allTextContents();
    expect(titles).toHaveLength(15);
    expect(titles[0]).toBe('Change ticket is approved');

    const backup = page.locator('[data-testid=step]', { hasText: 'Take a logical backup of the ledger' });
    await expect.poll(() => backup.locator('[data-testid=profile-badge]').textContent()).toBe('REGULATED+');
    const vault = page.locator('[data-testid=step]', { hasText: 'Database credentials were checked out' });
    expect(await vault.locator('[data-testid=profile-badge]').textContent()).toBe('RESTRICTED');

    const actions = await page.locator('[data-testid=block-action]').allTextContents();
    expect(actions.sort()).toEqual(['k8s-manifest', 'promql', 'shell', 'shell', 'shell', 'shell', 'sql', 'sql', 'sql']);
    const manifest = page.locator('[data-testid=block][data-action=k8s-manifest]');
    expect(await manifest.locator('code').textContent()).toContain('kind: Deployment');
    expect(await manifest.locator('[data-testid=block-action]').getAttribute('title')).toMatch(/apiVersion and kind/);
  });

  it('took the token out of the address bar and loaded nothing from outside the host', async () => {
    expect(page.url()).not.toContain('token');
    const origin = new URL(url).origin;
    const foreign = requests.filter((r) => !r.startsWith(origin) && !r.startsWith(origin.replace('http', 'ws')) && !r.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(pageErrors, pageErrors.join("\n")).toEqual([]);
  });

  it('opens another runbook by path, and shows a FILE:LINE:COLUMN error with its code for a bad one', async () => {
    await page.fill('input[aria-label="Runbook path"]', path.join(REPO_ROOT, 'runbooks/local-health-check.md'));
    await page.click('button:has-text("Open")');
    await expect.poll(() => page.textContent('[data-testid=runbook-title]')).toBe('Workstation Health Check');
    await page.fill('input[aria-label="Runbook path"]', path.join(REPO_ROOT, 'package-lock-missing.md'));
    await page.click('button:has-text("Open")');
    await expect.poll(() => page.textContent('[data-testid=load-error]')).toMatch(/package-lock-missing\.md:1:1: error: cannot read: no such file \[file-unreadable\]/);
    expect(await page.textContent('[data-testid=runbook-title]')).toBe('Workstation Health Check');
    await page.screenshot({ path: path.join(REPO_ROOT, 'test-results/serve.png') });
  });

  it('a page without the token cannot reach the API', async () => {
    const other = await browser.newPage();
    await other.goto(new URL(url).origin + '/');
    await expect.poll(() => other.textContent('[role=alert]')).toMatch(/No access token/);
    await other.close();
  });
});
