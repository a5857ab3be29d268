// Past runs and bundles in Chromium over `runbook serve`: a run killed with its host (SIGKILL) is listed
// unfinished by the next serve on the same runs directory; a finished run is listed sealed and verifies on
// demand, then exported; the exported bundle opens read only (report, steps, no run actions) and verifies.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { finishAndSeal, openPage, serveIn, stepCard, exportReport } from './support/console-page.js';
import { REPO_ROOT, type ServeHandle } from './support/serve.mjs';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e-artifacts');
const RUNBOOK = `# History in the browser

## Say hello

\`\`\`bash
echo "hello from the history check"
\`\`\`

## Say goodbye

\`\`\`bash
echo goodbye
\`\`\`
`;

let root: string;
let file: string;
let served: ServeHandle | null = null;
let browser: Browser;
let page: Page;

/** `runbook serve` on the test's runs directory (served.kill('SIGKILL') ends it as a crash would). */
const serve = () => serveIn(root, { file });

const card = (title: string): Locator => stepCard(page, title);
const pastRuns = () => page.locator('[data-testid=past-run]');

async function startRun(operator: string): Promise<void> {
  await page.fill('input[aria-label=Operator]', operator);
  await page.click('button:has-text("Start run")');
  await page.waitForSelector('[data-testid=run-view]');
  await card('Say hello').locator('[data-testid=run-button]').click();
  await expect.poll(() => card('Say hello').getAttribute('data-status')).toBe('succeeded');
}

describe.skipIf(chromiumMissing)('the console in Chromium: past runs and exported bundles', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-history-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    file = path.join(root, 'history.md');
    writeFileSync(file, RUNBOOK);
    ({ browser, page } = await openPage([]));
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a run whose serve was killed (SIGKILL) is listed unfinished by the next serve on the same runs directory', async () => {
    served = await serve();
    await page.goto(served.url);
    await startRun('Killed Kim');
    await served.kill('SIGKILL');
    served = await serve();
    await page.goto(served.url);
    await page.click('nav >> button:has-text("History")');
    await expect.poll(() => pastRuns().count()).toBe(1);
    const row = pastRuns().first();
    expect(await row.getAttribute('data-state')).toBe('unfinished');
    expect(await row.locator('[data-testid=past-run-operator]').textContent()).toBe('Killed Kim');
    expect(await row.locator('[data-testid=past-run-title]').textContent()).toBe('History in the browser');
    // It verifies as far as it goes (not sealed: nothing signed yet).
    await row.locator('button:has-text("Verify")').click();
    await expect.poll(() => row.locator('[data-testid=history-verify-result]').getAttribute('data-verdict')).toBe('unanchored');
  });

  it('a finished run is listed sealed and verifies on demand; exported, it is listed exported', async () => {
    await page.click('nav >> button:has-text("Runbook")');
    await startRun('Sealed Sam');
    await finishAndSeal(page);
    await expect.poll(() => page.getAttribute('[data-testid=run-view]', 'data-run-status')).toBe('finished');
    await page.click('nav >> button:has-text("History")');
    const row = page.locator('[data-testid=past-run]', { has: page.locator('[data-testid=past-run-operator]', { hasText: 'Sealed Sam' }) });
    await expect.poll(() => row.getAttribute('data-state')).toBe('sealed');
    await row.locator('button:has-text("Verify")').click();
    await expect.poll(() => row.locator('[data-testid=history-verify-result]').getAttribute('data-verdict')).toBe('self-anchored');
    await page.screenshot({ path: path.join(ARTIFACTS, 'history-1-list.png') });

    await page.click('nav >> button:has-text("Run")');
    const key = path.join(root, 'alice_ed25519');
    expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sam', '-f', key]).status).toBe(0);
    await page.fill('input[aria-label="Export directory"]', path.join(root, 'bundle'));
    await page.fill('input[aria-label="Signing key file"]', key);
    await exportReport(page);
    await page.click('nav >> button:has-text("History")');
    await expect.poll(() => row.getAttribute('data-state')).toBe('exported');
  });

  it('opens the exported bundle read only: its report and steps, verified, and nothing to run', async () => {
    await page.fill('input[aria-label="Bundle path"]', path.join(root, 'bundle'));
    await page.click('button:has-text("Open bundle")');
    const bundle = page.locator('[data-testid=bundle]');
    await expect.poll(() => bundle.locator('[data-testid=bundle-title]').textContent()).toBe('History in the browser');
    expect(await bundle.locator('[data-testid=bundle-operator]').textContent()).toBe('Sealed Sam');
    expect(await bundle.locator('[data-testid=bundle-step]').count()).toBeGreaterThanOrEqual(1);
    expect(await bundle.locator('[data-testid=bundle-step]').first().getAttribute('data-status')).toBe('succeeded');
    expect(await bundle.locator('[data-testid=bundle-excerpt]').first().textContent()).toContain('hello from the history check');
    expect(await page.locator('[data-testid=history-page] [data-testid=run-button]').count()).toBe(0);
    await bundle.locator('button:has-text("Verify bundle")').click();
    await expect.poll(() => bundle.locator('[data-testid=history-verify-result]').textContent()).toMatch(/^Intact/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'history-2-bundle.png') });
  });
});
