// The console (`runbook serve`, the desktop app: the same handlers) ships its runs to the team store set in
// Settings, its password from a named secret: every record arrives as the run goes and the seal by Finish,
// the run's state says how far shipping has got, and run.started records the store. A RESTRICTED step's
// approval request is put in the store and answered by another process (`runbook approve`, bob's login and
// key) while the console waits; the block runs, and its approval is journaled. A run resumed after its host
// stopped ships what it had not. History lists the team's runs from the store and verifies one there (an edit
// made in the database found). Settings refuse a store URL with a password in it, or one that cannot be read.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { formatAllowedSigner } from '../../src/main/audit/allowed-signers.js';
import { JOURNAL_FILE } from '../../src/main/audit/record.js';
import { NamedSecrets } from '../../src/main/secrets/named-secrets.js';
import { connectStore } from '../../src/main/store/connect.js';
import { parseStoreUrl } from '../../src/main/store/url.js';
import { compareWithStore } from '../../src/main/store/verify-store.js';
import type { RunState } from '../../src/shared/run-api.js';
import { HAVE_SSH_KEYGEN, type TestKey, makeKey, skipReason } from '../audit/ssh-tools.js';
import { type PostgresHandle, postgresAvailable } from '../infra/postgres.js';
import { startStoreServer } from './store-server.js';
import { fakeSafeStorage } from '../support/fake-safe-storage.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil, sealAnyway } from '../support/run-events.js';
import { REPO_ROOT } from '../support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');
const available = postgresAvailable('the console and the team store') && !skipReason('the console and the team store', HAVE_SSH_KEYGEN);

let server: PostgresHandle;
let admin: pg.Client;
let keysDir: string;
let bob: TestKey;
let approvers: string;

const url = (user: string) => `postgresql://${user}@127.0.0.1:${server.port}/appdb?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile)}&connect_timeout=5`;

