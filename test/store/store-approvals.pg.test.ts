// RESTRICTED approvals across machines through the team store, against the real PostgreSQL: the operator's
// `runbook run` (alice's login, alice's key) waits while an approver's `runbook approve` (bob's login, bob's
// key) — another process — reads the request from the store and signs it. Attacks first: the database keeps
// the run's own login from answering, answers to a closed or unknown request, a request for another login's
// run or for a record that is not a step.started, and a flood; a garbage answer is journaled as refused and
// does not run the block; the operator's own key is refused before anything is sent; with no valid answer
// the request times out, journaled, and the block does not run (the canary file absent). The control: bob's
// approval runs it, the approve command reads back that the run recorded it, and the bundle verifies.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { JOURNAL_FILE } from '../../src/main/audit/record.js';
import { STORE_SCHEMA } from '../../src/main/store/schema.js';
import { HAVE_SSH_KEYGEN, type TestKey, keygenSign, makeKey, skipReason } from '../audit/ssh-tools.js';
import { HAVE_PYTHON, VERIFY_PY } from '../audit/tamper-suite.js';
import { type PostgresHandle, postgresAvailable } from '../infra/postgres.js';
import { startStoreServer } from './store-server.js';
import { RESTRICTED_CHANGE } from '../support/runbook-fixtures.js';
import { REPO_ROOT } from '../support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const available = postgresAvailable('approvals through the team store') && !skipReason('approvals through the team store', HAVE_SSH_KEYGEN);

let server: PostgresHandle;
let admin: pg.Client;
let root: string;
let approvers: string;
let alice: TestKey;
let bob: TestKey;

const url = (user: string) => `postgresql://${user}@127.0.0.1:${server.port}/appdb?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile)}&connect_timeout=5`;
const envFor = (user: string) => ({ ...process.env, RUNBOOK_CONSOLE_KEY_DIR: path.join(root, `keys-${user}`), RUNBOOK_STORE_URL: url(user), RUNBOOK_STORE_PASSWORD: `${user}-pw`, SSH_AUTH_SOCK: '' });

async function login(user: string): Promise<pg.Client> {
  const client = new pg.Client({ host: server.host, port: server.port, user, password: `${user}-pw`, database: 'appdb', ssl: { rejectUnauthorized: false } });
  await client.connect();
  return client;
}

