// Fast open (issue 13, item 10), in Chromium over `runbook serve`: every step's title is in the page at once
// (find-in-page and a screen reader reach each), while the bodies of steps far below — prose, code blocks —
// are built only as they near the viewport; one scrolled to is built with its code. The first screen's
// questions go out on one connection while the console's script loads, and each such answer is used once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { openPage, serveIn } from './support/console-page.js';
import type { ServeHandle } from './support/serve.mjs';

const STEPS = 200;
const RUNBOOK = `# Many steps\n\n## Work\n\n${Array.from({ length: STEPS }, (_, i) => `- [ ] Step number ${i + 1}\n  Check what step ${i + 1} did.\n  \`\`\`bash\n  echo step-${i + 1}-output\n  \`\`\`\n`).join('')}`;

let root: string;
let serve: ServeHandle;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** Every frame the first page sent on its API socket(s), parsed; and how many sockets it opened. */
const sent: { id: number; method: string }[] = [];
let sockets = 0;
const step = (n: number) => page.locator('[data-testid=step]', { has: page.locator('[data-testid=step-title]', { hasText: new RegExp(`^Step number ${n}$`) }) });

describe.skipIf(chromiumMissing)('the console in Chromium: fast open', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-fast-open-'));
    writeFileSync(path.join(root, 'many.md'), RUNBOOK);
    serve = await serveIn(root, { file: path.join(root, 'many.md') });
    ({ browser, page } = await openPage(pageErrors, { viewport: { width: 1280, height: 800 } }));
    page.on('websocket', (socket) => {
      sockets += 1;
      socket.on('framesent', (frame) => sent.push(JSON.parse(String(frame.payload)) as { id: number; method: string }));
    });
    await page.goto(serve.url);
    await page.waitForSelector('[data-testid=step]');
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('every title is in the page at once; the first bodies are built, those far below are not yet', async () => {
    expect(await page.locator('[data-testid=step-title]').count()).toBe(STEPS);
    expect(await step(1).locator('[data-testid=block]').count()).toBe(1);
    expect(await step(STEPS).getAttribute('data-built')).toBeNull();
    expect(await step(STEPS).locator('[data-testid=block]').count()).toBe(0);
    // Fewer blocks built than steps: the page did not build all of them up front.
    expect(await page.locator('[data-testid=block]').count()).toBeLessThan(STEPS);
  });

  it('a step scrolled to is built, with its prose and code; no page errors', async () => {
    await step(STEPS).scrollIntoViewIfNeeded();
    await expect.poll(() => step(STEPS).locator('[data-testid=block] code').textContent()).toBe(`echo step-${STEPS}-output`);
    expect(await step(STEPS).locator('.step-body').textContent()).toContain(`Check what step ${STEPS} did.`);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });

  it('asks the first screen questions once, on the one socket the boot entry opened', async () => {
    expect(sockets).toBe(1);
    expect(sent.slice(0, 4).map((f) => [f.id, f.method])).toEqual([
      [1, 'app.info'],
      [2, 'settings.get'],
      [3, 'runbook.current'],
      [4, 'runs.current'],
    ]);
    for (const method of ['app.info', 'settings.get', 'runbook.current']) expect(sent.filter((f) => f.method === method)).toHaveLength(1);
  });

  it('the first screen loads no schema library: the host checks its answers, the page reads them', async () => {
    // zod and the API contract's schemas were a fifth of the first screen's script; they are the host's job.
    const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name).filter((n) => n.endsWith('.js')));
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const url of scripts) {
      const text = await page.evaluate(async (u) => (await fetch(u)).text(), url);
      expect(text.length, url).toBeGreaterThan(0);
      expect(text.includes('_zod'), `${url} holds zod`).toBe(false);
    }
  });

  it('an early answer is never given twice: after a run starts, going back to the runbook finds it open', async () => {
    // runs.current was answered "no open run" while the page loaded; the notice asks again and must be told the truth.
    await page.fill('input[aria-label=Operator]', 'e2e');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForSelector('[data-testid=run-view]');
    await page.getByRole('button', { name: 'Back to the runbook' }).click();
    await expect.poll(() => page.locator('[data-testid=open-run]').count()).toBe(1);
    expect(sent.filter((f) => f.method === 'runs.current').length).toBeGreaterThan(1);
    expect(sockets).toBe(1);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