beforeAll(async () => {
  if (!available) return;
  ({ server, admin } = await startStoreServer(['alice', 'bob']));
  keysDir = mkdtempSync(path.join(tmpdir(), 'store-console-keys-'));
  bob = makeKey(keysDir, 'bob', 'ed25519');
  approvers = path.join(keysDir, 'approvers');
  writeFileSync(approvers, `${formatAllowedSigner({ principals: ['bob'], publicKey: bob.publicKeyLine, namespaces: ['runbook-console-approval'] })}\n`);
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

/** A console host whose settings name the store, alice's password in its secret store. */
async function consoleWithStore(root?: string, store: Record<string, unknown> = {}) {
  const base = root ?? mkdtempSync(path.join(tmpdir(), 'store-console-'));
  const secrets = new NamedSecrets(path.join(base, 'secrets'), fakeSafeStorage(), 'linux');
  const host = testHandlers({ host: 'electron', version: 'test', secrets, root: base });
  const call: ApiCall = (m, i) => dispatch(host.handlers, m, i) as Promise<any>;
  await call('secrets.save', { name: 'team-store', value: 'alice-pw' });
  await call('settings.save', { store: { url: url('alice'), passwordSecret: 'team-store', ...store } });
  return { ...host, call };
}

/** A RESTRICTED console run (approvals through the store, open `timeoutSeconds`) whose one state-changing step was asked to run. */
async function restrictedStep(timeoutSeconds: number) {
  const { root, call } = await consoleWithStore(undefined, { approvalTimeoutSeconds: timeoutSeconds });
  await call('settings.save', { approversFile: approvers });
  const mark = path.join(root, 'mark');
  const file = path.join(root, 'r.md');
  writeFileSync(file, `# Restricted\n- [ ] Change it\n  \`\`\`bash\n  touch ${mark}\n  \`\`\`\n`);
  await call('runbook.open', { path: file });
  const state: RunState = await call('runs.start', { profile: 'restricted', operator: 'alice', vars: {} });
  const step = state.steps[0];
  if (!step) throw new Error('one step expected');
  await call('runs.runStep', { runId: state.runId, stepId: step.id });
  return { call, state, step, mark };
}

/** The CLI in another process, awaited without blocking this one. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The store holds the sealed run exactly: every record, the same bytes. */
async function expectStoreHoldsExactly(sealed: RunState) {
  const client = await connectStore(parseStoreUrl(url('alice')), { purpose: 'test', env: { RUNBOOK_STORE_PASSWORD: 'alice-pw' } });
  try {
    expect(await compareWithStore(client, sealed.dir, sealed.runId)).toEqual({ ok: true, records: sealed.records });
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)('the console ships to the team store', () => {
  it('settings refuse a store URL holding a password, or one that cannot be read', async () => {
    const { handlers } = testHandlers({ host: 'browser', version: 'test' });
    await expect(dispatch(handlers, 'settings.save', { store: { url: 'postgresql://alice:hunter2@db.example/evidence' } })).rejects.toThrow(/must not hold a password/);
    await expect(dispatch(handlers, 'settings.save', { store: { url: 'mysql://alice@db.example/evidence' } })).rejects.toThrow(/store\.url: the store URL must start with postgresql:\/\//);
    const saved = (await dispatch(handlers, 'settings.save', { store: { url: 'postgresql://alice@db.example/evidence' } })) as { store: { url: string }; storeFrom: string };
    expect(saved).toMatchObject({ store: { url: 'postgresql://alice@db.example/evidence' }, storeFrom: 'settings' });
  });

  it('a run ships as it goes; Finish ships the seal; the state shows it; run.started records the store; nothing differs', async () => {
    const { root, call } = await consoleWithStore();
    const file = path.join(root, 'r.md');
    // Step two prints the store's password (from the named secret), put together so the command does not hold it.
    writeFileSync(file, "# Shipped\n- [ ] One\n  ```bash\n  echo one\n  ```\n- [ ] Two\n  ```bash\n  echo two; printf '%s-%s\\n' alice pw\n  ```\n");
    await call('runbook.open', { path: file });
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'alice', vars: {} });
    expect(state.store).toMatchObject({ shown: expect.stringContaining('alice@127.0.0.1'), gate: false });
    for (const step of state.steps) {
      await call('runs.runStep', { runId: state.runId, stepId: step.id });
      await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === step.id && e.status === 'succeeded');
    }
    const sealed: RunState = await sealAnyway(call, state.runId);
    expect(sealed.store).toMatchObject({ lag: 0, problem: null, diverged: null });
    expect(sealed.store?.shipped).toBe(sealed.records);
    const first = JSON.parse(readFileSync(path.join(sealed.dir, JOURNAL_FILE), 'utf8').split('\n')[0] as string) as { data: { store?: unknown } };
    expect(first.data.store).toEqual({ url: expect.stringContaining('alice@127.0.0.1'), gate: false });
    await expectStoreHoldsExactly(sealed);
    // The store's password, from its named secret, is masked like any credential: in no byte the run wrote.
    for (const f of [JOURNAL_FILE, ...readdirSync(path.join(sealed.dir, 'blobs')).map((b) => path.join('blobs', b))]) {
      expect(readFileSync(path.join(sealed.dir, f)).includes('alice-pw'), f).toBe(false);
    }
    // History lists the team's runs from the store, and verifies one there (this installation's key pinned).
    const team = (await call('history.store', {})) as { store: string; runs: { runId: string; state: string; shippedBy: string; records: number }[] };
    expect(team.store).toContain('alice@127.0.0.1');
    expect(team.runs.find((r) => r.runId === state.runId)).toMatchObject({ state: 'finished', shippedBy: 'alice', records: sealed.records });
    const verdict = (await call('history.storeVerify', { runId: state.runId })) as { ok: boolean; verdict: string; auditorCommand: string };
    expect(verdict).toMatchObject({ ok: true, verdict: 'self-anchored' });
    expect(verdict.auditorCommand).toContain(`runbook store verify --run ${state.runId} --pin SHA256:`);
    // A store-side edit (triggers dropped by an administrator) is what that verification is for.
    await admin.query('ALTER TABLE runbook_store.records DISABLE TRIGGER USER');
    try {
      await admin.query(`UPDATE runbook_store.records SET line = replace(line, 'echo one', 'echo 0ne') WHERE run_id = $1 AND type = 'step.started'`, [state.runId]);
    } finally {
      await admin.query('ALTER TABLE runbook_store.records ENABLE TRIGGER USER');
    }
    expect(await call('history.storeVerify', { runId: state.runId })).toMatchObject({ ok: false, code: 'E_STORE_EDITED' });
  }, 60_000);

  it('RESTRICTED: the approval request goes through the store; bob answers from another process with his key; the block runs', async () => {
    const { call, state, step, mark } = await restrictedStep(120);
    expect(state.store?.gate).toBe(true);
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'approval');
    const pending: RunState = await call('runs.state', { runId: state.runId });
    const request = pending.approvals[0];
    expect(request?.storeUntil).toEqual(expect.any(String));
    expect(existsSync(mark)).toBe(false);

    const env = { ...process.env, RUNBOOK_STORE_URL: url('bob'), RUNBOOK_STORE_PASSWORD: 'bob-pw', SSH_AUTH_SOCK: '' };
    // The request reaches the store once its step.started is shipped: bob waits for it.
    // (Not spawnSync: the console host is this very process, and must go on shipping meanwhile.)
    const listed = await cli(['approve', '--wait', '30', '--json'], env);
    expect(listed.status, listed.stderr).toBe(0);
    const open = (JSON.parse(listed.stdout) as { run: string; record: number }[]).find((r) => r.run === state.runId);
    expect(open?.record).toBe(request?.record);
    const approved = await cli(['approve', '--run', state.runId, '--record', String(request?.record), '--key', bob.file, '--yes'], env);
    expect(approved.status, approved.stdout + approved.stderr).toBe(0);
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === step.id && e.status === 'succeeded');
    expect(existsSync(mark)).toBe(true);
    const journal = readFileSync(path.join(state.dir, JOURNAL_FILE), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    expect(journal.filter((r) => r.type === 'approval').map((r) => [r.data.granted, r.data.approver, r.data.store_login])).toEqual([[true, 'bob', 'bob']]);
    await sealAnyway(call, state.runId);
  }, 120_000);

  it('RESTRICTED: with no valid approval in time the console\'s request times out, journaled, and the block does not run', async () => {
    const { call, state, step, mark } = await restrictedStep(1);
    await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === step.id && e.status !== 'running');
    expect(existsSync(mark)).toBe(false);
    const after: RunState = await call('runs.state', { runId: state.runId });
    expect(after.approvals).toEqual([]);
    const journal = readFileSync(path.join(state.dir, JOURNAL_FILE), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });
    expect(journal.filter((r) => r.type === 'approval').map((r) => r.data.code)).toEqual(['timed-out']);
    expect(journal.find((r) => r.type === 'step.finished')?.data.outcome.refusal).toBe('approval-refused');
    await sealAnyway(call, state.runId);
  }, 60_000);

  it('a run resumed after its host stopped ships the records it had not, and goes on shipping', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'store-console-resume-'));
    const file = path.join(root, 'r.md');
    writeFileSync(file, '# Resumed\n- [ ] One\n  ```bash\n  echo one\n  ```\n- [ ] Two\n  ```bash\n  echo two\n  ```\n');
    // First host: no store at all.
    const first = testHandlers({ host: 'browser', version: 'test', root });
    const call1: ApiCall = (m, i) => dispatch(first.handlers, m, i) as Promise<any>;
    await call1('runbook.open', { path: file });
    const state: RunState = await call1('runs.start', { profile: 'standard', operator: 'alice', vars: {} });
    expect(state.store).toBeUndefined();
    const one = state.steps[0];
    if (!one) throw new Error('two steps expected');
    await call1('runs.runStep', { runId: state.runId, stepId: one.id });
    await eventsUntil(call1, state.runId, -1, (e) => e.type === 'step' && e.stepId === one.id && e.status === 'succeeded');
    await first.runs.shutdown('SIGTERM');
    // Second host on the same runs, now with a store. A journal that does not verify is not resumed, and
    // nothing of it is shipped; put back, it resumes and ships everything, the earlier records first.
    const second = await consoleWithStore(root);
    const journalFile = path.join(state.dir, JOURNAL_FILE);
    const good = readFileSync(journalFile, 'utf8');
    const [head, next, ...rest] = good.split('\n');
    const forged = JSON.parse(next as string) as { mac: string };
    forged.mac = `${forged.mac.slice(0, -2)}${forged.mac.endsWith('00') ? '11' : '00'}`;
    writeFileSync(journalFile, [head, JSON.stringify(forged), ...rest].join('\n'));
    await expect(second.call('runs.resume', { runId: state.runId, operator: 'alice' })).rejects.toThrow(/does not verify/);
    const peek = await admin.query('SELECT count(*)::int AS n FROM runbook_store.records WHERE run_id = $1', [state.runId]);
    expect(peek.rows[0]?.n).toBe(0);
    writeFileSync(journalFile, good);
    const resumed: RunState = await second.call('runs.resume', { runId: state.runId, operator: 'alice' });
    expect(resumed.store).toBeDefined();
    const sealed: RunState = await sealAnyway(second.call, state.runId);
    expect(sealed.store).toMatchObject({ lag: 0, shipped: sealed.records });
    await expectStoreHoldsExactly(sealed);
  }, 60_000);
});
