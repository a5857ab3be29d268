// Guards where it matters, in Chromium over `runbook serve` (issue 13, item 1): Finish and Export ask first,
// in a dialog naming each unfinished step by title; a REGULATED run seals early only with a reason, which is
// journaled; a recorded decision, mark or skip changes only with a reason, shown on the step as a change.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, seriousOnes } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { rotateRunbook } from '../test/support/runbook-fixtures.js';
import { firstRunJournal, openPage, serveIn, stepCard } from './support/console-page.js';
import type { ServeHandle } from './support/serve.mjs';

const RUNBOOK = rotateRunbook('echo checked', `
## Go / No-Go

- [ ] Is the new chain valid? GO / NO-GO
`);

let root: string;
let serve: ServeHandle;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const card = (title: string): Locator => stepCard(page, title);
const journal = () => firstRunJournal(root);

describe.skipIf(chromiumMissing)('the console in Chromium: guards where it matters', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-guards-'));
    const file = path.join(root, 'rotate.md');
    writeFileSync(file, RUNBOOK);
    serve = await serveIn(root, { file });
    // axe-core is injected as a script: the page's CSP (script-src 'self') is bypassed for it.
    ({ browser, page } = await openPage(pageErrors, { bypassCSP: true }));
    await page.goto(serve.url);
    await page.waitForSelector('button:has-text("Start run")');
    await page.selectOption('select[aria-label=Profile]', 'regulated');
    await page.fill('input[aria-label=Operator]', 'Alice Operator');
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a recorded decision is final: another choice asks why, and the change shows on the step', async () => {
    const decision = card('Is the new chain valid?');
    await decision.getByRole('button', { name: /^GO/ }).click();
    await expect.poll(() => decision.getAttribute('data-decision')).toBe('GO');
    expect(await decision.getByRole('button', { name: /^GO/ }).isDisabled()).toBe(true); // the same again changes nothing
    await decision.getByRole('button', { name: /^NO-GO/ }).click();
    // Nothing is recorded by the click alone: the reason form asks first.
    const why = decision.getByRole('textbox', { name: /Why change it to NO-GO/ });
    await why.waitFor();
    expect(await decision.getAttribute('data-decision')).toBe('GO');
    expect(await decision.getByRole('button', { name: 'Change the decision to NO-GO' }).isDisabled()).toBe(true);
    await why.fill('the chain check found an expired intermediate');
    await decision.getByRole('button', { name: 'Change the decision to NO-GO' }).click();
    await expect.poll(() => decision.getAttribute('data-decision')).toBe('NO-GO');
    const activity = decision.locator('[data-testid=step-notes] li[data-kind=change]');
    await expect.poll(() => activity.textContent()).toMatch(/Changed · Alice Operator · .*changed the decision from GO to NO-GO — the chain check found an expired intermediate/);
    expect(journal().find((r) => r.type === 'step.note' && r.data.change === 'decision')?.data).toMatchObject({ from: 'GO', to: 'NO-GO', reason: 'the chain check found an expired intermediate' });
  });

  it('a skip is final until taken back with a reason', async () => {
    const copy = card('Copy the new certificate');
    await copy.getByRole('button', { name: 'Skip Copy the new certificate' }).click();
    await copy.locator('textarea').fill('copied yesterday');
    await copy.getByRole('button', { name: 'Skip step' }).click();
    await expect.poll(() => copy.getAttribute('data-status')).toBe('skipped');
    expect(await copy.locator('[data-testid=run-button]').count()).toBe(0); // not offered to run while skipped
    await copy.getByRole('button', { name: /^Undo skip of Copy the new certificate/ }).click();
    await copy.locator('textarea').fill("yesterday's copy was the old file");
    await copy.getByRole('button', { name: 'Undo the skip', exact: true }).click();
    await expect.poll(() => copy.getAttribute('data-status')).toBe('pending');
    await copy.getByRole('button', { name: 'Run Copy the new certificate' }).click();
    await expect.poll(() => copy.getAttribute('data-status')).toBe('succeeded');
  });

  it('a new run does not seal the open one unseen: Start run asks first, naming its unfinished steps; Cancel seals nothing', async () => {
    await page.getByRole('button', { name: 'Back to the runbook' }).click();
    await page.fill('input[aria-label=Operator]', 'Bob Operator');
    await page.getByRole('button', { name: 'Start run' }).click();
    const dialog = page.getByRole('dialog', { name: /Another run takes the open run's place\. Seal the run with 2 steps unfinished\?/ });
    await dialog.waitFor();
    expect(await dialog.locator('[data-testid=unfinished-steps] li').allTextContents()).toEqual(['Check the chain — not run', 'Tell the channel by hand — not marked done']);
    expect(await dialog.getByRole('button', { name: 'Seal it and go on' }).isDisabled()).toBe(true); // REGULATED: a reason first
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(journal().some((r) => r.type === 'run.finished' || r.type === 'run.ended-early')).toBe(false);
    await page.getByRole('button', { name: 'Back to the open run' }).click();
    await page.waitForSelector('[data-testid=run-view]');
  });

  it('Finish asks first, naming each unfinished step by title; REGULATED needs a reason; Cancel and Esc seal nothing; no serious axe issue', async () => {
    await page.click('button:has-text("Finish and seal")');
    // The decision is made and the skipped step ran: two are left, each named with why.
    const dialog = page.getByRole('dialog', { name: 'Seal the run with 2 steps unfinished?' });
    await dialog.waitFor();
    const listed = await dialog.locator('[data-testid=unfinished-steps] li').allTextContents();
    expect(listed).toEqual(['Check the chain — not run', 'Tell the channel by hand — not marked done']);
    expect(seriousOnes(await axeViolations(page))).toEqual([]);
    const seal = dialog.getByRole('button', { name: 'Seal the run' });
    expect(await seal.isDisabled()).toBe(true); // no reason yet
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.click('button:has-text("Finish and seal")');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(journal().some((r) => r.type === 'run.finished')).toBe(false);
    await page.click('button:has-text("Finish and seal")');
    await dialog.getByRole('textbox', { name: 'Why seal early' }).fill('window closes; the rest is in CHG-7');
    await seal.click();
    await expect.poll(() => page.getAttribute('[data-testid=run-view]', 'data-run-status')).toBe('finished');
    const records = journal();
    const early = records.find((r) => r.type === 'run.ended-early');
    expect(early?.data).toMatchObject({ by: 'Alice Operator', reason: 'window closes; the rest is in CHG-7' });
    expect(early?.data.unfinished.map((u: { title: string }) => u.title)).toEqual(listed.map((l) => l.split(' — ')[0]));
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });

  it('History and Settings: one h1 each, no serious axe issue; the sealed run is listed sealed', async () => {
    await page.getByRole('button', { name: 'History' }).click();
    await page.waitForSelector('[data-testid=past-run]');
    expect(await page.locator('h1:visible').allTextContents()).toEqual(['History']);
    expect(await page.locator('[data-testid=past-run]').first().getAttribute('data-state')).toBe('sealed');
    expect(seriousOnes(await axeViolations(page))).toEqual([]);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.waitForSelector('[data-testid=settings-page]');
    expect(await page.locator('h1:visible').allTextContents()).toEqual(['Settings']);
    expect(seriousOnes(await axeViolations(page))).toEqual([]);
  });
});
