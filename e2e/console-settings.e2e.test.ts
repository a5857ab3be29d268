// The console's library, settings and timers in Chromium over `runbook serve`, against a real sshd:
// the library lists samples and recent files; the operator sets their identity, adds an ssh target, sees
// its unknown host key and pins it explicitly, picks that target for a block and runs it; a time box counts
// down and alerts when due; a repeating check runs on its cadence with a history; the default signing key
// (from ssh-agent) signs the export, which stock ssh-keygen accepts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SshdHandle, sshdUnavailableReason, startSshd } from '../test/infra/sshd.js';
import { chromiumMissing, launchChromium } from './support/browser.js';
import { REPO_ROOT, type ServeHandle, startServe } from './support/serve.mjs';
import { stepCard, exportReport } from './support/console-page.js';

const RUNBOOK = (changed: string) => `# Timers E2E

## Watch

- [ ] Drain the queue
  Monitor the queue for 2 seconds before going on.

- [ ] Health probe
  Watch it: run the probe every 5 seconds for 6 seconds.
  \`\`\`bash
  echo probe
  \`\`\`

- [ ] Where am I
  \`\`\`bash
  echo "on $(hostname) as $(id -un) in $PWD"
  \`\`\`

- [ ] Record the change
  \`\`\`bash
  touch ${changed}
  \`\`\`
`;

const noSshd = sshdUnavailableReason();
if (noSshd && !chromiumMissing) console.warn(`skipped the settings e2e: ${noSshd}`);

const ARTIFACTS = path.join(REPO_ROOT, 'e2e-artifacts');
const POLL = { timeout: 15_000 };
let root: string;
let file: string;
let sshd: SshdHandle;
let serve: ServeHandle;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const card = (title: string): Locator => stepCard(page, title);
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });

/** The journal of the first run (the one the settings tests make). */
function journal(): { type: string; data: Record<string, any> }[] {
  const runs = path.join(root, 'runs');
  const [run] = readdirSync(runs);
  return readFileSync(path.join(runs, run as string, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe.skipIf(chromiumMissing || noSshd !== null)('the console in Chromium: library, settings, target picker, timers', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'e2e-settings-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    file = path.join(root, 'timers.md');
    writeFileSync(file, RUNBOOK(path.join(root, 'changed')));
    writeFileSync(path.join(root, 'known_hosts'), '');
    sshd = await startSshd();
    serve = await startServe({
      settingsDir: path.join(root, 'settings'),
      runsDir: path.join(root, 'runs'),
      env: { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), SSH_AUTH_SOCK: sshd.agentSocket as string },
    });
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
    await sshd?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('starts at the library: samples with their step counts and markers; an opened file joins the recent list', async () => {
    await page.waitForSelector('[data-testid=library-page]');
    const samples = page.getByRole('region', { name: 'Sample runbooks' });
    const health = samples.locator('[data-testid=library-entry]', { hasText: 'Workstation Health Check' });
    expect(await health.locator('[data-testid=library-steps]').textContent()).toMatch(/^\d+ steps$/);
    expect(await samples.locator('[data-testid=library-markers]').first().textContent()).toMatch(/RESTRICTED|REGULATED|STANDARD/);
    expect(await page.getByRole('region', { name: 'Recent runbooks' }).textContent()).toContain('None yet');
    await shot('6-library');
    await page.fill('input[aria-label="Runbook path"]', file);
    await page.click('button:has-text("Open")');
    await expect.poll(() => page.locator('[data-testid=start-form]').count()).toBe(1);
    await page.getByRole('button', { name: 'Library' }).click();
    const recent = page.getByRole('region', { name: 'Recent runbooks' });
    await expect.poll(() => recent.locator('[data-testid=library-title]').allTextContents()).toEqual(['Timers E2E']);
    await recent.locator('button', { hasText: 'Timers E2E' }).click();
    await expect.poll(() => page.locator('[data-testid=summary-steps]').textContent()).toBe('4');
  });

  it('keeps the operator identity and offers it when starting a run', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.fill('input[aria-label="Operator name"]', 'Olivia Operator');
    await page.click('button:has-text("Save identity")');
    await page.waitForSelector('[data-testid=operator-saved]');
    await page.getByRole('button', { name: 'Runbook' }).click();
    expect(await page.inputValue('input[aria-label=Operator]')).toBe('Olivia Operator');
  });

  it('adds an ssh target, shows its unknown host key, and pins it only when told to', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const add = page.getByRole('form', { name: 'Add a target' });
    await add.locator('input[aria-label="Target name"]').fill('lab');
    await add.locator('select[aria-label="Target kind"]').selectOption('ssh');
    await add.locator('input[aria-label=Host]').fill('127.0.0.1');
    await add.locator('input[aria-label=Port]').fill(String(sshd.port));
    await add.locator('input[aria-label=User]').fill(sshd.user);
    await add.locator('input[aria-label="known_hosts file"]').fill(path.join(root, 'known_hosts'));
    await add.locator('button:has-text("Add target")').click();
    const row = page.locator('[data-testid=target-row][data-target=lab]');
    await expect.poll(() => row.textContent()).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);

    await row.locator('button:has-text("Check host key")').click();
    const result = row.locator('[data-testid=host-key-result]');
    await expect.poll(() => result.getAttribute('data-status'), POLL).toBe('unknown');
    expect(await result.locator('[data-testid=host-key-fingerprint]').textContent()).toBe(sshd.hostKey.fingerprint);
    let settings = readFileSync(path.join(root, 'settings', 'settings.json'), 'utf8');
    expect(settings).not.toContain(sshd.hostKey.fingerprint); // checking trusts nothing
    await shot('7-host-key');
    await result.locator('button', { hasText: 'Trust and pin' }).click();
    await expect.poll(() => row.locator('[data-testid=host-key-pinned]').textContent(), POLL).toBe(`pinned ${sshd.hostKey.fingerprint}`);
    await expect.poll(() => result.getAttribute('data-status'), POLL).toBe('known');
    settings = readFileSync(path.join(root, 'settings', 'settings.json'), 'utf8');
    expect(JSON.parse(settings).targets.lab.fingerprint).toBe(sshd.hostKey.fingerprint);
  });

  it('refuses an invalid targets YAML naming the field, and loses nothing', async () => {
    const yaml = page.locator('textarea[aria-label="Targets YAML"]');
    const before = await yaml.inputValue();
    expect(before).toContain('lab:');
    await yaml.fill('targets:\n  broken:\n    kind: ssh\n    port: 22\n');
    await page.click('button:has-text("Save YAML")');
    await expect.poll(() => page.textContent('[data-testid=targets-error]')).toMatch(/targets\.targets\.broken\.host/);
    expect(await page.locator('[data-testid=target-row]').count()).toBe(1);
    expect(JSON.parse(readFileSync(path.join(root, 'settings', 'settings.json'), 'utf8')).targets.lab.host).toBe('127.0.0.1');
  });

  it('shows the installation key and the agent keys, and makes the agent key the default for exports', async () => {
    const keys = page.locator('[data-testid=keys-settings]');
    await expect.poll(() => keys.locator('[data-testid=installation-fingerprint]').textContent()).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(await keys.locator('[data-testid=mac-keys]').textContent()).toContain(path.join(root, 'keys'));
    await keys.locator('li', { hasText: sshd.agentKey.fingerprint }).locator('button:has-text("Use by default")').click();
    await expect.poll(() => keys.locator('[data-testid=export-key-default]').textContent()).toMatch(/^ssh-agent/);
    // The browser host has no OS secret store, and says what to do instead.
    expect(await page.textContent('[data-testid=secrets-unavailable]')).toMatch(/no OS secret store: use passwordEnv, or type the password/);
    await shot('8-settings');
  });

  it('runs a block on the target picked for it (the pinned ssh host), and records the choice', async () => {
    await page.getByRole('button', { name: 'Runbook' }).click();
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
    const where = card('Where am I');
    const picker = where.locator('select[data-testid=target-picker]');
    expect(await picker.locator('option').allTextContents()).toEqual(['local', 'lab']);
    await picker.selectOption('lab');
    await expect.poll(() => where.locator('[data-testid=block-target]').textContent()).toBe(`(ssh, ${sshd.user}@127.0.0.1:${sshd.port})`);
    await where.locator('[data-testid=run-button]').click();
    await expect.poll(() => where.getAttribute('data-status'), POLL).toBe('succeeded');
    await expect.poll(() => where.locator('.xterm-rows').textContent()).toContain(`as ${sshd.user} in`);
    expect(await page.locator('[data-testid=run-step] [role=dialog], [role=dialog]').count()).toBe(0); // pinned: no trust question
    const binding = journal().find((r) => r.type === 'step.note' && r.data.binding);
    expect(binding?.data.binding).toMatchObject({ target: 'lab', kind: 'ssh' });
  });

  it('counts a time box down and alerts when it is due', async () => {
    const drain = card('Drain the queue');
    const timer = drain.locator('[data-testid=step-timer]');
    expect(await timer.getAttribute('data-kind')).toBe('timebox');
    await timer.locator('[data-testid=timer-start]').click();
    await expect.poll(() => timer.locator('[data-testid=timer-remaining]').textContent()).toMatch(/^0:0[12] left/);
    await shot('9-time-box');
    await expect.poll(() => timer.getAttribute('data-state'), POLL).toBe('due');
    expect(await timer.locator('[data-testid=timer-due]').textContent()).toMatch(/^Time is up at/);
    await expect.poll(() => page.locator('[data-testid=timer-alert]').first().textContent()).toContain('Time box over: Drain the queue');
  });

  it('repeats a check on its cadence until its time box ends, with a history of results', async () => {
    const probe = card('Health probe');
    const timer = probe.locator('[data-testid=step-timer]');
    expect(await timer.getAttribute('data-kind')).toBe('repeat');
    await timer.locator('[data-testid=timer-start]').click();
    await expect.poll(() => timer.getAttribute('data-state'), POLL).toBe('due');
    await expect.poll(() => timer.locator('[data-testid=timer-history] tbody tr').count(), POLL).toBeGreaterThanOrEqual(2);
    for (const row of await timer.locator('[data-testid=timer-history] tbody tr td:nth-child(2)').allTextContents()) expect(row).toBe('succeeded');
    await expect.poll(() => page.locator('[data-testid=timer-alert]', { hasText: 'Repeating check ended: Health probe' }).count()).toBe(1);
    await shot('10-repeat');
    // The host kept both timers and journaled them as typed timer records (started by the operator, the rest by the host).
    const timers = journal()
      .filter((r) => r.type === 'timer')
      .map((r) => [r.data.kind, r.data.event, r.data.by, r.data.text]);
    expect(timers).toEqual(expect.arrayContaining([['timebox', 'started', 'Olivia Operator', 'Monitor the queue for 2 seconds'], ['timebox', 'due', 'host', 'Monitor the queue for 2 seconds'], ['repeat', 'started', 'Olivia Operator', 'every 5 seconds'], ['repeat', 'run', 'host', 'every 5 seconds'], ['repeat', 'due', 'host', 'every 5 seconds']]));
    const probeRuns = journal().filter((r) => r.type === 'step.started' && JSON.stringify(r.data).includes('echo probe'));
    expect(probeRuns.length).toBeGreaterThanOrEqual(2);
  });

  it('exports with the default key from Settings (ssh-agent), which stock ssh-keygen verifies', async () => {
    const out = path.join(root, 'bundle');
    await page.fill('input[aria-label="Export directory"]', out);
    expect(await page.isChecked('text=use ssh-agent >> input')).toBe(true);
    await exportReport(page);
    const principal = ((await page.textContent('[data-testid=export-signer]')) as string).split(' ')[0] as string;
    expect(principal).toBe('Olivia-Operator');
    const ssh = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', 'allowed_signers', '-I', principal, '-n', 'runbook-console-audit', '-s', 'report.json.sig'], { cwd: out, input: readFileSync(path.join(out, 'report.json')), encoding: 'utf8' });
    expect(ssh.status, ssh.stdout + ssh.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'allowed_signers'), 'utf8')).toContain(sshd.agentKey.publicKey.split(' ')[1] as string);
  });

  it('RESTRICTED: runs a state-changing block only once a second person\'s signature over its record holds', async () => {
    const bob = path.join(root, 'bob_ed25519');
    expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bob', '-f', bob]).status).toBe(0);
    const approvers = path.join(root, 'approvers');
    writeFileSync(approvers, `bob namespaces="runbook-console-approval" ${readFileSync(`${bob}.pub`, 'utf8')}`);
    await page.click('button:has-text("New run…")');
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.fill('input[aria-label="Approvers file"]', approvers);
    await page.click('button:has-text("Save approvers file")');
    await expect.poll(() => page.textContent('[data-testid=approvers-file]')).toBe(`in use: ${approvers}`);
    await page.getByRole('button', { name: 'Runbook' }).click();
    await page.selectOption('select[aria-label=Profile]', 'restricted');
    await page.click('button:has-text("Start run")');
    await page.waitForSelector('[data-testid=run-view]');
    expect(await page.locator('[data-testid=problems]').count()).toBe(0);

    await card('Record the change').locator('[data-testid=run-button]').click();
    const modal = page.locator('[data-testid=approval]');
    await modal.waitFor(POLL);
    const hash = (await modal.locator('[data-testid=approval-hash]').textContent()) as string;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await modal.locator('[data-testid=approval-command]').textContent()).toBe(`printf %s ${hash} | ssh-keygen -Y sign -f THEIR_KEY -n runbook-console-approval`);
    await shot('11-approval');
    // An unsigned paste is refused and the request stays open; nothing has run.
    await modal.locator('input[aria-label=Approver]').fill('bob');
    await modal.locator('textarea[aria-label="Approval signature"]').fill('not a signature');
    await modal.locator('button:has-text("Approve and run")').click();
    await expect.poll(() => modal.locator('[data-testid=approval-refusal]').textContent()).toMatch(/^Not accepted: not an SSH signature/);
    expect(existsSync(path.join(root, 'changed'))).toBe(false);
    const signed = spawnSync('ssh-keygen', ['-q', '-Y', 'sign', '-f', bob, '-n', 'runbook-console-approval'], { input: hash, encoding: 'utf8' });
    expect(signed.status, signed.stderr).toBe(0);
    await modal.locator('textarea[aria-label="Approval signature"]').fill(signed.stdout);
    await modal.locator('button:has-text("Approve and run")').click();
    await expect.poll(() => card('Record the change').getAttribute('data-status'), POLL).toBe('succeeded');
    expect(existsSync(path.join(root, 'changed'))).toBe(true);
    expect(await modal.count()).toBe(0);
    await page.click('button:has-text("Verify")');
    await expect.poll(() => page.textContent('[data-testid=verify-result]')).toMatch(/^Intact/);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