beforeAll(async () => {
  if (!available) return;
  root = mkdtempSync(path.join(tmpdir(), 'store-approvals-'));
  writeFileSync(path.join(root, 'rb.md'), RESTRICTED_CHANGE);
  alice = makeKey(root, 'alice', 'ed25519');
  bob = makeKey(root, 'bob', 'ed25519');
  approvers = path.join(root, 'approvers');
  // alice is in the list too (as she might be on another day's run): her key must still be refused on her own run.
  writeFileSync(approvers, `${formatAllowedSigner({ principals: ['bob'], publicKey: bob.publicKeyLine, namespaces: ['runbook-console-approval'] })}\n${formatAllowedSigner({ principals: ['alice'], publicKey: alice.publicKeyLine, namespaces: ['runbook-console-approval'] })}\n`);
  ({ server, admin } = await startStoreServer(['alice', 'bob', 'mallory', 'alice2']));
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

interface Running {
  child: ChildProcess;
  output: () => string;
  done: Promise<number | null>;
}

/** alice's `runbook run` of the RESTRICTED runbook, shipping to the store, in the background. */
function startRun(name: string, extra: string[] = []): Running {
  const child = spawn(process.execPath, [CLI, 'run', path.join(root, 'rb.md'), '--yes', '--operator', 'alice', '--journal', path.join(root, name), '--var', `MARKER=${path.join(root, `${name}.marker`)}`, '--approvers', approvers, '--operator-key', `${alice.file}.pub`, ...extra], { env: envFor('alice') });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return { child, output: () => text, done: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
}

/** bob's `runbook approve` (another process), with `args`. */
function approve(args: string[], user = 'bob') {
  return spawnSync(process.execPath, [CLI, 'approve', ...args], { encoding: 'utf8', env: envFor(user), timeout: 90_000 });
}

/** The open requests, as bob's approve lists them, once alice's run has asked (it waits for one to arrive). */
function waitForRequest(runName: string): { run: string; record: number; message: string; command: string; runbook: { sha256: string }; closed: string | null } {
  for (;;) {
    const listed = approve(['--wait', '60', '--json']);
    expect(listed.status, listed.stderr).toBe(0);
    const open = JSON.parse(listed.stdout) as ReturnType<typeof waitForRequest>[];
    const request = open.find((r) => existsSync(path.join(root, runName, JOURNAL_FILE)) && readFileSync(path.join(root, runName, JOURNAL_FILE), 'utf8').includes(`"run":"${r.run}"`));
    if (request) return request;
  }
}

const records = (name: string) => readFileSync(path.join(root, name, JOURNAL_FILE), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number; run: string; type: string; data: Record<string, any> });

describe.skipIf(!available)('approvals through the team store', () => {
  it('the database keeps out what is not an answer: the run\'s own login, another login\'s request, a record that is not a step.started, a flood, a closed request', async () => {
    const run = startRun('rules', ['--approval-timeout', '60']);
    const request = waitForRequest('rules');
    const a = await login('alice');
    const b = await login('bob');
    try {
      const refused = async (client: pg.Client, sql: string, params: unknown[]) => {
        const error = (await client.query(sql, params).then(() => null, (e: unknown) => e)) as { hint?: string; message: string } | null;
        expect(error, `${sql} was accepted`).not.toBeNull();
        return error?.hint ?? error?.message;
      };
      const answer = `INSERT INTO ${STORE_SCHEMA}.approval_answers (run_id, seq, approver, signature, answered_at, answered_by) VALUES ($1, $2, $3, $4, now(), current_user)`;
      const ask = `INSERT INTO ${STORE_SCHEMA}.approval_requests (run_id, seq, hash, wait_seconds, requested_at, expires_at, requested_by) VALUES ($1, $2, '', 60, now(), now(), current_user)`;
      expect(await refused(a, answer, [request.run, request.record, 'bob', 'x'])).toBe('runbook-store:own-request');
      expect(await refused(b, ask, [request.run, 0])).toBe('runbook-store:not-a-step');
      expect(await refused(a, ask, [request.run, 0])).toBe('runbook-store:not-a-step');
      expect(await refused(a, ask, [request.run, 100_000])).toBe('runbook-store:not-stored');
      expect(await refused(b, answer, [request.run, 0, 'bob', 'x'])).toBe('runbook-store:no-request');
      expect(await refused(b, answer, [request.run, request.record, 'bob\nroot', 'x'])).toMatch(/check constraint/);
      // Nothing is ever changed or removed.
      expect(await refused(b, `UPDATE ${STORE_SCHEMA}.approval_requests SET wait_seconds = 86400`, [])).toMatch(/permission denied|never changed/);
      expect(await refused(b, `DELETE FROM ${STORE_SCHEMA}.approval_answers`, [])).toMatch(/permission denied|never changed/);
      // A flood: five answers at most per login per request; each garbage one the run journals as refused, and the block still waits.
      for (let i = 0; i < 5; i += 1) await b.query(answer, [request.run, request.record, 'bob', `not a signature ${i}`]);
      expect(await refused(b, answer, [request.run, request.record, 'bob', 'one more'])).toBe('runbook-store:too-many');
    } finally {
      await a.end();
      await b.end();
    }
    run.child.kill('SIGTERM');
    await run.done;
    expect(existsSync(path.join(root, 'rules.marker')), 'a garbage answer ran the block').toBe(false);
    const approvals = records('rules').filter((r) => r.type === 'approval');
    expect(approvals.filter((r) => r.data.code === 'not-a-signature').length).toBeGreaterThan(0);
    expect(approvals.some((r) => r.data.granted === true)).toBe(false);
    expect(approvals.at(-1)?.data.code).toBe('withdrawn');
  }, 120_000);

  it('an answer to a request that has timed out is refused by the database', async () => {
    const run = startRun('short', ['--approval-timeout', '2']);
    const code = await run.done;
    expect(code, run.output()).toBe(1);
    const journal = records('short');
    const started = journal.find((r) => r.type === 'step.started' && r.data.state_changing === true);
    const b = await login('bob');
    try {
      // The database closes the request at its own expiry (counted from when it took the request): wait for that.
      await b.query(`SELECT pg_sleep(greatest(0, extract(epoch FROM expires_at - clock_timestamp())) + 0.05) FROM ${STORE_SCHEMA}.approval_requests WHERE run_id = $1`, [journal[0]?.run]);
      const error = (await b.query(`INSERT INTO ${STORE_SCHEMA}.approval_answers (run_id, seq, approver, signature, answered_at, answered_by) VALUES ($1, $2, 'bob', 'x', now(), current_user)`, [journal[0]?.run, started?.seq]).then(() => null, (e: unknown) => e)) as { hint?: string } | null;
      expect(error?.hint).toBe('runbook-store:expired');
    } finally {
      await b.end();
    }
  }, 60_000);

  it('no valid approval in time: the request times out, journaled (format 4), and the block does not run', async () => {
    const run = startRun('timeout', ['--approval-timeout', '2']);
    expect(await run.done, run.output()).toBe(1);
    expect(existsSync(path.join(root, 'timeout.marker')), 'the block ran without an approval').toBe(false);
    const journal = records('timeout');
    expect(journal[0]?.data.format).toBe('runbook-console-journal/4');
    expect(journal[0]?.data.store).toEqual({ url: expect.stringContaining('alice@127.0.0.1:'), gate: true });
    const last = journal.filter((r) => r.type === 'approval').at(-1);
    expect(last?.data).toMatchObject({ granted: false, code: 'timed-out', approver: null });
    const finished = journal.filter((r) => r.type === 'step.finished').map((r) => r.data.outcome.refusal);
    expect(finished).toEqual([null, 'approval-refused']);
    const verified = spawnSync(process.execPath, [CLI, 'verify', path.join(root, 'timeout')], { encoding: 'utf8', env: envFor('alice') });
    expect([0, 3], verified.stdout + verified.stderr).toContain(verified.status);
  }, 60_000);

  it('from a review: a writer cannot hide bob\'s answer (a chosen id, a flood) or approve alice\'s run from a second login of hers', async () => {
    await admin.query(`INSERT INTO ${STORE_SCHEMA}.people (login, person) VALUES ('alice', 'alice'), ('alice2', 'alice'), ('bob', 'bob')`);
    const run = startRun('review', ['--approval-timeout', '120']);
    const request = waitForRequest('review');
    const m = await login('mallory');
    const a2 = await login('alice2');
    const b = await login('bob');
    try {
      const answer = `INSERT INTO ${STORE_SCHEMA}.approval_answers (run_id, seq, approver, signature, answered_at, answered_by) VALUES ($1, $2, $3, $4, now(), current_user)`;
      // alice's second login is still alice: refused by the database whatever name it gives.
      const own = await a2.query(answer, [request.run, request.record, 'bob', 'x']).then(() => null, (e: { hint?: string }) => e.hint);
      expect(own).toBe('runbook-store:own-request');
      // bob's login answers only as bob.
      const other = await b.query(answer, [request.run, request.record, 'robert', 'x']).then(() => null, (e: { hint?: string }) => e.hint);
      expect(other).toBe('runbook-store:not-this-login');
      // mallory takes the largest id there is, then floods: her five junk answers leave room for bob's.
      await m.query(`INSERT INTO ${STORE_SCHEMA}.approval_answers (id, run_id, seq, approver, signature, answered_at, answered_by) OVERRIDING SYSTEM VALUE VALUES (4611686018427387904, $1, $2, 'bob', 'junk', now(), current_user)`, [request.run, request.record]);
      for (let i = 0; i < 4; i += 1) await m.query(answer, [request.run, request.record, 'bob', `junk ${i}`]);
    } finally {
      await m.end();
      await a2.end();
      await b.end();
    }
    // bob's real answer, after all that, is read and runs the block.
    const ok = approve(['--run', request.run, '--record', String(request.record), '--key', bob.file, '--yes']);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(await run.done, run.output()).toBe(0);
    expect(existsSync(path.join(root, 'review.marker'))).toBe(true);
    const approvals = records('review').filter((r) => r.type === 'approval');
    expect(approvals.filter((r) => r.data.granted === false).map((r) => r.data.store_login)).toEqual(['mallory', 'mallory', 'mallory', 'mallory', 'mallory']);
    expect(approvals.find((r) => r.data.granted === true)?.data).toMatchObject({ approver: 'bob', store_login: 'bob' });
    await admin.query(`DELETE FROM ${STORE_SCHEMA}.people`);
  }, 180_000);

  it("two processes, two keys: alice's run waits, bob's approve reads the exact command from the store and signs; alice's own key is refused before anything is sent", async () => {
    const run = startRun('approved', ['--approval-timeout', '120']);
    const request = waitForRequest('approved');
    expect(request.command).toContain('touch "$MARKER"');
    const runbookSha = records('approved')[0]?.data.runbook.sha256;
    expect(request.runbook.sha256).toBe(runbookSha);

    // The listing a person reads names the command, the runbook's hash and what to sign.
    const shown = approve(['--run', request.run, '--record', String(request.record)]);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('touch "$MARKER"');
    expect(shown.stdout).toContain(`sha256 ${runbookSha}`);
    expect(shown.stdout).toContain(`signs     sha256 ${request.message}`);
    // …and what the command's variable holds: it is part of what is approved.
    expect(shown.stdout).toContain(`value     MARKER = ${JSON.stringify(path.join(root, 'approved.marker'))}`);

    // alice's own key (she is even in the approvers list) is refused here, and nothing reaches the store.
    const own = approve(['--run', request.run, '--record', String(request.record), '--key', alice.file, '--yes'], 'bob');
    expect(own.status).toBe(1);
    expect(own.stderr).toMatch(/operator-key|operator-name/);
    // A signature made with stock ssh-keygen over another message is refused here too.
    writeFileSync(path.join(root, 'wrong.sig'), keygenSign(bob, 'runbook-console-approval', Buffer.from('0'.repeat(64))));
    const wrong = approve(['--run', request.run, '--record', String(request.record), '--signature', path.join(root, 'wrong.sig')]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('bad-signature');
    expect(existsSync(path.join(root, 'approved.marker'))).toBe(false);

    const ok = approve(['--run', request.run, '--record', String(request.record), '--key', bob.file, '--yes']);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/sent: answer \d+ as bob/);
    expect(ok.stdout).toContain('✓ the run recorded the approval: approved by bob');
    expect(await run.done, run.output()).toBe(0);
    expect(existsSync(path.join(root, 'approved.marker'))).toBe(true);

    const approvals = records('approved').filter((r) => r.type === 'approval');
    expect(approvals.map((r) => r.data.granted)).toEqual([true]);
    expect(approvals[0]?.data).toMatchObject({ approver: 'bob', principal: 'bob', message: request.message });
    // The store holds the very same run; it verifies against it, and its bundle in the stock verifier.
    const against = spawnSync(process.execPath, [CLI, 'verify', path.join(root, 'approved'), '--store', url('alice')], { encoding: 'utf8', env: envFor('alice') });
    expect([0, 3], against.stdout + against.stderr).toContain(against.status);
    const bundle = path.join(root, 'approved-bundle');
    const exported = spawnSync(process.execPath, [CLI, 'export', path.join(root, 'approved'), '--out', bundle, '--key', alice.file], { encoding: 'utf8', env: envFor('alice') });
    expect(exported.status, exported.stdout + exported.stderr).toBe(0);
    // The report says where the run shipped and that its state-changing steps waited for the store.
    expect(readFileSync(path.join(bundle, 'report.html'), 'utf8')).toMatch(/<dt>Team store<\/dt><dd>alice@127\.0\.0\.1:\d+\/appdb \(verify-full\); state-changing steps waited until it held every record<\/dd>/);
    if (HAVE_PYTHON) {
      const py = spawnSync('python3', [VERIFY_PY, bundle], { encoding: 'utf8' });
      expect(py.stdout + py.stderr).toContain('ok    records: in format runbook-console-journal/4');
      expect(py.stdout).not.toMatch(/^FAIL/m);
    }
    // Answered, the request is no longer listed as open.
    const after = approve(['--json']);
    expect((JSON.parse(after.stdout) as { run: string }[]).some((r) => r.run === request.run)).toBe(false);
  }, 180_000);
});
