// The evidence side of the console in Chromium over `runbook serve` (issue 11): the first run makes the
// installation key, and its fingerprint — the one `ssh-keygen -lf` gives — is announced once (serve's stderr
// and the run's evidence panel) and shown again in Settings → Keys; a sign-off signed offline is made from
// the message the page shows and pasted back, one by the operator's key refused; Verify says what the
// record proves in `runbook verify`'s words, and the auditor command it gives anchors the run (exit 0).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { finishAndSeal, openPage, serveIn } from './support/console-page.js';
import { CLI, REPO_ROOT, type ServeHandle } from './support/serve.mjs';

const RUNBOOK = `# Evidence E2E

## Work

- [ ] Say hello
  \`\`\`bash
  echo hello
  \`\`\`

## Sign-off

| Role | Name | Date |
| --- | --- | --- |
| Operator | ______ | ______ |
| Reviewer | ______ | ______ |
`;

const ARTIFACTS = path.join(REPO_ROOT, 'e2e-artifacts');
const NOTICE = "runbook: created this installation's key";
const PASTE = 'input[aria-label="Sign-off method: signed elsewhere (paste the signature)"]';
let root: string;
let keyDir: string;
let serve: ServeHandle;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
const keygen = (...args: string[]) => spawnSync('ssh-keygen', args, { encoding: 'utf8' });
const keygenSign = (key: string, namespace: string, message: string) => {
  const res = spawnSync('ssh-keygen', ['-q', '-Y', 'sign', '-f', key, '-n', namespace], { input: message, encoding: 'utf8' });
  expect(res.status, res.stderr).toBe(0);
  return res.stdout;
};

