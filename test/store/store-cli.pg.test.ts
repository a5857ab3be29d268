// The team store from the command line, against a real PostgreSQL over verify-full TLS: an administrator
// runs `store init`; an operator's run ships as it goes (`run --store`); `store verify` and `verify --store`
// pass for it; an insider who rewrites and re-seals the local run (which then verifies on its own) is caught
// by the store; an administrator's direct edit of a stored line is found by `store verify`; a run made with
// the store away is shipped later with `store push`. Runs the built command (npm run build).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, pin } from '../cli/crash-support.js';
import { insiderRewrite } from '../audit/insider.js';
import { type PostgresHandle, postgresAvailable, startPostgres } from '../infra/postgres.js';

const available = postgresAvailable('team store CLI tests');
const WRITER_PASSWORD = 'operator-pw-98765';

let server: PostgresHandle;
let root: string;
let env: Record<string, string>;
let adminEnv: Record<string, string>;

const url = (user: string, port = server.port) => `postgresql://${user}@127.0.0.1:${port}/appdb?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile)}`;

beforeAll(async () => {
  if (!available) return;
  server = await startPostgres();
  root = mkdtempSync(path.join(tmpdir(), 'store-cli-'));
  writeFileSync(path.join(root, 'hello.md'), '# Hello\n\n- [ ] Greet\n  ```bash\n  echo hello\n  ```\n- [ ] Wave\n  ```bash\n  echo wave\n  ```\n');
  env = { RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'), RUNBOOK_STORE_URL: url('bob'), RUNBOOK_STORE_PASSWORD: WRITER_PASSWORD };
  adminEnv = { RUNBOOK_STORE_PASSWORD: server.superuserPassword };
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe.skipIf(!available)('runbook store (CLI)', () => {
  it('init prints the grants it made; an operator login given the role ships a run as it goes; both verifies pass', async () => {
    const init = cli(adminEnv, 'store', 'init', '--url', url('postgres'));
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toContain('postgres@127.0.0.1');
    expect(init.stdout).toContain('(verify-full)');
    expect(init.stdout).toMatch(/role runbook_writer may[^\n]*\n  INSERT on runbook_store.approval_answers\n  SELECT on runbook_store.approval_answers\n  INSERT on runbook_store.approval_requests\n  SELECT on runbook_store.approval_requests\n  INSERT on runbook_store.blob_parts\n  SELECT on runbook_store.blob_parts\n  SELECT on runbook_store.migrations\n  SELECT on runbook_store.people\n  INSERT on runbook_store.records\n  SELECT on runbook_store.records\n/);
    expect(init.stdout).not.toContain(server.superuserPassword);
    const admin = new pg.Client({ host: server.host, port: server.port, user: server.superuser, password: server.superuserPassword, database: 'appdb', ssl: { rejectUnauthorized: false } });
    await admin.connect();
    await admin.query(`CREATE ROLE bob LOGIN PASSWORD ${admin.escapeLiteral(WRITER_PASSWORD)} IN ROLE runbook_writer`);
    await admin.end();

    const dir = path.join(root, 'run-1');
    const run = cli(env, 'run', path.join(root, 'hello.md'), '--yes', '--journal', dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/shipped \d+ records to the team store bob@127\.0\.0\.1:\d+\/appdb \(verify-full\)/);

    const verified = cli(env, 'store', 'verify', ...pin(env));
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^OK {4}\S+: \d+ records intact \(chain, sealed at \d+, signatures anchored/m);
    expect(verified.stdout).toContain('1 of 1 stored runs verified');
    // Without an anchor it is intact but says so, and exits 3 as `runbook verify` does.
    const unpinned = cli(env, 'store', 'verify');
    expect(unpinned.status).toBe(3);
    expect(unpinned.stdout).toMatch(/^INTACT \S+: .*NOT ANCHORED/m);

    const local = cli(env, 'verify', dir, '--store', url('bob'), ...pin(env));
    expect(local.status, local.stdout + local.stderr).toBe(0);

    const runs = cli(env, 'store', 'runs', '--json');
    expect(runs.status, runs.stderr).toBe(0);
    const listed = JSON.parse(runs.stdout) as { runs: { title: string; profile: string; lastType: string; sealedSize: number | null }[] };
    expect(listed.runs).toHaveLength(1);
    expect(listed.runs[0]).toMatchObject({ title: 'Hello', profile: 'standard', lastType: 'checkpoint', state: 'finished' });
    // --verify puts each run's verdict beside it: anchored with the pin, not without.
    const listedVerified = cli(env, 'store', 'runs', '--verify', ...pin(env));
    expect(listedVerified.status, listedVerified.stderr).toBe(0);
    expect(listedVerified.stdout).toMatch(/ finished +standard .*sealed at \d+ +verify: ok$/m);
    expect(cli(env, 'store', 'runs', '--verify').stdout).toMatch(/verify: intact, not anchored$/m);
  });

  it('an insider rewrites and re-seals the local run: it verifies on its own, and the store catches it', async () => {
    const dir = path.join(root, 'run-2');
    expect(cli(env, 'run', path.join(root, 'hello.md'), '--yes', '--journal', dir).status).toBe(0);
    await insiderRewrite(env.RUNBOOK_CONSOLE_KEY_DIR as string, dir, (records) => records.filter((r) => !(r.type === 'step.finished' && JSON.stringify(r.data).includes('wave'))));
    const alone = cli(env, 'verify', dir, ...pin(env));
    expect(alone.status, 'the rewrite must verify on its own, or this test proves nothing').toBe(0);
    const against = cli(env, 'verify', dir, '--store', url('bob'), ...pin(env));
    expect(against.status).toBe(1);
    expect(against.stdout).toMatch(/FAIL E_STORE_DIFFERS \(record \d+/);
  });

  it("an administrator's direct edit of a stored line (triggers dropped) is found by store verify", async () => {
    const admin = new pg.Client({ host: server.host, port: server.port, user: server.superuser, password: server.superuserPassword, database: 'appdb', ssl: { rejectUnauthorized: false } });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ run_id: string }>(`SELECT run_id FROM runbook_store.records WHERE seq = 0 ORDER BY recorded_at LIMIT 1`);
      const runId = rows[0]?.run_id as string;
      await admin.query('ALTER TABLE runbook_store.records DISABLE TRIGGER USER');
      await admin.query(`UPDATE runbook_store.records SET line = replace(line, 'hello', 'HELLO') WHERE run_id = $1 AND type = 'step.started'`, [runId]);
      await admin.query('ALTER TABLE runbook_store.records ENABLE TRIGGER USER');
      const verified = cli(env, 'store', 'verify', '--run', runId, ...pin(env));
      expect(verified.status).toBe(1);
      expect(verified.stdout).toMatch(/FAIL {2}\S+: E_STORE_EDITED run \S+, record \d+: the stored line hashes to/);
      // The same edit with the hash column recomputed: what the seal covers still catches it.
      const other = (await admin.query<{ run_id: string }>(`SELECT run_id FROM runbook_store.records WHERE seq = 0 AND run_id <> $1 ORDER BY recorded_at LIMIT 1`, [runId])).rows[0]?.run_id as string;
      await admin.query('ALTER TABLE runbook_store.records DISABLE TRIGGER USER');
      await admin.query(`UPDATE runbook_store.records SET line = replace(line, 'hello', 'HELLO'), hash = encode(sha256(convert_to(replace(line, 'hello', 'HELLO'), 'UTF8')), 'hex') WHERE run_id = $1 AND type = 'step.started'`, [other]);
      await admin.query('ALTER TABLE runbook_store.records ENABLE TRIGGER USER');
      const rehashed = cli(env, 'store', 'verify', '--run', other, ...pin(env));
      expect(rehashed.status).toBe(1);
      expect(rehashed.stdout).toMatch(/FAIL {2}\S+: E_(?!STORE_EDITED)[A-Z_]+ /);
    } finally {
      await admin.end();
    }
  });

  it('a run made with the store away ships later with store push, and then verifies against it', async () => {
    const dir = path.join(root, 'run-3');
    const away = { ...env, RUNBOOK_STORE_URL: url('bob', 1) }; // nothing listens on port 1
    const run = cli(away, 'run', path.join(root, 'hello.md'), '--yes', '--journal', dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/records are not in the team store .* yet \(the store cannot be reached/);
    expect(run.stderr).toContain('runbook store push');
    const pushed = cli(env, 'store', 'push', dir);
    expect(pushed.status, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/shipped \d+ records to bob@127\.0\.0\.1:\d+\/appdb \(verify-full\) \(it held 0 of \d+\)/);
    const again = cli(env, 'store', 'push', dir);
    expect(again.stdout).toMatch(/shipped 0 records/);
    expect(cli(env, 'verify', dir, '--store', url('bob'), ...pin(env)).status).toBe(0);
  });
});
