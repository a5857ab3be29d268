// The parser's model in the console, in Chromium over `runbook serve` (issue 12: "the console shows them"):
// diagnostics with code, severity, FILE:LINE:COLUMN and message above the steps, an error holding back the
// start form and taking the operator to its line; blocks with how they were read (a transcript's prompts
// removed, its text as written and its example output behind a toggle), a block no executor runs saying why,
// PromQL queries each with its own result; optional variables offered with their default; the example output
// beside what ran; and a decision passing over the steps it leads away from until the operator overrides it.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { finishAndSeal, openPage, serveIn, stepCard } from './support/console-page.js';
import { REPO_ROOT, type ServeHandle } from './support/serve.mjs';
import { TRANSCRIPT_STEPS } from '../test/support/runbook-fixtures.js';

const BROKEN = `---
title: Broken change
colour: blue
---
# Broken change

## Work

- [ ] Say one
  \`\`\`bash
  echo one
  \`\`\`
- [ ] Say two
  \`\`\`bash {"target": "local"
  echo two
  \`\`\`
`;

const MODEL = `# Model change

## Checks

${TRANSCRIPT_STEPS}- [ ] Query the metrics
  \`\`\`promql
  up
  not_a_known_query
  scalar(1)
  \`\`\`
- [ ] Count the orders in MySQL
  \`\`\`mysql
  SELECT COUNT(*) FROM orders;
  \`\`\`
- [ ] Show the region
  \`\`\`bash
  echo "region=\${REGION:-eu-west-1} zone=$ZONE"
  \`\`\`
- [ ] Proceed with the change or roll back? GO / NO-GO

## Roll back

- [ ] Restore the previous release
  \`\`\`bash
  echo restoring
  \`\`\`
`;

