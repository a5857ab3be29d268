// The postgres executor against a real PostgreSQL server (Debian's binaries), started once for this file
// on 127.0.0.1 with password auth and TLS from a throwaway CA.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresTarget } from '../../../src/shared/targets.js';
import { createPostgresExecutor } from '../../../src/main/targets/postgres/executor.js';
import type { ExecutionRequest, ExecutionResult, Executor, ExecutorContext, OutputChunk } from '../../../src/main/targets/types.js';
import { type PostgresHandle, postgresAvailable, startPostgres } from '../../infra/postgres.js';
import { postgresTarget } from '../../support/targets.js';

const available = postgresAvailable('postgres executor tests');
const PASSWORD_ENV = 'RUNBOOK_TEST_DB_PASSWORD';

let server: PostgresHandle;
const executors: Executor[] = [];

beforeAll(async () => {
  if (available) server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(executors.map((e) => e.close()));
  await server?.stop();
});

function targetConfig(overrides: Partial<PostgresTarget> = {}): PostgresTarget {
  return postgresTarget(server, PASSWORD_ENV, overrides);
}

function context(overrides: Partial<ExecutorContext> = {}): ExecutorContext {
  return { baseDir: server.dir, env: { [PASSWORD_ENV]: server.password }, ask: async () => null, confirm: async () => false, ...overrides };
}

function executor(overrides: Partial<PostgresTarget> = {}, ctx: Partial<ExecutorContext> = {}): Executor {
  const e = createPostgresExecutor('db', targetConfig(overrides), context(ctx));
  executors.push(e);
  return e;
}

interface Run {
  result: ExecutionResult;
  output: OutputChunk[];
}

function start(e: Executor, code: string, extra: Partial<ExecutionRequest> = {}) {
  const output: OutputChunk[] = [];
  const execution = e.start({ blockId: 'b', action: 'sql', code, onOutput: (chunk) => output.push(chunk), ...extra });
  return { execution, output, done: async (): Promise<Run> => ({ result: await execution.result, output }) };
}

const run = (e: Executor, code: string, extra: Partial<ExecutionRequest> = {}) => start(e, code, extra).done();

/** A client of our own (superuser over TLS), to look at the server from outside the executor. */
async function observer(): Promise<pg.Client> {
  const client = new pg.Client({ host: server.host, port: server.port, user: server.superuser, password: server.superuserPassword, database: 'postgres', ssl: { rejectUnauthorized: false } });
  await client.connect();
  return client;
}

/** Polls the server until `check` holds (observation, not a fixed sleep), failing after `limitMs`. */
async function waitFor(what: string, check: () => Promise<boolean>, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const SSL_REQUEST_CODE = 80877103;

/**
 * A TCP forwarder to the server. On 127.0.0.2 it tests host names (the server's certificate does not name
 * that address); with `refuseTls` it answers an SSLRequest with "N" as a server without TLS would, then
 * forwards the plain connection.
 */
async function forwarder(options: { host?: string; refuseTls?: boolean } = {}): Promise<{ host: string; port: number; close(): void } | null> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(server.port, server.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    if (!options.refuseTls) {
      client.pipe(upstream).pipe(client);
      return;
    }
    client.once('data', (first: Buffer) => {
      const sslRequest = first.length >= 8 && first.readInt32BE(4) === SSL_REQUEST_CODE;
      if (sslRequest) client.write('N');
      const rest = sslRequest ? first.subarray(8) : first;
      if (rest.length > 0) upstream.write(rest);
      client.pipe(upstream).pipe(client);
    });
  });
  const listening = await new Promise<boolean>((resolve) => {
    proxy.once('error', () => resolve(false));
    proxy.listen(0, host, () => resolve(true));
  });
  if (!listening) return null;
  const address = proxy.address() as net.AddressInfo;
  return {
    host,
    port: address.port,
    close: () => {
      for (const s of sockets) s.destroy();
      proxy.close();
    },
  };
}

