// Named secrets for targets in the console: kept encrypted by the OS secret store (a safeStorage stand-in
// here), listed by name only, refused where Linux would fall back to plain text or where the host has no
// store (the browser host); a postgres target's passwordSecret logs in to a real PostgreSQL with it.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import { NamedSecrets } from '../../src/main/secrets/named-secrets.js';
import type { RunEvent, RunState } from '../../src/shared/run-api.js';
import { type PostgresHandle, postgresAvailable, startPostgres } from '../infra/postgres.js';
import { fakeSafeStorage } from '../support/fake-safe-storage.js';
import { testHandlers } from '../support/handlers.js';
import { type ApiCall, eventsUntil } from '../support/run-events.js';

describe('secrets API', () => {
  it('the browser host has no secret store and says so', async () => {
    const { handlers } = testHandlers({ host: 'browser', version: 'test' });
    expect(await dispatch(handlers, 'secrets.list', {})).toEqual({ available: false, reason: expect.stringMatching(/no OS secret store.*passwordEnv/), names: [] });
    await expect(dispatch(handlers, 'secrets.save', { name: 'db', value: 'x' })).rejects.toThrow(/no OS secret store/);
  });

  it('keeps values encrypted, lists names only, removes; refuses a plain-text backend and bad names', async () => {
    const { root } = testHandlers({ host: 'electron', version: 'test' });
    const secrets = new NamedSecrets(path.join(root, 'secrets'), fakeSafeStorage(), 'linux');
    const { handlers } = testHandlers({ host: 'electron', version: 'test', secrets });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    expect(await call('secrets.save', { name: 'prod-db', value: 'correct horse battery' })).toEqual({ available: true, reason: null, names: ['prod-db'] });
    for (const f of readdirSync(path.join(root, 'secrets'))) expect(readFileSync(path.join(root, 'secrets', f)).includes('correct horse')).toBe(false);
    expect(JSON.stringify(await call('secrets.list', {}))).not.toContain('correct horse');
    expect(await secrets.get('prod-db')).toBe('correct horse battery');
    await expect(call('secrets.save', { name: '../etc/passwd', value: 'x' })).rejects.toThrow(/name: secret names are letters/);
    expect(await call('secrets.remove', { name: 'prod-db' })).toMatchObject({ names: [] });

    const plain = testHandlers({ host: 'electron', version: 'test', secrets: new NamedSecrets(path.join(root, 'plain'), fakeSafeStorage('basic_text'), 'linux') });
    expect(await dispatch(plain.handlers, 'secrets.list', {})).toMatchObject({ available: false, reason: expect.stringMatching(/no OS keyring/) });
    await expect(dispatch(plain.handlers, 'secrets.save', { name: 'db', value: 'x' })).rejects.toThrow(/no OS keyring/);
  });
});

describe.skipIf(!postgresAvailable('console secrets against PostgreSQL'))('passwordSecret against a real PostgreSQL', () => {
  let pg: PostgresHandle;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('a postgres target logs in with the password kept under its passwordSecret; the password is not recorded', async () => {
    const { root } = testHandlers({ host: 'electron', version: 'test' });
    const secrets = new NamedSecrets(path.join(root, 'secrets'), fakeSafeStorage(), 'linux');
    const { handlers } = testHandlers({ host: 'electron', version: 'test', secrets });
    const call: ApiCall = (m, i) => dispatch(handlers, m, i) as Promise<any>;
    await call('secrets.save', { name: 'appdb', value: pg.password });
    await call('targets.save', { targets: { targets: { db: { kind: 'postgres', host: pg.host, port: pg.port, database: pg.database, user: pg.user, passwordSecret: 'appdb' } }, defaults: { sql: 'db' } } });
    const file = path.join(root, 'q.md');
    writeFileSync(file, '# Q\n- [ ] Who am I\n  ```sql\n  select current_user as who\n  ```\n');
    await call('runbook.open', { path: file });
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    await call('runs.runStep', { runId: state.runId, stepId: state.steps[0]?.id });
    const { events } = await eventsUntil(call, state.runId, -1, (e) => e.type === 'block-end');
    const end = events.find((e): e is Extract<RunEvent, { type: 'block-end' }> => e.type === 'block-end');
    if (!end) throw new Error('no block-end');
    expect(end.status, end.error ?? '').toBe('succeeded');
    expect(end.resultSets[0]).toMatchObject({ columns: ['who'], rows: [['app']] });
    const journal = readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8');
    expect(journal).toContain('secret:appdb');
    expect(journal).not.toContain(pg.password);
  });
});
