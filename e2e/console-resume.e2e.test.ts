// Resume in Chromium over `runbook serve` (issue 13, item 5): serve is killed mid-run (SIGKILL, as a crash
// ends it); a new serve on the same runs directory offers the unfinished run back with "Resume", and the run
// goes on in the same journal: what was done shows on its steps, the next step runs, and it seals as one chain.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, seriousOnes } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { finishAndSeal, firstRunJournal, openPage, serveIn, stepCard } from './support/console-page.js';
import type { ServeHandle } from './support/serve.mjs';

const RUNBOOK = `# Resume me

## First

- [ ] Say one
  \`\`\`bash
  echo one
  \`\`\`

## Second

- [ ] Say two
  \`\`\`bash
  echo two
  \`\`\`
`;

let root: string;
let serve: ServeHandle;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const card = (title: string): Locator => stepCard(page, title);
const journal = () => firstRunJournal(root);

describe.skipIf(chromiumMissing)('the console in Chromium: Resume after serve was killed', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-resume-'));
    writeFileSync(path.join(root, 'resume.md'), RUNBOOK);
    serve = await serveIn(root, { file: path.join(root, 'resume.md') });
    // axe-core is injected as a script: the page's CSP (script-src 'self') is bypassed for it.
    ({ browser, page } = await openPage(pageErrors, { bypassCSP: true }));
    await page.goto(serve.url);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a run with a step done and a note, then serve killed: nothing seals it', async () => {
    await page.fill('input[aria-label=Operator]', 'Alice Operator');
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
    await card('Say one').getByRole('button', { name: 'Run Say one' }).click();
    await expect.poll(() => card('Say one').getAttribute('data-status')).toBe('succeeded');
    await card('Say two').getByRole('button', { name: 'Note on Say two' }).click();
    await card('Say two').locator('textarea').fill('wait for the standup');
    await card('Say two').getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => journal().some((r) => r.type === 'step.note')).toBe(true);
    await serve.kill('SIGKILL');
    expect(journal().some((r) => r.type === 'run.finished' || r.type === 'checkpoint')).toBe(false);
  });

  it('a new serve offers the run back with Resume; resumed, the steps show what was done and the run goes on to a seal, one chain', async () => {
    // The runbook file changed meanwhile: the run goes on with the copy it recorded.
    writeFileSync(path.join(root, 'resume.md'), `${RUNBOOK}\n## Third\n\n- [ ] Say three\n`);
    serve = await serveIn(root);
    await page.goto(serve.url);
    const offer = page.locator('[data-testid=unfinished-runs]');
    await offer.waitFor();
    // The library page, with the offer: one h1, no serious axe issue.
    expect(await page.locator('h1').allTextContents()).toEqual(['Runbooks']);
    expect(seriousOnes(await axeViolations(page))).toEqual([]);
    await offer.getByRole('button', { name: /^Resume/ }).click();
    await page.waitForSelector('[data-testid=run-view]');
    await expect.poll(() => card('Say one').getAttribute('data-status')).toBe('succeeded');
    expect(await card('Say two').locator('[data-testid=step-notes]').textContent()).toContain('wait for the standup');
    expect(await page.locator('[data-testid=step-title]', { hasText: 'Say three' }).count()).toBe(0);
    await card('Say two').getByRole('button', { name: 'Run Say two' }).click();
    await expect.poll(() => card('Say two').getAttribute('data-status')).toBe('succeeded');
    await finishAndSeal(page);
    await expect.poll(() => page.getAttribute('[data-testid=run-view]', 'data-run-status')).toBe('finished');
    const records = journal();
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i));
    expect(new Set(records.map((r) => r.run)).size).toBe(1);
    expect(records.filter((r) => r.type === 'run.resumed')).toHaveLength(1);
    expect(records.find((r) => r.type === 'run.resumed')?.data.by).toBe('Alice Operator');
    await page.click('button:has-text("Verify")');
    await expect.poll(() => page.getAttribute('[data-testid=verify-result]', 'data-verdict')).toBe('self-anchored');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