describe.skipIf(!available)('postgres executor (real server)', () => {
  describe('connecting', () => {
    it('logs in with a password over TLS, verify-full against the test CA, and says so', async () => {
      const { result } = await run(executor(), 'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(result.resultSets[0]?.rows).toEqual([[true, expect.stringMatching(/^TLSv1\.[23]$/)]]);
      expect(result.target).toMatchObject({ name: 'db', kind: 'postgres', endpoint: `app@127.0.0.1:${server.port}/appdb (verify-full)` });
      expect(result.target.details).toMatchObject({ tls: expect.stringMatching(/^TLSv1/), serverVersion: expect.stringMatching(/^\d+/) });
      expect(result.notes.join('\n')).toMatch(/TLS in use per pg_stat_ssl .*chain against .*ca\.crt and host name \(verify-full\)/);
      expect(result.notes.join('\n')).toMatch(/server PostgreSQL \d+/);
      expect(result.notes.join('\n')).toContain(`password from $${PASSWORD_ENV}`);
      expect(JSON.stringify(result)).not.toContain(server.password);
    });

    it('verify-full refuses a server whose certificate does not name the host; verify-ca accepts it', async () => {
      const proxy = await forwarder({ host: '127.0.0.2' });
      if (!proxy) {
        console.warn('skipped the host-name check: cannot listen on 127.0.0.2 here');
        return;
      }
      try {
        const full = (await run(executor({ host: proxy.host, port: proxy.port }), 'SELECT 1')).result;
        expect(full.status).toBe('error');
        expect(full.error).toMatch(/certificate is not valid for host 127\.0\.0\.2 \(sslmode verify-full checks the host name\)/);
        const chainOnly = (await run(executor({ host: proxy.host, port: proxy.port, sslmode: 'verify-ca' }), 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).result;
        expect(chainOnly.status, chainOnly.error ?? '').toBe('succeeded');
        expect(chainOnly.resultSets[0]?.rows).toEqual([[true]]);
      } finally {
        proxy.close();
      }
    });

    it('refuses a server certificate from another CA', async () => {
      const { result } = await run(executor({ sslrootcert: server.otherCaFile }), 'SELECT 1');
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/certificate is not signed by the CA in sslrootcert .*other-ca\.crt \(sslmode verify-full\)/);
    });

    it('sslmode require encrypts without verifying, but checks the chain when given a CA file (as libpq)', async () => {
      const unverified = (await run(executor({ sslmode: 'require', sslrootcert: undefined }), 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).result;
      expect(unverified.status, unverified.error ?? '').toBe('succeeded');
      expect(unverified.resultSets[0]?.rows).toEqual([[true]]);
      expect(unverified.notes.join('\n')).toMatch(/certificate checked: none \(sslmode require: encrypted, not verified\)/);
      const wrongCa = (await run(executor({ sslmode: 'require', sslrootcert: server.otherCaFile }), 'SELECT 1')).result;
      expect(wrongCa.status).toBe('error');
      expect(wrongCa.error).toMatch(/not signed by the CA in sslrootcert .*other-ca\.crt \(sslmode require\)/);
    });

    it('verify-ca without a CA file is a configuration error naming sslrootcert', async () => {
      const { result } = await run(executor({ sslmode: 'verify-ca', sslrootcert: undefined }), 'SELECT 1');
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/sslmode verify-ca needs sslrootcert/);
    });

    it('sslmode prefer falls back to plain TCP when the server offers no TLS; require refuses', async () => {
      const proxy = (await forwarder({ refuseTls: true }))!;
      try {
        const prefer = (await run(executor({ port: proxy.port, sslmode: 'prefer', sslrootcert: undefined }), 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).result;
        expect(prefer.status, prefer.error ?? '').toBe('succeeded');
        expect(prefer.resultSets[0]?.rows).toEqual([[false]]);
        expect(prefer.notes.join('\n')).toMatch(/TLS not used per pg_stat_ssl \(sslmode prefer: the server offers no TLS\)/);
        const require = (await run(executor({ port: proxy.port, sslmode: 'require', sslrootcert: undefined }), 'SELECT 1')).result;
        expect(require.status).toBe('error');
        expect(require.error).toMatch(/the server does not offer TLS, and sslmode require requires it$/);
      } finally {
        proxy.close();
      }
    });

    it('asks for no password when the server wants none (trusted Unix socket)', async () => {
      const asked: string[] = [];
      const e = executor({ host: server.socketDir, sslmode: undefined, sslrootcert: undefined, passwordEnv: undefined }, { env: {}, ask: async (q) => (asked.push(q), null) });
      const { result } = await run(e, 'SELECT current_user');
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(result.resultSets[0]?.rows).toEqual([['app']]);
      expect(result.target.endpoint).toBe(`app@${server.socketDir}:${server.port}/appdb (socket)`);
      expect(asked).toEqual([]);
    });

    it('sslmode disable connects without TLS and says so', async () => {
      const { result } = await run(executor({ sslmode: 'disable', sslrootcert: undefined }), 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(result.resultSets[0]?.rows).toEqual([[false]]);
      expect(result.notes.join('\n')).toMatch(/TLS not used per pg_stat_ssl \(sslmode disable\)/);
    });

    it('a wrong password is an error that says what failed and where the password came from, not the password', async () => {
      const wrong = 'not-the-password-4711';
      const { result } = await run(executor({}, { env: { [PASSWORD_ENV]: wrong } }), 'SELECT 1');
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/^cannot connect to app@127\.0\.0\.1:\d+\/appdb \(verify-full\): authentication failed: password authentication failed for user "app" \(SQLSTATE 28P01\); the password came from \$RUNBOOK_TEST_DB_PASSWORD$/);
      expect(JSON.stringify(result)).not.toContain(wrong);
    });

    it('takes the password from the secret store, else asks for it, else names the fields', async () => {
      const fromStore = await run(executor({ passwordEnv: undefined, passwordSecret: 'db-password' }, { env: {}, secret: async (n) => (n === 'db-password' ? server.password : null) }), 'SELECT 1');
      expect(fromStore.result.status, fromStore.result.error ?? '').toBe('succeeded');
      expect(fromStore.result.notes).toContain('password from secret "db-password"');

      const questions: [string, unknown][] = [];
      const asked = await run(executor({}, { env: {}, ask: async (q, o) => (questions.push([q, o]), server.password) }), 'SELECT 1');
      expect(asked.result.status, asked.result.error ?? '').toBe('succeeded');
      expect(questions).toEqual([[expect.stringContaining('app@127.0.0.1/appdb'), { secret: true }]]);

      const none = await run(executor({ passwordSecret: 'absent' }, { env: {}, secret: async () => null }), 'SELECT 1');
      expect(none.result.status).toBe('error');
      expect(none.result.error).toMatch(/needs a password and has none \(passwordEnv: \$RUNBOOK_TEST_DB_PASSWORD is not set; passwordSecret: "absent" is not in the secret store; nobody could be asked\)/);
    });
  });

  describe('sql blocks', () => {
    it('returns one result set per statement with columns, rows, row count and command', async () => {
      const code = [
        'CREATE TEMP TABLE pets (id int, name text);',
        "INSERT INTO pets VALUES (1, 'Rex'), (2, 'Tom');",
        'SELECT id, name FROM pets ORDER BY id;',
        "UPDATE pets SET name = 'Tim' WHERE id = 2;",
        '-- a comment is not a statement',
      ].join('\n');
      const { result } = await run(executor(), code);
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(result.resultSets).toEqual([
        { command: 'CREATE TABLE', columns: [], rows: [], rowCount: null },
        { command: 'INSERT', columns: [], rows: [], rowCount: 2 },
        { command: 'SELECT', columns: ['id', 'name'], rows: [[1, 'Rex'], [2, 'Tom']], rowCount: 2 },
        { command: 'UPDATE', columns: [], rows: [], rowCount: 1 },
      ]);
    });

    it('a SQL error fails the block with SQLSTATE and position, and keeps the earlier result sets', async () => {
      const { result } = await run(executor(), 'SELECT 1 AS one;\nSELECT * FROM no_such_table;\nSELECT 3;');
      expect(result.status).toBe('failed');
      expect(result.resultSets).toEqual([{ command: 'SELECT', columns: ['one'], rows: [[1]], rowCount: 1 }]);
      expect(result.error).toBe('statement 2 of 3 (line 2): ERROR: relation "no_such_table" does not exist (SQLSTATE 42P01) at line 2, column 15');
    });

    it('rolls back a transaction the failure aborted, so the next block runs', async () => {
      const e = executor();
      const failed = (await run(e, 'BEGIN;\nSELECT 1 / 0;')).result;
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/division by zero \(SQLSTATE 22012\)/);
      expect(failed.notes).toContain('the failed transaction was rolled back so that the next block starts clean');
      const next = (await run(e, 'SELECT 2 AS two')).result;
      expect(next.status, next.error ?? '').toBe('succeeded');
    });

    it('keeps row values JSON-friendly', async () => {
      const code = `SET TimeZone = 'UTC';
        SELECT 9007199254740993::bigint AS big, 1.10::numeric AS num, '\\x01ff'::bytea AS bin,
               timestamptz '2024-05-01 12:34:56.123456+02' AS tz, timestamp '2024-05-01 12:34:56' AS ts,
               date '2024-05-01' AS d, '{"a": [1, 2]}'::jsonb AS doc, ARRAY[1, NULL, 3] AS ints,
               ARRAY[timestamptz '2024-01-01 00:00+00'] AS stamps, 'NaN'::float8 AS nan, 2.5::float8 AS half,
               NULL::text AS nothing, interval '1 day 2 hours' AS span, ARRAY['\\x00'::bytea] AS bins, true AS yes`;
      const { result } = await run(executor(), code);
      expect(result.status, result.error ?? '').toBe('succeeded');
      const row = result.resultSets[1]?.rows[0];
      expect(row).toEqual([
        '9007199254740993', '1.10', '\\x01ff', '2024-05-01T10:34:56.123456+00:00', '2024-05-01T12:34:56', '2024-05-01',
        { a: [1, 2] }, [1, null, 3], ['2024-01-01T00:00:00+00:00'], 'NaN', 2.5, null, '1 day 02:00:00', ['\\x00'], true,
      ]);
      expect(JSON.parse(JSON.stringify(row))).toEqual(row);
    });

    it('runs statements with bind parameters one by one, each with the values it references', async () => {
      const e = executor();
      const { result } = await run(e, "SELECT $1::int + 1 AS next;\nSELECT $2::text AS name, $1::int AS again, '$3' AS literal;", { params: ['41', "O'Brien; DROP TABLE x"] });
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(result.resultSets.map((r) => r.rows)).toEqual([[[42]], [["O'Brien; DROP TABLE x", 41, '$3']]]);
      expect(result.notes).toContain('ran the statements in one transaction (BEGIN … COMMIT), as PostgreSQL runs a multi-statement block without parameters');
    });

    it('a parameterised block is all or nothing, like one without parameters', async () => {
      const e = executor();
      const failed = (await run(e, 'CREATE TABLE param_atomic (x int);\nINSERT INTO param_atomic VALUES ($1::int);\nSELECT 1 / $2::int;', { params: ['7', '0'] })).result;
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/^statement 3 of 3 \(line 3\): ERROR: division by zero \(SQLSTATE 22012\)/);
      expect(failed.resultSets.map((r) => r.command)).toEqual(['CREATE TABLE', 'INSERT']);
      const check = (await run(e, "SELECT to_regclass('param_atomic') IS NULL AS gone")).result;
      expect(check.resultSets[0]?.rows).toEqual([[true]]);
    });

    it('reports an error position in a parameterised statement against the block', async () => {
      const { result } = await run(executor(), 'SELECT $1::int;\n  SELECT $2::text, nope;', { params: ['1', 'x'] });
      expect(result.status).toBe('failed');
      expect(result.error).toMatch(/column "nope" does not exist \(SQLSTATE 42703\) at line 2, column 20$/);
    });

    it('refuses to split a parameterised block it cannot split safely, before connecting', async () => {
      const asked: string[] = [];
      const e = executor({}, { env: {}, ask: async (q) => (asked.push(q), null) });
      const { result } = await run(e, "SELECT $1::text; SELECT 'unterminated", { params: ['x'] });
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/^cannot run this block with bind parameters: it does not parse \(line 1: unterminated quoted string at or near "'unterminated"\)/);
      expect(asked).toEqual([]);
    });

    it('cuts a parameterised block where the server does, whatever standard_conforming_strings the session has', async () => {
      const e = executor();
      const code = "SELECT $1::text AS a, 'it''s' AS b; -- it's\nSELECT E'\\\\' AS c, $2::text AS d";
      const on = (await run(e, code, { params: ["x'; DROP TABLE y; --", '$$'] })).result;
      expect(on.status, on.error ?? '').toBe('succeeded');
      expect(on.resultSets.map((r) => r.rows)).toEqual([[["x'; DROP TABLE y; --", "it's"]], [['\\', '$$']]]);
      expect((await run(e, 'SET standard_conforming_strings = off')).result.status).toBe('succeeded');
      try {
        const off = (await run(e, code, { params: ['x', 'y'] })).result;
        expect(off.status, off.error ?? '').toBe('succeeded');
        // A plain '…' with a backslash ends elsewhere when the setting is off: such a block is not cut at all.
        const refused = (await run(e, "SELECT 'a\\' AS a; SELECT $1::text", { params: ['x'] })).result;
        expect(refused.status).toBe('error');
        expect(refused.error).toMatch(/'…' string with a backslash at line 1/);
      } finally {
        await run(e, 'RESET standard_conforming_strings');
      }
    });

    it('refuses psql meta-commands in a sql block', async () => {
      const { result } = await run(executor(), 'SELECT 1 AS n\n\\gset');
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/line 2: \\gset is a psql meta-command, not SQL/);
    });

    it('sends NOTICE messages to the output as info, and COPY TO STDOUT as stdout', async () => {
      const { result, output } = await run(executor(), "DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$;\nCOPY (SELECT 'a;b' AS x UNION ALL SELECT 'c') TO STDOUT;");
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(output.filter((c) => c.stream === 'info').map((c) => c.data)).toEqual(['NOTICE:  hello 42\n']);
      expect(output.filter((c) => c.stream === 'stdout').map((c) => c.data).join('')).toBe('a;b\nc\n');
      expect(result.resultSets.map((r) => [r.command, r.rowCount])).toEqual([['DO', null], ['COPY', 2]]);
    });
    it('refuses COPY FROM STDIN as a failed statement, not as a timeout', async () => {
      const { result } = await run(executor({ statementTimeout: '30s' }), 'CREATE TEMP TABLE sink (x int);\nCOPY sink FROM STDIN;');
      expect(result.status).toBe('failed');
      expect(result.error).toMatch(/^statement 2 of 2 \(line 2\): ERROR: COPY from stdin failed: COPY FROM STDIN is not supported/);
    });
  });

  describe('timeouts and cancel', () => {
    it('statementTimeout stops a long statement: timed-out', async () => {
      const { result } = await run(executor({ statementTimeout: '200ms' }), 'SELECT pg_sleep(30)');
      expect(result.status).toBe('timed-out');
      expect(result.error).toMatch(/stopped by statement_timeout \(200 ms\): canceling statement due to statement timeout \(SQLSTATE 57014\)/);
      expect(result.durationMs).toBeLessThan(10_000);
    });

    it('the block timeout bounds the whole block and stops the running statement on the server', async () => {
      const e = executor();
      await run(e, 'SELECT 1'); // connected beforehand: the limit is for the statements alone
      // Each statement is well under the limit (and under the statement_timeout it implies); together they are not.
      const { result } = await run(e, 'SELECT pg_sleep(0.3) AS a; SELECT pg_sleep(0.3) AS b; SELECT pg_sleep(0.3) AS c; SELECT pg_sleep(0.3) AS d;', { timeoutMs: 500 });
      expect(result.status).toBe('timed-out');
      expect(result.error).toMatch(/^timed out after 500 ms/);
      expect(result.resultSets.map((r) => r.columns)).toEqual([['a']]);
      expect(result.notes.join('\n')).toMatch(/cancelled on the server \(pg_cancel_backend\(\d+\)/);
    });

    it('cancel() stops the query on the server, and the connection stays usable', async () => {
      const e = executor();
      const pid = (await run(e, 'SELECT pg_backend_pid()')).result.resultSets[0]?.rows[0]?.[0] as number;
      const watcher = await observer();
      try {
        const active = async () =>
          (await watcher.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE '%pg_sleep(300)%'", [pid])).rowCount === 1;
        const sleeping = start(e, 'SELECT pg_sleep(300)');
        await waitFor('the query to run on the server', active);
        sleeping.execution.cancel();
        const { result } = await sleeping.done();
        expect(result.status).toBe('cancelled');
        expect(result.error).toBe('cancelled by the operator');
        expect(result.notes.join('\n')).toMatch(/cancelled on the server \(pg_cancel_backend\(\d+\)/);
        // Really stopped on the server, not merely abandoned by us.
        expect(await active()).toBe(false);
        const after = (await run(e, 'SELECT pg_backend_pid()')).result;
        expect(after.resultSets[0]?.rows[0]?.[0]).toBe(pid);
      } finally {
        await watcher.end();
      }
    });
  });

  describe('psql lines in shell blocks', () => {
    it('runs psql -c lines natively on the bound target and notes flags that differ', async () => {
      const code = [
        '# what is there',
        'psql -h db.elsewhere -U app -d appdb -c "SELECT 1 AS a"',
        "psql -c 'SELECT 2 AS b; SELECT current_user AS who'",
      ].join('\n');
      const { result } = await run(executor(), code, { action: 'shell' });
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(result.resultSets.map((r) => r.rows)).toEqual([[[1]], [[2]], [['app']]]);
      expect(result.notes).toContain(`psql line 2 names -h db.elsewhere; it ran on the bound target app@127.0.0.1:${server.port}/appdb (verify-full) instead`);
    });

    it("runs a -c text holding the block's parameters statement by statement, in one transaction", async () => {
      const e = executor();
      const code = ["psql -c 'SELECT 1 AS a'", "psql -c 'CREATE TEMP TABLE psql_params (v text); INSERT INTO psql_params VALUES ($2); SELECT v, $1::int AS n FROM psql_params'"].join('\n');
      const { result } = await run(e, code, { action: 'shell', params: ['7', "'); DROP TABLE psql_params; --"] });
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(result.resultSets.map((r) => r.rows)).toEqual([[[1]], [], [], [["'); DROP TABLE psql_params; --", 7]]]);
      expect(result.notes).toContain('psql line 2: ran its statements in one transaction (BEGIN … COMMIT), as psql runs a -c text');
      const failed = (await run(e, "psql -c 'INSERT INTO psql_params VALUES ($1); SELECT 1 / 0'", { action: 'shell', params: ['kept?'] })).result;
      expect(failed.error).toMatch(/^psql line 1, statement 2: ERROR: division by zero/);
      const after = (await run(e, "SELECT count(*)::int FROM psql_params WHERE v = 'kept?'")).result;
      expect(after.resultSets[0]?.rows).toEqual([[0]]);
    });

    it('refuses a shell block that is not psql commands', async () => {
      const { result } = await run(executor(), 'psql -c "SELECT 1"\nsystemctl restart app', { action: 'shell' });
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/^this block is not psql commands; bind it to a shell target \(line 2 runs "systemctl"\)$/);
      expect(result.resultSets).toEqual([]);
    });
  });

  describe('one connection per run', () => {
    it('reuses the connection across blocks, and reopens it on the next block when it broke', async () => {
      const e = executor();
      const first = (await run(e, 'CREATE TEMP TABLE scratch (x int); SELECT pg_backend_pid()')).result;
      const second = (await run(e, 'SELECT pg_backend_pid(), count(*) FROM scratch')).result;
      const pid = first.resultSets[1]?.rows[0]?.[0];
      expect(second.resultSets[0]?.rows[0]).toEqual([pid, '0']); // same backend: the temp table is still there
      expect(second.notes.join('\n')).toMatch(new RegExp(`connection reused \\(backend pid ${pid}`));

      const killed = (await run(e, 'SELECT pg_terminate_backend(pg_backend_pid())')).result;
      expect(killed.status).toBe('failed');
      expect(killed.error).toMatch(/SQLSTATE 57P01/);
      const third = (await run(e, 'SELECT pg_backend_pid()')).result;
      expect(third.status, third.error ?? '').toBe('succeeded');
      expect(third.resultSets[0]?.rows[0]?.[0]).not.toBe(pid);
      expect(third.notes.join('\n')).toMatch(/the previous connection was lost .*; opened a new one/);
    });

    it('close() ends the session on the server', async () => {
      const e = createPostgresExecutor('db', targetConfig(), context());
      const pid = (await run(e, 'SELECT pg_backend_pid()')).result.resultSets[0]?.rows[0]?.[0];
      await e.close();
      const watcher = await observer();
      try {
        await waitFor('the backend to exit', async () => (await watcher.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0);
      } finally {
        await watcher.end();
      }
    });
  });
});
