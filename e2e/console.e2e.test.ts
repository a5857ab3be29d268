// The operator's console in Chromium, end to end over `runbook serve`: the whole run of
// support/whole-run.ts, then themes, and nothing loaded from elsewhere, no page errors.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from './support/browser.js';
import { REPO_ROOT, type ServeHandle, startServe } from './support/serve.mjs';
import { WHOLE_RUN_RUNBOOK, wholeRunScenario } from './support/whole-run.js';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e-artifacts');
let root: string;
let serve: ServeHandle;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const foreign: string[] = [];

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });

describe.skipIf(chromiumMissing)('the console in Chromium: a whole run', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-console-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(root, 'change.md');
    writeFileSync(file, WHOLE_RUN_RUNBOOK);
    serve = await startServe({ file, settingsDir: path.join(root, 'settings'), runsDir: path.join(root, 'runs'), env: { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') pageErrors.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(serve.origin) && !r.url().startsWith(serve.origin.replace('http', 'ws')) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(serve.url);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  wholeRunScenario({ page: () => page, root: () => root, keyDir: () => path.join(root, 'keys'), shot });

  it('switches themes, loaded nothing from elsewhere, and raised no page errors (no CSP refusals either)', async () => {
    const before = await page.getAttribute('html', 'data-theme');
    await page.click('[data-testid=theme-toggle]');
    expect(await page.getAttribute('html', 'data-theme')).not.toBe(before);
    await shot(`5-theme-${await page.getAttribute('html', 'data-theme')}`);
    expect(foreign).toEqual([]);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