describe.skipIf(chromiumMissing)('the console in Chromium: installation key, offline sign-off, verify verdict', () => {
  let pin: string;
  let signoff: Locator;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-evidence-'));
    keyDir = path.join(root, 'keys');
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(root, 'change.md');
    writeFileSync(file, RUNBOOK);
    serve = await serveIn(root, { file, env: { SSH_AUTH_SOCK: '' } }); // its keys in keyDir (root/keys)
    ({ browser, page } = await openPage(pageErrors, { viewport: { width: 1400, height: 1000 }, consoleErrors: true }));
    await page.goto(serve.url);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the first run makes the installation key: the evidence panel and serve\'s stderr give its fingerprint once, as ssh-keygen -lf does', async () => {
    expect(serve.output()).not.toContain(NOTICE); // no key yet: nothing announced
    await page.fill('input[aria-label=Operator]', 'Alice Operator');
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
    const listed = keygen('-lf', path.join(keyDir, 'installation_ed25519.pub'));
    expect(listed.status, listed.stderr).toBe(0);
    pin = listed.stdout.split(' ')[1] as string;
    expect(await page.textContent('[data-testid=new-key-fingerprint]')).toBe(pin);
    expect(await page.textContent('[data-testid=run-seal-key]')).toBe(pin);
    await expect.poll(() => serve.output().split(NOTICE).length - 1).toBe(1);
    expect(serve.output()).toContain(`  fingerprint  ${pin}\n`);
    expect(serve.output()).toContain(`  runbook verify RUN_DIR --pin ${pin}\n`);
    await shot('20-new-installation-key');
  });

  it('Settings → Keys shows the same fingerprint and the verify --pin command, and nothing is announced again', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const keys = page.locator('[data-testid=keys-settings]');
    await expect.poll(() => keys.locator('[data-testid=installation-fingerprint]').textContent()).toBe(pin);
    expect(await keys.locator('[data-testid=installation-verify-command]').textContent()).toContain(`runbook verify RUN_DIR --pin ${pin}`);
    expect(await keys.locator('[data-testid=new-key-notice]').count()).toBe(0);
    expect(serve.output().split(NOTICE).length - 1).toBe(1);
    await page.getByRole('button', { name: 'Run' }).click();
  });

  it('a sign-off signed elsewhere: the page shows the message and the ssh-keygen command; one by the installation key is refused (operator-key), then the reviewer\'s own is recorded', async () => {
    signoff = page.locator('[data-testid=run-step].kind-signoff');
    await signoff.locator('input[aria-label="Sign-off name"]').fill('Bob Reviewer');
    await signoff.locator('select[aria-label="Sign-off role"]').selectOption('Reviewer');
    await signoff.locator('input[aria-label="Sign-off date"]').fill('2026-11-24');
    await signoff.locator(PASTE).check();
    expect(await signoff.locator('button:has-text("Sign off")').isDisabled()).toBe(true); // no message, no signature yet
    await signoff.locator('button:has-text("Show the message to sign")').click();
    const message = (await signoff.locator('[data-testid=signoff-message]').textContent()) as string;
    expect(message).toMatch(/^\{"date":"2026-11-24","format":"runbook-console-signoff\/v1","name":"Bob Reviewer","record":\{"seq":\d+,"sha256":"[0-9a-f]{64}"\},"role":"Reviewer","run":"[0-9a-f-]{36}","step":"sign-off[^"]*"\}$/);
    expect(await signoff.locator('[data-testid=signoff-command]').textContent()).toBe(`printf %s '${message}' | ssh-keygen -Y sign -f THEIR_KEY -n runbook-console-signoff`);
    await shot('21-signoff-request');

    // Attack: the operator signs the shown message with the installation key (stock ssh-keygen) and pastes it.
    await signoff.locator('textarea[aria-label="Sign-off signature"]').fill(keygenSign(path.join(keyDir, 'installation_ed25519'), 'runbook-console-signoff', message));
    await signoff.locator('button:has-text("Sign off")').click();
    await expect.poll(() => signoff.locator('[data-testid=signoff-refusal]').getAttribute('data-code')).toBe('operator-key');
    expect(await signoff.locator('[data-testid=signoff-refusal]').textContent()).toContain("this installation's key");
    expect(await signoff.locator('[data-testid=signoff-recorded]').count()).toBe(0);
    // The refusal was recorded, so the message shown is out of date: the page says so and will not send it.
    await expect.poll(() => signoff.locator('[data-testid=signoff-stale]').count()).toBe(1);
    expect(await signoff.locator('button:has-text("Sign off")').isDisabled()).toBe(true);

    // Control: a new message, signed by the reviewer's own key, pasted as a mail client would deliver it.
    await signoff.locator('button:has-text("Make the message again")').click();
    await expect.poll(() => signoff.locator('[data-testid=signoff-stale]').count()).toBe(0);
    const fresh = (await signoff.locator('[data-testid=signoff-message]').textContent()) as string;
    expect(fresh).not.toBe(message);
    const bob = path.join(root, 'bob_ed25519');
    expect(keygen('-q', '-t', 'ed25519', '-N', '', '-C', 'bob', '-f', bob).status).toBe(0);
    await signoff.locator('textarea[aria-label="Sign-off signature"]').fill(keygenSign(bob, 'runbook-console-signoff', fresh).replace(/\n/g, '\r\n'));
    await signoff.locator('button:has-text("Sign off")').click();
    await expect.poll(() => signoff.locator('[data-testid=signoff-recorded]').textContent()).toBe('Signed off by Bob Reviewer (Reviewer) on 2026-11-24');
    expect(await signoff.locator('[data-testid=signoff-refusal]').count()).toBe(0);
    expect(await signoff.getAttribute('data-status')).toBe('succeeded');
    await shot('22-signoff-pasted');
  });

  it('Verify before the seal: intact but unanchored; after it: sealed by this installation\'s key, said to prove integrity only, with the auditor command that anchors it (exit 0)', async () => {
    await page.click('button:has-text("Verify")');
    await expect.poll(() => page.getAttribute('[data-testid=verify-result]', 'data-verdict')).toBe('unanchored');
    expect(await page.textContent('[data-testid=verify-headline]')).toBe('Intact but unanchored');
    await finishAndSeal(page);
    await page.waitForSelector('[data-testid=ticket-line]');
    await page.click('button:has-text("Verify")');
    await expect.poll(() => page.getAttribute('[data-testid=verify-result]', 'data-verdict')).toBe('self-anchored');
    expect(await page.textContent('[data-testid=verify-headline]')).toBe("Intact — sealed by this installation's key");
    const anchor = (await page.textContent('[data-testid=verify-anchor]')) as string;
    expect(anchor).toContain(pin);
    expect(anchor).toMatch(/does not show who made it/);
    expect(await page.textContent('[data-testid=verify-unanchored]')).toMatch(/1 sign-off .*runbook-console-signoff/);
    const command = (await page.textContent('[data-testid=verify-auditor-command]')) as string;
    expect(command).toMatch(new RegExp(`^runbook verify \\S+ --pin ${pin.replace(/[+/]/g, '\\$&')} --allowed-signers ALLOWED_SIGNERS$`));
    await shot('23-verify-self-anchored');

    // The auditor runs it with an allowed_signers of their own naming Bob for sign-offs: exit 0.
    const allowed = path.join(root, 'auditor_allowed_signers');
    const bobKey = keygen('-y', '-f', path.join(root, 'bob_ed25519')).stdout.trim();
    writeFileSync(allowed, `Bob-Reviewer namespaces="runbook-console-signoff" ${bobKey}\n`);
    const args = command.replace(/^runbook /, '').replace('ALLOWED_SIGNERS', allowed).split(' ');
    const env = { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: keyDir };
    const anchored = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
    expect(anchored.status, anchored.stdout + anchored.stderr).toBe(0);
    // Negative control: a fingerprint the auditor holds for another key does not anchor it.
    const other = path.join(root, 'other_ed25519');
    keygen('-q', '-t', 'ed25519', '-N', '', '-f', other);
    const otherPin = keygen('-lf', `${other}.pub`).stdout.split(' ')[1] as string;
    const wrong = spawnSync(process.execPath, [CLI, ...args.map((a) => (a === pin ? otherPin : a))], { encoding: 'utf8', env });
    expect(wrong.status, wrong.stdout).toBe(1);
    expect(wrong.stdout).toMatch(/^FAIL E_SIGNER/);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
