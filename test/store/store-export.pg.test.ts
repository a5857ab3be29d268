// An evidence bundle exported from the team store alone: a run ships its records and the files they name
// (the runbook, a 4 MB output in 1 MiB parts) as it goes; with the run's directory gone, `runbook store
// export` writes a bundle whose journal is the run's own bytes and which the stock verifier passes. Attacks:
// a blob part changed in the database (triggers dropped) is found and nothing is exported; a run whose end
// the store does not hold is not exported; another writer cannot add files to someone else's run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_FILE, sha256Hex } from '../../src/main/audit/record.js';
import { connectStore } from '../../src/main/store/connect.js';
import { STORE_SCHEMA } from '../../src/main/store/schema.js';
import { pushRun } from '../../src/main/store/ship.js';
import { parseStoreUrl } from '../../src/main/store/url.js';
import { writeJournal } from '../audit/journal-support.js';
import { HAVE_SSH_KEYGEN, makeKey, skipReason } from '../audit/ssh-tools.js';
import { HAVE_PYTHON, VERIFY_PY } from '../audit/tamper-suite.js';
import { cli } from '../cli/crash-support.js';
import { type PostgresHandle, postgresAvailable } from '../infra/postgres.js';
import { REPO_ROOT } from '../support/shared.js';
import { startStoreServer } from './store-server.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');

const available = postgresAvailable('export from the team store') && !skipReason('export from the team store', HAVE_SSH_KEYGEN);
let server: PostgresHandle;
let admin: pg.Client;
let root: string;
let env: Record<string, string>;
let runDir: string;
let runId: string;
let original: Buffer;

const url = (user: string) => `postgresql://${user}@127.0.0.1:${server.port}/appdb?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile)}`;
const login = (user: string) => connectStore(parseStoreUrl(url(user)), { purpose: 'test', env: { RUNBOOK_STORE_PASSWORD: `${user}-pw` } });

beforeAll(async () => {
  if (!available) return;
  ({ server, admin } = await startStoreServer(['alice', 'mallory']));
  root = mkdtempSync(path.join(tmpdir(), 'store-export-'));
  env = { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), RUNBOOK_STORE_URL: url('alice'), RUNBOOK_STORE_PASSWORD: 'alice-pw' };
  writeFileSync(path.join(root, 'rb.md'), '# Big output\n- [ ] Print a lot\n  ```bash\n  head -c 3000000 /dev/zero | tr "\\\\0" x | fold -w 200\n  ```\n');
  runDir = path.join(root, 'run');
  // The output is printed too: room for it (the default 1 MiB would cut the run short).
  const ran = spawnSync(process.execPath, [CLI, 'run', path.join(root, 'rb.md'), '--yes', '--journal', runDir], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  if (ran.status !== 0) throw new Error(`the run failed (${ran.status}): ${ran.stderr.slice(-2000)}`);
  original = readFileSync(path.join(runDir, JOURNAL_FILE));
  runId = (JSON.parse(original.toString('utf8').split('\n')[0] as string) as { run: string }).run;
}, 120_000);

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

