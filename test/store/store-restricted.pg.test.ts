// RESTRICTED with a team store: a state-changing block starts only once the store holds every record so far
// (its step.started and approval included). With the store away the approved block is refused
// (store-lagging): the canary file it would make does not appear, the read-only step still ran, and the
// journal (format 4) verifies in both verifiers. The control: the same run with the store up makes it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { JOURNAL_FILE } from '../../src/main/audit/record.js';
import { HAVE_SSH_KEYGEN, makeKey, skipReason } from '../audit/ssh-tools.js';
import { HAVE_PYTHON, VERIFY_PY } from '../audit/tamper-suite.js';
import { type PostgresHandle, postgresAvailable, startPostgres } from '../infra/postgres.js';
import { REPO_ROOT } from '../support/shared.js';
import { RESTRICTED_CHANGE } from '../support/runbook-fixtures.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const available = postgresAvailable('RESTRICTED team store tests') && !skipReason('RESTRICTED team store tests', HAVE_SSH_KEYGEN);
const RUNBOOK = RESTRICTED_CHANGE;

let server: PostgresHandle;
let root: string;
let approvers: string;
let bobKey: string;
let aliceKey: string;

beforeAll(async () => {
  if (!available) return;
  server = await startPostgres();
  root = mkdtempSync(path.join(tmpdir(), 'store-restricted-'));
  writeFileSync(path.join(root, 'rb.md'), RUNBOOK);
  const bob = makeKey(root, 'bob', 'ed25519');
  bobKey = bob.file;
  aliceKey = makeKey(root, 'alice', 'ed25519').file;
  approvers = path.join(root, 'approvers');
  writeFileSync(approvers, `${formatAllowedSigner({ principals: ['bob'], publicKey: bob.publicKeyLine, namespaces: ['runbook-console-approval'] })}\n`);
  const admin = new pg.Client({ host: server.host, port: server.port, user: server.superuser, password: server.superuserPassword, database: 'appdb', ssl: { rejectUnauthorized: false } });
  await admin.connect();
  const { initStore } = await import('../../src/main/store/schema.js');
  await initStore(admin);
  await admin.query(`CREATE ROLE alice LOGIN PASSWORD 'alice-pw' IN ROLE runbook_writer`);
  await admin.end();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const storeUrl = (port: number) => `postgresql://alice@127.0.0.1:${port}/appdb?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile)}&connect_timeout=1`;

function run(name: string, port: number, extra: string[] = []) {
  const env = { ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), RUNBOOK_STORE_URL: storeUrl(port), RUNBOOK_STORE_PASSWORD: 'alice-pw' };
  const res = spawnSync(process.execPath, [CLI, 'run', path.join(root, 'rb.md'), '--yes', '--operator', 'alice', '--journal', path.join(root, name), '--var', `MARKER=${path.join(root, `${name}.marker`)}`, '--approvers', approvers, '--approver', 'bob', '--approval-command', `ssh-keygen -q -Y sign -f ${bobKey} -n runbook-console-approval`, ...extra], { encoding: 'utf8', env, timeout: 120_000 });
  return { ...res, env };
}

const records = (name: string) => readFileSync(path.join(root, name, JOURNAL_FILE), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });

describe.skipIf(!available)('RESTRICTED with a team store', () => {
  it('the store away: the approved state-changing block is refused (store-lagging), nothing it does happens, and the run verifies', () => {
    const res = run('away', 1);
    expect(res.status).toBe(1);
    expect(existsSync(path.join(root, 'away.marker')), 'the refused block ran').toBe(false);
    const journal = records('away');
    expect(journal[0]?.data.format).toBe('runbook-console-journal/4');
    const finished = journal.filter((r) => r.type === 'step.finished').map((r) => (r.data.outcome as { refusal: string | null; status: string }));
    expect(finished.map((o) => o.refusal)).toEqual([null, 'store-lagging']);
    expect(journal.some((r) => r.type === 'approval')).toBe(true);
    expect(res.stdout + res.stderr).toMatch(/team store has not got \d+ of this run's records/);
    const verified = spawnSync(process.execPath, [CLI, 'verify', path.join(root, 'away')], { encoding: 'utf8', env: res.env });
    expect([0, 3], verified.stdout).toContain(verified.status);
    // The bundle's own verifier reads format 4 and its code too.
    const bundle = path.join(root, 'away-bundle');
    const exported = spawnSync(process.execPath, [CLI, 'export', path.join(root, 'away'), '--out', bundle, '--key', aliceKey], { encoding: 'utf8', env: res.env });
    expect(exported.status, exported.stdout + exported.stderr).toBe(0);
    if (HAVE_PYTHON) {
      const py = spawnSync('python3', [VERIFY_PY, bundle], { encoding: 'utf8' });
      expect(py.stdout + py.stderr).toContain('ok    records: in format runbook-console-journal/4');
      expect(py.stdout).not.toMatch(/^FAIL/m);
    }
  }, 120_000);

  it('--store-gate off: the operator chose to go on while the store is away; the block runs, and run.started says the gate was off', () => {
    const res = run('gate-off', 1, ['--store-gate', 'off']);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(existsSync(path.join(root, 'gate-off.marker'))).toBe(true);
    const journal = records('gate-off');
    expect(journal[0]?.data.store).toEqual({ url: expect.stringMatching(/^alice@127\.0\.0\.1:1\/appdb/), gate: false });
    expect(res.stderr).toMatch(/records are not in the team store/);
    // The lag was said when it began, not only at the end.
    expect(res.stderr).toMatch(/runbook: note: team store: the store cannot be reached: .*record\(s\) behind, still trying \(the run goes on\)/);
    const gated = records('away')[0]?.data.store;
    expect(gated).toMatchObject({ gate: true });
  }, 120_000);

  it('the control: with the store up the same block runs, after the store holds its step.started and approval', () => {
    const res = run('up', server.port);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(existsSync(path.join(root, 'up.marker'))).toBe(true);
    expect(res.stdout).toMatch(/shipped \d+ records to the team store/);
  }, 120_000);
});
