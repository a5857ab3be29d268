// RESTRICTED runs through the CLI: a second person's SSH signature over each state-changing block's
// step.started hash is required before it runs, recorded, and checked again by verify.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { JOURNAL_FILE } from '../../src/main/audit/record.js';
import { REPO_ROOT } from '../support/shared.js';
import { insiderRewrite } from './insider.js';
import { HAVE_SSH_KEYGEN, makeKey, skipReason } from './ssh-tools.js';
import { RESTRICTED_CHANGE } from '../support/runbook-fixtures.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const RUNBOOK = RESTRICTED_CHANGE;

describe.skipIf(skipReason('approval tests', HAVE_SSH_KEYGEN))('RESTRICTED approvals', () => {
  let root: string;
  let env: Record<string, string>;
  let approvers: string;
  let bobKey: string;
  let malloryKey: string;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'approvals-'));
    env = { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys') };
    writeFileSync(path.join(root, 'rb.md'), RUNBOOK);
    const bob = makeKey(root, 'bob', 'ed25519');
    const mallory = makeKey(root, 'mallory', 'ed25519');
    bobKey = bob.file;
    malloryKey = mallory.file;
    approvers = path.join(root, 'approvers');
    writeFileSync(approvers, `${formatAllowedSigner({ principals: ['bob'], publicKey: bob.publicKeyLine, namespaces: ['runbook-console-approval'] })}\n`);
  });

  const run = (name: string, ...args: string[]) =>
    spawnSync(process.execPath, [CLI, 'run', path.join(root, 'rb.md'), '--yes', '--operator', 'alice', '--journal', path.join(root, name), '--var', `MARKER=${path.join(root, `${name}.marker`)}`, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  const signWith = (key: string) => `ssh-keygen -q -Y sign -f ${key} -n runbook-console-approval`;

  it('refuses to start without an approvers file', () => {
    const res = run('no-approvers');
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/profile restricted: state-changing steps need a second person's approval/);
  });

  it('runs a state-changing block only after an allowed approver signed its step.started record; verify checks it', () => {
    const res = run('approved', '--approvers', approvers, '--approver', 'bob', '--approval-command', signWith(bobKey));
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/✓ approved by bob \(SHA256:/);
    expect(res.stdout).toMatch(/paste into the change ticket:\n {2}runbook-console\/[0-9a-f]{16}\/[0-9a-f-]{36} \d+ [A-Za-z0-9+/]{43}=/);
    const journal = readFileSync(path.join(root, 'approved', JOURNAL_FILE), 'utf8');
    // `ls / >/dev/null; echo looked` is proven read-only by the parser: only the change needs an approval.
    expect(journal.match(/"type":"approval"/g)).toHaveLength(1);
    // verify checks it: unanchored alone (exit 3); against the installation's and bob's keys, verified (exit 0).
    const bare = spawnSync(process.execPath, [CLI, 'verify', path.join(root, 'approved')], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(bare.status, bare.stdout).toBe(3);
    const installation = readFileSync(path.join(env.RUNBOOK_CONSOLE_KEY_DIR as string, 'installation_ed25519.pub'), 'utf8').trim();
    const auditor = path.join(root, 'auditor-allowed-signers');
    writeFileSync(auditor, `${formatAllowedSigner({ principals: ['installation'], publicKey: installation, namespaces: ['runbook-console-checkpoint'] })}\n${readFileSync(approvers, 'utf8')}`);
    const verify = spawnSync(process.execPath, [CLI, 'verify', path.join(root, 'approved'), '--allowed-signers', auditor], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(verify.status, verify.stdout).toBe(0);
  });

  it('a signature by someone not allowed stops the block before it runs', () => {
    const res = run('refused', '--approvers', approvers, '--approver', 'bob', '--approval-command', signWith(malloryKey));
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/not approved: SHA256:\S+ is not an allowed approver key for "bob"/);
    expect(readFileSync(path.join(root, 'refused', JOURNAL_FILE), 'utf8')).toMatch(/"granted":false/);
    expect(spawnSync('test', ['-e', path.join(root, 'refused.marker')]).status).not.toBe(0);
  });

  it('verify rejects a RESTRICTED journal whose approval was removed, even when re-chained and re-sealed', async () => {
    const dir = path.join(root, 'stripped');
    cpSync(path.join(root, 'approved'), dir, { recursive: true });
    await insiderRewrite(env.RUNBOOK_CONSOLE_KEY_DIR as string, dir, (records) => records.filter((r) => r.type !== 'approval'));
    const verify = spawnSync(process.execPath, [CLI, 'verify', dir], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(verify.status).toBe(1);
    expect(verify.stdout).toMatch(/^FAIL E_APPROVAL \(record \d+/m);
  });
});
