// The operator's whole run, as e2e steps shared by the browser (`runbook serve` in Chromium) and the desktop
// app (Electron, where its binary exists): start a run at a profile, run a step and see its output, cancel a
// long one, skip with a reason, decide NO-GO then GO, sign off, seal, export a signed bundle — then check
// the bundle with the CLI and stock ssh-keygen, as an auditor would.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { CLI } from './serve.mjs';
import { exportReport, finishAndSeal } from './console-page.js';

export const WHOLE_RUN_RUNBOOK = `# Console E2E

## Work

- [ ] Say hello
  \`\`\`bash
  printf '\\033[32mhello %s\\033[0m\\n' "$WHO"; test -n "$API_TOKEN" && echo "token given"
  \`\`\`
- [ ] Long wait
  \`\`\`bash
  echo waiting; sleep 300
  \`\`\`
- [ ] Optional cleanup
  \`\`\`bash
  echo cleanup
  \`\`\`
- [ ] Restricted only 🔴
  \`\`\`bash
  echo restricted
  \`\`\`
- [ ] Proceed with the change or roll back? GO / NO-GO

## Roll back

- [ ] Restore the previous release
  \`\`\`bash
  echo restoring
  \`\`\`

## Sign-off

| Role | Name | Date |
| --- | --- | --- |
| Operator | ______ | ______ |
`;


export interface WholeRunHost {
  /** The page showing the console with the runbook above open. */
  page: () => Page;
  /** A temp directory for keys and the exported bundle. */
  root: () => string;
  /** The installation key directory the host was started with (RUNBOOK_CONSOLE_KEY_DIR). */
  keyDir: () => string;
  shot: (name: string) => Promise<unknown>;
}