const ARTIFACTS = path.join(REPO_ROOT, 'e2e-artifacts');
let root: string;
let serve: ServeHandle;
let prometheus: http.Server;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** A Prometheus API with two known queries; any other is refused as Prometheus refuses a parse error. */
function startPrometheus(): Promise<string> {
  prometheus = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://prometheus');
    if (url.pathname === '/api/v1/status/buildinfo') return json(res, 200, { status: 'success', data: { version: '3.1.0' } });
    const query = url.searchParams.get('query');
    if (url.pathname !== '/api/v1/query') return json(res, 404, { status: 'error', error: 'not found' });
    if (query === 'up') return json(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: { job: 'api' }, value: [1700000000, '1'] }] } });
    if (query === 'scalar(1)') return json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1700000000, '1'] } });
    return json(res, 400, { status: 'error', errorType: 'bad_data', error: `1:1: parse error: unknown query ${query}` });
  });
  return new Promise((resolve) => prometheus.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`)));
}

const card = (title: string): Locator => stepCard(page, title);
const preview = (title: string): Locator => page.locator('[data-testid=step]', { has: page.locator('[data-testid=step-title]', { hasText: title }) });
const status = (title: string) => card(title).getAttribute('data-status');
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `model-${name}.png`), fullPage: false });
const runAndWait = async (title: string) => {
  await card(title).locator('[data-testid=run-button]').click();
  await expect.poll(() => status(title), { timeout: 20_000 }).toMatch(/^(succeeded|failed)$/);
};

describe.skipIf(chromiumMissing)('the console in Chromium: what the parser read', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-model-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    const url = await startPrometheus();
    const settingsDir = path.join(root, 'settings');
    mkdirSync(settingsDir);
    writeFileSync(path.join(settingsDir, 'settings.json'), JSON.stringify({ version: 1, targets: { metrics: { kind: 'prometheus', url } }, defaults: { promql: 'metrics' } }));
    writeFileSync(path.join(root, 'broken.md'), BROKEN);
    writeFileSync(path.join(root, 'model.md'), MODEL);
    serve = await serveIn(root, { file: path.join(root, 'broken.md'), settingsDir });
    ({ browser, page } = await openPage(pageErrors, { consoleErrors: true }));
    await page.goto(serve.url);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await new Promise((resolve) => prometheus?.close(resolve));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('lists each diagnostic with its place, severity, message and code above the steps; an error holds back Start and takes the operator to its line', async () => {
    await page.waitForSelector('[data-testid=diagnostics]');
    const file = path.join(root, 'broken.md');
    const items = page.locator('[data-testid=diagnostic]');
    expect(await items.count()).toBe(2);
    const warning = page.locator('[data-testid=diagnostic][data-code=front-matter-unknown-key]');
    expect(await warning.getAttribute('data-severity')).toBe('warning');
    expect(await warning.textContent()).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:1warning.*colour.*\\[front-matter-unknown-key\\]$`));
    const error = page.locator('[data-testid=diagnostic][data-code=fence-attributes]');
    expect(await error.getAttribute('data-severity')).toBe('error');
    expect(await error.locator('[data-testid=diagnostic-place]').textContent()).toBe(`${file}:14:3`);
    expect(await error.textContent()).toContain('code fence attributes');
    expect(await page.textContent('[data-testid=diagnostics]')).toContain('a run of this runbook is refused until the errors are fixed');
    // Above the steps.
    const top = async (selector: string) => (await page.locator(selector).first().boundingBox())?.y ?? 0;
    expect(await top('[data-testid=diagnostics]')).toBeLessThan(await top('[data-testid=step]'));
    // The start form says why it cannot start, and will not.
    await page.fill('input[aria-label=Operator]', 'Alice Operator');
    expect(await page.textContent('[data-testid=start-blocked]')).toMatch(/error in this runbook: a run is refused until it is fixed/);
    expect(await page.isDisabled('button:has-text("Start run")')).toBe(true);
    // The error's place takes the operator to the block on that line.
    await error.locator('[data-testid=diagnostic-place]').click();
    const block = page.locator('[data-testid=block][data-line="14"]');
    await expect.poll(() => block.getAttribute('data-highlighted')).toBe('true');
    expect(await block.isVisible()).toBe(true);
    expect(await preview('Say two').locator('[data-testid=block-action]').textContent()).toBe('shell');
    await shot('1-diagnostics');
  });

  it('shows how each block was read: a transcript with its prompts removed (as written and its example output behind a toggle), queries one by one, why a block is not run', async () => {
    await page.fill('input[aria-label="Runbook path"]', path.join(root, 'model.md'));
    await page.click('button:has-text("Open")');
    await expect.poll(() => page.textContent('[data-testid=runbook-title]')).toBe('Model change');
    expect(await page.locator('[data-testid=diagnostics]').count()).toBe(0);

    const hello = preview('Say hello').locator('[data-testid=block]');
    expect(await hello.locator('[data-testid=block-reading]').textContent()).toBe('transcript — prompts removed');
    expect(await hello.locator('[data-testid=block-reading]').getAttribute('title')).toMatch(/prompt.*output/);
    expect(await hello.locator(':scope > pre').textContent()).toBe('echo hello');
    const source = hello.locator('[data-testid=block-source]');
    expect(await source.locator('[data-testid=block-source-text]').isVisible()).toBe(false);
    await source.locator('summary').click();
    expect(await source.locator('[data-testid=block-source-text]').textContent()).toBe('$ echo hello\nhello');
    expect(await source.locator('[data-testid=block-expected-output]').textContent()).toBe('hello');

    const queries = preview('Query the metrics').locator('[data-testid=query]');
    expect(await preview('Query the metrics').locator('[data-testid=block-reading]').textContent()).toBe('3 queries');
    expect(await queries.allTextContents()).toEqual(['Query 1 of 3up', 'Query 2 of 3not_a_known_query', 'Query 3 of 3scalar(1)']);

    const mysql = preview('Count the orders in MySQL');
    expect(await mysql.locator('[data-testid=block-not-run]').textContent()).toMatch(/^Not run: language "mysql" is MySQL, which no executor here runs/);
    expect(await preview('Show the region').locator('[data-testid=block-optional-variables]').textContent()).toContain('REGION');
    await shot('2-blocks');
  });

  it('offers an optional variable with its default, editable, and marks the required one', async () => {
    const region = page.locator('[data-testid=variable-field][data-required=false]', { has: page.locator('input[aria-label=REGION]') });
    expect(await region.locator('input').inputValue()).toBe('eu-west-1');
    expect(await region.locator('[data-testid=variable-default]').textContent()).toMatch(/^Default in the code: eu-west-1/);
    expect(await page.getAttribute('input[aria-label=ZONE]', 'aria-required')).toBe('true');
    expect(await page.locator('[data-testid=variable-field][data-required=true]').textContent()).toContain('required');
    await page.fill('input[aria-label=REGION]', 'us-east-2');
    await page.fill('input[aria-label=ZONE]', 'b');
    await page.fill('input[aria-label=Operator]', 'Alice Operator');
    expect(await page.locator('[data-testid=start-blocked]').count()).toBe(0);
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
    await runAndWait('Show the region');
    await expect.poll(() => card('Show the region').locator('.xterm-rows').textContent()).toContain('region=us-east-2 zone=b');
  });

  it('after a run: the example output matched, or differed with a short diff; each query with its own result', async () => {
    await runAndWait('Say hello');
    const same = card('Say hello').locator('[data-testid=output-comparison]');
    expect(await same.getAttribute('data-same')).toBe('true');
    expect(await same.textContent()).toContain('Output matches the runbook’s example output');

    await runAndWait('List the letters');
    expect(await status('List the letters')).toBe('succeeded'); // an example is never a check
    const differs = card('List the letters').locator('[data-testid=output-comparison]');
    expect(await differs.getAttribute('data-same')).toBe('false');
    expect(await differs.locator('[data-testid=output-diff] div').allTextContents()).toEqual(['  a', '- b', '+ b2', '  c']);

    await runAndWait('Query the metrics');
    const query = (k: number) => card('Query the metrics').locator(`[data-testid=query][data-index="${k}"]`);
    expect(await query(0).locator('[data-testid=result-set]').textContent()).toContain('vector');
    expect(await query(1).locator('[data-testid=query-result]').textContent()).toMatch(/^failed: query 2 of 3: bad_data: 1:1: parse error/);
    expect(await query(2).locator('[data-testid=query-result]').textContent()).toBe('not run: an earlier query did not answer');
    expect(await card('Count the orders in MySQL').locator('[data-testid=block-not-run]').count()).toBe(1);
    await shot('3-results');
  });

  it('GO passes over the roll-back step (not runnable) until the operator overrides it, with a reason that is journaled', async () => {
    const decision = card('Proceed with the change');
    expect(await decision.locator('[data-testid=decision-leads]').textContent()).toMatch(/GO → the next step · passes over 1 step/);
    await decision.locator('button', { hasText: /^GO$/ }).click();
    const restore = card('Restore the previous release');
    await expect.poll(() => restore.locator('[data-testid=passed-over]').textContent()).toMatch(/^Skipped by a decision: decision "GO" at "Proceed with the change or roll back\? GO \/ NO-GO" does not lead to "Roll back"/);
    expect(await restore.getAttribute('data-status')).toBe('skipped');
    expect(await restore.locator('[data-testid=run-button]').isDisabled()).toBe(true);
    await restore.locator('[data-testid=override-button]').click();
    expect(await restore.locator('button:has-text("Override the decision for this step")').isDisabled()).toBe(true); // a reason first
    await restore.locator('textarea').fill('the release has to go back after all');
    await restore.locator('button:has-text("Override the decision for this step")').click();
    await expect.poll(() => restore.locator('[data-testid=passed-over]').count()).toBe(0);
    expect(await restore.getAttribute('data-status')).toBe('pending');
    await runAndWait('Restore the previous release');
    expect(await status('Restore the previous release')).toBe('succeeded');
    await shot('4-override');

    await finishAndSeal(page);
    await expect.poll(() => page.getAttribute('[data-testid=run-view]', 'data-run-status')).toBe('finished');
    const runs = path.join(root, 'runs');
    const [run] = readdirSync(runs);
    const records = readFileSync(path.join(runs, run as string, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });
    expect(records.filter((r) => r.type === 'step.skipped').map((r) => r.data.reason)).toContainEqual(expect.stringMatching(/does not lead to "Roll back"/));
    expect(records.filter((r) => r.type === 'step.note').map((r) => r.data)).toContainEqual(expect.objectContaining({ change: 'skip', from: 'passed-over', to: 'pending', reason: 'the release has to go back after all' }));
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
