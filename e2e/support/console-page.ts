// The set-up the console's e2e files share: `runbook serve` with its settings, runs and keys under the test's
// own directory, and Chromium with one page whose errors are collected (a test ends by expecting none).
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
