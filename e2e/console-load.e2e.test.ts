// A large runbook in Chromium over `runbook serve` (issue 12: the console stays responsive while a large
// runbook loads): a generated ~12 MB runbook shows a progress bar (role=progressbar, aria-valuenow rising as
// main reports the bytes parsed), the page answers clicks meanwhile, and then the runbook's steps show — the
// first few hundred, more as the operator scrolls. Both at start-up (`runbook serve FILE`) and opened by path.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largeRunbook } from '../test/support/runbook-fixtures.js';
import { chromiumMissing } from './support/browser.js';
import { openPage, serveIn } from './support/console-page.js';
import { REPO_ROOT, type ServeHandle } from './support/serve.mjs';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e-artifacts');
const LOAD = { timeout: 120_000, intervals: [250] };
let root: string;
let file: string;
let serve: ServeHandle;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** The progress bar's values while it shows (it goes away once the runbook is open). */
async function watchProgress(): Promise<number[]> {
  const seen: number[] = [];
  await page.waitForSelector('[role=progressbar]', { timeout: 30_000 });
  for (;;) {
    const value = await page.getAttribute('[role=progressbar]', 'aria-valuenow', { timeout: 1_000 }).catch(() => null);
    if (value === null) return seen;
    if (seen.at(-1) !== Number(value)) seen.push(Number(value));
    await page.waitForTimeout(100);
  }
}

describe.skipIf(chromiumMissing)('the console in Chromium: a large runbook', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-load-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    file = path.join(root, 'large.md');
    writeFileSync(file, largeRunbook(12_000_000));
    serve = await serveIn(root, { file });
    ({ browser, page } = await openPage(pageErrors, { consoleErrors: true }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('at start-up: a progress bar that rises while main parses, a page that answers meanwhile, then the steps', async () => {
    await page.goto(serve.url);
    await page.waitForSelector('[role=progressbar]', { timeout: 30_000 });
    expect(await page.getAttribute('[role=progressbar]', 'aria-valuemin')).toBe('0');
    expect(await page.getAttribute('[role=progressbar]', 'aria-valuemax')).toBe('100');
    expect(await page.textContent('[data-testid=load-progress]')).toContain(file);
    await page.screenshot({ path: path.join(ARTIFACTS, 'load-1-progress.png') });
    // The page stays usable: the theme toggles at once while the runbook loads.
    const theme = await page.getAttribute('html', 'data-theme');
    const clicked = Date.now();
    await page.click('[data-testid=theme-toggle]');
    await expect.poll(() => page.getAttribute('html', 'data-theme'), { timeout: 2_000 }).not.toBe(theme);
    expect(Date.now() - clicked).toBeLessThan(2_000);
    const values = await watchProgress();
    // Main reported progress several times over the load (it answered the page between chunks).
    expect(values.length, values.join(' ')).toBeGreaterThanOrEqual(3);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBeGreaterThan(values[0] as number);
    await expect.poll(() => page.textContent('[data-testid=runbook-title]'), LOAD).toBe('A large runbook');
    const meta = (await page.textContent('[data-testid=runbook-meta]')) as string;
    const total = Number(/^([\d]+) steps/.exec(meta)?.[1]);
    expect(total).toBeGreaterThan(5_000);
    // The first few hundred steps are on the page; the rest come as the operator scrolls.
    expect(await page.locator('[data-testid=step]').count()).toBe(300);
    expect(await page.textContent('[data-testid=more-steps]')).toContain(`300 of ${total.toLocaleString('en')} steps shown`);
    await page.locator('[data-testid=more-steps]').scrollIntoViewIfNeeded();
    await expect.poll(() => page.locator('[data-testid=step]').count()).toBeGreaterThan(300);
    expect(await page.locator('[role=progressbar]').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'load-2-steps.png') });
  }, 150_000);

  it('opened by path: the progress bar again, then the same runbook; no page errors', async () => {
    await page.fill('input[aria-label="Runbook path"]', file);
    await page.click('button:has-text("Open")');
    const values = await watchProgress();
    expect(values.length, values.join(' ')).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.locator('[data-testid=step]').count(), LOAD).toBeGreaterThanOrEqual(300);
    expect(await page.locator('[data-testid=load-error]').count()).toBe(0);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  }, 150_000);
});
