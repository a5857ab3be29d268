// Values given later, in Chromium over `runbook serve`: a run started without a required variable refuses the
// step that needs it, the value is given right there on the step, and the step runs with it (the journal says
// so); a secret given that way never reaches a byte under the run directory; a blank named like a variable
// is that variable.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { finishAndSeal, openPage, serveIn, stepCard } from './support/console-page.js';
import { REPO_ROOT, type ServeHandle } from './support/serve.mjs';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e-artifacts');
const SECRET = 'tok-5ecret-never-on-disk';
const RUNBOOK = `---
variables:
  WHO: world
---
# Later values

## Greet

\`\`\`bash
echo "region=$REGION who=$WHO"
\`\`\`

## Use the token

\`\`\`bash
test -n "$API_TOKEN" && echo "token given: $API_TOKEN"
\`\`\`

## Zone

ZONE: ________

## Show the zone

\`\`\`bash
echo "zone=$ZONE"
\`\`\`
`;

let root: string;
let serve: ServeHandle;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const card = (title: string): Locator => stepCard(page, new RegExp(`^${title}$`));
const status = (title: string) => card(title).getAttribute('data-status');
const runDir = () => {
  const runs = path.join(root, 'runs');
  return path.join(runs, readdirSync(runs)[0] as string);
};
const journal = () =>
  readFileSync(path.join(runDir(), 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });

describe.skipIf(chromiumMissing)('the console in Chromium: values given later, on the step', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-later-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(root, 'later.md');
    writeFileSync(file, RUNBOOK);
    serve = await serveIn(root, { file });
    ({ browser, page } = await openPage(pageErrors));
    await page.goto(serve.url);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('starts without the required values; the start form asked for each by name, the secret masked', async () => {
    await page.waitForSelector('input[aria-label=REGION]');
    expect(await page.getAttribute('input[aria-label=API_TOKEN]', 'type')).toBe('password');
    // A variable with a front-matter default is shown with it, and can be changed.
    expect(await page.inputValue('input[aria-label=WHO]')).toBe('world');
    await page.fill('input[aria-label=WHO]', 'team');
    await page.fill('input[aria-label=Operator]', 'Alice Operator');
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
  });

  it('refuses the step missing a value, takes the value on the step, and runs it with that value', async () => {
    const greet = card('Greet');
    await greet.locator('[data-testid=run-button]').click();
    await expect.poll(() => page.textContent('[data-testid=error-banner]')).toMatch(/no value for REGION/);
    expect(await status('Greet')).toBe('pending');
    await greet.locator('[data-testid=missing-values] input[aria-label=REGION]').fill('eu-west-1');
    await greet.locator('[data-testid=missing-values] button:has-text("Give value")').click();
    await expect.poll(() => greet.locator('[data-testid=missing-values]').count()).toBe(0);
    await greet.locator('[data-testid=run-button]').click();
    await expect.poll(() => status('Greet')).toBe('succeeded');
    await expect.poll(() => greet.locator('.xterm-rows').textContent()).toContain('region=eu-west-1 who=team');
    expect(journal().filter((r) => r.type === 'fillin').map((r) => r.data)).toContainEqual({ step: { id: 'greet' }, label: 'REGION', value: 'eu-west-1' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'later-values-1-given.png') });
  });

  it('a secret given on the step is masked: in the password field, the output and the record', async () => {
    const token = card('Use the token');
    const field = token.locator('[data-testid=missing-values] input[aria-label=API_TOKEN]');
    expect(await field.getAttribute('type')).toBe('password');
    await field.fill(SECRET);
    await token.locator('[data-testid=missing-values] button:has-text("Give value")').click();
    await expect.poll(() => token.locator('[data-testid=missing-values]').count()).toBe(0);
    await token.locator('[data-testid=run-button]').click();
    await expect.poll(() => status('Use the token')).toBe('succeeded');
    await expect.poll(() => token.locator('.xterm-rows').textContent()).toContain('token given');
    expect(await token.locator('.xterm-rows').textContent()).not.toContain(SECRET);
  });

  it('a blank named like a variable is that variable: filled once, the step runs with it; another value is refused', async () => {
    const blank = card('Zone').locator('[data-testid=fillin] input[aria-label=ZONE]');
    await blank.fill('zone-b');
    await blank.blur();
    await expect.poll(() => card('Show the zone').locator('[data-testid=missing-values]').count()).toBe(0);
    await card('Show the zone').locator('[data-testid=run-button]').click();
    await expect.poll(() => status('Show the zone')).toBe('succeeded');
    await expect.poll(() => card('Show the zone').locator('.xterm-rows').textContent()).toContain('zone=zone-b');
    await blank.fill('zone-c');
    await blank.blur();
    await expect.poll(async () => (await page.locator('[data-testid=error-banner]').allTextContents()).join('\n')).toMatch(/ZONE.*same value/);
  });

  it('after the seal, no byte under the run directory holds the secret; the page raised no errors', async () => {
    await finishAndSeal(page);
    await expect.poll(() => page.getAttribute('[data-testid=run-view]', 'data-run-status')).toBe('finished');
    const files = readdirSync(runDir(), { recursive: true, encoding: 'utf8' }).map((f) => path.join(runDir(), f)).filter((f) => statSync(f).isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(readFileSync(f).includes(Buffer.from(SECRET)), f).toBe(false);
    expect(journal().filter((r) => r.type === 'fillin').map((r) => [r.data.label, r.data.value])).toEqual([
      ['REGION', 'eu-west-1'],
      ['API_TOKEN', '••••••'],
      ['ZONE', 'zone-b'],
    ]);
    expect(pageErrors).toEqual([]);
  });
});