describe.skipIf(!available)('a bundle exported from the team store', () => {
  it('the run shipped its files as it went: the output in 1 MiB parts, the runbook', async () => {
    const { rows } = await admin.query<{ sha256: string; parts: string }>(`SELECT sha256, count(*) AS parts FROM ${STORE_SCHEMA}.blob_parts WHERE run_id = $1 GROUP BY sha256`, [runId]);
    const parts = rows.map((r) => Number(r.parts)).sort((a, b) => a - b);
    expect(parts.at(-1)).toBeGreaterThanOrEqual(3);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // store verify checks them as well as the records.
    const verified = cli(env, 'store', 'verify', '--run', runId);
    expect([0, 3], verified.stdout + verified.stderr).toContain(verified.status);
    expect(verified.stdout).toContain('every file the records name matches its hash');
  });

  it('with the run directory gone, store export writes a bundle of the very same journal that the stock verifier passes', async () => {
    renameSync(runDir, `${runDir}.gone`);
    const alice = makeKey(root, 'alice', 'ed25519');
    const out = path.join(root, 'bundle');
    // Signed with a person's key, never this machine's installation key (which did not seal the run).
    expect(cli(env, 'store', 'export', '--run', runId, '--out', out).status).toBe(2);
    const exported = cli(env, 'store', 'export', '--run', runId, '--out', out, '--key', alice.file);
    expect(exported.status, exported.stdout + exported.stderr).toBe(0);
    expect(readFileSync(path.join(out, JOURNAL_FILE)).equals(original)).toBe(true);
    const verified = cli(env, 'verify', out);
    expect([0, 3], verified.stdout + verified.stderr).toContain(verified.status);
    if (HAVE_PYTHON) {
      const check = spawnSync('python3', [VERIFY_PY, out], { encoding: 'utf8' });
      expect(check.stdout).not.toMatch(/^FAIL/m);
      expect(check.stdout).toMatch(/^ok +blobs/m);
    }
    renameSync(`${runDir}.gone`, runDir);
  }, 120_000);

  it('a blob part changed in the database is found, and nothing is exported', async () => {
    const { rows } = await admin.query<{ sha256: string }>(`SELECT sha256 FROM ${STORE_SCHEMA}.blob_parts WHERE run_id = $1 AND part = 1 LIMIT 1`, [runId]);
    const sha = rows[0]?.sha256 as string;
    await admin.query(`ALTER TABLE ${STORE_SCHEMA}.blob_parts DISABLE TRIGGER USER`);
    try {
      await admin.query(`UPDATE ${STORE_SCHEMA}.blob_parts SET bytes = overlay(bytes placing '\\x79'::bytea from 10) WHERE run_id = $1 AND sha256 = $2 AND part = 1`, [runId, sha]);
    } finally {
      await admin.query(`ALTER TABLE ${STORE_SCHEMA}.blob_parts ENABLE TRIGGER USER`);
    }
    // store verify finds it too, naming the file.
    const verified = cli(env, 'store', 'verify', '--run', runId);
    expect(verified.status).toBe(1);
    expect(verified.stdout).toContain(`E_STORE_EDITED blob ${sha} of run ${runId}: the stored bytes hash to`);
    const out = path.join(root, 'bundle-tampered');
    const exported = cli(env, 'store', 'export', '--run', runId, '--out', out, '--key', path.join(root, 'alice'));
    expect(exported.status).toBe(1);
    expect(exported.stderr).toContain(`blob ${sha} of run ${runId}: the stored bytes hash to`);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('a run whose end the store does not hold is not exported; another writer cannot add files to a run', async () => {
    const { dir } = writeJournal(4, 'run-unended-000001');
    const alice = await login('alice');
    const mallory = await login('mallory');
    try {
      await pushRun(alice, dir);
      const exported = cli(env, 'store', 'export', '--run', 'run-unended-000001', '--out', path.join(root, 'unended'), '--key', path.join(root, 'alice'));
      expect(exported.status).toBe(1);
      expect(exported.stderr).toContain('the store does not hold its end (run.finished)');
      const planted = await mallory
        .query(`INSERT INTO ${STORE_SCHEMA}.blob_parts (run_id, sha256, part, bytes, last, received_at, shipped_by) VALUES ($1, $2, 0, $3, true, now(), current_user)`, ['run-unended-000001', sha256Hex('x'), Buffer.from('x')])
        .then(() => null, (e: { hint?: string }) => e.hint);
      expect(planted).toBe('runbook-store:not-owner');
      // Every part but a file's last is whole (else a writer's endless empty parts would hold every reader).
      const short = await alice
        .query(`INSERT INTO ${STORE_SCHEMA}.blob_parts (run_id, sha256, part, bytes, last, received_at, shipped_by) VALUES ($1, $2, 0, $3, false, now(), current_user)`, ['run-unended-000001', sha256Hex('y'), Buffer.from('y')])
        .then(() => null, (e: { code?: string }) => e.code);
      expect(short).toBe('23514');
    } finally {
      await alice.end();
      await mallory.end();
    }
  }, 60_000);
});