/** Registers the scenario's steps in the calling describe block; they run in order on one page. */
export function wholeRunScenario(host: WholeRunHost): void {
  const card = (title: string): Locator => host.page().locator('[data-testid=run-step]', { has: host.page().locator('[data-testid=step-title]', { hasText: title }) });
  const status = (title: string) => card(title).getAttribute('data-status');
  const shot = host.shot;
  let page: Page;

  it('shows the open runbook and a start form that says what the profile hides and asks for the variables', async () => {
    page = host.page();
    await expect.poll(() => page.textContent('[data-testid=summary-steps]')).toBe('7');
    expect(await page.textContent('[data-testid=summary-markers]')).toBe('1 (1 RESTRICTED)');
    await page.selectOption('select[aria-label=Profile]', 'regulated');
    expect(await page.textContent('[data-testid=profile-hides]')).toMatch(/^1 step marked above REGULATED will be hidden/);
    expect(await page.getAttribute('input[aria-label=API_TOKEN]', 'type')).toBe('password');
    expect(await page.getAttribute('input[aria-label=WHO]', 'type')).toBe('text');
    expect(await page.isDisabled('button:has-text("Start run")')).toBe(true); // operator required
    await page.fill('input[aria-label=Operator]', 'Alice Operator');
    await page.fill('input[aria-label=WHO]', 'console');
    await page.fill('input[aria-label=API_TOKEN]', 's3cret-value');
    await shot('1-start');
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
    expect(await page.locator('[data-testid=run-step]').count()).toBe(6); // the RESTRICTED step is hidden
    expect(await page.locator('[data-testid=problems]').count()).toBe(0);
    expect(await page.textContent('[data-testid=overall-progress]')).toContain('0/6');
    for (const s of await page.locator('[data-testid=run-step]').all()) expect(await s.getAttribute('data-status')).toBe('pending'); // nothing ran
  });

  it('runs a step on a click and shows its output in a terminal, with exit code and bound target', async () => {
    const hello = card('Say hello');
    expect(await hello.locator('[data-testid=block-target]').textContent()).toMatch(/→ local \(local, this machine\)/);
    await hello.locator('[data-testid=run-button]').click();
    await expect.poll(() => status('Say hello')).toBe('succeeded');
    await expect.poll(() => hello.locator('.xterm-rows').textContent()).toContain('hello console');
    expect(await hello.locator('.xterm-rows').textContent()).toContain('token given');
    expect(await hello.locator('[data-testid=block-end]').textContent()).toMatch(/succeeded.*exit 0/);
    expect(await page.textContent('[data-testid=overall-progress]')).toContain('1/6');
    await shot('2-output');
  });

  it('cancels the long step (the Cancel button), and keyboard selection moves with j/k', async () => {
    const long = card('Long wait');
    await long.locator('[data-testid=run-button]').click();
    await expect.poll(() => long.locator('.xterm-rows').textContent()).toContain('waiting');
    expect(await status('Long wait')).toBe('running');
    expect(await card('Optional cleanup').locator('[data-testid=run-button]').isDisabled()).toBe(true); // one step at a time
    await long.locator('[data-testid=cancel-button]').click();
    await expect.poll(() => status('Long wait')).toBe('cancelled');
    await expect.poll(() => long.locator('[data-testid=block-end]').getAttribute('data-status')).toBe('cancelled');

    await page.locator('body').click({ position: { x: 5, y: 500 } });
    await long.locator('.step-title').click();
    await page.keyboard.press('j');
    await expect.poll(() => card('Optional cleanup').getAttribute('aria-current')).toBe('step');
    await page.keyboard.press('k');
    await expect.poll(() => long.getAttribute('aria-current')).toBe('step');
  });

  it('skips a step only with a reason', async () => {
    const cleanup = card('Optional cleanup');
    await cleanup.locator('[data-testid=skip-button]').click();
    expect(await cleanup.locator('button:has-text("Skip step")').isDisabled()).toBe(true);
    await cleanup.locator('textarea').fill('nothing to clean in this window');
    await cleanup.locator('button:has-text("Skip step")').click();
    await expect.poll(() => status('Optional cleanup')).toBe('skipped');
    expect(await cleanup.locator('[data-testid=step-reason]').textContent()).toContain('nothing to clean in this window');
  });

  it('jumps to the roll-back section on NO-GO, then records GO and a sign-off', async () => {
    const decision = card('Proceed with the change');
    await decision.locator('button', { hasText: /^NO-GO$/ }).click();
    await expect.poll(() => page.textContent('[data-testid=notice]')).toContain('NO-GO recorded: continue with “Roll back”');
    await expect.poll(() => card('Restore the previous release').getAttribute('aria-current')).toBe('step');
    // A recorded decision is final: GO now is a change, recorded with the reason asked for.
    await decision.locator('button', { hasText: /^GO$/ }).click();
    await decision.getByRole('textbox', { name: /Why change it to GO/ }).fill('the service owner agreed after all');
    await decision.getByRole('button', { name: 'Change the decision to GO' }).click();
    // Going on skips the roll-back section: the next step is the sign-off.
    await expect.poll(() => page.textContent('[data-testid=notice]')).toMatch(/^GO recorded: continue with “.*”\.$/);
    await expect.poll(() => page.locator('[data-testid=run-step].kind-signoff').getAttribute('aria-current')).toBe('step');
    await expect.poll(() => decision.locator('[data-testid=decision-recorded]').textContent()).toContain('GO');
    expect(await status('Proceed with the change')).toBe('succeeded');

    const signoff = page.locator('[data-testid=run-step].kind-signoff');
    expect(await signoff.locator('input[aria-label="Sign-off name"]').inputValue()).toBe('Alice Operator');
    await signoff.locator('select[aria-label="Sign-off role"]').selectOption('Operator');
    await signoff.locator('input[aria-label="Sign-off date"]').fill('2026-11-24');
    // A sign-off is recorded only signed with the signer's SSH key (main signs with this key file).
    const signer = path.join(host.root(), 'signoff_ed25519');
    expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice', '-f', signer]).status).toBe(0);
    await signoff.locator('input[aria-label="Sign-off key file"]').fill(signer);
    await signoff.locator('button:has-text("Sign off")').click();
    await expect.poll(() => signoff.locator('[data-testid=signoff-recorded]').textContent()).toBe('Signed off by Alice Operator (Operator) on 2026-11-24');
    await expect.poll(() => page.locator('[data-testid=timeline] li').count()).toBeGreaterThanOrEqual(2);
    await shot('3-decided');
  });

  it('verifies, seals with a ticket line, and exports a bundle an auditor verifies with stock tools', async () => {
    await page.click('button:has-text("Verify")');
    await expect.poll(() => page.textContent('[data-testid=verify-result]')).toMatch(/^Intact/);
    // Nothing is signed before the seal: intact but unanchored, in runbook verify's words.
    expect(await page.getAttribute('[data-testid=verify-result]', 'data-verdict')).toBe('unanchored');
    await finishAndSeal(page);
    await expect.poll(() => page.textContent('[data-testid=ticket-line]')).toMatch(/^runbook-console\/[0-9a-f]{16}\/[0-9a-f-]{36} \d+ \S{44}$/);
    // Sealed: checked against this installation's key (the fingerprint ssh-keygen -lf gives), which is all the console holds.
    await page.click('button:has-text("Verify")');
    await expect.poll(() => page.getAttribute('[data-testid=verify-result]', 'data-verdict')).toBe('self-anchored');
    const pin = spawnSync('ssh-keygen', ['-lf', path.join(host.keyDir(), 'installation_ed25519.pub')], { encoding: 'utf8' }).stdout.split(' ')[1] as string;
    expect(await page.textContent('[data-testid=verify-anchor]')).toContain(pin);
    expect(await page.textContent('[data-testid=verify-auditor-command]')).toContain(`--pin ${pin}`);
    expect(await page.getAttribute('[data-testid=run-view]', 'data-run-status')).toBe('finished');
    expect(await card('Restore the previous release').locator('[data-testid=run-button]').isDisabled()).toBe(true);

    const key = path.join(host.root(), 'alice_ed25519');
    expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice', '-f', key]).status).toBe(0);
    const out = path.join(host.root(), 'bundle');
    await page.fill('input[aria-label="Export directory"]', out);
    await page.fill('input[aria-label="Signing key file"]', key);
    await exportReport(page);
    const bundle = (await page.textContent('[data-testid=export-out]')) as string;
    const principal = ((await page.textContent('[data-testid=export-signer]')) as string).split(' ')[0] as string;
    expect(principal).toBe('Alice-Operator');
    await shot('4-sealed-exported');

    // Without anchors of the auditor's own the bundle is intact but unanchored (exit 3): consistent with itself.
    const cli = spawnSync(process.execPath, [CLI, 'verify', bundle], { encoding: 'utf8', env: { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: host.keyDir() } });
    expect(cli.status, cli.stdout + cli.stderr).toBe(3);
    expect(cli.stdout).toMatch(/^INTACT BUT UNANCHORED: bundle of run/);
    const ssh = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', 'allowed_signers', '-I', principal, '-n', 'runbook-console-audit', '-s', 'report.json.sig'], { cwd: bundle, input: readFileSync(path.join(bundle, 'report.json')), encoding: 'utf8' });
    expect(ssh.status, ssh.stdout + ssh.stderr).toBe(0);
    const journal = readFileSync(path.join(bundle, 'journal.jsonl'), 'utf8');
    for (const text of ['nothing to clean in this window', '"decision":"NO-GO"', '"decision":"GO"', '"signoff"', '"status":"cancelled"']) expect(journal).toContain(text);
    expect(journal).not.toContain('s3cret-value');
  });

}
