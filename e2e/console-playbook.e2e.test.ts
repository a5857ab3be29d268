// A playbook written without code, walked in Chromium over `runbook serve`: manual steps marked done and
// failed, typed inputs (a value the field cannot take is held back, a required one missing keeps the step
// from being done), a Go/No-Go decision that says where each choice leads and takes the operator there,
// callouts shown as notes — and the journal holding every mark, value and choice.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from './support/browser.js';
import { REPO_ROOT, type ServeHandle, startServe } from './support/serve.mjs';
import { finishAndSeal, stepCard } from './support/console-page.js';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e-artifacts');
let root: string;
let serve: ServeHandle;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const card = (title: string): Locator => stepCard(page, title);
const status = (title: string) => card(title).getAttribute('data-status');
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `playbook-${name}.png`), fullPage: false });

describe.skipIf(chromiumMissing)('the console in Chromium: a playbook done by hand', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-playbook-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(root, 'playbook.md');
    copyFileSync(path.join(REPO_ROOT, 'runbooks/incident-response-playbook.md'), file);
    serve = await startServe({ file, settingsDir: path.join(root, 'settings'), runsDir: path.join(root, 'runs'), env: { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(serve.url);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('shows the playbook\'s steps by kind, with its callouts as notes, before anything runs', async () => {
    await expect.poll(() => page.textContent('[data-testid=summary-steps]')).toBe('18');
    const kinds = await page.locator('[data-testid=step] .kind-badge').allTextContents();
    expect(new Set(kinds)).toEqual(new Set(['manual', 'input', 'decision', 'signoff']));
    expect(await page.locator('[data-testid=note][data-kind=important]').count()).toBe(1);
    expect(await page.locator('[data-testid=step]', { hasText: 'Pause the session clean-up job' }).locator('[data-testid=note][data-kind=note]').count()).toBe(1);
    await page.fill('input[aria-label=Operator]', 'Alice Operator');
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
    expect(await page.locator('[data-testid=run-step]').count()).toBe(18);
    await shot('1-started');
  });

  it('marks a manual step done, and another failed with what went wrong', async () => {
    const first = card('Open the authentication dashboard');
    expect(await first.locator('[data-testid=run-button]').count()).toBe(0); // nothing to run
    await first.locator('[data-testid=done-button]').click();
    await expect.poll(() => status('Open the authentication dashboard')).toBe('succeeded');
    const page2 = card('Page the identity team lead');
    await page2.locator('[data-testid=failed-button]').click();
    await page2.locator('textarea').fill('the on-call tool is down too');
    await page2.locator('button:has-text("Mark failed")').click();
    await expect.poll(() => status('Page the identity team lead')).toBe('failed');
    expect(await page2.locator('[data-testid=step-reason]').textContent()).toContain('the on-call tool is down too');
  });

  it('takes a typed value only when the field can take it, and records it when the field loses focus', async () => {
    const input = card('Error rate at the start');
    const field = input.locator('input[aria-label="Error rate at the start"]');
    await field.fill('lots');
    await expect.poll(() => input.locator('[data-testid=fillin-error]').textContent()).toContain('takes a percentage');
    await field.blur();
    expect(await input.locator('.saved').count()).toBe(0); // not sent
    await field.fill('7.5');
    await field.blur();
    await expect.poll(() => input.locator('.saved').count()).toBe(1);
    await input.locator('[data-testid=done-button]').click();
    await expect.poll(() => status('Error rate at the start')).toBe('succeeded');
  });

  it('an input with a required value missing is not done; once filled, it is', async () => {
    const table = card('Measurements after the restore');
    await table.locator('[data-testid=done-button]').click();
    await expect.poll(() => page.textContent('[data-testid=error-banner]')).toMatch(/not done: no value for "Sign-in error rate: Actual", "Time to recover: Actual"/);
    expect(await status('Measurements after the restore')).toBe('pending');
    await table.locator('input[aria-label="Sign-in error rate: Actual"]').fill('0.8');
    await table.locator('input[aria-label="Sign-in error rate: Actual"]').blur();
    await table.locator('input[aria-label="Time to recover: Actual"]').fill('22 min');
    await table.locator('input[aria-label="Time to recover: Actual"]').blur();
    await expect.poll(() => table.locator('.saved').count()).toBe(2);
    await table.locator('[data-testid=done-button]').click();
    await expect.poll(() => status('Measurements after the restore')).toBe('succeeded');
    await shot('2-inputs');
  });

  it('a Go/No-Go says where each choice leads; NO-GO takes the operator to the vendor escalation', async () => {
    const decision = card('Decide GO / NO-GO');
    expect(await decision.locator('[data-testid=decision-leads]').textContent()).toContain('NO-GO → Escalate to the vendor');
    await decision.locator('button', { hasText: /^NO-GO$/ }).click();
    await expect.poll(() => page.textContent('[data-testid=notice]')).toContain('NO-GO recorded: continue with “Escalate to the vendor”');
    await expect.poll(() => card('Escalate to the vendor').getAttribute('aria-current')).toBe('step');
    expect(await status('Decide GO / NO-GO')).toBe('succeeded');
    await shot('3-decided');
  });

  it('the journal holds every mark, value and choice; the page raised no errors', async () => {
    await finishAndSeal(page);
    await expect.poll(() => page.getAttribute('[data-testid=run-view]', 'data-run-status')).toBe('finished');
    const runs = path.join(root, 'runs');
    const { readdirSync } = await import('node:fs');
    const [run] = readdirSync(runs);
    const records = readFileSync(path.join(runs, run as string, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });
    expect(records.filter((r) => r.type === 'step.note').map((r) => [r.data.mark, r.data.note])).toEqual([
      ['pass', null],
      ['fail', 'the on-call tool is down too'],
      ['pass', null],
      ['pass', null],
    ]);
    expect(records.filter((r) => r.type === 'fillin').map((r) => [r.data.label, r.data.value])).toEqual([
      ['Error rate at the start', '7.5'],
      ['Sign-in error rate: Actual', '0.8'],
      ['Time to recover: Actual', '22 min'],
    ]);
    expect(records.filter((r) => r.type === 'decision').map((r) => r.data.decision)).toEqual(['NO-GO']);
    // A manual step marked failed fails the run.
    expect(records.find((r) => r.type === 'run.finished')?.data.ok).toBe(false);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
