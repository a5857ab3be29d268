// The set-up the console's e2e files share: `runbook serve` with its settings, runs and keys under the test's
// own directory, and Chromium with one page whose errors are collected (a test ends by expecting none).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { type ServeHandle, startServe } from './serve.mjs';

/** `runbook serve` (on `file`, else the library) with settings/, runs/ and keys/ under `root`; `env` adds to or overrides that. */
export function serveIn(root: string, options: { file?: string; settingsDir?: string; env?: Record<string, string> } = {}): Promise<ServeHandle> {
  return startServe({
    ...(options.file ? { file: options.file } : {}),
    settingsDir: options.settingsDir ?? path.join(root, 'settings'),
    runsDir: path.join(root, 'runs'),
    env: { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), ...options.env },
  });
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** Collect the console's errors too (a refused resource, a React warning), not only uncaught exceptions. */
  consoleErrors?: boolean;
  bypassCSP?: boolean;
}

/** Chromium with one page (1400×900 unless told), its uncaught errors (and, when asked, console errors) pushed to `errors`. */
export async function openPage(errors: string[], options: PageOptions = {}): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1400, height: 900 }, ...(options.bypassCSP ? { bypassCSP: true } : {}) });
  page.on('pageerror', (e) => errors.push(e.message));
  if (options.consoleErrors) {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  }
  return { browser, page };
}

/**
 * Confirms the seal dialog Finish or Export opened (sealing is final): with the reason REGULATED and above
 * need when steps are unfinished (the field is there only then), then waits for the dialog to go.
 */
export async function confirmSeal(page: Page, reason = 'sealed early in the e2e walk'): Promise<void> {
  const dialog = page.locator('[data-testid=seal-dialog]');
  await dialog.waitFor();
  const why = dialog.locator('textarea[aria-label="Why seal early"]');
  if ((await why.count()) > 0) await why.fill(reason);
  await dialog.locator('button[type=submit]').click();
  await dialog.waitFor({ state: 'detached' });
}

/** Finish and seal, confirmed in the dialog. */
export async function finishAndSeal(page: Page, reason?: string): Promise<void> {
  await page.click('button:has-text("Finish and seal")');
  await confirmSeal(page, reason);
}

/** Export signed report; an unsealed run is sealed first, confirmed in the dialog. Waits for the export's result. */
export async function exportReport(page: Page, reason?: string): Promise<void> {
  const sealed = (await page.locator('[data-testid=ticket-line]').count()) > 0;
  await page.click('button:has-text("Export signed report")');
  if (!sealed) await confirmSeal(page, reason);
  await page.waitForSelector('[data-testid=export-result]', { timeout: 30_000 });
}

/** A run step's card in the run view, found by (part of) its title — or the whole title, given as a RegExp. */
export function stepCard(page: Page, title: string | RegExp): Locator {
  return page.locator('[data-testid=run-step]', { has: page.locator('[data-testid=step-title]', { hasText: title }) });
}

export interface JournalLine {
  seq: number;
  run: string;
  type: string;
  data: Record<string, any>;
}

/** The records of the first run in `root`'s runs directory (the e2e walks make one run), parsed. */
export function firstRunJournal(root: string): JournalLine[] {
  const runs = path.join(root, 'runs');
  return readFileSync(path.join(runs, readdirSync(runs)[0] as string, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JournalLine);
}
